"""The public home page and a consultation's public page."""

from __future__ import annotations

import pytest
from django.urls import reverse

from consulta.web.consultations.models import Consultation


@pytest.fixture
def draft(db):
    return Consultation.objects.create(slug="secret-plans", title="Secret plans",
                                       status=Consultation.Status.DRAFT)


def public_page(client, slug: str):
    return client.get(reverse("public-consultation", kwargs={"slug": slug}))


def test_it_lists_public_consultations_with_their_phases(client, consultation, draft):
    html = client.get(reverse("home")).content.decode()
    assert reverse("public-consultation", kwargs={"slug": "policing-a"}) in html
    assert "Run by Independent Review Body for Northshire Police" in html
    assert "Staff and officers (internal (staff))" in html
    assert '<strong class="tag tag--closed">Closed</strong>' in html
    assert '<strong class="tag tag--open">Open</strong>' in html
    assert "Secret plans" not in html


def test_it_says_when_there_is_nothing_to_show(client, draft):
    assert "There are no consultations to show" in client.get(reverse("home")).content.decode()


def test_it_hides_draft_consultations(client, draft):
    assert public_page(client, "secret-plans").status_code == 404
    assert public_page(client, "no-such-thing").status_code == 404


def test_it_shows_a_consultation_like_the_seed(client, consultation):
    consultation.background = "First paragraph.\n\nSecond paragraph."
    consultation.save()
    partners = consultation.phases.get(position=2)
    partners.intro = "Partners: please answer for your organisation."
    partners.save()
    html = public_page(client, "policing-a").content.decode()
    assert html.count("<h1>") == 1 and "<h1>Policing A</h1>" in html
    assert "<dt>Run by</dt><dd>Independent Review Body</dd>" in html
    assert "<dt>Run for</dt><dd>Northshire Police</dd>" in html
    assert "What should the service do next?" in html
    assert "<p>First paragraph.</p>" in html and "<p>Second paragraph.</p>" in html
    assert "Phase 1: Staff and officers" in html and "Phase 2: Partners" in html
    assert "<dd>Invited partners</dd>" in html and "<dd>Internal (staff)</dd>" in html
    assert "<dd>5 January 2026, 09:00</dd>" in html  # opening of phase 1, UK time
    assert "Partners: please answer for your organisation." in html
    assert "How can the service build trust?" in html
    assert "<li>Investigation</li>" in html  # a choice question's options


def test_it_keeps_line_breaks_in_question_context(client, consultation):
    question = consultation.phases.get(position=2).questions.get(key="trust")
    question.context = "Trust is earned.\nIt is also easily lost."
    question.save()
    html = public_page(client, "policing-a").content.decode()
    assert '<p class="context">Trust is earned.\nIt is also easily lost.</p>' in html


def test_it_escapes_organiser_text(client, consultation):
    consultation.summary = "<script>alert(1)</script>"
    consultation.save()
    html = public_page(client, "policing-a").content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;" in html
