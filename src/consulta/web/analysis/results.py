"""An analysis run laid out for the back office: per phase, per question, themes and who said them.

A handful of grouped queries per page, however many themes and answers there are. Publication
consent is applied here, when quotes are shown: a response whose consent is "none" is never
quoted, and a quote names its organisation only when its consent is "full" in an identified phase.
A theme's key point (label) and summary are sentences of its answers: when one of them comes from
an answer that may not be quoted, the theme is named by its key phrases instead. The figures per
group are group_table.py's.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from functools import partial

from django.db import connection
from django.db.models import Q

from consulta.analysis.constants import AGAINST, FOR, FRAMINGS, OTHER, SENTIMENTS
from consulta.web.analysis.group_table import (
    GroupTable,
    group_label,
    group_table,
    interval,
    share_text,
)
from consulta.web.analysis.models import AnalysisRun, Theme
from consulta.web.analysis.tallies import Tally, tallies
from consulta.web.consultations.models import Phase, Question
from consulta.web.responses.models import PUBLISHABLE_CONSENT, Answer, Response

QUOTES_SHOWN = 5
SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
SEPARATOR = "\x00"  # between answers in _withheld_texts: no whitespace, in no label
TRIGRAM_WORD = re.compile(r"[a-z0-9]{3,}")  # what a trigram index can search for

__all__ = ["FRAMINGS", "OTHER", "SENTIMENTS", "latest_runs", "run_results", "wording"]


@dataclass
class Quote:
    text: str
    reference: str
    organisation: str = ""  # only with full consent in an identified phase
    # The sentence that matched the theme, text[start:end] (None: no span stored).
    start: int | None = None
    end: int | None = None

    @property
    def marked(self) -> str:
        return self.text[self.start:self.end] if self.start is not None else ""

    @property
    def before(self) -> str:
        return self.text[:self.start] if self.start is not None else self.text

    @property
    def after(self) -> str:
        return self.text[self.end:] if self.start is not None else ""


@dataclass
class ThemeView:
    theme: Theme
    quotes: list[Quote] = field(default_factory=list)
    children: list[ThemeView] = field(default_factory=list)
    label: str = ""
    summary: str = ""
    low: float = 0.0  # Wilson 95% interval of its share
    high: float = 0.0

    @property
    def anchor(self) -> str:
        return f"q{self.theme.question_id}-{self.theme.key}"

    @property
    def share_text(self) -> str:
        return share_text(self.theme.share, self.low, self.high)


@dataclass
class QuestionView:
    question: Question
    coded: int = 0
    themes: list[ThemeView] = field(default_factory=list)
    other: ThemeView | None = None
    group_by: str = "sector"
    groups: GroupTable = field(default_factory=GroupTable)
    sentiment: list[tuple[str, int]] = field(default_factory=list)
    framing: list[tuple[str, int]] = field(default_factory=list)

    @property
    def theme_count(self) -> int:
        return len(self.themes)

    @property
    def all_themes(self) -> list[ThemeView]:
        """Broad themes each followed by its sub-themes, then "other"."""
        found = [t for item in self.themes for t in (item, *item.children)]
        return found + ([self.other] if self.other else [])

    @property
    def takes_sides(self) -> bool:
        """Whether the question proposes something: some theme is for or against it."""
        return any(t.theme.stance in (FOR, AGAINST) for t in self.all_themes)

    @property
    def by_respondent(self) -> bool:
        """Runs since issue 9 count respondents (each campaign once); earlier ones, answers."""
        return any(t.theme.respondents or t.theme.summary for t in self.all_themes)

    @property
    def from_campaigns(self) -> bool:
        return any(t.theme.campaign_share > 0 for t in self.all_themes)


@dataclass
class PhaseView:
    number: int
    phase: Phase
    questions: list[QuestionView]


def latest_runs(consultation) -> tuple[AnalysisRun | None, AnalysisRun | None]:
    """The latest finished run, and the latest run of all when it is not that one."""
    latest = consultation.analysis_runs.first()
    done = consultation.analysis_runs.filter(status=AnalysisRun.Status.DONE).first()
    return done, (latest if latest != done else None)


def run_results(run: AnalysisRun) -> list[PhaseView]:
    themes = list(run.themes.select_related("question__phase"))
    views: dict[int, QuestionView] = {}
    for theme in themes:
        if theme.question_id not in views:
            internal = theme.question.phase.audience == Phase.Audience.INTERNAL
            views[theme.question_id] = QuestionView(theme.question,
                                                    group_by="role" if internal else "sector")
    _add_themes(views, themes, _quotes(themes))
    config = run.summary.get("config", {})
    counted = tallies(run, {pk: partial(group_label, view.group_by == "role")
                            for pk, view in views.items()},
                      campaigns_once=bool(config.get("count_campaigns_once")))
    _add_intervals(views, counted)
    _add_groups(run, views, counted)
    _add_signals(views, counted)
    numbers = run.consultation.phase_numbers()
    phases: dict[int, PhaseView] = {}
    for view in views.values():  # themes come in phase and question order
        phase = view.question.phase
        phases.setdefault(phase.pk, PhaseView(numbers[phase.pk], phase, [])).questions.append(view)
    return list(phases.values())


# --- themes and their wording ------------------------------------------------------------------


def _add_themes(views, themes: list[Theme], quotes: dict[int, list[Quote]]) -> None:
    by_pk = {}
    withheld = _withheld_texts(themes)
    for theme in themes:
        allowed = not _uses_words_of(theme, withheld.get(theme.question_id, ""))
        label, summary = wording(theme, allowed)
        item = ThemeView(theme, quotes.get(theme.pk, []), label=label, summary=summary)
        by_pk[theme.pk] = item
        view = views[theme.question_id]
        if theme.key == OTHER:
            view.other = item
        elif theme.parent_id is None:
            view.themes.append(item)
    for theme in themes:
        if theme.parent_id is not None:
            by_pk[theme.parent_id].children.append(by_pk[theme.pk])


def wording(theme: Theme, sources_allowed: bool) -> tuple[str, str]:
    """The theme's label (its key point) and summary, both sentences of its answers, shown
    only when ``sources_allowed`` (neither comes from an answer whose author did not agree to
    publication); otherwise its key phrases, which quote no one, or its id name it.

    Runs before issue 9 have no summary: their label alone is shown (never their description,
    which quoted an answer)."""
    if theme.key == OTHER:
        return "Other", "Answers unlike every theme."
    if sources_allowed:
        return theme.label, theme.summary
    return theme.keywords or f"Theme {theme.key}", ""


def _withheld_texts(themes: list[Theme]) -> dict[int, str]:
    """Per question, the answers that may not be quoted and might hold a piece of a theme's
    wording, lower case with single spaces, in one string: NUL between answers (no piece of a
    label contains it, so no piece matches across two answers).

    On PostgreSQL only the candidates are fetched: answers containing every word of some
    piece, found on the trigram index (responses 0003); _uses_words_of then decides on them
    exactly as before. Fetching every withheld answer and searching each piece in all of them
    took 6 s at a million answers."""
    questions = {t.question_id for t in themes}
    rows = Answer.objects.exclude(response__consent__in=PUBLISHABLE_CONSENT).order_by()
    if connection.vendor == "postgresql":
        rows = rows.filter(_may_hold({(t.question_id, p) for t in themes for p in _pieces(t)}))
    else:  # SQLite's LIKE folds ASCII only: read them all
        rows = rows.filter(question__in=questions)
    found: dict[int, list[str]] = defaultdict(list)
    for question, text in rows.values_list("question_id", "text"):
        found[question].append(" ".join(text.lower().split()))
    return {question: SEPARATOR.join(texts) for question, texts in found.items()}


def _may_hold(pieces: set[tuple[int, str]]) -> Q:
    """Answers that may contain one of ``pieces`` (question, lower-case piece): every run of 3+
    ASCII letters or digits of the piece, case-insensitively (an index search; upper case is
    the same for ASCII in every locale). A piece with no such run gives its whole question."""
    found = Q(pk__in=[])
    for question, piece in sorted(pieces):
        words = Q(question_id=question)
        for word in sorted(set(TRIGRAM_WORD.findall(piece))):
            words &= Q(text__icontains=word)
        found |= words
    return found


def _pieces(theme: Theme) -> list[str]:
    """The label and each sentence of the summary, lower case with single spaces."""
    pieces = [theme.label, *SENTENCE_END.split(theme.summary)]
    pieces = [" ".join(p.lower().rstrip(".!").split()) for p in pieces]
    return [piece for piece in pieces if len(piece) > 3 and SEPARATOR not in piece]


def _uses_words_of(theme: Theme, texts: str) -> bool:
    """Whether the label or a sentence of the summary is taken from one of ``texts``
    (_withheld_texts's joined answers)."""
    return any(piece in texts for piece in _pieces(theme))


# --- quotes ------------------------------------------------------------------------------------


def _quotes(themes: list[Theme]) -> dict[int, list[Quote]]:
    """Per theme, up to QUOTES_SHOWN quotes from responses whose consent allows quoting."""
    wanted = {quote["answer"] for theme in themes for quote in theme.quotes}
    sources = {
        pk: (reference, consent, anonymity, organisation)
        for pk, reference, consent, anonymity, organisation in Answer.objects.filter(
            pk__in=wanted).values_list("pk", "response__reference", "response__consent",
                                       "response__phase__anonymity",
                                       "response__organisation__name")
    }
    found: dict[int, list[Quote]] = {}
    for theme in themes:
        shown = found.setdefault(theme.pk, [])
        for quote in theme.quotes:
            source = sources.get(quote["answer"])
            if source is None or source[1] not in PUBLISHABLE_CONSENT or len(shown) >= QUOTES_SHOWN:
                continue
            reference, consent, anonymity, organisation = source
            named = consent == Response.Consent.FULL and anonymity == Phase.Anonymity.IDENTIFIED
            shown.append(_quote(quote, reference, (organisation or "") if named else ""))
    return found


def _quote(stored: dict, reference: str, organisation: str) -> Quote:
    text, start, end = stored["text"], stored.get("start"), stored.get("end")
    if not (isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(text)):
        start = end = None  # a run before issue 9, or a span that does not fit: no highlight
    return Quote(text, reference, organisation, start, end)


# --- figures -----------------------------------------------------------------------------------


def _add_intervals(views, counted: dict[int, Tally]) -> None:
    """Each theme's share with its Wilson 95% interval, out of the question's respondents as the
    library counts them: answers with content, each campaign once."""
    for question, view in views.items():
        view.coded = counted[question].answers
        n = counted[question].respondents
        for item in view.all_themes:
            item.low, item.high = interval(item.theme.share * n, n) if n else (0.0, 0.0)


def _add_groups(run: AnalysisRun, views, counted: dict[int, Tally]) -> None:
    minimum = int(run.summary.get("config", {}).get("min_group_size") or 10)
    roles = list(run.consultation.roles.values_list("name", flat=True))
    for question, view in views.items():
        themes = [(item.label, item.theme.pk, item.theme.parent_id is not None)
                  for item in view.all_themes]
        view.groups = group_table(counted[question], themes, by_role=view.group_by == "role",
                                  roles=roles, minimum=minimum)


def _add_signals(views, counted: dict[int, Tally]) -> None:
    """Sentiment of every coded answer and, in internal phases, each answer's main framing
    (counted with the figures by tallies())."""
    for question_id, view in views.items():
        view.sentiment = [(label, counted[question_id].sentiment[label]) for label in SENTIMENTS]
        if view.question.phase.audience == Phase.Audience.INTERNAL:
            view.framing = [(label, counted[question_id].framing[label]) for label in FRAMINGS]
