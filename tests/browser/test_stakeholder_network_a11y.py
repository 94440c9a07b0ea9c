"""axe-core finds no WCAG 2.2 A or AA violation on the stakeholder network's pages."""

from __future__ import annotations

import pytest
from browsing import axe_violations

from conftest import make_consultation, make_user
from consulta.web.consultations.models import Membership

# Paths under /organise/policing-a/stakeholders/; {org} and {person} are filled in.
PAGES = [
    "organisations/{org}/",
    "organisations/new/",
    "organisations/{org}/edit/",
    "organisations/{org}/remove/",
    "organisations/{org}/merge/",
    "people/",
    "people/new/",
    "people/{person}/edit/",
    "people/{person}/remove/",
    "people/{person}/merge/",
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
    org = consultation.organisations.get(name="Eastvale Ambulance Service")
    return page, {"org": org.pk, "person": org.people.get().pk}


@pytest.mark.parametrize("path", PAGES)
def test_it_has_accessible_network_pages(signed_in, live_server, path):
    tab, ids = signed_in
    tab.goto(f"{live_server.url}/organise/policing-a/stakeholders/{path.format(**ids)}")
    assert tab.locator("h1").count() == 1
    assert axe_violations(tab) == [], path


def test_it_shows_a_refused_merge_accessibly(signed_in, live_server):
    tab, ids = signed_in
    tab.goto(f"{live_server.url}/organise/policing-a/stakeholders/organisations/{ids['org']}"
             "/merge/")
    tab.click("main button[type=submit]")
    assert tab.locator(".error-summary").count() == 1
    assert axe_violations(tab) == []
