"""``consulta createorganiser``: an account that can sign in and create consultations."""

from __future__ import annotations

import argparse
import getpass
import secrets
import sys

from consulta.cli.common import CommandError, add_command, add_data_dir, setup


def register(commands) -> None:
    parser = add_command(
        commands,
        "createorganiser",
        help="create (or update) an organiser account",
        example="consulta createorganiser --email lead@example.org "
        "--consultation future-of-london-policing",
        description="Create an organiser who can sign in to the back office and create "
        "consultations.\nWithout --password you are asked for one (or, without a terminal, one "
        "is generated and printed).",
    )
    parser.add_argument("--email", required=True, help="email address, also the sign-in name")
    parser.add_argument("--username", help="sign-in name (default: the email address)")
    parser.add_argument("--password", help="password (avoid on shared machines: shell history)")
    parser.add_argument("--consultation", metavar="SLUG", action="append", default=[],
                        help="also make them an organiser of this consultation (repeatable)")
    add_data_dir(parser)
    parser.set_defaults(handler=run)


def _choose_password(given: str | None) -> tuple[str, bool]:
    """The password and whether it was generated (and so must be shown)."""
    if given:
        return given, False
    if sys.stdin.isatty():
        first = getpass.getpass("Password: ")
        if first != getpass.getpass("Password (again): "):
            raise CommandError("the passwords did not match")
        return first, False
    return secrets.token_urlsafe(12), True


def run(args: argparse.Namespace) -> int:
    setup(args)
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    from consulta.web.accounts.services import make_organiser

    password, generated = _choose_password(args.password)
    try:
        validate_password(password)
    except ValidationError as error:
        raise CommandError(" ".join(error.messages)) from None
    try:
        user = make_organiser(args.email, password, username=args.username,
                              consultations=args.consultation)
    except LookupError as error:
        raise CommandError(str(error)) from None
    print(f"Organiser {user.username} is ready.")
    if generated:
        print(f"Password: {password}")
    return 0
