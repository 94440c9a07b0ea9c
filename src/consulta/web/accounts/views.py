"""Signing in (password, then a code for users with two-factor authentication) and passwords.

The password step does not sign a user with two-factor authentication in: it remembers, for a
few minutes, who gave the right password, and only the code step calls ``login``. So nobody is
ever signed in on a password alone when they have an authenticator app.
"""

from __future__ import annotations

import time
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth import login as auth_login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice

from consulta.web.accounts import two_factor
from consulta.web.accounts.forms import CodeForm

PENDING_SESSION_KEY = "two_factor_pending"  # {"user": pk, "backend": path, "at": unix time}
PENDING_SECONDS = 300


class SignIn(auth_views.LoginView):
    template_name = "accounts/login.html"

    def form_valid(self, form):
        user = form.get_user()
        if not two_factor.has_two_factor(user):
            return super().form_valid(form)
        self.request.session[PENDING_SESSION_KEY] = {
            "user": user.pk, "backend": user.backend, "at": int(time.time())
        }
        return _to_code_page(self.get_success_url())


def _to_code_page(next_url: str) -> HttpResponse:
    response = redirect("accounts:login-code")
    response["Location"] += "?" + _next_query(next_url)
    return response


def _next_query(next_url: str) -> str:
    return urlencode({"next": next_url})


def _pending_user(request: HttpRequest):
    """Who gave the right password in this session in the last few minutes, or None."""
    pending = request.session.get(PENDING_SESSION_KEY)
    if not pending or time.time() - pending["at"] > PENDING_SECONDS:
        return None
    return get_user_model().objects.filter(pk=pending["user"], is_active=True).first()


def safe_next(request: HttpRequest) -> str:
    """The ``next`` address asked for, if it is on this site; else the consultations list."""
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(wanted, {request.get_host()}, request.is_secure()):
        return wanted
    return resolve_url(settings.LOGIN_REDIRECT_URL)


@require_http_methods(["GET", "POST"])
def code(request: HttpRequest) -> HttpResponse:
    """The second step: a code from the app or a recovery code. Also where a signed-in user
    without a code in this session comes to give one (a consultation that requires it)."""
    signed_in = request.user.is_authenticated
    user = request.user if signed_in else _pending_user(request)
    if signed_in and not two_factor.has_two_factor(user):
        return redirect(f"{reverse('accounts:two-factor-setup')}?{_next_query(safe_next(request))}")
    if user is None or not two_factor.has_two_factor(user):
        messages.error(request, "Sign in again: the code step has expired.")
        return redirect("accounts:login")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        throttled = two_factor.is_throttled(user)  # then even a right code is refused
        device = two_factor.check_code(user, form.cleaned_data["code"])
        if device is not None:
            return _finish_sign_in(request, user, device, signed_in)
        form.add_error("code", _wrong_code_message(throttled))
    context = {"form": form, "next": safe_next(request)}
    return render(request, "accounts/code.html", context, status=400 if form.errors else 200)


def _wrong_code_message(throttled: bool) -> str:
    if throttled:
        return "Too many wrong codes. Wait a minute, then enter the newest code from your app."
    return "That code is not right. Enter the newest code from your app, or a recovery code."


def _finish_sign_in(request: HttpRequest, user, device, signed_in: bool) -> HttpResponse:
    next_url = safe_next(request)
    if not signed_in:
        backend = request.session.pop(PENDING_SESSION_KEY)["backend"]
        auth_login(request, user, backend=backend)
    otp_login(request, device)
    if isinstance(device, StaticDevice):
        left = two_factor.recovery_codes_left(user)
        messages.warning(request, f"You used a recovery code; {left} left. Make new ones "
                                  "from Your account if you are running low.")
    return redirect(next_url)


@login_required
@require_GET
def account(request: HttpRequest) -> HttpResponse:
    """Your account: password and two-factor authentication."""
    user = request.user
    context = {
        "has_two_factor": two_factor.has_two_factor(user),
        "verified": two_factor.is_verified(user),
        "codes_left": two_factor.recovery_codes_left(user),
    }
    return render(request, "accounts/account.html", context)


@require_GET
def admin_login(request: HttpRequest) -> HttpResponse:
    """/admin/login/: the site's own sign-in, so the admin cannot skip the code step."""
    next_url = request.GET.get("next") or reverse("admin:index")
    return redirect(f"{reverse('accounts:login')}?{_next_query(next_url)}")


# Passwords: Django's views with the site's templates -----------------------------------------


class PasswordReset(auth_views.PasswordResetView):
    template_name = "accounts/password_reset.html"
    email_template_name = "accounts/email/password_reset.txt"
    subject_template_name = "accounts/email/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password-reset-done")

    def form_valid(self, form):
        # Links in emails come from CONSULTA_BASE_URL, never from the request's Host header.
        self.extra_email_context = {"base_url": settings.CONSULTA_BASE_URL}
        return super().form_valid(form)


password_change = auth_views.PasswordChangeView.as_view(
    template_name="accounts/password_change.html",
    success_url=reverse_lazy("accounts:password-change-done"),
)
password_change_done = auth_views.PasswordChangeDoneView.as_view(
    template_name="accounts/password_change_done.html"
)
password_reset_done = auth_views.PasswordResetDoneView.as_view(
    template_name="accounts/password_reset_done.html"
)
password_reset_confirm = auth_views.PasswordResetConfirmView.as_view(
    template_name="accounts/password_reset_confirm.html",
    success_url=reverse_lazy("accounts:password-reset-complete"),
)
password_reset_complete = auth_views.PasswordResetCompleteView.as_view(
    template_name="accounts/password_reset_complete.html"
)
