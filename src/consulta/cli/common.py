"""What every command shares: the data directory, Django set-up, errors and help layout."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from consulta.web.deployment.files import make_private_dir

DEFAULT_DATA_DIR = "consulta-data"


class CommandError(Exception):
    """A problem the user can fix; printed without a traceback, exit status 2."""


class HelpFormatter(argparse.RawDescriptionHelpFormatter):
    """Keeps the examples in epilogs laid out as written."""


def add_command(commands, name: str, *, help: str, example: str, description: str = ""):
    """A sub-command whose ``--help`` always ends with a worked example."""
    return commands.add_parser(
        name,
        help=help,
        description=description or help,
        epilog=f"example:\n  {example}",
        formatter_class=HelpFormatter,
    )


def add_data_dir(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--data-dir",
        metavar="DIR",
        help="where the SQLite database lives (default: $CONSULTA_DATA_DIR or ./consulta-data); "
        "ignored for the database when DATABASE_URL is set",
    )


def setup(args: argparse.Namespace, *, migrate: bool = True) -> Path:
    """Point Django at the data directory, start it, and bring the database schema up to date."""
    chosen = getattr(args, "data_dir", None) or os.environ.get("CONSULTA_DATA_DIR")
    data_dir = Path(chosen or DEFAULT_DATA_DIR).resolve()
    make_private_dir(data_dir)  # 0700: the database and secret key are for this account only
    os.environ["CONSULTA_DATA_DIR"] = str(data_dir)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "consulta.web.settings")

    import django
    from django.core.exceptions import ImproperlyConfigured

    try:
        django.setup()
    except ImproperlyConfigured as error:  # a setting from the environment: say which, no trace
        raise CommandError(str(error)) from error
    if migrate:
        from django.core.management import call_command

        call_command("migrate", interactive=False, verbosity=0)
    return data_dir
