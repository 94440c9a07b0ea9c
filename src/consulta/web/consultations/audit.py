"""The audit trail of organiser actions (django-auditlog; see docs/adr/0002-audit-trail.md).

Only the organiser's side is audited. Responses and answers are not: the trail would otherwise
copy respondents' words, and anonymous answers, next to an actor and a time.
"""

from __future__ import annotations

from django.db.models import Q

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
    """The latest audit entries for a consultation and everything that belongs to it."""
    from auditlog.models import LogEntry

    from consulta.web.consultations.models import Phase, Question
    from consulta.web.stakeholders.models import Organisation, Person

    owned = {
        "consultation": [consultation.pk],
        "phase": list(Phase.objects.filter(consultation=consultation).values_list("pk", flat=True)),
        "question": list(
            Question.objects.filter(phase__consultation=consultation).values_list("pk", flat=True)
        ),
        "respondentrole": list(consultation.roles.values_list("pk", flat=True)),
        "organisation": list(
            Organisation.objects.filter(consultation=consultation).values_list("pk", flat=True)
        ),
        "person": list(Person.objects.filter(consultation=consultation).values_list("pk", flat=True)),
    }
    query = Q(pk__in=[])
    for model_name, pks in owned.items():
        query |= Q(content_type__model=model_name, object_pk__in=[str(pk) for pk in pks])
    return LogEntry.objects.filter(query).select_related("actor").order_by("-timestamp")[:limit]
