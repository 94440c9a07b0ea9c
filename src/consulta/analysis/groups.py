"""Who said what: theme prevalence per group, with intervals, lift, tests and suppression.

For every group column (phase, sector, organisation type, role), every group in it and every
theme: how many answers in the group (n) carry the theme (count), the prevalence with a Wilson
95% interval, the lift against everyone else in that column (prevalence in the group divided by
prevalence in the rest), a p-value from the 2x2 table group/rest x theme/no theme (Fisher's
exact test when an expected cell is under 5, otherwise chi-square with Yates' correction), and a
q-value: Benjamini-Hochberg across every test in the call, so a table of 200 comparisons does
not produce ten "significant" ones by chance.

Groups with fewer than ``min_group_size`` answers are suppressed: their rows keep the column,
group and theme names and ``suppressed=True``, and no number at all, so no small group (and so
nobody in it) can be picked out. Suppressed answers still count in "everyone else".

``weights`` (answer id -> weight) lets a campaign count once: give each of its members
1/size (see ``campaigns.campaign_weights``). n and count are then sums of weights, and the tests
use them rounded to whole answers. Suppression always looks at the number of answers.

The universe is the keys of ``assignments`` (answers with an empty set of themes count in n);
answers with no value, or an empty one, for a column are left out of that column.

``who_said_what_counts`` gives the same figures from counts already made (per group: answers,
their weight, and the weight of those carrying each theme), as a database's GROUP BY makes
them: the web app's Analysis page at a million answers cannot hold every answer in memory.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import asdict, dataclass, field, replace

import numpy as np
from scipy.stats import chi2_contingency, false_discovery_control, fisher_exact, norm

from consulta.analysis.constants import OTHER

_Z95 = float(norm.ppf(0.975))


@dataclass(frozen=True)
class GroupStat:
    column: str
    group: str
    theme: str
    n: float | None
    count: float | None
    prevalence: float | None
    ci_low: float | None
    ci_high: float | None
    lift: float | None
    p_value: float | None
    q_value: float | None
    suppressed: bool


@dataclass
class GroupCounts:
    """One group of a column, counted: ``answers`` decides suppression, ``n`` and ``counts``
    (theme -> weight of its answers carrying it) are sums of weights (1 each unweighted)."""

    answers: int = 0
    n: float = 0.0
    counts: dict[str, float] = field(default_factory=dict)


def who_said_what_counts(column: str, groups: Mapping[str, GroupCounts], themes: Iterable[str],
                         min_group_size: int = 10) -> list[GroupStat]:
    """who_said_what for one column from its groups' counts: the same GroupStats, sorted by
    group and theme, with q-values across the column."""
    ordered = dict(sorted((str(g).strip(), c) for g, c in groups.items() if str(g).strip()))
    return _with_q_values(stats_from_counts(column, ordered, sorted({str(t) for t in themes}),
                                       min_group_size))


def who_said_what(
    assignments: Mapping[Hashable, Iterable[Hashable]],
    groups: Mapping[Hashable, Mapping[str, object]],
    weights: Mapping[Hashable, float] | None = None,
    min_group_size: int = 10,
) -> list[GroupStat]:
    """One GroupStat per (column, group, theme), sorted by column, group and theme."""
    themes = sorted({str(t) for found in assignments.values() for t in found})
    has = {answer: {str(t) for t in found} for answer, found in assignments.items()}
    weight = {answer: float(weights.get(answer, 1.0)) if weights else 1.0 for answer in has}
    columns = sorted({str(c) for answer in has for c in groups.get(answer, {})})
    stats: list[GroupStat] = []
    for column in columns:
        members = _members(has, groups, column)
        stats.extend(_column_stats(column, members, has, weight, themes, min_group_size))
    return _with_q_values(stats)


def wilson_interval(count, n, z: float = _Z95) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval for count/n (vectorised; no continuity correction).

    The same as scipy's ``binomtest(count, n).proportion_ci(method="wilson")`` for whole
    numbers, and defined for weighted (fractional) counts too.
    """
    count, n = np.asarray(count, dtype=float), np.asarray(n, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = count / n
        denominator = 1 + z * z / n
        centre = (p + z * z / (2 * n)) / denominator
        half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    return np.clip(centre - half, 0.0, 1.0), np.clip(centre + half, 0.0, 1.0)


def group_rows(stats: Iterable[GroupStat]) -> list[dict]:
    """GroupStats as rows for groups.csv: rounded numbers, "" where there is none."""
    rows = []
    for stat in stats:
        row = asdict(stat)
        for key in ("n", "count"):
            row[key] = _number(row[key], 2)
        for key in ("prevalence", "ci_low", "ci_high"):
            row[key] = _number(row[key], 4)
        row["lift"] = _number(row["lift"], 3)
        for key in ("p_value", "q_value"):
            row[key] = "" if row[key] is None else float(f"{row[key]:.4g}")
        row["suppressed"] = "yes" if stat.suppressed else ""
        rows.append(row)
    return rows


GROUP_COLUMNS = tuple(GroupStat.__dataclass_fields__)


def answer_group_rows(answers, campaigns=None, *, min_group_size: int = 10) -> list[dict]:
    """groups.csv rows for one question's answer results (pipeline.AnswerResult): the themes
    each non-empty answer carries ("other" aside) by its groups; with ``campaigns``, each
    campaign counts once."""
    from consulta.analysis.campaigns import campaign_weights

    said = [row for row in answers if not row.empty]
    assignments = {row.id: {t for t in row.themes if t != OTHER} for row in said}
    weights = campaign_weights(campaigns, assignments) if campaigns is not None else None
    return group_rows(who_said_what(assignments, {row.id: row.groups for row in said},
                                    weights=weights, min_group_size=min_group_size))


def _members(has, groups, column: str) -> dict[str, list[Hashable]]:
    members: dict[str, list[Hashable]] = {}
    for answer in has:
        value = groups.get(answer, {}).get(column)
        if value is None or not str(value).strip():
            continue
        members.setdefault(str(value).strip(), []).append(answer)
    return dict(sorted(members.items()))


def _column_stats(column, members, has, weight, themes, min_group_size) -> list[GroupStat]:
    groups = {
        group: GroupCounts(len(answers), sum(weight[a] for a in answers),
                           {t: sum(weight[a] for a in answers if t in has[a]) for t in themes})
        for group, answers in members.items()
    }
    return stats_from_counts(column, groups, themes, min_group_size)


def stats_from_counts(column: str, groups: Mapping[str, GroupCounts], themes: list[str],
                      min_group_size: int) -> list[GroupStat]:
    """One column's GroupStats from its groups' counts, in the groups' order, without
    q-values (the caller sets them over every column it tests together)."""
    total_n = sum(counted.n for counted in groups.values())
    total_count = {t: sum(c.counts.get(t, 0.0) for c in groups.values()) for t in themes}
    stats = []
    for group, counted in groups.items():
        if counted.answers < min_group_size:
            stats.extend(GroupStat(column, group, t, None, None, None, None, None, None, None,
                                   None, True) for t in themes)
            continue
        n = counted.n
        counts = [counted.counts.get(t, 0.0) for t in themes]
        lows, highs = wilson_interval(counts, [n] * len(themes))
        for theme, count, low, high in zip(themes, counts, lows.tolist(), highs.tolist()):
            rest_n, rest_count = total_n - n, total_count[theme] - count
            stats.append(GroupStat(
                column, group, theme, _tidy(n), _tidy(count),
                count / n if n > 0 else None,
                low if n > 0 else None, high if n > 0 else None,
                _lift(count, n, rest_count, rest_n),
                _p_value(count, n, rest_count, rest_n), None, False,
            ))
    return stats


def _lift(count: float, n: float, rest_count: float, rest_n: float) -> float | None:
    """Prevalence in the group over prevalence in everyone else; None when undefined."""
    if n <= 0 or rest_n <= 0 or rest_count <= 0:
        return None
    return (count / n) / (rest_count / rest_n)


def _p_value(count: float, n: float, rest_count: float, rest_n: float) -> float | None:
    if rest_n <= 0:
        return None  # nobody else to compare with
    table = np.rint([[count, n - count], [rest_count, rest_n - rest_count]]).astype(int)
    table = np.maximum(table, 0)
    rows, cols = table.sum(axis=1), table.sum(axis=0)
    if (rows == 0).any() or (cols == 0).any():
        return 1.0  # no variation: nothing to test
    expected = np.outer(rows, cols) / table.sum()
    if expected.min() < 5:
        return float(fisher_exact(table).pvalue)
    return float(chi2_contingency(table).pvalue)


def _with_q_values(stats: list[GroupStat]) -> list[GroupStat]:
    tested = [i for i, s in enumerate(stats) if s.p_value is not None]
    if not tested:
        return stats
    q_values = false_discovery_control([stats[i].p_value for i in tested], method="bh")
    result = list(stats)
    for i, q in zip(tested, q_values.tolist()):
        result[i] = replace(stats[i], q_value=float(q))
    return result


def _tidy(value: float) -> float | int:
    """Whole numbers as int (the unweighted case), others unchanged."""
    return int(value) if float(value).is_integer() else value


def _number(value, digits: int):
    if value is None:
        return ""
    if isinstance(value, int) or (isinstance(value, float) and value.is_integer()):
        return int(value)
    return round(value, digits) if math.isfinite(value) else ""
