"""The audit trail of organiser actions (django-auditlog; see docs/adr/0002-audit-trail.md).

Only the organiser's side is audited. Responses and answers are not: the trail would otherwise
copy respondents' words, and anonymous answers, next to an actor and a time. Imports write
rows in bulk, which sends no signals, so each import logs one summary entry of its own: who,
which file (name, size, SHA-256) and how many rows of each kind, never the file's contents.
Events that change no model (sends, sign-ins, downloads, analysis runs) go through ``record``;
audit_trail.py reads every kind of entry back as a sentence.

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
    # The staff link's key is a secret: the trail records that it was replaced, not its value
    # (phase_views.rotate_key logs that entry itself).
    {"model": "consultations.Phase", "exclude_fields": ["access_key"]},
    "consultations.Question",
    "stakeholders.Organisation",
    "stakeholders.Person",
    "stakeholders.AudienceMember",
    "reports.ReportText",  # each save of a report's narrative (a new version row)
)

# Where an import was started; kept with its entry, since the command line has no user.
BACK_OFFICE = "back office"
COMMAND_LINE = "command line"

# The kinds of import, as additional_data["import"]["kind"] names them.
STAKEHOLDERS, RESPONSES, CONSULTATION = "stakeholders", "responses", "consultation"


def log_entry(target: Model, actor: User | None, additional_data: dict, *,
              action: int | None = None, changes: dict | None = None) -> LogEntry:
    """Write one entry about ``target`` by hand (an event, a summary: no field diff for
    django-auditlog to see); ``action`` defaults to UPDATE. Every hand-written entry goes
    through here, so all of them store the actor the way auditlog's middleware does."""
    from auditlog.models import LogEntry

    return LogEntry.objects.log_create(
        target,
        force_log=True,  # the entry is the record: there may be no field change
        action=LogEntry.Action.UPDATE if action is None else action,
        changes=changes,
        actor=actor,
        # What auditlog's middleware stores for entries it makes; there is no request here.
        actor_email=getattr(actor, "email", None) or None,
        additional_data=additional_data,
    )


# Events that are not a change to a model, recorded by ``record``: additional_data["event"]
# holds {"kind": one of these, **details}. audit_trail.py turns each into a sentence.
INVITATIONS, REMINDERS = "invitations", "reminders"  # details: phase, sent, bounced, queued
WORDING = "wording"  # details: phase, message (invitation/reminder), fields
ANALYSIS_QUEUED, ANALYSIS_DONE, ANALYSIS_FAILED = "analysis queued", "analysis done", \
    "analysis failed"  # details: run, and counts when done
DOWNLOAD = "download"  # details: run, file
# A theme action on the analyst workbench; details: action, question (key), summary (keys and
# counts, never a label: labels can be respondents' words), decision, reason (whether given).
WORKBENCH = "workbench"
# Personal data review (redactions app); details: action (approve, reject, edit, add, scan),
# redaction (id), finding (its kind), question (key), reason (whether given), or the scan's
# counts. Never the text found, the replacement or the reason: all can be personal data.
REDACTION = "redaction"
SIGN_IN = "sign-in"
# Where something was done without a signed-in user ("via").
WORKER = "worker"


def record(consultation, actor: User | None, kind: str, *, via: str = "", **details: Any):
    """Record an event in ``consultation``'s trail: who (``actor``, or ``via`` without one:
    the command line, the worker), what (``kind``) and plain details.

    Details are counts, names of phases and files, never respondents' words or anything
    that could tell who answered in an anonymous phase: the trail is read by every member.
    """
    from auditlog.models import LogEntry

    action = LogEntry.Action.ACCESS if kind in {SIGN_IN, DOWNLOAD} else LogEntry.Action.UPDATE
    return log_entry(consultation, actor, {**consultation.get_additional_data(),
                                           "event": {"kind": kind, "via": via, **details}},
                     action=action)


def send_kind(message_kind: str) -> str:
    """The event of sending a kind of message ("invitation" -> INVITATIONS)."""
    return INVITATIONS if message_kind == "invitation" else REMINDERS


def record_send(phase, report, *, actor: User | None = None, via: str = "",
                stopped: bool = False):
    """Record a batch of invitations or reminders (an outreach ``SendReport``) by counts; a
    batch that reached nobody and failed for nobody is not worth an entry."""
    if not (report.sent or report.bounced or stopped):
        return None
    return record(phase.consultation, actor, send_kind(report.kind), via=via, phase=str(phase),
                  sent=len(report.sent), bounced=len(report.bounced), stopped=stopped)


def record_queued_send(phase, message_kind: str, people: int, *, actor: User | None = None,
                       via: str = ""):
    return record(phase.consultation, actor, send_kind(message_kind), via=via, phase=str(phase),
                  queued=True, people=people)


def record_sign_in(sender, request, user, **kwargs) -> None:
    """``user_logged_in`` receiver: a sign-in appears in the trail of each consultation the
    user is a member of (who could read what, and when). Never the address signed in from."""
    from consulta.web.consultations.models import Consultation

    for consultation in Consultation.objects.filter(memberships__user=user).order_by("pk"):
        record(consultation, user, SIGN_IN)


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
    return log_entry(target, by.actor, {**target.get_additional_data(), "import": details},
                     action=LogEntry.Action.CREATE if created else LogEntry.Action.UPDATE)


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
        people, organisations = counts.get("people created", 0), counts.get(
            "organisations created", 0)
        return (f"Imported {people} {'person' if people == 1 else 'people'} and {organisations} "
                f"organisation{'' if organisations == 1 else 's'}{source}.")
    if kind == CONSULTATION:
        return f"Imported this consultation{source or ' from an export document'}."
    return f"Imported {kind}{source}."
