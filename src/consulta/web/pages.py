"""How the back office's form pages answer, written once.

A page that shows a form is a GET view; its form posts to a separate POST-only view. That view
re-renders the same page with the errors (status 400) when the form is invalid, and otherwise
saves, says so in a success message and redirects.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.forms import BaseForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

# Re-renders a form page with the given (invalid) form.
Page = Callable[[BaseForm], HttpResponse]
# Given what was saved: the success message, and the address to go to next.
Success = Callable[[Any], tuple[str, str]]


def render_form_page(
    request: HttpRequest, template: str, form: BaseForm, context: dict, *, refused: bool = False
) -> HttpResponse:
    """The page showing ``form``: status 400 after an invalid (or ``refused``) POST, else 200."""
    status = 400 if form.errors or refused else 200
    return render(request, template, {**context, "form": form}, status=status)


def submit_form(
    request: HttpRequest,
    form: BaseForm,
    page: Page,
    success: Success,
    save: Callable[[], Any] | None = None,
) -> HttpResponse:
    """The POST view's answer: ``page(form)`` with the errors, or save (``form.save`` unless
    ``save`` is given), add the success message and redirect."""
    if not form.is_valid():
        return page(form)
    saved = save() if save else form.save()
    message, next_url = success(saved)
    messages.success(request, message)
    return redirect(next_url)
