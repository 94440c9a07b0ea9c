"""Redactions: personal data found in answers that may be published, and analysts' decisions.

A redaction is a span of an answer's text (offsets), never the text itself: storing what was
found would copy personal data into a second table. ``found_text_sha256`` is the hash of the
span when it was found or added; when the answer's text changes under it, the redaction is
stale and its decision no longer applies (services.redacted then holds the text back until
someone reviews it again).
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.db import models
from django.utils import timezone

from consulta.analysis.personal_data import KINDS, PLACEHOLDERS
from consulta.web.responses.models import Answer

KIND_LABELS = {"email": "Email address", "nhs_number": "NHS number", "phone": "Phone number",
               "postcode": "Postcode", "address": "Street address",
               "collar_number": "Collar number", "name": "Name", "other": "Other"}


def span_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class Redaction(models.Model):
    class Status(models.TextChoices):
        PROPOSED = "proposed", "Proposed"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"

    class Source(models.TextChoices):
        MACHINE = "machine", "Found by the scan"
        MANUAL = "manual", "Added by an analyst"

    answer = models.ForeignKey(Answer, on_delete=models.CASCADE, related_name="redactions")
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    kind = models.CharField(max_length=16, choices=[(k, KIND_LABELS[k]) for k in (*KINDS, "other")])
    found_text_sha256 = models.CharField(max_length=64)
    source = models.CharField(max_length=8, choices=Source.choices, default=Source.MACHINE)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PROPOSED)
    # The answer's text changed under the span since it was found: the decision is void.
    stale = models.BooleanField(default=False)
    replacement = models.CharField(max_length=100)
    reason = models.TextField(blank=True)
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                 blank=True, related_name="+")
    reviewed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["answer_id", "start", "pk"]
        indexes = [models.Index(fields=["answer", "status"])]

    def __str__(self) -> str:
        return f"{self.kind} at {self.start}-{self.end} of answer {self.answer_id}"

    @classmethod
    def default_replacement(cls, kind: str) -> str:
        return PLACEHOLDERS.get(kind, "[redacted]")

    def matches(self, text: str) -> bool:
        """Whether the span still holds what was found in ``text`` (the answer's text)."""
        return self.end <= len(text) and span_hash(text[self.start:self.end]) == \
            self.found_text_sha256


class Scan(models.Model):
    """That an answer's text, as it was (its hash), was scanned: its machine findings are all
    Redaction rows. Lets pending_count skip answers whose text has not changed since."""

    answer = models.OneToOneField(Answer, on_delete=models.CASCADE, related_name="redaction_scan")
    text_sha256 = models.CharField(max_length=64)
    scanned_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"scan of answer {self.answer_id}"
