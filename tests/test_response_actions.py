"""What organisers do to one response: withdraw, delete, confirm the organisation typed.

Each is POST-only, refused to analysts (403) and unknown to outsiders (404), and audited with
the response's reference, never its answers.
"""

from __future__ import annotations

import pytest
from auditlog.models import LogEntry

from consulta.web.consultations.audit import consultation_log
from consulta.web.privacy_storage import checkpoint_wal
from consulta.web.respond.models import TypedOrganisation
from consulta.web.responses.models import Answer, Response
from consulta.web.stakeholders.models import Organisation
from response_data import submitted, url

REASON = {"reason": "The respondent asked us by email."}


@pytest.fixture
def answered(consultation):
    partners = consultation.phases.get(position=2)
    return submitted(partners, "Keep promises.", reference="PART-0001")


@pytest.fixture
def typed(consultation):
    """An anonymous staff response whose author typed their union's name."""
    internal = consultation.phases.get(position=1)
    response = submitted(internal, "Radios drop out.", organisation_name="safe streets trust ",
                         reference="STAF-0001")
    TypedOrganisation.objects.create(response=response, sector="voluntary", type="union")
    return response


def entry_about(response) -> LogEntry:
    return LogEntry.objects.get(object_repr=response.reference)


# Withdrawing ---------------------------------------------------------------------------------


def test_it_withdraws_a_response_with_its_reason(client, organiser, consultation, answered):
    client.force_login(organiser)
    page = client.post(url("withdraw", "PART-0001"), REASON, follow=True)
    assert page.redirect_chain[-1][0] == url("detail", "PART-0001")
    answered.refresh_from_db()
    assert (answered.status, answered.withdrawn_reason) == ("withdrawn", REASON["reason"])
    entry = entry_about(answered)
    assert entry.actor == organiser and entry.action == LogEntry.Action.UPDATE
    assert entry.additional_data["response"] == {
        "event": "withdrawn", "reference": "PART-0001", "reason": REASON["reason"]}
    assert entry in consultation_log(consultation)
    assert "Keep promises" not in str(entry.additional_data) + str(entry.changes)
    text = page.content.decode()
    assert "Withdrawn. Reason: The respondent asked us by email." in text  # the history
    assert url("withdraw", "PART-0001") not in text


def test_it_leaves_withdrawn_responses_out_of_the_analysis(consultation, answered):
    from consulta.web.analysis.services import collect_records

    answered.status = Response.Status.WITHDRAWN
    answered.save()
    assert not list(collect_records(consultation).questions)


def test_it_asks_for_a_reason_to_withdraw(client, organiser, answered):
    client.force_login(organiser)
    response = client.post(url("withdraw", "PART-0001"), {"reason": "  "})
    assert response.status_code == 400
    assert "Enter the reason." in response.content.decode()
    answered.refresh_from_db()
    assert answered.status == "submitted" and not LogEntry.objects.filter(
        object_repr="PART-0001").exists()


def test_it_does_not_withdraw_twice(client, organiser, answered):
    client.force_login(organiser)
    client.post(url("withdraw", "PART-0001"), REASON)
    client.post(url("withdraw", "PART-0001"), {"reason": "Again"})
    assert LogEntry.objects.filter(object_repr="PART-0001").count() == 1


def test_it_refuses_to_withdraw_for_analysts_outsiders_and_on_get(client, analyst, outsider,
                                                                  organiser, answered,
                                                                  other_consultation):
    elsewhere = submitted(other_consultation.phases.last(), "Elsewhere", reference="ELSE-0001")
    client.force_login(analyst)
    assert client.post(url("withdraw", "PART-0001"), REASON).status_code == 403
    client.force_login(outsider)
    assert client.post(url("withdraw", "PART-0001"), REASON).status_code == 404
    client.force_login(organiser)
    assert client.post(url("withdraw", elsewhere.reference), REASON).status_code == 404
    assert client.get(url("withdraw", "PART-0001")).status_code == 405
    assert Response.objects.filter(status="withdrawn").count() == 0


# Deleting ------------------------------------------------------------------------------------


def test_it_asks_before_deleting(client, organiser, answered):
    client.force_login(organiser)
    response = client.get(url("delete-form", "PART-0001"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "deleted for good" in page and f'action="{url("delete", "PART-0001")}"' in page


def test_it_deletes_a_response_and_keeps_why_in_the_trail(client, organiser, consultation,
                                                          answered,
                                                          django_capture_on_commit_callbacks):
    client.force_login(organiser)
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(url("delete", "PART-0001"), REASON)
    assert checkpoint_wal in callbacks  # the deleted rows leave SQLite's log too
    assert response.status_code == 302 and response.url == url("index")
    assert not Response.objects.filter(reference="PART-0001").exists()
    assert not Answer.objects.exists()
    entry = entry_about(answered)
    assert entry.action == LogEntry.Action.DELETE and entry.actor == organiser
    assert entry.additional_data["response"]["reason"] == REASON["reason"]
    assert entry in consultation_log(consultation)
    assert "Keep promises" not in str(entry.additional_data) + str(entry.serialized_data)


def test_it_asks_for_a_reason_to_delete(client, organiser, answered):
    client.force_login(organiser)
    response = client.post(url("delete", "PART-0001"), {})
    assert response.status_code == 400
    assert "Enter the reason." in response.content.decode()
    assert Response.objects.filter(reference="PART-0001").exists()


def test_it_refuses_to_delete_for_analysts_outsiders_and_on_get(client, analyst, outsider,
                                                                organiser, answered,
                                                                other_consultation):
    elsewhere = submitted(other_consultation.phases.last(), "Elsewhere", reference="ELSE-0001")
    client.force_login(analyst)
    assert client.get(url("delete-form", "PART-0001")).status_code == 403
    assert client.post(url("delete", "PART-0001"), REASON).status_code == 403
    client.force_login(outsider)
    assert client.get(url("delete-form", "PART-0001")).status_code == 404
    assert client.post(url("delete", "PART-0001"), REASON).status_code == 404
    client.force_login(organiser)
    assert client.post(url("delete", elsewhere.reference), REASON).status_code == 404
    assert client.get(url("delete", "PART-0001")).status_code == 405
    assert client.post(url("delete-form", "PART-0001"), REASON).status_code == 405
    assert Response.objects.count() == 2


# Confirming a typed organisation -------------------------------------------------------------


def test_it_suggests_the_network_organisation_with_the_same_name(client, organiser, typed):
    client.force_login(organiser)
    response = client.get(url("organisation", "STAF-0001"))
    assert response.status_code == 200
    assert response.context["suggestions"][0].name == "Safe Streets Trust"
    page = response.content.decode()
    assert "This phase is anonymous" in page
    assert 'value="union"' in page  # the type typed, ready to add


def test_it_links_the_response_to_a_network_organisation(client, organiser, consultation, typed):
    trust = consultation.organisations.get(name="Safe Streets Trust")
    client.force_login(organiser)
    response = client.post(url("organisation-link", "STAF-0001"), {"organisation": trust.pk})
    assert response.status_code == 302 and response.url == url("detail", "STAF-0001")
    typed.refresh_from_db()
    assert typed.organisation == trust
    assert typed.organisation_name == "safe streets trust "  # what they typed is kept
    entry = entry_about(typed)
    assert entry.additional_data["response"]["organisation"] == "Safe Streets Trust"
    assert entry.actor == organiser
    assert "Organisation confirmed: Safe Streets Trust" in client.get(
        url("detail", "STAF-0001")).content.decode()
    assert client.get(url("organisation", "STAF-0001")).status_code == 404  # nothing to confirm


def test_it_refuses_an_organisation_of_another_network(client, organiser, other_consultation,
                                                       typed):
    theirs = other_consultation.organisations.first()
    client.force_login(organiser)
    response = client.post(url("organisation-link", "STAF-0001"), {"organisation": theirs.pk})
    assert response.status_code == 400
    typed.refresh_from_db()
    assert typed.organisation is None


def test_it_adds_the_typed_organisation_to_the_network(client, organiser, consultation, typed):
    client.force_login(organiser)
    response = client.post(url("organisation-add", "STAF-0001"),
                           {"name": "  Police  Federation ", "sector": "voluntary",
                            "type": "union"})
    assert response.status_code == 302
    added = consultation.organisations.get(name="Police Federation")
    typed.refresh_from_db()
    assert typed.organisation == added and (added.sector, added.type) == ("voluntary", "union")
    assert LogEntry.objects.filter(object_repr="Police Federation").exists()  # as any addition
    assert entry_about(typed).additional_data["response"]["event"] == "organisation confirmed"


def test_it_refuses_to_add_a_name_the_network_has(client, organiser, consultation, typed):
    client.force_login(organiser)
    response = client.post(url("organisation-add", "STAF-0001"),
                           {"name": "SAFE STREETS TRUST", "sector": "voluntary"})
    assert response.status_code == 400
    assert "already has an organisation of this name" in response.content.decode()
    assert consultation.organisations.count() == 2


def test_it_refuses_to_confirm_for_analysts_outsiders_and_on_get(client, analyst, outsider,
                                                                 organiser, consultation, typed,
                                                                 answered):
    trust = consultation.organisations.get(name="Safe Streets Trust")
    link = {"organisation": trust.pk}
    client.force_login(analyst)
    assert client.get(url("organisation", "STAF-0001")).status_code == 403
    assert client.post(url("organisation-link", "STAF-0001"), link).status_code == 403
    assert client.post(url("organisation-add", "STAF-0001"),
                       {"name": "X", "sector": "public"}).status_code == 403
    client.force_login(outsider)
    assert client.post(url("organisation-link", "STAF-0001"), link).status_code == 404
    assert client.post(url("organisation-add", "STAF-0001"),
                       {"name": "X", "sector": "public"}).status_code == 404
    client.force_login(organiser)
    assert client.get(url("organisation-link", "STAF-0001")).status_code == 405
    assert client.get(url("organisation-add", "STAF-0001")).status_code == 405
    # No organisation was typed on this one: nothing to confirm.
    assert client.post(url("organisation-link", "PART-0001"), link).status_code == 404
    typed.refresh_from_db()
    assert typed.organisation is None and not Organisation.objects.filter(name="X").exists()
