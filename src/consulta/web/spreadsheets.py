"""A table the back office hands out as a file: CSV or an Excel workbook, formula-safe.

Text that a spreadsheet would run as a formula (= + - @ ...) never runs: a CSV cell gets a
leading apostrophe (``analysis.outputs.safe_cell``, as every CSV Consulta writes); a workbook
cell is stored as text and marked so (Excel's leading-apostrophe style), so it stays text even
when edited and imports back unchanged.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

from django.http import HttpResponse

from consulta.analysis.outputs import FORMULA_STARTS, safe_cell

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence[str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows([safe_cell(value) for value in row] for row in rows)
    # A byte-order mark: Excel then reads accents and £ signs correctly.
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def xlsx_bytes(title: str, header: Sequence[str], rows: Iterable[Sequence[str]]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    book = Workbook(write_only=True)
    sheet = book.create_sheet(title)

    def text_cells(values: Sequence[str]) -> list:
        cells = []
        for value in values:
            cell = None  # an empty cell is left out, as Excel writes it
            if value:
                # Control characters (a pasted escape code) cannot be stored in the XML.
                cell = WriteOnlyCell(sheet, value=ILLEGAL_CHARACTERS_RE.sub("", value))
                cell.data_type = "s"  # never a formula, whatever the text starts with
                cell.quotePrefix = value.startswith(FORMULA_STARTS)
            cells.append(cell)
        return cells

    sheet.append(text_cells(header))
    for row in rows:
        sheet.append(text_cells(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def table_file(kind: str, title: str, header: Sequence[str],
               rows: Iterable[Sequence[str]]) -> bytes:
    """The table as ``kind`` (a key of ``CONTENT_TYPES``)."""
    return csv_bytes(header, rows) if kind == "csv" else xlsx_bytes(title, header, rows)


def attachment(data: bytes, kind: str, filename: str) -> HttpResponse:
    return HttpResponse(data, content_type=CONTENT_TYPES[kind], headers={
        "Content-Disposition": f'attachment; filename="{filename}"'})
