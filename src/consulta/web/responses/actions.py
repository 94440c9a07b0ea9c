"""What organisers do to one response: withdraw it, delete it, confirm its organisation.

Each action writes one audit entry about the response (its reference, never its answers: the
trail must not copy what respondents said, see docs/adr/0002-audit-trail.md), tagged with the
consultation so the consultation's trail lists it, and shown on the response's own page.
"""

from __future__ import annotations

import difflib

from auditlog.models import LogEntry
from django.contrib.auth.models import User
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import QuerySet

from consulta.web.consultations import audit
from consulta.web.privacy_storage import scrub_after_commit
from consulta.web.responses.models import Response
from consulta.web.stakeholders.models import Organisation

# additional_data["response"]["event"] of each action's entry.
WITHDRAWN, DELETED, ORGANISATION_CONFIRMED = "withdrawn", "deleted", "organisation confirmed"
SUGGESTIONS = 5


def log_response_event(response: Response, event: str, actor: User, *, action: int,
                       changes: dict | None = None, **details: str) -> LogEntry:
    """One audit entry about ``response``: the event, its details (a reason, an organisation's
    name) and, for the consultation's trail, the consultation's id."""
    return audit.log_entry(response, actor, {
        "consultation_id": response.phase.consultation_id,
        "response": {"event": event, "reference": response.reference, **details},
    }, action=action, changes=changes)


def response_history(response: Response) -> QuerySet[LogEntry]:
    """The audit entries about this response, newest first."""
    return (
        LogEntry.objects.filter(content_type=ContentType.objects.get_for_model(Response),
                                object_pk=str(response.pk))
        .select_related("actor")
        .order_by("-timestamp", "-pk")
    )


def event_of(entry: LogEntry) -> dict:
    """What an entry written by ``log_response_event`` says (empty for any other entry)."""
    details = (entry.additional_data or {}).get("response")
    return details if isinstance(details, dict) else {}


def withdraw(response: Response, reason: str, actor: User) -> None:
    """Take a submitted response out of the analysis and reports, keeping it and the reason."""
    with transaction.atomic():
        previous = response.status
        response.status, response.withdrawn_reason = Response.Status.WITHDRAWN, reason
        response.save(update_fields=["status", "withdrawn_reason"])
        log_response_event(response, WITHDRAWN, actor, action=LogEntry.Action.UPDATE,
                           changes={"status": [previous, response.status]}, reason=reason)


def delete(response: Response, reason: str, actor: User) -> None:
    """Delete a response and its answers for good; the trail keeps its reference and why.
    "For good" includes SQLite's write-ahead log, checkpointed once this commits."""
    with transaction.atomic():
        log_response_event(response, DELETED, actor, action=LogEntry.Action.DELETE,
                           reason=reason)
        response.delete()
        scrub_after_commit()


def needs_organisation_match(response: Response) -> bool:
    return bool(response.organisation_name) and response.organisation_id is None


def link_organisation(response: Response, organisation: Organisation, actor: User) -> None:
    """Confirm that the organisation the respondent typed is this one of the network."""
    with transaction.atomic():
        response.organisation = organisation
        response.save(update_fields=["organisation"])
        log_response_event(
            response, ORGANISATION_CONFIRMED, actor, action=LogEntry.Action.UPDATE,
            changes={"organisation": [response.organisation_name, organisation.name]},
            organisation=organisation.name, typed=response.organisation_name)


def add_organisation(response: Response, name: str, sector: str, kind: str,
                     actor: User) -> Organisation:
    """Add the typed organisation to the network (audited as any new organisation is) and link
    the response to it."""
    with transaction.atomic():
        organisation = Organisation.objects.create(
            consultation_id=response.phase.consultation_id, name=name, sector=sector, type=kind)
        link_organisation(response, organisation, actor)
    return organisation


def organisation_suggestions(response: Response) -> list[Organisation]:
    """The network's organisations whose names are closest to what the respondent typed: the
    same name ignoring case first, then names containing it or close to it."""
    typed = response.organisation_name.casefold().strip()
    organisations = list(response.phase.consultation.organisations.order_by("name"))
    by_name = {organisation.name.casefold(): organisation for organisation in organisations}
    close = difflib.get_close_matches(typed, list(by_name), n=SUGGESTIONS, cutoff=0.6)
    containing = [name for name in by_name
                  if typed and (typed in name or (len(name) > 3 and name in typed))]
    ranked = ([typed] if typed in by_name else []) + close + containing
    return [by_name[name] for name in dict.fromkeys(ranked)][:SUGGESTIONS]
