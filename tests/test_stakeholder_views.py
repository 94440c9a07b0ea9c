"""The stakeholder pages: the network list and importing it from a file."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from consulta.web.stakeholders.models import Organisation, Person

SLUG = "policing-a"


def upload(data: bytes, name: str = "network.csv") -> dict:
    return {"file": SimpleUploadedFile(name, data, content_type="text/csv")}


GOOD = b"organisation,sector,name,email\nHarbour Housing,voluntary,Lee Chan,lee@harbour.example\n"
BAD = b"organisation,sector,email\nNew Org,galactic,not-an-email\n"


def index_url() -> str:
    return reverse("stakeholders:index", args=[SLUG])


def form_url() -> str:
    return reverse("stakeholders:import-form", args=[SLUG])


def run_url() -> str:
    return reverse("stakeholders:import", args=[SLUG])


def test_it_lists_organisations_with_sector_counts(client, organiser, consultation):
    Organisation.objects.create(consultation=consultation, name="Eastvale North Station",
                                sector="public", parent=consultation.organisations.get(
                                    name="Eastvale Ambulance Service"))
    client.force_login(organiser)
    response = client.get(index_url())
    assert response.status_code == 200
    page = response.content.decode()
    assert "Eastvale North Station" in page and "Safe Streets Trust" in page
    assert "Voluntary and community" in page
    counts = dict(response.context["sectors"])
    assert counts["Public"] == 2 and counts["Voluntary and community"] == 1
    people = {o.name: o.people_count for o in response.context["organisations"]}
    assert people == {"Eastvale Ambulance Service": 1, "Eastvale North Station": 0,
                      "Safe Streets Trust": 1}
    assert form_url() in page


def test_it_shows_the_list_to_analysts_without_the_import_link(client, analyst):
    client.force_login(analyst)
    response = client.get(index_url())
    assert response.status_code == 200
    assert form_url() not in response.content.decode()


def test_it_hides_the_pages_from_outsiders(client, outsider, consultation):
    client.force_login(outsider)
    assert client.get(index_url()).status_code == 404
    assert client.get(form_url()).status_code == 404


def test_it_sends_signed_out_visitors_to_sign_in(client, consultation):
    for url in (index_url(), form_url(), run_url()):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("accounts:login"))


def test_it_shows_the_upload_form_with_the_expected_columns(client, organiser):
    client.force_login(organiser)
    response = client.get(form_url())
    assert response.status_code == 200
    page = response.content.decode()
    assert 'type="file"' in page and 'accept=".csv,.xlsx"' in page
    assert f'action="{run_url()}"' in page
    for column in ("organisation", "sector", "parent", "job_title", "phases"):
        assert f"<code>{column}</code>" in page


def test_it_refuses_the_upload_form_to_analysts(client, analyst):
    client.force_login(analyst)
    assert client.get(form_url()).status_code == 403


def test_it_imports_and_reports_the_counts(client, organiser, consultation):
    client.force_login(organiser)
    response = client.post(run_url(), upload(GOOD), follow=True)
    assert response.redirect_chain[-1][0] == index_url()
    assert Person.objects.get(email="lee@harbour.example").organisation.name == "Harbour Housing"
    page = response.content.decode()
    assert "organisations created: 1" in page and "people created: 1" in page


def test_it_shows_a_report_table_when_the_file_is_refused(client, organiser, consultation):
    client.force_login(organiser)
    response = client.post(run_url(), upload(BAD))
    assert response.status_code == 400
    page = response.content.decode()
    assert '<table id="report">' in page
    assert "“galactic” is not a sector" in page
    assert "“not-an-email” is not a valid email address" in page
    problems = {(p.row, p.column) for p in response.context["report"].errors}
    assert problems == {(2, "sector"), (2, "email")}
    assert not Organisation.objects.filter(name="New Org").exists()


def test_it_refuses_an_upload_over_the_limit(client, organiser, consultation, settings):
    settings.CONSULTA_MAX_IMPORT_BYTES = 1024 * 1024
    client.force_login(organiser)
    response = client.post(run_url(), upload(GOOD + b"x" * (2 * 1024 * 1024)))
    assert response.status_code == 400
    page = response.content.decode()
    assert "The file is 2 MB, which is over the limit of 1 MB" in page
    assert 'href="#id_file"' in page
    assert not Organisation.objects.filter(name="Harbour Housing").exists()


def test_it_asks_for_a_file_when_none_is_sent(client, organiser):
    client.force_login(organiser)
    response = client.post(run_url(), {})
    assert response.status_code == 400
    assert "Choose a file to import." in response.content.decode()


def test_it_refuses_the_import_to_analysts_and_outsiders(client, analyst, outsider, consultation):
    client.force_login(analyst)
    assert client.post(run_url(), upload(GOOD)).status_code == 403
    client.force_login(outsider)
    assert client.post(run_url(), upload(GOOD)).status_code == 404
    assert not Organisation.objects.filter(name="Harbour Housing").exists()


def test_it_only_imports_on_post(client, organiser):
    client.force_login(organiser)
    assert client.get(run_url()).status_code == 405
    assert client.post(form_url()).status_code == 405
