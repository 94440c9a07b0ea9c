"""axe-core finds no WCAG A or AA violation on the personal data review page, before and
after a decision, and an analyst approves a proposal with the keyboard-reachable button."""

from __future__ import annotations

from browsing import axe_violations, sign_in

from conftest import make_consultation, make_user
from consulta.web.consultations.models import Membership
from consulta.web.redactions import services
from consulta.web.redactions.models import Redaction
from redaction_data import TRUST_TEXT, answer


def test_an_analyst_reviews_personal_data_on_an_accessible_page(page, live_server,
                                                                transactional_db):
    consultation = make_consultation("policing-a", "Policing A")
    answer(consultation, TRUST_TEXT)
    services.scan(consultation)
    Membership.objects.create(consultation=consultation, user=make_user("bob", organiser=False),
                              role=Membership.Role.ANALYST)
    sign_in(page, live_server.url, "bob")
    page.goto(f"{live_server.url}/organise/policing-a/")
    page.click("text=Personal data review before publishing")
    assert page.locator("h1").inner_text() == "Personal data review"
    assert page.locator("main mark").count() == 3
    assert axe_violations(page) == []
    page.click("text=Approve [1]")
    assert "approved" in page.locator("main").inner_text()
    page.locator("details summary").first.click()
    assert axe_violations(page) == []
    assert Redaction.objects.filter(status=Redaction.Status.APPROVED).count() == 1
