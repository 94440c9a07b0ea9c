"""The Responses list (search, filters, pages) and a response's own page, for members.

Phase 1 of the test consultation is anonymous (staff), phase 2 identifies partners.
"""

from __future__ import annotations

import pytest

from consulta.web.respond.models import TypedOrganisation
from consulta.web.responses.models import Response
from response_data import queries_of, row_of, submitted, url


@pytest.fixture
def phases(consultation):
    return tuple(consultation.phases.all())


@pytest.fixture
def mixed(consultation, phases):
    """Two anonymous staff responses and two identified partner responses."""
    internal, partners = phases
    trust = consultation.organisations.get(name="Safe Streets Trust")
    officer = consultation.roles.get(name="police officer")
    return {
        "staff": submitted(internal, "Shift patterns wear people down.", "Neighbourhood teams.",
                           role=officer, reference="STAF-0001"),
        "typed": submitted(internal, "Radios drop out.", days=2, organisation_name="Unison",
                           consent=Response.Consent.FULL, reference="STAF-0002"),
        "trust": submitted(partners, "Keep promises.", "Share data.", "Prevention",
                           organisation=trust, on_behalf=True, reference="PART-0001",
                           respondent=("Sam Lee", "sam@safestreets.example")),
        "plain": submitted(partners, "Answer the phone.", days=5, reference="PART-0002",
                           consent=Response.Consent.ANONYMOUS),
    }


def references(response) -> list[str]:
    return [row["response"].reference for row in response.context["rows"]]


def test_it_lists_submitted_and_withdrawn_responses_newest_day_first(client, organiser, mixed,
                                                                     phases):
    Response.objects.create(phase=phases[1])  # a draft: counted, never listed
    mixed["plain"].status = Response.Status.WITHDRAWN
    mixed["plain"].save()
    client.force_login(organiser)
    response = client.get(url("index"))
    assert response.status_code == 200
    assert references(response) == ["PART-0002", "STAF-0002", "STAF-0001", "PART-0001"]
    page = response.content.decode()
    for reference in references(response):
        assert url("detail", reference) in page
    partners = response.context["phases"][1]
    assert (partners["phase"].submitted, partners["phase"].withdrawn,
            partners["phase"].drafts) == (1, 1, 1)
    assert url("import-form", 1) in page and url("import-form", 2) in page


def test_it_hides_the_time_and_first_answer_of_anonymous_responses(client, organiser, mixed):
    client.force_login(organiser)
    page = client.get(url("index")).content.decode()
    staff, typed = row_of(page, "STAF-0001"), row_of(page, "STAF-0002")
    assert "10 Feb 2026" in staff and "13:47" not in staff + typed
    assert "10 Feb 2026 13:47" in row_of(page, "PART-0001")  # identified: the time is kept
    assert "Shift patterns" not in page and "Keep promises" not in page
    assert "Unison" in typed  # the respondent chose to give it
    assert "Sam Lee" in row_of(page, "PART-0001")  # identified phase: who answered
    assert "In anonymous phases a response shows only the day" in page


def test_it_orders_an_anonymous_day_by_reference_not_by_time(client, organiser, phases):
    internal = phases[0]
    later = submitted(internal, "Later", reference="AAAA-0001")
    later.submitted_at = later.submitted_at.replace(hour=16)
    later.save()
    submitted(internal, "Earlier", reference="ZZZZ-0001")
    client.force_login(organiser)
    assert references(client.get(url("index"))) == ["AAAA-0001", "ZZZZ-0001"]


@pytest.mark.parametrize(("query", "expected"), [
    ({"q": "RADIOS"}, ["STAF-0002"]),
    ({"q": "part-0001"}, ["PART-0001"]),
    ({"phase": "1"}, ["STAF-0002", "STAF-0001"]),
    ({"organisation": "safe streets"}, ["PART-0001"]),
    ({"organisation": "unis"}, ["STAF-0002"]),
    ({"sector": "voluntary"}, ["PART-0001"]),
    ({"sector": "academic"}, ["STAF-0002"]),
    ({"consent": "anonymous"}, ["PART-0002"]),
    ({"submitted_from": "2026-02-12", "submitted_to": "2026-02-12"}, ["STAF-0002"]),
    ({"submitted_to": "2026-02-10"}, ["STAF-0001", "PART-0001"]),
    ({"status": "withdrawn"}, []),
    ({"q": "phone", "phase": "1"}, []),
])
def test_it_searches_and_filters(client, organiser, mixed, query, expected):
    TypedOrganisation.objects.create(response=mixed["typed"], sector="academic")
    client.force_login(organiser)
    response = client.get(url("index"), query)
    assert response.status_code == 200
    assert references(response) == expected


def test_it_filters_by_role(client, organiser, consultation, mixed):
    officer = consultation.roles.get(name="police officer")
    client.force_login(organiser)
    assert references(client.get(url("index"), {"role": officer.pk})) == ["STAF-0001"]


def test_it_explains_a_date_range_the_wrong_way_round(client, organiser, mixed):
    client.force_login(organiser)
    response = client.get(url("index"), {"submitted_from": "2026-03-01",
                                          "submitted_to": "2026-02-01", "phase": "2"})
    assert "The end date must be on or after the start date." in response.content.decode()
    assert references(response) == ["PART-0002", "PART-0001"]  # the valid filters still apply


def test_it_pages_the_list_and_keeps_the_filters(client, organiser, phases):
    for number in range(55):
        submitted(phases[1], f"Answer {number}", reference=f"PAGE-{number:04d}")
    client.force_login(organiser)
    first = client.get(url("index"), {"phase": "2"})
    assert len(first.context["rows"]) == 50
    assert "Responses 1 to 50 of 55" in first.content.decode()
    assert "?phase=2&amp;page=2" in first.content.decode()
    second = client.get(url("index"), {"phase": "2", "page": "2"})
    assert references(second) == [f"PAGE-{number:04d}" for number in range(50, 55)]


def test_it_lists_with_a_constant_number_of_queries(client, organiser, consultation, phases):
    trust = consultation.organisations.get(name="Safe Streets Trust")
    client.force_login(organiser)
    submitted(phases[0], "Words", organisation=trust)
    few = queries_of(client, url("index"), {"sector": "voluntary"})
    for number in range(30):
        response = submitted(phases[number % 2], "Words", organisation_name=f"Org {number}",
                             role=consultation.roles.first(),
                             respondent=("A", f"a{number}@example.org"))
        TypedOrganisation.objects.create(response=response, sector="voluntary")
    assert queries_of(client, url("index"), {"sector": "voluntary"}) == few
    assert len(client.get(url("index"), {"sector": "voluntary"}).context["rows"]) == 31


def test_it_shows_the_list_to_analysts_without_import_links(client, analyst, mixed):
    client.force_login(analyst)
    response = client.get(url("index"))
    assert response.status_code == 200
    assert url("import-form", 1) not in response.content.decode()
    assert len(response.context["rows"]) == 4


def test_it_shows_an_identified_response_in_full(client, organiser, mixed):
    client.force_login(organiser)
    response = client.get(url("detail", "PART-0001"))
    assert response.status_code == 200
    page = response.content.decode()
    for text in ("Keep promises.", "Share data.", "Prevention", "How can the service build trust?",
                 "Sam Lee", "sam@safestreets.example", "Safe Streets Trust",
                 "Voluntary and community", "10 Feb 2026, 13:47",
                 "Web form", "Do not publish", url("withdraw", "PART-0001"),
                 url("delete-form", "PART-0001")):
        assert text in page, text


def test_it_shows_an_anonymous_response_without_time_or_person(client, organiser, mixed):
    client.force_login(organiser)
    page = client.get(url("detail", "STAF-0002")).content.decode()
    assert "Radios drop out." in page and "Unison" in page
    assert "12 Feb 2026" in page and "13:47" not in page
    assert "nothing links a response to a person" in page
    assert url("organisation", "STAF-0002") in page


def test_it_keeps_who_answered_off_a_confidential_response(client, organiser, phases):
    partners = phases[1]
    partners.anonymity = partners.Anonymity.CONFIDENTIAL
    partners.save()
    submitted(partners, "Quietly.", reference="CONF-0001", respondent=("Jo", "jo@example.org"))
    client.force_login(organiser)
    page = client.get(url("detail", "CONF-0001")).content.decode()
    assert "Quietly." in page
    assert "jo@example.org" not in page and ">Jo<" not in page
    assert "jo@example.org" not in client.get(url("index")).content.decode()


def test_it_shows_an_analyst_the_response_without_actions(client, analyst, mixed):
    client.force_login(analyst)
    page = client.get(url("detail", "STAF-0002")).content.decode()
    assert "Radios drop out." in page
    assert url("withdraw", "STAF-0002") not in page
    assert url("organisation", "STAF-0002") not in page


def test_it_hides_responses_from_outsiders_and_other_consultations(client, outsider, organiser,
                                                                   other_consultation, mixed):
    elsewhere = submitted(other_consultation.phases.last(), "Elsewhere", reference="ELSE-0001")
    client.force_login(outsider)
    assert client.get(url("detail", "PART-0001")).status_code == 404
    client.force_login(organiser)
    assert client.get(url("detail", elsewhere.reference)).status_code == 404
    assert client.get(url("detail", "NONE-0000")).status_code == 404


def test_it_does_not_show_drafts(client, organiser, phases):
    draft = Response.objects.create(phase=phases[1], reference="DRAF-0001")
    client.force_login(organiser)
    assert client.get(url("detail", draft.reference)).status_code == 404


def test_it_only_shows_pages_on_get(client, organiser, mixed):
    client.force_login(organiser)
    assert client.post(url("index")).status_code == 405
    assert client.post(url("detail", "PART-0001")).status_code == 405
    assert client.post(url("export", "csv")).status_code == 405
