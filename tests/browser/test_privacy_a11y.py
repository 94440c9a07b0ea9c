"""axe-core finds no WCAG A or AA violation on the "Forget a person" pages, and an organiser can
go from the overview to a confirmed erasure with the keyboard-reachable controls."""

from __future__ import annotations

from browsing import axe_violations, sign_in

from conftest import make_consultation, make_user
from consulta.web.consultations.models import Membership
from consulta.web.stakeholders.models import Person
from privacy_data import EMAIL, seed_dana


def test_an_organiser_forgets_a_person_on_accessible_pages(page, live_server,
                                                           transactional_db):
    consultation = make_consultation("policing-a", "Policing A")
    seed_dana(consultation)
    Membership.objects.create(consultation=consultation, user=make_user("alice"))
    sign_in(page, live_server.url, "alice")
    page.goto(f"{live_server.url}/organise/policing-a/")
    page.click("text=Forget a person (erasure request)")
    assert page.locator("h1").inner_text() == "Forget a person"
    assert axe_violations(page) == []
    page.click("main button[type=submit]")  # no address: the error summary
    assert page.locator(".error-summary").count() == 1
    assert axe_violations(page) == []
    page.fill("#id_email", EMAIL)
    page.click("main button[type=submit]")
    assert page.locator("main table").count() == 1
    assert axe_violations(page) == []
    page.click("text=Forget this person")
    assert "The person has been forgotten" in page.locator("main").inner_text()
    assert axe_violations(page) == []
    assert not Person.objects.filter(email=EMAIL).exists()
