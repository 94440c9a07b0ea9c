"""``consulta worker``: runs queued background work (analyses, big batches of email).

Tasks are rows in the site's own database (``django_tasks_db``, docs/adr/0006-background-work.md):
no broker to install. This is that backend's ``db_worker`` with Consulta's data directory and
settings; ``consulta serve`` and ``consulta demo`` start one beside the web server.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from consulta.cli.common import CommandError, add_command, add_data_dir, setup

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
        "stopped so is marked failed).\n`consulta serve` and `consulta demo` start a worker "
        "themselves unless given --no-worker.",
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
    from django.core.management import call_command

    # The worker installs its own handlers (finish the task, then stop); put back the caller's
    # afterwards, so running it in-process (tests, --batch) leaves Ctrl-C as it was.
    previous = {number: signal.getsignal(number) for number in STOP_SIGNALS}
    if args.parent_pid:
        _stop_when_orphaned(args.parent_pid)
    from consulta.web.abandoned import recover_abandoned, worker_id

    recovered = recover_abandoned()
    if recovered:
        print(f"Marked {len(recovered)} task(s) failed: their worker on this machine had "
              "stopped before finishing them.", flush=True)
    # Task rows are the queue's bookkeeping; what users read (runs, invitations) lives
    # elsewhere, so old finished ones can go.
    call_command("prune_db_task_results", min_age_days=args.keep_days, queue_name="*",
                 verbosity=0)
    try:
        call_command(
            "db_worker", batch=args.batch, interval=args.interval, reload=False,
            startup_delay=False, verbosity=1,
            # Unique across machines and processes, and readable in the task rows; it is
            # also how a later worker tells that this one is gone (web/abandoned.py).
            worker_id=worker_id(),
        )
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
    return 0


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
