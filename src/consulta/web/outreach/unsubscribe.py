"""The unsubscribe links in every invitation and reminder.

Opening a link changes nothing (mail scanners follow links); the button on the page does.
The link is the person's id signed with the site's secret, so it needs no login and cannot be
guessed for someone else. Unsubscribing is per consultation: each consultation has its own
list of people.

The ``List-Unsubscribe`` header names a second address for mail providers' own unsubscribe
buttons (RFC 8058 one-click): a POST with ``List-Unsubscribe=One-Click`` unsubscribes at once,
a GET shows the same confirm page as the footer link.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from consulta.web.outreach.email import person_for_unsubscribe
from consulta.web.respond.pages import rate_limited
from consulta.web.stakeholders.models import Person

# Per client address, in the cache only. Generous: a big mail provider sends every one of its
# users' one-click requests from a few addresses, and it does not retry a refusal.
ONE_CLICK_RATE = "60/m"
ONE_CLICK_BODY = ("List-Unsubscribe", "One-Click")


def _person(signed: str) -> Person:
    person = person_for_unsubscribe(signed)
    if person is None:
        raise Http404("This unsubscribe link is not valid")
    return person


def _unsubscribe(person: Person) -> None:
    """Record the unsubscription; a second request keeps the first date.

    ``save`` (not a queryset update) so the audit trail records the change, as for any edit of
    a person."""
    if person.unsubscribed_at is None:
        person.unsubscribed_at = timezone.now()
        person.save(update_fields=["unsubscribed_at"])


def _page(request: HttpRequest, person: Person, signed: str) -> HttpResponse:
    return render(request, "outreach/unsubscribe.html", {
        "person": person, "consultation": person.consultation, "signed": signed,
    })


@require_GET
def confirm_page(request: HttpRequest, signed: str) -> HttpResponse:
    return _page(request, _person(signed), signed)


@require_POST
def confirm(request: HttpRequest, signed: str) -> HttpResponse:
    person = _person(signed)
    _unsubscribe(person)
    return redirect(reverse("outreach:unsubscribe", args=[signed]))


# CSRF-exempt because the POST comes from the mail provider's server, which by RFC 8058 sends
# no cookies and cannot have read a form's token. The signed address is the only credential,
# as for the confirm page's button; the exemption covers this view alone.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def one_click(request: HttpRequest, signed: str) -> HttpResponse:
    if request.method == "GET":
        # Link scanners and RFC 2369 clients fetch the header's address: never unsubscribe
        # on that, show the page with its button.
        return _page(request, _person(signed), signed)
    if rate_limited(request, "outreach-one-click", "CONSULTA_UNSUBSCRIBE_RATE", ONE_CLICK_RATE):
        response = HttpResponse("Too many requests; try again in a minute.\n", status=429,
                                content_type="text/plain; charset=utf-8")
        response["Retry-After"] = "60"
        return response
    person = _person(signed)
    # The exact key and value say the request is a deliberate one-click, not any POST.
    if request.POST.get(ONE_CLICK_BODY[0]) != ONE_CLICK_BODY[1]:
        return HttpResponseBadRequest(
            "Expected the body List-Unsubscribe=One-Click (RFC 8058).\n",
            content_type="text/plain; charset=utf-8",
        )
    _unsubscribe(person)
    # 200 with the "You have unsubscribed" page: RFC 8058 forbids a redirect here.
    return _page(request, person, signed)
