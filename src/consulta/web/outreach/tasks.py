"""Invitations and reminders as background work, run by ``consulta worker`` (ADR 0006).

A big batch is one SMTP exchange per person, too long for the organiser's browser to wait on,
so the back office queues it here instead (``CONSULTA_SEND_INLINE_LIMIT``). The sending itself
is ``services.send_invitations`` / ``send_reminders``, unchanged: their per-person claims make a
queued batch and one sent from the command line at the same time safe.

What the invitations page says about queued batches is read from the task rows of the database
backend (``django_tasks_db``): the framework's public API looks results up by id only, and
keeping ids elsewhere would be a second record of the same state.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django_tasks import task
from django_tasks_db.models import DBTaskResult

from consulta.web.consultations import audit
from consulta.web.consultations.models import Phase
from consulta.web.outreach import services

INVITATION = services.INVITATION
REMINDER = services.REMINDER
WHAT = {INVITATION: "Invitations", REMINDER: "Reminders"}


def _send(phase_id: int, kind: str) -> dict:
    phase = Phase.objects.select_related("consultation").filter(pk=phase_id).first()
    if phase is None:
        return {"stopped": "the phase no longer exists; nothing was sent"}
    send = services.send_invitations if kind == INVITATION else services.send_reminders
    try:
        report = send(phase)
    except services.OutreachRefused as refused:
        return {"stopped": str(refused)}
    except services.MailServerUnavailable as failure:
        audit.record_send(phase, failure.report, via=audit.WORKER, stopped=True)
        # Expected outcomes end the task normally with what happened; anything else is a bug
        # and fails the task with its traceback.
        return {**_counts(failure.report),
                "stopped": f"{failure}; sending again carries on with the people not yet reached"}
    audit.record_send(phase, report, via=audit.WORKER)
    return _counts(report)


def _counts(report: services.SendReport) -> dict:
    return {"sent": len(report.sent), "skipped": len(report.skipped),
            "bounced": len(report.bounced), "summary": report.summary()}


@task()
def send_invitations_task(phase_id: int) -> dict:
    return _send(phase_id, INVITATION)


@task()
def send_reminders_task(phase_id: int) -> dict:
    return _send(phase_id, REMINDER)


TASKS = {INVITATION: send_invitations_task, REMINDER: send_reminders_task}


def _rows(phase: Phase, kind: str):
    return DBTaskResult.objects.filter(task_path=TASKS[kind].module_path,
                                       args_kwargs__kwargs__phase_id=phase.pk)


def queue_send(phase: Phase, kind: str) -> bool:
    """Queue a batch for the worker; False when one is already waiting for this phase and kind
    (it will reach everyone this one would)."""
    with transaction.atomic():
        if _rows(phase, kind).ready().exists():
            return False
        TASKS[kind].enqueue(phase_id=phase.pk)
    return True


@dataclass
class BackgroundSend:
    """The latest queued batch of one kind for a phase, for the invitations page."""

    what: str
    status: str  # queued, running, finished, stopped (mail server, closed), failed
    queued_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    outcome: str  # what was sent, why it stopped, or the error


def latest_sends(phase: Phase) -> list[BackgroundSend]:
    sends = []
    for kind, what in WHAT.items():
        row = _rows(phase, kind).order_by("-enqueued_at").first()
        if row is not None:
            sends.append(_describe(row, what))
    return sends


def _describe(row: DBTaskResult, what: str) -> BackgroundSend:
    value = row.return_value or {}
    if row.status == "READY":
        status, outcome = "queued", ""
    elif row.status == "RUNNING":
        status, outcome = "running", ""
    elif row.status == "SUCCESSFUL":
        status = "stopped" if value.get("stopped") else "finished"
        outcome = "; ".join(part for part in (
            value.get("summary", ""), value.get("stopped", "")) if part)
    else:
        # The traceback's last line names the exception and its message.
        lines = [line for line in row.traceback.strip().splitlines() if line.strip()]
        status, outcome = "failed", lines[-1] if lines else "the worker recorded no error"
    return BackgroundSend(what=what, status=status, queued_at=row.enqueued_at,
                          started_at=row.started_at, finished_at=row.finished_at,
                          outcome=outcome)
