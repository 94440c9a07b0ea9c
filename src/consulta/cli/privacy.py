"""``consulta forget`` (erase one person on request) and ``consulta retention`` (delete what is
past its consultation's retention date now, rather than at the worker's next hourly run)."""

from __future__ import annotations

import argparse

from consulta.cli.common import CommandError, add_command, add_data_dir, setup


def register(commands) -> None:
    _register_forget(commands)
    _register_retention(commands)


def _register_forget(commands) -> None:
    parser = add_command(
        commands,
        "forget",
        help="erase one person's personal data on request (UK GDPR right to erasure)",
        example="consulta forget --email dana@example.org --consultation future-of-london-policing",
        description="Remove everything that names the person with this email address: their "
        "entries in the\nstakeholder network, invitations and their links, drafts and draft "
        "links, respondent records,\nunsubscribe records, and their name and address in the "
        "audit trail and in answers that quote it.\nTheir submitted answers are kept, "
        "unattributed, unless --delete-responses is given. The audit\ntrail records that an "
        "erasure happened, with counts, never whom. On SQLite the database file\nand its "
        "write-ahead log are then rewritten so no copy of the address is left in them.",
    )
    parser.add_argument("--email", required=True, metavar="ADDRESS",
                        help="the person's email address (any letter case)")
    parser.add_argument("--consultation", metavar="SLUG",
                        help="only in this consultation (default: every consultation)")
    parser.add_argument("--delete-responses", action="store_true",
                        help="also delete their submitted responses, not only their identity")
    parser.add_argument("--dry-run", action="store_true",
                        help="say what would be removed, and remove nothing")
    add_data_dir(parser)
    parser.set_defaults(handler=forget)


def _register_retention(commands) -> None:
    parser = add_command(
        commands,
        "retention",
        help="delete personal data past each consultation's retention date, and old drafts",
        example="consulta retention --dry-run",
        description="Delete the people, invitations, links, respondent records and drafts of "
        "every consultation\nwhose 'keep personal data until' date has passed (answers are "
        "kept, unattributed), and the\nunsubmitted drafts of phases closed more than "
        "CONSULTA_DRAFT_GRACE_DAYS days ago (default 30).\nThe background worker does this "
        "hourly; this command does it now.",
    )
    parser.add_argument("--dry-run", action="store_true",
                        help="say what would be deleted, and delete nothing")
    add_data_dir(parser)
    parser.set_defaults(handler=retention)


def _scope(slug: str | None):
    if slug is None:
        return None
    from consulta.web.consultations.models import Consultation

    consultation = Consultation.objects.filter(slug=slug).first()
    if consultation is None:
        raise CommandError(f"There is no consultation with the slug {slug!r}.")
    return [consultation]


def forget(args: argparse.Namespace) -> int:
    setup(args)
    from django.core.exceptions import ValidationError
    from django.core.validators import validate_email

    from consulta.web.privacy import erasure

    try:
        validate_email(args.email.strip())
    except ValidationError:
        raise CommandError(f"{args.email!r} is not an email address.") from None
    traces = erasure.find(args.email, _scope(args.consultation),
                          delete_responses=args.delete_responses)
    where = f"in {args.consultation}" if args.consultation else "in any consultation"
    if not traces.found:
        print(f"Nothing {where} holds that address; nothing was removed.")
        return 0
    counts = ", ".join(f"{n} {what}" for what, n in traces.counts.items() if n)
    if args.dry_run:
        print(f"Would remove {where}: {counts}.")
        return 0
    erasure.forget(traces)
    print(f"Forgotten {where}: {counts}.")
    if not traces.files_clean:
        print("The database's write-ahead log was in use (is the site running?), so old copies "
              "may stay in it until its next checkpoint. Run this command again with the site "
              "stopped to be sure.")
    return 0


def retention(args: argparse.Namespace) -> int:
    setup(args)
    from consulta.web.privacy.retention import apply_retention

    for line in apply_retention(dry_run=args.dry_run).lines():
        print(line)
    return 0
