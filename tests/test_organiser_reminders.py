"""Reminders by organisation: nobody is reminded to send what their organisation already sent,
written together through a shared link or imported from paper and email."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

import smtp
from consulta.web.consultations.models import Phase
from consulta.web.outreach import services
from consulta.web.outreach.models import Invitation
from consulta.web.responses.importer import import_responses
from consulta.web.responses.models import Response
from consulta.web.stakeholders.models import Organisation, Person
from test_outreach_lifecycle import make_partner_audience

smtp_server = smtp.smtp_server  # the fixture: a real SMTP server on loopback
SLUG = "policing-a"
WHEN = datetime(2026, 2, 10, 14, 30, tzinfo=UTC)
DANA = "dana@eastvale-ambulance.example"


@pytest.fixture
def partners(consultation, smtp_server) -> Phase:
    """Phase 2 with invitations sent to Dana and Omar (Eastvale Ambulance) and Sam (Safe
    Streets Trust)."""
    phase = make_partner_audience(consultation)
    services.send_invitations(phase)
    smtp_server.clear()
    return phase


def ambulance(phase: Phase) -> Organisation:
    return phase.consultation.organisations.get(name="Eastvale Ambulance Service")


def as_csv(*rows: list[str]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue().encode()


def reasons(outcomes) -> dict[str, str]:
    return {outcome.person.name: outcome.reason for outcome in outcomes}


def invitation_of(phase: Phase, name: str) -> Invitation:
    return Invitation.objects.get(phase=phase, person__name=name)


def test_it_does_not_remind_colleagues_of_an_organisation_that_responded(partners, smtp_server):
    # Written together through the shared link: linked to the organisation, to no invitation.
    Response.objects.create(phase=partners, status=Response.Status.SUBMITTED, submitted_at=WHEN,
                            organisation=ambulance(partners), on_behalf=True)

    report = services.send_reminders(partners)

    assert [person.name for person in report.sent] == ["Sam Lee"]
    skipped = reasons(report.skipped)
    assert skipped["Dana Okafor"] == skipped["Omar Osei"] == services.ORGANISATION_RESPONDED
    assert smtp_server.recipients() == ["sam@safestreets.example"]


def test_a_draft_of_the_organisation_does_not_stop_the_reminders(partners):
    Response.objects.create(phase=partners, status=Response.Status.DRAFT,
                            organisation=ambulance(partners))

    to_send, _ = services.plan_reminders(partners)

    assert sorted(i.person.name for i in to_send) == ["Dana Okafor", "Omar Osei", "Sam Lee"]


def test_an_imported_response_marks_the_invitation_submitted(partners):
    data = as_csv(["respondent", "email", "organisation", "submitted_at", "trust"],
                  ["Dana Okafor", DANA, "Eastvale Ambulance Service", "2026-02-10 14:30",
                   "Keep promises."])

    report = import_responses(partners, data, "paper.csv")

    dana = invitation_of(partners, "Dana Okafor")
    assert report.counts["invitations marked submitted"] == 1
    assert dana.status == Invitation.Status.SUBMITTED
    assert dana.submitted_at == WHEN and dana.response == Response.objects.get(channel="import")
    to_send, skipped = services.plan_reminders(partners)
    assert [i.person.name for i in to_send] == ["Sam Lee"]
    assert reasons(skipped)["Omar Osei"] == services.ORGANISATION_RESPONDED


def test_an_imported_response_from_an_uninvited_address_changes_no_invitation(partners):
    Person.objects.create(consultation=partners.consultation, name="Ola Other",
                          email="ola@example.org")
    data = as_csv(["respondent", "email", "trust"], ["Ola Other", "OLA@example.org", "Listen."])

    report = import_responses(partners, data, "paper.csv")

    assert "invitations marked submitted" not in report.counts
    assert not Invitation.objects.filter(submitted_at__isnull=False).exists()


def test_in_an_anonymous_phase_only_the_day_is_kept_and_nothing_links_them(partners):
    Phase.objects.filter(pk=partners.pk).update(anonymity=Phase.Anonymity.ANONYMOUS)
    partners.refresh_from_db()
    response = Response.objects.create(phase=partners, status=Response.Status.SUBMITTED,
                                       submitted_at=WHEN)

    assert services.mark_imported_submissions(partners, [(response, DANA.upper())]) == 1

    dana = invitation_of(partners, "Dana Okafor")
    assert dana.submitted_at == datetime(2026, 2, 10, tzinfo=UTC)
    assert dana.response is None


def test_the_back_office_says_why_colleagues_were_not_reminded(client, organiser, partners):
    Response.objects.create(phase=partners, status=Response.Status.SUBMITTED, submitted_at=WHEN,
                            organisation=ambulance(partners))
    client.force_login(organiser)

    response = client.post(reverse("outreach:remind", args=[SLUG, 2]))

    message = next(str(m) for m in get_messages(response.wsgi_request))
    assert "1 sent" in message and "2 their organisation has responded" in message
