"""A phase's state, said the same way everywhere, and sending refused until its links would work:
a draft consultation's phases are "Not published" and nobody is invited to them."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

import smtp
from consulta.cli import main
from consulta.web.consultations.models import Consultation, Phase
from consulta.web.outreach import services
from consulta.web.outreach.models import Invitation
from test_outreach_lifecycle import make_partner_audience

smtp_server = smtp.smtp_server  # the fixture: a real SMTP server on loopback
SLUG = "policing-a"
NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
LATER = datetime(2099, 1, 4, 9, 30, tzinfo=UTC)


@pytest.fixture(autouse=True)
def restore_environment(monkeypatch, tmp_path):
    # Commands point CONSULTA_DATA_DIR at their --data-dir; undo that after each test.
    monkeypatch.setenv("CONSULTA_DATA_DIR", str(tmp_path / "default-data"))


@pytest.fixture
def partners(consultation) -> Phase:
    return make_partner_audience(consultation)


def make_draft(consultation: Consultation) -> None:
    consultation.status = Consultation.Status.DRAFT
    consultation.save()


def open_later(phase: Phase) -> None:
    phase.opens_at = LATER
    phase.closes_at = LATER.replace(month=3)
    phase.save()


def texts(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def cli(tmp_path, *args: str) -> int:
    return main([*args, "--consultation", SLUG, "--data-dir", str(tmp_path)])


# One state, from the consultation's status and the phase's dates -----------------------------

def test_a_phase_of_a_draft_consultation_is_not_published_whatever_its_dates(consultation):
    make_draft(consultation)
    phase = consultation.phases.get(position=2)

    assert phase.state(NOW) == "unpublished"
    assert phase.state_label(NOW) == "Not published"


def test_a_published_phase_is_upcoming_open_or_closed_by_its_dates(consultation):
    phase = consultation.phases.get(position=2)
    open_later(phase)

    assert phase.state_label(NOW) == "Opens on 4 Jan 2099 at 09:30"
    assert phase.state_label(LATER) == "Open"
    assert phase.state_label(LATER.replace(month=4)) == "Closed"


def test_the_overview_of_a_draft_consultation_says_its_phases_are_not_published(
        client, organiser, consultation):
    make_draft(consultation)
    client.force_login(organiser)

    html = client.get(reverse("consultations:overview", args=[SLUG])).content.decode()

    assert html.count('<strong class="tag tag--unpublished">Not published</strong>') == 2
    assert "tag--open" not in html
    assert "invitations cannot be sent" in html


def test_every_page_shows_an_upcoming_phase_with_its_opening(client, organiser, partners):
    open_later(partners)
    client.force_login(organiser)
    label = "Opens on 4 Jan 2099 at 09:30"
    pages = [
        reverse("consultations:overview", args=[SLUG]),
        reverse("consultations:phase-edit", args=[SLUG, 2]),
        reverse("consultations:questions", args=[SLUG, 2]),
        reverse("outreach:invitations", args=[SLUG, 2]),
        reverse("outreach:monitoring", args=[SLUG]),
        reverse("public-consultation", args=[SLUG]),
        reverse("home"),
    ]

    for page in pages:
        assert label in client.get(page).content.decode(), page
    # The monitoring page shows it twice: in its table of phases and in the phase's section.
    assert client.get(pages[4]).content.decode().count(label) == 2


# Sending refused until the phase opens --------------------------------------------------------

def test_it_refuses_to_invite_to_a_draft_consultation(client, organiser, partners, smtp_server):
    make_draft(partners.consultation)
    client.force_login(organiser)

    response = client.post(reverse("outreach:invite", args=[SLUG, 2]), follow=True)

    assert "draft consultation" in texts(response)[0]
    assert "nothing was sent" in texts(response)[0]
    assert smtp_server.messages == [] and not Invitation.objects.exists()
    assert "cannot be sent yet" in response.content.decode()
    assert "Send invitations to" not in response.content.decode()


def test_it_refuses_to_invite_before_the_phase_opens(client, organiser, partners, smtp_server):
    open_later(partners)
    client.force_login(organiser)

    response = client.post(reverse("outreach:invite", args=[SLUG, 2]), follow=True)

    assert "opens at 9:30am on Sunday 4 January 2099: send from then" in texts(response)[0]
    assert smtp_server.messages == [] and not Invitation.objects.exists()


def test_it_refuses_reminders_while_the_consultation_is_a_draft(partners, smtp_server):
    services.send_invitations(partners)
    smtp_server.clear()
    make_draft(partners.consultation)

    with pytest.raises(services.OutreachRefused, match="draft consultation"):
        services.send_reminders(partners)
    assert smtp_server.messages == []


def test_it_sends_once_the_consultation_is_open_and_the_phase_has_opened(partners, smtp_server):
    assert services.sending_refused(partners) == ""
    assert len(services.send_invitations(partners).sent) == 3


@pytest.mark.parametrize("command", ["invite", "remind"])
def test_the_command_line_refuses_a_draft_consultation(
        partners, smtp_server, tmp_path, capsys, command):
    make_draft(partners.consultation)

    assert cli(tmp_path, command, "--phase", "2") == 2

    error = capsys.readouterr().err
    assert "is in a draft consultation" in error and "nothing was sent" in error
    assert "Traceback" not in error
    assert smtp_server.messages == []


def test_the_command_line_refuses_to_queue_before_the_phase_opens(
        partners, tmp_path, capsys):
    open_later(partners)

    assert cli(tmp_path, "invite", "--phase", "2", "--queue") == 2

    assert "send from then; nothing was queued" in capsys.readouterr().err


def test_the_command_line_help_says_when_nothing_is_sent(capsys):
    with pytest.raises(SystemExit):
        main(["invite", "--help"])

    assert "while the consultation is a draft" in capsys.readouterr().out
