"""Organisers add, edit, remove and merge organisations; analysts and outsiders cannot."""

from __future__ import annotations

import pytest
from auditlog.models import LogEntry
from django.urls import reverse

from consulta.web.responses.models import Response
from consulta.web.stakeholders.models import AudienceMember, Organisation, Person
from stakeholder_network import invite, url


@pytest.fixture
def ambulance(consultation):
    return consultation.organisations.get(name="Eastvale Ambulance Service")


@pytest.fixture
def trust(consultation):
    return consultation.organisations.get(name="Safe Streets Trust")


def org_data(**fields) -> dict:
    return {"name": "Harbour Housing", "sector": "voluntary", "type": "housing association",
            "parent": "", **fields}


# --- Adding and editing ----------------------------------------------------------------------


def test_it_adds_an_organisation(client, organiser, consultation, ambulance):
    client.force_login(organiser)
    assert client.get(url("organisation-new")).status_code == 200
    response = client.post(url("organisation-create"), org_data(parent=ambulance.pk))
    added = consultation.organisations.get(name="Harbour Housing")
    assert response.status_code == 302 and response.url == url("organisation", added.pk)
    assert (added.sector, added.type, added.parent) == ("voluntary", "housing association",
                                                         ambulance)
    entry = LogEntry.objects.get_for_object(added).get()
    assert entry.actor == organiser and entry.action == LogEntry.Action.CREATE


def test_it_refuses_a_name_already_in_the_network_ignoring_case(client, organiser, consultation):
    client.force_login(organiser)
    response = client.post(url("organisation-create"), org_data(name="safe  streets TRUST"))
    assert response.status_code == 400
    assert "Another organisation already has this name" in response.content.decode()
    assert consultation.organisations.count() == 2


def test_it_refuses_a_parent_from_another_consultation(client, organiser, other_consultation):
    elsewhere = other_consultation.organisations.first()
    client.force_login(organiser)
    response = client.post(url("organisation-create"), org_data(parent=elsewhere.pk))
    assert response.status_code == 400
    assert "parent" in response.context["form"].errors
    assert not Organisation.objects.filter(name="Harbour Housing").exists()


def test_it_edits_an_organisation(client, organiser, ambulance, trust):
    client.force_login(organiser)
    page = client.get(url("organisation-edit", ambulance.pk))
    assert page.status_code == 200 and 'value="Eastvale Ambulance Service"' in page.content.decode()
    response = client.post(url("organisation-update", ambulance.pk),
                           org_data(name="Eastvale Ambulance NHS Trust", sector="public",
                                    type="NHS trust", parent=trust.pk))
    assert response.status_code == 302
    ambulance.refresh_from_db()
    assert (ambulance.name, ambulance.type, ambulance.parent) == (
        "Eastvale Ambulance NHS Trust", "NHS trust", trust)
    changes = LogEntry.objects.get_for_object(ambulance).latest("timestamp").changes_dict
    assert changes["name"] == ["Eastvale Ambulance Service", "Eastvale Ambulance NHS Trust"]


def test_it_refuses_a_parent_that_would_make_a_circle(client, organiser, consultation,
                                                      ambulance):
    station = Organisation.objects.create(consultation=consultation, name="North Station",
                                          sector="public", parent=ambulance)
    depot = Organisation.objects.create(consultation=consultation, name="North Depot",
                                        sector="public", parent=station)
    client.force_login(organiser)
    for parent in (ambulance, station, depot):
        response = client.post(url("organisation-update", ambulance.pk),
                               org_data(name=ambulance.name, parent=parent.pk))
        assert response.status_code == 400, parent
        assert "parent" in response.context["form"].errors
    ambulance.refresh_from_db()
    assert ambulance.parent is None
    choices = {o.name for o in client.get(url("organisation-edit", ambulance.pk))
               .context["form"].fields["parent"].queryset}
    assert choices == {"Safe Streets Trust"}


# --- Removing --------------------------------------------------------------------------------


def test_it_says_what_removing_keeps_before_removing(client, organiser, consultation, ambulance):
    partners = consultation.phases.get(position=2)
    dana = Person.objects.get(name="Dana Okafor")
    invite(partners, dana)
    Response.objects.create(phase=partners, status="submitted", organisation=ambulance)
    AudienceMember.objects.create(phase=partners, organisation=ambulance)
    client.force_login(organiser)
    page = client.get(url("organisation-confirm-remove", ambulance.pk)).content.decode()
    assert "keeps its 1 person in the network, with no organisation" in page
    assert "keeps 1 invitation sent on its behalf" in page
    assert "keeps the answers of 1 response linked to it" in page
    assert "takes it out of the audience of 1 phase" in page
    assert f'action="{url("organisation-remove", ambulance.pk)}"' in page


def test_it_removes_an_organisation_and_keeps_its_people_and_answers(client, organiser,
                                                                      consultation, ambulance):
    partners = consultation.phases.get(position=2)
    dana = Person.objects.get(name="Dana Okafor")
    invitation = invite(partners, dana)
    response = Response.objects.create(phase=partners, status="submitted", organisation=ambulance)
    station = Organisation.objects.create(consultation=consultation, name="North Station",
                                          sector="public", parent=ambulance)
    AudienceMember.objects.create(phase=partners, organisation=ambulance)
    client.force_login(organiser)
    answer = client.post(url("organisation-remove", ambulance.pk))
    assert answer.status_code == 302 and answer.url == url("index")
    assert not Organisation.objects.filter(pk=ambulance.pk).exists()
    dana.refresh_from_db()
    invitation.refresh_from_db()
    response.refresh_from_db()
    station.refresh_from_db()
    assert dana.organisation is None and invitation.organisation is None
    assert response.organisation is None and station.parent is None
    assert not AudienceMember.objects.filter(phase=partners).exists()
    assert LogEntry.objects.filter(object_pk=str(ambulance.pk), object_repr=ambulance.name,
                                   action=LogEntry.Action.DELETE).exists()


# --- Merging ---------------------------------------------------------------------------------


def test_it_merges_a_duplicate_moving_everything_to_the_kept_one(client, organiser,
                                                                 consultation, ambulance):
    partners = consultation.phases.get(position=2)
    duplicate = Organisation.objects.create(consultation=consultation, name="Eastvale Ambulance",
                                            sector="public")
    station = Organisation.objects.create(consultation=consultation, name="North Station",
                                          sector="public", parent=duplicate)
    lee = Person.objects.create(consultation=consultation, name="Lee Chan",
                                email="lee@eastvale.example", organisation=duplicate)
    invitation = invite(partners, lee)
    response = Response.objects.create(phase=partners, status="submitted", organisation=duplicate)
    AudienceMember.objects.create(phase=partners, organisation=duplicate)
    AudienceMember.objects.create(phase=consultation.phases.get(position=1), organisation=duplicate)
    AudienceMember.objects.create(phase=partners, organisation=ambulance)
    client.force_login(organiser)
    assert client.get(url("organisation-merge-form", duplicate.pk)).status_code == 200
    answer = client.post(url("organisation-merge", duplicate.pk), {"kept": ambulance.pk})
    assert answer.status_code == 302 and answer.url == url("organisation", ambulance.pk)
    assert not Organisation.objects.filter(pk=duplicate.pk).exists()
    for row in (lee, invitation, response):
        row.refresh_from_db()
        assert row.organisation == ambulance
    station.refresh_from_db()
    assert station.parent == ambulance
    places = AudienceMember.objects.filter(organisation=ambulance, person__isnull=True)
    assert sorted(places.values_list("phase__position", flat=True)) == [1, 2]
    assert set(ambulance.people.values_list("name", flat=True)) == {"Dana Okafor", "Lee Chan"}


def test_it_leaves_one_readable_audit_entry_for_a_merge(client, organiser, consultation,
                                                        ambulance):
    duplicate = Organisation.objects.create(consultation=consultation, name="Eastvale Ambulance",
                                            sector="public")
    Person.objects.create(consultation=consultation, name="Lee Chan", organisation=duplicate)
    client.force_login(organiser)  # signing in is in the trail too
    before = LogEntry.objects.count()
    client.post(url("organisation-merge", duplicate.pk), {"kept": ambulance.pk})
    entries = LogEntry.objects.order_by("pk")[before:]
    assert len(entries) == 1
    merge = entries[0].additional_data["merge"]
    assert entries[0].additional_data["consultation_id"] == consultation.pk
    assert entries[0].actor == organiser
    assert merge["summary"] == ("Merged the organisation “Eastvale Ambulance” into "
                                "“Eastvale Ambulance Service”.")
    assert merge["counts"]["people moved"] == 1
    trail = client.get(reverse("consultations:audit", args=[consultation.slug]))
    assert ("alice merged the organisation “Eastvale Ambulance” into “Eastvale Ambulance "
            "Service”") in trail.content.decode()


def test_it_merges_namesakes_without_email_into_one_person(consultation, ambulance):
    from consulta.web.stakeholders.services import merge_organisations

    duplicate = Organisation.objects.create(consultation=consultation, name="Eastvale Ambulance",
                                            sector="public", type="ambulance service")
    Person.objects.create(consultation=consultation, name="Jo Bloggs", organisation=ambulance)
    twin = Person.objects.create(consultation=consultation, name="jo bloggs",
                                 organisation=duplicate, job_title="Paramedic")
    other = Person.objects.create(consultation=consultation, name="Jo Bloggs",
                                  email="jo@elsewhere.example", organisation=duplicate)
    counts = merge_organisations(duplicate, ambulance)
    assert counts["people merged"] == 1 and counts["people moved"] == 1
    assert not Person.objects.filter(pk=twin.pk).exists()
    jos = ambulance.people.filter(name__iexact="jo bloggs").order_by("email")
    assert [(p.email, p.job_title) for p in jos] == [("", "Paramedic"),
                                                    ("jo@elsewhere.example", "")]
    assert other.pk in {p.pk for p in jos}


def test_it_keeps_the_tree_without_circles_when_the_kept_one_was_below(consultation, ambulance):
    from consulta.web.stakeholders.services import merge_organisations

    top = Organisation.objects.create(consultation=consultation, name="NHS Region",
                                      sector="public")
    ambulance.parent = top
    ambulance.save()
    middle = Organisation.objects.create(consultation=consultation, name="North Division",
                                         sector="public", parent=ambulance)
    kept = Organisation.objects.create(consultation=consultation, name="Eastvale Ambulance Trust",
                                       sector="public", parent=middle)
    merge_organisations(ambulance, kept)
    kept.refresh_from_db()
    middle.refresh_from_db()
    assert kept.parent == top and middle.parent == kept


def test_it_refuses_to_merge_an_organisation_into_itself(client, organiser, ambulance):
    client.force_login(organiser)
    response = client.post(url("organisation-merge", ambulance.pk), {"kept": ambulance.pk})
    assert response.status_code == 400
    assert "Choose one from the list." in response.content.decode()
    assert Organisation.objects.filter(pk=ambulance.pk).exists()


def test_it_refuses_to_merge_into_another_consultations_organisation(client, organiser, ambulance,
                                                                    other_consultation):
    elsewhere = other_consultation.organisations.first()
    client.force_login(organiser)
    response = client.post(url("organisation-merge", ambulance.pk), {"kept": elsewhere.pk})
    assert response.status_code == 400
    assert Organisation.objects.filter(pk=ambulance.pk).exists()


# --- Who may do it ---------------------------------------------------------------------------

# Each mutating view: (its name, the form page that posts to it, what a valid POST sends).
MUTATING = [
    ("organisation-create", "organisation-new", lambda orgs: ({}, org_data())),
    ("organisation-update", "organisation-edit",
     lambda orgs: ({"pk": orgs[0].pk}, org_data(name="Renamed"))),
    ("organisation-remove", "organisation-confirm-remove", lambda orgs: ({"pk": orgs[0].pk}, {})),
    ("organisation-merge", "organisation-merge-form",
     lambda orgs: ({"pk": orgs[0].pk}, {"kept": orgs[1].pk})),
]


def _urls(name: str, form_page: str, make, consultation):
    orgs = list(consultation.organisations.order_by("name"))
    target, data = make(orgs)
    args = [target["pk"]] if target else []
    return url(name, *args), url(form_page, *args), data


def _organisations() -> list:
    return list(Organisation.objects.values_list("pk", "name", "parent_id").order_by("pk"))


@pytest.mark.parametrize(("name", "form_page", "make"), MUTATING)
def test_it_changes_the_network_for_organisers(client, organiser, consultation, name,
                                                form_page, make):
    action, page, data = _urls(name, form_page, make, consultation)
    before = _organisations()
    client.force_login(organiser)
    assert client.get(page).status_code == 200
    assert client.post(action, data).status_code == 302
    assert _organisations() != before


@pytest.mark.parametrize(("name", "form_page", "make"), MUTATING)
def test_it_refuses_analysts_with_403(client, analyst, consultation, name, form_page, make):
    action, page, data = _urls(name, form_page, make, consultation)
    before = _organisations()
    client.force_login(analyst)
    assert client.get(page).status_code == 403
    assert client.post(action, data).status_code == 403
    assert _organisations() == before


@pytest.mark.parametrize(("name", "form_page", "make"), MUTATING)
def test_it_hides_everything_from_outsiders_with_404(client, outsider, consultation, name,
                                                     form_page, make):
    action, page, data = _urls(name, form_page, make, consultation)
    before = Organisation.objects.count()
    client.force_login(outsider)
    assert client.get(page).status_code == 404
    assert client.post(action, data).status_code == 404
    assert Organisation.objects.count() == before


@pytest.mark.parametrize(("name", "form_page", "make"), MUTATING)
def test_it_changes_nothing_on_get(client, organiser, consultation, name, form_page, make):
    action, page, data = _urls(name, form_page, make, consultation)
    client.force_login(organiser)
    assert client.get(action, data).status_code == 405
    assert client.post(page, data).status_code == 405


def test_it_gives_404_for_another_consultations_organisation(client, organiser,
                                                             other_consultation):
    elsewhere = other_consultation.organisations.first()
    client.force_login(organiser)
    for name in ("organisation", "organisation-edit", "organisation-confirm-remove",
                 "organisation-merge-form"):
        assert client.get(url(name, elsewhere.pk)).status_code == 404
    for name in ("organisation-update", "organisation-remove", "organisation-merge"):
        assert client.post(url(name, elsewhere.pk), org_data()).status_code == 404
    assert Organisation.objects.filter(pk=elsewhere.pk).exists()
