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
