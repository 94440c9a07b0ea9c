"""Which responses the Responses list and its exports show: search, filters and order.

Anonymity: the list and exports never order or filter an anonymous phase's responses by more
than the day they came in (order within a day is by reference, which is random), so neither the
page nor a file can be lined up with the time someone was seen to finish.
"""

from __future__ import annotations

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.db.models.functions import TruncDate

from consulta.web.consultations.models import Consultation, Phase
from consulta.web.responses.models import Answer, Response

LISTED = (Response.Status.SUBMITTED, Response.Status.WITHDRAWN)


def phases_with_counts(consultation: Consultation) -> list[Phase]:
    """The consultation's phases in order, each with its submitted, draft and withdrawn counts."""
    counts = {
        name: Count("responses", filter=Q(responses__status=status))
        for name, status in (("submitted", Response.Status.SUBMITTED),
                             ("drafts", Response.Status.DRAFT),
                             ("withdrawn", Response.Status.WITHDRAWN))
    }
    # Explicit order: Django drops Meta.ordering from a grouped query (PostgreSQL then returns
    # phases in any order).
    return list(consultation.phases.annotate(**counts).order_by("position", "pk"))


def listed_responses(consultation: Consultation, filters: dict,
                     phase_ids: dict[int, int]) -> QuerySet[Response]:
    """Submitted and withdrawn responses matching ``filters`` (a ``ResponseFilterForm``'s),
    newest day first. ``phase_ids``: phase number -> phase pk."""
    responses = Response.objects.filter(phase__consultation=consultation, status__in=LISTED)
    responses = _search(responses, filters.get("q", "").strip())
    responses = responses.filter(_conditions(filters, phase_ids))
    return (
        responses.select_related("phase", "organisation", "role", "respondent",
                                 "typed_organisation")
        .annotate(day=TruncDate("submitted_at"))
        .order_by("-day", "phase__position", "reference")
    )


def _search(responses: QuerySet[Response], words: str) -> QuerySet[Response]:
    if not words:
        return responses
    in_answers = Answer.objects.filter(response=OuterRef("pk"), text__icontains=words)
    return responses.filter(Q(reference__iexact=words) | Exists(in_answers))


def _conditions(filters: dict, phase_ids: dict[int, int]) -> Q:
    condition = Q()
    if "phase" in filters:
        condition &= Q(phase_id=phase_ids.get(filters["phase"]))
    if "organisation" in filters:
        name = filters["organisation"].strip()
        condition &= Q(organisation__name__icontains=name) | Q(organisation_name__icontains=name)
    if "sector" in filters:
        # A typed organisation's sector counts until an organiser links it to the network.
        sector = filters["sector"]
        condition &= Q(organisation__sector=sector) | Q(
            organisation__isnull=True, typed_organisation__sector=sector)
    if "role" in filters:
        condition &= Q(role=filters["role"])
    if "consent" in filters:
        condition &= Q(consent=filters["consent"])
    if "status" in filters:
        condition &= Q(status=filters["status"])
    # By day only, whatever the phase: see the module's docstring.
    if "submitted_from" in filters:
        condition &= Q(submitted_at__date__gte=filters["submitted_from"])
    if "submitted_to" in filters:
        condition &= Q(submitted_at__date__lte=filters["submitted_to"])
    return condition


def organisation_given(response: Response) -> str:
    """The organisation as the respondent gave it: the network's name once an organiser has
    confirmed the match, else what they typed."""
    if response.organisation_id:
        return response.organisation.name
    return response.organisation_name


def sector_given(response: Response) -> str:
    """The sector's label: the network organisation's, else the one typed with its name."""
    if response.organisation_id:
        return response.organisation.get_sector_display()
    typed = getattr(response, "typed_organisation", None)
    return typed.get_sector_display() if typed and typed.sector else ""


def shows_identity(phase: Phase) -> bool:
    """Whether the back office shows who wrote a response: only in identified phases.
    Confidential phases promise to keep who answered apart from what they said."""
    return phase.anonymity == Phase.Anonymity.IDENTIFIED
