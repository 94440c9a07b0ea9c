"""``consulta worker``: runs queued background work (analyses, big batches of email).

Tasks are rows in the site's own database (``django_tasks_db``, docs/adr/0006-background-work.md):
no broker to install. This is that backend's ``db_worker`` with Consulta's data directory and
settings; ``consulta serve`` and ``consulta demo`` start one beside the web server.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

from consulta.cli.common import CommandError, add_command, add_data_dir, setup

logger = logging.getLogger("consulta.worker")

#: After the database fails the worker: the first wait, the longest, and how long the worker
#: must then run without an error for the waits to start short again (seconds).
RETRY_FIRST, RETRY_LONGEST, RETRY_RESET = 1.0, 60.0, 300.0
#: How long ``stop_worker`` waits for the current task before stopping it mid-way (seconds).
STOP_GRACE = 30.0
STOP_SIGNALS = [signal.SIGINT, signal.SIGTERM] + (
    [signal.SIGQUIT] if hasattr(signal, "SIGQUIT") else [])


def register(commands) -> None:
    parser = add_command(
        commands,
        "worker",
        help="run queued background work: analyses and big batches of invitations",
        example="consulta worker --data-dir /srv/consulta",
        description="Run the tasks that the back office and `consulta analyse --queue` put in "
        "the database's queue,\none at a time, and wait for more. Ctrl-C (or SIGTERM) lets the "
        "current task finish, then stops;\na second Ctrl-C stops it mid-way (an analysis "
        "stopped so is marked failed).\nWhen the database fails it (locked, restarted), it waits "
        "and starts again.\n`consulta serve` and `consulta demo` start a worker "
        "themselves unless given --no-worker,\nand start it again if it stops unexpectedly.",
    )
    parser.add_argument("--batch", action="store_true",
                        help="run what is queued now, then exit (for cron or a one-off)")
    parser.add_argument("--interval", type=float, default=1.0, metavar="SECONDS",
                        help="how often an idle worker looks for new work (default 1)")
    parser.add_argument("--keep-days", type=int, default=90, metavar="DAYS",
                        help="on start, delete finished task records older than this "
                             "(default 90; the analysis runs and email records stay)")
    # Given by serve and demo: stop (as on SIGTERM) if that server process goes away, even
    # killed without a chance to stop the worker itself.
    parser.add_argument("--parent-pid", type=int, help=argparse.SUPPRESS)
    add_data_dir(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    if args.interval <= 0:
        raise CommandError("--interval must be more than 0 seconds.")
    if args.keep_days < 0:
        raise CommandError("--keep-days must be 0 or more.")
    setup(args)
    # The worker installs its own handlers (finish the task, then stop); put back the caller's
    # afterwards, so running it in-process (tests, --batch) leaves Ctrl-C as it was.
    previous = {number: signal.getsignal(number) for number in STOP_SIGNALS}
    if args.parent_pid:
        _stop_when_orphaned(args.parent_pid)
    # Personal data past its consultation's retention date, and drafts of long-closed phases,
    # are deleted by a queued task: at start, then hourly (docs/adr/0008).
    from consulta.web.privacy.tasks import queue_retention_hourly

    stop_retention = threading.Event()
    if not args.batch:
        queue_retention_hourly(stop_retention)
    try:
        work_despite_database_errors(lambda: _start_and_work(args))
    finally:
        stop_retention.set()
        for number, handler in previous.items():
            signal.signal(number, handler)
    return 0


def _start_and_work(args: argparse.Namespace) -> None:
    """Tidy up after earlier workers, then run the backend's worker loop until it stops."""
    from django.core.management import call_command

    from consulta.web.abandoned import recover_abandoned, worker_id

    recovered = recover_abandoned()
    if recovered:
        print(f"Marked {len(recovered)} task(s) failed: their worker on this machine had "
              "stopped before finishing them.", flush=True)
    # Task rows are the queue's bookkeeping; what users read (runs, invitations) lives
    # elsewhere, so old finished ones can go.
    call_command("prune_db_task_results", min_age_days=args.keep_days, queue_name="*",
                 verbosity=0)
    if args.batch:  # a long-running worker queues retention from its own thread (run)
        from consulta.web.privacy.tasks import queue_retention

        queue_retention()
    call_command(
        "db_worker", batch=args.batch, interval=args.interval, reload=False,
        startup_delay=False, verbosity=1,
        # Unique across machines and processes, and readable in the task rows; it is
        # also how a later worker tells that this one is gone (web/abandoned.py).
        worker_id=worker_id(),
    )


def work_despite_database_errors(work: Callable[[], None], *,
                                 sleep: Callable[[float], None] = time.sleep) -> None:
    """Run ``work`` until it returns; when the database fails it (locked past the busy
    timeout during a big import, a restarted PostgreSQL, a dropped connection), log it,
    drop the connections, fail what this process was doing, wait, and start it again.

    The wait doubles from RETRY_FIRST to RETRY_LONGEST seconds, and starts again from the
    first once the worker has run RETRY_RESET seconds without an error. A stop signal during
    the wait stops the worker as usual (the backend's handler exits).
    """
    from django.db import Error, InterfaceError, OperationalError

    backoff = Backoff(RETRY_FIRST, RETRY_LONGEST, RETRY_RESET)
    while True:
        backoff.started()
        try:
            work()
            return
        except (OperationalError, InterfaceError) as error:
            delay = backoff.next_wait()
            logger.error("The database failed the worker (%s: %s); starting again in %.0f s.",
                         type(error).__name__, error, delay)
            _forget_connections()
            try:
                _fail_own_tasks()
            except Error:  # still failing: the next start's recovery will see to them
                logger.warning("Could not yet mark this worker's unfinished tasks failed.")
            _forget_connections()
            if _stop_was_requested():
                return
            sleep(delay)


class Backoff:
    """The wait before starting again something that failed: doubling from ``first`` up to
    ``longest`` while it keeps failing young, and ``first`` again after a run of more than
    ``healthy_after`` seconds."""

    def __init__(self, first: float, longest: float, healthy_after: float) -> None:
        self.first, self.longest, self.healthy_after = first, longest, healthy_after
        self._failures = 0
        self._started_at = time.monotonic()

    def started(self) -> None:
        self._started_at = time.monotonic()

    def next_wait(self) -> float:
        """Called when the run started last has failed."""
        if time.monotonic() - self._started_at > self.healthy_after:
            self._failures = 0
        wait = min(self.longest, self.first * 2 ** self._failures)
        self._failures += 1
        return wait


def _stop_was_requested() -> bool:
    """Whether a stop signal came while the failed loop ran: the backend's worker notes one by
    clearing its ``running``, and its signal handler (a method of it) is still installed."""
    handler = signal.getsignal(signal.SIGTERM)
    return getattr(getattr(handler, "__self__", None), "running", True) is False


def _forget_connections() -> None:
    """Close every database connection, so the next query opens a fresh one."""
    from django.db import connections

    for connection in connections.all(initialized_only=True):
        try:
            connection.close()
        except Exception:  # a broken connection may fail to close: it is dropped either way
            logger.debug("Closing a broken database connection failed.", exc_info=True)


def _fail_own_tasks() -> None:
    """The tasks this process had claimed cannot still be running once its loop has failed."""
    from consulta.web.abandoned import process_alive, recover_abandoned

    own = os.getpid()
    recover_abandoned(alive=lambda pid: pid != own and process_alive(pid))


def _stop_when_orphaned(parent_pid: int) -> None:
    def watch() -> None:
        while os.getppid() == parent_pid:
            time.sleep(1)
        os.kill(os.getpid(), signal.SIGTERM)  # the worker's own handler: finish, then stop

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def start_worker(data_dir: Path) -> subprocess.Popen:
    """A ``consulta worker`` process for ``serve`` and ``demo``, on the same database.

    It gets a session of its own, so Ctrl-C in the terminal reaches only the server, which
    then stops the worker itself (``stop_worker``): one path, whether the server was stopped
    by Ctrl-C or by a service manager.
    """
    command = [sys.executable, "-m", "consulta", "worker", "--data-dir", str(data_dir),
               "--parent-pid", str(os.getpid())]
    extra = {"start_new_session": True} if os.name == "posix" else {}
    process = subprocess.Popen(command, **extra)
    print(f"Started a background worker (process {process.pid}).", flush=True)
    return process


def stop_worker(process: subprocess.Popen, grace: float = STOP_GRACE) -> int | None:
    """Ask the worker to stop after its current task; stop it mid-task after ``grace`` seconds
    or a second Ctrl-C; kill it if even that is ignored. Returns its exit status."""
    if process.poll() is not None:
        return process.returncode
    process.send_signal(signal.SIGTERM)
    try:
        return process.wait(timeout=1)
    except subprocess.TimeoutExpired:
        print(f"Waiting up to {grace:.0f} s for the background worker to finish its current "
              "task (press Ctrl-C to stop it now).", flush=True)
    try:
        return process.wait(timeout=grace)
    except (subprocess.TimeoutExpired, KeyboardInterrupt):
        process.send_signal(signal.SIGTERM)  # a second signal stops the task mid-way
    try:
        return process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        return process.wait()


class WorkerSupervisor:
    """Keeps a worker process running beside the web server: one that dies (killed, out of
    memory, a crash) is started again, after a wait that doubles from RETRY_FIRST up to
    RETRY_LONGEST seconds while it keeps dying young; ``stop`` stops it for good.

    ``start`` makes a new process (``start_worker``); ``check_every`` is how often to look.
    """

    def __init__(self, start: Callable[[], subprocess.Popen], *, check_every: float = 1.0,
                 first_wait: float = RETRY_FIRST, longest_wait: float = RETRY_LONGEST,
                 healthy_after: float = RETRY_RESET) -> None:
        self._start, self.check_every = start, check_every
        self._backoff = Backoff(first_wait, longest_wait, healthy_after)
        self._stopping = threading.Event()
        self._watcher = threading.Thread(target=self._watch, name="worker-watch", daemon=True)
        self.restarts = 0
        self.process = self._start()
        self._watcher.start()

    def _watch(self) -> None:
        while not self._stopping.wait(self.check_every):
            code = self.process.poll()
            if code is None:
                continue
            wait = self._backoff.next_wait()
            print(f"The background worker stopped unexpectedly (exit status {code}); starting "
                  f"it again in {wait:g} s.", flush=True)
            if self._stopping.wait(wait):
                return
            self.process = self._start()
            self._backoff.started()
            self.restarts += 1

    def stop(self, grace: float = STOP_GRACE) -> int | None:
        """Stop watching, then stop the current worker (``stop_worker``); its exit status."""
        self._stopping.set()
        self._watcher.join()
        return stop_worker(self.process, grace)
