"""Starting and submitting draft responses (services other helpers call: signatures are fixed).

A draft is reached only through secret links (``DraftAccess``, stored hashed). Submitting
deletes every one of them and, in anonymous phases, cuts the invitation's tie to the response,
so what was said cannot be traced back to whoever held a link (ADR 3).
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, time

from django.db import transaction
from django.utils import timezone

from consulta.web.consultations.models import Phase
from consulta.web.outreach.models import Invitation
from consulta.web.responses.models import Answer, DraftAccess, Respondent, Response
from consulta.web.stakeholders.models import Organisation
from consulta.web.tokens import hash_token, new_token

logger = logging.getLogger(__name__)


def new_access(response: Response, purpose: str = DraftAccess.Purpose.RESPONDENT) -> str:
    """A new secret link to ``response``, valid until its phase closes. Returns the token."""
    token = new_token()
    DraftAccess.objects.create(
        response=response, token_hash=hash_token(token), purpose=purpose,
        expires_at=response.phase.closes_at,
    )
    return token


def start_draft(
    phase: Phase, *, invitation: Invitation | None = None, organisation: Organisation | None = None
) -> tuple[Response, str]:
    """A new draft response and the respondent's own secret link to it.

    With an invitation, the draft is attached to it (marked started) and, in phases that
    identify people, the invited person is recorded as its respondent.
    """
    with transaction.atomic():
        response = Response.objects.create(
            phase=phase, channel=Response.Channel.WEB, organisation=organisation
        )
        token = new_access(response)
        if invitation is not None:
            invitation.response = response
            invitation.started_at = invitation.started_at or timezone.now()
            invitation.save(update_fields=["response", "started_at"])
            if not phase.is_anonymous:
                person = invitation.person
                Respondent.objects.create(
                    response=response, person=person, name=person.name, email=person.email
                )
    return response, token


def receipt_email(response: Response) -> str:
    """Where to send the receipt: the respondent's known email, in identified phases only
    (a confidential or anonymous respondent gets no email tied to their response)."""
    if response.phase.anonymity != Phase.Anonymity.IDENTIFIED:
        return ""
    respondent = Respondent.objects.filter(response=response).select_related("person").first()
    if respondent is None:
        return ""
    return respondent.email or (respondent.person.email if respondent.person else "")


def _day_only(moment: datetime | None) -> datetime | None:
    """Midnight UTC of the moment's day: counts by day survive, matching by time does not."""
    if moment is None:
        return None
    return datetime.combine(moment.astimezone(UTC).date(), time(0), UTC)


def _close_invitations(response: Response, now: datetime) -> None:
    for invitation in Invitation.objects.select_for_update().filter(response=response):
        invitation.submitted_at = now
        if response.phase.is_anonymous:
            # The invitation must not lead to the anonymous response, by link or by timing.
            invitation.response = None
            invitation.submitted_at = _day_only(now)
            invitation.opened_at = _day_only(invitation.opened_at)
            invitation.started_at = _day_only(invitation.started_at)
        invitation.save(
            update_fields=["response", "submitted_at", "opened_at", "started_at"]
        )


def submit(response: Response) -> None:
    """Send the response: mark it submitted, delete all its links, close its invitation, and
    email a receipt when an address is known (after the commit: a mail failure loses nothing).

    Submitting twice changes nothing the second time.
    """
    with transaction.atomic():
        locked = (
            Response.objects.select_for_update(of=("self",)).select_related("phase")
            .get(pk=response.pk)
        )
        if locked.status == Response.Status.SUBMITTED:
            return
        now = timezone.now()
        locked.status = Response.Status.SUBMITTED
        locked.submitted_at = now
        locked.save(update_fields=["status", "submitted_at"])
        # Pages left empty were saved to remember progress; a sent response keeps only answers.
        empty = [a.pk for a in locked.answers.all() if not a.text and not a.choices]
        Answer.objects.filter(pk__in=empty).delete()
        email = receipt_email(locked)
        DraftAccess.objects.filter(response=locked).delete()
        _close_invitations(locked, now)
        if email:
            transaction.on_commit(lambda: _send_receipt(locked, email))
    response.status, response.submitted_at = locked.status, locked.submitted_at


def _send_receipt(response: Response, email: str) -> None:
    from consulta.web.outreach.email import send_receipt

    try:
        send_receipt(response, email)
    except Exception:  # the response is saved; a mail server's failure must not undo that
        logger.exception("Could not send the receipt for response %s", response.pk)
