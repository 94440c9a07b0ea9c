"""The analysis as background work, run by ``consulta worker`` (docs/adr/0006-background-work.md).

The tasks carry only ids and options: the run row (``AnalysisRun``) and its parts
(``AnalysisPart``) are what the back office reads, and they record the outcome, so a task's own
result is a short summary for the logs. ``run_analysis`` takes a queued run: it does a small one
itself and splits a big one into a part per question (``analyse_part``, parts.py) that any
worker takes; the last part joins the run (``join_analysis`` when a worker died joining).
"""

from __future__ import annotations

from django_tasks import task

from consulta.web.analysis import services


@task()
def run_analysis(run_id: int, seed: int = 0, embedder: str | None = None) -> dict:
    """Analyse the consultation of queued run ``run_id``; a failure is raised after the run
    records it, so the task shows as failed too."""
    run = services.run_queued(run_id, seed=seed, embedder=embedder)
    if run is None:
        return {"run": run_id, "status": "skipped: not queued any more"}
    if run.status == run.Status.RUNNING:
        return {"run": run.pk, "status": "split", "parts": run.parts.count()}
    return {"run": run.pk, "status": run.status, "counts": run.summary.get("counts", {})}


@task()
def analyse_part(part_id: int, seed: int = 0, embedder: str | None = None) -> dict:
    """Analyse one question of a split run; a failure queues the part again (or fails the
    run after three attempts) and is raised, so the task shows as failed."""
    from consulta.web.abandoned import worker_id
    from consulta.web.analysis import parts

    outcome = parts.run_part(part_id, seed=seed, embedder=embedder, worker=worker_id())
    return {"part": part_id, "status": outcome}


@task()
def join_analysis(run_id: int) -> dict:
    """Join a split run whose parts are done (its joining worker died before it finished)."""
    from consulta.web.analysis import parts

    return {"run": run_id, "status": "joined" if parts.join(run_id) else "nothing to join"}
