"""Helpers for the stakeholder network tests: addresses, and invitations at a given stage."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from django.urls import reverse

from consulta.web.outreach.models import Invitation, InvitationToken

SLUG = "policing-a"
SENT = datetime(2026, 2, 3, 10, 0, tzinfo=UTC)


def url(name: str, *args) -> str:
    return reverse(f"stakeholders:{name}", args=[SLUG, *args])


def invite(phase, person, *, stage: str = "sent", days: int = 0, token: str = "") -> Invitation:
    """An invitation of ``person`` to ``phase`` that got as far as ``stage``."""
    at = SENT + timedelta(days=days)
    invitation = Invitation.objects.create(
        phase=phase, person=person, organisation=person.organisation, created_at=at,
        sent_at=at if stage != "pending" else None, send_count=int(stage != "pending"))
    stages = ["opened", "started", "submitted"]
    for field in stages[: stages.index(stage) + 1] if stage in stages else []:
        setattr(invitation, f"{field}_at", at + timedelta(hours=1))
    invitation.save()
    if token:
        InvitationToken.objects.create(invitation=invitation, token_hash=token)
    return invitation
