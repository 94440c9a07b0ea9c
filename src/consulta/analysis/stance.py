"""Stance towards the question, and themes that keep to one side.

Where a question puts a proposal or a statement ("We should abandon school uniform", "Do you
agree the station should close?"), answers take sides, and a theme that quotes "should be
mandatory" beside "should not be mandatory" misleads. This module:

- decides whether a question takes sides, from its wording (``takes_sides``): a statement or a
  question about a proposal does ("should", "agree", "support", "ban"...); an open question
  ("What works well?", "How could we improve?") does not, and then every stance is "neither"
  and no theme is touched;
- scores each point's stance (``StanceClassifier``): a small network over the features
  [u, c, u*c, p*c] of the question's vector u, the point's vector v less the mean of the
  question's points (c; the run's embedder) and the proposal's polarity p (-1 for "ban",
  "abolish", "close"...),
  trained on ArgKP-2021 train by benchmarks/analysis/build_stance_model.py and shipped as
  ``data/stance_model.npz`` (ADR 0010). It needs the transformer's 384-dimensional space; with
  another embedder (TF-IDF fallback) points are "neither". A point is "for" or "against" only
  when the model is confident (probability beyond 0.5 +- ``margin``);
- splits themes that mix sides (``keep_sides``): a theme whose confident points are less than
  ``purity`` (60%) one side loses its minority side to a new sibling theme when that side has at
  least ``min_size`` points (``move_small``: smaller minorities move to the most similar theme
  of their side; off by default, as it cost theme recall on ArgKP train, 0.30 -> 0.29, for
  +0.01 purity); broad themes are regrouped so that each holds sub-themes of one side. Run on a fresh fit only: with
  ``--previous`` themes keep their ids and are not split.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from importlib import resources

import numpy as np

from consulta.analysis.constants import AGAINST, FOR, NEITHER

MODEL_FILE = "stance_model.npz"
CHUNK = 20_000  # points scored at a time: 120 MB of features at most
#: Words that put a proposal or a statement to the respondent.
_SIDED = re.compile(
    r"\b(should|shouldn't|must|ought|agree|disagree|support|oppose|propos\w*|in favou?r|"
    r"for or against|ban|banned|abolish\w*|abandon|legali[sz]e|prohibit\w*|introduce|adopt|"
    r"allow(ed)?|end|close|keep|scrap)\b", re.IGNORECASE)
#: In an open question ("How far do you agree…?"): words that still ask for a side; "How can we
#: better support victims?" does not.
#: Proposals to remove or stop something: a point for the thing is against the proposal.
_REMOVING = re.compile(
    r"\b(abandon\w*|abolish\w*|abolition|ban|banned|banning|end|ending|prohibit\w*|close|"
    r"closing|closure|fight|stop|stopping|scrap\w*|criminal|limit\w*|restrict\w*|reduce|"
    r"reducing|cut|cutting|remove|removing|withdraw\w*)\b", re.IGNORECASE)
_NEGATIONS = frozenset(["not", "no", "never", "nor", "cannot", "dont", "shouldnt"])
_AGREE = re.compile(r"\b(agree|disagree|in favou?r|for or against|you (support|oppose))\b",
                    re.IGNORECASE)
_STATEMENT_VERB = re.compile(r"\b(is|are|was|were|has|have|will|would|can|does|do)\b",
                             re.IGNORECASE)
_OPEN_START = re.compile(r"^\s*(what|how|why|which|where|when|who|please|tell|describe|list|any)\b",
                         re.IGNORECASE)


def takes_sides(wording: str) -> bool:
    """Whether answers to this question take sides: a proposal or statement, not an open ask."""
    words = wording.split()
    if len(words) < 3:  # an id ("q1") or a heading says nothing of the question's kind
        return False
    if _OPEN_START.match(wording):  # "What should we do?" is open; "How far do you agree…" not
        return bool(_AGREE.search(wording))
    if _SIDED.search(wording):
        return True
    # A statement put to respondents ("The USA is a good country to live in"): a finite verb,
    # no question mark and no open-question opener (so not a heading, "Thinking about ...").
    return bool(_STATEMENT_VERB.search(wording)) and not wording.rstrip().endswith("?")


def pair_features(U: np.ndarray, V: np.ndarray, centre: np.ndarray,
                  polarity: float = 1.0) -> np.ndarray:
    """[u, c, u*c, p*c] per row, c = v - centre: the question's vector u beside each point's
    vector v taken from the mean of the question's points (``centre``), and c signed by the
    proposal's polarity p (``proposal_polarity``).

    Centring removes what every answer to the question shares (its topic) and leaves how
    answers differ, where their sides are; p*c lets "uniforms help against bullying" count
    against "We should abandon school uniform" and for "We should keep school uniform".
    Across ArgKP train's topics (4 folds by topic) centring took accuracy on unseen topics from
    0.61 to 0.64, and the polarity to 0.75."""
    U = np.asarray(U, dtype=np.float32)
    C = np.asarray(V, dtype=np.float32) - np.asarray(centre, dtype=np.float32)
    return np.hstack([U, C, U * C, np.float32(polarity) * C])


def proposal_polarity(wording: str) -> float:
    """-1 when the proposal is to remove or stop something ("ban", "abolish", "close"), else 1."""
    return -1.0 if _REMOVING.search(wording) else 1.0


def centre_of(X: np.ndarray) -> np.ndarray:
    """The mean of the rows with content (all-zero rows have none)."""
    rows = X[np.linalg.norm(X, axis=1) > 0]
    return rows.mean(axis=0) if len(rows) else np.zeros(X.shape[1], dtype=np.float32)


def restated_side(wording: str, text: str) -> int:
    """+1 when a point restates the proposal's key verb ("abandon" in "We should abandon school
    uniform"), -1 when it negates it ("we should not abandon them"), 0 when it does neither.

    The sentence model hardly sees "not"; a respondent who answers in the question's own words
    leaves no doubt, so this overrides the model."""
    verb = _key_verb(wording)
    if not verb:
        return 0
    words = re.findall(r"[a-z']+", text.lower())
    for i, word in enumerate(words):
        if word.startswith(verb):
            before = words[max(0, i - 3):i]
            negated = any(w in _NEGATIONS or w.endswith("n't") for w in before)
            return -1 if negated else 1
    return 0


def _key_verb(wording: str) -> str:
    """The stem (first 5 letters) of the word the proposal turns on: after "should"/"must"."""
    words = re.findall(r"[a-z']+", wording.lower())
    for i, word in enumerate(words):
        if word in ("should", "must"):
            rest = [w for w in words[i + 1:i + 4] if w not in ("be", "not", "we", "a", "an", "the")]
            return rest[0][:5] if rest and len(rest[0]) >= 4 else ""
    return ""


def side_of(probability: float, margin: float) -> str:
    if probability >= 0.5 + margin:
        return FOR
    if probability <= 0.5 - margin:
        return AGAINST
    return NEITHER


class StanceClassifier:
    """Each point's probability of arguing for the question's proposal. ``fit`` loads weights."""

    def __init__(self, margin: float = 0.05, weights: dict | None = None):
        self.margin = margin
        self.weights = weights  # tests pass their own; None: the shipped model

    def fit(self) -> StanceClassifier:
        weights = self.weights
        if weights is None:
            path = resources.files("consulta.analysis") / "data" / MODEL_FILE
            with resources.as_file(path) as file, np.load(file) as data:
                weights = {k: data[k] for k in ("w1", "b1", "w2", "b2")}
        self.w1_ = np.asarray(weights["w1"], dtype=np.float32)
        self.b1_ = np.asarray(weights["b1"], dtype=np.float32)
        self.w2_ = np.asarray(weights["w2"], dtype=np.float32).reshape(-1)
        self.b2_ = float(np.asarray(weights["b2"]).reshape(-1)[0])
        self.dimensions_ = self.w1_.shape[0] // 4
        return self

    def predict_proba(self, question_vector: np.ndarray, X: np.ndarray,
                      polarity: float = 1.0) -> np.ndarray | None:
        """P(for) per row of X (a question's points); None when the vectors are not of the
        model's space. ``polarity``: the question's ``proposal_polarity``."""
        X = np.asarray(X, dtype=np.float32)
        u = np.asarray(question_vector, dtype=np.float32).reshape(-1)
        if X.ndim != 2 or X.shape[1] != self.dimensions_ or u.shape[0] != self.dimensions_:
            return None
        centre, p = centre_of(X), np.empty(len(X))
        for start in range(0, len(X), CHUNK):  # 4 x 384 features a point: 6 kB, so in chunks
            part = X[start:start + CHUNK]
            features = pair_features(np.broadcast_to(u, part.shape), part, centre, polarity)
            hidden = np.maximum(features @ self.w1_ + self.b1_, 0.0)
            p[start:start + CHUNK] = 1.0 / (1.0 + np.exp(-(hidden @ self.w2_ + self.b2_)))
        p[np.linalg.norm(X, axis=1) == 0] = 0.5  # no content: no side
        return p

    def sides(self, probabilities: Sequence[float]) -> list[str]:
        return [side_of(float(p), self.margin) for p in probabilities]


def answer_sides(n_answers: int, owner: Sequence[int], probabilities: Sequence[float],
                 words: Sequence[int], margin: float) -> list[str]:
    """An answer's side: its points' probabilities averaged, weighted by their words."""
    lean = np.zeros(n_answers)
    weight = np.zeros(n_answers)
    for answer, p, n in zip(owner, probabilities, words):
        lean[answer] += (float(p) - 0.5) * max(n, 1)
        weight[answer] += max(n, 1)
    return [side_of(0.5 + (lean[i] / weight[i] if weight[i] else 0.0), margin)
            for i in range(n_answers)]


# --- one side per theme -----------------------------------------------------------------------


def keep_sides(model, X: np.ndarray, sides: Sequence[str], purity: float = 0.6,
               min_size: int | None = None, move_small: bool = False) -> dict[str, str]:
    """Split ``model``'s (a fitted themes.ThemeModel) themes so none mixes sides; returns each
    theme id's side (specific and broad). Updates the model's learned state in place:
    ``labels_``, ``theme_ids_``, ``parents_``, ``centroids_`` and the broad themes'.

    ``purity`` 0.6, not 0.8-0.9: the model is right about 3 times in 4 where it is sure, so a
    theme wholly on one side still shows about a quarter of its points on the other; only a
    minority beyond 40% says the theme mixes sides. (0.85 split nearly every theme and cost
    theme recall on ArgKP train, 0.305 -> 0.293, for +0.02 purity.)"""
    from consulta.analysis.themes import _centroids

    labels = np.array(model.labels_, dtype=int)
    side = np.array([{FOR: 1, AGAINST: -1}.get(s, 0) for s in sides], dtype=int)
    min_size = min_size or getattr(model, "min_size_", 5)
    groups = [model.parents_.get(t) or t for t in model.theme_ids_]  # each theme's broad id
    labels, groups = _split_mixed(X, labels, side, groups, purity, min_size, move_small)
    theme_side = [_majority(side[labels == t]) for t in range(len(groups))]
    ids, parents, order = _renumber(labels, groups, theme_side)
    remap = np.full(len(groups), -1)
    remap[order] = np.arange(len(order))
    model.labels_ = np.where(labels >= 0, remap[np.maximum(labels, 0)], -1)
    model.theme_ids_ = ids
    model.parents_ = parents
    model.centroids_ = _centroids(X, model.labels_, len(ids))
    model.group_ids_ = list(dict.fromkeys(p for p in parents.values() if p))
    group_of = np.array([model.group_ids_.index(parents[t]) if parents[t] else -1 for t in ids]
                        + [-1], dtype=int)
    model.group_labels_ = group_of[model.labels_]
    model.group_centroids_ = _centroids(X, model.group_labels_, len(model.group_ids_))
    stances = {ids[new]: theme_side[old] for new, old in enumerate(order)}
    for theme, parent in parents.items():
        if parent:
            stances[parent] = stances[theme]  # a broad theme holds sub-themes of one side
    return stances


def theme_sides(model, sides: Sequence[str]) -> dict[str, str]:
    """Each theme's majority side without splitting (with ``--previous``, ids are kept)."""
    side = np.array([{FOR: 1, AGAINST: -1}.get(s, 0) for s in sides], dtype=int)
    labels = np.asarray(model.labels_)
    out = {theme: _majority(side[labels == t]) for t, theme in enumerate(model.theme_ids_)}
    for parent in dict.fromkeys(p for p in model.parents_.values() if p):
        members = [t for t, theme in enumerate(model.theme_ids_)
                   if model.parents_.get(theme) == parent]
        out[parent] = _majority(side[np.isin(labels, members)])
    return out


def _majority(sides: np.ndarray) -> str:
    n_for, n_against = int((sides > 0).sum()), int((sides < 0).sum())
    if n_for == n_against:
        return NEITHER
    return FOR if n_for > n_against else AGAINST


def _split_mixed(X, labels, side, groups, purity, min_size, move_small=True):
    """Each mixed theme's minority side leaves it: a new theme, or the nearest theme of its side.

    ``groups``: per theme, the broad theme it belongs to; a new theme joins its origin's."""
    from consulta.analysis.themes import _centroids, _unit

    groups = list(groups)
    for theme in range(len(groups)):
        members = np.flatnonzero(labels == theme)
        n_for = int((side[members] > 0).sum())
        n_against = int((side[members] < 0).sum())
        if min(n_for, n_against) == 0 or max(n_for, n_against) >= purity * (n_for + n_against):
            continue
        minority = -1 if n_for >= n_against else 1
        leaving = members[side[members] == minority]
        if len(leaving) >= min_size:
            labels[leaving] = len(groups)
            groups.append(groups[theme])
            continue
        if not move_small:
            continue
        centroids = _centroids(X, labels, len(groups))
        same_side = [t for t in range(len(groups)) if t != theme and
                     _majority(side[labels == t]) == {1: FOR, -1: AGAINST}[minority]]
        if same_side:
            similarity = centroids[same_side] @ _unit(X[leaving].mean(axis=0))
            labels[leaving] = same_side[int(np.argmax(similarity))]
    return labels, groups


def _renumber(labels, groups, theme_side):
    """Broad themes of one side each, biggest first, named as themes._group names them.

    A broad theme's sub-themes of the side with most points stay with it; "neither" sub-themes
    join the biggest side. Returns (ids, parents, order: old theme index per new id)."""
    sizes = np.bincount(labels[labels >= 0], minlength=len(groups))
    parts: dict[tuple, list[int]] = {}
    for group in dict.fromkeys(groups):
        members = [t for t in range(len(groups)) if groups[t] == group and sizes[t] > 0]
        by_side: dict[str, list[int]] = {}
        for t in members:
            by_side.setdefault(theme_side[t], []).append(t)
        if NEITHER in by_side and len(by_side) > 1:
            biggest = max((s for s in by_side if s != NEITHER),
                          key=lambda s: sum(sizes[t] for t in by_side[s]))
            by_side[biggest] += by_side.pop(NEITHER)
        for s, themes in by_side.items():
            parts[(group, s)] = sorted(themes, key=lambda t: (-sizes[t], t))
    ranked = sorted(parts.values(), key=lambda ts: (-sum(sizes[t] for t in ts), ts[0]))
    ids, parents, order = [], {}, []
    for number, members in enumerate(ranked, start=1):
        top = f"t{number:02d}"
        for position, theme in enumerate(members, start=1):
            ids.append(top if len(members) == 1 else f"{top}.{position}")
            parents[ids[-1]] = None if len(members) == 1 else top
            order.append(theme)
    return ids, parents, order


# --- one question, as the pipeline asks ------------------------------------------------------


@dataclass
class QuestionStance:
    """A question's sides: whether it takes them, each point's and each answer's side."""

    sided: bool
    points: list[str] = field(default_factory=list)
    answers: list[str] = field(default_factory=list)  # "" for an empty answer
    themes: dict[str, str] = field(default_factory=dict)  # theme id -> side, once split


def stance_of_question(classifier: StanceClassifier, embed: Callable, wording: str,
                       X: np.ndarray, owner: Sequence[int], words: Sequence[int],
                       answered: Sequence[bool], texts: Sequence[str] = ()) -> QuestionStance:
    """Sides of a question's points (rows of X, point p from answer owner[p]) and answers.

    ``embed``: the run's embedder (texts -> vectors), for the question's wording;
    ``answered``: per answer, whether it has text."""
    neither = QuestionStance(False, [NEITHER] * len(X),
                             [NEITHER if a else "" for a in answered])
    if not len(X) or not takes_sides(wording):
        return neither
    probabilities = classifier.predict_proba(embed([wording])[0], X,
                                             proposal_polarity(wording))
    if probabilities is None:  # not the model's embedding space (e.g. the TF-IDF fallback)
        return neither
    for p, text in enumerate(texts):
        restated = restated_side(wording, text)
        if restated:
            probabilities[p] = 0.9 if restated > 0 else 0.1
    sides = answer_sides(len(answered), owner, probabilities, words, classifier.margin)
    return QuestionStance(True, classifier.sides(probabilities),
                          [s if a else "" for s, a in zip(sides, answered)])


def sides_of_coded_themes(themes: Sequence[str], primaries: Sequence[str | None],
                          answer_stances: Sequence[str], purity: float = 0.85) -> dict[str, str]:
    """An analyst's theme's side: its answers' side when at least ``purity`` of them share it."""
    out = {}
    for theme in themes:
        sides = [s for p, s in zip(primaries, answer_stances) if p == theme and s in (FOR, AGAINST)]
        top = max((FOR, AGAINST), key=sides.count)
        out[theme] = top if sides and sides.count(top) >= purity * len(sides) else NEITHER
    return out


def drop_opposed(codings: Sequence, theme_sides: dict[str, str],
                 answer_stances: Sequence[str], owner: Sequence[int] = (),
                 point_themes: Sequence[str] = ()) -> None:
    """An answer on one side does not also carry themes of the other side that none of its
    points is coded to (coding adds themes an answer is merely near to, and a for and an
    against theme of one topic are near)."""
    opposite = {FOR: AGAINST, AGAINST: FOR}
    own: dict[int, set[str]] = {}
    for answer, theme in zip(owner, point_themes):
        own.setdefault(answer, set()).add(theme)
    for i, (coding, side) in enumerate(zip(codings, answer_stances)):
        if side not in opposite:
            continue
        mine = own.get(i, set()) | {coding.primary}
        for theme in [t for t in coding.themes if theme_sides.get(t) == opposite[side]
                      and t not in mine and not any(m and m.startswith(t + ".") for m in mine)]:
            coding.themes.remove(theme)
            coding.confidences.pop(theme, None)
