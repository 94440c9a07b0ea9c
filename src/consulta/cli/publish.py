"""``consulta publish``: publish a consultation's results (the report in HTML, PDF and Word, the
published responses, "we did") at /c/<slug>/results/, and tell the people who asked."""

from __future__ import annotations

import argparse

from consulta.cli.common import CommandError, add_command, add_data_dir, setup


def register(commands) -> None:
    parser = add_command(
        commands,
        "publish",
        help="publish a consultation's results at /c/<slug>/results/ and email who asked",
        example="consulta publish --consultation future-of-london-policing",
        description="Render the public report (quotes only from consenting responses, after "
        "the personal data\nreview) as HTML, PDF and Word, store it as the next published "
        "version, mark the consultation\npublished, and email everyone who asked to hear "
        "back and every invited contact who has not\nunsubscribed. Refused while possible "
        "personal details wait for review on the Redactions page.",
    )
    parser.add_argument("--consultation", required=True, metavar="SLUG",
                        help="the consultation's slug")
    parser.add_argument("--queue", action="store_true",
                        help="leave the emails to the background worker (consulta worker)")
    parser.add_argument("--no-email", action="store_true",
                        help="publish without emailing anyone")
    add_data_dir(parser)
    parser.set_defaults(handler=publish)


def publish(args: argparse.Namespace) -> int:
    setup(args)
    from consulta.web.consultations.audit import COMMAND_LINE
    from consulta.web.consultations.models import Consultation
    from consulta.web.publishing import services, tasks
    from consulta.web.publishing.mail import results_url

    consultation = Consultation.objects.filter(slug=args.consultation).first()
    if consultation is None:
        raise CommandError(f"There is no consultation with the slug {args.consultation!r}.")
    try:
        publication = services.publish(consultation, via=COMMAND_LINE)
    except services.PublishRefused as refused:
        raise CommandError(f"Not published: {refused}") from None
    print(f"Published version {publication.version} of the results: {results_url(consultation)}")
    note = services.withheld(consultation)
    if note:
        print(note)
    if args.no_email:
        return 0
    if args.queue:
        tasks.queue_published(publication)
        print("The emails are queued for the background worker.")
        return 0
    outcome = tasks.notify_published(publication.pk)
    print(f"Emails: {outcome.get('summary') or outcome.get('stopped')}.")
    return 0
