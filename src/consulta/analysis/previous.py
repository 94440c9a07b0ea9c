"""An earlier analysis, handed to ``analyse(previous=...)`` so theme ids stay put between runs.

A typed input, not a dict shaped like analysis.json: the CLI builds it from an earlier run's
analysis.json (``read_previous``, ``PreviousAnalysis.from_json``), the web app from its database
rows. A rerun keeps each earlier theme's id, and a point (an answer's segment) whose answer is
unchanged (same id, same text hash, same offsets) starts in the theme it had.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from consulta.analysis.constants import OTHER
from consulta.analysis.records import RecordsError

if TYPE_CHECKING:
    from consulta.analysis.themes import PreviousThemes

#: A point's identity across runs: (answer id, its text's sha256, start, end).
PointKey = tuple[str, str, int, int]


@dataclass(frozen=True)
class PreviousTheme:
    theme: str
    parent: str = ""  # the broad theme grouping it, "" for a top-level theme


@dataclass(frozen=True)
class PreviousQuestion:
    question: str
    themes: tuple[PreviousTheme, ...] = ()


@dataclass(frozen=True)
class PreviousSegment:
    start: int
    end: int
    theme: str | None  # a theme id, "other", or None when the point had none


@dataclass(frozen=True)
class PreviousAnswer:
    id: str
    question: str
    text_sha256: str
    segments: tuple[PreviousSegment, ...] = ()


@dataclass(frozen=True)
class PreviousAnalysis:
    questions: tuple[PreviousQuestion, ...] = ()
    answers: tuple[PreviousAnswer, ...] = ()

    @classmethod
    def from_json(cls, data: object) -> PreviousAnalysis:
        """From an analysis.json (parsed); a RecordsError naming what is wrong otherwise."""
        if not isinstance(data, Mapping):
            raise _malformed("it holds no object")
        return cls(
            questions=tuple(_question(q, n) for n, q in enumerate(_list(data, "questions"))),
            answers=tuple(_answer(a, n) for n, a in enumerate(_list(data, "answers"))),
        )

    def by_question(self) -> dict[str, EarlierQuestion]:
        """Per question: its theme ids, their broad themes, and each earlier point's theme."""
        out: dict[str, EarlierQuestion] = {}
        for question in self.questions:
            themes = [t for t in question.themes if t.theme != OTHER]
            broad = {t.parent for t in themes if t.parent}
            # points are coded to the themes no other theme groups
            coded = [t for t in themes if t.theme not in broad]
            out[question.question] = EarlierQuestion(
                theme_ids=[t.theme for t in coded],
                parents={t.theme: t.parent or None for t in coded})
        for answer in self.answers:
            earlier = out.get(answer.question)
            if earlier is None:
                continue
            for segment in answer.segments:
                key = (answer.id, answer.text_sha256, segment.start, segment.end)
                earlier.points[key] = segment.theme
        return out


@dataclass
class EarlierQuestion:
    """One question of an earlier analysis, indexed for a rerun."""

    theme_ids: list[str]
    parents: dict[str, str | None]
    points: dict[PointKey, str | None] = field(default_factory=dict)

    def themes_for(self, keys: Iterable[PointKey]) -> PreviousThemes:
        """The theme model's input: the earlier theme of each of this run's points."""
        from consulta.analysis.themes import PreviousThemes

        return PreviousThemes(theme_ids=self.theme_ids,
                              point_themes=[self.points.get(key) for key in keys],
                              parents=self.parents)


def read_previous(folder: str | Path) -> PreviousAnalysis:
    """The analysis.json in ``folder`` (an earlier ``consulta analyse --out``)."""
    path = Path(folder) / "analysis.json"
    if not path.is_file():
        raise RecordsError(f"There is no analysis.json in {folder}.")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise RecordsError(f"{path} could not be read ({error}).") from None
    try:
        return PreviousAnalysis.from_json(data)
    except RecordsError as error:
        raise RecordsError(f"{path}: {error}") from None


def text_hash(text: str) -> str:
    """An answer's text as it is recognised on a rerun."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def point_key(answer_id: str, text: str, start: int, end: int) -> PointKey:
    return (answer_id, text_hash(text), start, end)


# --- reading analysis.json -------------------------------------------------------------------


def _malformed(problem: str) -> RecordsError:
    return RecordsError(f"Not an analysis.json written by consulta analyse: {problem}.")


def _list(data: Mapping, name: str, where: str = "") -> list:
    items = data.get(name, [])
    if not isinstance(items, list):
        raise _malformed(f"{where}{name!r} is not a list")
    return items


def _field(item: object, name: str, where: str, kind: type | tuple[type, ...] = str):
    value = item.get(name) if isinstance(item, Mapping) else None
    if not isinstance(value, kind) or isinstance(value, bool):
        raise _malformed(f"{where} has no valid {name!r}")
    return value


def _question(item: object, n: int) -> PreviousQuestion:
    where = f"questions[{n}]"
    name = _field(item, "question", where)
    return PreviousQuestion(question=name, themes=tuple(
        PreviousTheme(theme=_field(t, "theme", f"{where}.themes[{m}]"),
                      parent=str(t.get("parent") or ""))
        for m, t in enumerate(_list(item, "themes", f"{where}'s "))))


def _answer(item: object, n: int) -> PreviousAnswer:
    where = f"answers[{n}]"
    answer_id = _field(item, "id", where, (str, int))
    segments = _list(item, "segments", f"{where}'s ")
    return PreviousAnswer(
        id=str(answer_id), question=str(item.get("question") or ""),
        text_sha256=str(item.get("text_sha256") or ""),
        segments=tuple(_segment(s, f"{where}.segments[{m}]") for m, s in enumerate(segments)))


def _segment(item: object, where: str) -> PreviousSegment:
    start, end = _field(item, "start", where, int), _field(item, "end", where, int)
    theme = item.get("theme")
    return PreviousSegment(start=start, end=end, theme=str(theme) if theme else None)
