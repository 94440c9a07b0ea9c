"""axe-core finds no WCAG A or AA violation on the public results pages (the report inside the
site's layout, "we did", the published responses), the "tell me" form, and the organisers'
publishing pages."""

from __future__ import annotations

from datetime import date

from browsing import axe_violations, sign_in

from conftest import make_consultation, make_user
from consulta.web.consultations.models import Membership
from consulta.web.publishing import services
from consulta.web.publishing.models import Action, ActionUpdate, Status
from consulta.web.redactions.models import Redaction
from consulta.web.redactions.services import scan
from publishing_data import FAKE
from response_data import submitted


def _published(monkeypatch):
    consultation = make_consultation("policing-a", "Policing A")
    partners = consultation.phases.get(position=2)
    submitted(partners, "Share data with the ambulance service.", "Joint patrols.", "Prevention",
              consent="full")
    scan(consultation)
    Redaction.objects.update(status=Redaction.Status.APPROVED)
    action = Action.objects.create(consultation=consultation, text="Publish figures monthly.",
                                   question=partners.questions.first())
    ActionUpdate.objects.create(action=action, date=date(2026, 3, 2), status=Status.DONE,
                                text="The first figures are online.")
    try:
        services.publish(consultation)  # the real report, when its renderers are there
    except ImportError:
        monkeypatch.setattr(services, "render_outputs", lambda c: FAKE)
        services.publish(consultation)
    return consultation


def test_the_public_results_pages_are_accessible(page, live_server, transactional_db,
                                                 monkeypatch):
    _published(monkeypatch)
    page.goto(f"{live_server.url}/c/policing-a/results/")
    assert page.locator("h1").inner_text() == "Results: Policing A"
    assert axe_violations(page) == []
    page.click("text=The published responses")
    assert "Share data with the ambulance service." in page.locator("main").inner_text()
    assert axe_violations(page) == []
    page.goto(f"{live_server.url}/c/policing-a/")
    assert axe_violations(page) == []
    page.click("text=Tell me about the results")  # no address: the error page
    assert page.locator(".error-summary").count() == 1
    assert axe_violations(page) == []


def test_the_organisers_publishing_pages_are_accessible(page, live_server, transactional_db,
                                                        monkeypatch):
    consultation = _published(monkeypatch)
    Membership.objects.create(consultation=consultation, user=make_user("alice"))
    sign_in(page, live_server.url, "alice")
    page.goto(f"{live_server.url}/organise/policing-a/")
    page.click("text=Publishing: results and what we did")
    assert axe_violations(page) == []
    page.click("text=Add an action")
    assert axe_violations(page) == []
    page.select_option("#id_status", "not_taken")
    page.click("text=Save the action")  # no text, no reason: the errors
    assert page.locator(".error-summary").count() == 1
    assert axe_violations(page) == []
    page.goto(f"{live_server.url}/organise/policing-a/publishing/")
    page.click("text=Publish figures monthly.")
    assert axe_violations(page) == []
