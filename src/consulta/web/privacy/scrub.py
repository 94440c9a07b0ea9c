"""What erasure and retention share: removing text from the audit trail and answers, one summary
audit entry instead of one per deleted row, and leaving no copy of deleted rows in the files.

SQLite keeps deleted rows in free pages and the write-ahead log (``-wal``) until they are
reused or checkpointed; ``secure_delete`` zeroes them as they are freed, a TRUNCATE checkpoint
empties the log and ``VACUUM`` rewrites the file. PostgreSQL has no such switch: see ADR 0008.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterable
from typing import Any

from django.db import DatabaseError, connection

from consulta.web.consultations import audit
from consulta.web.privacy_storage import checkpoint_wal
from consulta.web.responses.models import Answer

logger = logging.getLogger(__name__)

ERASED = "[erased]"
# Names shorter than this are not searched for in free text: "Al" would blank half the trail.
SHORTEST_NAME = 3
AUDIT_TEXT_FIELDS = ("object_repr", "changes_text")
AUDIT_JSON_FIELDS = ("changes", "additional_data", "serialized_data")


def pattern(needles: Iterable[str]) -> re.Pattern | None:
    """One case-insensitive pattern for every address and name to remove (longest first, so a
    full name wins over a part of it)."""
    words = sorted({n.strip() for n in needles if len(n.strip()) >= SHORTEST_NAME},
                   key=len, reverse=True)
    if not words:
        return None
    return re.compile("|".join(re.escape(word) for word in words), re.IGNORECASE)


def redact(value: Any, found: re.Pattern) -> Any:
    """``value`` with every match replaced, through nested lists and dicts (keys included)."""
    if isinstance(value, str):
        return found.sub(ERASED, value)
    if isinstance(value, list):
        return [redact(item, found) for item in value]
    if isinstance(value, dict):
        return {redact(key, found): redact(item, found) for key, item in value.items()}
    return value


def _mentions(entry, found: re.Pattern) -> bool:
    texts = [getattr(entry, name) or "" for name in AUDIT_TEXT_FIELDS]
    texts += [json.dumps(getattr(entry, name), ensure_ascii=False) for name in AUDIT_JSON_FIELDS]
    return any(found.search(text) for text in texts)


def audit_entries(consultation_ids: list[int] | None):
    """The audit entries of these consultations (all entries when ``None``)."""
    from auditlog.models import LogEntry

    entries = LogEntry.objects.order_by("pk")
    if consultation_ids is not None:
        entries = entries.filter(additional_data__consultation_id__in=consultation_ids)
    return entries


def audit_mentions(consultation_ids: list[int] | None, found: re.Pattern | None) -> list:
    """The entries whose text names someone; checked here, not in SQL, because JSON columns
    store non-ASCII names escaped (``Zo\\u00eb``) where a database search would miss them."""
    if found is None:
        return []
    return [e for e in audit_entries(consultation_ids).iterator() if _mentions(e, found)]


def scrub_audit(entries: list, found: re.Pattern) -> int:
    """Replace every name and address in these entries' text; the entries themselves stay (who
    changed what and when is still recorded, not about whom)."""
    for entry in entries:
        for name in AUDIT_TEXT_FIELDS + AUDIT_JSON_FIELDS:
            setattr(entry, name, redact(getattr(entry, name), found))
        entry.save(update_fields=[*AUDIT_TEXT_FIELDS, *AUDIT_JSON_FIELDS])
    return len(entries)


def task_rows_mentioning(found: re.Pattern | None) -> list:
    """Finished background-task rows whose result or traceback names someone (a mail server's
    refusal quotes the address it refused)."""
    from django_tasks_db.models import DBTaskResult

    if found is None:
        return []
    rows = DBTaskResult.objects.exclude(status__in=["READY", "RUNNING"]).order_by("pk")
    return [row for row in rows.iterator()
            if found.search(row.traceback or "")
            or found.search(json.dumps(row.return_value, ensure_ascii=False))]


def scrub_task_rows(rows: list, found: re.Pattern) -> int:
    for row in rows:
        row.traceback = found.sub(ERASED, row.traceback or "")
        row.return_value = redact(row.return_value, found)
        row.save(update_fields=["traceback", "return_value"])
    return len(rows)


def answers_mentioning(consultation_ids: list[int] | None, addresses: Iterable[str]):
    """Answers (by anyone) that quote one of these addresses, e.g. "contact dana@…"."""
    from django.db.models import Q

    query = Q()
    for address in addresses:
        query |= Q(text__icontains=address)
    if not query:
        return Answer.objects.none()
    answers = Answer.objects.filter(query)
    if consultation_ids is not None:
        answers = answers.filter(response__phase__consultation_id__in=consultation_ids)
    return answers


def scrub_answers(answers, found: re.Pattern) -> int:
    changed = 0
    for answer in answers.select_for_update():
        answer.text = found.sub(ERASED, answer.text)
        answer.save(update_fields=["text"])
        changed += 1
    return changed


def log_summary(consultation, key: str, details: dict, actor=None):
    """One audit entry on the consultation saying what was removed, by counts, never whom."""
    return audit.log_entry(consultation, actor, {**consultation.get_additional_data(),
                                                 key: details})


def wipe_free_space() -> bool:
    """After deleting personal data: leave no copy in the SQLite file or its WAL (settings turn
    ``secure_delete`` on for every connection). Returns False when a checkpoint could not finish
    (a reader held the log) or it cannot run now."""
    if connection.vendor != "sqlite":
        return True
    if connection.in_atomic_block:
        return False  # VACUUM cannot run inside a transaction
    checkpoint_wal()
    try:
        with connection.cursor() as cursor:
            cursor.execute("VACUUM")  # rewrites the file: no free page keeps old rows
    except DatabaseError:  # the deletion is committed; only the tidying waits for next time
        logger.warning("Could not rewrite the database after deleting personal data",
                       exc_info=True)
        return False
    return checkpoint_wal()
