"""The audit trail of organiser actions (django-auditlog; see docs/adr/0002-audit-trail.md).

Only the organiser's side is audited. Responses and answers are not: the trail would otherwise
copy respondents' words, and anonymous answers, next to an actor and a time.
"""

from __future__ import annotations

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
