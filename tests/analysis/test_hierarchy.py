"""Broad themes: specific themes grouped by Ward's criterion, weighted by their sizes."""

from __future__ import annotations

import numpy as np

from consulta.analysis.hierarchy import group_themes


def points(centre: list[float], n: int) -> np.ndarray:
    return np.tile(np.array(centre, dtype=float), (n, 1))


def test_it_groups_near_themes_and_keeps_far_ones_apart():
    # two pairs of near themes, far from each other; about a third as many groups as themes
    X = np.vstack([points([1, 0, 0], 10), points([0.9, 0.1, 0], 10),
                   points([0, 0, 1], 10), points([0, 0.1, 0.9], 10),
                   points([0, 1, 0], 10), points([0.1, 0.9, 0], 10)])
    labels = np.repeat(np.arange(6), 10)
    groups = group_themes(X, labels, 6)
    assert len(set(groups)) == 2
    assert groups[0] == groups[1] and groups[2] == groups[3]
    assert groups[0] != groups[2]


def test_a_big_theme_needs_to_be_closer_to_join_than_a_small_one():
    # themes 1 and 2 are equally far from theme 0, but 1 is big: Ward joins the small one
    X = np.vstack([points([1, 0], 50), points([0.8, 0.6], 200), points([0.8, -0.6], 5),
                   points([-1, 0], 50)])
    labels = np.repeat([0, 1, 2, 3], [50, 200, 5, 50])
    groups = group_themes(X, labels, 4, ratio=0.75)  # three groups: one merge
    assert groups[0] == groups[2] and len(set(groups)) == 3


def test_biggest_group_first_and_few_themes_left_alone():
    X = np.vstack([points([1, 0], 5), points([0.99, 0.1], 5), points([0, 1], 30),
                   points([0.1, 0.99], 30)])
    labels = np.repeat([0, 1, 2, 3], [5, 5, 30, 30])
    groups = group_themes(X, labels, 4, ratio=0.5)
    assert list(groups) == [1, 1, 0, 0]
    assert list(group_themes(X[:40], labels[:40], 3)) == [0, 1, 2]


def test_points_without_a_theme_are_ignored():
    X = np.vstack([points([1, 0], 5), points([0.9, 0.1], 5), points([0, 1], 5),
                   points([0.1, 0.9], 5), points([-1, 0], 3)])
    labels = np.concatenate([np.repeat([0, 1, 2, 3], 5), [-1, -1, -1]])
    groups = group_themes(X, labels, 4, ratio=0.5)
    assert groups[0] == groups[1] and groups[2] == groups[3] and groups[0] != groups[2]
