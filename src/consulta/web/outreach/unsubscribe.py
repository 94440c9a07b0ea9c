"""The unsubscribe link in every invitation and reminder.

Opening the link changes nothing (mail scanners follow links); the button on the page does.
The link is the person's id signed with the site's secret, so it needs no login and cannot be
guessed for someone else. Unsubscribing is per consultation: each consultation has its own
list of people.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from consulta.web.outreach.email import person_for_unsubscribe
from consulta.web.stakeholders.models import Person


def _person(signed: str) -> Person:
    person = person_for_unsubscribe(signed)
    if person is None:
        raise Http404("This unsubscribe link is not valid")
    return person


@require_GET
def confirm_page(request: HttpRequest, signed: str) -> HttpResponse:
    person = _person(signed)
    return render(request, "outreach/unsubscribe.html", {
        "person": person, "consultation": person.consultation, "signed": signed,
    })


@require_POST
def confirm(request: HttpRequest, signed: str) -> HttpResponse:
    person = _person(signed)
    if person.unsubscribed_at is None:  # a second click keeps the first date
        person.unsubscribed_at = timezone.now()
        person.save(update_fields=["unsubscribed_at"])
    return redirect(reverse("outreach:unsubscribe", args=[signed]))
