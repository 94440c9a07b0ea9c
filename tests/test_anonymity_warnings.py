"""Organisers are warned that small groups can point at people, and organisations typed by the
public count by the sector typed with them without joining the stakeholder network."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse

from consulta.web.consultations import stats
from consulta.web.consultations.models import Phase
from consulta.web.outreach.monitoring import monitor
from consulta.web.privacy_storage import checkpoint_wal, day_only
from consulta.web.respond.models import TypedOrganisation
from consulta.web.responses.models import Response

SENT = datetime(2026, 1, 20, 14, 37, 12, 345678, tzinfo=UTC)
WARNING = "Small groups can identify people"


def submitted(phase: Phase, n: int, **fields) -> list[Response]:
    return [Response.objects.create(phase=phase, status=Response.Status.SUBMITTED,
                                    submitted_at=SENT, **fields) for _ in range(n)]


@pytest.fixture
def three_police_staff(consultation) -> Phase:
    """Three anonymous responses from the one role: few enough to point at someone."""
    internal = consultation.phases.get(position=1)
    submitted(internal, 3, role=consultation.roles.get(name="police staff"))
    return internal


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_it_warns_about_small_groups_on_the_overview(three_police_staff, organiser):
    html = logged_in(organiser).get(
        reverse("consultations:overview", args=["policing-a"])).content.decode()
    assert WARNING in html and "police staff" in html.split(WARNING)[1]


def test_it_warns_about_small_groups_on_the_monitoring_page(three_police_staff, analyst):
    response = logged_in(analyst).get(reverse("outreach:monitoring", args=["policing-a"]))
    html = response.content.decode()
    assert response.status_code == 200 and WARNING in html
    assert "police staff has fewer than 10 responses" in html


def test_it_does_not_warn_about_groups_of_ten_or_more(consultation, organiser):
    internal = consultation.phases.get(position=1)
    submitted(internal, 10, role=consultation.roles.get(name="police staff"))
    for name in ("consultations:overview", "outreach:monitoring"):
        html = logged_in(organiser).get(reverse(name, args=["policing-a"])).content.decode()
        assert WARNING not in html, name


def test_it_does_not_warn_where_people_are_named_anyway(consultation):
    partners = consultation.phases.get(position=2)  # identified
    submitted(partners, 2)
    tables = stats.responses_by_sector(consultation, list(consultation.phases.all()))
    assert tables.small_groups == []
    assert monitor(consultation)[1].small_groups == []


def test_it_counts_a_typed_organisation_by_its_typed_sector(consultation):
    partners = consultation.phases.get(position=2)
    (response,) = submitted(partners, 1, organisation_name="Northshire Food Bank")
    TypedOrganisation.objects.create(response=response, sector="voluntary", type="charity")
    phases = list(consultation.phases.order_by("position"))
    by_sector = {row.label: row.cells for row in stats.responses_by_sector(consultation,
                                                                          phases).rows}
    assert by_sector["Voluntary and community"] == [0, 1]
    shares = monitor(consultation)[1]
    assert {s.label: s.count for s in shares.by_sector}["Voluntary and community"] == 1
    assert {s.label: s.count for s in shares.by_type}["charity"] == 1


def test_it_keeps_only_the_day():
    assert day_only(SENT) == datetime(2026, 1, 20, tzinfo=UTC)
    assert day_only(None) is None


@pytest.mark.django_db(transaction=True)
def test_it_checkpoints_only_sqlite_and_only_outside_a_transaction():
    assert checkpoint_wal() is (connection.vendor == "sqlite")
    with transaction.atomic():
        assert checkpoint_wal() is False
