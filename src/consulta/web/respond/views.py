"""Ways into a phase: the start page (open link, staff link, invitation) and starting a draft.

Public phases are open to anyone; internal phases need the shared staff key
(``?key=<phase.access_key>``) or a personal invitation; partner phases need an invitation.
"""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from consulta.web.consultations.models import Phase
from consulta.web.outreach.models import Invitation
from consulta.web.outreach.services import mark_opened
from consulta.web.respond.drafts import new_access, start_draft
from consulta.web.respond.forms import BeginForm
from consulta.web.respond.journey import Journey
from consulta.web.respond.loading import (
    invitation_or_404,
    key_matches,
    load_draft,
    phase_by_number,
    phase_number,
)
from consulta.web.respond.pages import (
    begin_limited,
    closed_page,
    render_page,
    see_other,
    too_many_page,
)
from consulta.web.responses.models import Response


def _start_page(
    request: HttpRequest, phase: Phase, *, action: str = "", key: str = "",
    invitation: Invitation | None = None, status: int = 200,
) -> HttpResponse:
    """The start page; ``action`` is where its Start button posts (none: no button)."""
    return render_page(
        request, "respond/start.html",
        {"phase": phase, "action": action, "form": BeginForm(initial={"key": key}),
         "invitation": invitation, "number": phase_number(phase),
         "opens_at": timezone.localtime(phase.opens_at),
         "closes_at": timezone.localtime(phase.closes_at)},
        consultation=phase.consultation, status=status,
    )


@require_GET
def phase_start(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    phase = phase_by_number(slug, number)
    key = request.GET.get("key", "")
    if phase.audience == Phase.Audience.INTERNAL and not key_matches(phase, key):
        raise Http404("The staff link is needed")
    if phase.state() == "closed":
        return closed_page(request, phase)
    action = ""
    if phase.is_open() and phase.audience != Phase.Audience.PARTNERS:
        action = reverse("respond:begin", kwargs={"slug": slug, "number": number})
    return _start_page(request, phase, action=action, key=key)


@require_GET
def closed(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    phase = phase_by_number(slug, number)
    if phase.state() != "closed":
        raise Http404("This phase has not closed")
    return closed_page(request, phase)


@require_POST
def begin(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    phase = phase_by_number(slug, number)
    form = BeginForm(request.POST)
    if phase.audience == Phase.Audience.PARTNERS:
        raise Http404("Partners start from their invitation")
    if phase.audience == Phase.Audience.INTERNAL and not key_matches(phase, form.data.get("key")):
        raise Http404("The staff link is needed")
    if phase.state() == "closed":
        return closed_page(request, phase)
    if not phase.is_open():
        raise Http404("This phase has not opened yet")
    if form.is_bot():
        return see_other(request.path.removesuffix("begin/"))
    if begin_limited(request):
        return too_many_page(request, phase.consultation)
    _, token = start_draft(phase)
    return see_other(Journey(load_draft(token)).first_page_url())


@require_GET
def invitation(request: HttpRequest, token: str) -> HttpResponse:
    item = invitation_or_404(token)
    phase = item.phase
    if phase.state() == "closed":
        return closed_page(request, phase)
    mark_opened(item)
    action = ""
    if phase.is_open() and not item.submitted_at:
        action = reverse("respond:invitation-begin", kwargs={"token": token})
    return _start_page(request, phase, action=action, invitation=item)


@require_POST
def invitation_begin(request: HttpRequest, token: str) -> HttpResponse:
    item = invitation_or_404(token)
    phase = item.phase
    if phase.state() == "closed":
        return closed_page(request, phase)
    if not phase.is_open():
        raise Http404("This phase has not opened yet")
    if BeginForm(request.POST).is_bot() or item.submitted_at:
        return see_other(reverse("respond:invitation", kwargs={"token": token}))
    if begin_limited(request):
        return too_many_page(request, phase.consultation)
    draft_token = _draft_for_invitation(item)
    return see_other(Journey(load_draft(draft_token)).resume_url())


def _draft_for_invitation(item: Invitation) -> str:
    """A link to the invitation's draft: the one already started (a new link to it, as only
    hashes are kept), else a new draft. Never a second response for one invitation."""
    with transaction.atomic():
        item = Invitation.objects.select_for_update(of=("self",)).select_related(
            "phase__consultation", "person__organisation", "organisation"
        ).get(pk=item.pk)
        started = item.response
        if started is not None and started.status == Response.Status.DRAFT:
            return new_access(started)
        organisation = None
        # In anonymous phases the respondent says which organisation, if any, on the "about
        # you" page: copying the invitee's would tell the organisers who wrote the response.
        if item.phase.audience != Phase.Audience.INTERNAL and not item.phase.is_anonymous:
            organisation = item.organisation or item.person.organisation
        _, draft_token = start_draft(item.phase, invitation=item, organisation=organisation)
        return draft_token


@require_GET
def accessibility(request: HttpRequest) -> HttpResponse:
    # Who to tell about a problem, besides the organisation running each consultation.
    contact = getattr(settings, "CONSULTA_ACCESSIBILITY_CONTACT", "")
    return render_page(request, "respond/accessibility.html", {"contact": contact})
