"""Back office: the consultations list, a consultation's overview and settings, roles, members
and audit trail. Phases and questions live in phase_views.py and question_views.py."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from consulta.web.consultations import access, audit_trail, stats
from consulta.web.consultations.forms import (
    ConsultationEditForm,
    ConsultationForm,
    MemberForm,
    RoleForm,
)
from consulta.web.consultations.models import Consultation, Membership
from consulta.web.pages import render_form_page, submit_form


@login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    context = {
        "memberships": stats.memberships_with_counts(request.user),
        "can_create": access.can_create_consultations(request.user),
    }
    return render(request, "consultations/index.html", context)


def _require_creator(request: HttpRequest) -> None:
    if not access.can_create_consultations(request.user):
        raise PermissionDenied("You cannot create consultations")


def _render_settings(request: HttpRequest, form, consultation=None) -> HttpResponse:
    context = {"consultation": consultation}
    return render_form_page(request, "consultations/consultation_form.html", form, context)


def _to_overview(message: str, slug: str) -> tuple[str, str]:
    return message, reverse("consultations:overview", args=[slug])


@login_required
@require_GET
def new(request: HttpRequest) -> HttpResponse:
    _require_creator(request)
    return _render_settings(request, ConsultationForm())


@login_required
@require_POST
def create(request: HttpRequest) -> HttpResponse:
    _require_creator(request)
    form = ConsultationForm(request.POST)
    return submit_form(
        request, form, partial(_render_settings, request),
        lambda created: _to_overview(f"Consultation “{created.title}” created.", created.slug),
        save=lambda: form.save_with_organiser(request.user),
    )


@login_required
@require_GET
def overview(request: HttpRequest, slug: str) -> HttpResponse:
    membership = access.load_membership(request, slug)
    consultation = membership.consultation
    phases = stats.phases_with_counts(consultation)
    context = {
        "consultation": consultation,
        "membership": membership,
        "can_edit": membership.can_edit,
        "phases": phases,
        # The staff links carry their keys: organisers only, who can also replace them.
        "staff_link_phases": [phase for phase in phases if phase.has_staff_link]
        if membership.can_edit else [],
        "sector_table": stats.responses_by_sector(consultation, phases),
        "role_table": stats.responses_by_role(consultation, phases),
        "network": stats.network_counts(consultation),
    }
    return render(request, "consultations/overview.html", context)


@login_required
@require_GET
def edit(request: HttpRequest, slug: str) -> HttpResponse:
    consultation = access.load_consultation_for_edit(request, slug)
    return _render_settings(request, ConsultationEditForm(instance=consultation), consultation)


@login_required
@require_POST
def update(request: HttpRequest, slug: str) -> HttpResponse:
    consultation = access.load_consultation_for_edit(request, slug)
    return submit_form(
        request, ConsultationEditForm(request.POST, instance=consultation),
        # The form changed the instance while validating; show the saved title in the heading.
        lambda form: _render_settings(request, form, Consultation.objects.get(pk=consultation.pk)),
        lambda _: _to_overview("Consultation details saved.", slug),
    )


# Respondent roles and members: a list, with a form to add one -----------------------------------


@dataclass(frozen=True)
class _ListPage:
    template: str
    form_class: type[RoleForm | MemberForm]  # takes the consultation as a keyword
    name: str  # what the template calls the list
    items: Callable[[Consultation], QuerySet]
    added: Callable[[Any], str]  # the success message for what was added
    url_name: str  # the page's own URL, where adding leads back to


ROLES = _ListPage(
    template="consultations/roles.html",
    form_class=RoleForm,
    name="roles",
    items=lambda consultation: consultation.roles.all(),
    added=lambda role: f"Role “{role.name}” added.",
    url_name="consultations:roles",
)
MEMBERS = _ListPage(
    template="consultations/members.html",
    form_class=MemberForm,
    name="members",
    items=lambda consultation: consultation.memberships.select_related("user").order_by(
        "user__username"
    ),
    added=lambda member: f"{member.user.get_username()} added as {member.get_role_display()}.",
    url_name="consultations:members",
)


def _render_list(
    request: HttpRequest, page: _ListPage, consultation: Consultation, form, *, can_edit: bool
) -> HttpResponse:
    context = {"consultation": consultation, "can_edit": can_edit,
               page.name: page.items(consultation)}
    return render_form_page(request, page.template, form, context)


def _list_views(page: _ListPage):
    """The page (GET, everyone) and the view its form posts to (POST, organisers)."""

    @login_required
    @require_GET
    def show(request: HttpRequest, slug: str) -> HttpResponse:
        membership = access.load_membership(request, slug)
        form = page.form_class(consultation=membership.consultation)
        return _render_list(request, page, membership.consultation, form,
                            can_edit=membership.can_edit)

    @login_required
    @require_POST
    def add(request: HttpRequest, slug: str) -> HttpResponse:
        consultation = access.load_consultation_for_edit(request, slug)
        return submit_form(
            request, page.form_class(request.POST, consultation=consultation),
            partial(_render_list, request, page, consultation, can_edit=True),
            lambda added: (page.added(added), reverse(page.url_name, args=[slug])),
        )

    return show, add


roles, role_create = _list_views(ROLES)
members, member_add = _list_views(MEMBERS)


@login_required
@require_POST
def role_delete(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    consultation = access.load_consultation_for_edit(request, slug)
    role = get_object_or_404(consultation.roles, pk=pk)
    if role.responses.exists():
        messages.error(request, f"Responses use “{role.name}”, so it cannot be deleted.")
    else:
        role.delete()
        messages.success(request, f"Role “{role.name}” deleted.")
    return redirect("consultations:roles", slug=slug)


@login_required
@require_POST
def member_remove(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    consultation = access.load_consultation_for_edit(request, slug)
    with transaction.atomic():
        member = get_object_or_404(consultation.memberships.select_related("user"), pk=pk)
        organisers = consultation.memberships.filter(role=Membership.Role.ORGANISER)
        if member.can_edit and organisers.count() == 1:
            messages.error(request, "A consultation needs at least one organiser.")
            return redirect("consultations:members", slug=slug)
        member.delete()
    messages.success(request, f"{member.user.get_username()} removed.")
    if member.user_id == request.user.pk:
        return redirect("consultations:index")  # they can no longer see this consultation
    return redirect("consultations:members", slug=slug)


# Audit trail -----------------------------------------------------------------------------------


@login_required
@require_GET
def audit(request: HttpRequest, slug: str) -> HttpResponse:
    """Every member reads the whole trail, as a list of sentences, newest first, filtered."""
    consultation = access.load_consultation(request, slug)
    form = audit_trail.TrailFilter(request.GET or None,
                                   actors=audit_trail.actor_choices(consultation))
    entries = audit_trail.all_entries(consultation)
    if form.is_bound and form.is_valid():
        entries = form.apply(entries)
    context = {
        "consultation": consultation, "form": form, "shown": audit_trail.SHOWN,
        "entries": [audit_trail.describe(entry) for entry in entries[: audit_trail.SHOWN]],
    }
    return render(request, "consultations/audit.html", context)
