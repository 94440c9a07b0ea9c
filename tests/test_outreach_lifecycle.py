"""Invitations, reminders, unsubscribing and receipts, against a real SMTP server on loopback."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from django.urls import reverse

import smtp
from consulta.web.consultations.models import Phase
from consulta.web.outreach import services
from consulta.web.outreach.email import send_receipt
from consulta.web.outreach.models import Invitation, InvitationToken, MessageTemplate
from consulta.web.responses.models import Respondent, Response
from consulta.web.stakeholders.models import AudienceMember, Organisation, Person
from smtp import free_port

smtp_server = smtp.smtp_server  # the fixture: a real SMTP server on loopback
BASE = "https://consult.example.org"
INVITE_LINK = re.compile(re.escape(BASE) + r"/i/([A-Za-z0-9_-]+)/")
UNSUBSCRIBE_LINK = re.compile(re.escape(BASE) + r"(/unsubscribe/[^/\s\"<>]+/)")
NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def base_url(settings):
    settings.CONSULTA_BASE_URL = BASE


def make_partner_audience(consultation) -> Phase:
    """Phase 2's audience: Dana (named), Safe Streets Trust (Sam, by organisation), Omar, a
    refused address, someone without email and someone who unsubscribed."""
    phase = consultation.phases.get(position=2)
    people = {person.name: person for person in consultation.people.all()}
    ambulance = Organisation.objects.get(consultation=consultation,
                                         name="Eastvale Ambulance Service")
    charity = Organisation.objects.get(consultation=consultation, name="Safe Streets Trust")
    extra = [
        Person(name="Bea Bounce", email="bounce@eastvale-ambulance.example",
               organisation=ambulance),
        Person(name="Nora Nomail", email="", organisation=ambulance),
        Person(name="Omar Osei", email="omar@eastvale-ambulance.example", organisation=ambulance),
        Person(name="Una Unsubscribed", email="una@eastvale-ambulance.example",
               organisation=ambulance, unsubscribed_at=NOW),
    ]
    for person in extra:
        person.consultation = consultation
        person.save()
        people[person.name] = person
    for name in ["Dana Okafor", "Bea Bounce", "Nora Nomail", "Omar Osei", "Una Unsubscribed"]:
        AudienceMember.objects.create(phase=phase, person=people[name])
    AudienceMember.objects.create(phase=phase, organisation=charity)
    return phase


@pytest.fixture
def partners(consultation) -> Phase:
    return make_partner_audience(consultation)


def person(phase: Phase, name: str) -> Person:
    return phase.consultation.people.get(name=name)


def invitation_of(phase: Phase, name: str) -> Invitation:
    return Invitation.objects.get(phase=phase, person__name=name)


def names(people) -> list[str]:
    return sorted(p.name for p in people)


def reasons(outcomes) -> dict[str, str]:
    return {outcome.person.name: outcome.reason for outcome in outcomes}


def submit(invitation: Invitation) -> Response:
    response = Response.objects.create(phase=invitation.phase, status=Response.Status.SUBMITTED,
                                       submitted_at=NOW, organisation=invitation.organisation)
    invitation.response = response
    invitation.submitted_at = NOW
    invitation.save()
    return response


def test_it_sends_invitations_with_text_and_html_parts_and_absolute_links(partners, smtp_server):
    report = services.send_invitations(partners)

    assert names(report.sent) == ["Dana Okafor", "Omar Osei", "Sam Lee"]
    assert reasons(report.skipped) == {"Nora Nomail": "no email address",
                                       "Una Unsubscribed": "unsubscribed"}
    assert sorted(smtp_server.recipients()) == [
        "dana@eastvale-ambulance.example", "omar@eastvale-ambulance.example",
        "sam@safestreets.example",
    ]
    [received] = smtp_server.to("dana@eastvale-ambulance.example")
    assert "Policing A" in received.subject
    text, html = received.text, received.html
    assert "Dear Dana Okafor," in text
    assert "Independent Review Body" in text
    assert "5pm on Sunday 1 March 2099" in text
    token = INVITE_LINK.search(text).group(1)
    assert services.invitation_for_token(token) == invitation_of(partners, "Dana Okafor")
    assert f'<a href="{BASE}/i/{token}/">' in html
    unsubscribe = UNSUBSCRIBE_LINK.search(text).group(1)
    assert f'<a href="{BASE}{unsubscribe}">' in html
    assert received.message["List-Unsubscribe"].strip() == f"<{BASE}{unsubscribe}one-click/>"
    invitation = invitation_of(partners, "Dana Okafor")
    assert invitation.status == Invitation.Status.SENT
    assert invitation.send_count == 1
    assert invitation.organisation.name == "Eastvale Ambulance Service"
    # Only the hash of the link is stored.
    assert not InvitationToken.objects.filter(token_hash=token).exists()


def test_it_records_a_bounce_with_the_reason_and_carries_on(partners, smtp_server):
    report = services.send_invitations(partners)

    assert reasons(report.bounced) == {"Bea Bounce": "550 5.1.1 No such user"}
    assert smtp_server.refused == ["bounce@eastvale-ambulance.example"]
    bounced = invitation_of(partners, "Bea Bounce")
    assert bounced.status == Invitation.Status.BOUNCED
    assert bounced.bounce_reason == "550 5.1.1 No such user"
    assert bounced.bounced_at is not None and bounced.sent_at is None
    assert not bounced.tokens.exists()  # its link was never delivered
    # Bea comes first alphabetically: everyone after her was still sent their invitation.
    assert len(smtp_server.messages) == 3


def test_it_never_duplicates_an_invitation_when_sending_twice(partners, smtp_server):
    services.send_invitations(partners)
    smtp_server.clear()

    again = services.send_invitations(partners)

    assert again.sent == []
    assert reasons(again.skipped)["Dana Okafor"] == "already invited"
    assert reasons(again.skipped)["Sam Lee"] == "already invited"
    assert smtp_server.messages == []  # the refused address was tried again, nobody else
    assert smtp_server.refused == ["bounce@eastvale-ambulance.example"]
    for name in ["Dana Okafor", "Sam Lee", "Omar Osei", "Bea Bounce"]:
        assert Invitation.objects.filter(phase=partners, person__name=name).count() == 1
    assert invitation_of(partners, "Dana Okafor").send_count == 1


def test_it_sends_to_people_added_to_the_audience_later(partners, smtp_server):
    services.send_invitations(partners)
    charity = Organisation.objects.get(consultation=partners.consultation,
                                       name="Safe Streets Trust")
    newcomer = Person.objects.create(consultation=partners.consultation, name="Nia Newcomer",
                                     email="nia@safestreets.example", organisation=charity)
    smtp_server.clear()

    report = services.send_invitations(partners)

    assert names(report.sent) == ["Nia Newcomer"]  # in the audience through her organisation
    assert smtp_server.recipients() == [newcomer.email]


def test_it_keeps_a_started_draft_and_its_link_when_sending_again(partners, smtp_server):
    services.send_invitations(partners, people=[person(partners, "Dana Okafor")])
    first_token = INVITE_LINK.search(smtp_server.messages[0].text).group(1)
    invitation = invitation_of(partners, "Dana Okafor")
    draft = Response.objects.create(phase=partners, organisation=invitation.organisation)
    invitation.response, invitation.started_at = draft, NOW
    invitation.save()

    services.send_invitations(partners, people=[person(partners, "Dana Okafor")])
    services.send_reminders(partners)

    reminder = smtp_server.to("dana@eastvale-ambulance.example")[-1]
    second_token = INVITE_LINK.search(reminder.text).group(1)
    assert second_token != first_token
    assert services.invitation_for_token(first_token) == invitation
    assert services.invitation_for_token(second_token) == invitation
    invitation.refresh_from_db()
    assert invitation.response == draft
    assert invitation.status == Invitation.Status.STARTED
    assert Response.objects.filter(phase=partners).count() == 1


def test_it_reminds_only_those_who_have_not_responded(partners, smtp_server, client):
    services.send_invitations(partners)
    submit(invitation_of(partners, "Sam Lee"))
    omar = person(partners, "Omar Osei")
    omar.unsubscribed_at = NOW
    omar.save()
    smtp_server.clear()

    report = services.send_reminders(partners)

    assert names(report.sent) == ["Dana Okafor"]
    assert reasons(report.skipped) == {
        "Sam Lee": "already responded", "Omar Osei": "unsubscribed",
        "Bea Bounce": "invitation bounced",
    }
    assert smtp_server.recipients() == ["dana@eastvale-ambulance.example"]
    [reminder] = smtp_server.messages
    assert reminder.subject.startswith("Reminder:")
    assert INVITE_LINK.search(reminder.html) and UNSUBSCRIBE_LINK.search(reminder.html)
    dana = invitation_of(partners, "Dana Okafor")
    assert dana.reminder_count == 1 and dana.reminded_at is not None
    assert invitation_of(partners, "Sam Lee").reminder_count == 0


def test_it_skips_people_whose_response_is_submitted_even_without_the_date(partners, smtp_server):
    services.send_invitations(partners)
    invitation = invitation_of(partners, "Dana Okafor")
    invitation.response = Response.objects.create(
        phase=partners, status=Response.Status.SUBMITTED, submitted_at=NOW
    )
    invitation.save()
    smtp_server.clear()

    report = services.send_reminders(partners)

    assert reasons(report.skipped)["Dana Okafor"] == "already responded"
    assert "dana@eastvale-ambulance.example" not in smtp_server.recipients()


def test_it_does_not_remind_twice_in_a_row(partners, smtp_server):
    services.send_invitations(partners)
    services.send_reminders(partners)
    smtp_server.clear()

    again = services.send_reminders(partners)

    assert again.sent == [] and smtp_server.messages == []
    assert reasons(again.skipped)["Dana Okafor"] == services.RECENTLY_REMINDED
    assert invitation_of(partners, "Dana Okafor").reminder_count == 1


def test_it_honours_the_unsubscribe_link(partners, smtp_server, client):
    services.send_invitations(partners)
    [received] = smtp_server.to("omar@eastvale-ambulance.example")
    path = UNSUBSCRIBE_LINK.search(received.text).group(1)
    omar = person(partners, "Omar Osei")

    page = client.get(path)
    assert page.status_code == 200
    assert "omar@eastvale-ambulance.example" in page.content.decode()
    omar.refresh_from_db()
    assert omar.unsubscribed_at is None  # opening the link changes nothing

    done = client.post(path + "confirm/")
    assert done.status_code == 302 and done.url == path
    omar.refresh_from_db()
    first = omar.unsubscribed_at
    assert first is not None
    assert "You have unsubscribed" in client.get(path).content.decode()
    client.post(path + "confirm/")
    omar.refresh_from_db()
    assert omar.unsubscribed_at == first  # idempotent

    smtp_server.clear()
    report = services.send_reminders(partners)
    assert reasons(report.skipped)["Omar Osei"] == "unsubscribed"
    assert "omar@eastvale-ambulance.example" not in smtp_server.recipients()


def test_it_refuses_a_forged_unsubscribe_link(partners, client):
    omar = person(partners, "Omar Osei")
    forged = f"/unsubscribe/{omar.pk}:forged/"
    assert client.get(forged).status_code == 404
    assert client.post(forged + "confirm/").status_code == 404
    omar.refresh_from_db()
    assert omar.unsubscribed_at is None


def test_it_emails_a_receipt_with_the_reference(partners, smtp_server):
    response = Response.objects.create(phase=partners, status=Response.Status.SUBMITTED,
                                       submitted_at=NOW, reference="K7QM-3XHP")

    assert send_receipt(response, "dana@eastvale-ambulance.example") is True

    [receipt] = smtp_server.to("dana@eastvale-ambulance.example")
    assert "K7QM-3XHP" in receipt.subject
    assert "Your reference is K7QM-3XHP" in receipt.text
    assert "K7QM-3XHP" in receipt.html and "Policing A" in receipt.html


def test_it_never_fails_a_submission_over_a_refused_receipt(partners, smtp_server):
    response = Response.objects.create(phase=partners, status=Response.Status.SUBMITTED,
                                       submitted_at=NOW)

    assert send_receipt(response, "bounce@example.org") is False
    assert smtp_server.messages == []


def test_it_uses_the_organisers_edited_wording(partners, smtp_server, client, organiser):
    client.force_login(organiser)
    url = reverse("outreach:message-update", args=["policing-a", 2, "invitation"])
    saved = client.post(url, {
        "subject": "Your views on {consultation}, {name}",
        "body": "Hello {name} of {organisation} <b>not bold</b> {name.__class__}\n\n"
                "Respond here: {link}\n\nWe close at {closes}.",
    })
    assert saved.status_code == 302

    services.send_invitations(partners, people=[person(partners, "Dana Okafor")])

    [received] = smtp_server.messages
    assert received.subject == "Your views on Policing A, Dana Okafor"
    assert ("Hello Dana Okafor of Eastvale Ambulance Service <b>not bold</b> {name.__class__}"
            in received.text)
    assert "We close at 5pm on Sunday 1 March 2099." in received.text
    assert "&lt;b&gt;not bold&lt;/b&gt;" in received.html
    assert "<b>" not in received.html
    assert re.search(r'Respond here: <a href="' + re.escape(BASE) + r'/i/[\w-]+/">', received.html)
    assert UNSUBSCRIBE_LINK.search(received.text)  # the footer is always added


def test_it_uses_the_edited_reminder_wording(partners, smtp_server):
    MessageTemplate.objects.create(phase=partners, kind="reminder", subject="Last call, {name}",
                                   body="Only days left: {link}")
    services.send_invitations(partners, people=[person(partners, "Sam Lee")])
    smtp_server.clear()

    services.send_reminders(partners)

    [reminder] = smtp_server.messages
    assert reminder.subject == "Last call, Sam Lee"
    assert reminder.text.startswith("Only days left: " + BASE + "/i/")


def test_it_refuses_to_send_for_a_closed_phase(consultation, smtp_server):
    closed = consultation.phases.get(position=1)
    AudienceMember.objects.create(phase=closed, person=consultation.people.first())

    with pytest.raises(services.OutreachRefused, match="closed"):
        services.send_invitations(closed)
    with pytest.raises(services.OutreachRefused):
        services.send_reminders(closed)
    assert smtp_server.messages == [] and not Invitation.objects.exists()


def test_it_stops_when_the_mail_server_is_down_and_carries_on_later(partners, settings,
                                                                     smtp_server):
    real_port = settings.EMAIL_PORT
    settings.EMAIL_PORT = free_port()  # nothing listens there

    with pytest.raises(services.MailServerUnavailable) as failure:
        services.send_invitations(partners)
    assert failure.value.report.sent == []
    assert not Invitation.objects.filter(sent_at__isnull=False).exists()

    settings.EMAIL_PORT = real_port
    report = services.send_invitations(partners)
    assert names(report.sent) == ["Dana Okafor", "Omar Osei", "Sam Lee"]


def test_it_marks_an_invitation_opened_once(partners, smtp_server):
    services.send_invitations(partners, people=[person(partners, "Dana Okafor")])
    token = INVITE_LINK.search(smtp_server.messages[0].text).group(1)
    invitation = services.invitation_for_token(token)

    services.mark_opened(invitation)
    first = invitation.opened_at
    services.mark_opened(services.invitation_for_token(token))

    invitation.refresh_from_db()
    assert invitation.opened_at == first is not None
    assert invitation.status == Invitation.Status.OPENED
    assert services.invitation_for_token("not-a-real-token") is None
    assert services.invitation_for_token("") is None


def test_the_demo_leaves_partners_to_invite_who_have_not_responded(db, smtp_server):
    from consulta.web.demo.loader import load_demo

    consultation, _ = load_demo()
    phase = consultation.phases.get(position=2)

    report = services.send_invitations(phase)

    responded = set(Respondent.objects.filter(response__phase=phase)
                    .values_list("person_id", flat=True))
    assert len(report.sent) >= 10
    assert not {p.pk for p in report.sent} & responded
    assert len(smtp_server.messages) == len(report.sent)
