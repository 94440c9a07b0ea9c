"""Loading one response for the signed-in user: the one gate of the response pages."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest

from consulta.web.consultations.access import load_membership
from consulta.web.consultations.models import Membership
from consulta.web.responses.listing import LISTED
from consulta.web.responses.models import Response


def load_response(request: HttpRequest, slug: str, reference: str, *,
                  for_edit: bool = False) -> tuple[Membership, Response]:
    """A submitted or withdrawn response of a consultation the user is a member of: 404 to
    outsiders, for another consultation's reference and for drafts (the respondent's, not yet
    given); 403 to read-only members when ``for_edit``."""
    membership = load_membership(request, slug)
    if for_edit and not membership.can_edit:
        raise PermissionDenied("Analysts cannot change responses")
    response = (
        Response.objects.select_related("phase__consultation", "organisation", "role")
        .filter(phase__consultation=membership.consultation, reference=reference,
                status__in=LISTED)
        .first()
    )
    if response is None:
        raise Http404("No such response")
    return membership, response
