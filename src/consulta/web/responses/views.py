"""Back-office pages for responses: what has come in, and importing responses from a table."""

from __future__ import annotations

from functools import partial

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Prefetch, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from consulta.web.consultations.access import load_consultation_for_edit, load_membership
from consulta.web.consultations.models import Consultation, Phase
from consulta.web.import_views import ImportPage, import_views
from consulta.web.responses.forms import ResponseImportForm
from consulta.web.responses.importer import import_responses, optional_columns
from consulta.web.responses.models import Answer, Response

LATEST = 50


@login_required
@require_GET
def index(request: HttpRequest, slug: str) -> HttpResponse:
    membership = load_membership(request, slug)
    consultation = membership.consultation
    phases = consultation.phases.annotate(
        submitted=Count("responses", filter=Q(responses__status=Response.Status.SUBMITTED)),
        drafts=Count("responses", filter=Q(responses__status=Response.Status.DRAFT)),
    )
    return render(request, "responses/index.html", {
        "consultation": consultation, "can_edit": membership.can_edit,
        "phases": [_phase_summary(number, phase) for number, phase in enumerate(phases, start=1)],
    })


def _phase_summary(number: int, phase: Phase) -> dict:
    """A phase with its number, and its latest submitted responses with an excerpt of each."""
    latest = (
        phase.responses.filter(status=Response.Status.SUBMITTED)
        .select_related("organisation")
        .prefetch_related(Prefetch("answers", queryset=Answer.objects.order_by(
            "question__position", "question_id")))
        .order_by("-submitted_at", "-pk")[:LATEST]
    )
    caption = (f"The latest {LATEST} submitted responses" if phase.submitted > LATEST
               else "Submitted responses")
    return {"number": number, "phase": phase, "caption": f"{caption} in phase {number}",
            "latest": [(response, _excerpt(response)) for response in latest]}


def _excerpt(response: Response) -> str:
    """The first answer given, as plain text (the template escapes and shortens it)."""
    for answer in response.answers.all():
        if answer.text or answer.choices:
            return answer.text or "; ".join(answer.choices)
    return ""


def _phase(consultation: Consultation, number: int) -> Phase:
    """The phase at ``number`` counting from 1 in phase order, or 404."""
    phases = list(consultation.phases.all())
    if not 1 <= number <= len(phases):
        raise Http404("No such phase")
    return phases[number - 1]


def _import_page(request: HttpRequest, slug: str, number: int) -> ImportPage:
    consultation = load_consultation_for_edit(request, slug)
    phase = _phase(consultation, number)
    return ImportPage(
        template="responses/import.html",
        form_class=ResponseImportForm,
        context={"consultation": consultation, "phase": phase, "number": number,
                 "questions": phase.questions.all(), "optional_columns": optional_columns(phase)},
        importer=partial(import_responses, phase),
        imported=f"Responses imported into phase {number}",
        next_url=reverse("responses:index", args=[consultation.slug]),
    )


import_form, run_import = import_views(_import_page)
