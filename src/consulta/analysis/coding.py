"""Coding answers: a primary theme, every theme that applies with a confidence, and learning
from an analyst's coded examples.

- Confidence: a logistic regression (scikit-learn) trained on the points' theme assignments
  gives each point a probability for every theme; an answer's confidence in a theme is the
  highest probability among its points. Themes that apply: those of its points, plus any theme
  some point gives at least ``secondary_threshold``.
- Primary theme: the theme covering most of the answer's words (its points' themes), so it
  changes only when a point's theme changes (that keeps incremental runs stable).
- Coded examples (``--codes``): a logistic regression on the answers' embeddings learns the
  analyst's themes, mixed with one that adds the answers' character n-grams (``CodedAssignment``);
  agreement is Cohen's kappa over stratified cross-validation.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from consulta.analysis.constants import OTHER


@dataclass
class AnswerCoding:
    primary: str | None  # a theme id, "other", or None for an empty answer
    themes: list[str] = field(default_factory=list)  # most confident first
    confidences: dict[str, float] = field(default_factory=dict)

    @property
    def confidence(self) -> float | None:
        return self.confidences.get(self.primary) if self.primary else None


class ThemeConfidence:
    """Per-point theme probabilities from a logistic regression on the themed points."""

    def __init__(self, max_training_points: int = 5000, C: float = 1.0):
        self.max_training_points = max_training_points
        self.C = C

    def fit(self, embeddings: np.ndarray, labels: np.ndarray, n_themes: int) -> ThemeConfidence:
        from sklearn.linear_model import LogisticRegression

        self.n_themes_ = n_themes
        themed = np.flatnonzero(np.asarray(labels) >= 0)
        # An even spread over the question (by position) keeps fitting fast on 100k points.
        step = max(1, int(np.ceil(len(themed) / self.max_training_points)))
        rows = themed[::step]
        present = np.unique(np.asarray(labels)[rows])
        self.model_ = None
        if len(present) >= 2:
            self.model_ = LogisticRegression(C=self.C, max_iter=500)
            self.model_.fit(embeddings[rows], np.asarray(labels)[rows])
        self.classes_ = present
        return self

    def predict_proba(self, embeddings: np.ndarray) -> np.ndarray:
        out = np.zeros((len(embeddings), self.n_themes_))
        if self.model_ is None:
            out[:, self.classes_] = 1.0  # one theme: nothing to be unsure between
            return out
        out[:, self.classes_] = self.model_.predict_proba(embeddings)
        return out


def roll_up(
    n_answers: int,
    point_answers: Sequence[int],
    point_words: Sequence[int],
    point_themes: Sequence[str],
    point_probabilities: np.ndarray,
    theme_ids: Sequence[str],
    secondary_threshold: float = 0.35,
) -> list[AnswerCoding]:
    """Answer codings from point results; answers without points get ``AnswerCoding(None)``."""
    by_answer: dict[int, list[int]] = {}
    for point, answer in enumerate(point_answers):
        by_answer.setdefault(answer, []).append(point)
    codings = [AnswerCoding(primary=None) for _ in range(n_answers)]
    for answer, points in by_answer.items():
        codings[answer] = _code_answer(points, point_words, point_themes, point_probabilities,
                                       theme_ids, secondary_threshold)
    return codings


def _code_answer(points, words, themes, probabilities, theme_ids, threshold) -> AnswerCoding:
    coverage: dict[str, int] = {}
    for point in points:
        if themes[point] != OTHER:
            coverage[themes[point]] = coverage.get(themes[point], 0) + max(words[point], 1)
    if not coverage:
        return AnswerCoding(primary=OTHER, themes=[OTHER], confidences={})
    best = probabilities[points].max(axis=0) if len(theme_ids) else np.zeros(0)
    confidences = {theme: round(float(best[i]), 3) for i, theme in enumerate(theme_ids)
                   if theme in coverage or best[i] >= threshold}
    primary = max(coverage, key=lambda t: (coverage[t], confidences.get(t, 0.0), t))
    ordered = sorted(confidences, key=lambda t: (t != primary, -confidences[t], t))
    return AnswerCoding(primary=primary, themes=ordered, confidences=confidences)


# --- learning from coded examples ------------------------------------------------------------


class CodedAssignment:
    """Themes learnt from an analyst's examples and, optionally, a code frame's wording, with
    cross-validated Cohen's kappa.

    With a code frame each code's wording (``code_vectors``) is one more example of it, weighing
    ``wording_weight`` examples: codes with few or no examples still get answers. Then an answer
    whose nearest example (or wording) of its best code is less similar than ``min_fit`` fits
    no code, and so does one closest to the examples a person coded "other": both are OTHER.
    Given the texts too, a second logistic regression on the embeddings plus character n-grams
    (TF-IDF, 2–5 characters within words) picks the code among the frame's: its probabilities
    weigh ``lexical`` against the embeddings' ones (the embeddings alone still decide "other").
    Chosen on ArgKP-2021 train and NHS FFT (benchmarks/analysis/learning.py): C=10 over C=1
    (+0.04 to +0.08 kappa, with or without a frame), the wording as 5 examples, ``min_fit`` 0.2
    (above it, NHS FFT lost agreement; below it, nothing changed); the n-grams at 0.7 (+0.04
    NHS FFT, +0.005 ArgKP train: short answers say "staff" or "waiting" in words the embedding
    blurs).
    """

    def __init__(self, folds: int = 5, seed: int = 0, C: float = 10.0,
                 secondary_threshold: float = 0.35, wording_weight: float = 5.0,
                 min_fit: float = 0.2, lexical: float = 0.7):
        self.folds = folds
        self.seed = seed
        self.C = C
        self.secondary_threshold = secondary_threshold
        self.wording_weight = wording_weight
        self.min_fit = min_fit
        self.lexical = lexical

    def fit(self, embeddings: np.ndarray, codes: Sequence[str],
            code_vectors: np.ndarray | None = None, code_themes: Sequence[str] = (),
            texts: Sequence[str] | None = None,
            code_wordings: Sequence[str] = ()) -> CodedAssignment:
        """``embeddings`` of the coded answers and their ``codes`` (theme names or ids);
        ``code_vectors``: the embedded wording of each of the frame's ``code_themes``;
        ``texts`` (of the coded answers) and ``code_wordings``: for the character n-grams."""
        codes = np.asarray(list(codes), dtype=object)
        code_themes = np.asarray(list(code_themes), dtype=object)
        self.framed_ = len(code_themes) > 0 and code_vectors is not None
        if not self.framed_:
            code_themes = code_themes[:0]
            code_vectors = np.zeros((0, embeddings.shape[-1]))
            code_wordings = ()
        if not len(codes):  # a code frame alone: its wording is all there is to learn from
            embeddings = np.zeros((0, code_vectors.shape[1]))
            texts = [] if texts is not None else None
        self.themes_ = sorted(set(codes.tolist()) | set(code_themes.tolist()))
        if len(self.themes_) < 2:
            raise ValueError("Coded examples need at least two different themes to learn from.")
        wordings = list(code_wordings) or [""] * len(code_themes)
        self.X_ = np.vstack([embeddings, code_vectors])
        self.y_ = np.concatenate([codes, code_themes])
        self.model_, self.lexical_ = self._fit_models(
            self.X_, self.y_, len(codes), None if texts is None else list(texts) + wordings)
        self.kappa_, self.kappa_note_ = self._cross_validated_kappa(
            embeddings, codes, code_vectors, code_themes)
        self.n_examples_ = len(codes)
        return self

    def _fit_models(self, X, y, n_examples, texts):
        """The embeddings' model and, with texts, the model that adds their n-grams."""
        from sklearn.linear_model import LogisticRegression

        weights = np.concatenate([np.ones(n_examples),
                                  np.full(len(y) - n_examples, self.wording_weight)])
        model = LogisticRegression(C=self.C, max_iter=2000, class_weight="balanced")
        model.fit(X, y, sample_weight=weights)
        if texts is None or not self.lexical:
            return model, None
        from sklearn.feature_extraction.text import TfidfVectorizer

        grams = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True)
        grams.fit([t or " " for t in texts])
        lexical = LogisticRegression(C=self.C, max_iter=2000, class_weight="balanced")
        lexical.fit(_with_grams(X, grams, texts), y, sample_weight=weights)
        return model, (grams, lexical)

    def _cross_validated_kappa(self, embeddings, codes, code_vectors, code_themes
                               ) -> tuple[float | None, str]:
        """Kappa on the examples, each fold learnt from the others plus the frame's wording."""
        from sklearn.metrics import cohen_kappa_score
        from sklearn.model_selection import StratifiedKFold

        if not len(codes):
            return None, "not computed: no coded examples"
        smallest = min(int((codes == theme).sum()) for theme in set(codes.tolist()))
        folds = min(self.folds, smallest)
        if folds < 2 or len(set(codes.tolist())) < 2:
            return None, "not computed: every theme needs at least 2 coded examples"
        predicted = np.empty(len(codes), dtype=object)
        splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=self.seed)
        for train, test in splitter.split(embeddings, codes):
            y = np.concatenate([codes[train], code_themes])
            if len(set(y.tolist())) < 2:
                return None, "not computed: too few themes to cross-validate"
            # The embeddings' model alone: with the n-grams' too, fitting took three times as
            # long (2,000 examples, 70 codes: 7 s -> 24 s), so this kappa is a slight underestimate.
            model, _ = self._fit_models(np.vstack([embeddings[train], code_vectors]), y,
                                        len(train), None)
            predicted[test] = model.predict(embeddings[test])
        kappa = float(cohen_kappa_score(codes.astype(str), predicted.astype(str)))
        return round(kappa, 3), f"{folds}-fold stratified cross-validation"

    def code(self, embeddings: np.ndarray,
             texts: Sequence[str] | None = None) -> list[AnswerCoding]:
        """A coding for each row: the most probable theme first, others above the threshold;
        OTHER for a row that fits no code (``fits_``: whether each row fits one)."""
        classes, probabilities = _mixed(self.model_, self.lexical_, self.lexical, embeddings,
                                        texts)
        fits = self._fits(embeddings, [classes[i] for i in probabilities.argmax(axis=1)])
        self.fits_ = fits
        out = []
        for row, fit in zip(probabilities, fits):
            order = np.argsort(-row, kind="stable")
            if not fit or classes[order[0]] == OTHER:
                out.append(AnswerCoding(primary=OTHER, themes=[OTHER], confidences={}))
                continue
            confidences = {classes[i]: round(float(row[i]), 3) for i in order
                           if classes[i] != OTHER
                           and (i == order[0] or row[i] >= self.secondary_threshold)}
            out.append(AnswerCoding(primary=classes[order[0]], themes=list(confidences),
                                    confidences=confidences))
        return out

    def _fits(self, embeddings: np.ndarray, best: Sequence[str]) -> np.ndarray:
        """Whether each row is at least ``min_fit`` similar to an example (or the wording) of
        its best code. Only with a code frame: without one, the examples are the frame."""
        if not self.framed_ or not len(embeddings):
            return np.ones(len(embeddings), bool)
        similarities = embeddings @ self.X_.T
        nearest = np.array([similarities[i, self.y_ == code].max() if code != OTHER else 1.0
                            for i, code in enumerate(best)])
        return nearest >= self.min_fit


def _with_grams(X: np.ndarray, grams, texts: Sequence[str]):
    from scipy import sparse

    return sparse.hstack([sparse.csr_matrix(X), grams.transform([t or " " for t in texts])]).tocsr()


def _mixed(model, lexical, weight: float, embeddings: np.ndarray, texts: Sequence[str] | None
           ) -> tuple[list[str], np.ndarray]:
    """Classes and probabilities: the embeddings' model's, mixed with the n-grams' model's.
    "Other" stays the embeddings' call: where it is their most probable class it stays first;
    elsewhere "other" cannot win through the mix (n-grams over-call it on arguments)."""
    classes = [str(c) for c in model.classes_]
    probabilities = model.predict_proba(embeddings)
    if lexical is None or texts is None or not len(embeddings):
        return classes, probabilities
    grams, second = lexical
    mixed = (1 - weight) * probabilities + weight * second.predict_proba(
        _with_grams(embeddings, grams, texts))
    if OTHER in classes:
        o = classes.index(OTHER)
        said_other = probabilities.argmax(axis=1) == o
        mixed[:, o] = np.where(said_other, mixed.max(axis=1) + 1.0, 0.0)
        mixed /= mixed.sum(axis=1, keepdims=True)
    return classes, mixed


def with_broad_themes(codings: list[AnswerCoding], parents: dict[str, str]) -> list[AnswerCoding]:
    """A sub-theme's broad theme applies too: added to each coding, at its sub-theme's
    confidence when that is higher."""
    for coding in codings:
        for theme in list(coding.themes):
            parent = parents.get(theme)
            if parent:
                coding.confidences[parent] = max(coding.confidences.get(parent, 0.0),
                                                 coding.confidences.get(theme, 0.0))
                if parent not in coding.themes:
                    coding.themes.append(parent)
    return codings
