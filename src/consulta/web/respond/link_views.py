"""Links: the emailed return link, sharing a draft with colleagues, the confirmation page.

The confirmation address carries the reference signed (django.core.signing): the page needs
no lookup of the response, let alone of who wrote it.
"""

from __future__ import annotations

from django.core import signing
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from consulta.web.consultations.models import Consultation
from consulta.web.links import absolute
from consulta.web.respond.about import organisation_summary
from consulta.web.respond.drafts import new_access, receipt_email
from consulta.web.respond.emails import send_return_link
from consulta.web.respond.forms import JourneyForm, ReturnLinkForm
from consulta.web.respond.journey import Journey, is_organisation_response
from consulta.web.respond.loading import Draft, with_draft
from consulta.web.respond.pages import (
    render_page,
    return_link_limited,
    see_other,
    submit_limited,
    too_many_page,
)
from consulta.web.responses.models import DraftAccess

CONFIRMATION_SALT = "consulta.respond.confirmation"


def confirmation_url(reference: str, slug: str, *, emailed: bool = False) -> str:
    signed = signing.dumps([reference, slug, emailed], salt=CONFIRMATION_SALT, compress=False)
    return reverse("respond:confirmation", kwargs={"signed": signed})


@require_GET
def confirmation(request: HttpRequest, signed: str) -> HttpResponse:
    try:
        reference, slug, emailed = signing.loads(signed, salt=CONFIRMATION_SALT)
    except (signing.BadSignature, ValueError, TypeError):
        raise Http404("Unknown confirmation") from None
    consultation = get_object_or_404(Consultation, slug=slug)
    return render_page(request, "respond/confirmation.html",
                       {"reference": reference, "emailed": emailed}, consultation=consultation)


def _return_page(request, draft: Draft, form: ReturnLinkForm, *, sent=False, status=200):
    journey = Journey(draft)
    return render_page(request, "respond/return_link.html", {
        "draft": draft, "phase": draft.phase, "form": form, "sent": sent,
        "closes_at": timezone.localtime(draft.phase.closes_at),
        "resume_url": journey.url("resume"), "action": journey.url("return-link-send"),
    }, consultation=draft.consultation, status=status, private=True)


@require_GET
@with_draft
def return_link(request: HttpRequest, draft: Draft) -> HttpResponse:
    form = ReturnLinkForm(initial={"email": receipt_email(draft.response)})
    return _return_page(request, draft, form, sent=request.GET.get("sent") == "1")


@require_POST
@with_draft
def return_link_send(request: HttpRequest, draft: Draft) -> HttpResponse:
    form = ReturnLinkForm(request.POST)
    sent_url = Journey(draft).url("return-link") + "?sent=1"
    if form.is_bot():
        return see_other(sent_url)
    if return_link_limited(request):
        return too_many_page(request, draft.consultation)
    if not form.is_valid():
        return _return_page(request, draft, form, status=400)
    # The address is used for this one email and not stored (anonymous phases promise it).
    send_return_link(draft.response, draft.token, form.cleaned_data["email"])
    return see_other(sent_url)


@require_POST
@with_draft
def share(request: HttpRequest, draft: Draft) -> HttpResponse:
    """A new link for colleagues to write the organisation's response together. Shown once:
    only its hash is kept, so the page is the answer to the POST, not a redirect."""
    if not is_organisation_response(draft.response):
        raise Http404("Only an organisation's response can be shared")
    if JourneyForm(request.POST).is_bot():
        return see_other(Journey(draft).url("check"))
    if submit_limited(request):
        return too_many_page(request, draft.consultation)
    token = new_access(draft.response, DraftAccess.Purpose.SHARED)
    link = absolute(reverse("respond:resume", kwargs={"token": token}))
    return render_page(request, "respond/share.html", {
        "draft": draft, "phase": draft.phase, "link": link,
        "organisation": organisation_summary(draft.response),
        "check_url": Journey(draft).url("check"),
        "closes_at": timezone.localtime(draft.phase.closes_at),
    }, consultation=draft.consultation, private=True)
