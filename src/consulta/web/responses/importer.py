"""Importing responses collected elsewhere (paper, email, another survey tool) into a phase.

One row is one response; one column per question (its key or its title). Anonymous phases keep
no identity, so a file with respondent, email or organisation columns is refused for them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.utils import timezone

from consulta.tables import Table, TableRow
from consulta.web.consultations.audit import (
    BY_CODE,
    RESPONSES,
    ImportedBy,
    ImportedFile,
    log_import,
)
from consulta.web.consultations.models import Phase, Question
from consulta.web.imports import (
    ChangedWhileImporting,
    ImportRefused,
    ImportReport,
    check_email,
    check_lengths,
    load_table,
    match_columns,
    normalise_name,
    refuse,
    row_cells,
    start_report,
    with_fresh_reads,
    write_in_one_transaction,
)
from consulta.web.responses.import_writes import (
    Writes,
    late_conflict,
    signature_now,
    stage,
    submitted,
)
from consulta.web.responses.import_writes import write as write_rows
from consulta.web.responses.models import Answer, Respondent, Response
from consulta.web.stakeholders.models import Organisation, Sector

OPTIONAL_COLUMNS = ["reference", "respondent", "email", "organisation", "sector", "type",
                    "on_behalf", "consent", "role", "submitted_at", "channel"]
IDENTITY_COLUMNS = ["respondent", "email", "organisation"]
YES, NO = {"yes", "true", "1", "y"}, {"no", "false", "0", "n", ""}
LIMITS = {"reference": 12, "respondent": 200, "email": 254, "organisation": 200, "type": 100}


def accepted_columns(phase: Phase) -> dict[str, str]:
    """Column name -> meaning: a question (``q:<key>``) or an optional column.

    A question's key wins over an optional column of the same name, and a title shared by two
    questions is not accepted (the key must be used).
    """
    accepted: dict[str, str] = {}
    questions = list(phase.questions.all())
    for question in questions:
        accepted[question.key] = f"q:{question.key}"
    titles = [normalise_name(question.title) for question in questions]
    for question, title in zip(questions, titles):
        if titles.count(title) == 1:
            accepted.setdefault(question.title, f"q:{question.key}")
    for name in optional_columns(phase):
        accepted.setdefault(name, name)
    return accepted


def optional_columns(phase: Phase) -> list[str]:
    """The columns besides questions; anonymous phases take no identity columns."""
    if phase.is_anonymous:
        return [name for name in OPTIONAL_COLUMNS if name not in IDENTITY_COLUMNS]
    return list(OPTIONAL_COLUMNS)


@dataclass
class _Row:
    number: int
    answers: dict[Question, tuple[str, list[str]]]  # question -> (text, choices)
    fields: dict = field(default_factory=dict)  # Response fields
    organisation_key: str = ""
    respondent: dict = field(default_factory=dict)


class _Context:
    def __init__(self, phase: Phase, columns: dict[str, str], channel: str) -> None:
        consultation = phase.consultation
        self.phase, self.columns, self.channel = phase, columns, channel
        # Read first: whatever changes after this is seen when the import comes to write.
        self.signature = signature_now(phase)
        self.submitted_pks = set(submitted(phase).values_list("pk", flat=True))
        self.questions = {q.key: q for q in phase.questions.all()}
        self.roles = {role.name.lower(): role for role in consultation.roles.all()}
        self.orgs = {normalise_name(o.name): o for o in consultation.organisations.all()}
        self.new_orgs: dict[str, Organisation] = {}  # unsaved, keyed by normalised name
        self.people = {p.email.lower(): p for p in consultation.people.exclude(email="")}
        self.emails: dict[str, int] = {}
        self.references: dict[str, int] = {}
        self.answer_sets: dict[tuple, str] = {}  # normalised answers -> "row 3" or "response X"


def import_responses(
    phase: Phase, data: bytes, filename: str, *, channel: str = "import",
    max_bytes: int | None = None, by: ImportedBy = BY_CODE,
) -> ImportReport:
    """Add submitted responses to ``phase`` from an uploaded table.

    All or nothing: every row is checked before anything is written. When there is any
    problem this raises ``ImportRefused`` (its ``report`` lists every problem by row and
    column) and the database is unchanged. Otherwise it returns the report with the counts and
    warnings (skipped empty rows, answers identical to another response); the audit trail
    keeps the counts with the file's fingerprint and ``by``. ``channel`` is used
    for rows without a channel column; ``max_bytes`` defaults to
    ``settings.CONSULTA_MAX_IMPORT_BYTES``.
    """
    if channel not in Response.Channel.values:
        raise ValueError(f"Unknown channel {channel!r}")
    table = load_table(data, filename, max_bytes)
    columns = _match(phase, table.headers)
    file = ImportedFile.of(data, filename)
    return with_fresh_reads(lambda: _import(phase, table, columns, channel, file, by), "data")


def _import(phase: Phase, table: Table, columns: dict[str, str], channel: str,
            file: ImportedFile, by: ImportedBy) -> ImportReport:
    report = start_report(table)
    # Read and check outside any transaction: a big file takes seconds, and on SQLite a
    # transaction that writes holds the one write lock that respondents' saves wait for.
    context = _Context(phase, columns, channel)
    _load_existing(context, table.rows)
    rows = [row for row in (_read_row(r, context, report) for r in table.rows) if row]
    writes = stage(rows, context, report) if report.ok else Writes()

    def write() -> None:
        if signature_now(phase) != context.signature or late_conflict(context, rows):
            raise ChangedWhileImporting
        marked = write_rows(writes)  # invitations of respondents in the file, now submitted
        if marked:
            report.count("invitations marked submitted", marked)
        log_import(phase, RESPONSES, file, report.counts, by)

    write_in_one_transaction(report, write, "data")
    return report


def _match(phase: Phase, headers: list[str]) -> dict[str, str]:
    normalised = {normalise_name(header) for header in headers}
    if phase.is_anonymous:
        identity = [name for name in IDENTITY_COLUMNS if name in normalised]
        if identity:
            raise refuse(
                f"This phase is anonymous, so responses keep no identity: remove the "
                f"{', '.join(identity)} column(s).", ", ".join(identity),
            )
    accepted = accepted_columns(phase)
    columns = match_columns(headers, accepted)
    questions = {meaning for meaning in columns if meaning.startswith("q:")}
    if not questions:
        raise refuse("No column matches a question of this phase (use each question's key "
                     f"or title). Accepted columns are: {', '.join(accepted)}.")
    report = ImportReport()
    for question in phase.questions.filter(required=True):
        if f"q:{question.key}" not in questions:
            report.error(None, question.key, f"“{question.title}” must be answered, but the "
                         "file has no column for it.")
    if ("sector" in columns or "type" in columns) and "organisation" not in columns:
        report.error(None, columns.get("sector") or columns["type"],
                     "Sector and type describe a new organisation: add an organisation column.")
    if not report.ok:
        raise ImportRefused(report)
    return columns


def _load_existing(context: _Context, rows: list[TableRow]) -> None:
    """References already taken, and emails and answer sets already submitted in this phase."""
    if "reference" in context.columns:
        wanted = {row.cells[context.columns["reference"]].strip() for row in rows}
        taken = Response.objects.filter(reference__in=wanted - {""})
        context.references.update(dict.fromkeys(taken.values_list("reference", flat=True), 0))
    submitted = Response.objects.filter(phase=context.phase, status=Response.Status.SUBMITTED)
    for respondent in Respondent.objects.filter(response__in=submitted).select_related("person"):
        for email in (respondent.email, respondent.person.email if respondent.person else ""):
            if email:
                context.emails.setdefault(email.lower(), 0)  # 0: already in the phase
    answers: dict[int, dict[int, str]] = {}
    references = dict(submitted.values_list("pk", "reference"))
    for answer in Answer.objects.filter(response__in=submitted):
        answers.setdefault(answer.response_id, {})[answer.question_id] = _normal(
            answer.text, answer.choices)
    for pk, reference in references.items():
        context.answer_sets.setdefault(_answer_key(context, answers.get(pk, {})),
                                       f"response {reference}")


def _normal(text: str, choices: list[str]) -> str:
    if choices:
        return ";".join(sorted(normalise_name(choice) for choice in choices))
    return " ".join(text.casefold().split())


def _answer_key(context: _Context, by_question_id: dict[int, str]) -> tuple:
    return tuple(by_question_id.get(q.pk, "") for q in context.questions.values())


def _read_row(row: TableRow, context: _Context, report: ImportReport) -> _Row | None:
    cells = row_cells(row, context.columns)
    if not any(text for meaning, text in cells.items() if meaning.startswith("q:")):
        report.warn(row.number, "", "Every answer is empty: the row was skipped.")
        report.count("rows skipped")
        return None
    answers = {}
    for meaning, text in cells.items():
        if meaning.startswith("q:"):
            question = context.questions[meaning[2:]]
            answers[question] = _answer(question, text, row, context, report)
    parsed = _Row(row.number, answers)
    check_lengths(report, row, cells, context.columns, LIMITS)
    _read_fields(parsed, cells, row, context, report)
    _read_identity(parsed, cells, row, context, report)
    _check_duplicate_answers(parsed, context, report)
    return parsed


def _error(report: ImportReport, row: TableRow, context: _Context, meaning: str,
           problem: str) -> None:
    report.error(row.number, context.columns.get(meaning, meaning), problem)


def _answer(question: Question, text: str, row: TableRow, context: _Context,
            report: ImportReport) -> tuple[str, list[str]]:
    column = f"q:{question.key}"
    if not text:
        if question.required:
            _error(report, row, context, column, "This question must be answered.")
        return "", []
    if not question.has_options:
        if len(text) > question.max_length:
            _error(report, row, context, column, f"This answer is {len(text)} characters; "
                   f"the limit for this question is {question.max_length}.")
        return text, []
    offered = {normalise_name(option): option for option in question.choices_offered()}
    given = text.split(";") if question.kind == Question.Kind.MULTIPLE_CHOICE else [text]
    chosen = []
    for part in (part.strip() for part in given if part.strip()):
        option = offered.get(normalise_name(part))
        if option is None:
            listed = ", ".join(f"“{option}”" for option in offered.values())
            _error(report, row, context, column,
                   f"“{part}” is not one of the options: {listed}.")
        elif option not in chosen:
            chosen.append(option)
    return "", chosen


def _read_fields(parsed: _Row, cells: dict[str, str], row: TableRow, context: _Context,
                 report: ImportReport) -> None:
    fields = parsed.fields
    fields["channel"] = context.channel
    if cells.get("channel"):
        wanted = cells["channel"].lower()
        match = [c for c in Response.Channel if wanted in {c.value, c.label.lower()}]
        if match:
            fields["channel"] = match[0].value
        else:
            _error(report, row, context, "channel", f"“{cells['channel']}” is not a channel: "
                   f"use {', '.join(Response.Channel.values)}.")
    fields["consent"] = Response.Consent.NONE.value
    if cells.get("consent"):
        consent = Response.Consent.parse(cells["consent"])
        if consent is None:
            _error(report, row, context, "consent", f"“{cells['consent']}” is not a consent: "
                   "use full, anonymous or none (or “in full”, “anonymously”, “not at all”).")
        else:
            fields["consent"] = consent.value
    on_behalf = cells.get("on_behalf", "").lower()
    if on_behalf not in YES | NO:
        _error(report, row, context, "on_behalf", "Use yes or no (or true/false, 1/0).")
    fields["on_behalf"] = on_behalf in YES
    if cells.get("role"):
        fields["role"] = context.roles.get(cells["role"].lower())
        if fields["role"] is None:
            names = ", ".join(f"“{role.name}”" for role in context.roles.values())
            _error(report, row, context, "role", f"“{cells['role']}” is not a role of this "
                   f"consultation. Use one of: {names or 'none are set up'}.")
    fields["submitted_at"] = _submitted_at(cells.get("submitted_at", ""), row, context, report)
    reference = cells.get("reference", "")
    if reference:
        if reference in context.references:
            where = context.references[reference]
            _error(report, row, context, "reference", f"The reference {reference} is already "
                   f"used in row {where}." if where else f"A response with the reference "
                   f"{reference} already exists.")
        context.references.setdefault(reference, row.number)
        fields["reference"] = reference


def _submitted_at(text: str, row: TableRow, context: _Context,
                  report: ImportReport) -> datetime | None:
    now = timezone.now()
    if not text:
        return now
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        _error(report, row, context, "submitted_at", f"“{text}” is not a date: use "
               "YYYY-MM-DD or YYYY-MM-DD HH:MM.")
        return None
    if timezone.is_naive(when):
        when = timezone.make_aware(when)
    if when > now:
        _error(report, row, context, "submitted_at", f"“{text}” is in the future.")
    return when


def _read_identity(parsed: _Row, cells: dict[str, str], row: TableRow, context: _Context,
                   report: ImportReport) -> None:
    name, email = cells.get("respondent", ""), cells.get("email", "")
    if email:
        check_email(report, row, context.columns["email"], email)
        first = context.emails.get(email.lower())
        if first is not None:
            _error(report, row, context, "email", f"This respondent already answered in row "
                   f"{first}." if first else "This respondent already has a submitted "
                   "response in this phase.")
        context.emails.setdefault(email.lower(), row.number)
    if name or email:
        parsed.respondent = {"name": name, "email": email,
                             "person": context.people.get(email.lower()) if email else None}
    if cells.get("organisation"):
        parsed.organisation_key = _organisation(cells, row, context, report)


def _organisation(cells: dict[str, str], row: TableRow, context: _Context,
                  report: ImportReport) -> str:
    key = normalise_name(cells["organisation"])
    sector_text = cells.get("sector", "")
    sector = Sector.parse(sector_text) if sector_text else None
    if sector_text and sector is None:
        _error(report, row, context, "sector", f"“{sector_text}” is not a sector: use "
               f"{', '.join(Sector.values)}.")
        return key
    existing = context.orgs.get(key) or context.new_orgs.get(key)
    if existing is None:
        if sector is None:
            _error(report, row, context, "organisation", f"“{cells['organisation']}” is not in "
                   "the stakeholder network. Add it there, or give its sector to add it now.")
        else:
            context.new_orgs[key] = Organisation(
                consultation=context.phase.consultation, name=cells["organisation"],
                sector=sector.value, type=cells.get("type", ""),
            )
    elif sector is not None and existing.sector != sector.value:
        report.warn(row.number, context.columns["sector"], f"“{existing.name}” is in the "
                    f"network as {existing.sector}; the network was not changed.")
    return key


def _check_duplicate_answers(parsed: _Row, context: _Context, report: ImportReport) -> None:
    """Identical answers are imported (campaigns are legitimate) but pointed out.

    Only answer sets with some written text count: the same choices alone are no sign of a
    campaign or a double entry.
    """
    if not any(text for text, _ in parsed.answers.values()):
        return
    normal = {q.pk: _normal(text, choices) for q, (text, choices) in parsed.answers.items()}
    key = _answer_key(context, normal)
    here = f"row {parsed.number}"
    first = context.answer_sets.setdefault(key, here)
    if first != here:
        report.warn(parsed.number, "", f"The answers are exactly the same as in {first}.")
        report.count("exact duplicates")


