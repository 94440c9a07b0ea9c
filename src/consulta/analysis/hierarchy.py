"""Broad themes over specific ones: a question's themes grouped by Ward's criterion.

The theme model cuts a question into fairly specific themes (often 15-30), which agree best
with human coders' codes one answer at a time, but a reader wants a handful of broad themes,
and the themes a coder would name are often broader than one cluster. So the specific themes
are grouped: each broad theme is a group of specific themes (its sub-themes), and an answer
coded to a sub-theme carries its broad theme too.

The grouping is Ward's agglomeration applied to whole themes (each theme a weighted point at
its mean vector), so two big themes need to be much closer than two small ones to be joined:
the same criterion the point-level Ward tree uses, without re-clustering the points. scipy's
``linkage`` has no weights, and with at most a few dozen themes the loop below is instant.
Stopping at about a third as many groups as themes keeps ~3 sub-themes per broad theme; on
ArgKP-2021 train it lifted theme recall from 0.19 to 0.29 with the other ratios tried (a
quarter, a half) within 0.02 (docs/benchmarks.md).
"""

from __future__ import annotations

import numpy as np

#: Broad themes per specific theme: about three sub-themes to a broad theme.
GROUP_RATIO = 1 / 3
#: Fewer specific themes than this are left as they are: grouping three themes says nothing.
MIN_THEMES_TO_GROUP = 4


def group_themes(X: np.ndarray, labels: np.ndarray, n_themes: int,
                 ratio: float = GROUP_RATIO) -> np.ndarray:
    """For each theme 0..n_themes-1, the number of its group (0..g-1, biggest group first).

    ``labels`` are the points' themes (negative: no theme, ignored)."""
    if n_themes < MIN_THEMES_TO_GROUP:
        return np.arange(n_themes)
    sizes = np.bincount(labels[labels >= 0], minlength=n_themes).astype(float)
    means = np.zeros((n_themes, X.shape[1]))
    for theme in range(n_themes):
        if sizes[theme]:
            means[theme] = X[labels == theme].mean(axis=0)
    members = {theme: [theme] for theme in range(n_themes)}
    target = max(2, round(n_themes * ratio))
    while len(members) > target:
        a, b = _cheapest_merge(list(members), sizes, means)
        means[a] = (sizes[a] * means[a] + sizes[b] * means[b]) / (sizes[a] + sizes[b])
        sizes[a] += sizes[b]
        members[a] += members.pop(b)
    ordered = sorted(members.values(), key=lambda m: (-sizes[m[0]], min(m)))
    out = np.zeros(n_themes, dtype=int)
    for number, group in enumerate(ordered):
        out[group] = number
    return out


def _cheapest_merge(keys: list[int], sizes: np.ndarray, means: np.ndarray) -> tuple[int, int]:
    """The pair of groups whose merge raises the within-group sum of squares least (Ward)."""
    best, pair = np.inf, (keys[0], keys[1])
    for i, a in enumerate(keys):
        for b in keys[i + 1:]:
            cost = sizes[a] * sizes[b] / (sizes[a] + sizes[b]) * np.sum((means[a] - means[b]) ** 2)
            if cost < best:
                best, pair = cost, (a, b)
    return pair
