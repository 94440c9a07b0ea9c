"""Starting and submitting draft responses (services other helpers call: signatures are fixed).

A draft is reached only through secret links (``DraftAccess``, stored hashed). Submitting
deletes every one of them and gives the response a reference its draft never had; in anonymous
phases it also cuts the invitation's tie to the response and keeps only the day of every time
(the draft's start was already kept to the day), then checkpoints SQLite's log so the earlier
versions of the rows leave the files, so what was said cannot be traced back to whoever held a
link (ADR 3).
"""

from __future__ import annotations

import logging
from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from consulta.web.consultations.models import Phase
from consulta.web.outreach.models import Invitation
from consulta.web.privacy_storage import day_only, scrub_after_commit
from consulta.web.responses.models import Answer, DraftAccess, Respondent, Response, new_reference
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
    now = timezone.now()
    if phase.is_anonymous:  # the day only, so the start cannot be matched to a visit's time
        now = day_only(now)
    with transaction.atomic():
        response = Response.objects.create(
            phase=phase, channel=Response.Channel.WEB, organisation=organisation, created_at=now
        )
        token = new_access(response)
        if invitation is not None:
            invitation.response = response
            invitation.started_at = invitation.started_at or now
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


def _close_invitations(response: Response, now: datetime) -> None:
    for invitation in Invitation.objects.select_for_update().filter(response=response):
        invitation.submitted_at = now
        if response.phase.is_anonymous:
            # The invitation must not lead to the anonymous response, by link or by timing.
            invitation.response = None
            invitation.submitted_at = day_only(now)
            invitation.opened_at = day_only(invitation.opened_at)
            invitation.started_at = day_only(invitation.started_at)
        invitation.save(
            update_fields=["response", "submitted_at", "opened_at", "started_at"]
        )


def _anonymise(response: Response) -> None:
    """An anonymous response keeps only the day of when it was written: times to the second
    would match it to an invitation's visit or to a co-author's session."""
    response.created_at = day_only(response.created_at)
    response.submitted_at = day_only(response.submitted_at)
    response.answers.update(updated_at=response.submitted_at)
    scrub_after_commit()  # the rows' earlier versions leave the -wal file too


def _new_reference(response: Response) -> None:
    """Give the response a reference its draft never had (links and copies taken of a draft
    name a reference no submitted response has). A clash of two random references is
    vanishingly rare; the unique index catches it and another one is drawn."""
    for _ in range(5):
        response.reference = new_reference()
        try:
            with transaction.atomic():
                Response.objects.filter(pk=response.pk).update(reference=response.reference)
            return
        except IntegrityError:
            continue
    raise IntegrityError("Could not draw an unused response reference")


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
        _new_reference(locked)
        if locked.phase.is_anonymous:
            _anonymise(locked)
        locked.save(update_fields=["status", "submitted_at", "created_at"])
        # Pages left empty were saved to remember progress; a sent response keeps only answers.
        empty = [a.pk for a in locked.answers.all() if not a.text and not a.choices]
        Answer.objects.filter(pk__in=empty).delete()
        email = receipt_email(locked)
        DraftAccess.objects.filter(response=locked).delete()
        _close_invitations(locked, now)
        if email:
            transaction.on_commit(lambda: _send_receipt(locked, email))
    response.status, response.submitted_at = locked.status, locked.submitted_at
    response.reference, response.created_at = locked.reference, locked.created_at


def _send_receipt(response: Response, email: str) -> None:
    from consulta.web.outreach.email import send_receipt

    try:
        send_receipt(response, email)
    except Exception:  # the response is saved; a mail server's failure must not undo that
        logger.exception("Could not send the receipt for response %s", response.pk)
