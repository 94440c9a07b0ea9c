"""Adding, editing and deleting phases; positions stay 1..n; edits are audited."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from auditlog.models import LogEntry
from django.urls import reverse

from conftest import PHASE_2_CLOSES, T0
from consulta.web.consultations.models import Phase
from consulta.web.responses.models import Response

VALID = {
    "name": "The public",
    "audience": "public",
    "anonymity": "confidential",
    "opens_at": "2099-03-02T09:00",
    "closes_at": "2099-04-30T17:30",
    "intro": "Tell us what you think.",
}


def url(name: str, **kwargs) -> str:
    return reverse(f"consultations:{name}", kwargs={"slug": "policing-a", **kwargs})


def positions(consultation) -> list[tuple[int, str]]:
    return list(consultation.phases.values_list("position", "name"))


# Pages -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("name, kwargs", [("phase-new", {}), ("phase-edit", {"number": 1})])
def test_it_sends_signed_out_visitors_to_sign_in(client, consultation, name, kwargs):
    response = client.get(url(name, **kwargs))
    assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize("name, kwargs", [("phase-new", {}), ("phase-edit", {"number": 1})])
def test_it_guards_the_form_pages(client, consultation, analyst, outsider, name, kwargs):
    client.force_login(analyst)
    assert client.get(url(name, **kwargs)).status_code == 403
    client.force_login(outsider)
    assert client.get(url(name, **kwargs)).status_code == 404


def test_it_offers_datetime_inputs_filled_in_uk_time(client, organiser):
    client.force_login(organiser)
    html = client.get(url("phase-edit", number=1)).content.decode()
    assert 'type="datetime-local" name="opens_at" value="2026-01-05T09:00"' in html
    assert '<label for="id_closes_at">Closes</label>' in html
    assert 'aria-describedby="id_closes_at_helptext"' in html


def test_it_404s_a_phase_number_that_does_not_exist(client, organiser):
    client.force_login(organiser)
    assert client.get(url("phase-edit", number=3)).status_code == 404


# Create ----------------------------------------------------------------------------------------


def test_it_adds_a_phase_at_the_end(client, consultation, organiser):
    client.force_login(organiser)
    response = client.post(url("phase-create"), VALID)
    assert response["Location"] == url("questions", number=3)
    phase = consultation.phases.get(position=3)
    assert (phase.name, phase.audience, phase.anonymity) == ("The public", "public", "confidential")
    # Entered in UK time: 2 March is GMT, 30 April is BST.
    assert phase.opens_at == datetime(2099, 3, 2, 9, 0, tzinfo=UTC)
    assert phase.closes_at == datetime(2099, 4, 30, 16, 30, tzinfo=UTC)  # BST
    assert phase.intro == "Tell us what you think."


@pytest.mark.parametrize(
    "changes, field, message",
    [
        ({"closes_at": "2099-03-01T09:00"}, "closes_at", "must be after the opening time"),
        ({"closes_at": VALID["opens_at"]}, "closes_at", "must be after the opening time"),
        ({"name": ""}, "name", "This field is required"),
        ({"opens_at": "not a date"}, "opens_at", "Enter a valid date/time"),
        ({"audience": "everyone"}, "audience", "Select a valid choice"),
    ],
)
def test_it_rerenders_invalid_phases(client, consultation, organiser, changes, field, message):
    client.force_login(organiser)
    response = client.post(url("phase-create"), {**VALID, **changes})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'class="error-summary"' in html
    assert f'<a href="#id_{field}">' in html and message in html
    assert consultation.phases.count() == 2


# Permission matrix for the mutating views ------------------------------------------------------

MUTATIONS = [
    ("phase-create", {}),
    ("phase-update", {"number": 2}),
    ("phase-delete", {"number": 2}),
]


def snapshot(consultation) -> list:
    return list(consultation.phases.values_list("position", "name", "audience", "intro"))


@pytest.mark.parametrize("name, kwargs", MUTATIONS)
def test_it_hides_phase_changes_from_outsiders(client, consultation, outsider, name, kwargs):
    before = snapshot(consultation)
    client.force_login(outsider)
    assert client.post(url(name, **kwargs), VALID).status_code == 404
    assert snapshot(consultation) == before


@pytest.mark.parametrize("name, kwargs", MUTATIONS)
def test_it_forbids_phase_changes_to_analysts(client, consultation, analyst, name, kwargs):
    before = snapshot(consultation)
    client.force_login(analyst)
    assert client.post(url(name, **kwargs), VALID).status_code == 403
    assert snapshot(consultation) == before


@pytest.mark.parametrize("name, kwargs", MUTATIONS)
def test_it_refuses_get_on_phase_changes(client, consultation, organiser, name, kwargs):
    client.force_login(organiser)
    assert client.get(url(name, **kwargs)).status_code == 405
    assert consultation.phases.count() == 2


# Update ----------------------------------------------------------------------------------------


def test_it_updates_a_phase(client, consultation, organiser):
    client.force_login(organiser)
    data = {**VALID, "name": "Partners and councils", "audience": "partners",
            "anonymity": "identified"}
    response = client.post(url("phase-update", number=2), data)
    assert response["Location"] == url("overview")
    phase = consultation.phases.get(position=2)
    assert (phase.name, phase.audience, phase.intro) == ("Partners and councils", "partners",
                                                         "Tell us what you think.")
    assert positions(consultation) == [(1, "Staff and officers"), (2, "Partners and councils")]


def test_it_rerenders_an_invalid_update_naming_the_saved_phase(client, consultation, organiser):
    client.force_login(organiser)
    response = client.post(url("phase-update", number=2),
                           {**VALID, "name": "", "closes_at": "2000-01-01T00:00"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "<h1>Edit phase 2: Partners</h1>" in html
    assert '<a href="#id_name">' in html and '<a href="#id_closes_at">' in html
    assert consultation.phases.get(position=2).closes_at == PHASE_2_CLOSES


def test_it_keeps_the_anonymity_promise_once_there_are_responses(client, consultation, organiser):
    internal = consultation.phases.get(position=1)
    Response.objects.create(phase=internal, reference="ANON-0001")
    client.force_login(organiser)
    data = {"name": internal.name, "audience": "internal", "anonymity": "identified",
            "opens_at": "2026-01-05T09:00", "closes_at": "2026-02-01T17:00"}
    response = client.post(url("phase-update", number=1), data)
    assert response.status_code == 400
    assert "its anonymity cannot change" in response.content.decode()
    assert consultation.phases.get(position=1).anonymity == Phase.Anonymity.ANONYMOUS


def test_it_records_phase_edits_in_the_audit_trail_with_the_organiser(client, consultation,
                                                                      organiser):
    phase = consultation.phases.get(position=2)
    client.force_login(organiser)
    client.post(url("phase-update", number=2), {**VALID, "name": "Partners (extended)"})
    entry = LogEntry.objects.get_for_object(phase).filter(action=LogEntry.Action.UPDATE).get()
    assert entry.actor == organiser
    assert entry.changes_dict["name"] == ["Partners", "Partners (extended)"]
    html = client.get(url("audit")).content.decode()
    assert "Phase 2: Partners (extended)" in html


# Delete ----------------------------------------------------------------------------------------


def test_it_deletes_a_phase_and_renumbers_the_rest(client, consultation, organiser):
    client.force_login(organiser)
    client.post(url("phase-create"), VALID)
    response = client.post(url("phase-delete", number=1))
    assert response["Location"] == url("overview")
    assert positions(consultation) == [(1, "Partners"), (2, "The public")]
    assert client.get(url("phase-edit", number=2)).context["phase"].name == "The public"


def test_it_refuses_to_delete_a_phase_with_responses(client, consultation, organiser):
    Response.objects.create(phase=consultation.phases.get(position=2), reference="DRFT-0001")
    client.force_login(organiser)
    response = client.post(url("phase-delete", number=2), follow=True)
    assert "has responses, so it cannot be deleted" in response.content.decode()
    assert positions(consultation) == [(1, "Staff and officers"), (2, "Partners")]


def test_it_shows_the_phase_dates_on_the_overview(client, consultation, organiser):
    client.force_login(organiser)
    html = client.get(url("overview")).content.decode()
    assert T0.strftime("%-d %b %Y, %H:%M") in html  # 5 Jan 2026, 09:00 (GMT)
