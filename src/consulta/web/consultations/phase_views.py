"""Back office: adding, editing and deleting a consultation's phases, and replacing an internal
phase's staff link.

A phase is addressed by its number (its 1-based position), which stays contiguous after deletes.
"""

from __future__ import annotations

from functools import partial

from auditlog.models import LogEntry
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from consulta.web.consultations import access
from consulta.web.consultations.forms import PhaseForm, next_position, renumber
from consulta.web.consultations.models import Consultation, Phase
from consulta.web.pages import render_form_page, submit_form

STAFF_LINK = "staff link"


def load_phase(consultation: Consultation, number: int) -> Phase:
    phase = consultation.phases.filter(position=number).first()
    if phase is None:
        raise Http404("No such phase")
    return phase


def _render(
    request: HttpRequest, consultation: Consultation, form: PhaseForm, phase: Phase | None = None
) -> HttpResponse:
    context = {"consultation": consultation, "phase": phase}
    return render_form_page(request, "consultations/phase_form.html", form, context)


@login_required
@require_GET
def new(request: HttpRequest, slug: str) -> HttpResponse:
    consultation = access.load_consultation_for_edit(request, slug)
    return _render(request, consultation, PhaseForm())


@login_required
@require_POST
def create(request: HttpRequest, slug: str) -> HttpResponse:
    consultation = access.load_consultation_for_edit(request, slug)
    phase = Phase(consultation=consultation, position=next_position(consultation.phases.all()))
    return submit_form(
        request, PhaseForm(request.POST, instance=phase), partial(_render, request, consultation),
        lambda phase: (f"Phase {phase.position} “{phase.name}” added.",
                       reverse("consultations:questions", args=[slug, phase.position])),
    )


@login_required
@require_GET
def edit(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    consultation = access.load_consultation_for_edit(request, slug)
    phase = load_phase(consultation, number)
    return _render(request, consultation, PhaseForm(instance=phase), phase)


@login_required
@require_POST
def update(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    consultation = access.load_consultation_for_edit(request, slug)
    return submit_form(
        request, PhaseForm(request.POST, instance=load_phase(consultation, number)),
        # Validation wrote the posted values onto the instance; the page names the saved phase.
        lambda form: _render(request, consultation, form, load_phase(consultation, number)),
        lambda _: (f"Phase {number} saved.", reverse("consultations:overview", args=[slug])),
    )


def _log_new_staff_link(phase: Phase) -> None:
    """The audit entry for a new key. auditlog does not track ``access_key`` (audit.py), so the
    trail says that the link was replaced, never what either key was. The middleware sets the
    actor."""
    LogEntry.objects.log_create(
        phase, force_log=True, action=LogEntry.Action.UPDATE,
        changes={STAFF_LINK: ["old link", "new link (keys are not recorded)"]},
        additional_data={**phase.get_additional_data(), "staff_link": "replaced"},
    )


@login_required
@require_POST
def rotate_key(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    """A new staff link for an internal phase; the old one stops working at once."""
    consultation = access.load_consultation_for_edit(request, slug)
    phase = load_phase(consultation, number)
    if not phase.has_staff_link:
        raise Http404("Only internal phases have a staff link")
    with transaction.atomic():
        phase.rotate_access_key()
        _log_new_staff_link(phase)
    messages.success(request, f"Phase {number} has a new staff link. The old link no longer "
                     "works: send the new one to staff.")
    return redirect("consultations:phase-edit", slug=slug, number=number)


@login_required
@require_POST
def delete(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    consultation = access.load_consultation_for_edit(request, slug)
    phase = load_phase(consultation, number)
    if phase.responses.exists():
        messages.error(request, "This phase has responses, so it cannot be deleted.")
        return redirect("consultations:phase-edit", slug=slug, number=number)
    with transaction.atomic():
        phase.delete()
        renumber(consultation.phases.all())
    messages.success(request, f"Phase “{phase.name}” deleted.")
    return redirect("consultations:overview", slug=slug)
