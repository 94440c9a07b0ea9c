"""Forgetting a person on request: everything that names them goes, their answers stay
unattributed, and the audit trail keeps that an erasure happened, not whom."""

from __future__ import annotations

import json

import pytest
from auditlog.models import LogEntry
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from consulta.cli import main
from consulta.web.accounts import invitations as colleague_invitations
from consulta.web.accounts.models import ColleagueInvitation
from consulta.web.consultations.models import Membership
from consulta.web.outreach.models import Invitation, InvitationToken
from consulta.web.outreach.tasks import send_invitations_task
from consulta.web.privacy import erasure
from consulta.web.responses.models import Answer, DraftAccess, Respondent, Response
from consulta.web.stakeholders.models import AudienceMember, Person
from privacy_data import EMAIL, NAME, seed_dana


@pytest.fixture
def dana(consultation) -> dict:
    return seed_dana(consultation)


def audit_text() -> str:
    return json.dumps([[e.object_repr, e.changes_text, e.changes, e.additional_data]
                       for e in LogEntry.objects.all()], ensure_ascii=False)


def assert_forgotten(consultation) -> None:
    assert not Person.objects.filter(consultation=consultation, email__iexact=EMAIL).exists()
    assert not AudienceMember.objects.filter(phase__consultation=consultation,
                                             person__email=EMAIL).exists()
    assert not Invitation.objects.filter(phase__consultation=consultation,
                                         person__email=EMAIL).exists()
    assert not Respondent.objects.filter(email__iexact=EMAIL).exists()
    assert not Answer.objects.filter(text__icontains=EMAIL).exists()
    assert EMAIL not in audit_text() and NAME not in audit_text()


def test_it_finds_dana_everywhere_before_removing_anything(consultation, dana):
    traces = erasure.find(EMAIL.upper(), [consultation])
    assert traces.counts == {
        "people": 1, "audience places": 2, "unsubscribe records": 1, "invitations": 2,
        "invitation links": 2, "respondent records": 1, "drafts": 1, "draft links": 2,
        "responses kept unattributed": 1, "colleague invitations": 0,
        "requests to hear about results": 0, "answers quoting the address": 1,
        "audit entries scrubbed": traces.counts["audit entries scrubbed"],
        "task records scrubbed": 0,
    }
    assert traces.counts["audit entries scrubbed"] >= 2  # her creation and her edit
    assert EMAIL in audit_text()  # find changes nothing
    assert Person.objects.filter(email=EMAIL).exists()


def test_it_forgets_dana_and_keeps_her_answers_unattributed(consultation, dana, organiser):
    traces = erasure.find(EMAIL, [consultation])
    erasure.forget(traces, actor=organiser)
    assert_forgotten(consultation)
    kept = Response.objects.get(pk=dana["submitted"].pk)
    assert kept.status == Response.Status.SUBMITTED
    assert [a.text for a in kept.answers.all()] == ["Be visible in the community."]
    assert kept.organisation.name == "Eastvale Ambulance Service"  # not personal data
    assert not Response.objects.filter(pk=dana["draft"].pk).exists()
    assert not DraftAccess.objects.filter(response_id=dana["draft"].pk).exists()
    assert not InvitationToken.objects.exists()
    quoted = Answer.objects.get(response=dana["quoting"])
    assert quoted.text == "Ask [erased] for the figures."
    assert Person.objects.filter(consultation=consultation, name="Sam Lee").exists()


def test_it_records_that_an_erasure_happened_but_not_whom(consultation, dana, organiser):
    erasure.forget(erasure.find(EMAIL, [consultation]), actor=organiser)
    entries = [e for e in LogEntry.objects.all() if "erasure" in (e.additional_data or {})]
    assert len(entries) == 1
    entry = entries[0]
    assert entry.actor == organiser and entry.object_repr == consultation.title
    assert entry.additional_data["consultation_id"] == consultation.pk
    assert entry.additional_data["erasure"]["counts"]["people"] == 1
    # Nor did the deletions write entries of their own that copy her name back
    assert not LogEntry.objects.filter(action=LogEntry.Action.DELETE,
                                       object_repr__icontains="Okafor").exists()


def test_it_forgets_an_invitation_to_join_the_back_office(consultation, dana, organiser):
    colleague_invitations.invite(consultation, EMAIL, Membership.Role.ANALYST, organiser)
    traces = erasure.find(EMAIL, [consultation])
    assert traces.counts["colleague invitations"] == 1
    erasure.forget(traces, actor=organiser)
    assert not ColleagueInvitation.objects.filter(email__iexact=EMAIL).exists()
    assert_forgotten(consultation)


def test_it_deletes_her_responses_when_asked(consultation, dana):
    erasure.forget(erasure.find(EMAIL, [consultation], delete_responses=True))
    assert not Response.objects.filter(pk=dana["submitted"].pk).exists()
    assert Response.objects.filter(pk=dana["quoting"].pk).exists()  # someone else's


def test_it_leaves_other_consultations_alone_unless_asked_for_all(consultation,
                                                                  other_consultation, dana):
    erasure.forget(erasure.find(EMAIL, [consultation]))
    assert Person.objects.filter(consultation=other_consultation, email=EMAIL).exists()
    erasure.forget(erasure.find(EMAIL))
    assert not Person.objects.filter(email=EMAIL).exists()
    logged = {e.additional_data["consultation_id"] for e in LogEntry.objects.all()
              if "erasure" in (e.additional_data or {})}
    assert logged == {consultation.pk, other_consultation.pk}


def test_the_audit_check_would_catch_a_name_left_behind(consultation, dana):
    erasure.forget(erasure.find(EMAIL, [consultation]))
    entry = LogEntry.objects.filter(additional_data__consultation_id=consultation.pk).first()
    entry.object_repr = NAME
    entry.save()
    with pytest.raises(AssertionError):
        assert_forgotten(consultation)


# --- the command line -----------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_the_command_forgets_and_says_what_it_removed(consultation, tmp_path, capsys):
    seed_dana(consultation)
    assert main(["forget", "--email", EMAIL, "--dry-run", "--data-dir", str(tmp_path)]) == 0
    assert "Would remove in any consultation: 1 people" in capsys.readouterr().out
    assert Person.objects.filter(email=EMAIL).exists()
    assert main(["forget", "--email", EMAIL, "--consultation", "policing-a",
                 "--data-dir", str(tmp_path)]) == 0
    assert "Forgotten in policing-a: 1 people" in capsys.readouterr().out
    assert_forgotten(consultation)
    assert main(["forget", "--email", EMAIL, "--data-dir", str(tmp_path)]) == 0
    assert "Nothing in any consultation holds that address" in capsys.readouterr().out


def test_the_command_refuses_an_unknown_consultation_or_a_bad_address(db, tmp_path, capsys):
    assert main(["forget", "--email", EMAIL, "--consultation", "nope",
                 "--data-dir", str(tmp_path)]) == 2
    assert "no consultation with the slug 'nope'" in capsys.readouterr().err
    assert main(["forget", "--email", "not-an-address", "--data-dir", str(tmp_path)]) == 2
    assert "is not an email address" in capsys.readouterr().err


# --- the back office ------------------------------------------------------------------------


def url(name: str) -> str:
    return reverse(f"privacy:{name}", kwargs={"slug": "policing-a"})


def test_an_organiser_sees_counts_then_confirms(client, consultation, organiser, dana):
    client.force_login(organiser)
    page = client.get(url("forget"))
    assert page.status_code == 200 and "Forget a person" in page.content.decode()
    assert url("forget") in client.get(
        reverse("consultations:overview", kwargs={"slug": "policing-a"})).content.decode()
    check = client.post(url("forget-check"), {"email": EMAIL})
    html = check.content.decode()
    assert check.status_code == 200
    assert "Invitation links</th><td class=\"num\">2" in html
    assert Person.objects.filter(email=EMAIL).exists()  # checking changes nothing
    done = client.post(url("forget-confirm"), {"email": EMAIL}, follow=True)
    assert done.redirect_chain[-1][0] == url("forget")
    message = done.content.decode()
    assert "The person has been forgotten: 1 people" in message and EMAIL not in message
    assert_forgotten(consultation)
    audit = client.get(reverse("consultations:audit", kwargs={"slug": "policing-a"}))
    assert audit.status_code == 200 and NAME not in audit.content.decode()


def test_it_says_when_nothing_holds_the_address(client, consultation, organiser):
    client.force_login(organiser)
    html = client.post(url("forget-check"), {"email": "nobody@example.org"}).content.decode()
    assert "Nothing in this consultation holds that address" in html


def test_it_asks_again_for_an_address_that_is_not_one(client, consultation, organiser):
    client.force_login(organiser)
    for name in ("forget-check", "forget-confirm"):
        page = client.post(url(name), {"email": "not an address"})
        assert page.status_code == 400
        assert "Enter an email address in the correct format" in page.content.decode()


@pytest.mark.parametrize("name", ["forget", "forget-check", "forget-confirm"])
def test_outsiders_get_404_and_analysts_403(client, consultation, outsider, analyst, dana,
                                            name):
    send = client.get if name == "forget" else client.post
    client.force_login(outsider)
    assert send(url(name), {"email": EMAIL}).status_code == 404
    client.force_login(analyst)
    assert send(url(name), {"email": EMAIL}).status_code == 403
    assert Person.objects.filter(email=EMAIL).exists()


@pytest.mark.parametrize("name", ["forget-check", "forget-confirm"])
def test_the_check_and_confirm_pages_take_only_post(client, consultation, organiser, name):
    client.force_login(organiser)
    assert client.get(url(name)).status_code == 405


def test_signed_out_visitors_are_sent_to_sign_in(client, consultation):
    assert client.post(url("forget-confirm"), {"email": EMAIL}).status_code == 302


def test_it_scrubs_the_address_from_failed_task_records(consultation, dana):
    queued = send_invitations_task.enqueue(phase_id=consultation.phases.first().pk)
    DBTaskResult.objects.filter(id=queued.id).update(
        status="FAILED", traceback=f"SMTPRecipientsRefused: {{'{EMAIL}': (550, b'no such user')}}")
    traces = erasure.find(EMAIL, [consultation])
    assert traces.counts["task records scrubbed"] == 1
    erasure.forget(traces)
    row = DBTaskResult.objects.get(id=queued.id)
    assert EMAIL not in row.traceback and "[erased]" in row.traceback


def test_it_forgets_her_request_to_hear_about_results(consultation, dana, organiser):
    from consulta.web.publishing.models import ResultsSubscriber

    ResultsSubscriber.objects.create(consultation=consultation, email=EMAIL.upper())
    traces = erasure.find(EMAIL, [consultation])
    assert traces.counts["requests to hear about results"] == 1
    erasure.forget(traces, actor=organiser)
    assert not ResultsSubscriber.objects.exists()
