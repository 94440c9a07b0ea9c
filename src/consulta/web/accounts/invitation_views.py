"""Inviting a colleague (organisers, from the Members page) and answering an invitation."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from consulta.web.accounts import invitations
from consulta.web.accounts.forms import InviteForm, NewAccountForm
from consulta.web.consultations.access import load_consultation_for_edit

MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


@login_required
@require_POST
def invite(request: HttpRequest, slug: str) -> HttpResponse:
    consultation = load_consultation_for_edit(request, slug)
    form = InviteForm(request.POST, consultation=consultation)
    if not form.is_valid():
        context = {"consultation": consultation, "form": form}
        return render(request, "accounts/invite.html", context, status=400)
    invitation = invitations.invite(
        consultation, form.cleaned_data["email"], form.cleaned_data["role"], request.user
    )
    messages.success(request, f"Invitation sent to {invitation.email}. "
                              "The link works once, for 7 days.")
    return redirect("consultations:members", slug=slug)


def _gone(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/invitation_gone.html", status=410)


def _joined(request: HttpRequest, membership) -> HttpResponse:
    if membership is None:
        return _gone(request)
    consultation = membership.consultation
    messages.success(request, f"You are now a member of “{consultation.title}” "
                              f"({membership.get_role_display()}).")
    return redirect("consultations:overview", slug=consultation.slug)


@require_http_methods(["GET", "POST"])
def invitation(request: HttpRequest, token: str) -> HttpResponse:
    """The link in the email. Signed in: accept as that account. Otherwise, with an account
    for the address: sign in first. With none: set a username and password (POST here)."""
    found = invitations.find_open(token)
    if found is None:
        return _gone(request)
    existing = invitations.account_for(found)
    if request.user.is_authenticated or existing is not None:
        if request.method == "POST":
            return HttpResponseNotAllowed(["GET"])
        login_link = f"{reverse('accounts:login')}?next={request.path}"
        context = {"invitation": found, "login_link": login_link, "token": token}
        return render(request, "accounts/invitation_accept.html", context)
    form = NewAccountForm(found.email, request.POST or None)
    if request.method == "POST" and form.is_valid():
        membership = invitations.accept_with_new_account(found, form)
        if membership is not None:
            auth_login(request, membership.user, backend=MODEL_BACKEND)
        return _joined(request, membership)
    context = {"invitation": found, "form": form}
    return render(request, "accounts/invitation_new_account.html", context,
                  status=400 if form.errors else 200)


@login_required
@require_POST
def accept(request: HttpRequest, token: str) -> HttpResponse:
    """Accept with the signed-in account."""
    found = invitations.find_open(token)
    if found is None:
        return _gone(request)
    return _joined(request, invitations.accept(found, request.user))
