"""``consulta check``: Django's system checks, with the deployment checks on request."""

from __future__ import annotations

import argparse

from consulta.cli.common import CommandError, add_command, add_data_dir, setup

LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


def register(commands) -> None:
    parser = add_command(
        commands,
        "check",
        help="check the configuration for problems (with --deploy: for a public site)",
        example="consulta check --deploy --fail-level WARNING   # before going live",
        description="Run Django's system checks on this installation's settings, read from "
        "the environment\n(CONSULTA_*, DATABASE_URL). --deploy adds the checks for a site on "
        "the internet: HTTPS,\nsecure cookies, HSTS, the secret key, DEBUG off, the proxy and "
        "the data directory's permissions.\nExit status 2 when a problem at --fail-level or "
        "above is found.",
    )
    parser.add_argument("--deploy", action="store_true",
                        help="also run the checks for a public, HTTPS deployment")
    parser.add_argument("--fail-level", choices=LEVELS, default="ERROR", metavar="LEVEL",
                        help=f"fail on problems of this level or worse: {', '.join(LEVELS)} "
                        "(default ERROR)")
    add_data_dir(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from django.core.exceptions import ImproperlyConfigured

    try:
        setup(args, migrate=False)  # checking changes nothing, the database schema included
    except ImproperlyConfigured as error:
        raise CommandError(f"the settings are not usable: {error}") from None
    from django.core.management import call_command
    from django.core.management.base import SystemCheckError

    try:
        call_command("check", deploy=args.deploy, fail_level=args.fail_level)
    except SystemCheckError as error:
        # Django's message lists each problem with its hint and ends with the count.
        raise CommandError(str(error).strip()) from None
    return 0
