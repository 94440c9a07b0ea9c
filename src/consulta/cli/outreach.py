"""``consulta invite`` and ``consulta remind``: a phase's invitations and reminders by email.

Email goes through Django's settings (EMAIL_HOST and friends from the environment); without
EMAIL_HOST the messages are printed instead of sent, as in the demo. With ``--queue`` the batch
becomes a task for the background worker (``outreach/tasks.py``, ADR 0006), as a big batch from
the back office does: the terminal is free at once and the Invitations page shows the progress.
"""

from __future__ import annotations

import argparse
import shlex

from consulta.cli.common import CommandError, add_command, add_data_dir, setup

# The kinds of message (``MessageTemplate.Kind``), spelled out: Django is not set up yet when
# the command picks one.
INVITATION, REMINDER = "invitation", "reminder"
OPEN_NOTE = ("\n\nNothing is sent while the consultation is a draft, before the phase opens or "
             "after it closes:\nthe links would lead nowhere.")
QUEUE_NOTE = OPEN_NOTE + (
    "\n\nWith --queue the background worker sends them instead (`consulta worker`, or the one\n"
    "`consulta serve` starts), and the phase's Invitations page shows how it is going."
)


def _arguments(parser: argparse.ArgumentParser, handler) -> None:
    parser.add_argument("--consultation", metavar="SLUG", required=True)
    parser.add_argument("--phase", metavar="N", type=int, required=True,
                        help="phase number, counting from 1 in phase order")
    parser.add_argument("--queue", action="store_true",
                        help="leave the sending to the background worker instead of sending now")
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
        "again invites only\npeople added since (and retries refused addresses)." + QUEUE_NOTE,
    )
    invite.epilog += ("\n  consulta invite --consultation future-of-london-policing --phase 2 "
                      "--queue")
    _arguments(invite, run_invite)
    remind = add_command(
        commands,
        "remind",
        help="email a reminder to those invited who have not responded",
        example="consulta remind --consultation future-of-london-policing --phase 2",
        description="Remind everyone invited to the phase who has not submitted a response, "
        "whose invitation did\nnot bounce and who has not unsubscribed (at most once in 12 "
        "hours)." + QUEUE_NOTE,
    )
    remind.epilog += ("\n  consulta remind --consultation future-of-london-policing --phase 2 "
                      "--queue")
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


def _run(args: argparse.Namespace, kind: str) -> int:
    setup(args)
    from consulta.web.consultations import audit
    from consulta.web.outreach import services, tasks

    phase = _phase(args)
    if args.queue:
        return _queue(args, phase, kind)
    send = services.send_invitations if kind == services.INVITATION else services.send_reminders
    try:
        report = send(phase)
    except services.OutreachRefused as refused:
        raise CommandError(str(refused)) from None
    except services.MailServerUnavailable as failure:
        audit.record_send(phase, failure.report, via=audit.COMMAND_LINE, stopped=True)
        print_report(failure.report, tasks.WHAT[kind], phase)
        raise CommandError(f"{failure}; run the command again to carry on") from None
    audit.record_send(phase, report, via=audit.COMMAND_LINE)
    print_report(report, tasks.WHAT[kind], phase)
    return 0


def _queue(args: argparse.Namespace, phase, kind: str) -> int:
    from django.urls import reverse

    from consulta.web.consultations import audit
    from consulta.web.outreach import services, tasks

    what = tasks.WHAT[kind]
    refused = services.sending_refused(phase)
    if refused:  # refused now, as the back office does, not later by the worker
        raise CommandError(f"{refused}; nothing was queued")
    plan = services.plan_invitations if kind == services.INVITATION else services.plan_reminders
    to_send, skipped = plan(phase)
    print(f"{what} for {phase.consultation.slug}, {phase}:")
    print(f"  to send: {len(to_send)}")
    print(f"  skipped: {len(skipped)}")
    for reason, count in services.SendReport(kind, skipped=skipped).skipped_reasons():
        print(f"    {count} {reason}")
    if not to_send:
        print("Nobody to send to now; nothing was queued.")
        return 0
    if not tasks.queue_send(phase, kind):
        print(f"{what} for this phase are already queued; the worker will send them. Nothing "
              "more was queued.")
        return 0
    audit.record_queued_send(phase, kind, len(to_send), via=audit.COMMAND_LINE)
    worker = "consulta worker" + (f" --data-dir {shlex.quote(args.data_dir)}"
                                  if args.data_dir else "")
    print(f"Queued for the background worker. The one `consulta serve` starts sends them; "
          f"without it, run\n  {worker}\n(add --batch to send what is queued and exit).")
    page = reverse("outreach:invitations", args=[phase.consultation.slug, phase.position])
    print(f"See how it is going on {page}")
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
    return _run(args, INVITATION)


def run_remind(args: argparse.Namespace) -> int:
    return _run(args, REMINDER)
