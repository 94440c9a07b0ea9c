"""An internal phase's staff link: shown to organisers with a copy button, and replaceable."""

from __future__ import annotations

import json
import re

import pytest
from auditlog.models import LogEntry
from django.test import Client
from django.urls import reverse

from consulta.web.consultations.models import Phase

BASE = "https://consult.example.org"
SLUG = "policing-a"
ROTATE = reverse("consultations:phase-rotate-key", args=[SLUG, 1])


@pytest.fixture(autouse=True)
def base_url(settings):
    settings.CONSULTA_BASE_URL = BASE


@pytest.fixture
def internal(consultation) -> Phase:
    """Phase 1, opened now so that its link leads to a start page."""
    phase = consultation.phases.get(position=1)
    phase.closes_at = phase.closes_at.replace(year=2099)
    phase.save()
    return phase


def staff_link(phase: Phase) -> str:
    return f"{BASE}/c/{SLUG}/1/?key={phase.access_key}"


def test_it_shows_organisers_the_staff_link_on_the_overview(client, organiser, internal):
    client.force_login(organiser)
    html = client.get(reverse("consultations:overview", args=[SLUG])).content.decode()

    assert "<h2>Staff links</h2>" in html
    assert f'value="{staff_link(internal)}" readonly' in html
    assert 'data-copy="staff-link-1"' in html  # the copy button, shown by the script
    assert 'src="/static/consulta/copy.js"' in html
    assert 'id="staff-link-2"' not in html  # the partner phase has invitations instead


def test_it_keeps_the_staff_link_from_analysts(client, analyst, internal):
    client.force_login(analyst)
    html = client.get(reverse("consultations:overview", args=[SLUG])).content.decode()

    assert internal.access_key not in html
    assert "Staff links" not in html


def test_it_shows_the_staff_link_and_the_replace_button_on_the_phase_page(
        client, organiser, internal):
    client.force_login(organiser)
    html = client.get(reverse("consultations:phase-edit", args=[SLUG, 1])).content.decode()

    assert staff_link(internal) in html
    assert f'action="{ROTATE}"' in html
    assert "Replace the staff link" in html


def test_the_page_has_no_inline_script(client, organiser, internal):
    client.force_login(organiser)
    html = client.get(reverse("consultations:phase-edit", args=[SLUG, 1])).content.decode()

    assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", html) == []


def test_it_serves_the_copy_script(client, db):
    response = client.get("/static/consulta/copy.js")

    assert response.status_code == 200
    assert b"navigator.clipboard" in b"".join(response.streaming_content)


def test_the_staff_link_leads_staff_to_the_phase(internal):
    path = staff_link(internal).removeprefix(BASE)

    assert Client().get(path).status_code == 200


def test_it_replaces_the_key_so_the_old_link_stops_working(client, organiser, internal):
    old = staff_link(internal)
    client.force_login(organiser)

    response = client.post(ROTATE)

    internal.refresh_from_db()
    assert response.status_code == 302
    assert response.url == reverse("consultations:phase-edit", args=[SLUG, 1])
    assert staff_link(internal) != old
    assert Client().get(old.removeprefix(BASE)).status_code == 404
    assert Client().get(staff_link(internal).removeprefix(BASE)).status_code == 200


def test_it_audits_the_replacement_without_either_key(client, organiser, internal):
    old_key = internal.access_key
    client.force_login(organiser)
    client.post(ROTATE)
    internal.refresh_from_db()

    entry = LogEntry.objects.get_for_object(internal).latest("timestamp")
    assert entry.actor == organiser
    assert entry.additional_data["staff_link"] == "replaced"
    every_entry = json.dumps(list(LogEntry.objects.values()), default=str)
    assert old_key not in every_entry and internal.access_key not in every_entry


def test_creating_a_phase_keeps_its_key_out_of_the_trail(client, organiser, consultation):
    client.force_login(organiser)
    client.post(reverse("consultations:phase-create", args=[SLUG]), {
        "name": "More staff", "audience": "internal", "anonymity": "anonymous",
        "opens_at": "2026-03-01T09:00", "closes_at": "2099-03-01T09:00",
    })
    phase = consultation.phases.get(name="More staff")

    assert LogEntry.objects.get_for_object(phase).exists()
    assert phase.access_key not in json.dumps(list(LogEntry.objects.values()), default=str)


def test_the_audit_page_says_the_link_was_replaced(client, organiser, internal):
    client.force_login(organiser)
    client.post(ROTATE)

    html = client.get(reverse("consultations:audit", args=[SLUG])).content.decode()
    assert "staff link" in html


def test_it_has_no_staff_link_to_replace_in_a_partner_phase(client, organiser, consultation):
    partners = consultation.phases.get(position=2)
    key = partners.access_key
    client.force_login(organiser)

    response = client.post(reverse("consultations:phase-rotate-key", args=[SLUG, 2]))

    partners.refresh_from_db()
    assert response.status_code == 404 and partners.access_key == key


def test_it_hides_the_replacement_from_outsiders(client, outsider, internal):
    key = internal.access_key
    client.force_login(outsider)

    assert client.post(ROTATE).status_code == 404
    internal.refresh_from_db()
    assert internal.access_key == key


def test_it_forbids_analysts_to_replace_the_link(client, analyst, internal):
    key = internal.access_key
    client.force_login(analyst)

    assert client.post(ROTATE).status_code == 403
    internal.refresh_from_db()
    assert internal.access_key == key


def test_it_only_replaces_the_link_on_post(client, organiser, internal):
    key = internal.access_key
    client.force_login(organiser)

    assert client.get(ROTATE).status_code == 405
    internal.refresh_from_db()
    assert internal.access_key == key


def test_it_answers_404_for_an_unknown_phase(client, organiser, internal):
    client.force_login(organiser)

    assert client.post(reverse("consultations:phase-rotate-key", args=[SLUG, 9])).status_code == 404
