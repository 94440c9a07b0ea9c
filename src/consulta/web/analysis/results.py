"""An analysis run laid out for the back office: per phase, per question, themes and who said them.

A handful of grouped queries per page, however many themes and answers there are. Publication
consent is applied here, when quotes are shown: a response whose consent is "none" is never
quoted, and a quote names its organisation only when its consent is "full" in an identified phase.
Groups with fewer answers than the run's ``min_group_size`` show no figures.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db.models import Count

from consulta.analysis.constants import FRAMINGS, OTHER, SENTIMENTS
from consulta.web.analysis.models import AnalysisRun, CodedTheme, Coding, Theme
from consulta.web.consultations.models import Phase, Question
from consulta.web.consultations.stats import NO_ORGANISATION, NO_ROLE
from consulta.web.responses.models import Answer, Response
from consulta.web.stakeholders.models import Sector

QUOTES_SHOWN = 5
QUOTABLE = {Response.Consent.FULL, Response.Consent.ANONYMOUS}
SECTOR_LABELS = dict(Sector.choices)
# The library's descriptions end with an example taken from the theme's first quote.
EXAMPLE = re.compile(r", such as “.*”\.$", re.DOTALL)
ONLY_EXAMPLE = re.compile(r"^Answers like “.*”\.$", re.DOTALL)


@dataclass
class Quote:
    text: str
    reference: str
    organisation: str = ""  # only with full consent in an identified phase


@dataclass
class ThemeView:
    theme: Theme
    quotes: list[Quote] = field(default_factory=list)
    children: list[ThemeView] = field(default_factory=list)
    label: str = ""
    description: str = ""


@dataclass
class GroupColumn:
    label: str
    n: int
    suppressed: bool


@dataclass
class ShareRow:
    label: str
    sub_theme: bool
    cells: list[float | None]  # None: a suppressed group


@dataclass
class QuestionView:
    question: Question
    coded: int = 0
    themes: list[ThemeView] = field(default_factory=list)
    other: Theme | None = None
    group_by: str = "sector"
    columns: list[GroupColumn] = field(default_factory=list)
    rows: list[ShareRow] = field(default_factory=list)
    sentiment: list[tuple[str, int]] = field(default_factory=list)
    framing: list[tuple[str, int]] = field(default_factory=list)

    @property
    def theme_count(self) -> int:
        return len(self.themes)


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
    quotes, quotable = _quotes(themes)
    _add_themes(views, themes, quotes, quotable)
    _add_shares(run, views)
    _add_signals(run, views)
    numbers = run.consultation.phase_numbers()
    phases: dict[int, PhaseView] = {}
    for view in views.values():  # themes come in phase and question order
        phase = view.question.phase
        phases.setdefault(phase.pk, PhaseView(numbers[phase.pk], phase, [])).questions.append(view)
    return list(phases.values())


def _add_themes(views, themes: list[Theme], quotes: dict[int, list[Quote]],
                quotable: set[int]) -> None:
    by_pk = {}
    withheld = _withheld_texts(themes)
    for theme in themes:
        first = theme.quotes[0]["answer"] if theme.quotes else None
        quoted = not _uses_words_of(theme, withheld.get(theme.question_id, []))
        label, description = wording(theme, first is None or first in quotable, quoted)
        item = ThemeView(theme, quotes.get(theme.pk, []), label=label, description=description)
        by_pk[theme.pk] = item
        view = views[theme.question_id]
        if theme.key == OTHER:
            view.other = theme
        elif theme.parent_id is None:
            view.themes.append(item)
    for theme in themes:
        if theme.parent_id is not None:
            by_pk[theme.parent_id].children.append(by_pk[theme.pk])


def wording(theme: Theme, example_allowed: bool,
            sources_allowed: bool | None = None) -> tuple[str, str]:
    """The theme's label and description, without the words of its first quote (which the
    library uses as an example) when that answer's author did not agree to publication.

    Since issue 9 the label (a key point) and the description (the summary) are sentences of
    answers: both are left out unless ``sources_allowed`` (none is an answer whose author did
    not agree to publication); the theme is then named by its key phrases, which quote no one."""
    if theme.key == OTHER:
        return theme.label, theme.description
    if EXAMPLE.search(theme.description) or ONLY_EXAMPLE.match(theme.description) \
            or theme.description.startswith("Answers about "):  # before issue 9
        if example_allowed:
            return theme.label, theme.description
        if ONLY_EXAMPLE.match(theme.description):  # no key phrases: the label is the quote's start
            return f"Theme {theme.key}", ""
        return theme.label, EXAMPLE.sub(".", theme.description)
    if sources_allowed if sources_allowed is not None else example_allowed:
        return theme.label, theme.description
    return theme.keywords or f"Theme {theme.key}", ""


def _withheld_texts(themes: list[Theme]) -> dict[int, list[str]]:
    """Per question, the answers that may not be quoted, lower case with single spaces."""
    found: dict[int, list[str]] = defaultdict(list)
    rows = Answer.objects.filter(question__in={t.question_id for t in themes}).exclude(
        response__consent__in=QUOTABLE).values_list("question_id", "text")
    for question, text in rows:
        found[question].append(" ".join(text.lower().split()))
    return found


def _uses_words_of(theme: Theme, texts: list[str]) -> bool:
    """Whether the label or a sentence of the description is taken from one of ``texts``."""
    pieces = [theme.label, *re.split(r"(?<=[.!?])\s+", theme.description)]
    pieces = [" ".join(p.lower().rstrip(".!").split()) for p in pieces]
    return any(piece and piece in text for piece in pieces if len(piece) > 3 for text in texts)


def _quotes(themes: list[Theme]) -> tuple[dict[int, list[Quote]], set[int]]:
    """Per theme, up to QUOTES_SHOWN quotes from responses whose consent allows quoting; and
    the quoted answers that may be shown."""
    wanted = {quote["answer"] for theme in themes for quote in theme.quotes}
    sources = {
        pk: (reference, consent, anonymity, organisation)
        for pk, reference, consent, anonymity, organisation in Answer.objects.filter(
            pk__in=wanted).values_list("pk", "response__reference", "response__consent",
                                       "response__phase__anonymity",
                                       "response__organisation__name")
    }
    quotable = {pk for pk, source in sources.items() if source[1] in QUOTABLE}
    found: dict[int, list[Quote]] = {}
    for theme in themes:
        shown = found.setdefault(theme.pk, [])
        for quote in theme.quotes:
            source = sources.get(quote["answer"])
            if quote["answer"] not in quotable or len(shown) >= QUOTES_SHOWN:
                continue
            reference, consent, anonymity, organisation = source
            named = consent == Response.Consent.FULL and anonymity == Phase.Anonymity.IDENTIFIED
            shown.append(Quote(quote["text"], reference, (organisation or "") if named else ""))
    return found, quotable


def _add_shares(run: AnalysisRun, views) -> None:
    """Per question, the share of answers carrying each theme: everyone, then per group.

    Internal phases are compared by role (their answers have no organisation), the others by
    the sector of the respondent's organisation.
    """
    group = ("answer__response__organisation__sector", "answer__response__role__name")
    answered: dict[int, Counter] = defaultdict(Counter)
    for question, sector, role, n in (
        Coding.objects.filter(run=run).order_by()
        .values_list("answer__question_id", *group).annotate(n=Count("id"))
    ):
        answered[question][_group(views[question], sector, role)] += n
    carried: dict[int, Counter] = defaultdict(Counter)
    for theme, sector, role, n in (
        CodedTheme.objects.filter(coding__run=run).order_by()
        .values_list("theme_id", *(f"coding__{g}" for g in group)).annotate(n=Count("id"))
    ):
        carried[theme][(sector, role)] += n
    minimum = int(run.summary.get("config", {}).get("min_group_size") or 10)
    roles = list(run.consultation.roles.values_list("name", flat=True))
    for question_id, view in views.items():
        counts = answered[question_id]
        groups = _ordered_groups(view, counts, roles)
        view.coded = sum(counts.values())
        view.columns = [GroupColumn("All answers", view.coded, False)] + [
            GroupColumn(label, counts[label], counts[label] < minimum) for label in groups
        ]
        ordered = [t for item in view.themes for t in (item, *item.children)]
        if view.other:
            ordered.append(ThemeView(view.other))
        for item in ordered:
            in_group = Counter()
            for (sector, role), n in carried[item.theme.pk].items():
                in_group[_group(view, sector, role)] += n
            cells = [item.theme.size] + [in_group[label] for label in groups]
            view.rows.append(ShareRow(
                label=item.label or item.theme.label, sub_theme=item.theme.parent_id is not None,
                cells=[None if column.suppressed or not column.n else count / column.n
                       for count, column in zip(cells, view.columns)],
            ))


def _group(view: QuestionView, sector: str | None, role: str | None) -> str:
    if view.group_by == "role":
        return role or NO_ROLE
    return SECTOR_LABELS.get(sector, sector) if sector else NO_ORGANISATION


def _ordered_groups(view: QuestionView, answered: Counter, roles: list[str]) -> list[str]:
    if view.group_by == "role":
        order = [*roles, NO_ROLE]
    else:
        order = [sector.label for sector in Sector] + [NO_ORGANISATION]
    return [label for label in order if answered[label]]


def _add_signals(run: AnalysisRun, views) -> None:
    """Sentiment of every coded answer and, in internal phases, each answer's main framing."""
    sentiment: dict[int, Counter] = defaultdict(Counter)
    framing: dict[int, Counter] = defaultdict(Counter)
    for question, mood, framed, n in (
        Coding.objects.filter(run=run).order_by()
        .values_list("answer__question_id", "sentiment", "framing").annotate(n=Count("id"))
    ):
        sentiment[question][mood] += n
        if framed:  # "challenge;opportunity": the framing with the most words comes first
            framing[question][framed.split(";")[0]] += n
    for question_id, view in views.items():
        view.sentiment = [(label, sentiment[question_id][label]) for label in SENTIMENTS]
        if view.question.phase.audience == Phase.Audience.INTERNAL:
            view.framing = [(label, framing[question_id][label]) for label in FRAMINGS]
