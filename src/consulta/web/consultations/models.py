"""Consultations, their phases and questions, and who may organise them."""

from __future__ import annotations

import secrets
from urllib.parse import urlencode

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from consulta.web.links import absolute

LONG_TEXT_LIMIT = 20_000
SHORT_TEXT_LIMIT = 500
AGREEMENT_SCALE = [
    "Strongly agree",
    "Agree",
    "Neither agree nor disagree",
    "Disagree",
    "Strongly disagree",
]


def new_access_key() -> str:
    return secrets.token_urlsafe(16)  # 128 bits


class AuditedInConsultation:
    """Audit entries carry their consultation's id, so a consultation's trail keeps the entries
    of things since deleted (django-auditlog stores ``get_additional_data`` with each entry)."""

    audit_consultation_path = "consultation_id"

    def get_additional_data(self) -> dict:
        value = self
        for part in self.audit_consultation_path.split("."):
            value = getattr(value, part)
        return {"consultation_id": value}


class Consultation(AuditedInConsultation, models.Model):
    audit_consultation_path = "pk"

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"
        PUBLISHED = "published", "Published"

    slug = models.SlugField(max_length=80, unique=True)
    title = models.CharField(max_length=200)
    summary = models.TextField(blank=True)
    background = models.TextField(blank=True)
    run_by = models.CharField("run by", max_length=200, blank=True)
    run_for = models.CharField("run for", max_length=200, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    # Respondents see the running organisation's name and colour, not Consulta's or GOV.UK's.
    # White text sits on it, so it must be dark enough (contrast 4.5:1, checked by the form).
    brand_colour = models.CharField(max_length=7, default="#1d3a6e")
    privacy_notice = models.TextField(
        blank=True, help_text="How answers are stored, used and published; shown before starting."
    )
    # Shown to partners who were not invited, and in the privacy notice's contact line.
    contact_email = models.EmailField(
        "contact address", blank=True,
        help_text="Where respondents can ask about the consultation or their data.",
    )
    # UK GDPR storage limitation: after this day the worker deletes identities, drafts and
    # invitation links (answers are kept, unattributed).
    retain_until = models.DateField(
        "keep personal data until", null=True, blank=True,
        help_text="After this date names, email addresses, drafts and links are deleted.",
    )
    require_two_factor = models.BooleanField(
        "members must use two-factor authentication", default=False
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "slug"]

    def __str__(self) -> str:
        return self.title

    def is_public(self) -> bool:
        return self.status != self.Status.DRAFT

    def phase_numbers(self) -> dict[int, int]:
        """Phase pk -> its number as people see it ("Phase 2"), 1 for the first."""
        return {phase.pk: number for number, phase in enumerate(self.phases.all(), start=1)}


class Membership(AuditedInConsultation, models.Model):
    """A user's place in one consultation. Nobody sees a consultation they are not a member of."""

    class Role(models.TextChoices):
        ORGANISER = "organiser", "Organiser"
        ANALYST = "analyst", "Analyst"

    consultation = models.ForeignKey(
        Consultation, on_delete=models.CASCADE, related_name="memberships"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.ORGANISER)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["consultation", "user"], name="one_membership_each")
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.role}) in {self.consultation.slug}"

    @property
    def can_edit(self) -> bool:
        return self.role == self.Role.ORGANISER


class RespondentRole(AuditedInConsultation, models.Model):
    """A role or grade internal respondents choose from (police staff, police officer, ...)."""

    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="roles")
    name = models.CharField(max_length=100)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["consultation", "name"], name="unique_role_name")
        ]

    def __str__(self) -> str:
        return self.name


class Phase(AuditedInConsultation, models.Model):
    class Audience(models.TextChoices):
        INTERNAL = "internal", "Internal (staff)"
        PARTNERS = "partners", "Invited partners"
        PUBLIC = "public", "The public"

    class Anonymity(models.TextChoices):
        IDENTIFIED = "identified", "Identified"
        CONFIDENTIAL = "confidential", "Confidential"
        ANONYMOUS = "anonymous", "Anonymous"

    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="phases")
    position = models.PositiveSmallIntegerField(default=1)
    name = models.CharField(max_length=200)
    audience = models.CharField(max_length=10, choices=Audience.choices)
    anonymity = models.CharField(
        max_length=12, choices=Anonymity.choices, default=Anonymity.IDENTIFIED
    )
    opens_at = models.DateTimeField()
    closes_at = models.DateTimeField()
    intro = models.TextField(blank=True)
    # The secret in an internal phase's shared staff link (not personal: shown to organisers).
    access_key = models.CharField(max_length=32, default=new_access_key, unique=True)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(closes_at__gt=models.F("opens_at")), name="phase_closes_after_opening"
            )
        ]

    def __str__(self) -> str:
        return f"Phase {self.position}: {self.name}"

    def is_open(self, now=None) -> bool:
        now = now or timezone.now()
        return self.opens_at <= now < self.closes_at

    def state(self, now=None) -> str:
        """Where the phase stands for respondents: "unpublished" while its consultation is a
        draft (nobody can reach it, whatever its dates), else "upcoming", "open" or "closed"."""
        if self.consultation.status == Consultation.Status.DRAFT:
            return "unpublished"
        now = now or timezone.now()
        if now < self.opens_at:
            return "upcoming"
        return "open" if now < self.closes_at else "closed"

    def state_label(self, now=None) -> str:
        """The state in words, as every page shows it: "Not published", "Opens on 5 Jan 2027
        at 09:00", "Open" or "Closed"."""
        state = self.state(now)
        if state == "unpublished":
            return "Not published"
        if state == "upcoming":
            opens = timezone.localtime(self.opens_at)
            return f"Opens on {date_format(opens, 'j M Y')} at {date_format(opens, 'H:i')}"
        return state.capitalize()

    def staff_link(self) -> str:
        """The shared link of an internal phase, with its key, as organisers hand it to staff
        (absolute, from ``CONSULTA_BASE_URL``, like the links in invitation emails)."""
        start = reverse("respond:phase-start", kwargs={
            "slug": self.consultation.slug, "number": self.position})
        return absolute(f"{start}?{urlencode({'key': self.access_key})}")

    def rotate_access_key(self) -> None:
        """A new staff link: the old one stops working at once (drafts already started keep
        their own links)."""
        self.access_key = new_access_key()
        self.save(update_fields=["access_key"])

    @property
    def is_anonymous(self) -> bool:
        return self.anonymity == self.Anonymity.ANONYMOUS

    @property
    def has_staff_link(self) -> bool:
        return self.audience == self.Audience.INTERNAL


class Question(AuditedInConsultation, models.Model):
    audit_consultation_path = "phase.consultation_id"

    class Kind(models.TextChoices):
        LONG_TEXT = "long_text", "Long text"
        SHORT_TEXT = "short_text", "Short text"
        SINGLE_CHOICE = "single_choice", "Single choice"
        MULTIPLE_CHOICE = "multiple_choice", "Multiple choice"
        AGREEMENT_SCALE = "agreement_scale", "Agreement scale"

    CHOICE_KINDS = {Kind.SINGLE_CHOICE, Kind.MULTIPLE_CHOICE, Kind.AGREEMENT_SCALE}

    phase = models.ForeignKey(Phase, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveSmallIntegerField(default=1)
    # A stable, short name for the question: import column headers and exports refer to it.
    key = models.SlugField(max_length=50)
    title = models.CharField(max_length=500)
    context = models.TextField(blank=True, help_text="Shown with the question as its hint.")
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.LONG_TEXT)
    required = models.BooleanField(default=False)
    options = models.JSONField(default=list, blank=True)
    max_length = models.PositiveIntegerField(default=LONG_TEXT_LIMIT)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["phase", "key"], name="unique_question_key_per_phase")
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def has_options(self) -> bool:
        return self.kind in self.CHOICE_KINDS

    def choices_offered(self) -> list[str]:
        if self.kind == self.Kind.AGREEMENT_SCALE and not self.options:
            return list(AGREEMENT_SCALE)
        return list(self.options)
