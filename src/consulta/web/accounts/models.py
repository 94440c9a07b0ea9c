"""Accounts use Django's own User; organisers are users with the "add consultation" permission.

A colleague joins a consultation through a ``ColleagueInvitation``: an emailed, single-use,
expiring link (stored only as a hash) with which they set their own password, or accept with
the account they have.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone

from consulta.web.consultations.models import AuditedInConsultation, Consultation, Membership

INVITATION_LIFETIME = timedelta(days=7)


def invitation_expiry():
    return timezone.now() + INVITATION_LIFETIME


class ColleagueInvitation(AuditedInConsultation, models.Model):
    consultation = models.ForeignKey(
        Consultation, on_delete=models.CASCADE, related_name="colleague_invitations"
    )
    email = models.EmailField()
    role = models.CharField(max_length=10, choices=Membership.Role.choices)
    token_hash = models.CharField(max_length=64, unique=True)  # web/tokens.py hash_token
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(default=invitation_expiry)
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )

    def __str__(self) -> str:
        return f"Invitation for {self.email} as {self.get_role_display()}"

    def is_open(self, now=None) -> bool:
        """Still usable: not accepted and not expired."""
        return self.accepted_at is None and (now or timezone.now()) < self.expires_at
