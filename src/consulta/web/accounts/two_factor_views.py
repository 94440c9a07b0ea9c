"""Setting up, renewing and turning off two-factor authentication (your account pages).

Recovery codes are shown once, in the answer to the POST that made them, and never again:
the page is not cached and no GET shows them.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from consulta.web.accounts import two_factor
from consulta.web.accounts.forms import SetupCodeForm
from consulta.web.accounts.views import safe_next


def _render_setup(request: HttpRequest, form: SetupCodeForm) -> HttpResponse:
    key = two_factor.pending_key(request)
    context = {
        "form": form,
        "qr_code": two_factor.qr_code_svg(request.user, key),
        "secret": two_factor.secret_for_people(key),
        "replacing": two_factor.has_two_factor(request.user),
        "next": safe_next(request),
    }
    return render(request, "accounts/two_factor_setup.html", context,
                  status=400 if form.errors else 200)


@login_required
@require_GET
def setup(request: HttpRequest) -> HttpResponse:
    if two_factor.has_two_factor(request.user) and not two_factor.is_verified(request.user):
        # Replacing an app takes a code from the current one first.
        return redirect("accounts:login-code")
    return _render_setup(request, SetupCodeForm())


@login_required
@require_POST
def confirm(request: HttpRequest) -> HttpResponse:
    if two_factor.has_two_factor(request.user) and not two_factor.is_verified(request.user):
        return redirect("accounts:login-code")
    form = SetupCodeForm(request.POST)
    codes = two_factor.confirm_setup(request, form.cleaned_data["code"]) if form.is_valid() else None
    if codes is None:
        if not form.errors:
            form.add_error("code", "That code is not right. Check the time on your phone is "
                                   "set automatically, then enter the newest code.")
        return _render_setup(request, form)
    return _show_codes(request, codes, set_up=True)


def _show_codes(request: HttpRequest, codes: list[str], *, set_up: bool = False) -> HttpResponse:
    context = {"codes": codes, "set_up": set_up, "next": safe_next(request)}
    return render(request, "accounts/recovery_codes.html", context)


def _require_code_in_session(request: HttpRequest) -> HttpResponse | None:
    """Changing two-factor settings takes a session signed in with a code."""
    if two_factor.is_verified(request.user):
        return None
    messages.error(request, "Enter a code first: changing two-factor authentication needs one.")
    return redirect("accounts:login-code")


@login_required
@require_POST
def recovery_codes(request: HttpRequest) -> HttpResponse:
    """Replace the recovery codes with ten new ones."""
    refused = _require_code_in_session(request)
    if refused:
        return refused
    return _show_codes(request, two_factor.new_recovery_codes(request.user))


@login_required
@require_POST
def turn_off(request: HttpRequest) -> HttpResponse:
    refused = _require_code_in_session(request)
    if refused:
        return refused
    two_factor.turn_off(request)
    messages.success(request, "Two-factor authentication is off. Consultations that require "
                              "it will ask you to set it up again.")
    return redirect("accounts:account")
