"""The client's address, as the rate limits (and anything else counting clients) see it."""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def _address(text: str) -> str | None:
    try:
        return str(ipaddress.ip_address(text.strip()))
    except ValueError:
        return None


def client_address(request: HttpRequest) -> str:
    """REMOTE_ADDR; behind a trusted proxy (``CONSULTA_TRUST_PROXY=1``), the right-most
    X-Forwarded-For entry instead.

    A proxy appends the address it received the request from (nginx's
    ``$proxy_add_x_forwarded_for``), so the right-most entry is the only one a client cannot
    write: anything to its left came with the request. Without a trusted proxy the header is
    ignored, since any client could send one to dodge its limits. Read by django-ratelimit
    through ``RATELIMIT_IP_META_KEY``.
    """
    remote = request.META.get("REMOTE_ADDR", "")
    if not getattr(settings, "CONSULTA_TRUST_PROXY", False):
        return remote
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
    return _address(forwarded[-1]) or remote
