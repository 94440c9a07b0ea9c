"""The stakeholder network as a table, in the columns the stakeholder import reads.

Importing the file into another consultation (with as many phases) rebuilds the same network:
one row per person, and a row for an organisation alone when it has no people or is in a
phase's audience itself. ``web.spreadsheets`` writes the file, so text that a spreadsheet would
run as a formula (= + - @ ...) cannot run.
"""

from __future__ import annotations

from collections.abc import Iterator

from consulta.web.consultations.models import Consultation
from consulta.web.spreadsheets import csv_bytes, xlsx_bytes
from consulta.web.stakeholders.importer import COLUMNS
from consulta.web.stakeholders.models import AudienceMember


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


def _table(consultation: Consultation) -> Iterator[list[str]]:
    return ([row.get(column, "") for column in COLUMNS] for row in network_rows(consultation))


def network_csv(consultation: Consultation) -> bytes:
    return csv_bytes(COLUMNS, _table(consultation))


def network_xlsx(consultation: Consultation) -> bytes:
    return xlsx_bytes("Stakeholders", COLUMNS, _table(consultation))


def export_filename(consultation: Consultation, kind: str) -> str:
    return f"{consultation.slug}-stakeholders.{kind}"
