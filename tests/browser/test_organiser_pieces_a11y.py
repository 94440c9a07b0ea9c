"""The staff link's copy button in a real browser, and the new pages with no WCAG violation."""

from __future__ import annotations

import pytest
from browsing import axe_violations, sign_in

from conftest import make_consultation, make_user
from consulta.web.consultations.models import Membership, Phase


@pytest.fixture
def signed_in(page, live_server, transactional_db, settings):
    settings.CONSULTA_BASE_URL = live_server.url
    consultation = make_consultation("policing-a", "Policing A")
    alice = make_user("alice")
    Membership.objects.create(consultation=consultation, user=alice)
    # The browser grants clipboard access to the page's origin only when asked.
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    sign_in(page, live_server.url, "alice")
    return page


@pytest.mark.parametrize("path", [
    "/organise/policing-a/",
    "/organise/policing-a/phases/1/edit/",
])
def test_the_pages_with_a_staff_link_are_accessible(signed_in, live_server, path):
    signed_in.goto(f"{live_server.url}{path}")

    assert signed_in.get_by_role("button", name="Copy link for phase 1").is_visible()
    assert axe_violations(signed_in) == [], path


def test_the_copy_button_copies_the_staff_link(signed_in, live_server):
    phase = Phase.objects.get(consultation__slug="policing-a", position=1)
    signed_in.goto(f"{live_server.url}/organise/policing-a/phases/1/edit/")

    signed_in.get_by_role("button", name="Copy link for phase 1").click()

    signed_in.get_by_text("Link copied.").wait_for()
    copied = signed_in.evaluate("navigator.clipboard.readText()")
    assert copied == f"{live_server.url}/c/policing-a/1/?key={phase.access_key}"


def test_the_not_found_page_is_accessible(page, live_server, transactional_db):
    page.goto(f"{live_server.url}/no-such-page/")

    assert page.locator("h1").inner_text() == "Page not found"
    assert axe_violations(page) == []
