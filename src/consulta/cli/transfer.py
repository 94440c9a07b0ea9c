"""``consulta export`` and ``consulta import consultation|stakeholders|responses``."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from consulta.cli.common import CommandError, add_command, add_data_dir, setup


def register(commands) -> None:
    export = add_command(
        commands,
        "export",
        help="write consultations (phases, questions, network, responses, consent) as JSON",
        example="consulta export --consultation future-of-london-policing --output met.json",
    )
    export.add_argument("--consultation", metavar="SLUG", help="only this one (default: all)")
    export.add_argument("--format", choices=["json"], default="json", help="output format (json)")
    export.add_argument("--output", "-o", metavar="FILE", help="write here instead of stdout")
    add_data_dir(export)
    export.set_defaults(handler=run_export)

    parser = add_command(
        commands,
        "import",
        help="import a consultation export, a stakeholder network or responses",
        example="consulta import responses paper.xlsx --consultation future-of-london-policing "
        "--phase 2",
    )
    kinds = parser.add_subparsers(dest="kind", metavar="KIND")
    kinds.required = True
    _register_import_kinds(kinds)


def _import_kind(kinds, name: str, handler, *, consultation: bool, **texts) -> argparse.ArgumentParser:
    parser = add_command(kinds, name, **texts)
    parser.add_argument("file", metavar="FILE")
    if consultation:
        parser.add_argument("--consultation", metavar="SLUG", required=True)
    add_data_dir(parser)
    parser.set_defaults(handler=handler)
    return parser


def _register_import_kinds(kinds) -> None:
    _import_kind(
        kinds, "consultation", run_import_consultation, consultation=False,
        help="restore consultations from a `consulta export` JSON file",
        example="consulta import consultation met.json --data-dir ./other-data",
    )
    _import_kind(
        kinds, "stakeholders", run_import_stakeholders, consultation=True,
        help="import organisations and people from CSV or XLSX (all or nothing)",
        example="consulta import stakeholders network.csv --consultation future-of-london-policing",
        description="Import organisations and people from CSV or XLSX (all or nothing).\n"
        "Columns: organisation, sector, type, parent, name, email, job_title, phases.",
    )
    answers = _import_kind(
        kinds, "responses", run_import_responses, consultation=True,
        help="import responses collected elsewhere (email, paper, another tool) from CSV or XLSX",
        example="consulta import responses paper.csv --consultation future-of-london-policing "
        "--phase 2 --channel paper",
        description="Import responses from CSV or XLSX, all or nothing: one column per question "
        "(its key or title)\nplus optional reference, respondent, email, organisation, sector, "
        "type, on_behalf, consent,\nrole, submitted_at and channel columns.",
    )
    answers.add_argument("--phase", metavar="N", type=int, required=True,
                         help="phase number, counting from 1 in phase order")
    answers.add_argument("--channel", choices=["import", "email", "paper", "web"],
                         default="import", help="how these responses were collected (import)")


def run_export(args: argparse.Namespace) -> int:
    setup(args)
    from consulta.web.consultations.models import Consultation
    from consulta.web.interchange import export_consultations

    try:
        document = export_consultations([args.consultation] if args.consultation else None)
    except Consultation.DoesNotExist as error:
        raise CommandError(str(error)) from None
    text = json.dumps(document, ensure_ascii=False, indent=2) + "\n"
    if args.output:
        from consulta.web.deployment.files import write_private_text

        try:  # people's names, addresses and answers: readable by this account only (0600)
            write_private_text(Path(args.output), text)
        except OSError as error:
            raise CommandError(f"cannot write {args.output}: {error.strerror}") from None
        count = len(document["consultations"])
        print(f"Wrote {count} consultation{'s' if count != 1 else ''} to {args.output}",
              file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0


def _read_bytes(path: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as error:
        raise CommandError(f"cannot read {path}: {error.strerror}") from None


def run_import_consultation(args: argparse.Namespace) -> int:
    raw = _read_bytes(args.file)
    setup(args)
    from consulta.web.consultations.audit import BY_COMMAND_LINE, ImportedFile
    from consulta.web.interchange import InterchangeError, import_consultations

    try:
        document = json.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise CommandError(f"{args.file} is not a UTF-8 JSON file: {error}") from None
    try:
        created = import_consultations(document, file=ImportedFile.of(raw, Path(args.file).name),
                                       by=BY_COMMAND_LINE)
    except InterchangeError as error:
        raise CommandError(f"nothing was imported: {error}") from None
    for consultation in created:
        print(f"Imported {consultation.slug}: {consultation.title}")
    return 0


def _read_table_file(path: str) -> bytes:
    """The file's bytes, unless it is over the import limit: then refuse before reading it."""
    from django.conf import settings

    from consulta.tables import too_big_message

    try:
        size = Path(path).stat().st_size
    except OSError as error:
        raise CommandError(f"cannot read {path}: {error.strerror}") from None
    if size > settings.CONSULTA_MAX_IMPORT_BYTES:
        raise CommandError(too_big_message(size, settings.CONSULTA_MAX_IMPORT_BYTES))
    return _read_bytes(path)


def _load_consultation(slug: str):
    from consulta.web.consultations.models import Consultation

    try:
        return Consultation.objects.get(slug=slug)
    except Consultation.DoesNotExist:
        raise CommandError(f"no consultation with slug {slug!r}") from None


def _run_table_import(run) -> int:
    """Run an importer and print its report: problems on stderr, counts on stdout."""
    from django.conf import settings

    from consulta.web.imports import ImportRefused

    try:
        report = run(settings.CONSULTA_MAX_IMPORT_BYTES)
    except ImportRefused as refused:
        for line in refused.report.as_lines():
            print(line, file=sys.stderr)
        raise CommandError("nothing was imported; fix the problems above and try again") from None
    for line in report.as_lines():
        print(line)
    return 0


def run_import_stakeholders(args: argparse.Namespace) -> int:
    setup(args)
    data = _read_table_file(args.file)
    from consulta.web.consultations.audit import BY_COMMAND_LINE
    from consulta.web.stakeholders.importer import import_stakeholders

    consultation = _load_consultation(args.consultation)
    name = Path(args.file).name
    return _run_table_import(
        lambda limit: import_stakeholders(consultation, data, name, max_bytes=limit,
                                          by=BY_COMMAND_LINE)
    )


def run_import_responses(args: argparse.Namespace) -> int:
    setup(args)
    data = _read_table_file(args.file)
    from consulta.web.consultations.audit import BY_COMMAND_LINE
    from consulta.web.responses.importer import import_responses

    consultation = _load_consultation(args.consultation)
    phases = list(consultation.phases.order_by("position", "pk"))
    if not 1 <= args.phase <= len(phases):
        raise CommandError(f"{consultation.slug} has phases 1 to {len(phases)}, not {args.phase}")
    phase = phases[args.phase - 1]
    name = Path(args.file).name
    return _run_table_import(
        lambda limit: import_responses(phase, data, name, channel=args.channel, max_bytes=limit,
                                       by=BY_COMMAND_LINE)
    )
