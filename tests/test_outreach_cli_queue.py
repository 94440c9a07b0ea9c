"""``consulta invite --queue`` and ``consulta remind --queue``: the batch becomes a real task row,
nothing is sent, and the real worker code (`consulta worker --batch`) sends it to a real SMTP
server on loopback."""

from __future__ import annotations

import pytest
from django_tasks_db.models import DBTaskResult

import smtp
from consulta.cli import main
from consulta.web.outreach.models import Invitation
from consulta.web.outreach.tasks import send_invitations_task, send_reminders_task
from test_outreach_cli import restore_environment  # noqa: F401 (autouse fixture)
from test_outreach_lifecycle import make_partner_audience

smtp_server = smtp.smtp_server  # the fixture: a real SMTP server on loopback


@pytest.fixture
def partners(consultation):
    return make_partner_audience(consultation)  # 4 to invite (one bounces), 2 skipped


def run(tmp_path, *args: str) -> int:
    return main([*args, "--consultation", "policing-a", "--data-dir", str(tmp_path)])


def work_off_the_queue(tmp_path) -> None:
    assert main(["worker", "--batch", "--data-dir", str(tmp_path)]) == 0


def test_it_queues_invitations_and_sends_nothing(partners, smtp_server, tmp_path, capsys):
    code = run(tmp_path, "invite", "--phase", "2", "--queue")

    out = capsys.readouterr().out
    assert code == 0
    assert "Invitations for policing-a, Phase 2: Partners:\n  to send: 4\n" in out
    assert "  skipped: 2\n    1 no email address\n    1 unsubscribed\n" in out
    assert "Queued for the background worker." in out
    assert f"\n  consulta worker --data-dir {tmp_path}\n" in out  # how to run it
    assert "See how it is going on /organise/policing-a/phases/2/invitations/" in out
    task = DBTaskResult.objects.get()
    assert (task.status, task.task_path) == ("READY", send_invitations_task.module_path)
    assert task.args_kwargs == {"args": [], "kwargs": {"phase_id": partners.pk}}
    assert smtp_server.messages == []
    assert not Invitation.objects.filter(sent_at__isnull=False).exists()


def test_it_queues_one_batch_of_a_kind_at_a_time(partners, tmp_path, capsys):
    run(tmp_path, "invite", "--phase", "2", "--queue")
    capsys.readouterr()

    assert run(tmp_path, "invite", "--phase", "2", "--queue") == 0

    assert ("Invitations for this phase are already queued; the worker will send them. "
            "Nothing more was queued.") in capsys.readouterr().out
    assert DBTaskResult.objects.count() == 1


def test_it_queues_nothing_when_nobody_is_due(partners, tmp_path, capsys):
    assert run(tmp_path, "remind", "--phase", "2", "--queue") == 0  # nobody invited yet

    out = capsys.readouterr().out
    assert "  to send: 0\n  skipped: 0\n" in out
    assert "Nobody to send to now; nothing was queued." in out
    assert not DBTaskResult.objects.exists()


def test_it_refuses_to_queue_for_a_closed_phase(partners, tmp_path, capsys):
    assert run(tmp_path, "invite", "--phase", "1", "--queue") == 2

    assert ("closed at 5pm on Sunday 1 February 2026; nothing was queued"
            in capsys.readouterr().err)
    assert not DBTaskResult.objects.exists()


@pytest.mark.parametrize("command", ["invite", "remind"])
def test_its_help_shows_the_queue_example(command, capsys):
    with pytest.raises(SystemExit):
        main([command, "--help"])
    out = capsys.readouterr().out
    assert f"  consulta {command} --consultation future-of-london-policing --phase 2 --queue" in out


# The worker sends them ------------------------------------------------------------------------

@pytest.mark.django_db(transaction=True)
def test_the_worker_sends_queued_invitations(partners, smtp_server, tmp_path):
    run(tmp_path, "invite", "--phase", "2", "--queue")

    work_off_the_queue(tmp_path)

    assert sorted(smtp_server.recipients()) == [
        "dana@eastvale-ambulance.example", "omar@eastvale-ambulance.example",
        "sam@safestreets.example",
    ]
    assert Invitation.objects.filter(sent_at__isnull=False).count() == 3
    task = DBTaskResult.objects.get()
    assert task.status == "SUCCESSFUL"
    assert task.return_value["sent"] == 3 and task.return_value["bounced"] == 1


@pytest.mark.django_db(transaction=True)
def test_the_worker_sends_queued_reminders(partners, smtp_server, tmp_path, capsys):
    run(tmp_path, "invite", "--phase", "2")  # sent now
    smtp_server.clear()
    capsys.readouterr()

    assert run(tmp_path, "remind", "--phase", "2", "--queue") == 0
    assert "Reminders for policing-a, Phase 2: Partners:\n  to send: 3\n" in capsys.readouterr().out
    assert smtp_server.messages == []
    assert DBTaskResult.objects.get().task_path == send_reminders_task.module_path

    work_off_the_queue(tmp_path)

    assert len(smtp_server.messages) == 3
    assert all(m.subject.startswith("Reminder:") for m in smtp_server.messages)
    assert Invitation.objects.filter(reminder_count=1).count() == 3
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"
