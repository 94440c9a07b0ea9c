"""The audit trail of organiser actions (django-auditlog; see docs/adr/0002-audit-trail.md).

Only the organiser's side is audited. Responses and answers are not: the trail would otherwise
copy respondents' words, and anonymous answers, next to an actor and a time. Imports write
rows in bulk, which sends no signals, so each import logs one summary entry of its own: who,
which file (name, size, SHA-256) and how many rows of each kind, never the file's contents.

Settings import this module (``AUDITED_MODELS``), so it must not import models at the top.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from auditlog.models import LogEntry
    from django.contrib.auth.models import User
    from django.db.models import Model

# Read by django-auditlog through settings.AUDITLOG_INCLUDE_TRACKING_MODELS.
AUDITED_MODELS = (
    "consultations.Consultation",
    "consultations.Membership",
    "consultations.RespondentRole",
    "consultations.Phase",
    "consultations.Question",
    "stakeholders.Organisation",
    "stakeholders.Person",
    "stakeholders.AudienceMember",
)

# Where an import was started; kept with its entry, since the command line has no user.
BACK_OFFICE = "back office"
COMMAND_LINE = "command line"

# The kinds of import, as additional_data["import"]["kind"] names them.
STAKEHOLDERS, RESPONSES, CONSULTATION = "stakeholders", "responses", "consultation"


def consultation_log(consultation, limit: int = 50):
    """The latest audit entries of a consultation and everything in it, deleted things included.

    Entries are tagged with ``consultation_id`` by ``AuditedInConsultation.get_additional_data``.
    """
    from auditlog.models import LogEntry

    return (
        LogEntry.objects.filter(additional_data__consultation_id=consultation.pk)
        .select_related("actor")
        .order_by("-timestamp", "-pk")[:limit]
    )


@dataclass(frozen=True)
class ImportedFile:
    """What identifies an imported file without keeping it: a reviewer holding a copy can check
    it is the one imported by comparing its SHA-256."""

    name: str
    size: int  # bytes
    sha256: str

    @classmethod
    def of(cls, data: bytes, name: str) -> ImportedFile:
        return cls(name=name, size=len(data), sha256=hashlib.sha256(data).hexdigest())


@dataclass(frozen=True)
class ImportedBy:
    """Who started an import and from where. ``via`` stays empty when code calls an importer
    directly (the demo, tests); the entry then shows no remark."""

    actor: User | None = None
    via: str = ""


BY_COMMAND_LINE = ImportedBy(via=COMMAND_LINE)
BY_CODE = ImportedBy()  # the importers' default: no user, no remark


def log_import(target: Model, kind: str, file: ImportedFile | None, counts: dict[str, int],
               by: ImportedBy, *, created: bool = False) -> LogEntry:
    """Log one summary entry for an import into ``target`` (a consultation, or the phase that
    took responses). Call it inside the import's transaction, after writing, so a refused or
    failed import leaves no entry and a logged one cannot be rolled back on its own.

    ``counts`` are the import report's, by name; ``created``: the import created ``target``.
    """
    from auditlog.models import LogEntry

    details: dict[str, Any] = {
        "kind": kind,
        "via": by.via,
        "file": asdict(file) if file else None,
        "counts": dict(counts),
    }
    return LogEntry.objects.log_create(
        target,
        force_log=True,  # there is no field diff to record: the counts say what changed
        action=LogEntry.Action.CREATE if created else LogEntry.Action.UPDATE,
        actor=by.actor,
        # What auditlog's middleware stores for entries it makes; there is no request here.
        actor_email=getattr(by.actor, "email", None) or None,
        additional_data={**target.get_additional_data(), "import": details},
    )


@dataclass(frozen=True)
class ImportSummary:
    """An import entry as the audit page shows it."""

    headline: str
    via: str
    counts: list[tuple[str, int]]
    file: ImportedFile | None


def import_summary(entry: LogEntry) -> ImportSummary | None:
    """The summary of an import entry, or None for any other entry."""
    details = (entry.additional_data or {}).get("import")
    if not isinstance(details, dict):
        return None
    file = ImportedFile(**details["file"]) if details.get("file") else None
    counts = details.get("counts") or {}
    return ImportSummary(
        headline=_headline(details.get("kind", ""), entry.object_repr, file, counts),
        via=details.get("via", ""),
        counts=[(name, number) for name, number in counts.items() if number],
        file=file,
    )


def _headline(kind: str, target: str, file: ImportedFile | None, counts: dict) -> str:
    source = f" from {file.name}" if file else ""
    if kind == RESPONSES:
        number = counts.get("responses created", 0)
        return f"Imported {number} response{'' if number == 1 else 's'} to {target}{source}."
    if kind == STAKEHOLDERS:
        return f"Imported the stakeholder network{source}."
    if kind == CONSULTATION:
        return f"Imported this consultation{source or ' from an export document'}."
    return f"Imported {kind}{source}."
