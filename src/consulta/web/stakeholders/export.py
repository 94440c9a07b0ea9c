"""The stakeholder network as a table, in the columns the stakeholder import reads.

Importing the file into another consultation (with as many phases) rebuilds the same network:
one row per person, and a row for an organisation alone when it has no people or is in a
phase's audience itself. Text that a spreadsheet would run as a formula (= + - @ ...) cannot
run: in the workbook every cell is stored as text (and marked so, Excel's leading-apostrophe
style), so it imports back unchanged; in the CSV it gets a leading apostrophe, as every CSV
Consulta writes (``analysis.outputs.safe_cell``), which an import then keeps.
"""

from __future__ import annotations

import io
from collections.abc import Iterator

from consulta.analysis.outputs import FORMULA_STARTS, write_table
from consulta.web.consultations.models import Consultation
from consulta.web.stakeholders.importer import COLUMNS
from consulta.web.stakeholders.models import AudienceMember

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def network_rows(consultation: Consultation) -> Iterator[dict]:
    """The rows, organisations by name and people by name within each; people with no
    organisation last (with an empty organisation: the import asks for one)."""
    numbers = consultation.phase_numbers()
    org_phases: dict[int, list[int]] = {}
    person_phases: dict[int, list[int]] = {}
    places = AudienceMember.objects.filter(phase__consultation=consultation).values_list(
        "organisation_id", "person_id", "phase_id")
    for organisation_id, person_id, phase_id in places:
        target = person_phases.setdefault(person_id, []) if person_id else \
            org_phases.setdefault(organisation_id, [])
        target.append(numbers[phase_id])
    people: dict[int | None, list] = {}
    for person in consultation.people.order_by("name", "email", "pk"):
        people.setdefault(person.organisation_id, []).append(person)
    for org in consultation.organisations.select_related("parent").order_by("name", "pk"):
        details = {"organisation": org.name, "sector": org.sector, "type": org.type,
                   "parent": org.parent.name if org.parent else ""}
        if org.pk in org_phases or not people.get(org.pk):
            yield {**details, "phases": _phases(org_phases.get(org.pk))}
        for person in people.get(org.pk, []):
            yield {**details, **_person(person, person_phases)}
    for person in people.get(None, []):
        yield _person(person, person_phases)


def _person(person, phases: dict[int, list[int]]) -> dict:
    return {"name": person.name, "email": person.email, "job_title": person.job_title,
            "phases": _phases(phases.get(person.pk))}


def _phases(numbers: list[int] | None) -> str:
    return ";".join(str(n) for n in sorted(numbers or []))


def network_csv(consultation: Consultation) -> bytes:
    out = io.StringIO()
    write_table(out, COLUMNS, network_rows(consultation))
    # A byte-order mark, so that Excel reads accents as UTF-8 (as every CSV Consulta writes).
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def network_xlsx(consultation: Consultation) -> bytes:
    import openpyxl
    from openpyxl.cell import WriteOnlyCell

    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("Stakeholders")
    sheet.append(COLUMNS)
    for row in network_rows(consultation):
        cells = []
        for column in COLUMNS:
            value = row.get(column, "")
            cell = WriteOnlyCell(sheet, value=value)
            if value.startswith(FORMULA_STARTS):  # stays text, even when edited in Excel
                cell.data_type = "s"  # openpyxl took "=..." for a formula
                cell.quotePrefix = True
            cells.append(cell)
        sheet.append(cells)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def export_filename(consultation: Consultation, kind: str) -> str:
    return f"{consultation.slug}-stakeholders.{kind}"
