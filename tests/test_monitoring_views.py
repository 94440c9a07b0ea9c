"""The monitoring page: who may read it, what it shows, and that it renders the demo."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from consulta.web.consultations.models import Membership
from consulta.web.demo.loader import load_demo
from consulta.web.outreach.models import Invitation
from consulta.web.responses.models import Response
from consulta.web.stakeholders.models import AudienceMember, Organisation, Person, Sector

SLUG = "policing-a"


def url(slug: str = SLUG) -> str:
    return reverse("outreach:monitoring", args=[slug])


def text(response) -> str:
    """The page as a reader hears it: tags dropped, whitespace collapsed."""
    return " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())


@pytest.fixture
def partners_with_responses(consultation):
    _, partners = consultation.phases.all()
    ambulance = consultation.organisations.get(name="Eastvale Ambulance Service")
    trust = consultation.organisations.get(name="Safe Streets Trust")
    councils = [
        Organisation.objects.create(consultation=consultation, name=f"Borough {i} Council",
                                    sector="public", type="local authority")
        for i in range(1, 13)
    ]
    for organisation in [ambulance, trust, *councils]:
        AudienceMember.objects.create(phase=partners, organisation=organisation)
    when = datetime(2026, 2, 3, 11, 0, tzinfo=UTC)
    for organisation in [trust, *councils[:3]]:
        Response.objects.create(phase=partners, status=Response.Status.SUBMITTED,
                                submitted_at=when, organisation=organisation)
    dana = consultation.people.get(name="Dana Okafor")
    AudienceMember.objects.create(phase=partners, person=dana)
    Invitation.objects.create(phase=partners, person=dana, sent_at=when, opened_at=when)
    return consultation


def test_it_shows_the_organiser_responses_funnel_and_gaps(client, organiser,
                                                         partners_with_responses):
    client.force_login(organiser)
    response = client.get(url())
    assert response.status_code == 200
    page = text(response)
    assert "<h1>Monitoring responses</h1>" in response.content.decode()
    assert "No response yet from any ambulance service" in page
    assert "3 of 12 local authorities have responded" in page
    assert "The one charity in the audience has responded" in page
    assert page.index("ambulance service") < page.index("3 of 12 local authorities")
    assert "0 of 1 invited organisation has responded (0%)" in page
    assert "Submitted responses per day in phase 2" in page
    assert "Tue 3 Feb 2026 4 4" in page  # the day, that day's count and the running total
    assert "Voluntary and community 1 25%" in page and "Public 3 75%" in page
    assert "Invited (sent) 1 100%" in page and "Opened the link 1 100%" in page
    assert "Eastvale Ambulance Service" in page  # listed among those yet to respond
    invitations = reverse("outreach:invitations", args=[SLUG, 2])
    assert f'href="{invitations}"' in response.content.decode()


def test_it_is_accessible_markup_without_scripts(client, organiser, partners_with_responses):
    client.force_login(organiser)
    html = client.get(url()).content.decode()
    assert "<script" not in html
    assert html.count("<h1>") == 1
    assert html.count("<table>") == html.count("<caption>") > 0
    assert '<th scope="col">' in html and '<th scope="row">' in html
    for label in re.findall(r'role="img" aria-labelledby="([^"]+)"', html):
        assert f'id="{label}"' in html
    assert 'role="img"' in html


def test_it_lets_an_analyst_read_it(client, analyst, partners_with_responses):
    client.force_login(analyst)
    response = client.get(url())
    assert response.status_code == 200
    assert "3 of 12 local authorities have responded" in text(response)
    # Sending invitations is for organisers: no link to a page an analyst cannot open.
    assert reverse("outreach:invitations", args=[SLUG, 2]) not in response.content.decode()


def test_it_is_not_found_for_an_outsider(client, outsider, consultation):
    client.force_login(outsider)
    assert client.get(url()).status_code == 404


def test_it_sends_a_signed_out_visitor_to_sign_in(client, consultation):
    response = client.get(url())
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_it_refuses_post(client, organiser, consultation):
    client.force_login(organiser)
    assert client.post(url()).status_code == 405


def test_it_escapes_names_typed_by_organisers(client, organiser, consultation):
    _, partners = consultation.phases.all()
    sneaky = Organisation.objects.create(consultation=consultation, name="<b>Bold</b> Ltd",
                                         sector="private", type="<i>type</i>")
    AudienceMember.objects.create(phase=partners, organisation=sneaky)
    client.force_login(organiser)
    html = client.get(url()).content.decode()
    assert "<b>Bold</b>" not in html and "&lt;b&gt;Bold&lt;/b&gt; Ltd" in html
    assert "<i>type</i>" not in html and "&lt;i&gt;type&lt;/i&gt;" in html


def test_it_says_so_when_nothing_has_come_in(client, organiser, consultation):
    client.force_login(organiser)
    page = text(client.get(url()))
    assert "No responses submitted yet." in page
    assert "No personal invitations for this phase" in page


def test_it_costs_the_same_queries_for_more_responses(client, organiser,
                                                      partners_with_responses):
    client.force_login(organiser)
    with CaptureQueriesContext(connection) as few:
        client.get(url())
    _, partners = partners_with_responses.phases.all()
    for i in range(25):
        organisation = Organisation.objects.create(
            consultation=partners_with_responses, name=f"Charity {i}", sector="voluntary",
            type="charity")
        who = Person.objects.create(consultation=partners_with_responses, name=f"P {i}",
                                    email=f"p{i}@example.org", organisation=organisation)
        AudienceMember.objects.create(phase=partners, person=who)
        Response.objects.create(phase=partners, status=Response.Status.SUBMITTED,
                                submitted_at=datetime(2026, 2, 4 + i % 20, tzinfo=UTC),
                                organisation=organisation)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url())
    assert "All 26 charities have responded" in text(response)
    assert len(many.captured_queries) == len(few.captured_queries)


@pytest.mark.django_db
def test_it_renders_the_demo_with_its_sectors(client):
    consultation, _ = load_demo(datetime(2026, 11, 26, 12, 0, tzinfo=UTC))
    reader = User.objects.create_user("dee", "dee@example.org", "correct horse battery")
    Membership.objects.create(consultation=consultation, user=reader,
                              role=Membership.Role.ANALYST)
    client.force_login(reader)
    response = client.get(url(consultation.slug))
    assert response.status_code == 200
    page = text(response)
    internal, partners = response.context["sections"]
    assert internal.data.submitted == Response.objects.filter(
        phase=internal.phase, status=Response.Status.SUBMITTED).count() > 0
    assert partners.data.submitted == Response.objects.filter(
        phase=partners.phase, status=Response.Status.SUBMITTED).count() > 0
    demo_sectors = set(consultation.organisations.values_list("sector", flat=True))
    for sector in demo_sectors:
        assert f"{Sector(sector).label} " in page
    assert {"Public", "Private", "Voluntary and community"} <= {
        Sector(s).label for s in demo_sectors}
    by_sector = {row.label: row.count for row in partners.data.by_sector}
    assert sum(by_sector.values()) == partners.data.submitted
    assert partners.data.timeline.total == partners.data.submitted
    assert partners.data.coverage and "local authorities" in page
    assert "police officer" in page  # phase 1 by role
    assert "coverage by organisation type is not measured" in page  # phase 1 is internal
