"""Who said what on the Analysis page: each theme's share per group, as the library computes it.

The figures come from ``consulta.analysis.who_said_what`` run on the stored codings of one
question (the themes each answer carries, its group), so the page and the command line's
groups.csv agree: Wilson 95% intervals, and a difference from everyone else marked only when
it survives the Benjamini–Hochberg correction (q < 0.05) across the question's table. Groups
with fewer answers than the run's ``min_group_size`` show no figures at all.

Internal phases are compared by role (their answers have no organisation), the others by the
sector of the respondent's organisation.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from consulta.analysis import who_said_what, wilson_interval
from consulta.web.consultations.stats import NO_ORGANISATION, NO_ROLE
from consulta.web.stakeholders.models import Sector

SECTOR_LABELS = dict(Sector.choices)
SIGNIFICANT = 0.05  # q-value below which a group differs from everyone else
HIGHER, LOWER = "higher", "lower"
COLUMN = "group"


@dataclass
class CodedAnswer:
    """One stored coding, as the page needs it."""

    question: int
    answer: int
    themes: set[str]  # Theme pks as text: the themes the answer carries
    group: str
    campaign: str
    primary: int | None  # None: an answer with no content


@dataclass
class Cell:
    share: float
    low: float
    high: float
    difference: str = ""  # HIGHER or LOWER than everyone else, beyond chance

    @property
    def text(self) -> str:
        return share_text(self.share, self.low, self.high)


@dataclass
class GroupColumn:
    label: str
    n: int
    suppressed: bool


@dataclass
class ShareRow:
    label: str
    sub_theme: bool
    cells: list[Cell | None]  # None: a suppressed group


@dataclass
class GroupTable:
    columns: list[GroupColumn] = field(default_factory=list)
    rows: list[ShareRow] = field(default_factory=list)

    @property
    def marked(self) -> bool:
        return any(cell and cell.difference for row in self.rows for cell in row.cells)


def group_label(by_role: bool, sector: str | None, role: str | None) -> str:
    if by_role:
        return role or NO_ROLE
    return SECTOR_LABELS.get(sector, sector) if sector else NO_ORGANISATION


def ordered_groups(by_role: bool, present: set[str], roles: list[str]) -> list[str]:
    order = [*roles, NO_ROLE] if by_role else [s.label for s in Sector] + [NO_ORGANISATION]
    return [label for label in order if label in present]


def group_table(answers: list[CodedAnswer], themes: list[tuple[str, int, bool]], *,
                by_role: bool, roles: list[str], minimum: int,
                campaigns_once: bool) -> GroupTable:
    """The table of one question: ``themes`` are (label, Theme pk, is a sub-theme) in order."""
    assignments = {a.answer: a.themes for a in answers}
    weights = _campaign_weights(answers) if campaigns_once else None
    stats = who_said_what(assignments, {a.answer: {COLUMN: a.group} for a in answers},
                          weights=weights, min_group_size=minimum)
    sizes = Counter(a.group for a in answers)
    groups = ordered_groups(by_role, set(sizes), roles)
    table = GroupTable([GroupColumn("All answers", len(answers), False)] + [
        GroupColumn(label, sizes[label], sizes[label] < minimum) for label in groups])
    found = {(s.group, s.theme): s for s in stats}
    everyone = _everyone(answers, weights)
    for label, pk, sub_theme in themes:
        cells = [everyone(str(pk))] + [
            None if column.suppressed else _cell(found.get((column.label, str(pk))), column.n)
            for column in table.columns[1:]]
        table.rows.append(ShareRow(label, sub_theme, cells))
    return table


def share_text(share: float, low: float, high: float) -> str:
    """A share and its 95% interval as the page shows them: "34% (29–39%)"."""
    return f"{share * 100:.0f}% ({low * 100:.0f}–{high * 100:.0f}%)"


def interval(count: float, n: float) -> tuple[float, float]:
    low, high = wilson_interval(count, n)
    return float(low), float(high)


def _campaign_weights(answers: list[CodedAnswer]) -> dict[int, float]:
    """Each campaign counts once: 1/size for each of its members (campaigns.campaign_weights)."""
    sizes = Counter(a.campaign for a in answers if a.campaign)
    return {a.answer: 1.0 / sizes[a.campaign] if a.campaign else 1.0 for a in answers}


def _everyone(answers: list[CodedAnswer], weights: dict[int, float] | None):
    n = sum(weights.values()) if weights else len(answers)

    def cell(theme: str) -> Cell:
        count = sum((weights[a.answer] if weights else 1.0) for a in answers if theme in a.themes)
        return Cell(count / n, *interval(count, n)) if n else Cell(0.0, 0.0, 0.0)
    return cell


def _cell(stat, n: int) -> Cell:
    """A group's figure; a theme no one in the question carries is 0% of the group."""
    if stat is None or stat.prevalence is None:
        return Cell(0.0, *interval(0, n))
    difference = ""
    if stat.q_value is not None and stat.q_value < SIGNIFICANT:
        # No lift: nobody else carries the theme, so the group is the higher one.
        difference = HIGHER if stat.lift is None or stat.lift > 1 else LOWER
    return Cell(stat.prevalence, stat.ci_low, stat.ci_high, difference)
