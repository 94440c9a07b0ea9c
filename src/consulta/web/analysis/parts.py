"""A queued analysis shared by several workers: one part per question, joined at the end.

The worker that takes a run (``services.run_queued``) splits a big one into ``AnalysisPart``
rows, one per question, each with its own task (``tasks.analyse_part``), in one transaction. Any
worker takes a part, analyses that question's answers with the library and keeps the result on
the part. The last part to finish joins the run: under a lock on the run's row, the one worker
that finds every part done merges the parts (``consulta.analysis.merge``) and stores the run's
results in one transaction, as the single-task path does (``services.store_run``); the
questions are independent in the library, so the results are the same.

A part whose attempt failed (an error, or its worker died: web/abandoned.py) is queued again, up
to ``MAX_ATTEMPTS`` attempts; then the run fails, saying which question could not be analysed.
"""

from __future__ import annotations

import time

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from consulta.analysis.merge import dump, load, merge
from consulta.web.analysis import services
from consulta.web.analysis.models import AnalysisPart, AnalysisRun

MAX_ATTEMPTS = 3
#: Below this many answers a run stays one task: a part costs a model load and a task (~1-2 s),
#: which only pays where the questions themselves take longer.
SPLIT_MIN_ANSWERS = 2000
PLAN_KEY = "plan"  # in the running run's summary: what the parts and the join share


def should_split(records: services.Records) -> bool:
    return len(records.questions) > 1 and len(records.answers) >= SPLIT_MIN_ANSWERS


def plan(run: AnalysisRun, records: services.Records, previous_run: AnalysisRun | None, *,
         seed: int, embedder: str | None) -> list[AnalysisPart]:
    """One queued part per question of ``records``, each with its task, in one transaction."""
    from consulta.web.analysis.tasks import analyse_part

    with transaction.atomic():
        run.summary = {PLAN_KEY: {"previous_run": previous_run.pk if previous_run else None,
                                  "parts": len(records.questions), "seed": seed,
                                  "embedder": embedder, "answers": len(records.answers)}}
        run.save(update_fields=["summary"])
        parts = AnalysisPart.objects.bulk_create(
            AnalysisPart(run=run, question=question, label=label, position=n)
            for n, (label, question) in enumerate(records.questions.items()))
        for part in parts:
            analyse_part.enqueue(part.pk, seed=seed, embedder=embedder)
    return parts


def run_part(part_id: int, *, seed: int, embedder: str | None, worker: str) -> str:
    """Analyse one queued part (the worker's side) and join the run if it was the last;
    what happened, for the task's log. Failures queue the part again (``part_failed``)."""
    now = timezone.now()
    claimed = AnalysisPart.objects.filter(pk=part_id, status=AnalysisPart.Status.QUEUED,
                                          run__status=AnalysisRun.Status.RUNNING)
    if not claimed.update(status=AnalysisPart.Status.RUNNING, attempts=F("attempts") + 1,
                          worker=worker[-64:], started_at=now, finished_at=None):
        return "skipped: not queued any more"
    part = AnalysisPart.objects.select_related("run__consultation", "question").get(pk=part_id)
    try:
        records = services.collect_records(part.run.consultation, part.question)
        analysis, _ = services.analyse_records(records, _previous_run(part.run), seed=seed,
                                               embedder=embedder,
                                               share=_share(part.run, records))
        part.result = dump(analysis)
    except BaseException as error:
        part_failed(part_id, services.error_text(error))
        raise
    part.status, part.finished_at, part.error = AnalysisPart.Status.DONE, timezone.now(), ""
    part.save(update_fields=["result", "status", "finished_at", "error"])
    joined = join(part.run_id)
    return "done; the run joined" if joined else "done"


def part_failed(part_id: int, error: str) -> None:
    """An attempt at the part ended without its result: queue it again, or after
    ``MAX_ATTEMPTS`` fail the run, saying which question could not be analysed."""
    from consulta.web.analysis.tasks import analyse_part

    with transaction.atomic():
        part = (AnalysisPart.objects.select_for_update(of=("self",))
                .select_related("run__consultation", "question").filter(pk=part_id).first())
        if part is None or part.status == AnalysisPart.Status.DONE:
            return
        part.error = error
        run = part.run
        if run.status != AnalysisRun.Status.RUNNING:
            part.status = AnalysisPart.Status.FAILED
        elif part.attempts < MAX_ATTEMPTS:
            part.status = AnalysisPart.Status.QUEUED
            analyse_part.enqueue(part.pk, **options(run))
        else:
            part.status = AnalysisPart.Status.FAILED
            AnalysisPart.objects.filter(run=run, status=AnalysisPart.Status.QUEUED).update(
                status=AnalysisPart.Status.FAILED, error="The run failed: not analysed.")
            AnalysisPart.objects.filter(run=run).update(result=None)
            services.fail_run(run, (
                f"The analysis of {part.label} (\u201c{part.question.title}\u201d) failed "
                f"{part.attempts} times, so the run was stopped. The last error: {error}"))
        part.save(update_fields=["status", "error"])


def join(run_id: int) -> bool:
    """If every part of the running run is done, merge them and store the run's results;
    whether this call did. Exactly one caller joins: the run's row is locked, and a joined
    run is no longer running. A join that fails fails the run."""
    try:
        with transaction.atomic():
            run = (AnalysisRun.objects.select_for_update(of=("self",))
                   .select_related("consultation")
                   .filter(pk=run_id, status=AnalysisRun.Status.RUNNING).first())
            if run is None or not run.parts.exists() or run.parts.exclude(
                    status=AnalysisPart.Status.DONE).exists():
                return False
            _store_joined(run)
    except Exception as error:
        run = AnalysisRun.objects.filter(pk=run_id, status=AnalysisRun.Status.RUNNING).first()
        if run is not None:
            services.fail_run(run, error)
        raise
    return True


def _store_joined(run: AnalysisRun) -> None:
    started = time.perf_counter()
    parts = list(run.parts.select_related("question").order_by("position"))
    analysis = merge([load(part.result) for part in parts])
    records = services.collect_records(run.consultation)
    # The questions the parts analysed, even if their last answer went since.
    records.questions.update({part.label: part.question for part in parts})
    analysed = (timezone.now() - run.started_at).total_seconds()
    services.store_run(run, analysis, records, _previous_run(run),
                       analyse_seconds=analysed, started=started - analysed)
    run.parts.update(result=None)  # merged into the run's rows: not kept twice


def options(run: AnalysisRun) -> dict:
    """The run's seed and embedder, for a part's task."""
    found = run.summary.get(PLAN_KEY) or {}
    return {"seed": found.get("seed", 0), "embedder": found.get("embedder")}


def _share(run: AnalysisRun, records: services.Records) -> float:
    """The part's share of the run's answers: "auto" spends that share of the run's transformer
    budget on it, so a split run does the transformer work of one task (measured: with the
    whole budget per part, 10 parts took 2.5x one task's time), not that times the parts."""
    answers = (run.summary.get(PLAN_KEY) or {}).get("answers")
    return min(1.0, len(records.answers) / answers) if answers else 1.0


def _previous_run(run: AnalysisRun) -> AnalysisRun | None:
    pk = (run.summary.get(PLAN_KEY) or {}).get("previous_run")
    return AnalysisRun.objects.filter(pk=pk).first() if pk else None


# --- recovery (web/abandoned.py) -----------------------------------------------------------------


def part_abandoned(part_id: int, pid: int) -> None:
    """The worker running the part died: queue the part again (or fail the run)."""
    part = AnalysisPart.objects.filter(pk=part_id).only("status", "run_id").first()
    if part is None:
        return
    if part.status == AnalysisPart.Status.DONE:
        # It died joining: the join rolled back, so another worker joins the run whole.
        join_abandoned(part.run_id, pid)
        return
    part_failed(part_id, f"The worker (process {pid}) stopped before this question was "
                         "analysed.")


def join_abandoned(run_id: int, pid: int) -> None:
    """The worker joining the run died: another worker joins it, up to ``MAX_ATTEMPTS``
    joins in all (a join that runs out of memory would otherwise be tried for ever)."""
    from django.db.models import Q
    from django_tasks_db.models import DBTaskResult

    from consulta.web.analysis.tasks import join_analysis

    run = AnalysisRun.objects.filter(pk=run_id, status=AnalysisRun.Status.RUNNING).first()
    if run is None:
        return
    joins = DBTaskResult.objects.filter(task_path=join_analysis.module_path).filter(
        Q(args_kwargs__args__0=run_id) | Q(args_kwargs__kwargs__run_id=run_id)).count()
    if joins + 1 >= MAX_ATTEMPTS:  # the last part's own join, then the join tasks
        services.fail_run(run, f"The background worker (process {pid}) stopped while storing "
                               "the results, too many times. Run the analysis again.")
    else:
        join_analysis.enqueue(run_id)


def settle(run: AnalysisRun, latest_task) -> int:
    """Parts left queued or running whose task is gone or ended (``latest_task(part)``: its
    newest task row, or None) are tried again, or fail the run; returns how many."""
    unfinished = [AnalysisPart.Status.QUEUED, AnalysisPart.Status.RUNNING]
    settled = 0
    for part in run.parts.filter(status__in=unfinished):
        task = latest_task(part)
        if task is None or task.status in {"FAILED", "SUCCESSFUL"}:
            part_failed(part.pk, "The background work for this question ended before the "
                                 "question was analysed.")
            settled += 1
    return settled
