"""The stakeholder network of a consultation: organisations, people, and who each phase reaches."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone

from consulta.web.consultations.models import AuditedInConsultation, Consultation, Phase

# Suggested organisation types; organisers may type their own.
ORGANISATION_TYPES = [
    "NHS trust",
    "ambulance service",
    "local authority",
    "fire and rescue service",
    "probation and justice",
    "education",
    "housing association",
    "charity",
    "community group",
    "faith organisation",
    "social enterprise",
    "business",
    "business association",
    "transport operator",
    "university",
    "think tank",
    "police service",
    "other",
]


class Sector(models.TextChoices):
    PUBLIC = "public", "Public"
    PRIVATE = "private", "Private"
    VOLUNTARY = "voluntary", "Voluntary and community"
    ACADEMIC = "academic", "Academic"
    OTHER = "other", "Other"

    @classmethod
    def parse(cls, text: str) -> Sector | None:
        """Read a sector from its value or label, ignoring case ("Voluntary and community")."""
        wanted = " ".join(text.strip().lower().replace("&", "and").split())
        for sector in cls:
            if wanted in {sector.value, sector.label.lower()}:
                return sector
        return None


class Organisation(AuditedInConsultation, models.Model):
    consultation = models.ForeignKey(
        Consultation, on_delete=models.CASCADE, related_name="organisations"
    )
    name = models.CharField(max_length=200)
    sector = models.CharField(max_length=10, choices=Sector.choices)
    type = models.CharField(max_length=100, blank=True)
    parent = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="children"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["consultation", "name"], name="unique_organisation_name"
            )
        ]

    def __str__(self) -> str:
        return self.name


class Person(AuditedInConsultation, models.Model):
    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="people")
    name = models.CharField(max_length=200)
    email = models.EmailField(blank=True)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.SET_NULL, null=True, blank=True, related_name="people"
    )
    job_title = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    # Set by the unsubscribe link in every email; nothing more is sent to them after that.
    unsubscribed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name", "email"]
        constraints = [
            models.UniqueConstraint(
                fields=["consultation", "email"],
                condition=~Q(email=""),
                name="unique_person_email",
            )
        ]
        verbose_name_plural = "people"

    def __str__(self) -> str:
        return self.name or self.email


class AudienceMember(AuditedInConsultation, models.Model):
    """One person or organisation a phase is meant to reach (invitations build on this)."""

    audit_consultation_path = "phase.consultation_id"

    phase = models.ForeignKey(Phase, on_delete=models.CASCADE, related_name="audience_members")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, null=True, blank=True, related_name="audiences"
    )
    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, null=True, blank=True, related_name="audiences"
    )
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(organisation__isnull=False) | Q(person__isnull=False),
                name="audience_member_is_someone",
            ),
            models.UniqueConstraint(
                fields=["phase", "person"],
                condition=Q(person__isnull=False),
                name="unique_audience_person",
            ),
            models.UniqueConstraint(
                fields=["phase", "organisation"],
                condition=Q(person__isnull=True),
                name="unique_audience_organisation",
            ),
        ]

    def __str__(self) -> str:
        return str(self.person or self.organisation)
