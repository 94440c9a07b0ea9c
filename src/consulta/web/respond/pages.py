"""Rendering the respondent pages: the consultation's branding, the closed and busy pages."""

from __future__ import annotations

import re

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils import timezone
from django_ratelimit.core import is_ratelimited

from consulta.web.consultations.models import Consultation, Phase

DEFAULT_BRAND_COLOUR = "#1d3a6e"
COLOUR = re.compile(r"#[0-9a-fA-F]{6}")
# Per client address, counted in the cache only: addresses are never written anywhere.
SUBMIT_RATE = "20/m"
RETURN_LINK_RATE = "5/h"


def brand_colour(consultation: Consultation | None) -> str:
    """The header colour, as a safe CSS value (it goes into the page's <style> element)."""
    colour = consultation.brand_colour if consultation else ""
    return colour if COLOUR.fullmatch(colour or "") else DEFAULT_BRAND_COLOUR


def render_page(
    request: HttpRequest,
    template: str,
    context: dict,
    *,
    consultation: Consultation | None = None,
    status: int = 200,
    private: bool = False,
) -> HttpResponse:
    """A respondent page. ``private`` pages show a draft: browsers and proxies must not keep
    them (a shared computer's back button would show someone's answers)."""
    consultation = consultation or context.get("consultation")
    response = render(
        request,
        template,
        {**context, "consultation": consultation, "brand_colour": brand_colour(consultation)},
        status=status,
    )
    if private:
        response["Cache-Control"] = "private, no-store"
    return response


def closed_page(request: HttpRequest, phase: Phase) -> HttpResponse:
    """What every journey address answers once the phase has closed: 410 Gone."""
    return render_page(
        request, "respond/closed.html",
        {"phase": phase, "closed_at": timezone.localtime(phase.closes_at)},
        consultation=phase.consultation, status=410,
    )


def rate_limited(request: HttpRequest, group: str, setting: str, default: str) -> bool:
    """Count this request against the client address's allowance; True when over it. The
    rate can be changed with a setting (a load test on loopback needs a higher one)."""
    rate = getattr(settings, setting, default)
    return is_ratelimited(request, group=group, key="ip", rate=rate, increment=True)


def too_many_page(request: HttpRequest, consultation: Consultation | None) -> HttpResponse:
    response = render_page(
        request, "respond/too_many.html", {}, consultation=consultation, status=429
    )
    response["Retry-After"] = "60"
    return response


def submit_limited(request: HttpRequest) -> bool:
    return rate_limited(request, "respond-submit", "CONSULTA_SUBMIT_RATE", SUBMIT_RATE)


def return_link_limited(request: HttpRequest) -> bool:
    return rate_limited(
        request, "respond-return-link", "CONSULTA_RETURN_LINK_RATE", RETURN_LINK_RATE
    )


def begin_limited(request: HttpRequest) -> bool:
    """Starting drafts is limited like submitting: each start writes rows."""
    return rate_limited(request, "respond-begin", "CONSULTA_SUBMIT_RATE", SUBMIT_RATE)


def see_other(url: str) -> HttpResponseRedirect:
    """After a POST, go on with a GET (303 See Other)."""
    response = HttpResponseRedirect(url)
    response.status_code = 303
    return response
