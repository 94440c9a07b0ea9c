"""Importing the stakeholder network from CSV and Excel files."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest
from auditlog.models import LogEntry
from django.db import IntegrityError

from consulta.web.imports import ImportRefused
from consulta.web.responses.models import Answer, Respondent, Response
from consulta.web.stakeholders import importer
from consulta.web.stakeholders.importer import import_stakeholders
from consulta.web.stakeholders.models import AudienceMember, Organisation, Person

MODELS = [Organisation, Person, AudienceMember, Response, Answer, Respondent, LogEntry]


def as_csv(*rows: list[str]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue().encode()


def snapshot() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


def refused(consultation, data: bytes, filename: str = "network.csv"):
    before = snapshot()
    with pytest.raises(ImportRefused) as caught:
        import_stakeholders(consultation, data, filename)
    assert snapshot() == before, "a refused import changed the database"
    return caught.value.report


def where(report) -> set[tuple[int | None, str]]:
    return {(problem.row, problem.column) for problem in report.errors}


def test_it_creates_organisations_people_and_audiences(consultation):
    data = as_csv(
        ["organisation", "sector", "type", "parent", "name", "email", "job_title", "phases"],
        ["Northshire County Council", "public", "local authority", "", "Ravi Shah",
         "ravi@northshire.example", "Director of Communities", "2"],
        ["Northshire Youth Service", "public", "", "Northshire County Council", "", "", "", "1;2"],
    )
    report = import_stakeholders(consultation, data, "network.csv")
    council = Organisation.objects.get(consultation=consultation, name="Northshire County Council")
    youth = Organisation.objects.get(consultation=consultation, name="Northshire Youth Service")
    ravi = Person.objects.get(consultation=consultation, email="ravi@northshire.example")
    assert (council.sector, council.type) == ("public", "local authority")
    assert youth.parent == council
    assert (ravi.organisation, ravi.job_title) == (council, "Director of Communities")
    phase_1, phase_2 = consultation.phases.all()
    assert AudienceMember.objects.filter(phase=phase_2, person=ravi).exists()
    assert set(AudienceMember.objects.filter(organisation=youth).values_list("phase", flat=True)) \
        == {phase_1.pk, phase_2.pk}
    assert report.counts["organisations created"] == 2
    assert report.counts["people created"] == 1
    assert report.counts["audience members added"] == 3


def test_it_updates_existing_organisations_and_people_without_duplicating(consultation):
    data = as_csv(
        ["Organisation", "Sector", "Type", "Name", "Email", "Job Title"],
        ["safe streets trust", "Voluntary and community", "community group", "Sam Lee",
         "SAM@safestreets.example", "Director"],
        ["Eastvale Ambulance Service", "", "", "Dana Okafor", "dana@eastvale-ambulance.example",
         ""],
    )
    report = import_stakeholders(consultation, data, "network.csv")
    assert consultation.organisations.count() == 2
    assert consultation.people.count() == 2
    trust = consultation.organisations.get(name="Safe Streets Trust")
    assert trust.type == "community group"
    assert consultation.people.get(email="sam@safestreets.example").job_title == "Director"
    assert report.counts["organisations updated"] == 1
    assert report.counts["organisations unchanged"] == 1
    assert report.counts["people updated"] == 1
    assert report.counts["people unchanged"] == 1


def test_it_changes_nothing_when_the_same_file_is_imported_twice(consultation):
    data = as_csv(["organisation", "sector", "name", "email", "phases"],
                  ["Harbour Housing", "voluntary", "Lee Chan", "lee@harbour.example", "2"],
                  ["Harbour Housing", "voluntary", "Ana Ruiz", "", ""])
    import_stakeholders(consultation, data, "network.csv")
    before = snapshot()
    report = import_stakeholders(consultation, data, "network.csv")
    # Only the audit trail grows: it records every import, even one that changes nothing.
    assert snapshot() == {**before, "LogEntry": before["LogEntry"] + 1}
    assert report.counts.get("organisations created", 0) == 0
    assert report.counts["people unchanged"] == 2


def test_it_accepts_a_parent_already_in_the_network_or_later_in_the_file(consultation):
    data = as_csv(["organisation", "sector", "parent"],
                  ["Eastvale North Station", "public", "Eastvale Ambulance Service"],
                  ["Ward 3 Group", "voluntary", "Ward Forum"],
                  ["Ward Forum", "voluntary", ""])
    import_stakeholders(consultation, data, "network.csv")
    station = consultation.organisations.get(name="Eastvale North Station")
    assert station.parent.name == "Eastvale Ambulance Service"
    assert consultation.organisations.get(name="Ward 3 Group").parent.name == "Ward Forum"


def test_it_reads_an_excel_workbook(consultation):
    book = openpyxl.Workbook()
    book.active.append(["organisation", "sector", "email", "name"])
    book.active.append(["Northshire Chamber of Commerce", "private", "jo@chamber.example", "Jo"])
    buffer = io.BytesIO()
    book.save(buffer)
    import_stakeholders(consultation, buffer.getvalue(), "network.xlsx")
    assert consultation.people.get(email="jo@chamber.example").organisation.sector == "private"


def test_it_refuses_a_file_without_the_organisation_column(consultation):
    report = refused(consultation, as_csv(["name", "email"], ["Jo", "jo@example.org"]))
    assert "organisation" in report.errors[0].problem


def test_it_refuses_unknown_columns_listing_the_accepted_ones(consultation):
    report = refused(consultation, as_csv(["organisation", "sector", "twitter"],
                                          ["New Org", "public", "@neworg"]))
    assert "“twitter”" in report.errors[0].problem
    assert "job_title" in report.errors[0].problem


def test_it_refuses_every_bad_row_and_writes_nothing(consultation):
    data = as_csv(
        ["organisation", "sector", "parent", "name", "email", "phases"],
        ["Good Org", "public", "", "Good Person", "good@example.org", "1"],  # row 2: fine
        ["Bad Sector Org", "galactic", "", "", "", ""],                     # row 3
        ["Good Org", "", "", "Bad Email", "not-an-email", ""],              # row 4
        ["Good Org", "", "", "Phased", "phased@example.org", "7"],          # row 5
        ["Good Org", "", "", "Again", "GOOD@example.org", ""],              # row 6
        ["Orphan Org", "public", "Nowhere Ltd", "", "", ""],                 # row 7
        ["Loop A", "public", "Loop B", "", "", ""],                          # row 8
        ["Loop B", "public", "Loop A", "", "", ""],                          # row 9
        ["Good Org", "private", "", "", "", ""],                             # row 10
        ["Brand New Org", "", "", "", "", ""],                               # row 11
    )
    report = refused(consultation, data)
    assert {
        (3, "sector"), (4, "email"), (5, "phases"), (6, "email"), (7, "parent"),
        (8, "parent"), (9, "parent"), (10, "sector"), (11, "sector"),
    } <= where(report)
    assert 2 not in {row for row, _ in where(report)}
    assert not consultation.organisations.filter(name="Good Org").exists()


def test_it_refuses_a_cycle_through_the_existing_network(consultation):
    # The ambulance service would become the parent of a new trust that is its own parent.
    data = as_csv(["organisation", "sector", "parent"],
                  ["Eastvale Ambulance Service", "", "Eastvale Health Trust"],
                  ["Eastvale Health Trust", "public", "Eastvale Ambulance Service"])
    report = refused(consultation, data)
    assert any("circle" in problem.problem for problem in report.errors)


def test_it_refuses_an_organisation_that_is_its_own_parent(consultation):
    report = refused(consultation, as_csv(["organisation", "sector", "parent"],
                                          ["Self Ltd", "private", "self ltd"]))
    assert where(report) == {(2, "parent")}


def test_it_refuses_a_job_title_without_a_person(consultation):
    report = refused(consultation, as_csv(["organisation", "job_title"],
                                          ["Safe Streets Trust", "Director"]))
    assert where(report) == {(2, "job_title")}


def test_it_refuses_text_longer_than_the_field(consultation):
    report = refused(consultation, as_csv(["organisation", "sector"], ["x" * 201, "public"]))
    assert where(report) == {(2, "organisation")}


def test_it_refuses_an_oversized_file_before_reading_it(consultation):
    report = refused_with_limit(consultation, b"organisation\n" + b"a" * 2000, 1000)
    assert "limit" in report.errors[0].problem


def refused_with_limit(consultation, data: bytes, limit: int):
    with pytest.raises(ImportRefused) as caught:
        import_stakeholders(consultation, data, "big.csv", max_bytes=limit)
    return caught.value.report


def test_it_writes_nothing_when_the_network_changes_while_writing(consultation, monkeypatch):
    def racing_write(*staged):
        Organisation.objects.create(consultation=consultation, name="Half done", sector="public")
        raise IntegrityError("another import added the same person first")

    monkeypatch.setattr(importer, "_write", racing_write)
    report = refused(consultation, as_csv(["organisation", "sector"], ["New Org", "public"]))
    assert [problem.as_line() for problem in report.errors] == [
        "File: The network changed while importing. Try the import again."
    ]


def test_it_reports_skipped_empty_rows_as_a_warning(consultation):
    data = as_csv(["organisation", "sector"], ["A Org", "public"], ["", ""], ["B Org", "public"])
    report = import_stakeholders(consultation, data, "network.csv")
    assert report.ok
    assert report.counts["organisations created"] == 2
    assert "1 empty row" in report.warnings[0].problem


def test_it_keeps_formula_like_text_verbatim(consultation):
    data = as_csv(["organisation", "sector", "name", "job_title", "email"],
                  ["=HYPERLINK(\"x\")", "other", "@admin", "+44 20", "x@example.org"])
    import_stakeholders(consultation, data, "network.csv")
    person = consultation.people.get(email="x@example.org")
    assert (person.organisation.name, person.name, person.job_title) == \
        ('=HYPERLINK("x")', "@admin", "+44 20")


def test_its_report_prints_for_the_command_line(consultation):
    report = refused(consultation, as_csv(["organisation", "sector"], ["New Org", "galactic"]))
    lines = report.as_lines()
    assert lines[0].startswith("Import refused")
    assert lines[1].startswith("ERROR Row 2, column “sector”")
