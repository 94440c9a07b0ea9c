"""What every import reports back: problems by row and column, warnings and counts.

Imports are all-or-nothing. An importer that finds any error raises ``ImportRefused`` carrying
the report, and writes nothing; when it returns, its report holds what was written. Importers
read and check outside any transaction, then write in bulk in one short one
(``write_in_one_transaction``), so a big file never holds the database's write lock for long.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction

from consulta.tables import Table, TableError, TableRow, read_table


@dataclass(frozen=True)
class Problem:
    row: int | None  # spreadsheet row number (header = 1); None for the file as a whole
    column: str
    problem: str

    def as_line(self) -> str:
        where = "File" if self.row is None else f"Row {self.row}"
        if self.column:
            where += f", column “{self.column}”"
        return f"{where}: {self.problem}"


@dataclass
class ImportReport:
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors

    def error(self, row: int | None, column: str, problem: str) -> None:
        self.errors.append(Problem(row, column, problem))

    def warn(self, row: int | None, column: str, problem: str) -> None:
        self.warnings.append(Problem(row, column, problem))

    def count(self, name: str, by: int = 1) -> None:
        self.counts[name] = self.counts.get(name, 0) + by

    def summary(self) -> str:
        """The counts in one line, e.g. "organisations created: 2, people updated: 1"."""
        parts = [f"{name}: {number}" for name, number in self.counts.items() if number]
        return ", ".join(parts) if parts else "nothing to import"

    def as_lines(self) -> list[str]:
        """For the command line: a summary, then each error and warning on its own line."""
        if self.ok:
            lines = [f"Imported: {self.summary()}."]
        else:
            lines = [f"Import refused, nothing was written: {len(self.errors)} problem(s)."]
        lines += [f"ERROR {problem.as_line()}" for problem in self.errors]
        lines += [f"WARNING {problem.as_line()}" for problem in self.warnings]
        return lines


class ImportRefused(Exception):
    def __init__(self, report: ImportReport) -> None:
        super().__init__(f"Import refused: {len(report.errors)} problem(s)")
        # Row order reads best, whichever check found each problem; file-wide ones first.
        report.errors.sort(key=lambda problem: problem.row or 0)
        self.report = report


def refuse(problem: str, column: str = "", report: ImportReport | None = None) -> ImportRefused:
    """An ``ImportRefused`` for a problem with the file as a whole."""
    report = report or ImportReport()
    report.error(None, column, problem)
    return ImportRefused(report)


def load_table(data: bytes, filename: str, max_bytes: int | None) -> Table:
    if max_bytes is None:
        max_bytes = settings.CONSULTA_MAX_IMPORT_BYTES
    try:
        return read_table(data, filename, max_bytes)
    except TableError as exc:
        raise refuse(exc.message) from exc


def start_report(table: Table) -> ImportReport:
    """The report of importing ``table``: it counts the rows read and the empty rows skipped."""
    report = ImportReport()
    report.count("rows read", len(table.rows))
    if table.skipped_empty_rows:
        report.warn(None, "", f"{table.skipped_empty_rows} empty row(s) were skipped.")
    return report


class ChangedWhileImporting(Exception):
    """What an import read changed before it could write: plan again from a fresh read."""


# Rows written per INSERT or UPDATE statement.
WRITE_BATCH = 500
# Plans made before one is written unchanged; each is read and checked outside the lock.
IMPORT_ATTEMPTS = 3


def write_in_one_transaction(report: ImportReport, write: Callable[[], None], what: str) -> None:
    """Run ``write`` in one short transaction, if the report found no error.

    Imports read, parse and check everything first, outside any transaction, and hand this
    only the bulk writes: on SQLite the transaction holds the database's single write lock,
    which requests are waiting for meanwhile. ``write`` raises ``ChangedWhileImporting`` when
    what was read is no longer so; a unique constraint failing means ``what`` changed too.
    """
    if not report.ok:
        raise ImportRefused(report)
    try:
        with transaction.atomic():
            write()
    except IntegrityError as exc:
        raise refuse(f"The {what} changed while importing. Try the import again.") from exc


def with_fresh_reads(plan_and_write: Callable[[], ImportReport], what: str) -> ImportReport:
    """Run an import, planning it again from a fresh read when ``what`` changed meanwhile (an
    organiser's edit, a respondent's submission), a few times at most."""
    for _ in range(IMPORT_ATTEMPTS):
        try:
            return plan_and_write()
        except ChangedWhileImporting:
            continue
    raise refuse(f"The {what} kept changing while importing. Try the import again.")


def row_cells(row: TableRow, columns: dict[str, str]) -> dict[str, str]:
    """A row's stripped cells by meaning, from ``columns`` as ``match_columns`` returns them."""
    return {meaning: row.cells[header].strip() for meaning, header in columns.items()}


def check_lengths(report: ImportReport, row: TableRow, cells: dict[str, str],
                  columns: dict[str, str], limits: dict[str, int]) -> None:
    for meaning, limit in limits.items():
        if len(cells.get(meaning, "")) > limit:
            report.error(row.number, columns[meaning],
                         f"This is {len(cells[meaning])} characters; the limit is {limit}.")


def check_email(report: ImportReport, row: TableRow, column: str, email: str) -> bool:
    """Whether ``email`` is a valid address; when it is not, the report says so."""
    try:
        validate_email(email)
    except ValidationError:
        report.error(row.number, column, f"“{email}” is not a valid email address.")
        return False
    return True


def normalise_name(text: str) -> str:
    """Column and lookup names compare ignoring case, spacing and underscores."""
    return " ".join(text.replace("_", " ").lower().split())


def match_columns(
    headers: Iterable[str], accepted: dict[str, str], *, required: Iterable[str] = ()
) -> dict[str, str]:
    """Map each header to what it means: returns {meaning: header as written in the file}.

    ``accepted`` maps column names, as the organiser should write them, to meanings (several
    names may share one; an earlier name wins when two normalise alike). Unknown headers, two
    headers with one meaning, and missing required meanings refuse the file.
    """
    lookup: dict[str, str] = {}
    for name, meaning in accepted.items():
        lookup.setdefault(normalise_name(name), meaning)
    report = ImportReport()
    found: dict[str, str] = {}
    unknown = []
    for header in headers:
        meaning = lookup.get(normalise_name(header))
        if meaning is None:
            unknown.append(header)
        elif meaning in found:
            report.error(None, header, f"This column repeats the column “{found[meaning]}”.")
        else:
            found[meaning] = header
    if unknown:
        names = ", ".join(f"“{name}”" for name in unknown)
        report.error(
            None, ", ".join(unknown),
            f"Unknown column(s): {names}. Accepted columns are: {', '.join(accepted)}.",
        )
    for meaning in required:
        if meaning not in found:
            report.error(None, meaning, f"The required column “{meaning}” is missing.")
    if not report.ok:
        raise ImportRefused(report)
    return found
