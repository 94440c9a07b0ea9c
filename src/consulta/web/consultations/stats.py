"""Counting submitted responses for the back office.

Each table is one aggregate query grouped by its row and column keys, then laid out in Python,
so a page costs a few queries however many phases, sectors or roles there are.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q
from django.db.models.functions import Coalesce

from consulta.web.consultations.models import Consultation, Membership, Phase
from consulta.web.responses.models import Response
from consulta.web.stakeholders.models import Organisation, Person, Sector

SUBMITTED = Response.Status.SUBMITTED
NO_ORGANISATION = "No organisation"
NO_ROLE = "No role given"
SMALL_GROUP = 10  # as the analysis's min_group_size and outreach.monitoring_figures


@dataclass
class Row:
    label: str
    cells: list[int]

    @property
    def total(self) -> int:
        return sum(self.cells)


@dataclass
class CountTable:
    """Rows by columns (phases) of counts, with totals both ways."""

    columns: list[Phase]
    rows: list[Row]

    @property
    def column_totals(self) -> list[int]:
        return [sum(row.cells[i] for row in self.rows) for i in range(len(self.columns))]

    @property
    def total(self) -> int:
        return sum(row.total for row in self.rows)

    @property
    def small_groups(self) -> list[str]:
        """Rows with 1 to SMALL_GROUP - 1 responses in a phase that does not name people: who
        is in a group that small may tell who answered (the overview warns organisers)."""
        return [
            row.label for row in self.rows
            if any(0 < n < SMALL_GROUP for n, phase in zip(row.cells, self.columns, strict=True)
                   if phase.anonymity != Phase.Anonymity.IDENTIFIED)
        ]


def submitted_responses(consultation: Consultation):
    return Response.objects.filter(phase__consultation=consultation, status=SUBMITTED)


def phases_with_counts(consultation: Consultation) -> list[Phase]:
    """The phases in order, each with ``submitted_count``."""
    return list(
        # Explicit order: Django leaves Meta.ordering out of GROUP BY queries.
        consultation.phases.annotate(
            submitted_count=Count("responses", filter=Q(responses__status=SUBMITTED))
        ).order_by("position", "pk")
    )


def _tabulate(counts, row_keys: list[tuple[object, str]], columns: list[Phase]) -> CountTable:
    """counts: (row key, phase id, n) triples from one grouped query."""
    by_cell = {(row, phase): n for row, phase, n in counts}
    rows = [
        Row(label, [by_cell.get((key, phase.pk), 0) for phase in columns])
        for key, label in row_keys
    ]
    return CountTable(columns=columns, rows=rows)


def responses_by_sector(consultation: Consultation, phases: list[Phase]) -> CountTable:
    """Submitted responses per sector of the respondent's organisation, per phase."""
    counts = (
        submitted_responses(consultation)
        .order_by()
        # A typed organisation counts by the sector typed with it until an organiser links it.
        .annotate(sector=Coalesce("organisation__sector", "typed_organisation__sector"))
        .values_list("sector", "phase")
        .annotate(n=Count("id"))
    )
    row_keys = [(sector.value, sector.label) for sector in Sector] + [(None, NO_ORGANISATION)]
    return _tabulate(counts, row_keys, phases)


def responses_by_role(consultation: Consultation, phases: list[Phase]) -> CountTable | None:
    """Submitted responses per respondent role in the internal phases; None without any."""
    internal = [phase for phase in phases if phase.audience == Phase.Audience.INTERNAL]
    if not internal:
        return None
    counts = (
        submitted_responses(consultation)
        .filter(phase__in=internal)
        .order_by()
        .values_list("role", "phase")
        .annotate(n=Count("id"))
    )
    row_keys = [(role.pk, role.name) for role in consultation.roles.all()] + [(None, NO_ROLE)]
    return _tabulate(counts, row_keys, internal)


def network_counts(consultation: Consultation) -> dict[str, int]:
    # Two cheap counts: one joined aggregate would multiply organisations by people.
    return {
        "organisations": Organisation.objects.filter(consultation=consultation).count(),
        "people": Person.objects.filter(consultation=consultation).count(),
    }


def memberships_with_counts(user):
    """The user's memberships with ``phase_count`` and ``submitted_count`` per consultation."""
    responses = "consultation__phases__responses"
    return (
        Membership.objects.filter(user=user)
        .select_related("consultation")
        .annotate(
            phase_count=Count("consultation__phases", distinct=True),
            submitted_count=Count(
                responses, filter=Q(**{f"{responses}__status": SUBMITTED}), distinct=True
            ),
        )
        .order_by("consultation__title", "consultation__slug")
    )
