"""What an organisation's page shows: its people, invitations and responses, phase by phase.

Anonymous phases promise that nothing links an answer to a person. So for them the page lists
who was invited but not how far each got; how many got how far only when at least
SMALL_GROUP of the organisation were invited (with fewer, "1 submitted" of 2 invited points
at someone); and it never lists their responses: only how many, and only from SMALL_GROUP up.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from django.urls import reverse

from consulta.web.consultations.models import Phase
from consulta.web.outreach.models import Invitation
from consulta.web.responses.models import Response
from consulta.web.stakeholders.models import Organisation

SMALL_GROUP = 10


@dataclass
class PhaseInvitations:
    number: int
    phase: Phase
    invitations: list[Invitation] = field(default_factory=list)
    counts: list[tuple[str, int]] = field(default_factory=list)  # by status label
    statuses_hidden: bool = False  # anonymous phase: no per-person status
    counts_hidden: bool = False  # anonymous phase with fewer than SMALL_GROUP invitations


@dataclass
class PhaseResponses:
    number: int
    phase: Phase
    responses: list[Response] = field(default_factory=list)
    count: int | None = None  # anonymous phase: how many (listed only from SMALL_GROUP up)


def invitations_by_phase(organisation: Organisation, numbers: dict[int, int]) -> list:
    rows = (organisation.invitations.select_related("person", "phase")
            .order_by("phase__position", "phase_id", "person__name", "pk"))
    groups: dict[int, PhaseInvitations] = {}
    for invitation in rows:
        phase = invitation.phase
        group = groups.setdefault(phase.pk, PhaseInvitations(numbers[phase.pk], phase))
        invitation.status_label = Invitation.Status(invitation.status).label
        group.invitations.append(invitation)
    for group in groups.values():
        _count(group)
    return list(groups.values())


def _count(group: PhaseInvitations) -> None:
    tally = Counter(invitation.status_label for invitation in group.invitations)
    group.counts = sorted(tally.items())
    if group.phase.is_anonymous:
        group.statuses_hidden = True
        group.counts_hidden = len(group.invitations) < SMALL_GROUP
        for invitation in group.invitations:
            invitation.status_label = ""  # nothing per person reaches the template


def responses_by_phase(organisation: Organisation, slug: str,
                       numbers: dict[int, int]) -> list[PhaseResponses]:
    """Submitted (and withdrawn) responses linked to the organisation, drafts left out."""
    rows = (Response.objects.filter(organisation=organisation)
            .exclude(status=Response.Status.DRAFT).select_related("phase")
            .order_by("phase__position", "phase_id", "submitted_at", "reference"))
    groups: dict[int, PhaseResponses] = {}
    anonymous: Counter = Counter()
    for response in rows:
        phase = response.phase
        if phase.is_anonymous:
            anonymous[phase] += 1
            continue
        group = groups.setdefault(phase.pk, PhaseResponses(numbers[phase.pk], phase))
        response.url = reverse("responses:detail", args=[slug, response.reference])
        group.responses.append(response)
    for phase, number in anonymous.items():
        if number >= SMALL_GROUP:  # below it, not even that there are some
            groups[phase.pk] = PhaseResponses(numbers[phase.pk], phase, count=number)
    return sorted(groups.values(), key=lambda group: group.number)

