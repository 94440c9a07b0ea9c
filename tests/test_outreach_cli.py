"""``consulta invite`` and ``consulta remind`` on the test consultation, with a real SMTP server."""

from __future__ import annotations

import pytest

import smtp
from consulta.cli import main
from consulta.web.outreach.models import Invitation
from test_outreach_lifecycle import make_partner_audience

smtp_server = smtp.smtp_server  # the fixture: a real SMTP server on loopback


@pytest.fixture(autouse=True)
def restore_environment(monkeypatch, tmp_path):
    # Commands point CONSULTA_DATA_DIR at their --data-dir; undo that after each test.
    monkeypatch.setenv("CONSULTA_DATA_DIR", str(tmp_path / "default-data"))


@pytest.fixture
def partners(consultation):
    return make_partner_audience(consultation)


def run(tmp_path, *args: str) -> int:
    return main([*args, "--consultation", "policing-a", "--data-dir", str(tmp_path)])


def test_it_invites_a_phase_and_prints_a_summary(partners, smtp_server, tmp_path, capsys):
    code = run(tmp_path, "invite", "--phase", "2")

    out = capsys.readouterr().out
    assert code == 0
    assert "Invitations for policing-a, Phase 2: Partners:" in out
    assert "  sent: 3\n" in out
    assert "  skipped: 2\n    1 no email address\n    1 unsubscribed\n" in out
    assert "  bounced: 1\n    bounce@eastvale-ambulance.example: 550 5.1.1 No such user\n" in out
    assert sorted(smtp_server.recipients()) == [
        "dana@eastvale-ambulance.example", "omar@eastvale-ambulance.example",
        "sam@safestreets.example",
    ]
    assert Invitation.objects.filter(sent_at__isnull=False).count() == 3


def test_it_invites_nobody_twice(partners, smtp_server, tmp_path, capsys):
    run(tmp_path, "invite", "--phase", "2")
    smtp_server.clear()
    capsys.readouterr()

    assert run(tmp_path, "invite", "--phase", "2") == 0

    out = capsys.readouterr().out
    assert "  sent: 0\n" in out and "3 already invited" in out
    assert smtp_server.messages == []
    assert Invitation.objects.count() == 4  # three sent, one bounced


def test_it_reminds_those_who_have_not_responded(partners, smtp_server, tmp_path, capsys):
    run(tmp_path, "invite", "--phase", "2")
    sam = Invitation.objects.get(person__name="Sam Lee")
    sam.submitted_at = sam.sent_at
    sam.save()
    smtp_server.clear()
    capsys.readouterr()

    code = run(tmp_path, "remind", "--phase", "2")

    out = capsys.readouterr().out
    assert code == 0
    assert "Reminders for policing-a, Phase 2: Partners:" in out
    assert "  sent: 2\n" in out
    assert "1 already responded" in out and "1 invitation bounced" in out
    assert sorted(smtp_server.recipients()) == [
        "dana@eastvale-ambulance.example", "omar@eastvale-ambulance.example",
    ]


@pytest.mark.parametrize("args,error", [
    (["invite", "--phase", "3"], "policing-a has phases 1 to 2, not 3"),
    (["remind", "--phase", "0"], "policing-a has phases 1 to 2, not 0"),
    (["invite", "--phase", "1"], "closed at 5pm on Sunday 1 February 2026; nothing was sent"),
])
def test_it_explains_what_it_cannot_do(partners, smtp_server, tmp_path, capsys, args, error):
    assert run(tmp_path, *args) == 2
    assert error in capsys.readouterr().err
    assert smtp_server.messages == []


def test_it_reports_an_unknown_consultation(db, tmp_path, capsys):
    code = main(["invite", "--consultation", "nope", "--phase", "1", "--data-dir", str(tmp_path)])
    assert code == 2
    assert "no consultation 'nope'" in capsys.readouterr().err
