"""``consulta serve``: the site behind a production WSGI server (waitress), with its worker."""

from __future__ import annotations

import argparse
import signal
from pathlib import Path

from consulta.cli.common import add_command, add_data_dir, setup

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000


def register(commands) -> None:
    parser = add_command(
        commands,
        "serve",
        help="serve the site with a production WSGI server",
        example="consulta serve --host 0.0.0.0 --port 8080 --data-dir /srv/consulta",
        description="Serve the site with a production WSGI server (waitress), and run a "
        "background worker\n(`consulta worker`) beside it for analyses and big batches of "
        "email, started again\nif it stops unexpectedly. Ctrl-C stops both.",
    )
    add_server_options(parser)
    add_data_dir(parser)
    parser.set_defaults(handler=run)


def add_server_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default=DEFAULT_HOST, help=f"address to listen on ({DEFAULT_HOST})")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"port ({DEFAULT_PORT})")
    parser.add_argument("--threads", type=int, default=8, help="worker threads (8)")
    parser.add_argument("--no-worker", action="store_true",
                        help="do not start a background worker (run `consulta worker` elsewhere)")


def run(args: argparse.Namespace) -> int:
    data_dir = setup(args)
    return serve_forever(args.host, args.port, args.threads,
                         worker_data_dir=None if args.no_worker else data_dir)


def _stop_serving(signum, frame) -> None:
    # Waitress ends its loop on SystemExit as on Ctrl-C, so SIGTERM from a service manager
    # (or `kill`) gets the same clean stop, worker included, instead of an instant death.
    raise SystemExit(0)


def serve_forever(host: str, port: int, threads: int = 8, *,
                  worker_data_dir: Path | None = None) -> int:
    from waitress import serve

    from consulta.cli import worker as workers
    from consulta.web.wsgi import application

    # Supervised: a worker that dies is started again, so queued work never waits for ever.
    worker = None if worker_data_dir is None else workers.WorkerSupervisor(
        lambda: workers.start_worker(worker_data_dir))
    previous = signal.signal(signal.SIGTERM, _stop_serving)
    try:
        shown = f"[{host}]" if ":" in host else host
        print(f"Serving Consulta on http://{shown}:{port}/ (press Ctrl-C to stop)", flush=True)
        # Waitress's default of 100 open connections queues the 101st visitor behind idle
        # keep-alive connections for up to two minutes; a consultation's launch email brings
        # more.
        serve(application, host=host, port=port, threads=threads, ident="consulta",
              _quiet=True, connection_limit=1000, channel_timeout=60)
    finally:
        signal.signal(signal.SIGTERM, previous)
        if worker is not None:
            code = worker.stop()
            print(f"Background worker stopped (exit status {code}).", flush=True)
    return 0
