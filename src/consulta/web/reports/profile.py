"""Who was asked and who responded: per phase, sector, organisation type, role and channel.

Counts are of submitted responses (withdrawn ones are out). In a published report, a cell of 1
to 9 responses in a phase that does not name people is shown as "fewer than 10", since a group
that small may tell who answered.
"""

from __future__ import annotations

from collections import Counter

from django.db.models import Count, Q
from django.db.models.functions import Coalesce

from consulta.web.consultations.models import Phase
from consulta.web.consultations.stats import (
    SMALL_GROUP,
    phases_with_counts,
    responses_by_role,
    responses_by_sector,
    submitted_responses,
)
from consulta.web.reports.content import Profile, ProfileTable
from consulta.web.responses.models import Response

SMALL = f"fewer than {SMALL_GROUP}"


def _cell(n: int, phase: Phase, public: bool) -> str:
    if public and 0 < n < SMALL_GROUP and phase.anonymity != Phase.Anonymity.IDENTIFIED:
        return SMALL
    return str(n)


def _phase_name(numbers, phase) -> str:
    return f"Phase {numbers[phase.pk]}: {phase.name}"


def build_profile(consultation, campaign_answers: int, campaigns: int, *,
                  public: bool) -> Profile:
    phases = phases_with_counts(consultation)
    numbers = consultation.phase_numbers()
    total = sum(p.submitted_count for p in phases)
    profile = Profile(total, campaign_answers)
    profile.tables.append(_by_phase(consultation, phases, numbers))
    headers = ["", *[_phase_name(numbers, p) for p in phases], "All phases"]
    sectors = responses_by_sector(consultation, phases)
    profile.tables.append(_grouped("Responses by sector of the respondent's organisation",
                                   headers, sectors.rows, phases, public))
    profile.tables.append(_by_type(consultation, phases, headers, public))
    roles = responses_by_role(consultation, phases)
    if roles is not None:
        internal = [p for p in phases if p.audience == Phase.Audience.INTERNAL]
        profile.tables.append(_grouped(
            "Responses by role (staff phases)",
            ["", *[_phase_name(numbers, p) for p in internal], "All staff phases"],
            roles.rows, internal, public))
    profile.tables.append(_by_channel(consultation, phases, headers, public))
    if campaign_answers:
        profile.notes.append(
            f"{campaign_answers} answers came from {campaigns} campaign"
            f"{'s' if campaigns != 1 else ''} (identical or near-identical texts): each campaign "
            "counts once in the shares of themes, and is shown apart.")
    profile.notes.append(
        "Respondents chose to take part: they are not a representative sample of any "
        "population, and the figures describe those who responded only.")
    return profile


def _by_phase(consultation, phases, numbers) -> ProfileTable:
    from consulta.web.outreach.models import Invitation

    funnels = {row["phase"]: row for row in Invitation.objects.filter(
        phase__consultation=consultation).order_by().values("phase").annotate(
        invited=Count("id", filter=Q(sent_at__isnull=False)),
        submitted=Count("id", filter=Q(submitted_at__isnull=False)))}
    rows = []
    for phase in phases:
        funnel = funnels.get(phase.pk, {"invited": 0, "submitted": 0})
        invited = funnel["invited"]
        rate = f"{funnel['submitted'] / invited * 100:.0f}%" if invited else "not applicable"
        rows.append([_phase_name(numbers, phase), phase.get_audience_display(),
                     str(invited) if invited else "open link", str(phase.submitted_count), rate])
    return ProfileTable("Invited and responded, by phase",
                        ["Phase", "Audience", "Invited", "Responses", "Response rate of invited"],
                        rows)


def _grouped(caption, headers, rows, phases, public) -> ProfileTable:
    out = []
    for row in rows:
        if not row.total:
            continue
        cells = [_cell(n, phase, public) for n, phase in zip(row.cells, phases, strict=True)]
        out.append([row.label, *cells, str(row.total)])
    return ProfileTable(caption, headers, out)


def _by_type(consultation, phases, headers, public) -> ProfileTable:
    counts = Counter()
    for phase, kind, n in (submitted_responses(consultation).order_by()
                           .annotate(kind=Coalesce("organisation__type",
                                                   "typed_organisation__type"))
                           .values_list("phase", "kind").annotate(n=Count("id"))):
        counts[(kind or "No organisation type given", phase)] += n
    labels = sorted({k for k, _ in counts}, key=lambda k: (k.startswith("No "), k))
    rows = [[label, *[_cell(counts[(label, p.pk)], p, public) for p in phases],
             str(sum(counts[(label, p.pk)] for p in phases))] for label in labels]
    return ProfileTable("Responses by type of organisation", headers, rows)


def _by_channel(consultation, phases, headers, public) -> ProfileTable:
    counts = Counter({(c, p): n for c, p, n in submitted_responses(consultation).order_by()
                      .values_list("channel", "phase").annotate(n=Count("id"))})
    rows = []
    for channel in Response.Channel:
        total = sum(counts[(channel.value, p.pk)] for p in phases)
        if total:
            rows.append([channel.label, *[_cell(counts[(channel.value, p.pk)], p, public)
                                          for p in phases], str(total)])
    return ProfileTable("Responses by channel", headers, rows)
