"""Big batches of invitations and reminders go to the worker (CONSULTA_SEND_INLINE_LIMIT); small
ones are still sent while the page waits. Queued batches are real task rows, sent by the real
worker code (`consulta worker --batch`) to a real SMTP server on loopback."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

import smtp
from consulta.cli import main
from consulta.web.outreach.models import Invitation
from consulta.web.outreach.tasks import send_invitations_task, send_reminders_task
from smtp import free_port
from test_outreach_lifecycle import make_partner_audience

smtp_server = smtp.smtp_server  # the fixture: a real SMTP server on loopback
SLUG = "policing-a"
PAGE = reverse("outreach:invitations", args=[SLUG, 2])
INVITE = reverse("outreach:invite", args=[SLUG, 2])
REMIND = reverse("outreach:remind", args=[SLUG, 2])
SENT_SUMMARY = "3 sent, 2 skipped (1 no email address, 1 unsubscribed), 1 bounced"


@pytest.fixture
def partners(consultation):
    return make_partner_audience(consultation)  # 4 people to invite, one of whom bounces


@pytest.fixture
def small_limit(settings):
    settings.CONSULTA_SEND_INLINE_LIMIT = 2


def texts(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def work_off_the_queue(tmp_path) -> None:
    assert main(["worker", "--batch", "--data-dir", str(tmp_path)]) == 0


def page(client) -> str:
    return client.get(PAGE).content.decode()


# Queueing ------------------------------------------------------------------------------------

def test_it_queues_invitations_for_more_people_than_the_limit(client, organiser, partners,
                                                              small_limit, smtp_server):
    client.force_login(organiser)
    response = client.post(INVITE)

    assert response.status_code == 302 and response.url == PAGE
    assert texts(response) == [
        ("Invitations to 4 people queued: the worker sends batches of more than 2 in the "
         "background. This page shows how it is going.")]
    assert smtp_server.messages == []
    assert not Invitation.objects.filter(sent_at__isnull=False).exists()
    task = DBTaskResult.objects.get()
    assert (task.status, task.task_path) == ("READY", send_invitations_task.module_path)
    assert task.args_kwargs == {"args": [], "kwargs": {"phase_id": partners.pk}}
    queued_at = timezone.localtime(task.enqueued_at).strftime("%-d %b %Y %H:%M")
    assert f"Invitations queued at {queued_at} — the worker will send them." in page(client)


def test_it_queues_one_batch_of_a_kind_at_a_time(client, organiser, partners, small_limit):
    client.force_login(organiser)
    client.post(INVITE)
    response = client.post(INVITE)
    assert texts(response)[-1] == ("Invitations for this phase are already queued; the worker "
                                   "will send them. Nothing more was queued.")
    assert DBTaskResult.objects.count() == 1


def test_it_says_big_batches_go_to_the_worker(client, organiser, partners, small_limit):
    client.force_login(organiser)
    assert "More than 2 emails at once are sent in the background by the worker" in page(client)


def test_it_still_sends_up_to_the_limit_while_the_page_waits(client, organiser, partners,
                                                             settings, smtp_server):
    settings.CONSULTA_SEND_INLINE_LIMIT = 4  # exactly the number to invite
    client.force_login(organiser)
    response = client.post(INVITE)
    assert texts(response) == [f"Invitations: {SENT_SUMMARY}."]
    assert len(smtp_server.messages) == 3
    assert not DBTaskResult.objects.exists()
    assert "in the background by the worker" not in page(client)


def test_it_refuses_a_closed_phase_at_once(client, organiser, consultation, settings):
    settings.CONSULTA_SEND_INLINE_LIMIT = 0
    client.force_login(organiser)
    response = client.post(reverse("outreach:invite", args=[SLUG, 1]))
    assert "closed" in texts(response)[0]
    assert not DBTaskResult.objects.exists()


@pytest.mark.parametrize("url", [INVITE, REMIND])
def test_it_queues_nothing_for_analysts_or_outsiders(client, analyst, outsider, partners,
                                                     small_limit, url):
    client.force_login(analyst)
    assert client.post(url).status_code == 403
    client.force_login(outsider)
    assert client.post(url).status_code == 404
    assert not DBTaskResult.objects.exists()


def test_it_shows_a_batch_the_worker_is_sending(client, organiser, partners, small_limit):
    client.force_login(organiser)
    client.post(INVITE)
    started = timezone.now()
    DBTaskResult.objects.update(status="RUNNING", started_at=started)
    content = page(client)
    assert "are being sent by the worker (started " in content
    assert timezone.localtime(started).strftime("%H:%M") in content


def test_it_shows_a_batch_the_worker_failed(client, organiser, partners):
    DBTaskResult.objects.create(
        status="FAILED", args_kwargs={"args": [], "kwargs": {"phase_id": partners.pk}},
        task_path=send_reminders_task.module_path, backend_name="default",
        exception_class_path="builtins.ValueError",
        traceback="Traceback (most recent call last):\n  ...\nValueError: no such template\n",
    )
    client.force_login(organiser)
    assert "Reminders queued at" in page(client)
    assert "failed in the worker: ValueError: no such template" in page(client)


# The worker sends them -----------------------------------------------------------------------

@pytest.mark.django_db(transaction=True)
def test_the_worker_sends_queued_invitations(client, organiser, partners, small_limit,
                                             smtp_server, tmp_path):
    client.force_login(organiser)
    client.post(INVITE)

    work_off_the_queue(tmp_path)

    assert len(smtp_server.messages) == 3
    assert Invitation.objects.filter(phase=partners, sent_at__isnull=False).count() == 3
    task = DBTaskResult.objects.get()
    assert task.status == "SUCCESSFUL"
    assert task.return_value == {"sent": 3, "skipped": 2, "bounced": 1, "summary": SENT_SUMMARY}
    finished = timezone.localtime(task.finished_at).strftime("%-d %b %Y %H:%M")
    assert (f"Invitations sent in the background, finished {finished}: {SENT_SUMMARY}."
            in page(client))


@pytest.mark.django_db(transaction=True)
def test_the_worker_sends_queued_reminders(client, organiser, partners, settings, smtp_server,
                                           tmp_path):
    client.force_login(organiser)
    client.post(INVITE)  # inline: under the default limit
    smtp_server.clear()
    settings.CONSULTA_SEND_INLINE_LIMIT = 1
    response = client.post(REMIND)
    assert texts(response)[-1].startswith("Reminders to 3 people queued")

    work_off_the_queue(tmp_path)

    assert len(smtp_server.messages) == 3
    assert Invitation.objects.filter(reminder_count=1).count() == 3
    assert "Reminders sent in the background, finished" in page(client)


@pytest.mark.django_db(transaction=True)
def test_the_worker_reports_a_mail_server_that_is_down(client, organiser, partners, small_limit,
                                                       settings, tmp_path):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()
    client.force_login(organiser)
    client.post(INVITE)

    work_off_the_queue(tmp_path)

    assert not Invitation.objects.filter(sent_at__isnull=False).exists()
    content = page(client)
    assert "Invitations sent in the background stopped at" in content
    assert "0 sent" in content and "the mail server is unavailable" in content
    assert "sending again carries on with the people not yet reached" in content
