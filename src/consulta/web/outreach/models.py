"""Invitations, reminders and the wording of the emails that carry them."""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from consulta.web.consultations.models import Phase
from consulta.web.responses.models import Response
from consulta.web.stakeholders.models import Organisation, Person


class Invitation(models.Model):
    """One person invited to one phase. Sending again re-uses it: never a second invitation.

    Its personal link is an ``InvitationToken`` (hashed). A new link may be issued when the
    invitation is re-sent; earlier links keep working, and a started response stays attached.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Not sent"
        SENT = "sent", "Sent"
        OPENED = "opened", "Opened"
        STARTED = "started", "Started"
        SUBMITTED = "submitted", "Submitted"
        BOUNCED = "bounced", "Bounced"

    phase = models.ForeignKey(Phase, on_delete=models.CASCADE, related_name="invitations")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="invitations")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.SET_NULL, null=True, blank=True, related_name="invitations"
    )
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    send_count = models.PositiveSmallIntegerField(default=0)
    opened_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    # In anonymous phases only the day is kept, and ``response`` is cleared on submission, so
    # the invitation cannot be matched to the anonymous response it led to.
    submitted_at = models.DateTimeField(null=True, blank=True)
    bounced_at = models.DateTimeField(null=True, blank=True)
    bounce_reason = models.TextField(blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    reminder_count = models.PositiveSmallIntegerField(default=0)
    response = models.ForeignKey(
        Response, on_delete=models.SET_NULL, null=True, blank=True, related_name="invitations"
    )

    class Meta:
        ordering = ["phase", "person__name"]
        constraints = [
            models.UniqueConstraint(fields=["phase", "person"], name="one_invitation_per_person")
        ]

    def __str__(self) -> str:
        return f"{self.person} to {self.phase}"

    @property
    def status(self) -> str:
        if self.submitted_at:
            return self.Status.SUBMITTED
        if self.bounced_at:
            return self.Status.BOUNCED
        if self.started_at:
            return self.Status.STARTED
        if self.opened_at:
            return self.Status.OPENED
        return self.Status.SENT if self.sent_at else self.Status.PENDING


class InvitationToken(models.Model):
    """A personal link's secret (at least 128 bits), stored only as a SHA-256 hash."""

    invitation = models.ForeignKey(Invitation, on_delete=models.CASCADE, related_name="tokens")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"link for {self.invitation}"


class MessageTemplate(models.Model):
    """The organiser's wording of a phase's emails; defaults apply where none is saved."""

    class Kind(models.TextChoices):
        INVITATION = "invitation", "Invitation"
        REMINDER = "reminder", "Reminder"

    phase = models.ForeignKey(Phase, on_delete=models.CASCADE, related_name="message_templates")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    subject = models.CharField(max_length=200)
    body = models.TextField(help_text="Plain text. Placeholders: {name}, {organisation}, "
                            "{consultation}, {phase}, {link}, {closes}.")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["phase", "kind"], name="one_template_per_kind")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.phase}"
