"""who_said_what: prevalence, Wilson intervals, lift, tests, BH q-values, suppression, weights."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.stats import binomtest, chi2, hypergeom

from consulta.analysis.groups import GroupStat, group_rows, who_said_what, wilson_interval


def test_wilson_interval_matches_the_hand_computation_and_scipy():
    z = 1.959963984540054
    p, n = 0.3, 10
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    low, high = wilson_interval(3, 10)
    assert float(low) == pytest.approx(centre - half) and float(high) == pytest.approx(centre + half)
    assert (round(float(low), 4), round(float(high), 4)) == (0.1078, 0.6032)
    for count, total in [(0, 10), (3, 10), (10, 10), (17, 250), (1, 1)]:
        expected = binomtest(count, total).proportion_ci(method="wilson")
        low, high = wilson_interval(count, total)
        assert (float(low), float(high)) == pytest.approx((expected.low, expected.high))


def survey(a_with: int, a_size: int, b_with: int, b_size: int, theme: str = "t1"):
    """Answers in sectors A and B; the first ``*_with`` of each carry ``theme``."""
    assignments, groups = {}, {}
    for sector, with_theme, size in (("A", a_with, a_size), ("B", b_with, b_size)):
        for i in range(size):
            answer = f"{sector}{i}"
            assignments[answer] = {theme} if i < with_theme else {"other"}
            groups[answer] = {"sector": sector}
    return assignments, groups


def stat(stats: list[GroupStat], group: str, theme: str = "t1") -> GroupStat:
    return next(s for s in stats if s.group == group and s.theme == theme)


def test_it_reports_prevalence_lift_and_a_chi_square_test():
    stats = who_said_what(*survey(10, 20, 2, 20))
    a = stat(stats, "A")
    assert (a.column, a.n, a.count, a.prevalence) == ("sector", 20, 10, 0.5)
    assert a.lift == pytest.approx(0.5 / 0.1)
    assert (a.ci_low, a.ci_high) == pytest.approx(tuple(float(v) for v in wilson_interval(10, 20)))
    # Table [[10, 10], [2, 18]]: every expected cell is 6 or more, so chi-square with Yates.
    n, ad_bc = 40, abs(10 * 18 - 10 * 2)
    statistic = n * (ad_bc - n / 2) ** 2 / (20 * 20 * 12 * 28)
    assert a.p_value == pytest.approx(chi2.sf(statistic, 1))
    assert stat(stats, "B").lift == pytest.approx(0.1 / 0.5)


def test_it_uses_fisher_exact_for_small_counts():
    stats = who_said_what(*survey(3, 10, 1, 30))
    # Table [[3, 7], [1, 29]] has expected cells under 5: two-sided Fisher, summed by hand.
    distribution = hypergeom(40, 4, 10)
    observed = distribution.pmf(3)
    expected = sum(distribution.pmf(k) for k in range(5) if distribution.pmf(k) <= observed * (1 + 1e-7))
    assert stat(stats, "A").p_value == pytest.approx(expected)


def test_q_values_are_benjamini_hochberg_across_all_tests():
    assignments, groups = survey(10, 20, 2, 20)
    for i, answer in enumerate(sorted(groups)):
        groups[answer]["role"] = "officer" if i % 2 else "staff"
    stats = who_said_what(assignments, groups)
    tested = [s for s in stats if s.p_value is not None]
    assert len(tested) == 8  # 2 columns x 2 groups x 2 themes
    p = np.array([s.p_value for s in tested])
    order = np.argsort(p)
    ranked = p[order] * len(p) / np.arange(1, len(p) + 1)
    expected = np.minimum(1, np.minimum.accumulate(ranked[::-1])[::-1])
    assert np.allclose(np.array([s.q_value for s in tested])[order], expected)
    assert all(s.q_value >= s.p_value for s in tested)


def test_small_groups_are_suppressed_but_still_count_as_everyone_else():
    assignments, groups = survey(5, 10, 0, 30)
    for i in range(9):
        assignments[f"C{i}"] = {"t1"}
        groups[f"C{i}"] = {"sector": "C"}
    stats = who_said_what(assignments, groups, min_group_size=10)
    c_rows = [s for s in stats if s.group == "C"]
    assert c_rows and all(s.suppressed for s in c_rows)
    assert all(v is None for s in c_rows for v in (s.n, s.count, s.prevalence, s.ci_low,
                                                   s.ci_high, s.lift, s.p_value, s.q_value))
    # Everyone else for A is B and C: 9 of 39 carry t1.
    assert stat(stats, "A").lift == pytest.approx(0.5 / (9 / 39))
    rows = [r for r in group_rows(stats) if r["group"] == "C"]
    assert rows[0]["suppressed"] == "yes" and rows[0]["n"] == "" and rows[0]["count"] == ""


def test_weights_let_a_campaign_count_once():
    assignments, groups = survey(2, 10, 2, 10)
    for i in range(20):  # a 20-member campaign in sector A, all on t1
        assignments[f"camp{i}"] = {"t1"}
        groups[f"camp{i}"] = {"sector": "A"}
    weights = {f"camp{i}": 1 / 20 for i in range(20)}
    weighted = stat(who_said_what(assignments, groups, weights=weights), "A")
    assert weighted.n == pytest.approx(11) and weighted.count == pytest.approx(3)
    assert weighted.prevalence == pytest.approx(3 / 11)
    unweighted = stat(who_said_what(assignments, groups), "A")
    assert (unweighted.n, unweighted.count) == (30, 22)


def test_answers_without_a_value_are_left_out_of_that_column():
    assignments, groups = survey(5, 10, 5, 10)
    assignments["x"], groups["x"] = {"t1"}, {"sector": "  "}
    assignments["y"] = {"t1"}  # no groups at all
    stats = who_said_what(assignments, groups)
    assert {s.group for s in stats} == {"A", "B"} and stat(stats, "A").n == 10


def test_a_column_with_one_group_has_no_comparison():
    assignments = {i: {"t1"} if i < 4 else set() for i in range(12)}
    groups = {i: {"phase": "1"} for i in range(12)}
    only = stat(who_said_what(assignments, groups), "1")
    assert (only.n, only.count, only.lift, only.p_value, only.q_value) == (12, 4, None, None, None)


def test_it_is_sorted_and_writes_csv_rows():
    stats = who_said_what(*survey(10, 20, 2, 20))
    keys = [(s.column, s.group, s.theme) for s in stats]
    assert keys == sorted(keys) == [("sector", "A", "other"), ("sector", "A", "t1"),
                                    ("sector", "B", "other"), ("sector", "B", "t1")]
    row = group_rows(stats)[1]
    assert row["n"] == 20 and row["prevalence"] == 0.5 and row["suppressed"] == ""
    assert row["lift"] == 5.0 and isinstance(row["q_value"], float)
    assert who_said_what({}, {}) == []
