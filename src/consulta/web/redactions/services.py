"""What may be published of an answer, and the scan that proposes redactions.

``redacted(answer, text)`` is the one gate for publishing an answer's words (report quotes,
published responses): the text with every approved redaction applied once each personal-data
finding in it has been reviewed, None while any is not. Findings are those of
``consulta.analysis.find_personal_data`` on the whole answer (a passage's own context can
differ: a name at the start of a cut sentence), so what the scan proposed is what must be
decided. A decision made on a text that has changed since (stale) counts for nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.db import transaction

from consulta.analysis.personal_data import Finding, find_personal_data
from consulta.web.analysis.services import TEXT_KINDS
from consulta.web.redactions.models import Redaction, Scan, span_hash
from consulta.web.responses.models import PUBLISHABLE_CONSENT, Answer, Response

# How a quote marks text left out around it (analysis.quotes.quote_context).
ELLIPSIS = "…"


def publishable_answers(consultation):
    """Text answers of submitted responses whose authors agreed to publication."""
    return (Answer.objects
            .filter(response__phase__consultation=consultation,
                    response__status=Response.Status.SUBMITTED,
                    response__consent__in=PUBLISHABLE_CONSENT, question__kind__in=TEXT_KINDS)
            .exclude(text=""))


def valid_rows(answer: Answer) -> list[Redaction]:
    """The answer's redactions whose span still holds what was found there."""
    return [r for r in answer.redactions.all() if not r.stale and r.matches(answer.text)]


def _overlaps(start: int, end: int, lo: int, hi: int) -> bool:
    return start < hi and lo < end


def _reviewed(finding: Finding, rows: list[Redaction]) -> bool:
    for row in rows:
        if row.status == Redaction.Status.PROPOSED:
            continue
        if (row.start, row.end) == (finding.start, finding.end):
            return True
        if row.status == Redaction.Status.APPROVED and row.start <= finding.start \
                and finding.end <= row.end:
            return True  # inside a wider approved redaction (one an analyst drew)
    return False


def unreviewed_spans(text: str, rows: list[Redaction], lo: int = 0,
                     hi: int | None = None) -> set[tuple[int, int]]:
    """Spans in text[lo:hi] still waiting for a decision: findings nobody has decided and
    proposed redactions. ``rows`` are valid ones (``valid_rows``)."""
    hi = len(text) if hi is None else hi
    spans = {(f.start, f.end) for f in find_personal_data(text)
             if _overlaps(f.start, f.end, lo, hi) and not _reviewed(f, rows)}
    spans |= {(r.start, r.end) for r in rows if r.status == Redaction.Status.PROPOSED
              and _overlaps(r.start, r.end, lo, hi)}
    return spans


def apply(text: str, rows: list[Redaction], lo: int = 0, hi: int | None = None) -> str:
    """text[lo:hi] with the approved redactions among ``rows`` replaced."""
    hi = len(text) if hi is None else hi
    pieces, last = [], lo
    approved = sorted((r for r in rows if r.status == Redaction.Status.APPROVED
                       and _overlaps(r.start, r.end, lo, hi)), key=lambda r: (r.start, -r.end))
    for row in approved:
        start, end = max(row.start, lo), min(row.end, hi)
        if end <= last:
            continue  # inside one already replaced
        if start < last:
            start = last
        else:
            pieces.append(text[last:start])
        pieces.append(row.replacement)
        last = end
    pieces.append(text[last:hi])
    return "".join(pieces)


@dataclass(frozen=True)
class Window:
    prefix: str  # an ellipsis the passage starts with, kept as it is
    start: int  # where the passage is in the answer's text
    end: int
    suffix: str


def locate(full: str, text: str) -> Window | None:
    """Where ``text`` (the answer, or a passage of it, possibly cut with "…") is in ``full``."""
    core, prefix, suffix = text, "", ""
    if core.startswith(ELLIPSIS) and not full.startswith(ELLIPSIS):
        stripped = core[1:].lstrip()
        prefix, core = core[:len(core) - len(stripped)], stripped
    if core.endswith(ELLIPSIS) and not full.rstrip().endswith(ELLIPSIS):
        stripped = core[:-1].rstrip()
        suffix, core = core[len(stripped):], stripped
    if not core.strip():
        return None
    at = full.find(core)
    if at >= 0:
        return Window(prefix, at, at + len(core), suffix)
    # The same words with other white space (a passage tidied for print).
    pattern = r"\s+".join(re.escape(word) for word in core.split())
    match = re.search(pattern, full)
    return Window(prefix, match.start(), match.end(), suffix) if match else None


def redacted(answer: Answer, text: str) -> str | None:
    """``text`` (the answer's text or a passage of it) with approved redactions applied, or
    None while any personal data in it waits for an analyst's decision."""
    full = answer.text
    window = locate(full, text)
    if window is None:
        # Not this answer's words as stored: publish only what needs no review.
        return None if find_personal_data(text) else text
    rows = valid_rows(answer)
    if unreviewed_spans(full, rows, window.start, window.end):
        return None
    return window.prefix + apply(full, rows, window.start, window.end) + window.suffix


def pending_count(consultation) -> int:
    """Personal-data findings in publishable answers that wait for a decision (answers never
    scanned, or changed since, are read again here, so this is right without a scan)."""
    total = 0
    answers = publishable_answers(consultation).select_related("redaction_scan") \
        .prefetch_related("redactions")
    for answer in answers.iterator(chunk_size=500):
        rows = valid_rows(answer)
        scan = getattr(answer, "redaction_scan", None)
        if scan is not None and scan.text_sha256 == span_hash(answer.text):
            # Scanned as it is: every finding is a row (or inside an approved one).
            total += sum(r.status == Redaction.Status.PROPOSED for r in rows)
        else:
            total += len(unreviewed_spans(answer.text, rows))
    return total


@dataclass
class ScanReport:
    answers: int = 0
    proposed: int = 0  # new proposals
    kept: int = 0  # redactions already there and still valid (decisions kept)
    stale: int = 0  # decisions made void by a change in the answer's text


def scan(consultation) -> ScanReport:
    """Propose a redaction for each finding in the publishable answers. Running it again
    changes nothing unless answers changed: decisions stay; a decided span whose text changed
    is marked stale (or follows its text when the text only moved)."""
    report = ScanReport()
    answers = publishable_answers(consultation).prefetch_related("redactions")
    for answer in answers.iterator(chunk_size=500):
        with transaction.atomic():
            _scan_answer(answer, report)
        report.answers += 1
    return report


def _scan_answer(answer: Answer, report: ScanReport) -> None:
    full = answer.text
    rows, moved, voided = [], [], set()
    for row in answer.redactions.all():
        holds = row.matches(full)
        if holds:
            if row.stale:
                row.stale = False  # the text is back as it was
                row.save(update_fields=["stale"])
            rows.append(row)
        elif row.status == Redaction.Status.PROPOSED:
            row.delete()  # nobody decided it: nothing to keep
        else:
            if not row.stale:
                row.stale = True
                row.save(update_fields=["stale"])
                voided.add(row.pk)
            moved.append(row)
    report.kept += len(rows)
    spans = {(r.start, r.end) for r in rows}
    for finding in find_personal_data(full):
        if (finding.start, finding.end) in spans or _reviewed(finding, rows):
            continue
        if _follow(finding, moved):
            report.kept += 1
            continue
        Redaction.objects.create(
            answer=answer, start=finding.start, end=finding.end, kind=finding.kind,
            found_text_sha256=span_hash(finding.text),
            replacement=Redaction.default_replacement(finding.kind))
        report.proposed += 1
    report.stale += sum(row.pk in voided for row in moved)
    Scan.objects.update_or_create(answer=answer, defaults={"text_sha256": span_hash(full)})


def _follow(finding: Finding, stale_rows: list[Redaction]) -> bool:
    """A decided span whose text moved (words added before it): the decision follows it."""
    for row in stale_rows:
        if row.kind == finding.kind and row.found_text_sha256 == span_hash(finding.text):
            row.start, row.end, row.stale = finding.start, finding.end, False
            row.save(update_fields=["start", "end", "stale"])
            stale_rows.remove(row)
            return True
    return False
