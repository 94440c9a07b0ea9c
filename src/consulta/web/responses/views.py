"""Back-office pages for responses: what has come in, and importing responses from a table."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Prefetch, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from consulta.web.consultations.access import load_consultation_for_edit, load_membership
from consulta.web.consultations.models import Consultation, Phase
from consulta.web.imports import ImportRefused, ImportReport
from consulta.web.responses.forms import ResponseImportForm
from consulta.web.responses.importer import import_responses, optional_columns
from consulta.web.responses.models import Answer, Response
from consulta.web.stakeholders.views import add_warning_messages

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
    rows = []
    for number, phase in enumerate(phases, start=1):
        latest = (
            phase.responses.filter(status=Response.Status.SUBMITTED)
            .select_related("organisation")
            .prefetch_related(Prefetch("answers", queryset=Answer.objects.order_by(
                "question__position", "question_id")))
            .order_by("-submitted_at", "-pk")[:LATEST]
        )
        rows.append({"number": number, "phase": phase,
                     "latest": [(response, _excerpt(response)) for response in latest]})
    return render(request, "responses/index.html", {
        "consultation": consultation, "can_edit": membership.can_edit, "phases": rows,
        "latest_limit": LATEST,
    })


def _excerpt(response: Response) -> str:
    """The first answer given, as plain text (the template escapes and shortens it)."""
    for answer in response.answers.all():
        if answer.text or answer.choices:
            return answer.text or "; ".join(answer.choices)
    return ""


@login_required
@require_GET
def import_form(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    consultation = load_consultation_for_edit(request, slug)
    phase = _phase(consultation, number)
    return _render_form(request, consultation, phase, number, ResponseImportForm())


@login_required
@require_POST
def run_import(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    consultation = load_consultation_for_edit(request, slug)
    phase = _phase(consultation, number)
    form = ResponseImportForm(request.POST, request.FILES)
    if not form.is_valid():
        return _render_form(request, consultation, phase, number, form, status=400)
    upload = form.cleaned_data["file"]
    try:
        report = import_responses(
            phase, upload.read(), upload.name, channel=form.cleaned_data["channel"],
            max_bytes=settings.CONSULTA_MAX_IMPORT_BYTES,
        )
    except ImportRefused as refused:
        return _render_form(request, consultation, phase, number, form, refused.report,
                            upload.name, status=400)
    messages.success(
        request, f"Responses imported into phase {number} from {upload.name}: {report.summary()}."
    )
    add_warning_messages(request, report)
    return redirect(reverse("responses:index", args=[consultation.slug]))


def _phase(consultation: Consultation, number: int) -> Phase:
    """The phase at ``number`` counting from 1 in phase order, or 404."""
    phases = list(consultation.phases.all())
    if not 1 <= number <= len(phases):
        raise Http404("No such phase")
    return phases[number - 1]


def _render_form(request: HttpRequest, consultation: Consultation, phase: Phase, number: int,
                 form: ResponseImportForm, report: ImportReport | None = None,
                 filename: str = "", *, status: int = 200) -> HttpResponse:
    return render(request, "responses/import.html", {
        "consultation": consultation,
        "phase": phase,
        "number": number,
        "questions": phase.questions.all(),
        "optional_columns": optional_columns(phase),
        "form": form,
        "report": report,
        "filename": filename,
        "max_megabytes": settings.CONSULTA_MAX_IMPORT_BYTES / (1024 * 1024),
    }, status=status)
