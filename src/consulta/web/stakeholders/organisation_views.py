"""An organisation's page, and adding, editing, removing and merging organisations.

Everyone on the consultation reads the page (analysts without people's email addresses);
organisers change things: analysts get 403 there, outsiders 404 everywhere (access.py).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from consulta.web.consultations.access import load_consultation_for_edit, load_membership
from consulta.web.consultations.models import Consultation
from consulta.web.pages import render_form_page, submit_form
from consulta.web.stakeholders import profile, services
from consulta.web.stakeholders.forms import MergeForm, OrganisationForm
from consulta.web.stakeholders.models import ORGANISATION_TYPES, Organisation


def load_organisation(consultation: Consultation, pk: int) -> Organisation:
    organisation = consultation.organisations.select_related("parent").filter(pk=pk).first()
    if organisation is None:
        raise Http404("No such organisation")
    return organisation


def organisation_url(organisation: Organisation) -> str:
    return reverse("stakeholders:organisation",
                   args=[organisation.consultation.slug, organisation.pk])


@login_required
@require_GET
def show(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    membership = load_membership(request, slug)
    consultation = membership.consultation
    organisation = load_organisation(consultation, pk)
    numbers = consultation.phase_numbers()
    audiences = organisation.audiences.filter(person__isnull=True).select_related("phase")
    return render(request, "stakeholders/organisation.html", {
        "consultation": consultation,
        "can_edit": membership.can_edit,
        "organisation": organisation,
        "people": organisation.people.order_by("name", "email", "pk"),
        "children": organisation.children.order_by("name", "pk"),
        "audience_phases": sorted(numbers[place.phase_id] for place in audiences),
        "invitations": profile.invitations_by_phase(organisation, numbers),
        "responses": profile.responses_by_phase(organisation, slug, numbers),
        "small_group": profile.SMALL_GROUP,
    })


# --- Adding and editing ----------------------------------------------------------------------


def _render_form(request: HttpRequest, consultation: Consultation, form: OrganisationForm,
                 organisation: Organisation | None = None) -> HttpResponse:
    context = {"consultation": consultation, "organisation": organisation,
               "types": ORGANISATION_TYPES}
    return render_form_page(request, "stakeholders/organisation_form.html", form, context)


@login_required
@require_GET
def new(request: HttpRequest, slug: str) -> HttpResponse:
    consultation = load_consultation_for_edit(request, slug)
    return _render_form(request, consultation, OrganisationForm(consultation=consultation))


@login_required
@require_POST
def create(request: HttpRequest, slug: str) -> HttpResponse:
    consultation = load_consultation_for_edit(request, slug)
    form = OrganisationForm(request.POST, consultation=consultation)
    return submit_form(
        request, form, lambda form: _render_form(request, consultation, form),
        lambda saved: (f"“{saved.name}” added to the network.", organisation_url(saved)),
    )


@login_required
@require_GET
def edit(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    consultation = load_consultation_for_edit(request, slug)
    organisation = load_organisation(consultation, pk)
    form = OrganisationForm(instance=organisation, consultation=consultation)
    return _render_form(request, consultation, form, organisation)


@login_required
@require_POST
def update(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    consultation = load_consultation_for_edit(request, slug)
    form = OrganisationForm(request.POST, instance=load_organisation(consultation, pk),
                            consultation=consultation)
    return submit_form(
        request, form,
        # Validation wrote the posted values onto the instance; the page names the saved one.
        lambda form: _render_form(request, consultation, form,
                                  load_organisation(consultation, pk)),
        lambda saved: (f"“{saved.name}” saved.", organisation_url(saved)),
    )


# --- Removing --------------------------------------------------------------------------------


@login_required
@require_GET
def confirm_remove(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    consultation = load_consultation_for_edit(request, slug)
    organisation = load_organisation(consultation, pk)
    return render(request, "stakeholders/organisation_remove.html", {
        "consultation": consultation, "organisation": organisation,
        "impact": services.removal_impact(organisation), "small_group": profile.SMALL_GROUP,
    })


@login_required
@require_POST
def remove(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    consultation = load_consultation_for_edit(request, slug)
    organisation = load_organisation(consultation, pk)
    services.remove_organisation(organisation)
    messages.success(request, f"“{organisation.name}” removed from the network.")
    return redirect("stakeholders:index", slug=slug)


# --- Merging ---------------------------------------------------------------------------------


def _merge_form(consultation: Consultation, organisation: Organisation, data=None) -> MergeForm:
    return MergeForm(data, duplicate=organisation,
                     choices=consultation.organisations.order_by("name"),
                     label="The organisation to keep")


def _render_merge(request: HttpRequest, consultation: Consultation, organisation: Organisation,
                  form: MergeForm) -> HttpResponse:
    context = {"consultation": consultation, "organisation": organisation}
    return render_form_page(request, "stakeholders/organisation_merge.html", form, context)


@login_required
@require_GET
def merge_form(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    consultation = load_consultation_for_edit(request, slug)
    organisation = load_organisation(consultation, pk)
    return _render_merge(request, consultation, organisation,
                         _merge_form(consultation, organisation))


@login_required
@require_POST
def merge(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    consultation = load_consultation_for_edit(request, slug)
    duplicate = load_organisation(consultation, pk)
    form = _merge_form(consultation, duplicate, request.POST)

    def save() -> Organisation:
        kept = form.cleaned_data["kept"]
        services.merge_organisations(duplicate, kept, actor=request.user)
        return kept

    return submit_form(
        request, form, lambda form: _render_merge(request, consultation, duplicate, form),
        lambda kept: (f"“{duplicate.name}” merged into “{kept.name}”.", organisation_url(kept)),
        save=save,
    )
