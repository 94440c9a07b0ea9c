"""axe-core finds no WCAG 2.0/2.1/2.2 A or AA violation on the organiser's pages."""

from __future__ import annotations

import pytest
from browsing import axe_violations

from analysis_answers import add_answers
from conftest import make_consultation, make_user
from consulta.web.analysis.services import analyse_consultation
from consulta.web.consultations.models import Consultation, Membership

ORGANISER_PAGES = [
    "/organise/",
    "/organise/policing-a/",
    "/organise/policing-a/edit/",
    "/organise/policing-a/phases/2/questions/",
    "/organise/policing-a/phases/2/edit/",
    "/organise/policing-a/stakeholders/",
    "/organise/policing-a/stakeholders/import/",
    "/organise/policing-a/responses/",
    "/organise/policing-a/responses/phase/2/import/",
    "/organise/policing-a/audit/",
    "/organise/policing-a/analysis/",
    "/organise/policing-a/monitoring/",
    "/organise/policing-a/phases/2/invitations/",
]


@pytest.fixture
def signed_in(page, live_server, transactional_db):
    consultation = make_consultation("policing-a", "Policing A")
    alice = make_user("alice")
    Membership.objects.create(consultation=consultation, user=alice)
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "alice")
    page.fill("#id_password", "correct horse battery")
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/organise/")
    return page


def test_it_has_an_accessible_sign_in_page(page, live_server, transactional_db):
    page.goto(f"{live_server.url}/accounts/login/")
    assert axe_violations(page) == []


def test_it_has_accessible_public_pages(page, live_server, transactional_db):
    make_consultation("policing-a", "Policing A")
    for path in ["/", "/c/policing-a/"]:
        page.goto(f"{live_server.url}{path}")
        assert axe_violations(page) == [], path


@pytest.mark.parametrize("path", ORGANISER_PAGES)
def test_it_has_accessible_organiser_pages(signed_in, live_server, path):
    signed_in.goto(f"{live_server.url}{path}")
    assert signed_in.locator("h1").count() == 1
    assert axe_violations(signed_in) == [], path


def test_it_has_an_accessible_analysis_page_with_results(signed_in, live_server):
    consultation = Consultation.objects.get(slug="policing-a")
    add_answers(consultation)
    analyse_consultation(consultation, embedder="tfidf")
    signed_in.goto(f"{live_server.url}/organise/policing-a/analysis/")
    assert signed_in.locator("h1").count() == 1
    assert signed_in.locator("blockquote").count() > 0
    assert axe_violations(signed_in) == []


def test_it_shows_errors_accessibly(signed_in, live_server):
    signed_in.goto(f"{live_server.url}/organise/policing-a/phases/2/questions/new/")
    signed_in.click("main button[type=submit]")
    assert signed_in.locator(".error-summary").count() == 1
    assert axe_violations(signed_in) == []
