"""Work left "running" by a worker process that is gone (killed, or the machine restarted).

The database backend has no lease: a task claimed by a worker stays RUNNING if that process
dies, and so does the analysis run it was doing, so the back office would say "running since
…" for ever. A worker's id is ``<host>-<pid>`` (cli/worker.py), so a worker starting on the
same machine can tell that the process holding a task no longer exists. It marks such tasks
failed, and the analysis run of each failed too, with an error that says what happened;
organisers can then queue the analysis again. Tasks held by a worker on another machine, or by
a process that is still alive, are left alone: only their own machine can judge them.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Callable
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

ANALYSIS_TASK = "consulta.web.analysis.tasks.run_analysis"


class WorkerGone(RuntimeError):
    """The worker process running a task ended before the task did."""


def worker_id(pid: int | None = None, host: str | None = None) -> str:
    """The id a ``consulta worker`` process gives itself: unique per machine and process."""
    return f"{host or socket.gethostname()}-{os.getpid() if pid is None else pid}"[-64:]


def process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # somebody else's process: alive
        return True
    return True


def recover_abandoned(host: str | None = None,
                      alive: Callable[[int], bool] = process_alive) -> list[str]:
    """Fail the tasks (and their analysis runs) held by dead workers of this machine.

    Returns the ids of the tasks marked failed."""
    from django_tasks_db.models import DBTaskResult

    recovered = []
    for result in DBTaskResult.objects.running():
        pid = _dead_local_pid(result.worker_ids, host, alive)
        if pid is None:
            continue
        with transaction.atomic():
            result.set_failed(WorkerGone(
                f"The worker (process {pid}) stopped before this task finished."))
            if result.task_path == ANALYSIS_TASK:
                _fail_analysis_run(result.args_kwargs, pid)
        recovered.append(str(result.id))
    return recovered


def _dead_local_pid(worker_ids: list, host: str | None,
                    alive: Callable[[int], bool]) -> int | None:
    """The pid of the task's last worker if it ran on this machine and is gone, else None."""
    if not worker_ids:
        return None
    owner = str(worker_ids[-1])
    pid_text = owner.rpartition("-")[2]
    if not pid_text.isdigit() or worker_id(int(pid_text), host) != owner:
        return None
    pid = int(pid_text)
    return None if alive(pid) else pid


def _fail_analysis_run(args_kwargs: dict, pid: int) -> None:
    from consulta.web.analysis.models import AnalysisRun

    args, kwargs = args_kwargs.get("args") or [], args_kwargs.get("kwargs") or {}
    run_id = kwargs.get("run_id", args[0] if args else None)
    AnalysisRun.objects.filter(pk=run_id, status=AnalysisRun.Status.RUNNING).update(
        status=AnalysisRun.Status.FAILED, finished_at=timezone.now(),
        error=f"The background worker (process {pid}) stopped before the analysis finished, "
              "for example because the server restarted. Run the analysis again.")


# An analysis run without a task (the command line's, done in its own process) that has run
# this long is taken to be dead: an analysis takes minutes, an hour for the largest.
RUN_WITHOUT_TASK_STALE_AFTER = timedelta(hours=12)
ENDED_EARLY = ("The background work for this analysis ended before the analysis did (the "
               "worker stopped or lost the database). Run the analysis again.")


def settle_unfinished_runs(consultation) -> int:
    """Fail the consultation's queued or running analyses that can no longer finish, so the
    Analysis page never says "running" for ever; returns how many.

    Those are: runs whose task was failed (``recover_abandoned`` fails those of dead workers
    on this machine first) or ended, queued runs whose task is gone, and task-less runs
    "running" for longer than any analysis takes.
    """
    from consulta.web.analysis.models import AnalysisRun

    recover_abandoned()
    unfinished = [AnalysisRun.Status.QUEUED, AnalysisRun.Status.RUNNING]
    settled = 0
    for run in consultation.analysis_runs.filter(status__in=unfinished):
        error = _why_it_cannot_finish(run)
        if error:
            settled += AnalysisRun.objects.filter(pk=run.pk, status__in=unfinished).update(
                status=AnalysisRun.Status.FAILED, finished_at=timezone.now(), error=error)
    return settled


def _why_it_cannot_finish(run) -> str:
    from django.db.models import Q
    from django_tasks_db.models import DBTaskResult

    task = (DBTaskResult.objects.filter(task_path=ANALYSIS_TASK)
            .filter(Q(args_kwargs__args__0=run.pk) | Q(args_kwargs__kwargs__run_id=run.pk))
            .order_by("-enqueued_at").first())
    if task is not None:
        return ENDED_EARLY if task.status in {"FAILED", "SUCCESSFUL"} else ""
    if run.status == run.Status.QUEUED:  # queued with its task, in one transaction
        return "This analysis lost its place in the queue. Run the analysis again."
    if run.started_at and timezone.now() - run.started_at > RUN_WITHOUT_TASK_STALE_AFTER:
        return ("This analysis stopped without finishing: the process running it ended "
                "(for example, the server restarted). Run the analysis again.")
    return ""
