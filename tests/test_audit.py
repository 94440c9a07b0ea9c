"""The audit trail: who changed what and when, including things since deleted."""

from __future__ import annotations

from django.urls import reverse

from consulta.web.consultations.audit import consultation_log
from consulta.web.consultations.models import Membership
from test_consultation_views import all_rows, url


def test_it_shows_who_changed_what(client, consultation, organiser, analyst):
    client.force_login(organiser)
    client.post(url("update", slug="policing-a"), {"title": "Policing A2", "status": "open"})
    client.force_login(analyst)
    rows = all_rows(client.get(url("audit", slug="policing-a")).content.decode(), "Latest")
    update = next(row for row in rows if "“Policing A2”" in row[1])
    assert update[1].startswith("alice changed the consultation “Policing A2” (")
    assert "title: Policing A → Policing A2" in update[1]


def test_it_keeps_deleted_phases_in_the_trail(client, consultation, organiser):
    client.force_login(organiser)
    response = client.post(reverse("consultations:phase-delete",
                                   kwargs={"slug": "policing-a", "number": 1}))
    assert response.status_code in {302, 303}
    assert not consultation.phases.filter(name="Staff and officers").exists()
    deleted = [e for e in consultation_log(consultation) if e.action == e.Action.DELETE]
    assert any(e.object_repr == "Phase 1: Staff and officers" and e.actor == organiser
               for e in deleted)


def test_it_records_member_removal(client, consultation, organiser, analyst):
    client.force_login(organiser)
    membership = Membership.objects.get(consultation=consultation, user=analyst)
    client.post(url("member-remove", slug="policing-a", pk=membership.pk))
    html = client.get(url("audit", slug="policing-a")).content.decode()
    rows = all_rows(html, "Latest")
    assert any(row[1].startswith("alice deleted the membership “bob") for row in rows)


def test_it_keeps_other_consultations_out_of_the_trail(client, consultation, other_consultation,
                                                        organiser):
    other_consultation.title = "Renamed B"
    other_consultation.save()
    assert all(e.additional_data["consultation_id"] == consultation.pk
               for e in consultation_log(consultation))
    assert not [e for e in consultation_log(consultation) if "Renamed B" in e.object_repr]
