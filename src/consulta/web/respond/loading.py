"""What a public address points at: a phase, an invitation, or a draft behind a secret link.

Nothing here reads or writes a session, a cookie or the client's address: the secret in the
URL is the only key, and only its hash is ever looked up.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from functools import wraps

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone

from consulta.web.consultations.models import Consultation, Phase
from consulta.web.outreach.models import Invitation
from consulta.web.outreach.services import invitation_for_token
from consulta.web.respond.pages import closed_page
from consulta.web.responses.models import DraftAccess, Response
from consulta.web.tokens import hash_token


def phase_by_number(slug: str, number: int) -> Phase:
    """The ``number``-th phase (from 1, in phase order) of a public consultation, or 404."""
    consultation = get_object_or_404(
        Consultation.objects.exclude(status=Consultation.Status.DRAFT), slug=slug
    )
    phases = list(consultation.phases.all())
    if not 1 <= number <= len(phases):
        raise Http404("No such phase")
    return phases[number - 1]


def phase_number(phase: Phase) -> int:
    """Where the phase stands in its consultation's order (1, 2, ...): its public number."""
    ids = list(phase.consultation.phases.values_list("id", flat=True))
    return ids.index(phase.id) + 1


def key_matches(phase: Phase, key: str | None) -> bool:
    return bool(key) and secrets.compare_digest(key.encode(), phase.access_key.encode())


def invitation_or_404(token: str) -> Invitation:
    """The invitation a personal link belongs to, or 404 (unknown, or its consultation hidden)."""
    invitation = invitation_for_token(token)
    if invitation is None or not invitation.phase.consultation.is_public():
        raise Http404("No such invitation")
    return invitation


@dataclass
class Draft:
    """A draft response reached through one of its secret links (``token``)."""

    token: str
    access: DraftAccess
    response: Response

    @property
    def phase(self) -> Phase:
        return self.response.phase

    @property
    def consultation(self) -> Consultation:
        return self.response.phase.consultation


def load_draft(token: str) -> Draft:
    access = (
        DraftAccess.objects.select_related(
            "response__phase__consultation", "response__organisation", "response__role"
        )
        .filter(token_hash=hash_token(token))
        .first()
    )
    # Submitting deletes every link, so a known link always leads to a draft; checked anyway.
    if access is None or access.response.status != Response.Status.DRAFT:
        raise Http404("No such draft")
    return Draft(token=token, access=access, response=access.response)


def with_draft(view):
    """Views under /r/<token>/: 404 for an unknown link, the closed page (410) once the phase
    has closed, whatever the request (the phase decides, so an extended phase keeps links)."""

    @wraps(view)
    def wrapper(request: HttpRequest, token: str, *args, **kwargs) -> HttpResponse:
        draft = load_draft(token)
        if not draft.phase.is_open(timezone.now()):
            return closed_page(request, draft.phase)
        return view(request, draft, *args, **kwargs)

    return wrapper
