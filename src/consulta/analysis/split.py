"""Re-clustering one theme into a few parts, for an analyst who finds it says several things.

``split_points`` partitions the theme's answers (their embeddings) with k-means; ``split_theme``
also names each part as the analysis names themes (labels.ThemeLabeller: a key point in the
answers' own words, key phrases, a summary). Parts come largest first, so the caller can leave
the largest in the theme being split and make the others new themes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from consulta.analysis.labels import ThemeLabeller


@dataclass
class SplitPart:
    members: list[int]  # indexes into the texts given
    label: str
    summary: str
    keywords: str


def split_points(embeddings: np.ndarray, parts: int, seed: int = 0) -> np.ndarray:
    """Each row's part (0..parts-1, part 0 the largest) by k-means on unit-length rows."""
    from sklearn.cluster import KMeans

    X = np.asarray(embeddings, dtype=float)
    if not 2 <= parts <= len(X):
        raise ValueError(f"Cannot split {len(X)} answers into {parts} parts.")
    norms = np.linalg.norm(X, axis=1, keepdims=True)
    X = np.divide(X, norms, out=np.zeros_like(X), where=norms > 0)
    labels = KMeans(n_clusters=parts, n_init=10, random_state=seed).fit_predict(X)
    # Largest first, ties by first member: the same order for the same input.
    order = sorted(range(parts), key=lambda p: (-int((labels == p).sum()),
                                                int(np.flatnonzero(labels == p)[0])))
    return np.array([order.index(p) for p in labels])


def split_theme(texts: Sequence[str], embeddings: np.ndarray, parts: int, *, seed: int = 0,
                question: str = "") -> list[SplitPart]:
    """The theme's answers in ``parts`` parts, largest first, each named."""
    labels = split_points(embeddings, parts, seed)
    X = np.asarray(embeddings, dtype=float)
    centroids = np.array([_unit(X[labels == p].mean(axis=0)) for p in range(parts)])
    named = ThemeLabeller(question=question).fit(list(texts), labels, X, centroids).labels_
    return [SplitPart(members=np.flatnonzero(labels == p).tolist(), label=found.label,
                      summary=found.summary, keywords=found.keywords)
            for p, found in enumerate(named)]


def _unit(vector: np.ndarray) -> np.ndarray:
    norm = np.linalg.norm(vector)
    return vector / norm if norm > 0 else vector
