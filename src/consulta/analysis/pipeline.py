"""The analysis of a set of answers, question by question, from segments to statistics.

Per question: segment the answers into points, embed the points, find themes (or learn the
analyst's codes), label them, code every answer, score sentiment and framing, find campaigns,
and compute who said what. Every stage is timed; ``progress=True`` shows a bar (tqdm).
"""

from __future__ import annotations

import platform
import time
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field

import numpy as np

from consulta.analysis import campaigns as campaign_finder
from consulta.analysis import groups as group_stats
from consulta.analysis.codebook import CodeFrame
from consulta.analysis.coding import (
    AnswerCoding,
    ThemeConfidence,
    roll_up,
    with_broad_themes,
)
from consulta.analysis.constants import NEITHER, OTHER
from consulta.analysis.embedders import EMBEDDERS, get_embedder
from consulta.analysis.framing import FramingClassifier
from consulta.analysis.junk import NO_CONTENT, is_no_content
from consulta.analysis.keypoints import key_point_embedder
from consulta.analysis.labels import label_themes
from consulta.analysis.learning import learn_codes
from consulta.analysis.previous import PreviousAnalysis, point_key
from consulta.analysis.quotes import choose_quotes, quotable
from consulta.analysis.records import Answer, by_question, check_answers
from consulta.analysis.respondents import count_respondents, words_by_theme
from consulta.analysis.results import (
    Analysis,
    AnswerResult,
    QuestionResult,
    ThemeResult,
    answer_result,
    count_sizes,
    other_theme,
)
from consulta.analysis.segment import drop_filler, segment_answers
from consulta.analysis.sentiment import Evidence, SentimentScorer
from consulta.analysis.stance import (
    StanceClassifier,
    drop_opposed,
    keep_sides,
    sides_of_coded_themes,
    stance_of_question,
    theme_sides,
)
from consulta.analysis.themes import (
    ThemeModel,
    default_min_theme_size,
)

# A campaign weighs as one respondent in what the themes are when it is a letter: long enough
# to be more than a sentence many people would say alike ("Can't think of anything", repeated
# by seven patients, is agreement: leaving its copies out cost NHS FFT 0.02 theme recall).
LETTER_WORDS = 20

STAGES = ("segment", "embed", "themes", "labels", "coding", "sentiment", "framing",
          "campaigns", "groups")


def default_embedder() -> str:
    """"auto" (the embeddings helper's fast, accurate default) once it is registered."""
    return "auto" if "auto" in EMBEDDERS else "tfidf"


@dataclass
class AnalysisConfig:
    embedder: str = field(default_factory=default_embedder)
    seed: int = 0
    min_theme_size: int | None = None  # None: max(5, 1% of the question's points)
    max_themes: int = 30
    sub_themes: bool = True  # broad themes, each grouping specific sub-themes
    max_other_share: float = 0.05
    merge_threshold: float = 0.95  # centroid cosine: only near-identical themes merge
    campaign_threshold: float = 0.8
    count_campaigns_once: bool = False
    min_group_size: int = 10
    group_columns: list[str] = field(default_factory=list)
    cache_dir: str | None = None
    # Per question, the words that say which framing it asks for ("What works well?"); by
    # default the question itself. Lets a caller whose question names are ids give the wording.
    framing_hints: dict[str, str] = field(default_factory=dict)
    # Per question, its wording when the question's name is an id: labels leave its words out.
    question_wording: dict[str, str] = field(default_factory=dict)
    # The share of the "auto" embedder's transformer budget this run may spend: a caller that
    # splits one analysis into several runs (one per question) gives each its share.
    budget_share: float = 1.0


# --- running ---------------------------------------------------------------------------------


def analyse(
    answers: Sequence[Answer],
    config: AnalysisConfig | None = None,
    *,
    previous: PreviousAnalysis | None = None,
    codes: Mapping[tuple[str | None, str], str] | None = None,
    codebook: CodeFrame | None = None,
    progress: bool = False,
) -> Analysis:
    """The whole analysis. ``previous``: an earlier analysis, whose theme ids are kept;
    ``codes``: (question or None, answer id) -> the analyst's theme; ``codebook``: the code
    frame every answer is coded into (answers that fit no code are "other")."""
    from threadpoolctl import threadpool_limits

    config = config or AnalysisConfig()
    check_answers(answers)
    if previous is not None and not isinstance(previous, PreviousAnalysis):
        raise TypeError("previous: a PreviousAnalysis (PreviousAnalysis.from_json reads the "
                        "dict of an analysis.json)")
    # One BLAS thread: with spare cores busy (a web server, other jobs) OpenBLAS's spinning
    # threads made small linear algebra ~100x slower (the demo's coding stage: 22 s vs 0.2 s);
    # on 2 cores more BLAS threads gain little. onnxruntime's own threads are not affected.
    with threadpool_limits(limits=1, user_api="blas"):
        return _analyse(answers, config, previous, codes, progress, codebook)


def _analyse(answers, config, previous, codes, progress, codebook=None) -> Analysis:
    from tqdm import tqdm

    run = _Run(config, previous, codes or {})
    run.codebook = codebook
    questions = by_question(answers)
    bar = tqdm(total=len(questions) * len(STAGES), disable=not progress, unit="step",
               desc="analysing")
    results: list[AnswerResult | None] = [None] * len(answers)
    question_results = []
    for question, indexes in questions.items():
        subset = [answers[i] for i in indexes]
        summary, rows = run.question(question, subset, bar)
        question_results.append(summary)
        for index, row in zip(indexes, rows):
            results[index] = row
    bar.close()
    return Analysis(
        config=asdict(config), versions=_versions(), embedder=run.embedder.describe(),
        timings={stage: round(seconds, 3) for stage, seconds in run.timings.items()},
        questions=question_results, answers=results, groups=run.group_rows,
        campaigns=run.campaign_rows,
    )


class _Run:
    """State shared by the questions of one run: configuration, models, timings."""

    codebook: CodeFrame | None = None  # the code frame, when answers are coded into one
    # Called with each question's fitted state (stream.py assigns a large input's other
    # answers with it): (question, theme model or None, X, points, owner, sides).
    on_fitted = None

    def __init__(self, config: AnalysisConfig, previous: PreviousAnalysis | None,
                 codes: Mapping):
        self.config = config
        self.previous = previous.by_question() if previous else {}
        self.codes = codes
        self.embedder = get_embedder(config.embedder, **_embedder_options(config))
        self.sentiment = SentimentScorer().fit()
        self.framing = FramingClassifier(scorer=self.sentiment).fit()
        self.stance = StanceClassifier().fit()
        self.timings = dict.fromkeys(STAGES, 0.0)
        self.group_rows: list[dict] = []
        self.campaign_rows: list[dict] = []
        self._clock = time.perf_counter()

    def _lap(self, stage: str, bar) -> None:
        now = time.perf_counter()
        self.timings[stage] += now - self._clock
        self._clock = now
        bar.update(1)

    def question(self, question: str, answers: list[Answer], bar):
        self._clock = time.perf_counter()
        full = [i for i, a in enumerate(answers) if not a.empty]
        # Junk answers ("sdf", "same as above") are few: they stay in the clustering, so the
        # themes of everything else do not move with them (measured: leaving them out cost NHS
        # FFT a gold theme), and are then set apart as "no content": no theme, not other.
        no_content = {i for i in full if is_no_content(answers[i].text)}
        points = drop_filler(segment_answers([answers[i].text for i in full]))
        owner = [full[p.answer] for p in points]
        self._lap("segment", bar)
        X = self.embedder.embed([p.text for p in points]) if points else np.zeros((0, 1))
        self._lap("embed", bar)
        coded = self._codes_for(question, answers)
        model, reasons, point_themes, coding_note = None, {}, [], None
        frame = self.codebook.for_question(question) if self.codebook else []
        if coded or frame:
            codings, themes, coding_note, reasons = self._learn_codes(
                question, answers, full, owner, X, coded, frame)
            sides = self._sides(question, answers, points, owner, X, None)
            self._lap("themes", bar)
            self._lap("labels", bar)
        else:
            model = self._themes(question, answers, points, owner, X)
            sides = self._sides(question, answers, points, owner, X, model)
            self._lap("themes", bar)
            themes = self._labels(question, answers, points, owner, X, model)
            self._lap("labels", bar)
            point_themes = [model.theme_ids_[t] if t >= 0 else OTHER for t in model.labels_]
            codings = self._code(answers, points, owner, X, model, point_themes)
            drop_opposed(codings, sides.themes, sides.answers, owner, point_themes)
            reasons = {answers[owner[p]].id: r for p, r in sorted(model.other_reasons_.items())}
        for i in no_content:
            codings[i] = AnswerCoding(primary=None)
        with_content = len(full) - len(no_content)
        count_sizes(themes, codings, with_content)
        self._lap("coding", bar)
        # Each point is scored once: its evidence frames it, and an answer's sentiment is the
        # sum of its points' evidence (sentiment.Evidence).
        evidence = [self.sentiment.evidence(p.text) for p in points]
        by_owner: dict[int, list] = {}
        for p, found in enumerate(evidence):
            by_owner.setdefault(owner[p], []).append(found)
        sentiments = {i: self.sentiment.label(Evidence.sum(by_owner.get(i, [])),
                                              answers[i].text, question) for i in full}
        self._lap("sentiment", bar)
        framings = self.framing.predict([p.text for p in points],
                                        question_hint=self.config.framing_hints.get(question,
                                                                                    question),
                                        compounds=[e.compound for e in evidence])
        self._lap("framing", bar)
        found_campaigns = self._campaigns(question, answers, full)
        campaign = campaign_finder.campaign_of(found_campaigns)
        self._lap("campaigns", bar)
        by_answer: dict[int, list] = {}
        for p, point in enumerate(points):
            theme = point_themes[p] if point_themes else codings[owner[p]].primary
            by_answer.setdefault(owner[p], []).append((point, theme, framings[p]))
        rows = [
            answer_result(answer, codings[i], sentiments.get(i, ""), campaign.get(answer.id, ""),
                        by_answer.get(i, []))
            for i, answer in enumerate(answers)
        ]
        for i in no_content:
            rows[i].theme, rows[i].themes = NO_CONTENT, [NO_CONTENT]
        self._stances(themes, rows, sides, codings, bool(coded or frame))
        self._groups(question, rows, found_campaigns)
        self._lap("groups", bar)
        n_other = sum(1 for row in rows if row.theme == OTHER)
        summary = QuestionResult(
            question=question, answers=len(answers), empty=len(answers) - len(full),
            other=n_other, themes=themes + other_theme(question, n_other, with_content),
            selection=getattr(model, "selection_", {}), other_reasons=reasons,
            coding=coding_note, no_content=len(no_content),
        )
        count_respondents(summary.themes, codings, words_by_theme(by_answer),
                          [a.id for a in answers], campaign)
        choose_quotes(summary.themes, answers, points, owner, X, model)
        if self.on_fitted is not None:
            self.on_fitted(question, model, X, points, owner, sides)
        return summary, rows

    # -- stages ----------------------------------------------------------------------------

    def _sides(self, question, answers, points, owner, X, model):
        """Each point's and answer's stance; on a fresh fit, themes split to keep one side."""
        wording = self.config.question_wording.get(question) or question
        found = stance_of_question(self.stance, self.embedder.embed, wording, X, owner,
                                   [p.words for p in points], [not a.empty for a in answers],
                                   [p.text for p in points])
        if found.sided and model is not None:  # with --previous, ids are kept: no split
            found.themes = (theme_sides(model, found.points) if self.previous.get(question)
                            else keep_sides(model, X, found.points))
        return found

    def _stances(self, themes, rows, sides, codings, coded) -> None:
        for row, side in zip(rows, sides.answers):
            row.stance = side
        known = sides.themes
        if coded:  # the analyst's themes are kept whole: each takes its answers' side
            known = sides_of_coded_themes([t.theme for t in themes],
                                          [c.primary for c in codings], sides.answers)
        for theme in themes:
            theme.stance = known.get(theme.theme, NEITHER)

    def _themes(self, question, answers, points, owner, X) -> ThemeModel:
        c = self.config
        earlier = self.previous.get(question)
        previous = earlier.themes_for(
            point_key(answers[owner[i]].id, answers[owner[i]].text, p.start, p.end)
            for i, p in enumerate(points)) if earlier else None
        model = ThemeModel(min_theme_size=c.min_theme_size, max_themes=c.max_themes,
                           seed=c.seed, merge_threshold=c.merge_threshold,
                           max_other_share=c.max_other_share, sub_themes=c.sub_themes,
                           previous=previous)
        return model.fit(X, [p.text for p in points],
                         copies=self._campaign_copies(answers, owner) if previous is None else None)

    def _find_campaigns(self, answers, full) -> list:
        """The campaigns among answers ``full``, found once per question (themes use them)."""
        key = tuple(answers[i].id for i in full)
        if getattr(self, "_campaign_cache", (None,))[0] != key:
            self._campaign_cache = (key, campaign_finder.find_campaigns(
                [answers[i].text for i in full], list(key),
                threshold=self.config.campaign_threshold))
        return self._campaign_cache[1]

    def _campaign_copies(self, answers, owner) -> np.ndarray:
        """Per point, whether it belongs to a campaign's copy (not its first member), for
        campaigns big enough to make a theme on their own (a pair is two people agreeing)."""
        least = self.config.min_theme_size or default_min_theme_size(len(owner))
        copies = {m for c in self._find_campaigns(answers, sorted(set(owner)))
                  if c.size >= least and len(c.template_text.split()) >= LETTER_WORDS
                  for m in c.member_ids[1:]}
        return np.array([answers[i].id in copies for i in owner], bool)

    def _labels(self, question, answers, points, owner, X, model) -> list[ThemeResult]:
        return label_themes(question, model, [p.text for p in points],
                            [answers[i].id for i in owner], X, wording=self._wording(question),
                            embed=key_point_embedder(self.embedder),
                            quotable=[quotable(answers[i]) for i in owner])

    def _code(self, answers, points, owner, X, model, point_themes) -> list[AnswerCoding]:
        probabilities = ThemeConfidence().fit(X, model.labels_,
                                              len(model.theme_ids_)).predict_proba(X)
        codings = roll_up(len(answers), owner, [p.words for p in points], point_themes,
                          probabilities, model.theme_ids_)
        return with_broad_themes(codings, model.parents_)

    def _wording(self, question: str) -> str:
        """The question as asked: its words are left out of labels (every answer shares them)."""
        c = self.config
        # dict.fromkeys, not a set: the same wording in the same order on every run (a set's
        # order changes with the hash seed, and the wording is embedded for key points)
        return " ".join(dict.fromkeys(filter(None, (
            question, c.question_wording.get(question, ""), c.framing_hints.get(question, "")))))

    def _codes_for(self, question: str, answers: list[Answer]) -> dict[int, str]:
        found = {}
        for i, answer in enumerate(answers):
            code = self.codes.get((question, answer.id)) or self.codes.get((None, answer.id))
            if code and not answer.empty:
                found[i] = code
        return found

    def _learn_codes(self, question, answers, full, owner, X, coded, frame=()):
        """The analyst's themes, learnt from their examples and the code frame, applied to
        every answer (learning.learn_codes)."""
        learnt = learn_codes(
            question, answers, full, _answer_vectors(len(answers), owner, X), coded, frame,
            embed=key_point_embedder(self.embedder), embed_together=self.embedder.embed,
            wording=self._wording(question), seed=self.config.seed)
        return learnt.codings, learnt.themes, learnt.note, learnt.reasons

    def _campaigns(self, question, answers, full) -> list:
        """The question's campaigns, recorded for campaigns.csv."""
        found = self._find_campaigns(answers, full)
        for campaign in found:
            self.campaign_rows.append({
                "question": question, "campaign": campaign.id, "size": campaign.size,
                "template_text": campaign.template_text,
                "member_ids": [str(m) for m in campaign.member_ids],
            })
        return found

    def _groups(self, question: str, rows: list[AnswerResult], campaigns: list) -> None:
        c = self.config
        if c.group_columns:
            found = group_stats.answer_group_rows(
                rows, campaigns if c.count_campaigns_once else None,
                min_group_size=c.min_group_size)
            self.group_rows.extend({"question": question, **row} for row in found)


# --- helpers ---------------------------------------------------------------------------------


def _embedder_options(config: AnalysisConfig) -> dict:
    from consulta.analysis.embedders.combined import AUTO_TOKEN_BUDGET

    options = {"cache_dir": config.cache_dir} if config.cache_dir else {}
    if config.embedder == "auto" and config.budget_share < 1.0:
        options["token_budget"] = int(AUTO_TOKEN_BUDGET * max(config.budget_share, 0.0))
    return options


def _answer_vectors(n: int, owner: Sequence[int], X: np.ndarray) -> np.ndarray:
    """An answer's vector: the mean of its points' vectors, made unit length."""
    vectors = np.zeros((n, X.shape[1] if len(X) else 1))
    np.add.at(vectors, np.asarray(owner, dtype=int), X)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return np.divide(vectors, norms, out=np.zeros_like(vectors), where=norms > 0)


def _versions() -> dict:
    import scipy
    import sklearn

    from consulta import __version__

    return {"consulta": __version__, "python": platform.python_version(),
            "numpy": np.__version__, "scipy": scipy.__version__, "scikit-learn": sklearn.__version__}
