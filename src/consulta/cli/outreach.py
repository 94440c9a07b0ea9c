"""``consulta invite`` and ``consulta remind``: a phase's invitations and reminders by email.

Email goes through Django's settings (EMAIL_HOST and friends from the environment); without
EMAIL_HOST the messages are printed instead of sent, as in the demo.
"""

from __future__ import annotations

import argparse

from consulta.cli.common import CommandError, add_command, add_data_dir, setup


def _arguments(parser: argparse.ArgumentParser, handler) -> None:
    parser.add_argument("--consultation", metavar="SLUG", required=True)
    parser.add_argument("--phase", metavar="N", type=int, required=True,
                        help="phase number, counting from 1 in phase order")
    add_data_dir(parser)
    parser.set_defaults(handler=handler)


def register(commands) -> None:
    invite = add_command(
        commands,
        "invite",
        help="email personal invitation links to a phase's audience not yet invited",
        example="consulta invite --consultation future-of-london-policing --phase 2",
        description="Email a personal link to everyone in the phase's audience who has an email "
        "address, has not\nunsubscribed, and has not been invited or responded yet. Running it "
        "again invites only\npeople added since (and retries refused addresses).",
    )
    _arguments(invite, run_invite)
    remind = add_command(
        commands,
        "remind",
        help="email a reminder to those invited who have not responded",
        example="consulta remind --consultation future-of-london-policing --phase 2",
        description="Remind everyone invited to the phase who has not submitted a response, "
        "whose invitation did\nnot bounce and who has not unsubscribed (at most once in 12 "
        "hours).",
    )
    _arguments(remind, run_remind)


def _phase(args: argparse.Namespace):
    from consulta.web.consultations.models import Consultation

    consultation = Consultation.objects.filter(slug=args.consultation).first()
    if consultation is None:
        raise CommandError(f"no consultation {args.consultation!r}")
    phases = list(consultation.phases.all())
    if not 1 <= args.phase <= len(phases):
        raise CommandError(f"{args.consultation} has phases 1 to {len(phases)}, not {args.phase}"
                           if phases else f"{args.consultation} has no phases")
    return phases[args.phase - 1]


def _run(args: argparse.Namespace, send_name: str, what: str) -> int:
    setup(args)
    from consulta.web.outreach import services

    phase = _phase(args)
    try:
        report = getattr(services, send_name)(phase)
    except services.OutreachRefused as refused:
        raise CommandError(str(refused)) from None
    except services.MailServerUnavailable as failure:
        print_report(failure.report, what, phase)
        raise CommandError(f"{failure}; run the command again to carry on") from None
    print_report(report, what, phase)
    return 0


def print_report(report, what: str, phase) -> None:
    print(f"{what} for {phase.consultation.slug}, {phase}:")
    print(f"  sent: {len(report.sent)}")
    print(f"  skipped: {len(report.skipped)}")
    for reason, count in report.skipped_reasons():
        print(f"    {count} {reason}")
    print(f"  bounced: {len(report.bounced)}")
    for outcome in report.bounced:
        print(f"    {outcome.person.email}: {outcome.reason}")


def run_invite(args: argparse.Namespace) -> int:
    return _run(args, "send_invitations", "Invitations")


def run_remind(args: argparse.Namespace) -> int:
    return _run(args, "send_reminders", "Reminders")
