"""People in the network: the list, and adding, editing, removing and merging them.

Everyone on the consultation reads the list (analysts without email addresses); organisers
change it: analysts get 403 there, outsiders 404 everywhere (access.py).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from consulta.web.consultations.access import load_consultation_for_edit, load_membership
from consulta.web.consultations.models import Consultation
from consulta.web.pages import render_form_page, submit_form
from consulta.web.stakeholders import services
from consulta.web.stakeholders.forms import MergeForm, PersonForm
from consulta.web.stakeholders.models import Person

PER_PAGE = 50


def load_person(consultation: Consultation, pk: int) -> Person:
    person = consultation.people.select_related("organisation").filter(pk=pk).first()
    if person is None:
        raise Http404("No such person")
    return person


def _after_saving(person: Person) -> str:
    """Back to the person's organisation, or to the people list for someone without one."""
    slug = person.consultation.slug
    if person.organisation_id:
        return reverse("stakeholders:organisation", args=[slug, person.organisation_id])
    return reverse("stakeholders:people", args=[slug])


@login_required
@require_GET
def index(request: HttpRequest, slug: str) -> HttpResponse:
    membership = load_membership(request, slug)
    consultation = membership.consultation
    query = request.GET.get("q", "").strip()[:200]
    people = consultation.people.select_related("organisation").order_by("name", "email", "pk")
    if query:
        match = Q(name__icontains=query) | Q(organisation__name__icontains=query)
        if membership.can_edit:  # analysts do not see addresses, so cannot search them
            match |= Q(email__icontains=query)
        people = people.filter(match)
    page = Paginator(people, PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "stakeholders/people.html", {
        "consultation": consultation, "can_edit": membership.can_edit, "query": query,
        "people": page, "page": page,
    })


# --- Adding and editing ----------------------------------------------------------------------


def _render_form(request: HttpRequest, consultation: Consultation, form: PersonForm,
                 person: Person | None = None) -> HttpResponse:
    cancel = (_after_saving(person) if person
              else reverse("stakeholders:people", args=[consultation.slug]))
    context = {"consultation": consultation, "person": person, "cancel_url": cancel}
    return render_form_page(request, "stakeholders/person_form.html", form, context)


@login_required
@require_GET
def new(request: HttpRequest, slug: str) -> HttpResponse:
    consultation = load_consultation_for_edit(request, slug)
    # ?organisation=<pk> from an organisation's page chooses it in advance.
    initial = {"organisation": request.GET.get("organisation", "")}
    form = PersonForm(initial=initial, consultation=consultation)
    return _render_form(request, consultation, form)


@login_required
@require_POST
def create(request: HttpRequest, slug: str) -> HttpResponse:
    consultation = load_consultation_for_edit(request, slug)
    form = PersonForm(request.POST, consultation=consultation)
    return submit_form(
        request, form, lambda form: _render_form(request, consultation, form),
        lambda saved: (f"“{saved}” added to the network.", _after_saving(saved)),
    )


@login_required
@require_GET
def edit(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    consultation = load_consultation_for_edit(request, slug)
    person = load_person(consultation, pk)
    return _render_form(request, consultation,
                        PersonForm(instance=person, consultation=consultation), person)


@login_required
@require_POST
def update(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    consultation = load_consultation_for_edit(request, slug)
    form = PersonForm(request.POST, instance=load_person(consultation, pk),
                      consultation=consultation)
    return submit_form(
        request, form,
        lambda form: _render_form(request, consultation, form, load_person(consultation, pk)),
        lambda saved: (f"“{saved}” saved.", _after_saving(saved)),
    )


# --- Removing --------------------------------------------------------------------------------


@login_required
@require_GET
def confirm_remove(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    consultation = load_consultation_for_edit(request, slug)
    person = load_person(consultation, pk)
    return render(request, "stakeholders/person_remove.html", {
        "consultation": consultation, "person": person,
        "invitations": person.invitations.count(), "audiences": person.audiences.count(),
        "responses": person.responses.count(),
    })


@login_required
@require_POST
def remove(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    consultation = load_consultation_for_edit(request, slug)
    person = load_person(consultation, pk)
    next_url = _after_saving(person)
    person.delete()  # invitations and audience places go with them; responses stay
    messages.success(request, f"“{person}” removed from the network.")
    return redirect(next_url)


# --- Merging ---------------------------------------------------------------------------------


def _merge_form(consultation: Consultation, person: Person, data=None) -> MergeForm:
    form = MergeForm(data, duplicate=person,
                     choices=consultation.people.select_related("organisation").order_by(
                         "name", "email", "pk"),
                     label="The person to keep")
    form.fields["kept"].label_from_instance = _choice_label
    return form


def _choice_label(person: Person) -> str:
    parts = [str(person), person.email if person.name else "",
             person.organisation.name if person.organisation else ""]
    return " – ".join(part for part in parts if part)


def _render_merge(request: HttpRequest, consultation: Consultation, person: Person,
                  form: MergeForm) -> HttpResponse:
    context = {"consultation": consultation, "person": person}
    return render_form_page(request, "stakeholders/person_merge.html", form, context)


@login_required
@require_GET
def merge_form(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    consultation = load_consultation_for_edit(request, slug)
    person = load_person(consultation, pk)
    return _render_merge(request, consultation, person, _merge_form(consultation, person))


@login_required
@require_POST
def merge(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    consultation = load_consultation_for_edit(request, slug)
    duplicate = load_person(consultation, pk)
    form = _merge_form(consultation, duplicate, request.POST)

    def save() -> Person:
        kept = form.cleaned_data["kept"]
        services.merge_people(duplicate, kept, actor=request.user)
        kept.refresh_from_db()
        return kept

    return submit_form(
        request, form, lambda form: _render_merge(request, consultation, duplicate, form),
        lambda kept: (f"“{duplicate}” merged into “{kept}”.", _after_saving(kept)),
        save=save,
    )
