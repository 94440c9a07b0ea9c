"""The personal data review page: Alice (organiser) and Bob (analyst) review; Charlie, an
outsider, sees nothing. Every decision is audited without the personal data."""

from __future__ import annotations

import json

import pytest
from auditlog.models import LogEntry
from django.urls import reverse

from consulta.web.consultations import audit
from consulta.web.redactions import services
from consulta.web.redactions.models import Redaction
from redaction_data import TRUST_TEXT, answer
from workbench_data import signed_in

pytestmark = pytest.mark.django_db
PAGE = reverse("redactions:page", args=["policing-a"])


@pytest.fixture
def scanned(consultation):
    a = answer(consultation, TRUST_TEXT)
    services.scan(consultation)
    return a


def decide_url(row, action):
    return reverse("redactions:decide", args=["policing-a", row.pk, action])


def add_url(a):
    return reverse("redactions:add", args=["policing-a", a.pk])


def trail_text(consultation) -> str:
    entries = LogEntry.objects.filter(additional_data__event__kind=audit.REDACTION)
    return json.dumps([e.additional_data for e in entries]) + " ".join(
        str(e.changes) for e in entries)


def test_it_shows_findings_marked_and_escaped(consultation, organiser, analyst):
    a = answer(consultation, TRUST_TEXT + " <script>alert(1)</script>")
    services.scan(consultation)
    for user in (organiser, analyst):
        page = signed_in(user).get(PAGE)
        assert page.status_code == 200
        html = page.content.decode()
        assert "<mark>Gloria Mensah</mark>" in html
        assert "<mark>gloria.mensah@example.org</mark>" in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
        assert "<script>alert" not in html
        assert f'id="answer-{a.pk}"' in html


def test_it_hides_the_page_and_its_actions_from_outsiders(scanned, outsider):
    client = signed_in(outsider)
    row = scanned.redactions.first()
    assert client.get(PAGE).status_code == 404
    assert client.post(reverse("redactions:scan", args=["policing-a"])).status_code == 404
    assert client.post(decide_url(row, "approve")).status_code == 404
    assert client.post(add_url(scanned), {"words": "Officers", "kind": "other"}).status_code == 404
    row.refresh_from_db()
    assert row.status == Redaction.Status.PROPOSED


def test_it_answers_get_on_actions_with_405(scanned, organiser):
    client = signed_in(organiser)
    row = scanned.redactions.first()
    assert client.get(reverse("redactions:scan", args=["policing-a"])).status_code == 405
    assert client.get(decide_url(row, "approve")).status_code == 405
    assert client.get(add_url(scanned)).status_code == 405
    assert client.post(PAGE).status_code == 405


def test_it_refuses_unknown_actions_and_other_consultations_rows(scanned, organiser,
                                                                 other_consultation):
    client = signed_in(organiser)
    row = scanned.redactions.first()
    assert client.post(decide_url(row, "delete")).status_code == 404
    elsewhere = answer(other_consultation, TRUST_TEXT)
    services.scan(other_consultation)
    assert client.post(decide_url(elsewhere.redactions.first(), "approve")).status_code == 404


def test_it_scans_from_the_page(consultation, analyst):
    answer(consultation, TRUST_TEXT)
    client = signed_in(analyst)
    response = client.post(reverse("redactions:scan", args=["policing-a"]))
    assert response.status_code == 302
    assert Redaction.objects.count() == 3
    assert "Scanned 1 answer: 3 new proposals" in client.get(PAGE).content.decode()


def test_it_approves_rejects_and_edits_with_reasons(scanned, analyst, consultation):
    client = signed_in(analyst)
    name, email, postcode = scanned.redactions.order_by("start")
    assert client.post(decide_url(name, "approve")).status_code == 302
    assert client.post(decide_url(email, "reject"), {"reason": ""}).status_code == 302
    email.refresh_from_db()
    assert email.status == Redaction.Status.PROPOSED  # a reason is required
    assert client.post(decide_url(email, "reject"), {"reason": "A shared office inbox"}) \
        .status_code == 302
    assert client.post(decide_url(postcode, "edit"),
                       {"replacement": "[a London postcode]", "reason": ""}).status_code == 302
    postcode.refresh_from_db()
    assert postcode.status == Redaction.Status.PROPOSED
    client.post(decide_url(postcode, "edit"),
                {"replacement": "[a London postcode]", "reason": "Readers need the area"})
    postcode.refresh_from_db()
    assert (postcode.status, postcode.reviewer) == (Redaction.Status.APPROVED, analyst)
    assert services.redacted(scanned, TRUST_TEXT) == (
        "Officers should visit more often. Ask for [name] at the centre, or email "
        "gloria.mensah@example.org. We meet near [a London postcode] on Tuesdays.")
    trail = trail_text(consultation)
    for personal in ("Gloria", "Mensah", "example.org", "SW1A", "shared office",
                     "London postcode", "Readers need"):
        assert personal not in trail
    assert LogEntry.objects.filter(additional_data__event__kind=audit.REDACTION).count() == 3


def test_it_adds_a_redaction_the_scan_missed(scanned, organiser, consultation):
    client = signed_in(organiser)
    for row in scanned.redactions.all():
        client.post(decide_url(row, "approve"))
    response = client.post(add_url(scanned), {"words": "Tuesdays", "kind": "other",
                                                "replacement": "[a weekday]"})
    assert response.status_code == 302
    at = TRUST_TEXT.index("at the centre")
    client.post(add_url(scanned), {"start": at, "end": at + len("at the centre"),
                                   "kind": "address"})
    assert services.redacted(scanned, TRUST_TEXT).endswith(
        "Ask for [name] [address], or email [email]. We meet near [postcode] on [a weekday].")
    assert "Tuesdays" not in trail_text(consultation)
    # Words not in the answer, or a span over a redaction already made: nothing changes.
    client.post(add_url(scanned), {"words": "Wednesdays", "kind": "other"})
    client.post(add_url(scanned), {"start": 0, "end": len(TRUST_TEXT), "kind": "other"})
    assert scanned.redactions.count() == 5


def test_it_refuses_a_decision_on_text_that_changed(scanned, organiser):
    row = scanned.redactions.order_by("start").first()
    scanned.text = "Changed. " + scanned.text
    scanned.save()
    signed_in(organiser).post(decide_url(row, "approve"))
    row.refresh_from_db()
    assert row.status == Redaction.Status.PROPOSED
