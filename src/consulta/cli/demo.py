"""``consulta demo``: the seed consultation loaded and served, from nothing, in one command."""

from __future__ import annotations

import argparse
import secrets
from pathlib import Path

from consulta.cli.common import add_command, add_data_dir, setup
from consulta.cli.serve import add_server_options, serve_forever

DEMO_ORGANISER = "organiser@consulta.example"
LOGIN_FILE = "demo-login.txt"


def register(commands) -> None:
    parser = add_command(
        commands,
        "demo",
        help="load the seed consultation (network and responses) and serve it",
        example="consulta demo --no-serve --data-dir /tmp/consulta-demo",
        description="Create the database if needed, load the seed consultation with its demo "
        "network and\nresponses, analyse its answers, create an organiser login, print it, and "
        "serve the site\nwith a background worker beside it. Running it again changes nothing.",
    )
    parser.add_argument("--no-serve", action="store_true", help="prepare everything, then exit")
    add_server_options(parser)
    add_data_dir(parser)
    parser.set_defaults(handler=run)


def demo_password(data_dir: Path) -> str:
    """The demo organiser's password, made once per data directory and kept there."""
    path = data_dir / LOGIN_FILE
    if path.exists():
        return path.read_text().strip()
    password = secrets.token_urlsafe(9)
    path.write_text(password + "\n")
    path.chmod(0o600)
    return password


def run(args: argparse.Namespace) -> int:
    data_dir = setup(args)
    from django.contrib.auth.models import User

    from consulta.web.accounts.services import make_organiser
    from consulta.web.analysis.services import analyse_unless_done
    from consulta.web.demo.loader import load_demo
    from consulta.web.demo.seed import SLUG
    from consulta.web.responses.models import Response

    consultation, created = load_demo()
    password = demo_password(data_dir)
    # Checked on the account itself, not by signing in: a sign-in without a request would count
    # as a failed attempt for the login throttle.
    organiser = User.objects.filter(username=DEMO_ORGANISER).first()
    if organiser is None or not organiser.check_password(password):
        make_organiser(DEMO_ORGANISER, password, consultations=[SLUG])
    submitted = Response.objects.filter(
        phase__consultation=consultation, status=Response.Status.SUBMITTED
    ).count()
    state = "Loaded" if created else "Already loaded"
    print(f"{state}: {consultation.title} ({SLUG}), {submitted} submitted responses.")
    analysis = analyse_unless_done(consultation)  # once: a second demo changes nothing
    if analysis is not None:
        print(f"Analysed the answers: {analysis.summary['counts']['themes']} themes found.")
    print(f"Data directory: {data_dir}")
    print(f"Organiser sign-in: {DEMO_ORGANISER} / {password}")
    if args.no_serve:
        return 0
    return serve_forever(args.host, args.port, args.threads,
                         worker_data_dir=None if args.no_worker else data_dir)
