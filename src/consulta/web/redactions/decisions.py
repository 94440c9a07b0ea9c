"""Analysts' decisions on redactions, each recorded in the consultation's audit trail.

The trail says who decided what on which redaction (its id, kind and question), and whether a
reason was given; never the words found, the replacement or the reason, which can all be
personal data (the Redaction row keeps replacement and reason, next to the answer they
concern, and goes when the answer goes).
"""

from __future__ import annotations

from django.utils import timezone

from consulta.web.consultations import audit
from consulta.web.redactions.models import Redaction, span_hash
from consulta.web.redactions.services import ScanReport


class Refused(Exception):
    """A decision that cannot be made; the message says why, for the analyst."""


def _record(consultation, user, action: str, row: Redaction, reason: str) -> None:
    audit.record(consultation, user, audit.REDACTION, action=action, redaction=row.pk,
                 finding=row.kind, question=row.answer.question.key, reason=bool(reason.strip()))


def _check(row: Redaction) -> None:
    if row.stale or not row.matches(row.answer.text):
        raise Refused("The answer has changed since this was found. Scan again, then decide.")


def _decide(row: Redaction, user, status: str, reason: str, replacement: str | None = None):
    row.status, row.reason = status, reason.strip()
    if replacement is not None:
        row.replacement = replacement.strip()
    row.reviewer, row.reviewed_at = user, timezone.now()
    row.save()


def approve(consultation, user, row: Redaction, reason: str = "") -> None:
    _check(row)
    _decide(row, user, Redaction.Status.APPROVED, reason)
    _record(consultation, user, "approve", row, reason)


def reject(consultation, user, row: Redaction, reason: str) -> None:
    """Publish the words as they are (a public figure, a place, not personal data)."""
    _check(row)
    if not reason.strip():
        raise Refused("Say why these words can be published.")
    _decide(row, user, Redaction.Status.REJECTED, reason)
    _record(consultation, user, "reject", row, reason)


def edit(consultation, user, row: Redaction, replacement: str, reason: str) -> None:
    """Approve with other words in place of the span ("[a neighbour]" rather than "[name]")."""
    _check(row)
    if not replacement.strip():
        raise Refused("Give the words that replace the personal data.")
    if not reason.strip():
        raise Refused("Say why the replacement is changed.")
    _decide(row, user, Redaction.Status.APPROVED, reason, replacement)
    _record(consultation, user, "edit", row, reason)


def find_span(text: str, words: str, occurrence: int = 1) -> tuple[int, int]:
    """The offsets of the ``occurrence``-th appearance of ``words`` in ``text``."""
    words = words.strip()
    at = -1
    for _ in range(max(occurrence, 1)):
        at = text.find(words, at + 1)
        if at < 0:
            raise Refused("Those words are not in the answer (copy them exactly).")
    return at, at + len(words)


def add(consultation, user, answer, start: int, end: int, kind: str, replacement: str,
        reason: str) -> Redaction:
    """A redaction the scan missed, drawn by an analyst: approved as it is made."""
    if not 0 <= start < end <= len(answer.text):
        raise Refused("Choose a span inside the answer.")
    if not answer.text[start:end].strip():
        raise Refused("The span holds only spaces.")
    clash = [r for r in answer.redactions.all() if not r.stale and r.matches(answer.text)
             and r.status != Redaction.Status.REJECTED and r.start < end and start < r.end]
    if clash:
        raise Refused("Part of that span is already redacted or proposed: decide that one, or "
                      "reject it first.")
    row = Redaction.objects.create(
        answer=answer, start=start, end=end, kind=kind, source=Redaction.Source.MANUAL,
        found_text_sha256=span_hash(answer.text[start:end]), status=Redaction.Status.APPROVED,
        replacement=replacement.strip() or Redaction.default_replacement(kind),
        reason=reason.strip(), reviewer=user, reviewed_at=timezone.now())
    _record(consultation, user, "add", row, reason)
    return row


def record_scan(consultation, user, report: ScanReport) -> None:
    audit.record(consultation, user, audit.REDACTION, action="scan", answers=report.answers,
                 proposed=report.proposed, kept=report.kept, stale=report.stale)
