"""Absolute links for emails, which leave the site and need scheme and host."""

from __future__ import annotations

from django.conf import settings


def absolute(path: str) -> str:
    """``/i/abc/`` -> ``https://consult.example.org/i/abc/`` (from ``CONSULTA_BASE_URL``)."""
    return settings.CONSULTA_BASE_URL + path
