"""Back office: forget one person in a consultation (enter an address, see what would be removed,
confirm). The address travels only in POST bodies, never in a URL, so no server log keeps it."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from consulta.web.consultations.access import load_consultation_for_edit
from consulta.web.pages import render_form_page
from consulta.web.privacy import erasure
from consulta.web.privacy.forms import ForgetForm

TEMPLATE = "privacy/forget.html"


def _page(request: HttpRequest, consultation, form, **context) -> HttpResponse:
    return render_form_page(request, TEMPLATE, form, {"consultation": consultation, **context})


@login_required
@require_GET
def forget_page(request: HttpRequest, slug: str) -> HttpResponse:
    return _page(request, load_consultation_for_edit(request, slug), ForgetForm())


@login_required
@require_POST
def forget_check(request: HttpRequest, slug: str) -> HttpResponse:
    """What would be removed, by counts, with the button that does it. Changes nothing."""
    consultation = load_consultation_for_edit(request, slug)
    form = ForgetForm(request.POST)
    if not form.is_valid():
        return _page(request, consultation, form)
    traces = erasure.find(form.cleaned_data["email"], [consultation],
                          delete_responses=form.cleaned_data["delete_responses"])
    return _page(request, consultation, form, traces=traces,
                 counts=[(what, n) for what, n in traces.counts.items()])


@login_required
@require_POST
def forget_confirm(request: HttpRequest, slug: str) -> HttpResponse:
    consultation = load_consultation_for_edit(request, slug)
    form = ForgetForm(request.POST)
    if not form.is_valid():
        return _page(request, consultation, form)
    traces = erasure.find(form.cleaned_data["email"], [consultation],
                          delete_responses=form.cleaned_data["delete_responses"])
    counts = erasure.forget(traces, actor=request.user)
    removed = ", ".join(f"{n} {what}" for what, n in counts.items() if n) or "nothing was found"
    # The message names no one: it is shown on the next page, which may be shared on screen.
    messages.success(request, f"The person has been forgotten: {removed}.")
    return redirect(reverse("privacy:forget", args=[consultation.slug]))
