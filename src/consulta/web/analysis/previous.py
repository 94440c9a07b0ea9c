"""A finished run as the library's ``PreviousAnalysis``, so a rerun keeps its theme ids.

Built from the run's Theme and Coding rows. Questions are matched by Question row, not by
name, so a question keeps its themes when its phase is renumbered; rows of questions with no
answer in this run are left out.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from consulta.analysis.previous import (
    PreviousAnalysis,
    PreviousAnswer,
    PreviousQuestion,
    PreviousSegment,
    PreviousTheme,
)

if TYPE_CHECKING:
    from consulta.web.analysis.models import AnalysisRun
    from consulta.web.analysis.services import Records


def previous_input(run: AnalysisRun, records: Records) -> PreviousAnalysis:
    """``run``'s themes and coded answers, named as this run's ``records`` name questions."""
    names = {question.pk: name for name, question in records.questions.items()}
    themes: dict[str, list[PreviousTheme]] = {}
    for question_id, key, parent in (
        run.themes.order_by("pk").values_list("question_id", "key", "parent__key")
    ):
        if question_id in names:
            themes.setdefault(names[question_id], []).append(PreviousTheme(key, parent or ""))
    answers = tuple(
        PreviousAnswer(id=str(answer_id), question=names[question_id], text_sha256=sha,
                       segments=tuple(_segment(s) for s in segments or ()))
        for answer_id, question_id, sha, segments in run.codings.values_list(
            "answer_id", "answer__question_id", "text_sha256", "segments")
        if question_id in names
    )
    return PreviousAnalysis(
        questions=tuple(PreviousQuestion(name, tuple(found)) for name, found in themes.items()),
        answers=answers)


def _segment(segment: dict) -> PreviousSegment:
    return PreviousSegment(start=segment["start"], end=segment["end"],
                           theme=segment.get("theme") or None)
