"""Who said what on the Analysis page: each theme's share per group, as the library computes it.

The figures come from ``consulta.analysis.who_said_what_counts`` on the stored codings of one
question counted by the database (tallies.py: the themes the answers of each group carry), the
same as ``who_said_what`` on the answers, so the page and the command line's groups.csv agree: Wilson 95% intervals, and a difference from everyone else marked only when
it survives the Benjamini–Hochberg correction (q < 0.05) across the question's table. Groups
with fewer answers than the run's ``min_group_size`` show no figures at all.

Internal phases are compared by role (their answers have no organisation), the others by the
sector of the respondent's organisation.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from consulta.analysis import wilson_interval
from consulta.analysis.groups import who_said_what_counts
from consulta.web.analysis.tallies import Tally
from consulta.web.consultations.stats import NO_ORGANISATION, NO_ROLE
from consulta.web.stakeholders.models import Sector

SECTOR_LABELS = dict(Sector.choices)
SIGNIFICANT = 0.05  # q-value below which a group differs from everyone else
HIGHER, LOWER = "higher", "lower"
COLUMN = "group"


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


def group_table(tally: Tally, themes: list[tuple[str, int, bool]], *,
                by_role: bool, roles: list[str], minimum: int) -> GroupTable:
    """The table of one question: ``themes`` are (label, Theme pk, is a sub-theme) in order."""
    # The themes some answer carries, as who_said_what tests them (no test for the others).
    carried = {theme for counted in tally.groups.values() for theme in counted.counts}
    stats = who_said_what_counts(COLUMN, tally.groups, carried, min_group_size=minimum)
    sizes = {label: counted.answers for label, counted in tally.groups.items()}
    groups = ordered_groups(by_role, set(sizes), roles)
    table = GroupTable([GroupColumn("All answers", tally.answers, False)] + [
        GroupColumn(label, sizes[label], sizes[label] < minimum) for label in groups])
    found = {(s.group, s.theme): s for s in stats}
    n = tally.n
    for label, pk, sub_theme in themes:
        count = tally.count(str(pk))
        everyone = Cell(count / n, *interval(count, n)) if n else Cell(0.0, 0.0, 0.0)
        cells = [everyone] + [
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


def _cell(stat, n: int) -> Cell:
    """A group's figure; a theme no one in the question carries is 0% of the group."""
    if stat is None or stat.prevalence is None:
        return Cell(0.0, *interval(0, n))
    difference = ""
    if stat.q_value is not None and stat.q_value < SIGNIFICANT:
        # No lift: nobody else carries the theme, so the group is the higher one.
        difference = HIGHER if stat.lift is None or stat.lift > 1 else LOWER
    return Cell(stat.prevalence, stat.ci_low, stat.ci_high, difference)
