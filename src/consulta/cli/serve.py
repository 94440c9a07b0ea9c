"""``consulta serve``: the site behind a production WSGI server (waitress), with its worker;
``--processes N`` runs N web processes on one address (cli/serving.py)."""

from __future__ import annotations

import argparse
import os
import signal
import sys
from pathlib import Path

from consulta.cli import serving
from consulta.cli.common import CommandError, add_command, add_data_dir, setup

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
        "email, started again\nif it stops unexpectedly. Ctrl-C stops both.\n\n"
        "--processes N runs N web processes on the same address, to use N cores; one that "
        "stops\nunexpectedly is started again. With more than one, set "
        "CONSULTA_CACHE_URL=redis://...\nso that they share the rate limits' counts (and "
        "DATABASE_URL=postgres://...).\nStatic files are collected into the data directory "
        "on start.",
    )
    add_server_options(parser)
    parser.add_argument("--processes", type=int, default=1, metavar="N",
                        help="web processes on this address, each with --threads threads (1); "
                        "more than 1 needs CONSULTA_CACHE_URL pointing at Redis")
    # Given to the web processes that --processes starts: the parent's listening sockets.
    parser.add_argument("--listen-fds", help=argparse.SUPPRESS)
    parser.add_argument("--parent-pid", type=int, help=argparse.SUPPRESS)
    add_data_dir(parser)
    parser.set_defaults(handler=run)


def add_server_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default=DEFAULT_HOST, help=f"address to listen on ({DEFAULT_HOST})")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"port ({DEFAULT_PORT})")
    parser.add_argument("--threads", type=int, default=8, help="threads per web process (8)")
    parser.add_argument("--no-worker", action="store_true",
                        help="do not start a background worker (run `consulta worker` elsewhere)")


def run(args: argparse.Namespace) -> int:
    if args.listen_fds:
        return serve_child(args)
    if args.processes < 1:
        raise CommandError("--processes must be 1 or more.")
    if args.processes > 1 and os.name != "posix":
        raise CommandError("--processes above 1 needs Linux or macOS; run one `consulta serve` "
                           "per port behind the proxy instead.")
    data_dir = setup(args)
    worker_data_dir = None if args.no_worker else data_dir
    if args.processes == 1:
        return serve_forever(args.host, args.port, args.threads, worker_data_dir=worker_data_dir)
    return serve_processes(args.host, args.port, args.processes, args.threads,
                           data_dir=data_dir, worker_data_dir=worker_data_dir)


def _stop_serving(signum, frame) -> None:
    # Waitress ends its loop on SystemExit as on Ctrl-C, so SIGTERM from a service manager
    # (or `kill`) gets the same clean stop, worker included, instead of an instant death.
    raise SystemExit(0)


def prepare(processes: int, threads: int) -> None:
    """What every start does before serving: check the shared cache answers, warn of settings
    that do not fit the processes, collect the static files."""
    from django.conf import settings

    from consulta.web.deployment.scaling import shared_cache
    from consulta.web.deployment.static import collect_static

    if shared_cache(settings.CACHES):
        _check_cache()
    elif processes > 1:
        print(f"Warning: CONSULTA_CACHE_URL is not set, so each of the {processes} web "
              "processes counts rate limits on its own: an address gets up to "
              f"{processes} times each allowance. Point it at Redis (redis://...).",
              file=sys.stderr, flush=True)
    pool = settings.DATABASES["default"].get("OPTIONS", {}).get("pool")
    if pool and pool["max_size"] < threads:
        print(f"Warning: {threads} threads per process but CONSULTA_DB_POOL_MAX is "
              f"{pool['max_size']}: requests will wait for a database connection.",
              file=sys.stderr, flush=True)
    if settings.STATIC_ROOT:  # None without a data directory (tests in this process)
        collect_static(Path(settings.STATIC_ROOT))


def _check_cache() -> None:
    """Refuse to start on a Redis that does not answer: every respondent's start, save and
    submission counts there, and would fail."""
    import redis
    from django.core.cache import cache

    try:
        cache.get("consulta-serve-check")
    except (redis.RedisError, OSError) as error:
        raise CommandError(f"The cache at CONSULTA_CACHE_URL does not answer ({error}).") from error


def _shown(host: str, port: int) -> str:
    return f"http://[{host}]:{port}/" if ":" in host else f"http://{host}:{port}/"


def _supervised_worker(worker_data_dir: Path | None):
    from consulta.cli import worker as workers

    # Supervised: a worker that dies is started again, so queued work never waits for ever.
    return None if worker_data_dir is None else workers.WorkerSupervisor(
        lambda: workers.start_worker(worker_data_dir))


def _stop_worker(worker) -> None:
    if worker is not None:
        code = worker.stop()
        print(f"Background worker stopped (exit status {code}).", flush=True)


def _application():
    """The site's WSGI application, loaded while no other ``consulta serve`` on this data
    directory is collecting the static files (deployment/static.py)."""
    from django.conf import settings

    from consulta.web.deployment.static import static_files_lock

    with static_files_lock(settings.STATIC_ROOT, exclusive=False):
        from consulta.web.wsgi import application
    return application


def serve_forever(host: str, port: int, threads: int = 8, *,
                  worker_data_dir: Path | None = None) -> int:
    """One web process: waitress in this process."""
    prepare(1, threads)
    from waitress import serve

    application = _application()

    worker = _supervised_worker(worker_data_dir)
    previous = signal.signal(signal.SIGTERM, _stop_serving)
    try:
        print(f"Serving Consulta on {_shown(host, port)} (press Ctrl-C to stop)", flush=True)
        serve(application, host=host, port=port, **serving.waitress_options(threads))
    finally:
        signal.signal(signal.SIGTERM, previous)
        _stop_worker(worker)
    return 0


def serve_processes(host: str, port: int, processes: int, threads: int, *, data_dir: Path,
                    worker_data_dir: Path | None) -> int:
    """``processes`` web processes on one address, and one background worker."""
    prepare(processes, threads)
    sockets = serving.bind(host, port)
    _release_database()  # this process serves nothing: its connections would sit idle
    previous = signal.signal(signal.SIGTERM, _stop_serving)
    web = worker = None
    try:
        web = serving.WebProcesses(
            processes, lambda: serving.start_child(sockets, threads, data_dir))
        worker = _supervised_worker(worker_data_dir)
        print(f"Serving Consulta on {_shown(host, sockets[0].getsockname()[1])} with "
              f"{processes} processes of {threads} threads (press Ctrl-C to stop)", flush=True)
        web.watch_forever()
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
        if web is not None:
            web.stop()
            print("Web processes stopped.", flush=True)
        _stop_worker(worker)
        for sock in sockets:
            sock.close()
    return 0


def serve_child(args: argparse.Namespace) -> int:
    """One of ``--processes``' web processes: waitress on the sockets its parent bound."""
    setup(args, migrate=False)  # the parent has migrated and collected
    from waitress import serve

    application = _application()

    if args.parent_pid:
        serving.stop_when_orphaned(args.parent_pid)
    signal.signal(signal.SIGTERM, _stop_serving)
    serve(application, sockets=serving.inherited_sockets(args.listen_fds),
          **serving.waitress_options(args.threads))
    return 0


def _release_database() -> None:
    from django.db import connections

    for connection in connections.all(initialized_only=True):
        connection.close()
        if getattr(connection, "pool", None) is not None:
            connection.close_pool()
