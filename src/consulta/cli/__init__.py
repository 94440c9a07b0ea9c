"""The ``consulta`` command: a thin shell over the web app's services and the analysis library.

Django is imported only when a command runs, so ``--help`` answers at once.
"""

from __future__ import annotations

import argparse
import sys

from consulta import __version__
from consulta.cli import (
    analyse,
    backup,
    check,
    demo,
    models,
    organisers,
    outreach,
    privacy,
    publish,
    report,
    serve,
    transfer,
    worker,
)
from consulta.cli.common import CommandError, HelpFormatter

COMMANDS = (demo, serve, worker, transfer, organisers, outreach, analyse, report, models, check,
            privacy, backup, publish)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="consulta",
        description="Run stakeholder consultations and turn what people said into evidence.",
        epilog="example:\n  consulta demo            # load the seed consultation and serve it",
        formatter_class=HelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"consulta {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.required = True
    for module in COMMANDS:
        module.register(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.handler(args) or 0
    except CommandError as error:
        print(f"consulta: error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
