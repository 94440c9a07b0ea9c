"""Hearing back: the public "tell me" form (rate-limited, anonymous), the emails when results
are published or an action moves on, to a real SMTP server on loopback, unsubscribe honoured."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone

import publishing_data
import smtp
from consulta.web.outreach.models import Invitation
from consulta.web.publishing import mail, tasks
from consulta.web.publishing.models import Action, ActionUpdate, ResultsSubscriber, Status
from consulta.web.stakeholders.models import Person
from publishing_data import SLUG, publish

# Fixtures of publishing_data.py, used by name.
fake_renderers = publishing_data.fake_renderers

smtp_server = smtp.smtp_server
SUBSCRIBE = reverse("publishing:subscribe", args=[SLUG])


@pytest.fixture
def contacts(consultation):
    """Dana is invited; Sam was invited but unsubscribed; a reader asked on the public page."""
    partners = consultation.phases.get(position=2)
    dana = Person.objects.get(name="Dana Okafor")
    sam = Person.objects.get(name="Sam Lee")
    Invitation.objects.create(phase=partners, person=dana, sent_at=timezone.now())
    Invitation.objects.create(phase=partners, person=sam, sent_at=timezone.now())
    sam.unsubscribed_at = timezone.now()
    sam.save()
    ResultsSubscriber.objects.create(consultation=consultation, email="reader@example.org")
    # Sam's address asked too, but Sam unsubscribed: unsubscribing wins.
    ResultsSubscriber.objects.create(consultation=consultation, email="SAM@safestreets.example")
    return consultation


def test_anyone_can_ask_to_hear_about_the_results(client, consultation, fresh_rate_limits):
    page = client.get(reverse("public-consultation", args=[SLUG])).content.decode()
    assert 'action="/c/policing-a/hear-back/"' in page

    response = client.post(SUBSCRIBE, {"email": "Reader@Example.org"})

    assert response.status_code == 302 and response.url.endswith("#hear-back")
    subscriber = ResultsSubscriber.objects.get()
    assert subscriber.email == "reader@example.org" and subscriber.created_on == date.today()
    # Asking twice answers the same and keeps one row.
    assert client.post(SUBSCRIBE, {"email": "reader@example.org"}).status_code == 302
    assert ResultsSubscriber.objects.count() == 1


def test_the_form_refuses_a_bad_address_and_takes_only_post(client, consultation,
                                                            fresh_rate_limits):
    response = client.post(SUBSCRIBE, {"email": "not an address"})
    assert response.status_code == 400 and "There is a problem" in response.content.decode()
    assert client.get(SUBSCRIBE).status_code == 405
    assert client.post(reverse("publishing:subscribe", args=["nope"]),
                       {"email": "a@example.org"}).status_code == 404


def test_the_form_is_rate_limited(client, consultation, fresh_rate_limits, settings):
    settings.CONSULTA_SUBSCRIBE_RATE = "2/h"
    for number in range(2):
        client.post(SUBSCRIBE, {"email": f"p{number}@example.org"})
    response = client.post(SUBSCRIBE, {"email": "p9@example.org"})
    assert response.status_code == 429 and response["Retry-After"] == "60"
    assert ResultsSubscriber.objects.count() == 2


def test_recipients_are_subscribers_and_invited_contacts_not_unsubscribed(contacts):
    addresses = [recipient.email for recipient in mail.recipients(contacts)]
    assert addresses == ["dana@eastvale-ambulance.example", "reader@example.org"]


def test_publishing_emails_everyone_who_asked_once(contacts, fake_renderers, smtp_server):
    publication = publish(contacts)

    outcome = tasks.notify_published(publication.pk)

    assert outcome["sent"] == 2
    assert sorted(smtp_server.recipients()) == ["dana@eastvale-ambulance.example",
                                                "reader@example.org"]
    reader = smtp_server.to("reader@example.org")[0]
    assert reader.subject == "Results published: Policing A"
    assert "http://testserver/c/policing-a/results/" in reader.text or "/c/policing-a/results/" \
        in reader.text
    assert "/results-emails/" in reader.text and "List-Unsubscribe" in reader.message
    dana = smtp_server.to("dana@eastvale-ambulance.example")[0]
    assert "/unsubscribe/" in dana.text  # outreach's own link for contacts
    # A second run (a double click, a second worker) sends nothing.
    assert tasks.notify_published(publication.pk)["stopped"]
    assert len(smtp_server.messages) == 2


def test_a_subscriber_unsubscribes_and_hears_nothing_more(client, contacts, fake_renderers,
                                                          smtp_server):
    token = ResultsSubscriber.objects.get(email="reader@example.org").token
    page = reverse("publishing:unsubscribe", args=[token])
    assert client.get(page).status_code == 200
    assert ResultsSubscriber.objects.filter(token=token).exists()  # opening changes nothing

    done = client.post(reverse("publishing:unsubscribe-confirm", args=[token]))

    assert done.status_code == 200 and "no more emails" in done.content.decode()
    assert not ResultsSubscriber.objects.filter(email="reader@example.org").exists()
    assert client.get(page).status_code == 404
    tasks.notify_published(publish(contacts).pk)
    assert smtp_server.recipients() == ["dana@eastvale-ambulance.example"]


def test_people_who_asked_are_told_of_an_update(contacts, smtp_server):
    action = Action.objects.create(consultation=contacts, text="Publish figures monthly.")
    update = ActionUpdate.objects.create(action=action, date=date(2026, 3, 2), status=Status.DONE,
                                         text="The first figures are online.")

    assert tasks.notify_update(update.pk)["sent"] == 2

    message = smtp_server.to("reader@example.org")[0]
    assert message.subject == "Update on Policing A: done"
    assert "2 March 2026 (Done): The first figures are online." in message.text
    update.refresh_from_db()
    assert update.notified_at is not None


def test_a_mail_server_that_is_down_leaves_the_update_to_send_again(contacts, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", smtp.free_port()
    action = Action.objects.create(consultation=contacts, text="x")
    update = ActionUpdate.objects.create(action=action, status=Status.PLANNED, text="y")

    assert "unavailable" in tasks.notify_update(update.pk)["stopped"]
    update.refresh_from_db()
    assert update.notified_at is None


# The worker runs with its own transactions, as in production (PostgreSQL closes
# a connection shared with a test's open transaction).
@pytest.mark.django_db(transaction=True)
def test_the_worker_sends_a_queued_update(client, contacts, organiser, smtp_server, tmp_path,
                                          django_capture_on_commit_callbacks):
    from consulta.cli import main

    action = Action.objects.create(consultation=contacts, text="Publish figures monthly.")
    client.force_login(organiser)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("publishing:update-add", args=[SLUG, action.pk]), {
            "update-date": "2026-03-02", "update-status": Status.PLANNED,
            "update-text": "Starting in April."})
    assert smtp_server.messages == []  # queued, not sent while the page waits

    assert main(["worker", "--batch", "--data-dir", str(tmp_path)]) == 0

    assert sorted(smtp_server.recipients()) == ["dana@eastvale-ambulance.example",
                                                "reader@example.org"]
