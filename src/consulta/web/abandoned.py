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
PART_TASK = "consulta.web.analysis.tasks.analyse_part"
JOIN_TASK = "consulta.web.analysis.tasks.join_analysis"
CHUNK_TASK = "consulta.web.outreach.tasks.send_chunk_task"


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
            _after_abandoned(result, pid)
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


def _after_abandoned(result, pid: int) -> None:
    """What the dead worker was doing is failed, or, for a part of a bigger piece of work (a
    question of an analysis, a chunk of a batch of email), tried again by another worker."""
    from consulta.web.analysis import parts

    if result.task_path == ANALYSIS_TASK:
        _fail_analysis_run(_first_argument(result.args_kwargs, "run_id"), pid)
    elif result.task_path == PART_TASK:
        parts.part_abandoned(_first_argument(result.args_kwargs, "part_id"), pid)
    elif result.task_path == JOIN_TASK:
        parts.join_abandoned(_first_argument(result.args_kwargs, "run_id"), pid)
    elif result.task_path == CHUNK_TASK:
        from consulta.web.outreach.tasks import chunk_abandoned

        chunk_abandoned(result, pid)


def _first_argument(args_kwargs: dict, name: str):
    args, kwargs = args_kwargs.get("args") or [], args_kwargs.get("kwargs") or {}
    return kwargs.get(name, args[0] if args else None)


def _fail_analysis_run(run_id, pid: int) -> None:
    from consulta.web.analysis.models import AnalysisRun

    # A run split into parts is in the parts' hands once they are queued.
    AnalysisRun.objects.filter(pk=run_id, status=AnalysisRun.Status.RUNNING,
                               parts__isnull=True).update(
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
    from consulta.web.analysis import parts
    from consulta.web.analysis.models import AnalysisRun

    recover_abandoned()
    unfinished = [AnalysisRun.Status.QUEUED, AnalysisRun.Status.RUNNING]
    settled = 0
    for run in consultation.analysis_runs.filter(status__in=unfinished):
        if run.parts.exists():  # split: its lost parts are tried again (parts.settle)
            parts.settle(run, _latest_part_task)
            continue
        error = _why_it_cannot_finish(run)
        if error:
            settled += AnalysisRun.objects.filter(pk=run.pk, status__in=unfinished).update(
                status=AnalysisRun.Status.FAILED, finished_at=timezone.now(), error=error)
    return settled


def _latest_part_task(part):
    from django.db.models import Q
    from django_tasks_db.models import DBTaskResult

    return (DBTaskResult.objects.filter(task_path=PART_TASK)
            .filter(Q(args_kwargs__args__0=part.pk) | Q(args_kwargs__kwargs__part_id=part.pk))
            .order_by("-enqueued_at").first())


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
