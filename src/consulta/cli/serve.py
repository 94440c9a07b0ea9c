"""``consulta serve``: the site behind a production WSGI server (waitress)."""

from __future__ import annotations

import argparse

from consulta.cli.common import add_command, add_data_dir, setup

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000


def register(commands) -> None:
    parser = add_command(
        commands,
        "serve",
        help="serve the site with a production WSGI server",
        example="consulta serve --host 0.0.0.0 --port 8080 --data-dir /srv/consulta",
    )
    add_server_options(parser)
    add_data_dir(parser)
    parser.set_defaults(handler=run)


def add_server_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default=DEFAULT_HOST, help=f"address to listen on ({DEFAULT_HOST})")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"port ({DEFAULT_PORT})")
    parser.add_argument("--threads", type=int, default=8, help="worker threads (8)")


def run(args: argparse.Namespace) -> int:
    setup(args)
    return serve_forever(args.host, args.port, args.threads)


def serve_forever(host: str, port: int, threads: int = 8) -> int:
    from waitress import serve

    from consulta.web.wsgi import application

    shown = f"[{host}]" if ":" in host else host
    print(f"Serving Consulta on http://{shown}:{port}/ (press Ctrl-C to stop)", flush=True)
    # Waitress's default of 100 open connections queues the 101st visitor behind idle
    # keep-alive connections for up to two minutes; a consultation's launch email brings more.
    serve(application, host=host, port=port, threads=threads, ident="consulta", _quiet=True,
          connection_limit=1000, channel_timeout=60)
    return 0
