"""Storage limitation: personal data is kept only as long as each consultation says.

- After a consultation's ``retain_until`` day, its people (with their audience places,
  invitations and invitation links), respondent records and drafts are deleted, and their names
  and addresses scrubbed from its audit trail. Submitted answers stay, unattributed.
- Unsubmitted drafts are deleted once their phase has been closed for
  ``CONSULTA_DRAFT_GRACE_DAYS`` days (nobody can finish them; they may hold a name).

``consulta worker`` runs this at start and then hourly (``tasks.py``); running it again
finds nothing more to do. Each purge leaves one audit entry with counts, never names.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from auditlog.context import disable_auditlog
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from consulta.web.consultations.models import Consultation
from consulta.web.outreach.models import Invitation, InvitationToken
from consulta.web.privacy import scrub
from consulta.web.publishing.models import ResultsSubscriber
from consulta.web.responses.models import DraftAccess, Respondent, Response
from consulta.web.stakeholders.models import Person

AUDIT_KEY = "retention"
IDENTITIES, DRAFTS = "identities", "drafts"
NOTHING = "Nothing to delete: no retention date has passed and no closed phase has old drafts."


@dataclass
class Purge:
    consultation: Consultation
    kind: str  # IDENTITIES or DRAFTS
    counts: dict[str, int]


@dataclass
class RetentionSummary:
    purges: list[Purge] = field(default_factory=list)
    dry_run: bool = False

    def lines(self) -> list[str]:
        verb = "Would delete" if self.dry_run else "Deleted"
        lines = []
        for purge in self.purges:
            counts = ", ".join(f"{n} {what}" for what, n in purge.counts.items() if n)
            why = ("retention date passed" if purge.kind == IDENTITIES
                   else "drafts of closed phases")
            lines.append(f"{purge.consultation.slug} ({why}): {verb.lower()} {counts}.")
        return lines or [NOTHING]


def grace_days() -> int:
    return int(getattr(settings, "CONSULTA_DRAFT_GRACE_DAYS", 30))


def is_due(now: datetime | None = None) -> bool:
    """Whether ``apply_retention`` would find anything (two cheap queries; the worker asks
    hourly and queues a run only then)."""
    now = now or timezone.now()
    expired = Consultation.objects.filter(retain_until__lt=timezone.localdate(now))
    old_drafts = Response.objects.filter(
        status=Response.Status.DRAFT, phase__closes_at__lt=now - timedelta(days=grace_days()))
    held = Person.objects.filter(consultation__in=expired).exists() or Response.objects.filter(
        phase__consultation__in=expired, status=Response.Status.DRAFT).exists() or (
        Respondent.objects.filter(response__phase__consultation__in=expired).exists())
    return held or old_drafts.exists()


def apply_retention(now: datetime | None = None, *, dry_run: bool = False) -> RetentionSummary:
    """Delete what has been kept long enough (see the module's docstring); ``dry_run`` only
    counts."""
    now = now or timezone.now()
    summary = RetentionSummary(dry_run=dry_run)
    expired = Consultation.objects.filter(retain_until__lt=timezone.localdate(now))
    for consultation in expired.order_by("pk"):
        summary.purges.append(_identities(consultation, dry_run))
    summary.purges += _old_drafts(now - timedelta(days=grace_days()), dry_run)
    summary.purges = [purge for purge in summary.purges if any(purge.counts.values())]
    if summary.purges and not dry_run:
        scrub.wipe_free_space()
    return summary


def _identities(consultation: Consultation, dry_run: bool) -> Purge:
    people = Person.objects.filter(consultation=consultation)
    respondents = Respondent.objects.filter(response__phase__consultation=consultation)
    drafts = Response.objects.filter(phase__consultation=consultation,
                                     status=Response.Status.DRAFT)
    subscribers = ResultsSubscriber.objects.filter(consultation=consultation)
    addresses = set(people.exclude(email="").values_list("email", flat=True))
    addresses |= set(subscribers.values_list("email", flat=True))
    addresses |= set(respondents.exclude(email="").values_list("email", flat=True))
    names = set(people.values_list("name", flat=True)) | set(
        respondents.values_list("name", flat=True))
    found = scrub.pattern(addresses | names)
    audit = scrub.audit_mentions([consultation.pk], found)
    answers = scrub.answers_mentioning([consultation.pk], addresses)
    counts = {
        "people": people.count(),
        "invitations": Invitation.objects.filter(person__consultation=consultation).count(),
        "invitation links": InvitationToken.objects.filter(
            invitation__person__consultation=consultation).count(),
        "respondent records": respondents.count(),
        "drafts": drafts.count(),
        "draft links": DraftAccess.objects.filter(
            response__phase__consultation=consultation).count(),
        "answers quoting an address": answers.count(),
        "requests to hear about results": subscribers.count(),
        "audit entries scrubbed": len(audit),
    }
    if not dry_run and any(counts.values()):
        with transaction.atomic(), disable_auditlog():
            if found is not None:
                scrub.scrub_answers(answers, found)
                scrub.scrub_audit(audit, found)
            respondents.delete()
            drafts.delete()
            # Submitted responses keep no links (deleted on submission); any left go too.
            DraftAccess.objects.filter(response__phase__consultation=consultation).delete()
            people.delete()  # with audience places, invitations and their links
            subscribers.delete()
            scrub.log_summary(consultation, AUDIT_KEY, {"kind": IDENTITIES, "counts": counts})
    return Purge(consultation, IDENTITIES, counts)


def _old_drafts(closed_before: datetime, dry_run: bool) -> list[Purge]:
    """Unsubmitted drafts of phases closed before ``closed_before``, per consultation."""
    drafts = Response.objects.filter(status=Response.Status.DRAFT,
                                     phase__closes_at__lt=closed_before)
    consultation_ids = sorted(set(drafts.values_list("phase__consultation_id", flat=True)))
    purges = []
    for consultation in Consultation.objects.filter(pk__in=consultation_ids).order_by("pk"):
        theirs = drafts.filter(phase__consultation=consultation)
        counts = {
            "drafts": theirs.count(),
            "draft links": DraftAccess.objects.filter(response__in=theirs).count(),
            "respondent records": Respondent.objects.filter(response__in=theirs).count(),
        }
        if not dry_run:
            with transaction.atomic(), disable_auditlog():
                Response.objects.filter(pk__in=list(theirs.values_list("pk", flat=True))).delete()
                scrub.log_summary(consultation, AUDIT_KEY, {"kind": DRAFTS, "counts": counts})
        purges.append(Purge(consultation, DRAFTS, counts))
    return purges
