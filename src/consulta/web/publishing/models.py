"""What a consultation publishes: its results (a snapshot per version), what the organisers
will do about what people said ("we asked, you said, we did"), and who asked to hear back.

Subscribers are people who typed an address on the public page. They are never linked to a
response (the form is not part of the respondent journey), and only the day they asked is kept.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone

from consulta.web.consultations.models import AuditedInConsultation, Consultation, Question


def new_unsubscribe_token() -> str:
    return secrets.token_urlsafe(24)  # 192 bits: it only unsubscribes, but must not be guessed


class Status(models.TextChoices):
    CONSIDERING = "considering", "Under consideration"
    PLANNED = "planned", "Planned"
    IN_PROGRESS = "in_progress", "In progress"
    DONE = "done", "Done"
    NOT_TAKEN = "not_taken", "Not taken forward"


class Action(AuditedInConsultation, models.Model):
    """One thing the organisers will do (or not) in answer to a question or a theme."""

    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE,
                                     related_name="actions")
    question = models.ForeignKey(Question, on_delete=models.SET_NULL, null=True, blank=True,
                                 related_name="actions")
    # The theme's key in the question's analysis (a key, never a label: labels can be words).
    theme_key = models.CharField("theme", max_length=80, blank=True)
    text = models.TextField("what we will do")
    status = models.CharField(max_length=12, choices=Status.choices,
                              default=Status.CONSIDERING)
    # Required when the status is "not taken forward" (checked by the form and the service).
    reason = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["question__phase__position", "question__position", "created_at", "id"]

    def __str__(self) -> str:
        return self.text[:80]


class ActionUpdate(AuditedInConsultation, models.Model):
    """A dated step of an action ("March 2026: the pilot started"), with its status then."""

    audit_consultation_path = "action.consultation_id"

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="updates")
    date = models.DateField(default=timezone.localdate)
    text = models.TextField()
    status = models.CharField(max_length=12, choices=Status.choices)
    created_at = models.DateTimeField(default=timezone.now)
    # When the people who asked to hear back were emailed about it (None: not yet).
    notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-date", "-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.date}: {self.text[:60]}"


class ResultsSubscriber(models.Model):
    """Someone who asked on the public page to be told when results are published."""

    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE,
                                     related_name="results_subscribers")
    email = models.EmailField()
    token = models.CharField(max_length=64, unique=True, default=new_unsubscribe_token)
    # The day only (privacy_storage.day_only): nothing to match against a response's time.
    created_on = models.DateField(default=timezone.localdate)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["consultation", "email"],
                                    name="one_subscription_per_address")
        ]

    def __str__(self) -> str:
        return f"subscriber to {self.consultation.slug}"


class Publication(models.Model):
    """One published version of the results, as it was published: nothing re-renders it."""

    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE,
                                     related_name="publications")
    version = models.PositiveIntegerField()
    published_at = models.DateTimeField(default=timezone.now)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                     null=True, blank=True, related_name="+")
    html = models.TextField()  # the report's body, shown inside the site's layout
    pdf = models.BinaryField()
    docx = models.BinaryField()
    notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["consultation", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["consultation", "version"],
                                    name="one_publication_per_version")
        ]

    def __str__(self) -> str:
        return f"{self.consultation.slug} results, version {self.version}"
