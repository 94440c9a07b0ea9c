"""Back office: the questions of one phase, their order, and adding, editing and deleting them.

Questions are always found through their phase, and the phase through the consultation the
user belongs to, so a question of another consultation is a 404.
"""

from __future__ import annotations

from functools import partial

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from consulta.web.consultations import access
from consulta.web.consultations.forms import MoveForm, QuestionForm, renumber
from consulta.web.consultations.models import Phase, Question
from consulta.web.consultations.phase_views import load_phase
from consulta.web.pages import render_form_page, submit_form


def _load_for_edit(request: HttpRequest, slug: str, number: int) -> Phase:
    return load_phase(access.load_consultation_for_edit(request, slug), number)


def _load_question(phase: Phase, pk: int) -> Question:
    return get_object_or_404(phase.questions, pk=pk)


def _list_url(phase: Phase) -> str:
    return reverse("consultations:questions", args=[phase.consultation.slug, phase.position])


def _render_form(
    request: HttpRequest, phase: Phase, form: QuestionForm, question: Question | None = None
) -> HttpResponse:
    context = {"consultation": phase.consultation, "phase": phase, "question": question}
    return render_form_page(request, "consultations/question_form.html", form, context)


@login_required
@require_GET
def index(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    membership = access.load_membership(request, slug)
    phase = load_phase(membership.consultation, number)
    context = {
        "consultation": membership.consultation,
        "phase": phase,
        "questions": phase.questions.all(),
        "can_edit": membership.can_edit,
    }
    return render(request, "consultations/questions.html", context)


@login_required
@require_GET
def new(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    phase = _load_for_edit(request, slug, number)
    return _render_form(request, phase, QuestionForm(phase=phase))


@login_required
@require_POST
def create(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    phase = _load_for_edit(request, slug, number)
    return submit_form(
        request, QuestionForm(request.POST, phase=phase), partial(_render_form, request, phase),
        lambda question: (f"Question {question.position} added.", _list_url(phase)),
    )


@login_required
@require_GET
def edit(request: HttpRequest, slug: str, number: int, pk: int) -> HttpResponse:
    phase = _load_for_edit(request, slug, number)
    question = _load_question(phase, pk)
    return _render_form(request, phase, QuestionForm(instance=question, phase=phase), question)


@login_required
@require_POST
def update(request: HttpRequest, slug: str, number: int, pk: int) -> HttpResponse:
    phase = _load_for_edit(request, slug, number)
    return submit_form(
        request, QuestionForm(request.POST, instance=_load_question(phase, pk), phase=phase),
        # Validation wrote the posted values onto the instance; the page names the saved one.
        lambda form: _render_form(request, phase, form, _load_question(phase, pk)),
        lambda question: (f"Question {question.position} saved.", _list_url(phase)),
    )


@login_required
@require_POST
def delete(request: HttpRequest, slug: str, number: int, pk: int) -> HttpResponse:
    phase = _load_for_edit(request, slug, number)
    question = _load_question(phase, pk)
    if question.answers.exists():
        messages.error(request, "This question has answers, so it cannot be deleted.")
        return redirect("consultations:question-edit", slug=slug, number=number, pk=pk)
    with transaction.atomic():
        question.delete()
        renumber(phase.questions.all())
    messages.success(request, f"Question “{question.key}” deleted.")
    return redirect(_list_url(phase))


@login_required
@require_POST
def move(request: HttpRequest, slug: str, number: int, pk: int) -> HttpResponse:
    phase = _load_for_edit(request, slug, number)
    question = _load_question(phase, pk)
    form = MoveForm(request.POST)
    if not form.is_valid():
        return HttpResponseBadRequest("Direction must be up or down.")
    with transaction.atomic():
        form.move(question, list(phase.questions.select_for_update()))
    return redirect(_list_url(phase))
