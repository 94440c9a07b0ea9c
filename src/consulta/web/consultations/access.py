"""Loading a consultation for the signed-in user: the one gate every back-office view goes through.

Outsiders get 404, not 403, so the back office never confirms that a consultation exists.
Members who may only read (analysts) get 403 from views that change things. A consultation
that requires two-factor authentication sends members without a code in this session to give
one (``TwoFactorRequired``, turned into a redirect by accounts' middleware).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest

from consulta.web.accounts.two_factor import TwoFactorRequired, is_verified
from consulta.web.consultations.models import Consultation, Membership


def load_membership(request: HttpRequest, slug: str) -> Membership:
    membership = (
        Membership.objects.select_related("consultation")
        .filter(consultation__slug=slug, user_id=request.user.pk)
        .first()
    )
    if membership is None:
        raise Http404("No such consultation")
    if membership.consultation.require_two_factor and not is_verified(request.user):
        raise TwoFactorRequired(
            f"“{membership.consultation.title}” requires two-factor authentication."
        )
    return membership


def load_consultation(request: HttpRequest, slug: str) -> Consultation:
    """A consultation the user is a member of (any role), or 404."""
    return load_membership(request, slug).consultation


def load_consultation_for_edit(request: HttpRequest, slug: str) -> Consultation:
    """A consultation the user organises: 404 to outsiders, 403 to read-only members."""
    membership = load_membership(request, slug)
    if not membership.can_edit:
        raise PermissionDenied("Analysts cannot change a consultation")
    return membership.consultation


def can_create_consultations(user) -> bool:
    return user.is_authenticated and user.has_perm("consultations.add_consultation")
