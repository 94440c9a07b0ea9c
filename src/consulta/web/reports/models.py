"""Organisers' narrative of a report: the summary, commentary per question and next steps.

Each save is a new ``ReportText`` row with the next version number, so the history of what the
report said is kept; the latest version is the one reports include.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from consulta.web.consultations.models import AuditedInConsultation, Consultation


class ReportText(AuditedInConsultation, models.Model):
    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE,
                                     related_name="report_texts")
    version = models.PositiveIntegerField()
    summary = models.TextField(blank=True)
    next_steps = models.TextField(blank=True)
    # {str(Question pk): commentary}
    commentary = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-version"]
        constraints = [models.UniqueConstraint(fields=["consultation", "version"],
                                               name="one_report_text_per_version")]

    def __str__(self) -> str:
        return f"report text v{self.version} of {self.consultation.slug}"


def latest_text(consultation) -> ReportText | None:
    return ReportText.objects.filter(consultation=consultation).first()
