"""Inviting a colleague to a consultation: an emailed single-use link, valid for seven days.

The link's token is stored only as its hash (web/tokens.py). Whoever opens it either sets up
an account with their own password, or accepts with the account they are signed in to; either
way they become a member with the invited role, and the link stops working.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from consulta.web.accounts.models import ColleagueInvitation
from consulta.web.consultations.models import Consultation, Membership
from consulta.web.links import absolute
from consulta.web.tokens import hash_token, new_token


def invite(consultation: Consultation, email: str, role: str, by) -> ColleagueInvitation:
    """Record the invitation and email its link. Earlier open invitations to the same address
    for this consultation stop working, so only the latest link counts."""
    token = new_token()
    with transaction.atomic():
        # No address is kept past its link's life: the audit trail records who was invited.
        ColleagueInvitation.objects.filter(expires_at__lt=timezone.now()).delete()
        ColleagueInvitation.objects.filter(
            consultation=consultation, email__iexact=email, accepted_at__isnull=True
        ).delete()
        invitation = ColleagueInvitation.objects.create(
            consultation=consultation, email=email, role=role, invited_by=by,
            token_hash=hash_token(token),
        )
    _send(invitation, token)
    return invitation


def _send(invitation: ColleagueInvitation, token: str) -> None:
    # A title is one line in a subject: a line break there would end the header.
    title = " ".join(invitation.consultation.title.split())
    context = {
        "invitation": invitation,
        "title": title,
        "inviter": invitation.invited_by.get_full_name() or invitation.invited_by.get_username(),
        "link": absolute(reverse("accounts:invitation", kwargs={"token": token})),
        "expires_at": timezone.localtime(invitation.expires_at),
    }
    send_mail(
        f"You are invited to help run a consultation: {title}",
        render_to_string("accounts/email/invitation.txt", context),
        None,  # DEFAULT_FROM_EMAIL
        [invitation.email],
    )


def find_open(token: str) -> ColleagueInvitation | None:
    """The invitation behind a link, if it can still be used."""
    invitation = (
        ColleagueInvitation.objects.select_related("consultation")
        .filter(token_hash=hash_token(token)).first()
    )
    return invitation if invitation and invitation.is_open() else None


def account_for(invitation: ColleagueInvitation):
    """The active account using the invited address, if exactly one does."""
    accounts = list(
        get_user_model().objects.filter(email__iexact=invitation.email, is_active=True)[:2]
    )
    return accounts[0] if len(accounts) == 1 else None


@transaction.atomic
def accept(invitation: ColleagueInvitation, user) -> Membership | None:
    """Make ``user`` a member with the invited role; None if the link was used meanwhile.

    A member already there keeps their role: a link must not take an organiser's rights away.
    """
    used = ColleagueInvitation.objects.filter(pk=invitation.pk, accepted_at__isnull=True).update(
        accepted_at=timezone.now(), accepted_by=user
    )
    if not used:
        return None
    membership, _ = Membership.objects.get_or_create(
        consultation=invitation.consultation, user=user, defaults={"role": invitation.role}
    )
    return membership


@transaction.atomic
def accept_with_new_account(invitation: ColleagueInvitation, form) -> Membership | None:
    """Create the account from a valid ``NewAccountForm``, then accept with it."""
    if not ColleagueInvitation.objects.filter(pk=invitation.pk, accepted_at__isnull=True).exists():
        return None
    user = form.save()
    return accept(invitation, user)
