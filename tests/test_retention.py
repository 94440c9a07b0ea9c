"""Retention: after a consultation's "keep personal data until" day, identities, drafts and links
go (answers stay, unattributed); drafts of closed phases go after a grace period."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from auditlog.models import LogEntry
from django_tasks_db.models import DBTaskResult

from consulta.cli import main
from consulta.web.outreach.models import Invitation, InvitationToken
from consulta.web.privacy.retention import apply_retention
from consulta.web.privacy.tasks import apply_retention_task, queue_retention
from consulta.web.responses.models import Answer, DraftAccess, Respondent, Response
from consulta.web.stakeholders.models import Person
from privacy_data import EMAIL, NAME, seed_dana
from test_forget import audit_text

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)  # phase 1 closed in February


def retention_entries(consultation) -> list:
    return [e for e in LogEntry.objects.filter(additional_data__consultation_id=consultation.pk)
            if "retention" in (e.additional_data or {})]


@pytest.fixture
def dana(consultation) -> dict:
    return seed_dana(consultation)


def expire(consultation, day: date) -> None:
    consultation.retain_until = day
    consultation.save()


def test_it_deletes_identities_once_the_retention_date_has_passed(consultation, dana):
    expire(consultation, date(2026, 5, 31))
    summary = apply_retention(NOW)
    assert not Person.objects.filter(consultation=consultation).exists()
    assert not Invitation.objects.exists() and not InvitationToken.objects.exists()
    assert not Respondent.objects.exists() and not DraftAccess.objects.exists()
    assert not Response.objects.filter(status=Response.Status.DRAFT).exists()
    kept = Response.objects.get(pk=dana["submitted"].pk)
    assert [a.text for a in kept.answers.all()] == ["Be visible in the community."]
    assert Answer.objects.get(response=dana["quoting"]).text == "Ask [erased] for the figures."
    assert EMAIL not in audit_text() and NAME not in audit_text()
    assert "policing-a (retention date passed): deleted 2 people" in summary.lines()[0]
    [entry] = retention_entries(consultation)
    assert entry.additional_data["retention"]["counts"]["people"] == 2
    assert entry.actor is None


def test_it_keeps_everything_until_the_day_has_passed(consultation, other_consultation, dana):
    expire(consultation, date(2026, 6, 1))  # "until" the 1st: still kept on the 1st
    apply_retention(NOW)
    assert Person.objects.filter(consultation=consultation).count() == 2
    assert Respondent.objects.exists()
    assert Person.objects.filter(consultation=other_consultation).count() == 2  # no date


def test_a_second_run_finds_nothing_more_and_logs_nothing(consultation, dana):
    expire(consultation, date(2026, 1, 1))
    apply_retention(NOW)
    assert apply_retention(NOW).purges == []
    assert len(retention_entries(consultation)) == 1
    assert apply_retention(NOW).lines()[0].startswith("Nothing to delete")


def test_a_dry_run_counts_and_deletes_nothing(consultation, dana):
    expire(consultation, date(2026, 1, 1))
    summary = apply_retention(NOW, dry_run=True)
    assert summary.purges[0].counts["invitation links"] == 2
    assert "would delete" in summary.lines()[0]
    assert Person.objects.filter(email=EMAIL).exists() and not retention_entries(consultation)


def test_drafts_go_when_their_phase_has_been_closed_for_the_grace_period(consultation, dana,
                                                                         settings):
    settings.CONSULTA_DRAFT_GRACE_DAYS = 30
    closed = consultation.phases.get(position=1).closes_at
    apply_retention(closed + timedelta(days=29))
    assert Response.objects.filter(pk=dana["draft"].pk).exists()
    summary = apply_retention(closed + timedelta(days=31))
    assert not Response.objects.filter(pk=dana["draft"].pk).exists()
    assert summary.purges[0].counts == {"drafts": 1, "draft links": 2, "respondent records": 0}
    # Nothing else: identities stay until the retention date, the open phase's responses stay
    assert Person.objects.filter(email=EMAIL).exists()
    assert Response.objects.filter(pk=dana["submitted"].pk).exists()
    [entry] = retention_entries(consultation)
    assert entry.additional_data["retention"]["kind"] == "drafts"


def test_the_grace_period_is_a_setting(consultation, dana, settings):
    settings.CONSULTA_DRAFT_GRACE_DAYS = 0
    apply_retention(consultation.phases.get(position=1).closes_at + timedelta(hours=1))
    assert not Response.objects.filter(pk=dana["draft"].pk).exists()


def test_the_task_runs_retention_and_is_queued_once_and_only_when_due(consultation, dana):
    Response.objects.filter(status=Response.Status.DRAFT).delete()  # no old drafts
    assert queue_retention() is False  # nothing due: no task row
    expire(consultation, date(2000, 1, 1))
    assert queue_retention() is True
    assert queue_retention() is False  # one already waiting does the work
    assert DBTaskResult.objects.filter(task_path=apply_retention_task.module_path).count() == 1
    result = apply_retention_task.call()
    assert result["purges"] >= 1
    assert not Person.objects.filter(email=EMAIL).exists()


@pytest.mark.django_db(transaction=True)
def test_a_worker_run_applies_retention(consultation, tmp_path):
    seed_dana(consultation)
    expire(consultation, date(2000, 1, 1))
    assert main(["worker", "--batch", "--data-dir", str(tmp_path)]) == 0
    assert not Person.objects.filter(email=EMAIL).exists()
    row = DBTaskResult.objects.get(task_path=apply_retention_task.module_path)
    assert row.status == "SUCCESSFUL"


@pytest.mark.django_db(transaction=True)
def test_the_command_applies_retention_or_says_what_it_would(consultation, tmp_path, capsys):
    seed_dana(consultation)
    expire(consultation, date(2000, 1, 1))
    assert main(["retention", "--dry-run", "--data-dir", str(tmp_path)]) == 0
    assert "would delete 2 people" in capsys.readouterr().out
    assert Person.objects.filter(email=EMAIL).exists()
    assert main(["retention", "--data-dir", str(tmp_path)]) == 0
    assert "deleted 2 people" in capsys.readouterr().out
    assert not Person.objects.filter(consultation=consultation).exists()


def test_it_deletes_requests_to_hear_about_results_with_the_identities(consultation, dana):
    from consulta.web.publishing.models import ResultsSubscriber

    ResultsSubscriber.objects.create(consultation=consultation, email="reader@example.org")
    expire(consultation, date(2026, 5, 31))
    apply_retention(NOW)
    assert not ResultsSubscriber.objects.exists()
    assert "reader@example.org" not in audit_text()
