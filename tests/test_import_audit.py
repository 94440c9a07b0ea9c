"""Every import leaves one summary entry in the audit trail: who, which file, how many rows.

Imports write in bulk, which sends no signals, so without it the trail could not say who
imported 300 responses, or when.
"""

from __future__ import annotations

import hashlib
import json

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from consulta.cli import main
from consulta.web.consultations.models import Consultation, Phase
from consulta.web.imports import ImportRefused
from consulta.web.interchange import InterchangeError, export_consultations, import_consultations
from consulta.web.responses import importer as response_importer
from consulta.web.responses.models import Response
from consulta.web.stakeholders.models import Organisation
from test_consultation_views import all_rows

SLUG = "policing-a"
NETWORK = (b"organisation,sector,name,email\n"
           b"Harbour Housing,voluntary,Lee Chan,lee@harbour.example\n"
           b"Harbour Housing,voluntary,Ade Ola,ade@harbour.example\n"
           b"Northgate Council,public,,\n")
BAD_NETWORK = b"organisation,sector,email\nNew Org,galactic,not-an-email\n"
RESPONSES = (b"trust,priority,email,respondent\n"
             b"Listen more.,Prevention,jo@example.org,Jo Bloggs\n"
             b"Keep promises.,,kim@example.org,Kim Park\n"
             b",,pat@example.org,Pat Doe\n")  # no answers: skipped
BAD_RESPONSES = b"trust,priority,email\nListen more.,Everything,jo@example.org\n"
FILE_EMAILS = ["lee@harbour.example", "ade@harbour.example", "jo@example.org", "kim@example.org",
               "pat@example.org"]
FILE_NAMES = ["Lee Chan", "Ade Ola", "Jo Bloggs", "Kim Park", "Pat Doe"]


@pytest.fixture(autouse=True)
def restore_environment(monkeypatch, tmp_path):
    # Commands point CONSULTA_DATA_DIR at their --data-dir; undo that after each test.
    monkeypatch.setenv("CONSULTA_DATA_DIR", str(tmp_path / "default-data"))


def upload(data: bytes, name: str, **fields) -> dict:
    return {"file": SimpleUploadedFile(name, data, content_type="text/csv"), **fields}


def import_url(kind: str, *args) -> str:
    return reverse(f"{kind}:import", args=[SLUG, *args])


def audit_url(slug: str = SLUG) -> str:
    return reverse("consultations:audit", kwargs={"slug": slug})


def summaries() -> list[LogEntry]:
    return list(LogEntry.objects.filter(additional_data__has_key="import").order_by("pk"))


def stored_text(entry: LogEntry) -> str:
    """Everything an entry keeps that could hold what the file said."""
    return json.dumps([entry.object_repr, entry.changes, entry.changes_text,
                       entry.serialized_data, entry.additional_data])


def assert_no_personal_data(entry: LogEntry) -> None:
    text = stored_text(entry)
    assert not [value for value in FILE_EMAILS + FILE_NAMES if value in text]


def test_it_logs_one_summary_of_a_stakeholder_import_by_the_organiser(
        client, organiser, consultation):
    client.force_login(organiser)
    response = client.post(import_url("stakeholders"), upload(NETWORK, "network.csv"))
    assert response.status_code == 302
    [entry] = summaries()
    assert (entry.actor, entry.action) == (organiser, LogEntry.Action.UPDATE)
    assert entry.content_type == ContentType.objects.get_for_model(Consultation)
    assert entry.object_pk == str(consultation.pk)
    assert entry.additional_data["consultation_id"] == consultation.pk
    details = entry.additional_data["import"]
    assert (details["kind"], details["via"]) == ("stakeholders", "back office")
    assert details["file"] == {"name": "network.csv", "size": len(NETWORK),
                               "sha256": hashlib.sha256(NETWORK).hexdigest()}
    assert details["counts"]["organisations created"] == 2
    assert details["counts"]["people created"] == 2
    assert_no_personal_data(entry)


def test_it_logs_one_summary_of_a_response_import_against_the_phase(
        client, organiser, consultation):
    partners = consultation.phases.get(position=2)
    client.force_login(organiser)
    response = client.post(import_url("responses", 2),
                           upload(RESPONSES, "partners.csv", channel="paper"))
    assert response.status_code == 302
    [entry] = summaries()
    assert entry.actor == organiser
    assert entry.content_type == ContentType.objects.get_for_model(Phase)
    assert entry.object_pk == str(partners.pk)
    assert entry.additional_data["consultation_id"] == consultation.pk
    details = entry.additional_data["import"]
    assert details["kind"] == "responses"
    assert details["file"]["sha256"] == hashlib.sha256(RESPONSES).hexdigest()
    assert {name: details["counts"][name] for name in
            ["rows read", "rows skipped", "responses created", "answers created",
             "respondents recorded"]} == {"rows read": 3, "rows skipped": 1,
                                          "responses created": 2, "answers created": 3,
                                          "respondents recorded": 2}
    assert_no_personal_data(entry)


@pytest.mark.parametrize("kind, args, data", [
    ("stakeholders", (), BAD_NETWORK),
    ("responses", (2,), BAD_RESPONSES),
], ids=["stakeholders", "responses"])
def test_it_logs_nothing_when_an_import_is_refused(client, organiser, consultation,
                                                    kind, args, data):
    client.force_login(organiser)
    entries, organisations = LogEntry.objects.count(), Organisation.objects.count()
    response = client.post(import_url(kind, *args), upload(data, "bad.csv", channel="paper"))
    assert response.status_code == 400
    assert LogEntry.objects.count() == entries
    assert Organisation.objects.count() == organisations and not Response.objects.exists()


def test_it_rolls_the_import_back_when_the_summary_cannot_be_written(consultation, monkeypatch):
    def fail(*args, **kwargs):
        raise RuntimeError("the audit trail is unavailable")

    monkeypatch.setattr(response_importer, "log_import", fail)
    with pytest.raises(RuntimeError):
        response_importer.import_responses(consultation.phases.get(position=2), RESPONSES, "p.csv")
    assert not Response.objects.exists()


@pytest.mark.parametrize("command", [
    ["stakeholders", "network.csv", NETWORK],
    ["responses", "partners.csv", RESPONSES, "--phase", "2"],
], ids=["stakeholders", "responses"])
def test_it_logs_a_command_line_import_without_an_actor(consultation, tmp_path, capsys, command):
    kind, name, data, *options = command
    (tmp_path / name).write_bytes(data)
    code = main(["import", kind, str(tmp_path / name), "--consultation", SLUG, *options,
                 "--data-dir", str(tmp_path)])
    assert code == 0, capsys.readouterr().err
    [entry] = summaries()
    assert entry.actor is None
    details = entry.additional_data["import"]
    assert (details["kind"], details["via"], details["file"]["name"]) == (kind, "command line",
                                                                          name)
    assert_no_personal_data(entry)


def test_it_does_not_log_a_refused_command_line_import(consultation, tmp_path, capsys):
    (tmp_path / "bad.csv").write_bytes(BAD_RESPONSES)
    code = main(["import", "responses", str(tmp_path / "bad.csv"), "--consultation", SLUG,
                 "--phase", "2", "--data-dir", str(tmp_path)])
    assert code == 2
    assert not summaries()


def export_file(tmp_path, slug: str) -> tuple:
    """Consultation A exported, renamed to ``slug`` so it can be imported beside itself."""
    document = export_consultations([SLUG])
    document["consultations"][0]["slug"] = slug
    data = json.dumps(document).encode()
    (tmp_path / "met.json").write_bytes(data)
    return tmp_path / "met.json", data


def test_it_logs_a_consultation_import_from_the_command_line(consultation, tmp_path, capsys):
    path, data = export_file(tmp_path, "policing-c")
    code = main(["import", "consultation", str(path), "--data-dir", str(tmp_path)])
    assert code == 0, capsys.readouterr().err
    copy = Consultation.objects.get(slug="policing-c")
    [entry] = summaries()
    assert (entry.actor, entry.action) == (None, LogEntry.Action.CREATE)
    assert entry.object_pk == str(copy.pk)
    assert entry.additional_data["consultation_id"] == copy.pk
    details = entry.additional_data["import"]
    assert (details["kind"], details["via"]) == ("consultation", "command line")
    assert details["file"] == {"name": "met.json", "size": len(data),
                               "sha256": hashlib.sha256(data).hexdigest()}
    assert details["counts"]["phases created"] == 2
    assert details["counts"]["organisations created"] == 2
    assert details["counts"]["people created"] == 2


def test_it_does_not_log_a_consultation_import_that_fails_late(consultation, tmp_path):
    document = export_consultations([SLUG])
    document["consultations"][0]["slug"] = "policing-c"
    document["consultations"][0]["phases"][1]["questions"][0]["kind"] = "essay"
    with pytest.raises(InterchangeError):
        import_consultations(document)
    assert not summaries()
    assert not Consultation.objects.filter(slug="policing-c").exists()


def test_it_shows_the_summary_on_the_audit_page(client, organiser, consultation):
    client.force_login(organiser)
    client.post(import_url("responses", 2), upload(RESPONSES, "partners.csv", channel="paper"))
    html = client.get(audit_url()).content.decode()
    [row] = [row for row in all_rows(html, "Latest") if " imported " in row[1]]
    _, sentence, details = row
    assert sentence == "alice imported 2 responses to Phase 2: Partners from partners.csv"
    assert "Answers created: 3" in details and "Rows skipped: 1" in details
    assert f"SHA-256 {hashlib.sha256(RESPONSES).hexdigest()}" in details
    assert not [value for value in FILE_EMAILS + FILE_NAMES if value in html]


def test_it_names_the_command_line_as_who_imported(client, organiser, consultation, tmp_path,
                                                    capsys):
    (tmp_path / "network.csv").write_bytes(NETWORK)
    main(["import", "stakeholders", str(tmp_path / "network.csv"), "--consultation", SLUG,
          "--data-dir", str(tmp_path)])
    client.force_login(organiser)
    rows = all_rows(client.get(audit_url()).content.decode(), "Latest")
    [row] = [row for row in rows if " imported " in row[1]]
    assert row[1] == ("Someone at the command line imported 2 people and 2 organisations from "
                      "network.csv")


def test_it_shows_import_summaries_to_members_only(client, organiser, analyst, outsider,
                                                   consultation):
    response_importer.import_responses(consultation.phases.get(position=2), RESPONSES, "p.csv")
    # Analysts read the whole trail, as they read everything else in the consultation.
    client.force_login(analyst)
    response = client.get(audit_url())
    assert response.status_code == 200
    assert "Consulta imported 2 responses" in response.content.decode()
    client.force_login(outsider)
    assert client.get(audit_url()).status_code == 404


def test_it_does_not_log_a_refused_import_called_from_code(consultation):
    with pytest.raises(ImportRefused):
        response_importer.import_responses(consultation.phases.get(position=2), BAD_RESPONSES,
                                           "bad.csv")
    assert not summaries()
