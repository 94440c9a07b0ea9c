"""One response's page, and what organisers do to it: withdraw, delete, confirm its organisation.

Every view loads the response through ``loading.load_response`` (404 to outsiders and for
another consultation's references, 403 to analysts for changes). Changes are POST-only and
audited (``actions``).
"""

from __future__ import annotations

from functools import partial

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.forms import BaseForm
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from consulta.web.consultations.models import Membership
from consulta.web.pages import render_form_page, submit_form
from consulta.web.responses import actions
from consulta.web.responses.exports import answer_text
from consulta.web.responses.forms import LinkOrganisationForm, NewOrganisationForm, ReasonForm
from consulta.web.responses.listing import organisation_given, sector_given, shows_identity
from consulta.web.responses.loading import load_response
from consulta.web.responses.models import Response


def _url(name: str, response: Response) -> str:
    return reverse(f"responses:{name}", args=[response.phase.consultation.slug,
                                              response.reference])


def _page_context(membership: Membership, response: Response) -> dict:
    phase = response.phase
    answers = {answer.question_id: answer for answer in response.answers.all()}
    return {
        "consultation": membership.consultation, "can_edit": membership.can_edit,
        "response": response, "phase": phase,
        "phase_number": membership.consultation.phase_numbers()[phase.pk],
        "answers": [(question, answer_text(answers[question.pk]) if question.pk in answers
                     else "") for question in phase.questions.all()],
        "organisation": organisation_given(response), "sector": sector_given(response),
        "respondent": (getattr(response, "respondent", None)
                       if shows_identity(phase) else None),
        "needs_match": actions.needs_organisation_match(response),
        "history": [(entry, actions.event_of(entry))
                    for entry in actions.response_history(response)],
    }


def _render_page(request: HttpRequest, membership: Membership, response: Response,
                 form: BaseForm) -> HttpResponse:
    return render_form_page(request, "responses/response.html", form,
                            _page_context(membership, response))


@login_required
@require_GET
def detail(request: HttpRequest, slug: str, reference: str) -> HttpResponse:
    membership, response = load_response(request, slug, reference)
    return _render_page(request, membership, response, ReasonForm())


@login_required
@require_POST
def withdraw(request: HttpRequest, slug: str, reference: str) -> HttpResponse:
    membership, response = load_response(request, slug, reference, for_edit=True)
    if response.status != Response.Status.SUBMITTED:
        messages.info(request, f"Response {reference} was already withdrawn.")
        return redirect(_url("detail", response))
    form = ReasonForm(request.POST)
    return submit_form(
        request, form, partial(_render_page, request, membership, response),
        lambda _: (f"Response {reference} withdrawn: it is left out of the analysis.",
                   _url("detail", response)),
        save=lambda: actions.withdraw(response, form.cleaned_data["reason"], request.user),
    )


def _render_delete(request: HttpRequest, response: Response, form: BaseForm) -> HttpResponse:
    return render_form_page(request, "responses/delete.html", form, {
        "consultation": response.phase.consultation, "response": response})


@login_required
@require_GET
def delete_form(request: HttpRequest, slug: str, reference: str) -> HttpResponse:
    _, response = load_response(request, slug, reference, for_edit=True)
    return _render_delete(request, response, ReasonForm())


@login_required
@require_POST
def delete(request: HttpRequest, slug: str, reference: str) -> HttpResponse:
    _, response = load_response(request, slug, reference, for_edit=True)
    form = ReasonForm(request.POST)
    return submit_form(
        request, form, partial(_render_delete, request, response),
        lambda _: (f"Response {reference} deleted.", reverse("responses:index", args=[slug])),
        save=lambda: actions.delete(response, form.cleaned_data["reason"], request.user),
    )


# Confirming the organisation a respondent typed ------------------------------------------------


def _load_unmatched(request: HttpRequest, slug: str, reference: str) -> Response:
    _, response = load_response(request, slug, reference, for_edit=True)
    if not actions.needs_organisation_match(response):
        raise Http404("This response has no organisation to confirm")
    return response


def _render_match(request: HttpRequest, response: Response, link: BaseForm | None = None,
                  new: BaseForm | None = None) -> HttpResponse:
    consultation = response.phase.consultation
    suggestions = actions.organisation_suggestions(response)
    typed = getattr(response, "typed_organisation", None)
    if link is None:
        initial = {"organisation": suggestions[0].pk} if suggestions else {}
        link = LinkOrganisationForm(initial=initial, consultation=consultation)
    if new is None:
        new = NewOrganisationForm(consultation=consultation, initial={
            "name": response.organisation_name, "sector": typed.sector if typed else "",
            "type": typed.type if typed else ""})
    status = 400 if link.errors or new.errors else 200
    return render(request, "responses/organisation.html", {
        "consultation": consultation, "response": response, "suggestions": suggestions,
        "link_form": link, "new_form": new, "form": link if link.errors else new,
    }, status=status)


@login_required
@require_GET
def organisation_form(request: HttpRequest, slug: str, reference: str) -> HttpResponse:
    return _render_match(request, _load_unmatched(request, slug, reference))


@login_required
@require_POST
def link_organisation(request: HttpRequest, slug: str, reference: str) -> HttpResponse:
    response = _load_unmatched(request, slug, reference)
    form = LinkOrganisationForm(request.POST, consultation=response.phase.consultation)
    return submit_form(
        request, form, lambda form: _render_match(request, response, link=form),
        lambda _: (f"Response {reference} linked to {form.cleaned_data['organisation']}.",
                   _url("detail", response)),
        save=lambda: actions.link_organisation(
            response, form.cleaned_data["organisation"], request.user),
    )


@login_required
@require_POST
def add_organisation(request: HttpRequest, slug: str, reference: str) -> HttpResponse:
    response = _load_unmatched(request, slug, reference)
    form = NewOrganisationForm(request.POST, consultation=response.phase.consultation)
    return submit_form(
        request, form, lambda form: _render_match(request, response, new=form),
        lambda organisation: (
            f"{organisation} added to the stakeholder network and linked to response {reference}.",
            _url("detail", response)),
        save=lambda: actions.add_organisation(
            response, form.cleaned_data["name"], form.cleaned_data["sector"],
            form.cleaned_data["type"].strip(), request.user),
    )
