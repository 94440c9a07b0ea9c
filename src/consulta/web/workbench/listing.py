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

from consulta.web.analysis.models import AnalysisRun, CodedTheme, Coding
from consulta.web.consultations.models import Phase, Question
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


def page_of(rows: QuerySet, number) -> Page:
    return Paginator(with_themes(rows), PER_PAGE).get_page(number)


def choices(run: AnalysisRun, question: Question) -> dict[str, list[str]]:
    """The values the filters offer, from this question's coded answers."""
    rows = Coding.objects.filter(run=run, answer__question=question)

    def distinct(field):
        return sorted(v for v in rows.values_list(field, flat=True).distinct() if v)

    return {
        "sentiment": distinct("sentiment"),
        "organisation_type": distinct("answer__response__organisation__type"),
        "sector": distinct("answer__response__organisation__sector"),
        "role": distinct("answer__response__role__name"),
    }
