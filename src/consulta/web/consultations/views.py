"""Back office: the consultations list, a consultation's overview and settings, roles, members
and audit trail. Phases and questions live in phase_views.py and question_views.py."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from consulta.web.consultations import access, stats
from consulta.web.consultations.audit import consultation_log
from consulta.web.consultations.forms import (
    ConsultationEditForm,
    ConsultationForm,
    MemberForm,
    RoleForm,
)
from consulta.web.consultations.models import Consultation, Membership


def _status(form) -> int:
    return 400 if form.errors else 200


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
    context = {"form": form, "consultation": consultation}
    return render(request, "consultations/consultation_form.html", context, status=_status(form))


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
    if not form.is_valid():
        return _render_settings(request, form)
    consultation = form.save_with_organiser(request.user)
    messages.success(request, f"Consultation “{consultation.title}” created.")
    return redirect("consultations:overview", slug=consultation.slug)


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
    form = ConsultationEditForm(request.POST, instance=consultation)
    if not form.is_valid():
        # The form changed the instance while validating; show the saved title in the heading.
        return _render_settings(request, form, Consultation.objects.get(pk=consultation.pk))
    form.save()
    messages.success(request, "Consultation details saved.")
    return redirect("consultations:overview", slug=slug)


# Respondent roles ------------------------------------------------------------------------------


def _render_roles(
    request: HttpRequest, consultation: Consultation, form: RoleForm, can_edit: bool
) -> HttpResponse:
    context = {
        "consultation": consultation,
        "can_edit": can_edit,
        "roles": consultation.roles.all(),
        "form": form,
    }
    return render(request, "consultations/roles.html", context, status=_status(form))


@login_required
@require_GET
def roles(request: HttpRequest, slug: str) -> HttpResponse:
    membership = access.load_membership(request, slug)
    form = RoleForm(consultation=membership.consultation)
    return _render_roles(request, membership.consultation, form, membership.can_edit)


@login_required
@require_POST
def role_create(request: HttpRequest, slug: str) -> HttpResponse:
    consultation = access.load_consultation_for_edit(request, slug)
    form = RoleForm(request.POST, consultation=consultation)
    if not form.is_valid():
        return _render_roles(request, consultation, form, can_edit=True)
    role = form.save()
    messages.success(request, f"Role “{role.name}” added.")
    return redirect("consultations:roles", slug=slug)


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


# Members ---------------------------------------------------------------------------------------


def _render_members(
    request: HttpRequest, consultation: Consultation, form: MemberForm, can_edit: bool
) -> HttpResponse:
    context = {
        "consultation": consultation,
        "can_edit": can_edit,
        "members": consultation.memberships.select_related("user").order_by("user__username"),
        "form": form,
    }
    return render(request, "consultations/members.html", context, status=_status(form))


@login_required
@require_GET
def members(request: HttpRequest, slug: str) -> HttpResponse:
    membership = access.load_membership(request, slug)
    form = MemberForm(consultation=membership.consultation)
    return _render_members(request, membership.consultation, form, membership.can_edit)


@login_required
@require_POST
def member_add(request: HttpRequest, slug: str) -> HttpResponse:
    consultation = access.load_consultation_for_edit(request, slug)
    form = MemberForm(request.POST, consultation=consultation)
    if not form.is_valid():
        return _render_members(request, consultation, form, can_edit=True)
    added = form.save()
    messages.success(request, f"{added.user.get_username()} added as {added.get_role_display()}.")
    return redirect("consultations:members", slug=slug)


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
    consultation = access.load_consultation(request, slug)
    context = {"consultation": consultation, "entries": consultation_log(consultation)}
    return render(request, "consultations/audit.html", context)
