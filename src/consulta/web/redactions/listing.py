"""What the review page shows: counts by kind and status, and answers with their spans marked."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

from consulta.web.redactions.models import KIND_LABELS, Redaction
from consulta.web.redactions.services import publishable_answers

STATUSES = [s.value for s in Redaction.Status]


@dataclass
class Row:
    redaction: Redaction
    number: int  # its number in the answer, shown by the mark
    found: str  # the words as they are in the answer now (the page may show them)
    valid: bool


@dataclass
class AnswerView:
    answer: object
    marked: SafeString
    rows: list[Row] = field(default_factory=list)

    @property
    def pending(self) -> int:
        return sum(r.valid and r.redaction.status == Redaction.Status.PROPOSED for r in self.rows)


def counts(consultation) -> list[dict]:
    """Per kind: redactions pending, approved and rejected (decisions on changed text apart)."""
    table: Counter = Counter()
    rows = Redaction.objects.filter(answer__in=publishable_answers(consultation))
    for kind, status, stale in rows.values_list("kind", "status", "stale"):
        table[(kind, "stale" if stale else status)] += 1
    return [{"kind": KIND_LABELS[kind], **{s: table[(kind, s)] for s in (*STATUSES, "stale")}}
            for kind in KIND_LABELS if any(table[(kind, s)] for s in (*STATUSES, "stale"))]


def answers(consultation, show: str) -> list[AnswerView]:
    """Answers with redactions, those waiting for a decision first (or only, ``show`` "pending")."""
    qs = (publishable_answers(consultation).filter(redactions__isnull=False).distinct()
          .select_related("response", "question__phase").prefetch_related("redactions")
          .order_by("question__phase__position", "question__position", "response__reference"))
    views = [_view(answer) for answer in qs]
    if show == "pending":
        views = [v for v in views if v.pending]
    return sorted(views, key=lambda v: not v.pending)


def _view(answer) -> AnswerView:
    rows = []
    for number, redaction in enumerate(answer.redactions.all(), 1):
        valid = not redaction.stale and redaction.matches(answer.text)
        found = answer.text[redaction.start:redaction.end] if valid else ""
        rows.append(Row(redaction, number, found, valid))
    return AnswerView(answer, mark(answer.text, rows), rows)


def mark(text: str, rows: list[Row]) -> SafeString:
    """The answer's text, escaped, with each valid span in <mark> followed by its number."""
    pieces, last = [], 0
    for row in sorted((r for r in rows if r.valid), key=lambda r: r.redaction.start):
        start, end = row.redaction.start, row.redaction.end
        if start < last:
            continue  # overlaps one already marked (a wider span an analyst drew)
        pieces.append(escape(text[last:start]))
        pieces.append(format_html('<mark>{}</mark><sup>[{}]</sup>', text[start:end], row.number))
        last = end
    pieces.append(escape(text[last:]))
    return mark_safe("".join(pieces))  # every piece is escaped above
