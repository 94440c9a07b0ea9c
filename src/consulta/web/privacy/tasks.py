"""Retention as background work: ``consulta worker`` queues it at start and then hourly.

Queued rather than run beside the worker's loop, so it takes its turn with the other tasks
(one writer at a time on SQLite) and its outcome is kept in the task rows like theirs.
"""

from __future__ import annotations

import logging
import threading

from django.db import DatabaseError, close_old_connections, connection, transaction
from django_tasks import task
from django_tasks_db.models import DBTaskResult

from consulta.web.privacy.retention import apply_retention, is_due

logger = logging.getLogger(__name__)

#: How often a running worker queues retention (seconds).
RETENTION_EVERY = 3600


@task()
def apply_retention_task() -> dict:
    summary = apply_retention()
    return {"purges": len(summary.purges), "summary": summary.lines()}


def queue_retention() -> bool:
    """Queue a retention run when something is due and none is already waiting; False if
    nothing was queued (no task row an hour for nothing to do)."""
    if not is_due():
        return False
    with transaction.atomic():
        waiting = DBTaskResult.objects.filter(
            task_path=apply_retention_task.module_path).ready()
        if waiting.exists():
            return False
        apply_retention_task.enqueue()
    return True


def queue_retention_hourly(stop: threading.Event | None = None,
                           every: float = RETENTION_EVERY) -> threading.Thread:
    """Queue retention now and then every ``every`` seconds, in a daemon thread, until
    ``stop`` is set. A database error (locked, restarting) waits for the next turn."""
    stop = stop or threading.Event()

    def loop() -> None:
        while not stop.is_set():
            try:
                close_old_connections()
                queue_retention()
            except DatabaseError:
                logger.warning("Could not queue the retention run; trying again later",
                               exc_info=True)
            finally:
                connection.close()  # this thread's own connection
            stop.wait(every)

    thread = threading.Thread(target=loop, name="retention", daemon=True)
    thread.start()
    return thread
