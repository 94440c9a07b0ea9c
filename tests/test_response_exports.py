"""The Responses list as CSV and Excel files: what the list shows, formulas kept as text, and
nothing more about an anonymous phase's respondents than the list gives."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest
from auditlog.models import LogEntry

from consulta.web.respond.models import TypedOrganisation
from consulta.web.responses.models import Response
from response_data import queries_of, submitted, url

HEADER = ["reference", "phase", "status", "channel", "submitted", "consent", "role",
          "organisation", "sector", "on_behalf", "respondent", "email",
          "phase 1: challenges", "phase 1: working_well", "phase 2: trust",
          "phase 2: partnership", "phase 2: priority"]


@pytest.fixture
def answered(consultation):
    internal, partners = consultation.phases.all()
    trust = consultation.organisations.get(name="Safe Streets Trust")
    staff = submitted(internal, "=HYPERLINK(\"http://x\")", "Teams.", reference="STAF-0001",
                      role=consultation.roles.get(name="senior leader"),
                      organisation_name="Unison", consent=Response.Consent.FULL)
    TypedOrganisation.objects.create(response=staff, sector="voluntary")
    submitted(partners, "Keep promises.", "", "Prevention", reference="PART-0001",
              organisation=trust, on_behalf=True, respondent=("Sam Lee", "sam@example.org"))
    return staff


def csv_rows(response) -> list[list[str]]:
    text = b"".join(response.streaming_content if response.streaming else [response.content])
    return list(csv.reader(io.StringIO(text.decode("utf-8-sig"))))


def xlsx_rows(response) -> list[list]:
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    return [[cell.value for cell in row] for row in book.active.iter_rows()]


def test_it_exports_every_listed_response_as_csv(client, analyst, answered):
    client.force_login(analyst)
    response = client.get(url("export", "csv"))
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="policing-a-responses.csv"'
    header, staff, partner = csv_rows(response)
    assert header == HEADER
    download = LogEntry.objects.get(additional_data__event__kind="download")
    assert download.actor == analyst
    assert download.additional_data["event"]["file"] == "policing-a-responses.csv"
    assert download.additional_data["event"]["responses"] == 2
    assert staff == ["STAF-0001", "1", "submitted", "web", "2026-02-10", "full", "senior leader",
                     "Unison", "Voluntary and community", "no", "", "",
                     "'=HYPERLINK(\"http://x\")", "Teams.", "", "", ""]
    assert partner == ["PART-0001", "2", "submitted", "web", "2026-02-10 13:47", "none", "",
                       "Safe Streets Trust", "Voluntary and community", "yes", "Sam Lee",
                       "sam@example.org", "", "", "Keep promises.", "", "Prevention"]


def test_it_exports_an_excel_workbook_with_formulas_as_text(client, organiser, answered):
    client.force_login(organiser)
    response = client.get(url("export", "xlsx"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    header, staff, partner = xlsx_rows(response)
    assert header == HEADER
    assert staff[0] == "STAF-0001" and staff[4] == "2026-02-10"
    assert staff[12] == "=HYPERLINK(\"http://x\")"
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book.active.cell(row=2, column=13).data_type == "s"  # text, never a formula
    assert partner[10:12] == ["Sam Lee", "sam@example.org"]


def test_it_drops_characters_a_workbook_cannot_hold(client, organiser, consultation):
    submitted(consultation.phases.get(position=2), "Bell\x07 and escape\x1b[0m.",
              reference="CTRL-0001")
    client.force_login(organiser)
    rows = xlsx_rows(client.get(url("export", "xlsx")))
    assert rows[1][14] == "Bell and escape[0m."  # phase 2: trust


def test_it_exports_what_the_list_shows(client, organiser, answered):
    client.force_login(organiser)
    rows = csv_rows(client.get(url("export", "csv"), {"phase": "2", "page": "3"}))
    assert [row[0] for row in rows[1:]] == ["PART-0001"]
    rows = csv_rows(client.get(url("export", "csv"), {"q": "promises", "status": "withdrawn"}))
    assert rows[1:] == []


def test_it_leaves_identity_columns_out_when_no_phase_identifies_people(client, organiser,
                                                                       consultation, answered):
    consultation.phases.filter(position=2).update(anonymity="confidential")
    client.force_login(organiser)
    rows = csv_rows(client.get(url("export", "csv")))
    assert "respondent" not in rows[0] and "email" not in rows[0]
    assert not any("sam@example.org" in cell for row in rows for cell in row)


def test_it_exports_anonymous_responses_by_the_day_only(client, organiser, answered):
    client.force_login(organiser)
    rows = csv_rows(client.get(url("export", "csv"), {"phase": "1"}))
    assert rows[1][4] == "2026-02-10"
    assert not any("13:47" in cell for row in rows for cell in row)


def test_it_exports_with_a_constant_number_of_queries(client, organiser, consultation):
    phases = list(consultation.phases.all())
    client.force_login(organiser)
    for number, phase in enumerate(phases):
        submitted(phase, "Words", "More", respondent=("A", f"a{number}@example.org"))
    few = queries_of(client, url("export", "xlsx"))
    for number, phase in enumerate(phases * 15):
        submitted(phase, "Words", "More", respondent=("B", f"b{number}@example.org"),
                  organisation=consultation.organisations.first(),
                  role=consultation.roles.first())
    assert queries_of(client, url("export", "xlsx")) == few
    assert len(xlsx_rows(client.get(url("export", "xlsx")))) == 33


def test_it_refuses_exports_to_outsiders_and_unknown_formats(client, outsider, organiser,
                                                             answered):
    client.force_login(outsider)
    assert client.get(url("export", "csv")).status_code == 404
    client.force_login(organiser)
    assert client.get(url("export", "pdf")).status_code == 404
