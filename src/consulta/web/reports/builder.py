"""Builds a report's content (content.py) from the latest finished analysis run, the workbench's
decisions, the responses and the organisers' narrative.

The open questions' figures are the Analysis page's (analysis.results.run_results), so the report
and the page agree; quotes are chosen here (quotes.py), with the published report's stricter
rules when ``public``. Closed questions are counted from their Answer rows.
"""

from __future__ import annotations

from collections import Counter

from django.utils import timezone

from consulta.analysis import find_personal_data
from consulta.analysis.constants import AGAINST, FOR, OTHER
from consulta.web.analysis.models import Coding
from consulta.web.analysis.results import latest_runs, run_results
from consulta.web.consultations.models import Question
from consulta.web.reports.charts import bar_chart
from consulta.web.reports.content import (
    Appendix,
    CodeFrameRow,
    GroupDifference,
    GroupTableContent,
    QuestionPart,
    Report,
    Section,
    ThemeRow,
)
from consulta.web.reports.method import build_method
from consulta.web.reports.models import latest_text
from consulta.web.reports.profile import build_profile
from consulta.web.reports.quotes import theme_quotes
from consulta.web.responses.models import Answer, Response

STANCES = [(FOR, "For the proposal"), (AGAINST, "Against the proposal"),
           ("neither", "Neither or unclear")]


def build(consultation, *, public: bool) -> Report:
    run, _ = latest_runs(consultation)
    views = {v.question.pk: v for p in (run_results(run) if run else []) for v in p.questions}
    text = latest_text(consultation)
    commentary = text.commentary if text else {}
    numbers = consultation.phase_numbers()
    questions = list(Question.objects.filter(phase__consultation=consultation)
                     .select_related("phase").order_by("phase__position", "phase_id",
                                                       "position", "pk"))
    quotes = {}
    if run is not None:
        quotes = theme_quotes(run, [t.theme for v in views.values() for t in v.all_themes],
                              public=public)
    parts = []
    for question in questions:
        phase = f"Phase {numbers[question.phase_id]}: {question.phase.name}"
        anchor = f"p{numbers[question.phase_id]}-{question.key}"
        if question.has_options:
            part = _closed(question, anchor, phase)
        else:
            part = _open(question, anchor, phase, views.get(question.pk), run, quotes, public)
        part.commentary = commentary.get(str(question.pk), "")
        parts.append(part)
    campaign_answers, campaigns = _campaigns(run)
    profile = build_profile(consultation, campaign_answers, campaigns, public=public)
    open_questions = [q for q in questions if not q.has_options]
    summary = Section("summary", "Executive summary",
                      _paragraphs(text.summary) if text else [])
    return Report(
        title=consultation.title, slug=consultation.slug, run_by=consultation.run_by,
        run_for=consultation.run_for, generated=timezone.localdate(), public=public,
        total_responses=profile.total_responses, summary=summary,
        highlights=[(p.title, _highlights(p)) for p in parts],
        profile=profile, method=build_method(run, open_questions), questions=parts,
        next_steps=Section("next-steps", "Next steps",
                           _paragraphs(text.next_steps) if text else []),
        appendix=_appendix(consultation, parts), narrative_version=text.version if text else 0)


def _paragraphs(text: str) -> list[str]:
    return [p.strip() for p in text.replace("\r\n", "\n").split("\n\n") if p.strip()]


def _submitted_answers(question):
    return Answer.objects.filter(question=question, response__status=Response.Status.SUBMITTED)


def _closed(question, anchor: str, phase: str) -> QuestionPart:
    offered = question.choices_offered()
    counts: Counter = Counter()
    answered = 0
    for choices in _submitted_answers(question).values_list("choices", flat=True):
        picked = [c for c in (choices or []) if isinstance(c, str)]
        if picked:
            answered += 1
            counts.update(set(picked))
    labels = offered + sorted(set(counts) - set(offered))
    bars = [(label, counts[label], counts[label] / answered if answered else 0.0)
            for label in labels]
    title = f"{question.title}: answers by choice"
    part = QuestionPart(anchor, phase, question.title, question.kind,
                        question.get_kind_display(), answered, open=False)
    part.chart = bar_chart(title, bars, headers=["Choice", "Respondents", "Share"])
    if question.kind == Question.Kind.MULTIPLE_CHOICE:
        part.chart.text += " People could choose more than one, so shares add up to more than 100%."
    return part


def _wording(item, public: bool) -> tuple[str, str]:
    """A theme's label and summary are sentences of answers: a published report falls back to
    its key phrases when either holds personal data (an email, a name), which no one reviewed."""
    if public and (find_personal_data(item.label) or find_personal_data(item.summary)):
        return item.theme.keywords or f"Theme {item.theme.key}", ""
    return item.label, item.summary


def _open(question, anchor, phase, view, run, quotes, public) -> QuestionPart:
    responses = _submitted_answers(question).exclude(text="").count()
    part = QuestionPart(anchor, phase, question.title, question.kind,
                        question.get_kind_display(), responses, open=True)
    if view is None:
        part.analysed = False
        return part
    for item in view.all_themes:
        theme = item.theme
        label, summary = _wording(item, public)
        part.themes.append(ThemeRow(
            theme.key, label, summary, theme.respondents or theme.size, theme.share,
            item.low, item.high, theme.campaign_share, theme.stance,
            theme.parent_id is not None, quotes.get(theme.pk, []), answers=theme.size))
    main = [t for t in part.themes if not t.sub_theme]
    part.chart = bar_chart(f"{question.title}: share of respondents by theme",
                           [(t.label, t.respondents, t.share) for t in main],
                           headers=["Theme", "Respondents", "Share"])
    part.campaigns = Coding.objects.filter(run=run, answer__question=question).exclude(
        campaign="").count()
    if view.takes_sides:
        part.stance = _stance(question, run)
    _groups(part, view)
    return part


def _stance(question, run):
    """Respondents for, against or neither, each campaign once."""
    seen: dict[str, str] = {}
    for pk, stance, campaign in Coding.objects.filter(run=run, answer__question=question).exclude(
            primary=None).values_list("answer_id", "stance", "campaign"):
        seen[campaign or f"answer {pk}"] = stance or "neither"
    counts = Counter(seen.values())
    n = len(seen)
    bars = [(label, counts[key], counts[key] / n if n else 0.0) for key, label in STANCES]
    return bar_chart(f"{question.title}: stance on the proposal", bars,
                     headers=["Stance", "Respondents", "Share"])


def _groups(part: QuestionPart, view) -> None:
    table = view.groups
    if not table.columns:
        return
    # The table's rows are the question's themes in order: use the report's wording of them.
    labels = [t.label for t in part.themes] if len(part.themes) == len(table.rows) else \
        [f"Theme {i}" for i in range(1, len(table.rows) + 1)]
    part.groups = GroupTableContent(
        view.group_by, [c.label for c in table.columns], [c.n for c in table.columns],
        [c.suppressed for c in table.columns],
        [(label, [cell.text if cell else None for cell in row.cells])
         for label, row in zip(labels, table.rows, strict=True)])
    part.suppressed_groups = [c.label for c in table.columns[1:] if c.suppressed]
    for label, row in zip(labels, table.rows, strict=True):
        for column, cell in zip(table.columns[1:], row.cells[1:], strict=True):
            if cell is not None and cell.difference:
                part.differences.append(GroupDifference(
                    label, column.label, column.n, cell.share, cell.low, cell.high,
                    cell.difference))


def _highlights(part: QuestionPart) -> list[str]:
    if not part.open:
        if not part.chart or not part.responses:
            return [f"{part.responses} people answered."]
        top = max(part.chart.rows, key=lambda r: int(r[1]))
        return [f"{part.responses} people answered; the most chosen was “{top[0]}” ({top[2]})."]
    if not part.analysed:
        return [f"{part.responses} answers; not analysed yet."]
    found = [f"{part.responses} answers. Most raised: " + "; ".join(
        f"{t.label} ({t.share * 100:.0f}%)" for t in part.top_themes) + "."] if part.top_themes \
        else [f"{part.responses} answers."]
    found += [d.text + "." for d in part.differences[:2]]
    return found


def _campaigns(run) -> tuple[int, int]:
    if run is None:
        return 0, 0
    rows = Coding.objects.filter(run=run).exclude(campaign="").values_list("campaign", flat=True)
    names = list(rows)
    return len(names), len(set(names))


def _appendix(consultation, parts: list[QuestionPart]) -> Appendix:
    from consulta.web.consultations.models import Phase

    appendix = Appendix()
    for part in parts:
        appendix.code_frame += [
            CodeFrameRow(part.title, t.key, t.label, t.summary, t.respondents, t.answers)
            for t in part.themes if t.key != OTHER]
    names = (Response.objects.filter(
        phase__consultation=consultation, status=Response.Status.SUBMITTED,
        consent=Response.Consent.FULL, phase__anonymity=Phase.Anonymity.IDENTIFIED,
        organisation__isnull=False).exclude(phase__audience=Phase.Audience.INTERNAL)
        .values_list("organisation__name", flat=True).distinct())
    appendix.organisations = sorted(set(names), key=str.lower)
    return appendix
