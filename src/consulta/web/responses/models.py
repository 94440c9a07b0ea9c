"""Responses and answers.

Identity is kept apart from what people said: ``Response`` and ``Answer`` hold no name or email.
A ``Respondent`` row links a response to a person only in phases that identify people, so an
anonymous phase stores answers with no link to anyone.
"""

from __future__ import annotations

import secrets

from django.db import models
from django.utils import timezone

from consulta.web.consultations.models import Phase, Question, RespondentRole
from consulta.web.stakeholders.models import Organisation, Person

# No 0/O, 1/I/L or U: references are read out over the phone and typed from paper.
REFERENCE_ALPHABET = "ABCDEFGHJKMNPQRSTVWXYZ23456789"


def new_reference() -> str:
    """A short reference like ``K7QM-3XHP`` (~39 bits; uniqueness is enforced by the table)."""
    chars = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(8))
    return f"{chars[:4]}-{chars[4:]}"


class Response(models.Model):
    class Channel(models.TextChoices):
        WEB = "web", "Web form"
        IMPORT = "import", "Imported"
        EMAIL = "email", "Email"
        PAPER = "paper", "Paper"

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Submitted"
        # Taken out of the analysis and reports at the respondent's request (reason kept).
        WITHDRAWN = "withdrawn", "Withdrawn"

    class Consent(models.TextChoices):
        FULL = "full", "Publish in full"
        ANONYMOUS = "anonymous", "Publish anonymously"
        NONE = "none", "Do not publish"

        @classmethod
        def parse(cls, text: str) -> Response.Consent | None:
            wanted = " ".join(text.strip().lower().split())
            aliases = {
                "in full": cls.FULL, "yes": cls.FULL, "anonymously": cls.ANONYMOUS,
                "not at all": cls.NONE, "no": cls.NONE,
            }
            if wanted in aliases:
                return aliases[wanted]
            for consent in cls:
                if wanted in {consent.value, consent.label.lower()}:
                    return consent
            return None

    phase = models.ForeignKey(Phase, on_delete=models.CASCADE, related_name="responses")
    reference = models.CharField(max_length=12, unique=True, default=new_reference)
    channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.WEB)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    created_at = models.DateTimeField(default=timezone.now)
    submitted_at = models.DateTimeField(null=True, blank=True)
    consent = models.CharField(max_length=10, choices=Consent.choices, default=Consent.NONE)
    role = models.ForeignKey(
        RespondentRole, on_delete=models.SET_NULL, null=True, blank=True, related_name="responses"
    )
    # The organisation the respondent belongs to; ``on_behalf`` says whether they answered for it.
    organisation = models.ForeignKey(
        Organisation, on_delete=models.SET_NULL, null=True, blank=True, related_name="responses"
    )
    on_behalf = models.BooleanField(default=False)
    # The organisation as the respondent typed it on a public page. It is never matched to the
    # stakeholder network automatically: an organiser confirms a match (``organisation``).
    organisation_name = models.CharField(max_length=200, blank=True)
    withdrawn_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["submitted_at", "reference"]
        indexes = [models.Index(fields=["phase", "status"])]

    def __str__(self) -> str:
        return self.reference


#: Consents that let an answer be quoted or published (anonymously at least).
PUBLISHABLE_CONSENT = (Response.Consent.FULL, Response.Consent.ANONYMOUS)


class Answer(models.Model):
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="answers")
    text = models.TextField(blank=True)
    choices = models.JSONField(default=list, blank=True)
    # Bumped on every save: co-authors editing one response detect each other's changes.
    revision = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["question__position", "question_id"]
        constraints = [
            models.UniqueConstraint(fields=["response", "question"], name="one_answer_per_question")
        ]

    def __str__(self) -> str:
        return f"{self.response.reference} / {self.question.key}"


class DraftAccess(models.Model):
    """A secret link to a draft response (save and return, colleagues writing together).

    Only a hash of the token is stored. Every access row of a response is deleted when it is
    submitted, so a submitted anonymous response keeps no link to whoever held the link.
    """

    class Purpose(models.TextChoices):
        RESPONDENT = "respondent", "The respondent's own link"
        SHARED = "shared", "Shared with colleagues of an organisation"

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="accesses")
    token_hash = models.CharField(max_length=64, unique=True)
    purpose = models.CharField(max_length=10, choices=Purpose.choices, default=Purpose.RESPONDENT)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"access to {self.response.reference}"


class Respondent(models.Model):
    """Who wrote a response, in phases that identify people. Never created in anonymous phases."""

    response = models.OneToOneField(Response, on_delete=models.CASCADE, related_name="respondent")
    person = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="responses"
    )
    name = models.CharField(max_length=200, blank=True)
    email = models.EmailField(blank=True)

    def __str__(self) -> str:
        return self.name or self.email or "unnamed respondent"
