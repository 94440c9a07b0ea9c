"""Double coding: two or more people code the same stored sample of answers blind, and how far
they agree with each other.

A sample is drawn once per question of a run (``size`` answers, ``seed``) and stored, so every
coder is served the same answers. Coders use the ordinary blind coding flow (the answer page
with the machine's themes hidden); each person's blind Review is their code of an answer.

Agreement between people, on the sample's answers coded blind by at least two people: per
theme, "has the theme" (present/absent) as a nominal code, and pooled over every (answer,
theme) decision. Krippendorff's alpha (the ``krippendorff`` package, nominal; it handles any
number of coders and answers some coders skipped); Cohen's kappa where exactly two people
coded, on the answers both coded. ``n`` is the number of answers behind each figure.

A disagreement (people chose different themes for an answer) is resolved by one request that
sets the agreed themes as the answer's ANALYST codes: one Decision (RESOLVE, undoable like
any other) and one audit entry. An open disagreement is one with no RESOLVE decision in force.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

import krippendorff
import numpy as np
from django.db import transaction

from consulta.web.analysis.models import AnalysisRun, CodedTheme, Coding, Theme
from consulta.web.consultations import audit
from consulta.web.consultations.models import Question
from consulta.web.workbench.agreement import Figure, _kappa
from consulta.web.workbench.coding import unchanged
from consulta.web.workbench.edits import Conflict, Edit, Refused, _extra, lock, recount, theme_order
from consulta.web.workbench.models import Decision, DoubleSample, Review
from consulta.web.workbench.state import capture

MAX_SIZE = 1000


@dataclass(frozen=True)
class PeopleAgreement:
    key: str  # a theme's key, or "" for the whole question
    n: int  # answers coded blind by at least two people
    coders: int
    alpha: Figure
    kappa: Figure  # two coders only; undefined for more
    themes: list[PeopleAgreement] = field(default_factory=list)


@dataclass(frozen=True)
class Disagreement:
    coding: Coding
    codes: list[tuple[object, list[str]]]  # (person, their theme keys), by person


# -- Figures (plain Python and numpy: the tests check them against hand-worked ones) --------

def measure(ratings: dict[object, dict[int, set[str]]], keys: list[str]) -> PeopleAgreement:
    """``ratings``: each coder's theme keys per answer; ``keys``: the question's themes."""
    counts: dict[int, int] = {}
    for coded in ratings.values():
        for unit in coded:
            counts[unit] = counts.get(unit, 0) + 1
    units = sorted(unit for unit, count in counts.items() if count >= 2)
    coders = [c for c in ratings if any(unit in ratings[c] for unit in units)]
    keys = list(dict.fromkeys([*keys, *sorted({k for c in coders for unit in units
                                               for k in ratings[c].get(unit, ())})]))
    # coders x answers x themes: 1 has it, 0 has not, nan did not code the answer
    data = np.full((len(coders), len(units), len(keys)), np.nan)
    for i, coder in enumerate(coders):
        for j, unit in enumerate(units):
            if unit in ratings[coder]:
                data[i, j, :] = [key in ratings[coder][unit] for key in keys]
    themes = [_figures(key, data[:, :, [k]]) for k, key in enumerate(keys)]
    return _figures("", data, themes)


def _figures(key: str, data: np.ndarray, themes=None) -> PeopleAgreement:
    coders, n, width = data.shape
    alpha = _alpha(data.reshape(coders, n * width))
    kappa = None
    if coders == 2:  # with two, every answer counted was coded by both
        kappa = _kappa(data[0].ravel().astype(bool), data[1].ravel().astype(bool))
    return PeopleAgreement(key=key, n=n, coders=coders, alpha=Figure(alpha, n=n),
                           kappa=Figure(kappa, n=n if coders == 2 else 0), themes=themes or [])


def _alpha(reliability: np.ndarray) -> float | None:
    values = reliability[~np.isnan(reliability)]
    if reliability.shape[0] < 2 or len(set(values.tolist())) < 2:
        return None  # one value only: alpha is 0/0, as kappa is
    return float(krippendorff.alpha(reliability_data=reliability,
                                    level_of_measurement="nominal"))


# -- The stored sample --------------------------------------------------------------------

def sample_of(run: AnalysisRun, question: Question) -> DoubleSample | None:
    return DoubleSample.objects.filter(run=run, question=question).select_related("user").first()


def start(edit: Edit, size: int, seed: int) -> DoubleSample:
    """Draw ``size`` of the question's answers with ``seed`` and store them."""
    with transaction.atomic():
        lock(edit)  # one sample per question even if two people start one at once
        if sample_of(edit.run, edit.question):
            raise Refused("This question already has a double-coding sample.")
        ids = sorted(Coding.objects.filter(run=edit.run, answer__question=edit.question)
                     .values_list("pk", flat=True))
        if not ids:
            raise Refused("This question has no answers to sample.")
        chosen = random.Random(seed).sample(ids, min(size, len(ids)))
        sample = DoubleSample.objects.create(run=edit.run, question=edit.question,
                                             user=edit.user, size=len(chosen), seed=seed,
                                             codings=chosen)
        audit.record(edit.run.consultation, edit.user, audit.WORKBENCH, action="double-sample",
                     question=edit.question.key, seed=seed,
                     summary=f"drew a double-coding sample of {len(chosen)} answers")
    return sample


def ratings_of(sample: DoubleSample) -> dict[object, dict[int, set[str]]]:
    """Each coder's blind theme keys per Coding id of the sample."""
    coding_of = dict(Coding.objects.filter(pk__in=sample.codings, run=sample.run)
                     .values_list("answer_id", "pk"))
    reviews = (Review.objects.filter(run=sample.run, blind=True, reviewed_at__isnull=False,
                                     answer_id__in=coding_of)
               .select_related("user").order_by("user_id", "pk"))
    ratings: dict[object, dict[int, set[str]]] = {}
    for review in reviews:
        ratings.setdefault(review.user, {})[coding_of[review.answer_id]] = set(review.themes)
    return ratings


def for_sample(sample: DoubleSample) -> PeopleAgreement:
    ratings = ratings_of(sample)
    return measure(ratings, theme_order(sample.run, sample.question))


def progress(sample: DoubleSample) -> list[tuple[object, int]]:
    """How many of the sample's answers each person has coded blind."""
    ratings = ratings_of(sample)
    return [(coder, len(coded)) for coder, coded in ratings.items()]


def next_answer(run: AnalysisRun, question: Question, user) -> Coding | None:
    """The sample's next answer this person has not coded, in the sample's stored order."""
    sample = sample_of(run, question)
    if sample is None:
        return None
    done = set(Review.objects.filter(run=run, user=user, reviewed_at__isnull=False)
               .values_list("answer_id", flat=True))
    rows = {row.pk: row for row in Coding.objects.filter(pk__in=sample.codings, run=run)}
    return next((rows[pk] for pk in sample.codings
                 if pk in rows and rows[pk].answer_id not in done), None)


def resolved(run: AnalysisRun, question: Question) -> set[int]:
    """Coding ids whose disagreement a RESOLVE decision in force settled."""
    return {row["resolved"] for row in Decision.objects.filter(
        run=run, question=question, action=Decision.Action.RESOLVE, undone_at=None)
        .values_list("after", flat=True) if "resolved" in row}


def disagreements(sample: DoubleSample) -> tuple[list[Disagreement], int]:
    """Open disagreements (oldest answer first) and how many were resolved."""
    ratings = ratings_of(sample)
    settled = resolved(sample.run, sample.question)
    by_unit: dict[int, list[tuple[object, list[str]]]] = {}
    for coder, coded in ratings.items():
        for unit, keys in coded.items():
            by_unit.setdefault(unit, []).append((coder, sorted(keys)))
    differ = [unit for unit, codes in by_unit.items()
              if len(codes) >= 2 and len({tuple(keys) for _, keys in codes}) > 1]
    rows = {row.pk: row for row in Coding.objects.filter(pk__in=differ)
            .select_related("answer")}
    open_ = [Disagreement(rows[unit], by_unit[unit]) for unit in sorted(differ)
             if unit not in settled]
    return open_, len([unit for unit in differ if unit in settled])


# -- Resolving ----------------------------------------------------------------------------

def resolve(edit: Edit, coding: Coding, keys: list[str], shown: str) -> Decision:
    """Make ``keys`` the answer's codes, all a person's (ANALYST): one undoable Decision."""
    with transaction.atomic():
        state = lock(edit)
        if not unchanged(coding, shown):
            raise Conflict([], "Someone else changed this answer's codes after you opened it.")
        themes = {t.key: t for t in Theme.objects.filter(run=edit.run, question=edit.question)}
        missing = [key for key in keys if key not in themes]
        if missing:
            raise Refused(f"There is no theme {', '.join(missing)} in this question.")
        current = set(coding.coded_themes.values_list("theme__key", flat=True))
        touched = current | set(keys)
        before = {**capture(edit.run, edit.question, touched, [coding.pk]), **_extra(state)}
        coding.coded_themes.exclude(theme__key__in=keys).delete()
        coding.coded_themes.filter(theme__key__in=keys).update(
            source=CodedTheme.Source.ANALYST, confidence=1.0)
        CodedTheme.objects.bulk_create([
            CodedTheme(coding=coding, theme=themes[key], confidence=1.0,
                       source=CodedTheme.Source.ANALYST) for key in keys if key not in current])
        if coding.primary is None or coding.primary.key not in keys:
            coding.primary = themes[keys[0]] if keys else None
            coding.save(update_fields=["primary"])
        recount(edit.run, edit.question, [themes[key] for key in touched if key in themes])
        after = {**capture(edit.run, edit.question, touched, [coding.pk]), **_extra(state),
                 "resolved": coding.pk}
        decision = Decision.objects.create(
            run=edit.run, question=edit.question, user=edit.user, action=Decision.Action.RESOLVE,
            reason=edit.reason, before=before, after=after,
            summary=f"resolved answer {coding.pk} as {', '.join(sorted(keys)) or 'no theme'}")
        # Keys and counts only, as every workbench entry: never a label or an answer's words.
        audit.record(edit.run.consultation, edit.user, audit.WORKBENCH, action=decision.action,
                     question=edit.question.key, summary=decision.summary, decision=decision.pk,
                     reason=bool(decision.reason))
    return decision


def summary(run: AnalysisRun, question: Question) -> dict | None:
    """What the overview shows beside machine-vs-person agreement; None with no sample."""
    sample = sample_of(run, question)
    if sample is None:
        return None
    open_, settled = disagreements(sample)
    return {"sample": sample, "agreement": for_sample(sample), "open": len(open_),
            "resolved": settled}
