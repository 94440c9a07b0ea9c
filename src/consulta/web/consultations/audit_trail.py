"""The audit trail as the back office reads it: each entry as a sentence ("alice imported 221
people from network.xlsx"), and the filters of the audit page (kind of event, who, dates).

Entries are written elsewhere: by django-auditlog for changes to the registered models, and by
``audit.record`` / ``audit.log_import`` and a few services for events (each under its own key
of ``additional_data``). A kind this module does not know still reads as "changed …".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django import forms
from django.db.models import Q, QuerySet
from django.template.defaultfilters import filesizeformat

from consulta.web.consultations import audit
from consulta.web.consultations.audit import import_summary

if TYPE_CHECKING:
    from auditlog.models import LogEntry

SHOWN = 200  # the latest entries matching the filters; narrow them to see older ones
VALUE_LENGTH = 60

# Keys of additional_data written by other parts of the back office.
EVENT_KEYS = ("event", "import", "response", "merge", "erasure", "retention")
KINDS: dict[str, tuple[str, Q]] = {
    "changes": ("Changes to the consultation, phases, questions and people",
                ~Q(*[Q(additional_data__has_key=key) for key in EVENT_KEYS], _connector=Q.OR)),
    "imports": ("Imports", Q(additional_data__has_key="import")),
    "sends": ("Invitations and reminders",
              Q(additional_data__event__kind__in=[audit.INVITATIONS, audit.REMINDERS])),
    "wording": ("Email wording", Q(additional_data__event__kind=audit.WORDING)),
    "analysis": ("Analyses", Q(additional_data__event__kind__in=[
        audit.ANALYSIS_QUEUED, audit.ANALYSIS_DONE, audit.ANALYSIS_FAILED])),
    "downloads": ("Downloads", Q(additional_data__event__kind=audit.DOWNLOAD)),
    "workbench": ("Theme changes on the workbench",
                  Q(additional_data__event__kind=audit.WORKBENCH)),
    "sign-ins": ("Sign-ins", Q(additional_data__event__kind=audit.SIGN_IN)),
    "redactions": ("Personal data review", Q(additional_data__event__kind=audit.REDACTION)),
    "responses": ("Responses withdrawn, deleted or matched", Q(additional_data__has_key="response")),
    "erasure": ("Erasure and retention",
                Q(additional_data__has_key="erasure") | Q(additional_data__has_key="retention")),
}
NO_ACTOR = "none"  # the actor filter's value for the command line, the worker and Consulta


class TrailFilter(forms.Form):
    """The audit page's filters, a GET form: a filtered trail has its own address."""

    kind = forms.ChoiceField(label="Kind of event", required=False,
                             choices=[("", "All events")] + [(k, v[0]) for k, v in KINDS.items()])
    actor = forms.ChoiceField(label="Who", required=False)
    since = forms.DateField(label="From", required=False,
                            widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label="To", required=False,
                            widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, actors: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["actor"].choices = [("", "Anyone")] + actors

    def clean(self):
        data = super().clean()
        if data.get("since") and data.get("until") and data["since"] > data["until"]:
            self.add_error("until", "The end date must be on or after the start date")
        return data

    def apply(self, entries: QuerySet) -> QuerySet:
        data = self.cleaned_data
        if data.get("kind"):
            entries = entries.filter(KINDS[data["kind"]][1])
        if data.get("actor") == NO_ACTOR:
            entries = entries.filter(actor__isnull=True)
        elif data.get("actor"):
            entries = entries.filter(actor_id=data["actor"])
        if data.get("since"):
            entries = entries.filter(timestamp__date__gte=data["since"])
        if data.get("until"):
            entries = entries.filter(timestamp__date__lte=data["until"])
        return entries


def all_entries(consultation) -> QuerySet:
    from auditlog.models import LogEntry

    return (LogEntry.objects.filter(additional_data__consultation_id=consultation.pk)
            .select_related("actor", "content_type").order_by("-timestamp", "-pk"))


def actor_choices(consultation) -> list[tuple[str, str]]:
    """Everyone who appears in the trail, by name, then the entries nobody signed in made."""
    from django.contrib.auth import get_user_model

    ids = all_entries(consultation).filter(actor__isnull=False).values("actor_id")
    users = get_user_model().objects.filter(pk__in=ids)
    choices = sorted(((str(user.pk), person(user)) for user in users), key=lambda c: c[1])
    return choices + [(NO_ACTOR, "The command line, the worker or Consulta itself")]


def person(user) -> str:
    return user.get_full_name() or user.get_username()


@dataclass(frozen=True)
class TrailEntry:
    """One row of the audit page."""

    entry: LogEntry
    sentence: str
    details: list[str] = field(default_factory=list)


def describe(entry: LogEntry) -> TrailEntry:
    data = entry.additional_data or {}
    subject = _subject(entry, data)
    if isinstance(data.get("event"), dict):
        return TrailEntry(entry, _event_sentence(subject, data["event"]))
    imported = import_summary(entry)
    if imported:
        details = [f"{name.capitalize()}: {number}" for name, number in imported.counts]
        if imported.file:
            details.append(f"File {imported.file.name}, {filesizeformat(imported.file.size)}, "
                           f"SHA-256 {imported.file.sha256}")
        return TrailEntry(entry, f"{subject} {_lower_first(imported.headline.rstrip('.'))}",
                          details)
    if data.get("staff_link") == "replaced":
        return TrailEntry(entry, f"{subject} replaced the staff link of {entry.object_repr} "
                          "(the old link stopped working)")
    for key in ("merge", "response", "erasure", "retention"):
        if isinstance(data.get(key), dict):
            return TrailEntry(entry, _other_sentence(subject, key, data[key], entry.object_repr))
    return TrailEntry(entry, _change_sentence(subject, entry))


def _subject(entry: LogEntry, data: dict) -> str:
    if entry.actor is not None:
        return person(entry.actor)
    via = (data.get("event") or data.get("import") or {}).get("via", "")
    if via == audit.COMMAND_LINE:
        return "Someone at the command line"
    if via == audit.WORKER:
        return "The background worker"
    if entry.actor_email:
        return "A former member"
    return "Consulta"


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def _plural(number: int, one: str, many: str = "") -> str:
    return f"{number} {one if number == 1 else (many or one + 's')}"


def _event_sentence(subject: str, event: dict) -> str:
    kind = event.get("kind", "")
    if kind in (audit.INVITATIONS, audit.REMINDERS):
        return _send_sentence(subject, kind, event)
    if kind == audit.WORDING:
        fields = ", ".join(event.get("fields") or []) or "no field"
        return (f"{subject} edited the {event.get('message', 'email')} wording for "
                f"{event.get('phase', 'a phase')} ({fields})")
    run = f"analysis run {event.get('run', '?')}"
    if kind == audit.ANALYSIS_QUEUED:
        return f"{subject} started an analysis ({run})"
    if kind == audit.ANALYSIS_DONE:
        counts = event.get("counts") or {}
        found = [_plural(counts[key], noun) for key, noun in (("answers", "answer"),
                 ("themes", "theme")) if isinstance(counts.get(key), int)]
        return f"{run.capitalize()} finished" + (f": {', '.join(found)}" if found else "")
    if kind == audit.ANALYSIS_FAILED:
        return f"{run.capitalize()} failed (the Analysis page says why)"
    if kind == audit.DOWNLOAD:
        source = f" of {run}" if "run" in event else ""
        return f"{subject} downloaded {event.get('file', 'a file')}{source}"
    if kind == audit.SIGN_IN:
        return f"{subject} signed in"
    if kind == audit.WORKBENCH:
        return (f"{subject} {event.get('summary', 'changed themes')} in question "
                f"{event.get('question', '?')} (workbench)")
    if kind == audit.REDACTION:
        return _redaction_sentence(subject, event)
    return f"{subject} recorded “{kind}”"


def _redaction_sentence(subject: str, event: dict) -> str:
    action = event.get("action", "")
    if action == "scan":
        return (f"{subject} scanned {_plural(event.get('answers', 0), 'answer')} for personal "
                f"data: {_plural(event.get('proposed', 0), 'new proposal')}")
    verbs = {"approve": "approved", "reject": "rejected", "edit": "edited the replacement of",
             "add": "added"}
    return (f"{subject} {verbs.get(action, action)} redaction {event.get('redaction', '?')} "
            f"({event.get('finding', '?')}) in question {event.get('question', '?')}")


def _send_sentence(subject: str, kind: str, event: dict) -> str:
    what, phase = kind, event.get("phase", "a phase")
    if event.get("queued"):
        people = _plural(event.get("people", 0), "person", "people")
        return f"{subject} queued {what} to {people} for {phase} (the worker sends them)"
    outcome = [_plural(event.get("sent", 0), kind[:-1])]
    if event.get("bounced"):
        outcome.append(f"{event['bounced']} bounced")
    if event.get("stopped"):
        outcome.append("stopped: the mail server failed")
    return f"{subject} sent {what} for {phase}: {', '.join(outcome)}"


def _other_sentence(subject: str, key: str, details: dict, target: str) -> str:
    if key == "merge":
        return f"{subject} {_lower_first(str(details.get('summary', 'merged records')).rstrip('.'))}"
    if key == "response":
        return _response_sentence(subject, details)
    counts = ", ".join(_counted(n, name) for name, n in (details.get("counts") or {}).items() if n)
    if key == "erasure":
        return f"{subject} erased a person's details" + (f" ({counts})" if counts else "")
    return (f"{subject} deleted {details.get('kind', 'data')} past their retention date"
            + (f" ({counts})" if counts else ""))


# Erasure and retention counts are named in the plural ("audit entries scrubbed").
SINGULAR = {"people": "person", "entries": "entry", "records": "record", "places": "place",
            "invitations": "invitation", "links": "link", "drafts": "draft",
            "responses": "response", "answers": "answer"}


def _counted(number: int, name: str) -> str:
    if number == 1:
        name = " ".join(SINGULAR.get(word, word) for word in name.split())
    return f"{number} {name}"


RESPONSE_VERBS = {"withdrawn": "withdrew", "deleted": "deleted"}


def _response_sentence(subject: str, details: dict) -> str:
    event, reference = details.get("event", ""), details.get("reference", "")
    if event == "organisation confirmed":
        return (f"{subject} confirmed that response {reference} is from "
                f"“{details.get('organisation', '')}”")
    reason = f" (reason: {details['reason']})" if details.get("reason") else ""
    return f"{subject} {RESPONSE_VERBS.get(event, 'changed')} response {reference}{reason}"


VERBS = {0: "added", 1: "changed", 2: "deleted"}


def _change_sentence(subject: str, entry: LogEntry) -> str:
    thing = _thing(entry)
    verb = VERBS.get(entry.action, "changed")
    if entry.action != 1:  # a new or deleted object: its name says enough
        return f"{subject} {verb} {thing}"
    changes = "; ".join(
        f"{name}: {_short(old)} → {_short(new)}"
        for name, (old, new) in _display_changes(entry).items()
    )
    return f"{subject} {verb} {thing}" + (f" ({changes})" if changes else "")


def _display_changes(entry: LogEntry) -> dict:
    try:
        return entry.changes_display_dict
    except (AttributeError, LookupError):  # a model since removed from the code
        return entry.changes_dict


def _thing(entry: LogEntry) -> str:
    """``the question “How can…”``; a phase's name already says "Phase 2: …"."""
    model = entry.content_type.model_class() if entry.content_type_id else None
    noun = str(model._meta.verbose_name) if model else "record"
    name = entry.object_repr
    if name.lower().startswith(noun.lower()):
        return name
    return f"the {noun} “{name}”"


def _short(value) -> str:
    text = "nothing" if value in (None, "", "None") else str(value)
    return text if len(text) <= VALUE_LENGTH else text[: VALUE_LENGTH - 1] + "…"
