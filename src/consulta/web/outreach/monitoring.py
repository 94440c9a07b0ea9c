"""Monitoring a consultation's reach: who has responded, when, and who has not yet.

Every function here runs one aggregate query for all phases of a consultation (grouped by phase)
and lays the rows out in Python, so the monitoring page costs the same few queries however many
responses, invitations or organisations there are. Results are plain dataclasses keyed by phase id.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Count, Exists, OuterRef, Q
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from consulta.web.consultations.models import Consultation, Phase
from consulta.web.outreach.models import Invitation
from consulta.web.outreach.monitoring_figures import (  # noqa: F401 (the page's types)
    KNOWN_TYPES,
    NO_ORGANISATION,
    NO_ROLE,
    NO_TYPE,
    ORGANISATION_NOUNS,
    SMALL_GROUP,
    Coverage,
    Day,
    Funnel,
    PhaseMonitoring,
    Share,
    Timeline,
    plural,
    type_key,
    type_label,
    type_noun,
)
from consulta.web.responses.models import Response
from consulta.web.stakeholders.models import AudienceMember, Sector

SUBMITTED = Response.Status.SUBMITTED
DRAFT = Response.Status.DRAFT


# --- Queries ---------------------------------------------------------------------------------


def submitted_responses(consultation: Consultation):
    # order_by() drops the model's ordering, which would otherwise join the GROUP BY.
    return Response.objects.filter(phase__consultation=consultation, status=SUBMITTED).order_by()


def phase_totals(consultation: Consultation) -> list[tuple[Phase, int, int]]:
    """The phases in order with their submitted and draft counts."""
    # Explicit order: Django leaves Meta.ordering out of GROUP BY queries, and PostgreSQL
    # then returns the phases in any order.
    phases = consultation.phases.annotate(
        submitted=Count("responses", filter=Q(responses__status=SUBMITTED)),
        drafts=Count("responses", filter=Q(responses__status=DRAFT)),
    ).order_by("position", "pk")
    return [(phase, phase.submitted, phase.drafts) for phase in phases]


def daily_submissions(consultation: Consultation) -> dict[int, dict[date, int]]:
    """Submitted responses per phase and local day (TruncDate uses the current time zone)."""
    rows = (
        submitted_responses(consultation)
        .filter(submitted_at__isnull=False)
        .annotate(day=TruncDate("submitted_at"))
        .values_list("phase", "day")
        .annotate(n=Count("id"))
    )
    out: dict[int, dict[date, int]] = defaultdict(dict)
    for phase_id, day, n in rows:
        out[phase_id][day] = n
    return out


def timeline(phase: Phase, counts: dict[date, int], today: date) -> Timeline:
    """Every day from the phase's opening (or first submission) to today or its closing (or the
    last submission), so quiet days show as gaps. No submissions: no timeline."""
    if not counts:
        return Timeline([])
    opens = timezone.localtime(phase.opens_at).date()
    closes = timezone.localtime(phase.closes_at).date()
    start = min(min(counts), opens)
    end = max(max(counts), min(today, closes))
    days, running = [], 0
    for offset in range((end - start).days + 1):
        day = start + timedelta(days=offset)
        running += counts.get(day, 0)
        days.append(Day(day, counts.get(day, 0), running))
    return Timeline(days)


@dataclass(frozen=True)
class Group:
    """Submitted responses sharing a sector, organisation type and role. ``sector`` and ``type``
    are None for responses with no organisation; ``type`` is "" for an organisation of no type."""

    sector: str | None
    type: str | None
    role: tuple[bool, int, str]  # sorts roles in their order, "no role" last
    count: int


def response_groups(consultation: Consultation) -> dict[int, list[Group]]:
    """One grouped query serves the sector, type and role breakdowns of every phase."""
    # An organisation typed on the "about you" page counts by the sector and type typed with
    # it until an organiser links the response to the network's organisation.
    rows = (
        submitted_responses(consultation)
        .annotate(sector=Coalesce("organisation__sector", "typed_organisation__sector"),
                  kind=Coalesce("organisation__type", "typed_organisation__type"))
        .values_list("phase", "sector", "kind", "role__position", "role__name")
        .annotate(n=Count("id"))
    )
    out: dict[int, list[Group]] = defaultdict(list)
    for phase_id, sector, type_, position, role, n in rows:
        role_key = (position is None, position or 0, role or NO_ROLE)
        out[phase_id].append(Group(sector, type_, role_key, n))
    return out


def invitation_funnels(consultation: Consultation) -> dict[int, Funnel]:
    reached_submitted = Q(submitted_at__isnull=False)
    reached_started = reached_submitted | Q(started_at__isnull=False)
    reached_opened = reached_started | Q(opened_at__isnull=False)
    counts = {
        row["phase"]: row
        for row in Invitation.objects.filter(phase__consultation=consultation)
        .order_by()
        .values("phase")
        .annotate(
            invited=Count("id", filter=Q(sent_at__isnull=False)),
            opened=Count("id", filter=reached_opened),
            started=Count("id", filter=reached_started),
            submitted=Count("id", filter=reached_submitted),
            bounced=Count("id", filter=Q(bounced_at__isnull=False)),
        )
    }
    # An invitation row that was never sent (nor refused) leaves its person not yet invited.
    attempted = Invitation.objects.filter(
        phase=OuterRef("phase"), person=OuterRef("person")
    ).filter(Q(sent_at__isnull=False) | Q(bounced_at__isnull=False))
    people = AudienceMember.objects.filter(phase__consultation=consultation, person__isnull=False)
    waiting = {
        row["phase"]: row
        for row in people.filter(~Exists(attempted))
        .order_by()
        .values("phase")
        .annotate(
            not_invited=Count("id"),
            not_invited_without_email=Count("id", filter=Q(person__email="")),
            not_invited_unsubscribed=Count("id", filter=Q(person__unsubscribed_at__isnull=False)),
        )
    }
    funnels = {}
    for phase_id in counts.keys() | waiting.keys():
        values = {**counts.get(phase_id, {}), **waiting.get(phase_id, {})}
        values.pop("phase")
        funnels[phase_id] = Funnel(**values)
    return funnels


def audience_organisations(consultation: Consultation) -> dict[int, dict[int, tuple[str, str]]]:
    """Per phase, {organisation id: (type, name)} for the organisations in its audience and the
    organisations of the people in it."""
    members = AudienceMember.objects.filter(phase__consultation=consultation).order_by()
    direct = members.filter(organisation__isnull=False).values_list(
        "phase", "organisation", "organisation__type", "organisation__name")
    through_people = members.filter(person__organisation__isnull=False).values_list(
        "phase", "person__organisation", "person__organisation__type", "person__organisation__name")
    out: dict[int, dict[int, tuple[str, str]]] = defaultdict(dict)
    for phase_id, org_id, type_, name in direct.union(through_people):
        out[phase_id][org_id] = (type_, name)
    return out


def responding_organisations(consultation: Consultation) -> dict[int, set[int]]:
    """Per phase, the organisations with at least one submitted response."""
    rows = (
        submitted_responses(consultation)
        .filter(organisation__isnull=False)
        .values_list("phase", "organisation")
        .distinct()
    )
    return _sets(rows)


def invited_organisations(consultation: Consultation) -> dict[int, set[int]]:
    """Per phase, the organisations of people sent an invitation (the invitation's organisation,
    else the person's)."""
    rows = (
        Invitation.objects.filter(phase__consultation=consultation, sent_at__isnull=False)
        .order_by()
        .annotate(org=Coalesce("organisation", "person__organisation"))
        .filter(org__isnull=False)
        .values_list("phase", "org")
        .distinct()
    )
    return _sets(rows)


def _sets(rows) -> dict[int, set[int]]:
    out: dict[int, set[int]] = defaultdict(set)
    for phase_id, org_id in rows:
        out[phase_id].add(org_id)
    return out


# --- Laying out ------------------------------------------------------------------------------


def sector_shares(groups: list[Group], total: int) -> list[Share]:
    counts: dict[str | None, int] = defaultdict(int)
    for group in groups:
        counts[group.sector] += group.count
    rows = [Share(sector.label, counts[sector.value], total) for sector in Sector]
    if counts[None]:
        rows.append(Share(NO_ORGANISATION, counts[None], total))
    return rows


def type_shares(groups: list[Group], total: int) -> list[Share]:
    """Most responses first; types typed differently ("Charity", "charity ") count together."""
    counts: dict[str, int] = defaultdict(int)
    spellings: dict[str, set[str]] = defaultdict(set)
    no_organisation = 0
    for group in groups:
        if group.type is None:
            no_organisation += group.count
            continue
        counts[type_key(group.type)] += group.count
        spellings[type_key(group.type)].add(group.type.strip())
    rows = [Share(type_label(key, spellings[key]) or NO_TYPE, n, total)
            for key, n in counts.items()]
    rows.sort(key=lambda row: (-row.count, row.label.casefold()))
    if no_organisation:
        rows.append(Share(NO_ORGANISATION, no_organisation, total))
    return rows


def role_shares(groups: list[Group], total: int) -> list[Share]:
    counts: dict[tuple, int] = defaultdict(int)
    for group in groups:
        counts[group.role] += group.count
    return [Share(role[2], n, total) for role, n in sorted(counts.items())]


def coverage(audience: dict[int, tuple[str, str]], responded: set[int]) -> list[Coverage]:
    """Per organisation type in the audience: gaps first (none responded, then the lowest
    share), full coverage last."""
    by_type: dict[str, list[tuple[str, bool]]] = defaultdict(list)
    spellings: dict[str, set[str]] = defaultdict(set)
    for org_id, (type_, name) in audience.items():
        key = type_key(type_)
        by_type[key].append((name, org_id in responded))
        spellings[key].add((type_ or "").strip())
    items = [
        Coverage(
            type=type_label(key, spellings[key]),
            responded=sum(done for _, done in orgs),
            total=len(orgs),
            waiting=sorted((name for name, done in orgs if not done), key=str.casefold),
        )
        for key, orgs in by_type.items()
    ]
    items.sort(key=lambda c: (c.responded / c.total, -c.total, c.type.casefold()))
    return items


def monitor(consultation: Consultation, today: date | None = None) -> list[PhaseMonitoring]:
    """Everything the monitoring page shows, phase by phase, in a constant number of queries."""
    today = today or timezone.localdate()
    days = daily_submissions(consultation)
    groups = response_groups(consultation)
    funnels = invitation_funnels(consultation)
    audiences = audience_organisations(consultation)
    responded = responding_organisations(consultation)
    invited = invited_organisations(consultation)
    report = []
    for phase, submitted, drafts in phase_totals(consultation):
        pid = phase.pk
        invited_here = invited.get(pid, set())
        in_phase = groups.get(pid, [])
        report.append(PhaseMonitoring(
            phase=phase,
            submitted=submitted,
            drafts=drafts,
            timeline=timeline(phase, days.get(pid, {}), today),
            by_sector=sector_shares(in_phase, submitted),
            by_type=type_shares(in_phase, submitted),
            by_role=role_shares(in_phase, submitted),
            funnel=funnels.get(pid, Funnel()),
            coverage=coverage(audiences.get(pid, {}), responded.get(pid, set())),
            invited_organisations=Share(
                "Invited organisations that responded",
                len(invited_here & responded.get(pid, set())),
                len(invited_here),
            ),
        ))
    return report
