"""Forgetting one person on request (UK GDPR article 17, the right to erasure).

Everything that names them goes: their entries in the stakeholder network (with their place in
phases' audiences and the unsubscribe date kept on them), invitations and their links, drafts
started from those invitations with every link to them (co-authors' shared links included),
respondent records, requests to hear about results, and their name and address wherever the audit trail or an answer quotes
them. What they said stays, unattributed, unless the responses are to be deleted too. The audit
trail then records that an erasure happened, with counts, never whom (ADR 0008).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from auditlog.context import disable_auditlog
from django.db import transaction
from django.db.models import Q

from consulta.web.accounts.models import ColleagueInvitation
from consulta.web.consultations.models import Consultation
from consulta.web.outreach.models import Invitation, InvitationToken
from consulta.web.privacy import scrub
from consulta.web.publishing.models import ResultsSubscriber
from consulta.web.responses.models import DraftAccess, Respondent, Response
from consulta.web.stakeholders.models import AudienceMember, Person

AUDIT_KEY = "erasure"


@dataclass
class Traces:
    """What names one person in the scope searched, found before anything is removed."""

    email: str
    consultation_ids: list[int] | None  # None: every consultation
    delete_responses: bool
    people: list[int] = field(default_factory=list)
    names: set[str] = field(default_factory=set)
    invitations: list[int] = field(default_factory=list)
    respondents: list[int] = field(default_factory=list)
    drafts: list[int] = field(default_factory=list)
    responses: list[int] = field(default_factory=list)  # sent, with a respondent or invitation
    colleague_invitations: list[int] = field(default_factory=list)  # to join the back office
    subscriptions: list[int] = field(default_factory=list)  # asked to hear about results
    counts: dict[str, int] = field(default_factory=dict)
    audit: list = field(default_factory=list)
    task_rows: list = field(default_factory=list)
    # False when SQLite's log could not be emptied at once (the running site was reading it)
    files_clean: bool = True

    @property
    def found(self) -> bool:
        return any(self.counts.values())


def _in_scope(queryset, path: str, ids: list[int] | None):
    return queryset if ids is None else queryset.filter(**{f"{path}__in": ids})


def find(email: str, consultations: list[Consultation] | None = None, *,
         delete_responses: bool = False) -> Traces:
    """Everything ``forget`` would remove, with counts to show before confirming."""
    email = email.strip()
    ids = None if consultations is None else [c.pk for c in consultations]
    traces = Traces(email=email, consultation_ids=ids, delete_responses=delete_responses)
    people = _in_scope(Person.objects.filter(email__iexact=email), "consultation_id", ids)
    traces.people = list(people.values_list("pk", flat=True))
    respondents = _in_scope(
        Respondent.objects.filter(Q(email__iexact=email) | Q(person_id__in=traces.people)),
        "response__phase__consultation_id", ids)
    traces.respondents = list(respondents.values_list("pk", flat=True))
    traces.names = {name for name in people.values_list("name", flat=True) if name}
    traces.names |= {name for name in respondents.values_list("name", flat=True) if name}
    invitations = Invitation.objects.filter(person_id__in=traces.people)
    traces.invitations = list(invitations.values_list("pk", flat=True))
    theirs = Response.objects.filter(
        Q(respondent__pk__in=traces.respondents) | Q(invitations__pk__in=traces.invitations))
    response_ids = set(theirs.values_list("pk", flat=True))
    traces.drafts = sorted(Response.objects.filter(pk__in=response_ids, status=Response.Status.DRAFT)
                           .values_list("pk", flat=True))
    traces.responses = sorted(response_ids - set(traces.drafts))
    colleagues = _in_scope(ColleagueInvitation.objects.filter(email__iexact=email),
                           "consultation_id", ids)
    traces.colleague_invitations = list(colleagues.values_list("pk", flat=True))
    subscriptions = _in_scope(ResultsSubscriber.objects.filter(email__iexact=email),
                              "consultation_id", ids)
    traces.subscriptions = list(subscriptions.values_list("pk", flat=True))
    found = scrub.pattern([email, *traces.names])
    traces.audit = scrub.audit_mentions(ids, found)
    traces.task_rows = scrub.task_rows_mentioning(scrub.pattern([email]))
    traces.counts = _counts(traces, ids)
    return traces


def _counts(traces: Traces, ids: list[int] | None) -> dict[str, int]:
    return {
        "people": len(traces.people),
        "audience places": AudienceMember.objects.filter(person_id__in=traces.people).count(),
        "unsubscribe records": Person.objects.filter(
            pk__in=traces.people, unsubscribed_at__isnull=False).count(),
        "invitations": len(traces.invitations),
        "invitation links": InvitationToken.objects.filter(
            invitation_id__in=traces.invitations).count(),
        "respondent records": len(traces.respondents),
        "drafts": len(traces.drafts),
        "draft links": DraftAccess.objects.filter(response_id__in=traces.drafts).count(),
        ("responses deleted" if traces.delete_responses else "responses kept unattributed"):
            len(traces.responses),
        "colleague invitations": len(traces.colleague_invitations),
        "requests to hear about results": len(traces.subscriptions),
        "answers quoting the address": scrub.answers_mentioning(ids, [traces.email]).count(),
        "audit entries scrubbed": len(traces.audit),
        "task records scrubbed": len(traces.task_rows),
    }


def forget(traces: Traces, *, actor=None) -> dict[str, int]:
    """Remove what ``find`` found, in one transaction, then clear the database files of it.

    The audit trail gets one entry per consultation concerned, with counts only; django-
    auditlog's own entries for the deleted rows are suppressed (they would copy the name and
    address straight back)."""
    found = scrub.pattern([traces.email, *traces.names])
    with transaction.atomic(), disable_auditlog():
        touched = _consultations_touched(traces)
        scrub.scrub_answers(scrub.answers_mentioning(traces.consultation_ids, [traces.email]),
                            found)
        Respondent.objects.filter(pk__in=traces.respondents).delete()
        gone = traces.drafts + (traces.responses if traces.delete_responses else [])
        Response.objects.filter(pk__in=gone).delete()  # with their answers and draft links
        Person.objects.filter(pk__in=traces.people).delete()  # audience, invitations, links
        ColleagueInvitation.objects.filter(pk__in=traces.colleague_invitations).delete()
        ResultsSubscriber.objects.filter(pk__in=traces.subscriptions).delete()
        if found is not None:
            # Found again inside the transaction: entries written since ``find`` count too.
            scrub.scrub_audit(scrub.audit_mentions(traces.consultation_ids, found), found)
            scrub.scrub_task_rows(traces.task_rows, found)
        for consultation in touched:
            scrub.log_summary(consultation, AUDIT_KEY, {"counts": traces.counts}, actor=actor)
    traces.files_clean = scrub.wipe_free_space()
    return traces.counts


def _consultations_touched(traces: Traces) -> list[Consultation]:
    """Where the erasure is recorded: the consultation asked about, or every one that held
    something of the person."""
    if traces.consultation_ids is not None:
        return list(Consultation.objects.filter(pk__in=traces.consultation_ids))
    ids = set(Person.objects.filter(pk__in=traces.people).values_list("consultation_id",
                                                                       flat=True))
    ids |= set(Response.objects.filter(pk__in=traces.drafts + traces.responses)
               .values_list("phase__consultation_id", flat=True))
    ids |= set(ColleagueInvitation.objects.filter(pk__in=traces.colleague_invitations)
               .values_list("consultation_id", flat=True))
    ids |= set(ResultsSubscriber.objects.filter(pk__in=traces.subscriptions)
               .values_list("consultation_id", flat=True))
    ids |= {entry.additional_data.get("consultation_id") for entry in traces.audit
            if isinstance(entry.additional_data, dict)}
    return list(Consultation.objects.filter(pk__in=[i for i in ids if i]).order_by("pk"))
