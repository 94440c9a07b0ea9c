"""The analysis as background work, run by ``consulta worker`` (docs/adr/0006-background-work.md).

The task carries only ids and options: the run row (``AnalysisRun``) is what the back office
reads, and it records the outcome, so the task's own result is a short summary for the logs.
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
    return {"run": run.pk, "status": run.status, "counts": run.summary.get("counts", {})}
