"""Back office: adding, editing and deleting a consultation's phases.

A phase is addressed by its number (its 1-based position), which stays contiguous after deletes.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from consulta.web.consultations import access
from consulta.web.consultations.forms import PhaseForm, next_position, renumber
from consulta.web.consultations.models import Consultation, Phase


def load_phase(consultation: Consultation, number: int) -> Phase:
    phase = consultation.phases.filter(position=number).first()
    if phase is None:
        raise Http404("No such phase")
    return phase


def _render(
    request: HttpRequest, consultation: Consultation, form: PhaseForm, phase: Phase | None = None
) -> HttpResponse:
    context = {"consultation": consultation, "form": form, "phase": phase}
    status = 400 if form.errors else 200
    return render(request, "consultations/phase_form.html", context, status=status)


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
    form = PhaseForm(request.POST, instance=phase)
    if not form.is_valid():
        return _render(request, consultation, form)
    phase = form.save()
    messages.success(request, f"Phase {phase.position} “{phase.name}” added.")
    return redirect("consultations:questions", slug=slug, number=phase.position)


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
    phase = load_phase(consultation, number)
    form = PhaseForm(request.POST, instance=phase)
    if not form.is_valid():
        # Validation wrote the posted values onto the instance; the page names the saved phase.
        return _render(request, consultation, form, load_phase(consultation, number))
    form.save()
    messages.success(request, f"Phase {number} saved.")
    return redirect("consultations:overview", slug=slug)


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
