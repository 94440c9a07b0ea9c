"""Themes of one question: clusters of points (answer segments) in embedding space.

How, and why:
- Ward agglomerative clustering (scipy) on the unit vectors of a sample of at most
  ``sample_size`` points. Ward has no random start, and the sample is chosen by a hash of each
  point's text, so the themes do not depend on the seed at all: two runs with different seeds
  agree exactly (the issue asks for ARI >= 0.9; users of LLM tools saw 10 themes one run and
  60 the next). The seed is kept for the parts that may use randomness later.
- The number of themes is not given: it is the number of groups of at least
  ``min_theme_size`` points in the finest Ward partition allowed (``max_themes`` clusters);
  smaller groups, smallest first, join the most similar group (as HDBSCAN's
  ``min_cluster_size`` has them), so a topic cut into small pieces still becomes one theme.
  Choosing the cut by the best cosine silhouette was tried first: with transformer embeddings
  it nearly always picks 2-3 themes (one broad split, e.g. for versus against) and halves the
  agreement with human coders on ArgKP train (AMI 0.11 against 0.29), so it is not used.
- K-means started from the Ward centroids (deterministic: no random init) refines the themes
  on every point; small themes are absorbed again; themes whose centroids are near-duplicates
  (cosine >= ``merge_threshold``, 0.95: sibling themes of one question often sit at 0.85-0.93
  in a sentence-transformer space, and merging at 0.9 lost a third of ArgKP train's themes)
  are merged.
- Few outliers: a point goes to "other" only when it is far less similar to its theme than
  theme members usually are (robust z-score below -3), at most ``max_other_share`` of points.
- Two levels (``sub_themes``, on by default): the themes are grouped into about a third as
  many broad themes (hierarchy.py, ADR 0007); a theme in a group of several becomes a
  sub-theme t01.1 of its broad theme t01. Points stay coded to the specific theme.
- Incremental: ``previous`` keeps each earlier point's theme id (and its broad theme), assigns new points to the
  nearest theme when they look like its members, and creates a theme only from a dense group of
  at least ``min_theme_size`` new points that fit no existing theme.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

OTHER = -1
NO_CONTENT_REASON = "no words the embedder could compare (symbols or numbers only)"


@dataclass
class PreviousThemes:
    """An earlier run of one question: its theme ids and each current point's earlier theme."""

    theme_ids: list[str]
    point_themes: list[str | None]  # per point of this fit: earlier theme id, "other" or None
    parents: dict[str, str | None] = field(default_factory=dict)


def default_min_theme_size(n_points: int) -> int:
    """At least 5 points, and 1% of a big question, so a theme is never a handful of people;
    a small question (under 30 points) allows themes of a sixth of it, at least 2, so twelve
    answers can still say two to five things rather than one thing at 100%."""
    return max(min(5, max(2, n_points // 6)), int(np.ceil(n_points / 100)))


def theme_range(n_points: int) -> tuple[int, int]:
    """The fewest and most themes a question of ``n_points`` points is cut into.

    The variety of what n people can say grows more slowly than n: from about sqrt(n)/2 to
    2.2*sqrt(n) (at least 2 from 6 points), so 12 points give 2-8 and 100 give 5-22; from about
    190 points on, ``max_themes`` (30) binds. At 2*sqrt(n) the ArgKP train topics of 196-214
    arguments lost 1-3 themes and 0.002 AMI, so the cap stays just above them."""
    if n_points < 6:
        return 1, 1
    root = float(np.sqrt(n_points))
    return max(2, int(root / 2)), max(2, round(K_PER_ROOT * root))


#: The most themes per square root of the question's points (theme_range).
K_PER_ROOT = 2.2


class ThemeModel:
    """Finds the themes of one question's points. scikit-learn style: ``fit`` returns self."""

    def __init__(
        self,
        min_theme_size: int | None = None,
        max_themes: int = 30,
        seed: int = 0,
        merge_threshold: float = 0.95,
        max_other_share: float = 0.05,
        sub_themes: bool = True,
        sample_size: int = 3000,
        previous: PreviousThemes | None = None,
    ):
        self.min_theme_size = min_theme_size
        self.max_themes = max_themes
        self.seed = seed
        self.merge_threshold = merge_threshold
        self.max_other_share = max_other_share
        self.sub_themes = sub_themes
        self.sample_size = sample_size
        self.previous = previous

    # -- fitting ---------------------------------------------------------------------------

    def fit(self, embeddings: np.ndarray, texts: Sequence[str] | None = None,
            copies: np.ndarray | None = None) -> ThemeModel:
        """Theme every row of ``embeddings``; ``texts`` (the points' texts) fix the sample.

        ``copies`` (optional, one flag per row): points of a campaign's copies, its first
        member left unflagged. They are left out of the clustering, so a campaign weighs as one
        respondent in what the themes are, then join the theme nearest them."""
        # float32 as the embedders give it: a float64 copy of 250k points is 770 MB.
        X = np.asarray(embeddings, dtype=np.float32)
        n = len(X)
        keys = [str(t) for t in texts] if texts is not None else [str(i) for i in range(n)]
        copies = np.zeros(n, bool) if copies is None else np.asarray(copies, bool)
        self.min_size_ = self.min_theme_size or default_min_theme_size(int((~copies).sum()))
        valid = np.linalg.norm(X, axis=1) > 0
        self.other_reasons_: dict[int, str] = {
            int(i): NO_CONTENT_REASON for i in np.flatnonzero(~valid)
        }
        self.selection_: dict[str, int] = {}
        if self.previous is not None:
            labels, ids = self._fit_incremental(X, valid, keys)
            parents = {theme: self.previous.parents.get(theme) for theme in ids}
        else:
            labels = np.full(n, OTHER)
            rows = np.flatnonzero(valid & ~copies)
            content = X if len(rows) == n else X[rows]  # no copy in the usual case
            labels[rows] = self._cluster(content, [keys[i] for i in rows], record=True)
            _join_nearest(X, labels, np.flatnonzero(valid & copies))
            labels = _merge_duplicates(X, labels, self.merge_threshold)
            labels, ids = _name_themes(self._mark_outliers(X, labels), [])
            parents = dict.fromkeys(ids)
            if self.sub_themes:
                labels, ids, parents = _group(X, labels, ids)
        self.labels_ = labels
        self.theme_ids_ = ids
        self.parents_: dict[str, str | None] = parents
        self.centroids_ = _centroids(X, labels, len(ids))
        self.group_ids_ = list(dict.fromkeys(p for p in parents.values() if p))
        # Each point's broad theme (index into group_ids_; OTHER when its theme stands alone).
        group_of = np.array([self.group_ids_.index(parents[t]) if parents[t] else OTHER
                             for t in ids] + [OTHER], dtype=int)
        self.group_labels_ = group_of[labels]  # labels' OTHER (-1) picks the last entry
        self.group_centroids_ = _centroids(X, self.group_labels_, len(self.group_ids_))
        return self

    def _cluster(self, X: np.ndarray, keys: list[str], record: bool = False) -> np.ndarray:
        """Labels 0..k-1 for the rows of X (all with content)."""
        n = len(X)
        if n < 2 * self.min_size_:
            return np.zeros(n, dtype=int)
        sample = np.sort(_hash_order(keys)[: self.sample_size])
        k_min, k_cap = theme_range(n)
        k_max = min(self.max_themes, n // self.min_size_, k_cap)
        # A smallest theme the caller set wins over the fewest themes the size suggests.
        k_min = 1 if self.min_theme_size else min(k_min, k_max)
        min_in_sample = max(2, int(self.min_size_ * len(sample) / n))
        labels = _finest_cut(X[sample], k_max, min_in_sample, k_min)
        if record:
            self.selection_ = {"ward_cut": int(k_max), "after_absorbing": int(labels.max() + 1)}
        labels = _refine(X, _centroids(X[sample], labels, labels.max() + 1))
        return _absorb(X, labels, self.min_size_, k_min)

    def _mark_outliers(self, X: np.ndarray, labels: np.ndarray,
                       locked: np.ndarray | None = None) -> np.ndarray:
        """Points far less like their theme than members usually are (robust z < -3) -> other.

        ``locked`` points (kept from an earlier run) are measured but never moved."""
        themed = np.flatnonzero(labels != OTHER)
        if len(themed) < 2 * self.min_size_:
            return labels
        centroids = _centroids(X, labels, labels.max() + 1)
        sims = _own_similarity(X, labels, centroids, themed)
        median = float(np.median(sims))
        spread = 1.4826 * float(np.median(np.abs(sims - median))) or 1e-6
        ranked = np.argsort(sims, kind="stable")
        if locked is not None:
            ranked = ranked[~locked[themed[ranked]]]
        ranked = ranked[: int(self.max_other_share * len(themed))]
        labels = labels.copy()
        for position in ranked:
            if (sims[position] - median) / spread >= -3.0:
                break
            row = int(themed[position])
            labels[row] = OTHER
            self.other_reasons_[row] = (
                f"unlike every theme (similarity {sims[position]:.2f} to its nearest; "
                f"theme members typically {median:.2f})"
            )
        return labels

    # -- incremental -------------------------------------------------------------------------

    def _fit_incremental(self, X: np.ndarray, valid: np.ndarray, keys: list[str]):
        """Earlier points keep their theme; new ones join the nearest theme they resemble."""
        ids = list(self.previous.theme_ids)
        index = {theme: i for i, theme in enumerate(ids)}
        earlier = self.previous.point_themes
        # Earlier points keep their theme, or "other" (they were found unlike every theme).
        kept = np.array([bool(valid[i]) and (earlier[i] in index or earlier[i] == "other")
                         for i in range(len(X))], bool)
        labels = np.full(len(X), OTHER)
        labels[kept] = [index.get(earlier[i], OTHER) for i in np.flatnonzero(kept)]
        new = np.flatnonzero(valid & ~kept)
        if not (labels >= 0).any():  # nothing anchors the earlier themes: start afresh with new ids
            labels[new] = self._cluster(X[new], [keys[i] for i in new], record=True)
            return _name_themes(labels, [], reserved=ids)
        centroids = _centroids(X, labels, len(ids))
        floor = _typical_floor(X, labels, centroids, kept & (labels >= 0))
        sims = X[new] @ centroids.T
        nearest = sims.argmax(axis=1)
        fitting = sims[np.arange(len(new)), nearest] >= floor[nearest]
        labels[new[fitting]] = nearest[fitting]
        self._add_new_themes(X, labels, new[~fitting], centroids, keys)
        return _name_themes(self._mark_outliers(X, labels, locked=kept), ids)

    def _add_new_themes(self, X, labels, unassigned, centroids, keys) -> None:
        """Dense groups among the points no theme wants become themes; the rest go nearest."""
        if len(unassigned) >= 2 * self.min_size_:
            found = self._cluster(X[unassigned], [keys[i] for i in unassigned])
            for cluster in np.unique(found):
                members = unassigned[found == cluster]
                centre = _unit(X[members].mean(axis=0))
                duplicate = float((centroids @ centre).max()) >= self.merge_threshold
                if len(members) >= self.min_size_ and not duplicate:
                    labels[members] = labels.max() + 1
        rest = unassigned[labels[unassigned] == OTHER]
        if len(rest):
            labels[rest] = (X[rest] @ centroids.T).argmax(axis=1)

# --- helpers ---------------------------------------------------------------------------------


def _finest_cut(X: np.ndarray, k_max: int, min_size: int, k_min: int = 1) -> np.ndarray:
    """The Ward tree cut into ``k_max`` clusters, clusters under ``min_size`` absorbed (while
    more than ``k_min`` remain)."""
    from scipy.cluster.hierarchy import fcluster, linkage

    if k_max < 2 or len(X) < 3:
        return np.zeros(len(X), dtype=int)
    tree = linkage(X, method="ward")
    return _absorb(X, fcluster(tree, k_max, "maxclust") - 1, min_size, k_min)


def _join_nearest(X: np.ndarray, labels: np.ndarray, rows: np.ndarray) -> None:
    """``rows`` (unlabelled) join the theme whose centroid is nearest, in place."""
    if not len(rows) or labels.max(initial=OTHER) < 0:
        return
    centroids = _centroids(X, labels, labels.max() + 1)
    labels[rows] = (X[rows] @ centroids.T).argmax(axis=1)


def _hash_order(keys: Sequence[str]) -> np.ndarray:
    """Row indexes ordered by a hash of their text: a sample that ignores seed and row order."""
    digests = [hashlib.blake2b(key.encode(), digest_size=8).digest() for key in keys]
    return np.array(sorted(range(len(keys)), key=lambda i: (digests[i], i)), dtype=int)


def _unit(vector: np.ndarray) -> np.ndarray:
    norm = np.linalg.norm(vector)
    return vector / norm if norm > 0 else vector


def _centroids(X: np.ndarray, labels: np.ndarray, k: int) -> np.ndarray:
    centroids = np.zeros((k, X.shape[1]))
    for cluster in range(k):
        members = labels == cluster
        if members.any():
            centroids[cluster] = _unit(X[members].mean(axis=0))
    return centroids


def _refine(X: np.ndarray, centroids: np.ndarray) -> np.ndarray:
    """K-means from given starting centroids: deterministic, and fast on 100k points."""
    from sklearn.cluster import KMeans

    if len(centroids) < 2:
        return np.zeros(len(X), dtype=int)
    model = KMeans(n_clusters=len(centroids), init=centroids, n_init=1, max_iter=50)
    return model.fit(X).labels_


def _absorb(X: np.ndarray, labels: np.ndarray, min_size: int, k_min: int = 1) -> np.ndarray:
    """Clusters under ``min_size``, smallest first, join the cluster with the most similar
    centroid while more than ``k_min`` remain; labels become 0..k-1.

    Small clusters may join each other: a topic that the finest cut broke into small pieces
    becomes one theme instead of being scattered over its neighbours' themes."""
    labels = np.asarray(labels)
    clusters = np.unique(labels[labels != OTHER])
    out = np.full(len(labels), OTHER)
    themed = labels != OTHER
    out[themed] = np.searchsorted(clusters, labels[themed])
    while out.max(initial=OTHER) >= max(1, k_min):
        sizes = np.bincount(out[out >= 0])
        small = int(np.argmin(sizes))
        if sizes[small] >= min_size:
            break
        centroids = _centroids(X, out, len(sizes))
        similarity = centroids @ centroids[small]
        similarity[small] = -np.inf
        target = int(np.argmax(similarity))
        out[out == small] = target
        out[out > small] -= 1
    return out


def _merge_duplicates(X: np.ndarray, labels: np.ndarray, threshold: float) -> np.ndarray:
    """Merge the closest pair of themes while their centroids' cosine reaches ``threshold``."""
    labels = labels.copy()
    while labels.max(initial=OTHER) >= 1:
        centroids = _centroids(X, labels, labels.max() + 1)
        similarity = centroids @ centroids.T
        np.fill_diagonal(similarity, -np.inf)
        a, b = np.unravel_index(np.argmax(similarity), similarity.shape)
        if similarity[a, b] < threshold:
            break
        keep, drop = min(a, b), max(a, b)
        labels[labels == drop] = keep
        labels[labels > drop] -= 1
    return labels


def _own_similarity(X: np.ndarray, labels: np.ndarray, centroids: np.ndarray,
                    rows: np.ndarray, chunk: int = 20_000) -> np.ndarray:
    """Each row's cosine to its own theme's centroid, a chunk at a time (no n x d copies)."""
    out = np.empty(len(rows))
    for start in range(0, len(rows), chunk):
        part = rows[start:start + chunk]
        out[start:start + chunk] = np.einsum("ij,ij->i", X[part], centroids[labels[part]])
    return out


def _typical_floor(X, labels, centroids, kept) -> np.ndarray:
    """Per theme, the similarity to its centroid that 95% of its earlier points reach."""
    rows = np.flatnonzero(kept)
    fits = _own_similarity(X, labels, centroids, rows)
    floor = np.full(len(centroids), np.inf)
    for theme in range(len(centroids)):
        mine = fits[labels[rows] == theme]
        if len(mine):
            floor[theme] = np.percentile(mine, 5)
    return floor


def _by_size(labels: np.ndarray) -> list[int]:
    """Cluster numbers, biggest first (ties: lower number first)."""
    clusters, counts = np.unique(labels[labels != OTHER], return_counts=True)
    return [int(c) for c in clusters[np.lexsort((clusters, -counts))]]


def _name_themes(labels: np.ndarray, kept_ids: list[str], reserved: Sequence[str] = ()):
    """Kept themes keep their ids; new ones, biggest first, get the next free t01, t02...

    Labels below ``len(kept_ids)`` are the kept themes; themes left with no point are dropped.
    Returns (labels renumbered to index the ids, ids).
    """
    next_number = max((_number(t) for t in [*kept_ids, *reserved]), default=0) + 1
    ids, remap = [], {}
    for cluster in [c for c in range(len(kept_ids)) if (labels == c).any()]:
        remap[cluster] = len(ids)
        ids.append(kept_ids[cluster])
    for cluster in [c for c in _by_size(labels) if c >= len(kept_ids)]:
        remap[cluster] = len(ids)
        ids.append(f"t{next_number:02d}")
        next_number += 1
    out = np.array([remap.get(int(c), OTHER) for c in labels], dtype=int)
    return out, ids


def theme_order(theme: str) -> tuple[int, ...]:
    """The numbers of a theme id, to sort by: t01 < t01.2 < t01.10 < t02; () for "other"."""
    if not theme.startswith("t"):
        return ()
    return tuple(int(part) if part.isdigit() else 0 for part in theme[1:].split("."))


def _number(theme: str) -> int:
    """The number of a theme id: 3 for "t03" and for its sub-theme "t03.2"; 0 for others."""
    return (theme_order(theme) or (0,))[0]


def _group(X: np.ndarray, labels: np.ndarray, ids: list[str]):
    """Specific themes grouped into broad ones (hierarchy.py), renamed to match.

    A broad theme of several themes is t01, t02... (biggest first) and its themes are its
    sub-themes t01.1, t01.2... (biggest first); a theme alone in its group keeps a plain id.
    Returns (labels, ids, parents) with the themes in that order.
    """
    from consulta.analysis.hierarchy import group_themes

    groups = group_themes(X, labels, len(ids))
    order, new_ids, parents = [], [], {}
    for number in range(groups.max(initial=-1) + 1):
        members = [int(t) for t in np.flatnonzero(groups == number)]  # already biggest first
        top = f"t{number + 1:02d}"
        for position, theme in enumerate(members, start=1):
            new_ids.append(top if len(members) == 1 else f"{top}.{position}")
            parents[new_ids[-1]] = None if len(members) == 1 else top
            order.append(theme)
    remap = np.full(len(ids), OTHER)
    remap[order] = np.arange(len(order))
    out = np.where(labels >= 0, remap[np.maximum(labels, 0)], OTHER)
    return out, new_ids, parents
