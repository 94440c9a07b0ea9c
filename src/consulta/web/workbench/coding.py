"""A person coding one answer, and the review queue that picks the next answer to code.

Saving is checked twice: against the question's version (a theme merged or deleted since the
page was made may be among the boxes) and against the codes the page showed (another person
may have saved this answer meanwhile). Either way nothing is overwritten (``Conflict``).

The first time a person saves an answer, the machine's codes (its MODEL rows, which no one
has touched) are kept on their Review: agreement compares the person's codes with those.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

from consulta.web.analysis.models import AnalysisRun, CodedTheme, Coding, Theme
from consulta.web.workbench.edits import Conflict, Edit, lock, recount
from consulta.web.workbench.listing import codings
from consulta.web.workbench.models import DoubleSample, Review

CONFIDENCE, SAMPLE, DOUBLE = "confidence", "sample", "double"  # double: double.py


@dataclass
class Coded:
    """What a person chose for one answer."""

    themes: list[str]
    stance: str = ""
    note: str = ""
    quote_candidate: bool = False
    blind: bool = False


def shown_codes(coding: Coding) -> str:
    """A digest of the answer's theme keys, which the coding form carries to spot a change
    meanwhile. Not the keys themselves: a blind coder could read those in the page source.
    Salted with the answer's id, so two answers' digests cannot be compared either."""
    keys = ",".join(sorted(coding.coded_themes.values_list("theme__key", flat=True)))
    return salted_hmac("consulta.workbench.shown", f"{coding.pk}:{keys}").hexdigest()


def unchanged(coding: Coding, shown: str) -> bool:
    """Whether the answer's codes are still those a page's ``shown`` digest was made from."""
    return constant_time_compare(shown_codes(coding), shown or "")


def save(edit: Edit, coding: Coding, coded: Coded, shown: str) -> Review:
    with transaction.atomic():
        lock(edit)
        if not unchanged(coding, shown):
            raise Conflict([], "Someone else saved this answer's codes after you opened it.")
        review, _ = Review.objects.get_or_create(run=edit.run, answer=coding.answer,
                                                 user=edit.user)
        if review.machine_themes is None:
            review.machine_themes = machine_codes(edit.run, coding)
        # A later blind coder of a double-coding answer leaves the live codes to "resolve".
        changed = [] if _coded_blind_before(edit, coding, coded) else _set_codes(coding,
                                                                                  coded.themes)
        review.themes = sorted(coded.themes)
        review.stance, review.note = coded.stance, coded.note
        # Once coded blind, the review stays a blind one: a later look is a correction.
        review.quote_candidate, review.blind = coded.quote_candidate, review.blind or coded.blind
        review.reviewed_at = timezone.now()
        review.save()
        recount(edit.run, edit.question, changed)
    return review


def _coded_blind_before(edit: Edit, coding: Coding, coded: Coded) -> bool:
    """Whether this is a blind save, in the question's double-coding sample, of an answer
    another person already coded blind. Their codes are the live ones; this person's stay on
    their Review (agreement reads them) until someone resolves the disagreement."""
    if not coded.blind:
        return False
    sample = (DoubleSample.objects.filter(run=edit.run, question=edit.question)
              .values_list("codings", flat=True).first())
    return bool(sample) and coding.pk in sample and Review.objects.filter(
        run=edit.run, answer=coding.answer, blind=True, reviewed_at__isnull=False,
    ).exclude(user=edit.user).exists()


def machine_codes(run: AnalysisRun, coding: Coding) -> list[str]:
    """The machine's keys for an answer: kept by whoever saved it first, else its MODEL rows."""
    kept = (Review.objects.filter(run=run, answer=coding.answer, machine_themes__isnull=False)
            .order_by("pk").values_list("machine_themes", flat=True).first())
    if kept is not None:
        return kept
    return sorted(coding.coded_themes.filter(source=CodedTheme.Source.MODEL)
                  .values_list("theme__key", flat=True))


def _set_codes(coding: Coding, keys: list[str]) -> list[Theme]:
    """Make the answer's themes exactly ``keys``; returns the themes that gained or lost it."""
    themes = {t.key: t for t in Theme.objects.filter(run=coding.run,
                                                     question=coding.answer.question)}
    rows = {row.theme.key: row for row in coding.coded_themes.select_related("theme")}
    gone = [rows[key] for key in rows if key not in keys]
    new = [themes[key] for key in keys if key in themes and key not in rows]
    CodedTheme.objects.filter(pk__in=[row.pk for row in gone]).delete()
    CodedTheme.objects.bulk_create([CodedTheme(coding=coding, theme=theme, confidence=1.0,
                                               source=CodedTheme.Source.ANALYST) for theme in new])
    kept = [rows[key] for key in rows if key in keys]
    if coding.primary_id is None or coding.primary_id in {row.theme_id for row in gone}:
        best = max(kept, key=lambda row: row.confidence, default=None)
        coding.primary = best.theme if best else (new[0] if new else None)
        coding.save(update_fields=["primary"])
    return [row.theme for row in gone] + new


def next_answer(run: AnalysisRun, question, user, mode: str) -> Coding | None:
    """The next answer this person has not coded: least confident first, or in this person's
    own random order (a fixed shuffle per person, so a sample for measuring is the same
    sample each time and not the least confident ones)."""
    if mode == DOUBLE:  # the question's stored double-coding sample
        from consulta.web.workbench.double import next_answer as next_in_sample

        return next_in_sample(run, question, user)
    done = Review.objects.filter(run=run, user=user, reviewed_at__isnull=False).values("answer")
    rows = codings(run, question).exclude(answer__in=done)
    if mode != SAMPLE:
        return rows.order_by("confidence", "pk").first()
    ids = list(rows.values_list("pk", flat=True))
    if not ids:
        return None
    return rows.get(pk=min(ids, key=lambda pk: _shuffle(user.pk, pk)))


def _shuffle(user_id: int, pk: int) -> str:
    return hashlib.sha256(f"{user_id}:{pk}".encode()).hexdigest()


def neighbours(run: AnalysisRun, question, coding: Coding) -> tuple[int | None, int | None]:
    """The previous and next answers' Coding ids, in the list's order."""
    rows = Coding.objects.filter(run=run, answer__question=question)
    before = rows.filter(pk__lt=coding.pk).order_by("-pk").values_list("pk", flat=True).first()
    after = rows.filter(pk__gt=coding.pk).order_by("pk").values_list("pk", flat=True).first()
    return before, after
