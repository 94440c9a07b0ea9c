"""Invitations and reminders as background work, run by ``consulta worker`` (ADR 0006).

A big batch is one SMTP exchange per person, too long for the organiser's browser to wait on,
so the back office queues it here instead (``CONSULTA_SEND_INLINE_LIMIT``). The sending itself
is ``services.send_invitations`` / ``send_reminders``, unchanged: their per-person claims make a
queued batch and one sent from the command line at the same time safe.

A batch for more than ``CHUNK_SIZE`` people is sent in chunks, each its own task, so several
workers share it and a worker that dies loses only its chunk: a chunk stopped by the mail
server, or whose worker died, is queued again for the people it did not reach, up to
``MAX_ATTEMPTS`` attempts in all .

What the invitations page says about queued batches is read from the task rows of the database
backend (``django_tasks_db``): the framework's public API looks results up by id only, and
keeping ids elsewhere would be a second record of the same state.
"""

from __future__ import annotations

import uuid
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django_tasks import task
from django_tasks_db.models import DBTaskResult

from consulta.web.consultations import audit
from consulta.web.consultations.models import Phase
from consulta.web.outreach import services
from consulta.web.stakeholders.models import Person

INVITATION = services.INVITATION
REMINDER = services.REMINDER
WHAT = {INVITATION: "Invitations", REMINDER: "Reminders"}


def _send(phase_id: int, kind: str) -> dict:
    phase = Phase.objects.select_related("consultation").filter(pk=phase_id).first()
    if phase is None:
        return {"stopped": "the phase no longer exists; nothing was sent"}
    try:
        split = _split_batch(phase, kind)
    except services.OutreachRefused as refused:
        return {"stopped": str(refused)}
    if split is not None:
        return split
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


@task()
def send_chunk_task(phase_id: int, kind: str, batch: str, chunk: int, ids: list[int],
                    attempt: int = 1) -> dict:
    """One chunk of a big batch: people (invitations) or invitations (reminders) by id."""
    return _send_chunk(phase_id, kind, batch, chunk, ids, attempt)


def chunk_abandoned(result: DBTaskResult, pid: int) -> None:
    """The worker sending a chunk died (web/abandoned.py): the chunk is queued again."""
    _retry(result.args_kwargs.get("kwargs") or {},
                 f"the worker (process {pid}) stopped before the chunk was sent")


TASKS = {INVITATION: send_invitations_task, REMINDER: send_reminders_task}


def _rows(phase: Phase, kind: str):
    return DBTaskResult.objects.filter(task_path=TASKS[kind].module_path,
                                       args_kwargs__kwargs__phase_id=phase.pk)


def queue_send(phase: Phase, kind: str) -> bool:
    """Queue a batch for the worker; False when one is already waiting for this phase and kind
    (it will reach everyone this one would), or a chunk of one is still to be sent."""
    with transaction.atomic():
        chunks = DBTaskResult.objects.filter(task_path=send_chunk_task.module_path,
                                             args_kwargs__kwargs__phase_id=phase.pk,
                                             args_kwargs__kwargs__kind=kind)
        if _rows(phase, kind).ready().exists() or chunks.filter(status="READY").exists():
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
    if row.status == "SUCCESSFUL" and value.get(BATCH_KEY):
        status, outcome, finished_at = _describe_chunks(value)
        return BackgroundSend(what=what, status=status, queued_at=row.enqueued_at,
                              started_at=row.started_at, finished_at=finished_at or None,
                              outcome=outcome)
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


# Chunks of a big batch ------------------------------------------------------------------------

CHUNK_SIZE = 200
MAX_ATTEMPTS = 3
#: A chunk the mail server stopped waits this long, times its attempt, before the next attempt.
RETRY_DELAY = timedelta(seconds=30)
BATCH_KEY = "batch"  # in a split batch's result: the key its chunks carry


def _split_batch(phase: Phase, kind: str) -> dict | None:
    """More than CHUNK_SIZE to send: queue a task per chunk and say so (the batch's result);
    None when the batch is small enough to send itself."""
    services.refuse_unless_open(phase)
    if kind == INVITATION:
        to_send, skipped = services.plan_invitations(phase)
    else:
        to_send, skipped = services.plan_reminders(phase)
    if len(to_send) <= CHUNK_SIZE:
        return None
    # People in both cases: a reminder goes to a person's one invitation to the phase.
    ids = [getattr(item, "person_id", item.pk) for item in to_send]
    batch = uuid.uuid4().hex
    with transaction.atomic():
        for number, start in enumerate(range(0, len(ids), CHUNK_SIZE)):
            send_chunk_task.enqueue(phase_id=phase.pk, kind=kind, batch=batch, chunk=number,
                                    ids=ids[start:start + CHUNK_SIZE], attempt=1)
    return {BATCH_KEY: batch, "phase_id": phase.pk, "kind": kind,
            "chunks": number + 1,
            "skipped_reasons": Counter(o.reason for o in skipped).most_common()}


def _send_chunk(phase_id: int, kind: str, batch: str, chunk: int, ids: list[int],
                attempt: int) -> dict:
    phase = Phase.objects.select_related("consultation").filter(pk=phase_id).first()
    if phase is None:
        return {"stopped": "the phase no longer exists; nothing was sent"}
    try:
        if kind == INVITATION:
            people = (Person.objects.filter(pk__in=ids)
                      .select_related("organisation").order_by("name", "email"))
            report = services.send_invitations(phase, people=people)
        else:
            report = services.send_reminders(phase, people=ids)
    except services.OutreachRefused as refused:
        return {"stopped": str(refused)}
    except services.MailServerUnavailable as failure:
        audit.record_send(phase, failure.report, via=audit.WORKER, stopped=True)
        report = failure.report
        done = {o.person.pk for o in report.skipped + report.bounced}
        done |= {person.pk for person in report.sent}
        left = [i for i in ids if i not in done]  # the next attempt sends to these only
        retrying = _retry({"phase_id": phase_id, "kind": kind, "batch": batch,
                           "chunk": chunk, "ids": left, "attempt": attempt}, str(failure))
        return {**_chunk_counts(report), "stopped": str(failure), "retrying": retrying}
    audit.record_send(phase, report, via=audit.WORKER)
    return _chunk_counts(report)


def _chunk_counts(report: services.SendReport) -> dict:
    # Pairs, not a dict: PostgreSQL's jsonb would reorder the reasons.
    return {**_counts(report), "skipped_reasons": report.skipped_reasons()}


def _retry(kwargs: dict, why: str) -> bool:
    """Queue the chunk's next attempt for its ``ids``; False after the last attempt."""
    attempt = int(kwargs.get("attempt", 1))
    if attempt >= MAX_ATTEMPTS or not kwargs.get("ids"):
        return False
    queued = send_chunk_task
    delay = RETRY_DELAY * attempt
    if delay:
        queued = send_chunk_task.using(run_after=timezone.now() + delay)
    queued.enqueue(**{**kwargs, "attempt": attempt + 1})
    return True


def _describe_chunks(value: dict) -> tuple[str, str, datetime | None]:
    """A split batch as one: running while a chunk waits or runs; then what all sent."""
    rows = DBTaskResult.objects.filter(task_path=send_chunk_task.module_path,
                                       args_kwargs__kwargs__batch=value[BATCH_KEY])
    sent = bounced = 0
    skipped = Counter(dict(value.get("skipped_reasons") or []))
    stopped, failed, finished_at, last = "", "", None, {}
    for row in rows.order_by("enqueued_at"):
        kwargs = row.args_kwargs.get("kwargs") or {}
        last[kwargs.get("chunk")] = row
        result = row.return_value or {}
        sent += result.get("sent", 0)
        bounced += result.get("bounced", 0)
        skipped.update(dict(result.get("skipped_reasons") or []))
        finished_at = max(filter(None, (finished_at, row.finished_at)), default=None)
    if any(row.status in {"READY", "RUNNING"} for row in last.values()):
        return "running", "", None
    for row in last.values():
        result = row.return_value or {}
        if row.status == "FAILED":
            lines = [line for line in row.traceback.strip().splitlines() if line.strip()]
            failed = lines[-1] if lines else "the worker recorded no error"
        elif result.get("stopped") and not result.get("retrying"):
            stopped = result["stopped"]
    summary = services.count_summary(sent, skipped, bounced)
    if failed:
        return "failed", failed, finished_at
    if stopped:
        return "stopped", f"{summary}; {stopped}", finished_at
    return "finished", summary, finished_at
