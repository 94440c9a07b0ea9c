"""Exporting the network as CSV and XLSX, in the columns the import reads: a round trip
rebuilds the same network, and no cell runs as a formula in a spreadsheet."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest

from consulta.web.stakeholders.export import network_csv, network_xlsx
from consulta.web.stakeholders.importer import COLUMNS, import_stakeholders
from consulta.web.stakeholders.models import AudienceMember, Organisation, Person
from stakeholder_network import url


@pytest.fixture
def network(consultation):
    """The fixture's two organisations and two people, plus parts, audiences, a person with
    no one else in their organisation, an empty organisation and formula-looking text."""
    ambulance = consultation.organisations.get(name="Eastvale Ambulance Service")
    staff, partners = consultation.phases.order_by("position")
    station = Organisation.objects.create(consultation=consultation, name="North Station",
                                          sector="public", type="ambulance station",
                                          parent=ambulance)
    Organisation.objects.create(consultation=consultation, name="=HYPERLINK(\"x\")",
                                sector="other", type="-1+2")
    Person.objects.create(consultation=consultation, name="@Lee Chan", email="lee@north.example",
                          organisation=station, job_title="+Paramedic")
    Person.objects.create(consultation=consultation, name="No Email", organisation=station)
    AudienceMember.objects.create(phase=partners, organisation=ambulance)
    AudienceMember.objects.create(phase=staff, organisation=station)
    AudienceMember.objects.create(phase=partners, person=consultation.people.get(name="Sam Lee"))
    AudienceMember.objects.create(phase=staff, person=consultation.people.get(name="No Email"))
    AudienceMember.objects.create(phase=partners, person=consultation.people.get(name="No Email"))
    return consultation


def snapshot(consultation) -> dict:
    """The network as plain values, by name: what a round trip must keep."""
    numbers = consultation.phase_numbers()
    return {
        "organisations": {(o.name, o.sector, o.type, o.parent.name if o.parent else "")
                          for o in consultation.organisations.select_related("parent")},
        "people": {(p.name, p.email, p.job_title, p.organisation.name)
                   for p in consultation.people.select_related("organisation")},
        "audiences": {(numbers[m.phase_id], m.organisation.name if m.organisation else "",
                       m.person.name if m.person else "")
                      for m in AudienceMember.objects.filter(phase__consultation=consultation)
                      .select_related("organisation", "person")},
    }


@pytest.fixture
def fresh(other_consultation):
    """A consultation with the same phases and an empty network."""
    other_consultation.people.all().delete()
    other_consultation.organisations.all().delete()
    return other_consultation


def test_it_round_trips_through_the_import_as_a_workbook(network, fresh):
    report = import_stakeholders(fresh, network_xlsx(network), "network.xlsx")
    assert report.counts["organisations created"] == 4
    assert snapshot(fresh) == snapshot(network)


def test_it_round_trips_through_the_import_as_csv(consultation, fresh):
    staff = consultation.phases.get(position=1)
    AudienceMember.objects.create(phase=staff, person=consultation.people.get(name="Sam Lee"))
    import_stakeholders(fresh, network_csv(consultation), "network.csv")
    assert snapshot(fresh) == snapshot(consultation)


def test_it_changes_nothing_when_imported_back_into_the_same_consultation(network):
    before = snapshot(network)
    report = import_stakeholders(network, network_xlsx(network), "network.xlsx")
    assert "organisations created" not in report.counts and "people created" not in report.counts
    assert snapshot(network) == before


def test_it_writes_the_importers_columns_one_row_per_person(network):
    rows = list(csv.DictReader(io.StringIO(network_csv(network).decode("utf-8-sig"))))
    assert list(rows[0]) == COLUMNS
    by_name = {(row["organisation"], row["name"]): row for row in rows}
    assert by_name[("North Station", "No Email")] == {
        "organisation": "North Station", "sector": "public", "type": "ambulance station",
        "parent": "Eastvale Ambulance Service", "name": "No Email", "email": "",
        "job_title": "", "phases": "1;2"}
    # An organisation in an audience itself has a row of its own; one with people only not.
    assert by_name[("Eastvale Ambulance Service", "")]["phases"] == "2"
    assert ("Safe Streets Trust", "") not in by_name


def test_it_neutralises_formulas_in_the_csv(network):
    text = network_csv(network).decode("utf-8-sig")
    assert "'=HYPERLINK" in text and "'-1+2" in text and "'@Lee Chan" in text
    assert "'+Paramedic" in text
    cells = [cell for row in csv.reader(io.StringIO(text)) for cell in row]
    assert not any(cell.startswith(("=", "+", "-", "@")) for cell in cells)


def test_it_stores_formula_looking_text_as_text_in_the_workbook(network):
    book = openpyxl.load_workbook(io.BytesIO(network_xlsx(network)))
    cells = [cell for row in book.active.iter_rows() for cell in row]
    risky = [cell for cell in cells if str(cell.value or "").startswith(("=", "+", "-", "@"))]
    assert {cell.value for cell in risky} == {'=HYPERLINK("x")', "-1+2", "@Lee Chan",
                                              "+Paramedic"}
    assert all(cell.data_type == "s" and cell.quotePrefix for cell in risky)


def test_it_lists_people_without_an_organisation_last(consultation):
    Person.objects.create(consultation=consultation, name="Lone Ranger", email="lone@example.org")
    rows = list(csv.DictReader(io.StringIO(network_csv(consultation).decode("utf-8-sig"))))
    assert (rows[-1]["organisation"], rows[-1]["name"]) == ("", "Lone Ranger")


# --- The download ----------------------------------------------------------------------------


@pytest.mark.parametrize(("kind", "content_type"), [
    ("csv", "text/csv; charset=utf-8"),
    ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
])
def test_it_downloads_the_network(client, organiser, consultation, kind, content_type):
    client.force_login(organiser)
    response = client.get(url("export", kind))
    assert response.status_code == 200 and response["Content-Type"] == content_type
    assert response["Content-Disposition"] == (
        f'attachment; filename="policing-a-stakeholders.{kind}"')
    assert len(response.content) > 100


def test_it_refuses_an_unknown_format(client, organiser):
    client.force_login(organiser)
    assert client.get(url("export", "pdf")).status_code == 404


def test_it_keeps_the_addresses_from_analysts_and_outsiders(client, analyst, outsider,
                                                            consultation):
    client.force_login(analyst)
    assert client.get(url("export", "csv")).status_code == 403
    client.force_login(outsider)
    assert client.get(url("export", "csv")).status_code == 404


def test_it_downloads_only_on_get(client, organiser):
    client.force_login(organiser)
    assert client.post(url("export", "csv")).status_code == 405


def test_it_records_who_downloaded_the_network(client, organiser, consultation):
    from auditlog.models import LogEntry

    client.force_login(organiser)
    client.get(url("export", "xlsx"))
    entry = LogEntry.objects.filter(additional_data__event__kind="download").get()
    assert entry.actor == organiser
    assert entry.additional_data["event"]["file"] == "policing-a-stakeholders.xlsx"
    assert entry.additional_data["consultation_id"] == consultation.pk
