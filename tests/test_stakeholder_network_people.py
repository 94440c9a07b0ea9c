"""Organisers add, edit, remove and merge people; a merge keeps one invitation per phase."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from auditlog.models import LogEntry

from consulta.web.outreach.models import Invitation, InvitationToken
from consulta.web.responses.models import Respondent, Response
from consulta.web.stakeholders.models import AudienceMember, Person
from consulta.web.stakeholders.services import merge_people
from stakeholder_network import invite, url

UNSUBSCRIBED = datetime(2026, 2, 4, 8, 0, tzinfo=UTC)


@pytest.fixture
def dana(consultation):
    return consultation.people.get(name="Dana Okafor")


@pytest.fixture
def sam(consultation):
    return consultation.people.get(name="Sam Lee")


@pytest.fixture
def partners(consultation):
    return consultation.phases.get(position=2)


@pytest.fixture
def staff(consultation):
    return consultation.phases.get(position=1)


@pytest.fixture
def twin(consultation, dana):
    """A second record of Dana, made by an import with her personal address."""
    return Person.objects.create(consultation=consultation, name="Dana Okafor",
                                 email="dana.okafor@home.example")


def person_data(**fields) -> dict:
    return {"name": "Lee Chan", "email": "lee@harbour.example", "job_title": "Director",
            "organisation": "", **fields}


# --- Adding and editing ----------------------------------------------------------------------


def test_it_adds_a_person_to_an_organisation(client, organiser, consultation):
    trust = consultation.organisations.get(name="Safe Streets Trust")
    client.force_login(organiser)
    page = client.get(url("person-new"), {"organisation": trust.pk})
    assert page.status_code == 200
    assert page.context["form"]["organisation"].value() == str(trust.pk)
    answer = client.post(url("person-create"), person_data(organisation=trust.pk))
    assert answer.status_code == 302 and answer.url == url("organisation", trust.pk)
    lee = consultation.people.get(email="lee@harbour.example")
    assert (lee.name, lee.job_title, lee.organisation) == ("Lee Chan", "Director", trust)
    assert LogEntry.objects.get_for_object(lee).get().actor == organiser


def test_it_adds_a_person_without_an_organisation(client, organiser, consultation):
    client.force_login(organiser)
    answer = client.post(url("person-create"), person_data())
    assert answer.url == url("people")
    assert consultation.people.get(email="lee@harbour.example").organisation is None


def test_it_refuses_an_address_already_in_the_network(client, organiser, consultation):
    client.force_login(organiser)
    response = client.post(url("person-create"),
                           person_data(email="DANA@eastvale-ambulance.example"))
    assert response.status_code == 400
    assert "merge the two instead" in response.content.decode()
    assert consultation.people.count() == 2


def test_it_asks_for_a_name_or_an_address(client, organiser, consultation):
    client.force_login(organiser)
    response = client.post(url("person-create"), person_data(name="", email=""))
    assert response.status_code == 400
    assert "Give the person’s name, email address or both." in response.content.decode()


def test_it_refuses_an_organisation_of_another_consultation(client, organiser,
                                                           other_consultation):
    elsewhere = other_consultation.organisations.first()
    client.force_login(organiser)
    response = client.post(url("person-create"), person_data(organisation=elsewhere.pk))
    assert response.status_code == 400 and "organisation" in response.context["form"].errors


def test_it_edits_a_person(client, organiser, consultation, dana):
    trust = consultation.organisations.get(name="Safe Streets Trust")
    client.force_login(organiser)
    assert client.get(url("person-edit", dana.pk)).status_code == 200
    answer = client.post(url("person-update", dana.pk), person_data(
        name="Dana Okafor-Smith", email="dana@eastvale-ambulance.example",
        organisation=trust.pk))
    assert answer.status_code == 302
    dana.refresh_from_db()
    assert (dana.name, dana.job_title, dana.organisation) == ("Dana Okafor-Smith", "Director",
                                                              trust)
    changes = LogEntry.objects.get_for_object(dana).latest("timestamp").changes_dict
    assert changes["name"] == ["Dana Okafor", "Dana Okafor-Smith"]


# --- Removing --------------------------------------------------------------------------------


def test_it_says_what_removing_a_person_does(client, organiser, dana, partners):
    invite(partners, dana)
    client.force_login(organiser)
    page = client.get(url("person-confirm-remove", dana.pk)).content.decode()
    assert "deletes their 1 invitation: the links sent in it stop working" in page
    assert f'action="{url("person-remove", dana.pk)}"' in page


def test_it_removes_a_person_keeping_their_responses(client, organiser, dana, partners):
    invite(partners, dana, stage="submitted")
    response = Response.objects.create(phase=partners, status="submitted")
    Respondent.objects.create(response=response, person=dana, name=dana.name, email=dana.email)
    AudienceMember.objects.create(phase=partners, person=dana)
    client.force_login(organiser)
    answer = client.post(url("person-remove", dana.pk))
    assert answer.status_code == 302 and answer.url == url("organisation", dana.organisation_id)
    assert not Person.objects.filter(pk=dana.pk).exists()
    assert not Invitation.objects.exists() and not AudienceMember.objects.exists()
    assert Respondent.objects.get(response=response).person is None
    assert LogEntry.objects.filter(object_repr="Dana Okafor",
                                   action=LogEntry.Action.DELETE).exists()


# --- Merging ---------------------------------------------------------------------------------


def test_it_merges_two_records_of_one_person(client, organiser, consultation, dana, twin,
                                             partners, staff):
    invite(staff, twin)
    AudienceMember.objects.create(phase=partners, person=twin)
    AudienceMember.objects.create(phase=partners, person=dana)
    AudienceMember.objects.create(phase=staff, person=twin)
    response = Response.objects.create(phase=partners, status="submitted")
    Respondent.objects.create(response=response, person=twin)
    client.force_login(organiser)
    assert client.get(url("person-merge-form", twin.pk)).status_code == 200
    answer = client.post(url("person-merge", twin.pk), {"kept": dana.pk})
    assert answer.status_code == 302 and answer.url == url("organisation", dana.organisation_id)
    assert not Person.objects.filter(pk=twin.pk).exists()
    assert list(dana.invitations.values_list("phase__position", flat=True)) == [1]
    assert sorted(dana.audiences.values_list("phase__position", flat=True)) == [1, 2]
    assert Respondent.objects.get(response=response).person == dana
    merge = LogEntry.objects.latest("pk").additional_data["merge"]
    assert merge["summary"] == "Merged two records of “Dana Okafor”."
    assert merge["counts"]["invitations moved"] == 1


def test_it_keeps_the_invitation_that_got_further(dana, twin, partners):
    ours = invite(partners, dana, stage="sent", days=0, token="a" * 64)
    theirs = invite(partners, twin, stage="started", days=2, token="b" * 64)
    counts = merge_people(twin, dana)
    assert counts == {"invitations moved": 1, "invitations removed": 0,
                      "audience places moved": 0, "responses moved": 0}
    kept = Invitation.objects.get()
    assert kept.pk == theirs.pk and kept.person == dana and kept.status == "started"
    assert not Invitation.objects.filter(pk=ours.pk).exists()
    # Both emails' links still lead to the one invitation.
    assert set(InvitationToken.objects.values_list("invitation_id", flat=True)) == {theirs.pk}
    assert InvitationToken.objects.count() == 2


def test_it_keeps_the_earlier_invitation_when_both_got_as_far(dana, twin, partners):
    later = invite(partners, dana, stage="opened", days=3)
    earlier = invite(partners, twin, stage="opened", days=1)
    merge_people(dana, twin)
    assert list(Invitation.objects.values_list("pk", "person_id")) == [(earlier.pk, twin.pk)]
    assert not Invitation.objects.filter(pk=later.pk).exists()


def test_it_keeps_the_kept_records_details_and_fills_its_gaps(consultation, dana):
    bare = Person.objects.create(consultation=consultation, name="D. Okafor")
    merge_people(dana, bare)
    bare.refresh_from_db()
    assert (bare.name, bare.email, bare.job_title, bare.organisation.name) == (
        "D. Okafor", "dana@eastvale-ambulance.example", "Head of Operations",
        "Eastvale Ambulance Service")


def test_it_honours_an_unsubscribe_from_either_record(dana, twin):
    twin.unsubscribed_at = UNSUBSCRIBED
    twin.save()
    merge_people(twin, dana)
    dana.refresh_from_db()
    assert dana.unsubscribed_at == UNSUBSCRIBED


def test_it_refuses_to_merge_a_person_into_themselves(client, organiser, dana):
    client.force_login(organiser)
    response = client.post(url("person-merge", dana.pk), {"kept": dana.pk})
    assert response.status_code == 400
    assert Person.objects.filter(pk=dana.pk).exists()


def test_it_refuses_to_merge_into_another_consultations_person(client, organiser, dana,
                                                              other_consultation):
    elsewhere = other_consultation.people.first()
    client.force_login(organiser)
    assert client.post(url("person-merge", dana.pk), {"kept": elsewhere.pk}).status_code == 400
    assert Person.objects.filter(pk=dana.pk).exists()


# --- Who may do it ---------------------------------------------------------------------------

MUTATING = [
    ("person-create", "person-new", lambda dana, sam: ([], person_data())),
    ("person-update", "person-edit", lambda dana, sam: ([dana.pk], person_data(name="Renamed"))),
    ("person-remove", "person-confirm-remove", lambda dana, sam: ([dana.pk], {})),
    ("person-merge", "person-merge-form", lambda dana, sam: ([dana.pk], {"kept": sam.pk})),
]


def _urls(name, form_page, make, dana, sam):
    args, data = make(dana, sam)
    return url(name, *args), url(form_page, *args), data


def _people():
    return list(Person.objects.values_list("pk", "name", "email").order_by("pk"))


@pytest.mark.parametrize(("name", "form_page", "make"), MUTATING)
def test_it_changes_people_for_organisers(client, organiser, dana, sam, name, form_page, make):
    action, page, data = _urls(name, form_page, make, dana, sam)
    before = _people()
    client.force_login(organiser)
    assert client.get(page).status_code == 200
    assert client.post(action, data).status_code == 302
    assert _people() != before


@pytest.mark.parametrize(("name", "form_page", "make"), MUTATING)
def test_it_refuses_analysts_with_403(client, analyst, dana, sam, name, form_page, make):
    action, page, data = _urls(name, form_page, make, dana, sam)
    before = _people()
    client.force_login(analyst)
    assert client.get(page).status_code == 403
    assert client.post(action, data).status_code == 403
    assert _people() == before


@pytest.mark.parametrize(("name", "form_page", "make"), MUTATING)
def test_it_hides_people_from_outsiders_with_404(client, outsider, dana, sam, name, form_page,
                                                 make):
    action, page, data = _urls(name, form_page, make, dana, sam)
    before = _people()
    client.force_login(outsider)
    assert client.get(page).status_code == 404
    assert client.post(action, data).status_code == 404
    assert _people() == before


@pytest.mark.parametrize(("name", "form_page", "make"), MUTATING)
def test_it_changes_no_one_on_get(client, organiser, dana, sam, name, form_page, make):
    action, page, data = _urls(name, form_page, make, dana, sam)
    client.force_login(organiser)
    assert client.get(action, data).status_code == 405
    assert client.post(page, data).status_code == 405


def test_it_gives_404_for_another_consultations_person(client, organiser, other_consultation):
    elsewhere = other_consultation.people.first()
    client.force_login(organiser)
    for name in ("person-edit", "person-confirm-remove", "person-merge-form"):
        assert client.get(url(name, elsewhere.pk)).status_code == 404
    for name in ("person-update", "person-remove", "person-merge"):
        assert client.post(url(name, elsewhere.pk), person_data()).status_code == 404
    assert Person.objects.filter(pk=elsewhere.pk).exists()
