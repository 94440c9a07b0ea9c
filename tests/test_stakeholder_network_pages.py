"""The network list (search, pages), the people list and an organisation's page, where
anonymous phases show no one's progress and list no response."""

from __future__ import annotations

import pytest

from consulta.web.stakeholders.models import AudienceMember, Organisation, Person
from consulta.web.stakeholders.profile import SMALL_GROUP
from response_data import submitted
from stakeholder_network import invite, url


@pytest.fixture
def ambulance(consultation):
    return consultation.organisations.get(name="Eastvale Ambulance Service")


@pytest.fixture
def staff(consultation):
    return consultation.phases.get(position=1)  # anonymous


@pytest.fixture
def partners(consultation):
    return consultation.phases.get(position=2)  # identified


def colleagues(consultation, organisation, n: int) -> list[Person]:
    return [Person.objects.create(consultation=consultation, name=f"Colleague {i:02}",
                                  email=f"c{i}@eastvale.example", organisation=organisation)
            for i in range(n)]


# --- The organisation's page -----------------------------------------------------------------


def test_it_shows_the_details_people_and_parts(client, organiser, consultation, ambulance,
                                               partners):
    station = Organisation.objects.create(consultation=consultation, name="North Station",
                                          sector="public", parent=ambulance)
    AudienceMember.objects.create(phase=partners, organisation=ambulance)
    client.force_login(organiser)
    response = client.get(url("organisation", ambulance.pk))
    assert response.status_code == 200
    page = response.content.decode()
    assert "<h1>Eastvale Ambulance Service</h1>" in page
    assert "ambulance service" in page and "phase 2" in page
    assert url("organisation", station.pk) in page
    assert "Dana Okafor" in page and "dana@eastvale-ambulance.example" in page
    assert url("organisation-edit", ambulance.pk) in page
    assert url("organisation-merge-form", ambulance.pk) in page


def test_it_lists_each_invitation_with_its_status_in_identified_phases(client, organiser,
                                                                       consultation, ambulance,
                                                                       partners):
    dana = consultation.people.get(name="Dana Okafor")
    invite(partners, dana, stage="opened")
    client.force_login(organiser)
    page = client.get(url("organisation", ambulance.pk)).content.decode()
    assert "<th scope=\"row\">Dana Okafor</th><td>Opened</td>" in page


def test_it_shows_no_ones_progress_in_an_anonymous_phase(client, organiser, consultation,
                                                         ambulance, staff):
    dana = consultation.people.get(name="Dana Okafor")
    invite(staff, dana, stage="submitted")
    client.force_login(organiser)
    response = client.get(url("organisation", ambulance.pk))
    page = response.content.decode()
    assert "<li>Dana Okafor</li>" in page
    progress = page.split("<h2>Invitations</h2>")[1].split("<h2>Responses</h2>")[0]
    assert "Submitted" not in progress and "Started" not in progress
    assert "nor how many responded" in page
    [group] = response.context["invitations"]
    assert group.counts_hidden and all(i.status_label == "" for i in group.invitations)


def test_it_counts_statuses_in_an_anonymous_phase_from_the_small_group_size(
        client, organiser, consultation, ambulance, staff):
    people = colleagues(consultation, ambulance, SMALL_GROUP)
    for number, person in enumerate(people):
        invite(staff, person, stage="submitted" if number < 4 else "sent")
    client.force_login(organiser)
    page = client.get(url("organisation", ambulance.pk)).content.decode()
    assert '<th scope="row">Submitted</th><td class="num">4</td>' in page
    assert '<th scope="row">Sent</th><td class="num">6</td>' in page
    assert "<li>Colleague 00</li>" in page  # who was invited, not who submitted


def test_it_lists_identified_responses_with_a_link_to_each(client, organiser, ambulance,
                                                          partners):
    response = submitted(partners, "Share data sooner", organisation=ambulance, on_behalf=True)
    submitted(partners, "A draft", organisation=ambulance).delete()
    client.force_login(organiser)
    page = client.get(url("organisation", ambulance.pk)).content.decode()
    detail = f"/organise/policing-a/responses/{response.reference}/"
    assert f'<a href="{detail}">{response.reference}</a>' in page
    assert "10 Feb 2026" in page and "13:47" not in page


def test_it_never_lists_anonymous_responses_and_hides_a_small_count(client, organiser,
                                                                    ambulance, staff):
    few = [submitted(staff, "Morale is low", organisation=ambulance) for _ in range(3)]
    client.force_login(organiser)
    response = client.get(url("organisation", ambulance.pk))
    page = response.content.decode()
    assert response.context["responses"] == []
    assert not any(r.reference in page for r in few)
    assert "No responses to list." in page


def test_it_counts_anonymous_responses_from_the_small_group_size(client, organiser, ambulance,
                                                                 staff):
    many = [submitted(staff, "Morale is low", organisation=ambulance)
            for _ in range(SMALL_GROUP)]
    client.force_login(organiser)
    page = client.get(url("organisation", ambulance.pk)).content.decode()
    assert f"{SMALL_GROUP} responses linked to this organisation" in page
    assert not any(r.reference in page for r in many)


def test_it_shows_analysts_the_page_without_addresses_or_changes(client, analyst, ambulance):
    client.force_login(analyst)
    response = client.get(url("organisation", ambulance.pk))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Dana Okafor" in page and "dana@eastvale-ambulance.example" not in page
    assert url("organisation-edit", ambulance.pk) not in page


def test_it_hides_the_organisation_page_from_outsiders(client, outsider, ambulance):
    client.force_login(outsider)
    assert client.get(url("organisation", ambulance.pk)).status_code == 404


# --- The network list ------------------------------------------------------------------------


def test_it_links_each_organisation_to_its_page(client, organiser, ambulance):
    client.force_login(organiser)
    page = client.get(url("index")).content.decode()
    assert f'<a href="{url("organisation", ambulance.pk)}">Eastvale Ambulance Service</a>' in page
    assert url("organisation-new") in page and url("export", "xlsx") in page


@pytest.mark.parametrize(("query", "found"), [
    ({"q": "ambulance"}, ["Eastvale Ambulance Service"]),
    ({"sector": "voluntary"}, ["Safe Streets Trust"]),
    ({"type": "ambulance service"}, ["Eastvale Ambulance Service"]),
    ({"q": "e", "sector": "public"}, ["Eastvale Ambulance Service"]),
    ({"q": "nothing like it"}, []),
    ({"sector": "galactic"}, ["Eastvale Ambulance Service", "Safe Streets Trust"]),
])
def test_it_searches_by_name_sector_and_type(client, organiser, consultation, query, found):
    client.force_login(organiser)
    response = client.get(url("index"), query)
    assert response.status_code == 200
    assert [o.name for o in response.context["organisations"]] == found


def test_it_pages_a_long_list_keeping_the_search(client, organiser, consultation):
    Organisation.objects.bulk_create(
        Organisation(consultation=consultation, name=f"Parish council {i:03}", sector="public")
        for i in range(120))
    client.force_login(organiser)
    first = client.get(url("index"), {"q": "parish"})
    assert len(first.context["organisations"]) == 50
    assert 'href="?q=parish&amp;page=2"' in first.content.decode()
    last = client.get(url("index"), {"q": "parish", "page": "3"})
    assert [o.name for o in last.context["organisations"]][-1] == "Parish council 119"
    assert len(last.context["organisations"]) == 20
    assert client.get(url("index"), {"page": "99"}).status_code == 200


def test_it_lists_the_network_in_a_constant_number_of_queries(client, organiser, consultation,
                                                              django_assert_max_num_queries):
    parent = consultation.organisations.first()
    for i in range(40):
        org = Organisation.objects.create(consultation=consultation, name=f"Branch {i:02}",
                                          sector="public", type=f"type {i % 5}", parent=parent)
        Person.objects.create(consultation=consultation, name=f"P{i}", organisation=org)
    client.force_login(organiser)
    client.get(url("index"))  # sessions and content types warmed up
    # 8 of the page's own, and the session's save (3 with its savepoint) on every request.
    with django_assert_max_num_queries(11):
        response = client.get(url("index"), {"sector": "public"})
    assert len(response.context["organisations"]) == 41


def test_it_shows_the_organisation_page_in_a_bounded_number_of_queries(
        client, organiser, consultation, ambulance, partners, staff,
        django_assert_max_num_queries):
    for person in colleagues(consultation, ambulance, 15):
        invite(partners, person)
        invite(staff, person)
        submitted(partners, "Words", organisation=ambulance)
    client.force_login(organiser)
    client.get(url("organisation", ambulance.pk))
    with django_assert_max_num_queries(14):
        client.get(url("organisation", ambulance.pk))


# --- The people list -------------------------------------------------------------------------


def test_it_lists_and_searches_people(client, organiser, consultation):
    Person.objects.create(consultation=consultation, name="Lone Ranger", email="lone@example.org")
    client.force_login(organiser)
    everyone = client.get(url("people"))
    assert [str(p) for p in everyone.context["people"]] == ["Dana Okafor", "Lone Ranger",
                                                            "Sam Lee"]
    by_org = client.get(url("people"), {"q": "safe streets"})
    assert [str(p) for p in by_org.context["people"]] == ["Sam Lee"]
    by_email = client.get(url("people"), {"q": "lone@"})
    assert [str(p) for p in by_email.context["people"]] == ["Lone Ranger"]


def test_it_shows_analysts_people_without_addresses(client, analyst, consultation):
    client.force_login(analyst)
    response = client.get(url("people"), {"q": "dana@"})
    assert response.status_code == 200 and list(response.context["people"]) == []
    page = client.get(url("people")).content.decode()
    assert "Dana Okafor" in page and "@" not in page.split("<table>")[1]
    assert url("person-new") not in page


def test_it_hides_the_people_list_from_outsiders(client, outsider, consultation):
    client.force_login(outsider)
    assert client.get(url("people")).status_code == 404
