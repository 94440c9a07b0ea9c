"""The answers to one question as the workbench lists them: searched, filtered, a page at a time.

A page costs one query for its rows (each answer's coding, response, organisation and role,
with whether a person reviewed or recoded it) and one for their themes, besides the count.
Groups (sector, organisation type, role) are shown and filtered only in phases that are not
anonymous: a role beside an anonymous answer can say who wrote it.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.paginator import Page, Paginator
from django.db.models import Exists, F, OuterRef, Prefetch, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils.functional import cached_property

from consulta.analysis.constants import SENTIMENTS
from consulta.web.analysis.models import AnalysisRun, CodedTheme, Coding
from consulta.web.consultations.models import Phase, Question, RespondentRole
from consulta.web.responses.models import Response
from consulta.web.stakeholders.models import Organisation
from consulta.web.workbench.models import Review

PER_PAGE = 50
LOW_CONFIDENCE = 0.5
# The library's stance per answer, where the run stored one (a later column of Coding).
MACHINE_STANCE = any(field.name == "stance" for field in Coding._meta.get_fields())


@dataclass(frozen=True)
class Groups:
    """Which group filters a question's phase allows."""

    organisations: bool  # sector, organisation type: partners' phases that identify people
    roles: bool  # role: internal phases that identify people

    @classmethod
    def of(cls, phase: Phase) -> Groups:
        open_ = not phase.is_anonymous
        internal = phase.audience == Phase.Audience.INTERNAL
        return cls(organisations=open_ and not internal, roles=open_ and internal)


def codings(run: AnalysisRun, question: Question) -> QuerySet:
    """Every coded answer to ``question`` in ``run``, annotated for the list."""
    reviews = Review.objects.filter(run=run, answer=OuterRef("answer_id"))
    done = reviews.filter(reviewed_at__isnull=False)
    stance = Subquery(done.exclude(stance="").order_by("-reviewed_at").values("stance")[:1])
    rows = Coding.objects.filter(run=run, answer__question=question).annotate(
        reviewed=Exists(done),
        person=Exists(done) | Exists(CodedTheme.objects.filter(
            coding=OuterRef("pk"), source=CodedTheme.Source.ANALYST)),
        stance_shown=Coalesce(stance, F("stance") if MACHINE_STANCE else Value("")),
    )
    return rows.select_related("answer__response__organisation", "answer__response__role")


def with_themes(rows: QuerySet) -> QuerySet:
    return rows.prefetch_related(Prefetch(
        "coded_themes", queryset=CodedTheme.objects.select_related("theme")
        .order_by("-confidence", "theme__key")))


def apply_filters(rows: QuerySet, data: dict, groups: Groups) -> QuerySet:
    """``data``: a filter form's cleaned_data; empty values filter nothing."""
    if data.get("q"):
        rows = rows.filter(answer__text__icontains=data["q"])
    if data.get("theme") == "none":
        rows = rows.filter(coded_themes__isnull=True)
    elif data.get("theme"):
        rows = rows.filter(coded_themes__theme__key=data["theme"])
    for name, lookup in (("stance", "stance_shown"), ("sentiment", "sentiment")):
        if data.get(name):
            rows = rows.filter(**{lookup: data[name]})
    if groups.organisations and data.get("sector"):
        rows = rows.filter(answer__response__organisation__sector=data["sector"])
    if groups.organisations and data.get("organisation_type"):
        rows = rows.filter(answer__response__organisation__type=data["organisation_type"])
    if groups.roles and data.get("role"):
        rows = rows.filter(answer__response__role__name=data["role"])
    campaign = data.get("campaign")
    if campaign:
        rows = rows.filter(~Q(campaign="")) if campaign == "yes" else rows.filter(campaign="")
    if data.get("coded_by"):
        rows = rows.filter(person=data["coded_by"] == "person")
    if data.get("low_confidence"):
        rows = rows.filter(confidence__lt=LOW_CONFIDENCE)
    if data.get("unreviewed"):
        rows = rows.filter(reviewed=False)
    order = ("confidence", "pk") if data.get("order") == "confidence" else ("pk",)
    return rows.order_by(*order)


COUNT_CAP = 10_000  # rows counted at most: an exact count of 225,000 codings took ~1 s


class CappedPaginator(Paginator):
    """Counts at most ``cap`` rows (a LIMIT the database stops at) instead of every match:
    ``more`` says there are others, and the page shows "more than" the count."""

    def __init__(self, rows: QuerySet, per_page: int, cap: int):
        super().__init__(rows, per_page)
        self.cap = cap
        self.more = False

    @cached_property
    def count(self) -> int:
        found = len(self.object_list.order_by().values_list("pk", flat=True)[: self.cap + 1])
        self.more = found > self.cap
        return min(found, self.cap)


def page_of(rows: QuerySet, number) -> Page:
    """A page of ``rows``; counting stops at COUNT_CAP rows, or past the page asked for."""
    try:
        asked = max(int(number), 1)
    except (TypeError, ValueError):
        asked = 1
    cap = max(COUNT_CAP, (asked + 1) * PER_PAGE)  # the page asked for and a next one
    return CappedPaginator(with_themes(rows), PER_PAGE, cap).get_page(number)


def choices(run: AnalysisRun, question: Question, groups: Groups) -> dict[str, list[str]]:
    """The values the filters offer. From small tables, not DISTINCT over the question's coded
    answers (four scans of 225,000 rows took 3 s at a million answers): the library's
    sentiments that some coded answer has (each EXISTS stops at its first), and the sectors,
    organisation types and roles of the organisations and roles that responded in the phase;
    only those the phase shows."""
    rows = Coding.objects.filter(run=run, answer__question=question)
    phase = question.phase
    found = {"sentiment": [s for s in SENTIMENTS if rows.filter(sentiment=s).exists()],
             "organisation_type": [], "sector": [], "role": []}
    if groups.organisations:
        answered = Exists(Response.objects.filter(organisation=OuterRef("pk"), phase=phase))
        pairs = set(Organisation.objects.filter(consultation_id=phase.consultation_id)
                    .filter(answered).values_list("sector", "type"))
        found["sector"] = sorted({sector for sector, _ in pairs if sector})
        found["organisation_type"] = sorted({kind for _, kind in pairs if kind})
    if groups.roles:
        answered = Exists(Response.objects.filter(role=OuterRef("pk"), phase=phase))
        found["role"] = sorted(set(RespondentRole.objects.filter(
            consultation_id=phase.consultation_id).filter(answered)
            .values_list("name", flat=True)) - {""})
    return found
