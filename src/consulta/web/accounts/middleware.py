"""Sends members of a consultation that requires two-factor authentication to give a code."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse

from consulta.web.accounts.two_factor import TwoFactorRequired, has_two_factor


class TwoFactorMiddleware:
    """Turns ``TwoFactorRequired`` from a back-office loader into a redirect: to the code page
    if the user has an authenticator app, else to setting one up; both come back afterwards."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, TwoFactorRequired):
            return None
        page = "accounts:login-code" if has_two_factor(request.user) else "accounts:two-factor-setup"
        messages.info(request, str(exception))
        back = request.get_full_path() if request.method == "GET" else ""
        query = f"?{urlencode({'next': back})}" if back else ""
        return redirect(reverse(page) + query)
