"""Analysing a consultation's stored responses with the analysis library, and keeping the results.

Every submitted answer to a text question is one record of the library (id: the Answer's pk;
question: "phase N: key"), with the group columns phase, sector, organisation type and role.
The previous finished run is handed to the library as ``previous`` so theme ids (t01, t02...)
stay put from one run to the next. The run row is written first and committed, so a failure
can be recorded on it; the results are written in one transaction, all or nothing.

A run is either done at once (``analyse_consultation``: the command line, the demo) or queued
(``queue_analysis``: the back office's button, ``--queue``) and done later by the worker
(``run_queued``, through ``tasks.run_analysis``); both do the same work (``_execute``).
"""

from __future__ import annotations

import time
import traceback
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from consulta.analysis.constants import OTHER
from consulta.web.analysis.models import AnalysisRun, CodedTheme, Coding, Theme
from consulta.web.consultations import audit
from consulta.web.consultations.models import Consultation, Phase, Question
from consulta.web.responses.models import Answer, Response
from consulta.web.workbench import carry

TEXT_KINDS = (Question.Kind.LONG_TEXT, Question.Kind.SHORT_TEXT)
GROUP_COLUMNS = ["phase", "sector", "organisation type", "role"]
#: Quotes kept per theme: the library's representative ones, then the most confident answers,
#: so the page still has some to show after leaving out those whose consent forbids quoting.
MAX_QUOTES_KEPT = 12
QUOTE_CHARS = 600


@dataclass
class Records:
    """The library's records, and the way back from its question names to Question rows."""

    answers: list = field(default_factory=list)
    questions: dict[str, Question] = field(default_factory=dict)  # "phase N: key" -> Question
    framing_hints: dict[str, str] = field(default_factory=dict)
    wording: dict[str, str] = field(default_factory=dict)  # question name -> its title


def analyse_consultation(
    consultation: Consultation, *, seed: int = 0, embedder: str | None = None,
    progress: bool = False,
) -> AnalysisRun:
    """Analyse the consultation's submitted text answers now and store a new run (status done).

    On any error the run is marked failed with the error, earlier runs are left as they were,
    and the error is raised again.
    """
    previous_run = latest_done_run(consultation)
    now = timezone.now()
    run = AnalysisRun.objects.create(consultation=consultation, status=AnalysisRun.Status.RUNNING,
                                     created_at=now, started_at=now)
    return _execute(run, previous_run, seed=seed, embedder=embedder, progress=progress)


def queue_analysis(
    consultation: Consultation, *, seed: int = 0, embedder: str | None = None,
) -> tuple[AnalysisRun, bool]:
    """A queued run for the worker, and whether it is new.

    A run still waiting in the queue will see every answer submitted before it starts, so a
    second request (a double click, the button and the command line) gets that run back
    instead of queueing the same work twice.
    """
    from consulta.web.analysis.tasks import run_analysis

    with transaction.atomic():
        # Serialises two requests for the same consultation on PostgreSQL; SQLite's IMMEDIATE
        # transactions already do.
        Consultation.objects.select_for_update().filter(pk=consultation.pk).first()
        waiting = consultation.analysis_runs.filter(status=AnalysisRun.Status.QUEUED).first()
        if waiting is not None:
            return waiting, False
        run = AnalysisRun.objects.create(consultation=consultation,
                                         status=AnalysisRun.Status.QUEUED)
        # The task row is written in this transaction too: the worker never sees a task
        # without its run, nor a run that no task will pick up.
        run_analysis.enqueue(run.pk, seed=seed, embedder=embedder)
    return run, True


def run_queued(run_id: int, *, seed: int = 0, embedder: str | None = None) -> AnalysisRun | None:
    """Do a queued run (the worker's side); None when it is gone or no longer queued.

    A run big enough to share (parts.should_split) is split into one part per question for any
    worker to take, and comes back still running; the last part joins it (parts.py)."""
    from consulta.web.analysis import parts

    now = timezone.now()
    claimed = AnalysisRun.objects.filter(pk=run_id, status=AnalysisRun.Status.QUEUED).update(
        status=AnalysisRun.Status.RUNNING, started_at=now)
    if not claimed:  # deleted with its consultation, or already done by another worker
        return None
    run = AnalysisRun.objects.select_related("consultation").get(pk=run_id)
    previous_run = latest_done_run(run.consultation)
    try:
        records = collect_records(run.consultation)
        if parts.should_split(records):
            parts.plan(run, records, previous_run, seed=seed, embedder=embedder)
            return run
    except BaseException as error:
        fail_run(run, error)
        raise
    return _execute(run, previous_run, seed=seed, embedder=embedder, progress=False,
                    records=records)


def _execute(run: AnalysisRun, previous_run: AnalysisRun | None, *, seed: int,
             embedder: str | None, progress: bool, records: Records | None = None
             ) -> AnalysisRun:
    started = time.perf_counter()
    try:
        records = records or collect_records(run.consultation)
        analysis, kept = analyse_records(records, previous_run, seed=seed, embedder=embedder,
                                         progress=progress)
        store_run(run, analysis, records, previous_run, kept=kept,
                  analyse_seconds=time.perf_counter() - started, started=started)
    except BaseException as error:
        fail_run(run, error)
        raise
    return run


def analyse_records(records: Records, previous_run: AnalysisRun | None, *, seed: int,
                    embedder: str | None, progress: bool = False, share: float = 1.0):
    """The library's analysis of ``records`` (all the run's, or one question's), and the
    questions people edited on ``previous_run`` (kept as they left them). ``share``: the part
    of the run's embedding budget these records may spend (a part of a split run)."""
    from consulta.analysis.pipeline import AnalysisConfig, analyse, default_embedder
    from consulta.web.analysis.previous import previous_input

    config = AnalysisConfig(
        embedder=embedder or default_embedder(), seed=seed,
        group_columns=list(GROUP_COLUMNS), framing_hints=records.framing_hints,
        question_wording=records.wording, budget_share=share,
    )
    previous = previous_input(previous_run, records) if previous_run else None
    # Questions people edited keep their themes and codes; new answers learn from them.
    kept = carry.kept_questions(previous_run, records)
    analysis = analyse(records.answers, config, previous=previous, progress=progress,
                       codes=carry.examples(kept) or None, codebook=carry.frame(kept))
    return analysis, kept


def store_run(run: AnalysisRun, analysis, records: Records, previous_run: AnalysisRun | None,
              *, kept=None, analyse_seconds: float, started: float) -> None:
    """Store the run's results and mark it done, all in one transaction. ``started``: the
    ``time.perf_counter()`` the timings count from."""
    if kept is None:
        kept = carry.kept_questions(previous_run, records)
    with transaction.atomic():
        counts = store_results(run, analysis, records, kept)
        if kept:
            carry.carry_people(previous_run, run, kept)
        run.summary = _summary(analysis, records, counts, previous_run,
                               analyse_seconds=analyse_seconds,
                               total_seconds=time.perf_counter() - started)
        run.summary[carry.SUMMARY_KEY] = sorted(found.question.pk for found in kept.values())
        run.status = AnalysisRun.Status.DONE
        run.finished_at = timezone.now()
        run.save(update_fields=["summary", "status", "finished_at"])
        audit.record(run.consultation, None, audit.ANALYSIS_DONE, run=run.pk, counts=counts)


def fail_run(run: AnalysisRun, error: BaseException | str) -> None:
    """Mark the run failed with ``error`` (an exception, or what to tell the organiser)."""
    run.status = AnalysisRun.Status.FAILED
    run.error = error if isinstance(error, str) else error_text(error)
    run.finished_at = timezone.now()
    run.save(update_fields=["status", "error", "finished_at"])
    # Not the error's text: it could quote an answer, and every member reads the trail.
    audit.record(run.consultation, None, audit.ANALYSIS_FAILED, run=run.pk)


def error_text(error: BaseException) -> str:
    if isinstance(error, (KeyboardInterrupt, SystemExit)):
        # "SystemExit: 1" would say nothing to the organiser reading it on the page.
        return "Stopped before it finished: the worker or command running it was interrupted."
    return "".join(traceback.format_exception_only(error)).strip()


def latest_done_run(consultation: Consultation) -> AnalysisRun | None:
    return consultation.analysis_runs.filter(status=AnalysisRun.Status.DONE).first()


def analyse_unless_done(consultation: Consultation, **options) -> AnalysisRun | None:
    """A first analysis (for the demo): the new run, or None when a finished one exists."""
    if latest_done_run(consultation) is not None:
        return None
    return analyse_consultation(consultation, **options)


# --- records -----------------------------------------------------------------------------------


def question_label(number: int, question: Question) -> str:
    return f"phase {number}: {question.key}"


def collect_records(consultation: Consultation, question: Question | None = None) -> Records:
    """One record per non-blank submitted answer to a text question (or to ``question``), in
    phase and question order."""
    from consulta.analysis.framing import hint_framing
    from consulta.analysis.records import Answer as Record

    numbers = consultation.phase_numbers()
    answers = (
        Answer.objects.filter(
            response__phase__consultation=consultation,
            response__status=Response.Status.SUBMITTED, question__kind__in=TEXT_KINDS,
        )
        .exclude(text="")
        .filter(**({"question": question} if question is not None else {}))
        .select_related("question__phase", "response__organisation", "response__role")
        .order_by("question__phase__position", "question__phase_id", "question__position",
                  "question_id", "pk")
    )
    records = Records()
    for answer in answers:
        phase = answer.question.phase
        label = question_label(numbers[phase.pk], answer.question)
        if label not in records.questions:
            records.questions[label] = answer.question
            records.wording[label] = answer.question.title
            if phase.audience == Phase.Audience.INTERNAL:
                # The library frames points by the question they answer: give it the wording
                # when the key alone ("q2") does not say which framing the question asks for.
                question = answer.question
                records.framing_hints[label] = next(
                    (text for text in (question.key, question.title) if hint_framing(text)), label)
        records.answers.append(Record(
            id=str(answer.pk), question=label, text=answer.text,
            groups=_groups(numbers[phase.pk], phase, answer.response),
        ))
    return records


def _groups(number: int, phase: Phase, response: Response) -> dict[str, str]:
    internal = phase.audience == Phase.Audience.INTERNAL
    organisation = None if internal else response.organisation
    return {
        "phase": f"{number}: {phase.name}",
        "sector": organisation.get_sector_display() if organisation else "",
        "organisation type": organisation.type if organisation else "",
        "role": response.role.name if internal and response.role else "",
    }


# --- storing -----------------------------------------------------------------------------------


def store_results(run: AnalysisRun, analysis, records: Records, kept=None) -> dict[str, int]:
    """Theme, Coding and CodedTheme rows for the run; returns what was stored. ``kept``: the
    questions people edited (workbench.carry), stored with their previous themes and codes."""
    kept = kept or {}
    texts = {record.id: record.text for record in records.answers}
    said = [row for row in analysis.answers if not row.empty]
    themes = _store_themes(run, analysis, records, said, texts, set(kept))
    themes.update(carry.store_themes(run, kept, {int(row.id) for row in said}))
    people = carry.adjust(said, kept)
    internal = {label for label, q in records.questions.items()
                if q.phase.audience == Phase.Audience.INTERNAL}
    codings = Coding.objects.bulk_create(
        _coding(run, row, themes, row.question in internal) for row in said)
    coded = CodedTheme.objects.bulk_create(
        CodedTheme(coding=coding, theme=themes[(row.question, theme)],
                   confidence=row.confidences.get(theme, 0.0),
                   source=people.get((row.id, theme), CodedTheme.Source.MODEL))
        for coding, row in zip(codings, said) for theme in row.themes
    )
    carry.recount(run, kept)
    top = sum(1 for theme in themes.values() if theme.parent_id is None and theme.key != OTHER)
    return {"questions": len(analysis.questions), "themes": top,
            "sub_themes": sum(1 for theme in themes.values() if theme.parent_id),
            "answers": len(analysis.answers), "answers_coded": len(codings),
            "coded_themes": len(coded)}


def _store_themes(run, analysis, records: Records, said, texts, kept: set[str]
                  ) -> dict[tuple[str, str], Theme]:
    by_question: dict[str, list] = {}
    for row in said:
        by_question.setdefault(row.question, []).append(row)
    stored: dict[tuple[str, str], Theme] = {}
    # Parents first: sub-themes point at them, and bulk_create needs their primary keys.
    for parents in (True, False):
        found = [(question.question, theme) for question in analysis.questions
                 if question.question not in kept
                 for theme in question.themes if (not theme.parent) == parents]
        rows = Theme.objects.bulk_create(
            Theme(run=run, question=records.questions[label], key=theme.theme,
                  parent=None if parents else stored[(label, theme.parent)],
                  label=theme.label[:200], keywords=theme.keywords[:300],
                  description=theme.description, summary=theme.summary, stance=theme.stance,
                  size=theme.size, respondents=theme.respondents, share=theme.share,
                  campaign_share=theme.campaign_share,
                  quotes=_quotes(theme, by_question.get(label, []), texts))
            for label, theme in found
        )
        stored.update(((label, row.key), row) for (label, _), row in zip(found, rows))
    return stored


def _quotes(theme, rows, texts: dict[str, str]) -> list[dict]:
    """The library's quotes, then passages of the answers most confidently in the theme; each
    {"answer", "text", "start", "end"}: text[start:end] is the sentence that matched."""
    quotes = [_quote(int(answer), text, theme.quote_spans[n] if n < len(theme.quote_spans)
                     else None)
              for n, (answer, text) in enumerate(zip(theme.quote_ids, theme.quotes))]
    quoted = {quote["answer"] for quote in quotes}
    if theme.theme == OTHER:
        return quotes
    candidates = sorted((row for row in rows if theme.theme in row.themes),
                        key=lambda row: (-row.confidences.get(theme.theme, 0.0), int(row.id)))
    for row in candidates:
        if len(quotes) >= MAX_QUOTES_KEPT:
            break
        if int(row.id) not in quoted:
            passage, span = _passage(row, texts[row.id], {theme.theme, theme.parent})
            quotes.append(_quote(int(row.id), passage, span))
    return quotes


def _quote(answer: int, text: str, span) -> dict:
    """A stored quote; the span only when it lies inside the text (the page marks it)."""
    quote = {"answer": answer, "text": text}
    if span and 0 <= span[0] < span[1] <= len(text):
        quote["start"], quote["end"] = int(span[0]), int(span[1])
    return quote


def _passage(row, text: str, themes: set[str]) -> tuple[str, tuple[int, int]]:
    """The answer's first point in the theme (or its first point) in the sentences around it,
    at most QUOTE_CHARS long, and where that point lies in the passage."""
    from consulta.analysis.quotes import quote_context

    segments = row.segments or [{"start": 0, "end": len(text), "theme": ""}]
    chosen = next((s for s in segments if s.get("theme") in themes), segments[0])
    start, end = chosen["start"], chosen["end"]
    start += len(text[start:end]) - len(text[start:end].lstrip())  # the span without spaces
    end -= len(text[start:end]) - len(text[start:end].rstrip())
    # The limit leaves room for the "… " and " …" that say the passage is cut.
    passage, (first, last) = quote_context(text, start, end, limit=QUOTE_CHARS - 4)
    if len(passage) > QUOTE_CHARS:  # one point longer than a quote: its start
        passage = passage[:QUOTE_CHARS - 1].rstrip() + "…"
        last = min(last, len(passage) - 1)
    return passage, (first, last)


def _coding(run, row, themes, internal: bool) -> Coding:
    segments = [segment if internal else {k: v for k, v in segment.items() if k != "framing"}
                for segment in row.segments]
    return Coding(
        run=run, answer_id=int(row.id),
        primary=themes.get((row.question, row.theme)),
        confidence=row.confidence or 0.0, sentiment=row.sentiment,
        # Framing (challenge, working well, opportunity) is asked of internal phases only.
        framing=row.framing if internal else "", campaign=row.campaign, stance=row.stance,
        segments=segments, text_sha256=row.text_sha256,
    )


def _summary(analysis, records: Records, counts, previous_run, *, analyse_seconds,
             total_seconds) -> dict:
    """analysis.json without the per-answer rows, question names mapped to Question pks."""
    question_ids = {label: q.pk for label, q in records.questions.items()}
    return {
        "config": analysis.config, "versions": analysis.versions, "embedder": analysis.embedder,
        "timings": {**analysis.timings, "analyse": round(analyse_seconds, 3),
                    "store": round(total_seconds - analyse_seconds, 3),
                    "total": round(total_seconds, 3)},
        "counts": counts,
        "previous_run": previous_run.pk if previous_run else None,
        "questions": [
            {"question": question_ids[q.question], "name": q.question, "answers": q.answers,
             "empty": q.empty, "other": q.other, "other_reasons": q.other_reasons,
             "coding": q.coding}
            for q in analysis.questions
        ],
        "groups": analysis.groups,
        "campaigns": analysis.campaigns,
    }
