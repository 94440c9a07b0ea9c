"""Coding the answers outside the sample with the themes fitted on it (stream.py).

``Assigner`` holds what one question's fit learnt, and nothing per answer: the themes'
centroids and ids, the similarity theme members typically have (the model's "other" rule),
the confidence model, the themes' sides. ``assign`` codes a batch of answers as the pipeline
codes its own (pipeline._Run.question): points to the nearest theme or "other", confidence and
the themes an answer carries (coding.roll_up, a sub-theme's broad theme too), stance and the
dropping of opposed themes, sentiment from the points' evidence, framing per point.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from consulta.analysis.coding import AnswerCoding, ThemeConfidence, roll_up, with_broad_themes
from consulta.analysis.constants import OTHER
from consulta.analysis.embedders.base import Embedder
from consulta.analysis.junk import NO_CONTENT, is_no_content
from consulta.analysis.records import Answer
from consulta.analysis.results import answer_result
from consulta.analysis.segment import Segment
from consulta.analysis.sentiment import Evidence
from consulta.analysis.stance import drop_opposed, stance_of_question
from consulta.analysis.themes import NO_CONTENT_REASON, _own_similarity

OUTLIER_Z = -3.0  # themes.ThemeModel._mark_outliers


class KnownVectors(Embedder):
    """The stored vectors of known texts (the sample's points); others from ``base``."""

    def __init__(self, known: dict[str, np.ndarray], base: Embedder):
        self.known = known
        self.base = base
        self.name = base.name

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        texts = list(texts)
        unknown = list(dict.fromkeys(t for t in texts if t not in self.known))
        found = dict(zip(unknown, self.base.embed(unknown))) if unknown else {}
        if not texts:
            return self.base.embed([])
        return np.stack([self.known[t] if t in self.known else found[t] for t in texts]
                        ).astype(np.float32)

    def describe(self) -> dict:
        return self.base.describe()


class Assigner:
    """One question's fitted themes, applied to more answers."""

    def __init__(self, run, question: str, model, X: np.ndarray, sides):
        if model is None:
            raise ValueError("a streamed analysis finds its own themes: coded examples and "
                             "code frames need the in-memory analysis")
        self.run, self.question = run, question
        self.ids = list(model.theme_ids_)
        self.parents = dict(model.parents_)
        self.centroids = np.asarray(model.centroids_, dtype=np.float32)
        labels = np.asarray(model.labels_)
        themed = np.flatnonzero(labels >= 0)
        X = np.asarray(X, dtype=np.float32)
        sims = (_own_similarity(X, labels, self.centroids, themed) if len(themed)
                else np.ones(1))
        self.median = float(np.median(sims))
        self.spread = 1.4826 * float(np.median(np.abs(sims - self.median))) or 1e-6
        self.confidence = ThemeConfidence().fit(X, labels, len(self.ids))
        self.theme_sides = dict(sides.themes)
        config = run.config
        self.wording = config.question_wording.get(question) or question
        self.hint = config.framing_hints.get(question, question)
        self._wording_vector: np.ndarray | None = None

    def assign(self, answers: list[Answer], vectors: list[np.ndarray],
               spans: list[np.ndarray]) -> list[tuple]:
        """(row, theme -> words, reason it is "other" or "") per answer; ``vectors`` and
        ``spans``: each answer's points' stored vectors and (start, end, filler) rows, as
        segment.drop_filler(segment.segment_answers(...)) gave them."""
        full = [i for i, a in enumerate(answers) if not a.empty]
        no_content = {i for i in full if is_no_content(answers[i].text)}
        points = [Segment(answer=n, start=int(start), end=int(end),
                          text=answers[i].text[start:end], filler=bool(filler))
                  for n, i in enumerate(full) for start, end, filler in spans[i]]
        owner = [full[p.answer] for p in points]
        X = (np.concatenate([vectors[i] for i in full]) if full
             else np.zeros((0, self.centroids.shape[1]), np.float32))
        point_themes, reasons = self._themes(X, owner)
        words = [p.words for p in points]
        codings = self._code(len(answers), owner, words, point_themes, X)
        sides = stance_of_question(self.run.stance, self._embed_wording, self.wording, X,
                                   owner, words, [not a.empty for a in answers],
                                   [p.text for p in points])
        drop_opposed(codings, self.theme_sides, sides.answers, owner, point_themes)
        for i in no_content:
            codings[i] = AnswerCoding(primary=None)
        evidence = [self.run.sentiment.evidence(p.text) for p in points]
        framings = self.run.framing.predict([p.text for p in points], question_hint=self.hint,
                                            compounds=[e.compound for e in evidence])
        by_answer: dict[int, list] = {}
        found: dict[int, list] = {}
        for p, point in enumerate(points):
            by_answer.setdefault(owner[p], []).append((point, point_themes[p], framings[p]))
            found.setdefault(owner[p], []).append(evidence[p])
        out, with_text = [], set(full)
        for i, answer in enumerate(answers):
            sentiment = (self.run.sentiment.label(Evidence.sum(found.get(i, [])), answer.text,
                                                  self.question) if i in with_text else "")
            row = answer_result(answer, codings[i], sentiment, "", by_answer.get(i, []))
            row.stance = sides.answers[i]
            if i in no_content:
                row.theme, row.themes = NO_CONTENT, [NO_CONTENT]
            point_words: dict[str, int] = {}
            for point, theme, _ in by_answer.get(i, []):
                point_words[theme] = point_words.get(theme, 0) + max(point.words, 1)
            out.append((row, point_words, reasons.get(i, "") if row.theme == OTHER else ""))
        return out

    def _themes(self, X: np.ndarray, owner: list[int]) -> tuple[list[str], dict[int, str]]:
        """Each point's theme: the nearest centroid, or "other" when it is far less like it
        than the theme's members are (the fitted model's robust z-score rule)."""
        if not len(X) or not len(self.ids):
            return [OTHER] * len(X), {}
        sims = X @ self.centroids.T
        nearest = sims.argmax(axis=1)
        best = sims[np.arange(len(X)), nearest]
        valid = np.linalg.norm(X, axis=1) > 0
        outlier = (best - self.median) / self.spread < OUTLIER_Z
        themes, reasons = [], {}
        for p in range(len(X)):
            if not valid[p]:
                themes.append(OTHER)
                reasons[owner[p]] = NO_CONTENT_REASON
            elif outlier[p]:
                themes.append(OTHER)
                reasons[owner[p]] = (f"unlike every theme (similarity {best[p]:.2f} to its "
                                     f"nearest; theme members typically {self.median:.2f})")
            else:
                themes.append(self.ids[int(nearest[p])])
        return themes, reasons

    def _code(self, n: int, owner, words, point_themes, X) -> list[AnswerCoding]:
        """pipeline._Run._code with the fitted confidence model."""
        probabilities = self.confidence.predict_proba(X) if len(X) else np.zeros((0, 0))
        codings = roll_up(n, owner, words, point_themes, probabilities, self.ids)
        return with_broad_themes(codings, self.parents)

    def _embed_wording(self, texts: Sequence[str]) -> np.ndarray:
        """The run's embedder, the question's wording embedded once per question."""
        if self._wording_vector is None:
            self._wording_vector = self.run.embedder.embed([self.wording])
        return self._wording_vector
