"""axe-core finds no WCAG A or AA violation on the Responses list (with results, filters and an
error), a response's page, its delete confirmation and the organisation confirmation page."""

from __future__ import annotations

import pytest
from browsing import axe_violations

from conftest import make_consultation, make_user
from consulta.web.consultations.models import Membership
from response_data import submitted

BASE = "/organise/policing-a/responses/"
PAGES = [
    BASE,
    BASE + "?phase=1&q=radios",
    BASE + "?submitted_from=2026-03-01&submitted_to=2026-01-01",
    BASE + "STAF-0001/",
    BASE + "PART-0001/",
    BASE + "PART-0001/delete/",
    BASE + "STAF-0001/organisation/",
]


@pytest.fixture
def signed_in(page, live_server, transactional_db):
    consultation = make_consultation("policing-a", "Policing A")
    internal, partners = consultation.phases.all()
    submitted(internal, "Radios drop out.", organisation_name="Unison", reference="STAF-0001")
    submitted(partners, "Keep promises.", "", "Prevention", reference="PART-0001",
              respondent=("Sam Lee", "sam@example.org"))
    Membership.objects.create(consultation=consultation, user=make_user("alice"))
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "alice")
    page.fill("#id_password", "correct horse battery")
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/organise/")
    return page


@pytest.mark.parametrize("path", PAGES)
def test_it_has_accessible_response_pages(signed_in, live_server, path):
    signed_in.goto(f"{live_server.url}{path}")
    assert signed_in.locator("h1").count() == 1
    assert axe_violations(signed_in) == [], path
