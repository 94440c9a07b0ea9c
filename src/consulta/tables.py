"""Reading an uploaded table (CSV or Excel) into plain text cells, safely.

Every cell comes back as ``str``: nothing is converted to a number or a date, and spreadsheet
formulas are never evaluated (``"=SUM(A1)"`` stays that text). Values beginning with ``= + - @``
are kept verbatim; whoever writes them back into a spreadsheet must neutralise them there.

Problems come back as ``TableError`` with a message an organiser can act on.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time

DELIMITERS = (",", ";", "\t")
ENCODINGS_TRIED = "UTF-8, UTF-16 (with a byte order mark) and Windows-1252"
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


class TableError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass
class TableRow:
    number: int  # the spreadsheet row number: the header is row 1
    cells: dict[str, str]


@dataclass
class Table:
    headers: list[str]
    rows: list[TableRow] = field(default_factory=list)
    skipped_empty_rows: int = 0


def megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f}".removesuffix(".0")


def too_big_message(size: int, max_bytes: int) -> str:
    return (
        f"The file is {megabytes(size)} MB, which is over the limit of "
        f"{megabytes(max_bytes)} MB. Split it into smaller files and import each one."
    )


def read_table(data: bytes, filename: str, max_bytes: int) -> Table:
    """Read an uploaded .xlsx or CSV file; anything that is not .xlsx is read as CSV."""
    # Checked before parsing: a huge upload must cost nothing but this comparison.
    if len(data) > max_bytes:
        raise TableError(too_big_message(len(data), max_bytes))
    if not data:
        raise TableError("The file is empty.")
    if filename.lower().endswith(".xlsx"):
        rows = _xlsx_rows(data, max_bytes)
    else:
        rows = _csv_rows(_decode(data))
    return _build_table(rows)


# --- Excel ---------------------------------------------------------------------------------


# At most this many times the upload limit, and never more than XLSX_MAX_UNPACKED_BYTES.
XLSX_EXPANSION_LIMIT = 10
# A workbook is a zip of XML. What its parts declare they unpack to is checked before any XML
# is parsed: parsing costs about a second per 3 MB of sheet, so a few hundred MB is minutes.
# (zipfile stops reading a part at its declared size, so a part cannot lie its way past this.)
XLSX_MAX_UNPACKED_BYTES = 100 * 1024 * 1024
# Spreadsheet XML compresses about 5 to 20 times; a large part that compresses far better is
# repeated bytes made to expand (a "zip bomb"), not a table.
XLSX_MAX_RATIO = 200
XLSX_RATIO_CHECKED_FROM = 1024 * 1024  # small parts may compress well legitimately


def _check_expansion(data: bytes, max_bytes: int) -> None:
    """Refuse a small workbook that unpacks to something huge (a "zip bomb")."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            parts = archive.infolist()
    except zipfile.BadZipFile:
        return  # openpyxl reports a damaged workbook with a clearer message
    unpacked = sum(info.file_size for info in parts)
    limit = min(XLSX_EXPANSION_LIMIT * max_bytes, XLSX_MAX_UNPACKED_BYTES)
    if unpacked > limit:
        raise TableError(
            f"This workbook unpacks to {megabytes(unpacked)} MB, more than the "
            f"{megabytes(limit)} MB Consulta reads: split it into smaller files or save it as CSV."
        )
    for info in parts:
        if (info.file_size > XLSX_RATIO_CHECKED_FROM
                and info.file_size > XLSX_MAX_RATIO * max(info.compress_size, 1)):
            raise TableError(
                f"This workbook's part {info.filename} unpacks to {megabytes(info.file_size)} MB "
                f"from {megabytes(info.compress_size)} MB, which no real table does. Save the "
                "sheet again as .xlsx or CSV."
            )


def _xlsx_rows(data: bytes, max_bytes: int) -> list[list[str]]:
    import openpyxl

    _check_expansion(data, max_bytes)
    try:
        # data_only=False: a formula cell gives its formula text, never a computed or cached
        # value; read_only streams the sheet instead of building the whole workbook.
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception as exc:  # zipfile, XML and openpyxl errors all mean "not a workbook"
        raise TableError(
            "This file could not be read as an Excel workbook (.xlsx). It may be damaged, "
            "password-protected or in an older format (.xls): save it again as .xlsx or CSV."
        ) from exc
    try:
        if not book.worksheets:
            raise TableError("The workbook has no sheets.")
        sheet = book.worksheets[0]  # the first sheet, whichever tab was open when saved
        # The sheet's declared size (<dimension>) may be a lie: openpyxl would pad every row to
        # 16,384 columns and yield a million empty rows. Read only the cells actually there.
        sheet.reset_dimensions()
        return [[_xlsx_text(value) for value in row] for row in sheet.iter_rows(values_only=True)]
    except TableError:
        raise
    except Exception as exc:
        raise TableError(
            "This Excel workbook is damaged and could not be read. Save it again as .xlsx "
            "or CSV and try again."
        ) from exc
    finally:
        book.close()


def _xlsx_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # 2.0 in a sheet means 2
    if isinstance(value, datetime):
        if value.time() == time(0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, (date, time)):
        return value.isoformat()
    return str(value)


# --- CSV -----------------------------------------------------------------------------------


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    if data.startswith(UTF16_BOMS):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise TableError(
                "The file starts like UTF-16 text but is not valid UTF-16. "
                "Save it again as CSV (UTF-8)."
            ) from exc
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError as exc:
        raise TableError(
            f"The file's text encoding is not one Consulta can read (tried {ENCODINGS_TRIED}). "
            "Save it again as CSV (UTF-8) or .xlsx."
        ) from exc


def _sniff_delimiter(text: str) -> str:
    """The delimiter used most in the header line (outside quotes); a comma when none is."""
    counts = dict.fromkeys(DELIMITERS, 0)
    quoted = False
    for char in text:
        if char == '"':
            quoted = not quoted
        elif not quoted and char in "\r\n":
            break
        elif not quoted and char in counts:
            counts[char] += 1
    best = max(DELIMITERS, key=lambda d: counts[d])  # ties keep the earlier: comma first
    return best if counts[best] else ","


def _csv_rows(text: str) -> list[list[str]]:
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise TableError(
            f"Line {line} contains a NUL character, so this is not a text (CSV) file. "
            "If it is a spreadsheet, save it as .xlsx or CSV."
        )
    delimiter = _sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        rows = list(reader)
    except csv.Error as exc:
        raise TableError(
            f"The CSV file is malformed near line {reader.line_num}: {exc}. Check for a quote "
            "mark (\") that is opened but never closed."
        ) from exc
    return rows


# --- Both ----------------------------------------------------------------------------------


def _build_table(raw_rows: Iterable[list[str]]) -> Table:
    rows: Iterator[list[str]] = iter(raw_rows)
    header_cells = next(rows, None)
    if header_cells is None or not any(cell.strip() for cell in header_cells):
        raise TableError("The first row must hold the column names, but it is empty.")
    headers = [cell.strip() for cell in header_cells]
    while headers and not headers[-1]:  # spreadsheets often carry blank trailing columns
        headers.pop()
    _check_headers(headers)
    table = Table(headers=headers)
    for number, cells in enumerate(rows, start=2):
        if not any(cell.strip() for cell in cells):
            table.skipped_empty_rows += 1
            continue
        extra = [cell for cell in cells[len(headers):] if cell.strip()]
        if extra:
            raise TableError(
                f"Row {number} has more cells than there are column names "
                f"({len(headers)}). Give every column a name in row 1, or remove the extra cells."
            )
        padded = list(cells[: len(headers)]) + [""] * (len(headers) - len(cells))
        table.rows.append(TableRow(number=number, cells=dict(zip(headers, padded))))
    return table


def _check_headers(headers: list[str]) -> None:
    seen: set[str] = set()
    for position, header in enumerate(headers, start=1):
        if not header:
            raise TableError(f"Column {position} has no name in row 1. Every column needs a name.")
        if header in seen:
            raise TableError(f"The column name “{header}” appears more than once in row 1.")
        seen.add(header)
