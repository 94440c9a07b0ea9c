"""Sign-in throttling with django-axes (policy: docs/adr/0009-accounts-and-two-factor.md).

Axes counts failures per lockout parameter but compares every count with one limit. The policy
has two: ``AXES_FAILURE_LIMIT`` failures for one username from one address, and
``CONSULTA_LOGIN_ADDRESS_FAILURE_LIMIT`` from one address across usernames (password spraying).
``LoginThrottle`` applies each limit to its own count; axes does the rest. The address is the
one the rate limits use (``deployment/proxy.py``: X-Forwarded-For only behind a trusted proxy).
"""

from __future__ import annotations

from axes.backends import AxesStandaloneBackend
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_cool_off
from django.conf import settings
from django.db.models import Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def client_description(username, ip_address, user_agent, path_info, request) -> str:
    """How axes names a client in the server log: the username only, never the address."""
    return f"username {username!r}"


class LoginThrottle(AxesDatabaseHandler):
    """Axes' database handler with one limit per lockout parameter.

    ``AXES_LOCKOUT_PARAMETERS`` lists the username-and-address pair first, then the address.
    """

    def _limits(self) -> tuple[int, int]:
        return settings.AXES_FAILURE_LIMIT, settings.CONSULTA_LOGIN_ADDRESS_FAILURE_LIMIT

    def get_failures(self, request, credentials=None) -> int:
        """The pair's failures, or the pair's limit once either count reaches its own limit."""
        counts = [
            attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0
            for attempts in self.get_user_attempts(request, credentials)
        ]
        pair_limit, _ = limits = self._limits()
        if any(count >= limit for count, limit in zip(counts, limits)):
            return pair_limit
        return counts[0]

    def reset_user_attempts(self, request, credentials=None) -> int:
        """A successful sign-in clears that username's failures from that address only: one
        account someone can sign in to must not wipe the address's count for the others."""
        pair_attempts = self.filter_user_attempts(request, credentials)[0]
        count, _ = pair_attempts.delete()
        return count


def locked_out(request: HttpRequest, original_response=None, credentials=None) -> HttpResponse:
    """The page shown instead of signing in while a lockout lasts (429, in the site's design)."""
    minutes = int(get_cool_off(request).total_seconds() // 60)
    context = {"minutes": minutes}
    return render(request, "accounts/locked_out.html", context, status=429)


class ThrottledSignIn(AxesStandaloneBackend):
    """Axes' backend, first in ``AUTHENTICATION_BACKENDS``: refuses sign-in while a lockout lasts.

    Only requests can be throttled. Code that checks a password without one (``consulta demo``
    re-checking its organiser, the test client's ``login``) is left to the next backend rather
    than failing: every sign-in form of the site passes its request.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
