"""Creating organiser accounts (used by ``consulta createorganiser`` and ``consulta demo``)."""

from __future__ import annotations

from django.contrib.auth.models import Permission, User
from django.db import transaction

from consulta.web.consultations.models import Consultation, Membership


@transaction.atomic
def make_organiser(
    email: str, password: str, *, username: str | None = None, consultations: list[str] = ()
) -> User:
    """Create or update the account, let it create consultations, and join the given ones.

    Raises ``LookupError`` (and changes nothing) when a consultation slug does not exist.
    """
    found = {c.slug: c for c in Consultation.objects.filter(slug__in=consultations)}
    missing = [slug for slug in consultations if slug not in found]
    if missing:
        raise LookupError(f"no consultation with slug {missing[0]!r}")
    user, _ = User.objects.get_or_create(username=username or email, defaults={"email": email})
    user.email = email
    user.set_password(password)
    user.save()
    user.user_permissions.add(
        Permission.objects.get(content_type__app_label="consultations", codename="add_consultation")
    )
    for consultation in found.values():
        Membership.objects.update_or_create(
            consultation=consultation, user=user, defaults={"role": Membership.Role.ORGANISER}
        )
    return user
