"""What a "what we heard" report says, independent of its format (HTML, PDF, DOCX).

``builder.build_report`` fills these from the analysis, the workbench and the responses; each
renderer (render.html, render.pdf, docx.render) lays the same content out. Every text here is
plain text (renderers escape it), except ``Chart.svg``, which the builder makes from numbers and
escaped labels only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date


@dataclass
class Quote:
    text: str
    attribution: str  # "Local authority, anonymous", or the organisation's name with full consent


@dataclass
class ThemeRow:
    key: str
    label: str
    summary: str
    respondents: int  # for whom it is a main point, each campaign once
    share: float  # of the question's respondents
    low: float  # Wilson 95% interval of the share
    high: float
    campaign_share: float = 0.0  # of its answers, those from campaigns
    stance: str = ""  # "for", "against", "neither" or ""
    sub_theme: bool = False
    quotes: list[Quote] = field(default_factory=list)
    answers: int = 0  # answers carrying it (campaign members each)

    @property
    def share_text(self) -> str:
        return f"{self.share * 100:.0f}% ({self.low * 100:.0f}–{self.high * 100:.0f}%)"


@dataclass
class GroupDifference:
    theme: str  # the theme's label
    group: str  # "Local authority", "Police officer"
    n: int  # answers in the group
    share: float
    low: float
    high: float
    direction: str  # "higher" or "lower" than everyone else

    @property
    def text(self) -> str:
        return (f"{self.group} ({self.n} answers): {self.share * 100:.0f}% "
                f"({self.low * 100:.0f}–{self.high * 100:.0f}%), {self.direction} than everyone "
                f"else, on “{self.theme}”")


@dataclass
class Chart:
    """A bar chart as inline SVG, with the same figures as a table and as a sentence."""

    title: str
    svg: str
    headers: list[str]  # the table's column headings; the first column labels the rows
    rows: list[list[str]]
    text: str  # the text alternative: what the chart shows, in words


@dataclass
class GroupTableContent:
    """Shares per group: columns are groups, rows themes; None is a suppressed cell."""

    group_by: str  # "sector" or "role"
    columns: list[str]
    sizes: list[int]
    suppressed: list[bool]
    rows: list[tuple[str, list[str | None]]]


@dataclass
class QuestionPart:
    anchor: str  # "p1-q2"
    phase: str  # "Phase 1: Partners"
    title: str
    kind: str  # Question.Kind value
    kind_label: str
    responses: int  # answers with content (open) or a choice (closed)
    open: bool
    themes: list[ThemeRow] = field(default_factory=list)
    stance: Chart | None = None  # only when the question takes sides
    differences: list[GroupDifference] = field(default_factory=list)
    groups: GroupTableContent | None = None
    suppressed_groups: list[str] = field(default_factory=list)  # fewer than the minimum
    campaigns: int = 0  # answers from campaigns (counted once in the shares)
    chart: Chart | None = None  # themes (open) or choices (closed)
    commentary: str = ""  # organisers' narrative
    analysed: bool = True  # False: an open question with no finished analysis

    @property
    def top_themes(self) -> list[ThemeRow]:
        return [t for t in self.themes if not t.sub_theme and t.key != "other"][:3]


@dataclass
class Section:
    """A generic titled block of paragraphs (summary, next steps, caveats)."""

    anchor: str
    title: str
    paragraphs: list[str] = field(default_factory=list)


@dataclass
class ProfileTable:
    caption: str
    headers: list[str]  # first is the row heading's column
    rows: list[list[str]]


@dataclass
class Profile:
    total_responses: int
    campaign_responses: int  # answers carried by campaigns, counted apart
    tables: list[ProfileTable] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass
class Method:
    paragraphs: list[str] = field(default_factory=list)
    reviewed: bool = False  # a person reviewed the themes of at least one question
    agreement: ProfileTable | None = None  # machine vs person figures per question


@dataclass
class CodeFrameRow:
    question: str
    key: str
    label: str
    description: str
    respondents: int
    answers: int


@dataclass
class Appendix:
    code_frame: list[CodeFrameRow] = field(default_factory=list)
    organisations: list[str] = field(default_factory=list)  # agreed to be named


@dataclass
class Report:
    title: str
    slug: str
    run_by: str
    run_for: str
    generated: date
    public: bool
    total_responses: int
    summary: Section  # executive summary: narrative then per-question highlights
    highlights: list[tuple[str, list[str]]]  # (question title, sentences)
    profile: Profile
    method: Method
    questions: list[QuestionPart]
    next_steps: Section
    appendix: Appendix
    narrative_version: int = 0  # 0: no narrative saved yet

    @property
    def contents(self) -> list[tuple[str, str]]:
        """(anchor, title) of the top-level sections, in order."""
        return [("summary", "Executive summary"), ("profile", "Who responded"),
                ("method", "How we analysed the responses"),
                *[(q.anchor, q.title) for q in self.questions],
                ("next-steps", "Next steps"), ("appendix", "Appendix")]


def build_report(consultation, *, public: bool) -> Report:
    """The report of ``consultation``; ``public`` applies the rules for published outputs."""
    from consulta.web.reports.builder import build

    return build(consultation, public=public)
