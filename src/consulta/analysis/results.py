"""What ``analyse`` returns: typed results per theme, answer and question, and the whole run.

``Analysis.to_dict()`` is analysis.json; the CSV files and report.html are written from these
objects (outputs.py, report.py), and the web app stores them as rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field

from consulta.analysis.coding import AnswerCoding
from consulta.analysis.constants import OTHER
from consulta.analysis.previous import text_hash
from consulta.analysis.records import Answer


@dataclass
class ThemeResult:
    question: str
    theme: str
    parent: str
    label: str
    description: str
    size: int  # answers the theme applies to
    share: float  # of the question's non-empty answers
    quote_ids: list[str]
    key_phrases: list[str] = field(default_factory=list)
    quotes: list[str] = field(default_factory=list)
    primary: int = 0  # answers whose primary theme it is
    summary: str = ""  # its most central distinct points, in respondents' words
    keywords: str = ""  # its key phrases, the label before key points
    respondents: int = 0  # respondents for whom it is a main point, each campaign once
    campaign_share: float = 0.0  # share of its answers that come from campaigns
    quote_spans: list[list[int]] = field(default_factory=list)  # matched sentence in each quote
    stance: str = ""  # for / against / neither the question's proposal (stance.py)


@dataclass
class AnswerResult:
    id: str
    question: str
    theme: str  # primary theme id, "other", or "" for an empty answer
    themes: list[str]
    confidence: float | None
    confidences: dict[str, float]
    sentiment: str
    framing: str
    campaign: str
    empty: bool
    text_sha256: str
    segments: list[dict] = field(default_factory=list)
    groups: dict[str, str] = field(default_factory=dict)
    stance: str = ""  # for / against / neither; "" for an empty answer (stance.py)


@dataclass
class QuestionResult:
    question: str
    answers: int
    empty: int
    other: int
    themes: list[ThemeResult]
    selection: dict[int, float] = field(default_factory=dict)
    other_reasons: dict[str, str] = field(default_factory=dict)  # answer id -> reason
    coding: dict | None = None  # kappa and notes when coded examples were given
    no_content: int = 0  # answers with nothing a theme could hold ("sdf", "same as above")


@dataclass
class Analysis:
    config: dict
    versions: dict
    embedder: dict
    timings: dict[str, float]
    questions: list[QuestionResult]
    answers: list[AnswerResult]
    groups: list[dict]
    campaigns: list[dict]

    def to_dict(self) -> dict:
        return asdict(self)


# --- building them ---------------------------------------------------------------------------


def answer_result(answer: Answer, coding: AnswerCoding, sentiment: str, campaign: str,
                  points: Sequence[tuple]) -> AnswerResult:
    """An answer's row; ``points``: (segment, theme, framing) of each of its points."""
    by_words: dict[str, int] = {}
    for point, _, framing in points:
        by_words[framing] = by_words.get(framing, 0) + max(point.words, 1)
    return AnswerResult(
        id=answer.id, question=answer.question, theme=coding.primary or "",
        themes=list(coding.themes), confidence=coding.confidence,
        confidences=dict(coding.confidences), sentiment=sentiment,
        framing=";".join(sorted(by_words, key=lambda f: (-by_words[f], f))),
        campaign=campaign, empty=answer.empty, text_sha256=text_hash(answer.text),
        segments=[{"start": p.start, "end": p.end, "theme": theme, "framing": framing}
                  for p, theme, framing in points],
        groups=dict(answer.groups),
    )


def count_sizes(themes: list[ThemeResult], codings: list[AnswerCoding], n_full: int) -> None:
    """Each theme's size, primary count and share of the ``n_full`` answers with content."""
    for theme in themes:
        theme.size = sum(1 for c in codings if theme.theme in c.themes)
        theme.primary = sum(1 for c in codings if c.primary == theme.theme)
        theme.share = round(theme.size / n_full, 4) if n_full else 0.0


def other_theme(question: str, n_other: int, n_full: int) -> list[ThemeResult]:
    """The "other" row of a question's themes, when any answer is in it."""
    if not n_other:
        return []
    return [ThemeResult(
        question=question, theme=OTHER, parent="", label="Other",
        description="Answers unlike every theme, each with its reason in analysis.json.",
        size=n_other, share=round(n_other / n_full, 4) if n_full else 0.0, quote_ids=[],
        primary=n_other,
    )]
