"""``consulta report``: a consultation's "what we heard" report as HTML, PDF or DOCX."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from consulta.cli.common import CommandError, add_command, add_data_dir, setup

FORMATS = ("html", "pdf", "docx")


def register(commands) -> None:
    parser = add_command(
        commands,
        "report",
        help="write a consultation's findings report (what we heard) as HTML, PDF or DOCX",
        example="consulta report --consultation future-of-london-policing --format pdf "
        "--output report.pdf",
        description="Write the findings report of a consultation from its latest finished "
        "analysis, the analysts'\ndecisions and the organisers' text: respondent profile, "
        "method, themes per question with\nshares and quotes (only from responses whose "
        "authors allowed publication), closed\nquestions' figures and an appendix. The PDF is "
        "tagged for accessibility (PDF/UA).\nWith --public, quotes follow the rules for "
        "publishing: every personal-data finding in\nthem must have been reviewed.",
    )
    parser.add_argument("--consultation", required=True, metavar="SLUG",
                        help="the consultation's short name (as in its web address)")
    parser.add_argument("--format", choices=FORMATS, default="html", help="default: html")
    parser.add_argument("--output", required=True, metavar="FILE",
                        help="where to write the report ('-' for standard output)")
    parser.add_argument("--public", action="store_true",
                        help="apply the rules of the published report (reviewed quotes only)")
    add_data_dir(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    output = None if args.output == "-" else Path(args.output)
    if output is not None and not output.parent.is_dir():
        raise CommandError(f"{output.parent} is not a directory.")
    setup(args)
    from consulta.web.consultations import audit
    from consulta.web.consultations.models import Consultation
    from consulta.web.reports.services import ReportUnavailable, filename, report_file

    consultation = Consultation.objects.filter(slug=args.consultation).first()
    if consultation is None:
        raise CommandError(f"No consultation “{args.consultation}”.")
    started = time.perf_counter()
    try:
        data = report_file(consultation, args.format, public=args.public)
    except ReportUnavailable as error:
        raise CommandError(str(error)) from None
    try:
        if output is None:
            sys.stdout.buffer.write(data)
        else:
            output.write_bytes(data)
    except OSError as error:
        raise CommandError(f"Could not write {args.output}: {error.strerror}.") from None
    audit.record(consultation, None, audit.DOWNLOAD, via=audit.COMMAND_LINE,
                 file=filename(consultation, args.format))
    if output is not None:
        print(f"Wrote {output} ({len(data):,} bytes, {args.format.upper()}) in "
              f"{time.perf_counter() - started:.1f}s.")
    return 0
