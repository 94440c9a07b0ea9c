"""Back-office pages for responses: the list (search, filters, exports) and importing a table.

One response's page and what organisers do to it are in ``response_views``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from consulta.web.consultations import audit
from consulta.web.consultations.access import load_consultation_for_edit, load_membership
from consulta.web.consultations.models import Consultation, Phase
from consulta.web.import_views import ImportPage, import_views
from consulta.web.responses.exports import ResponseTable
from consulta.web.responses.forms import ResponseFilterForm, ResponseImportForm
from consulta.web.responses.importer import import_responses, optional_columns
from consulta.web.responses.listing import (
    listed_responses,
    organisation_given,
    phases_with_counts,
    sector_given,
    shows_identity,
)
from consulta.web.responses.models import Response
from consulta.web.spreadsheets import CONTENT_TYPES, attachment, table_file

PAGE_SIZE = 50


@dataclass(frozen=True)
class ResponseList:
    """The Responses list of one consultation as the query string asks for it."""

    phases: list[Phase]
    form: ResponseFilterForm
    responses: QuerySet[Response]

    @classmethod
    def of(cls, request: HttpRequest, consultation: Consultation) -> ResponseList:
        phases = phases_with_counts(consultation)
        form = ResponseFilterForm(
            request.GET or None, consultation=consultation,
            phase_names={number: phase.name for number, phase in enumerate(phases, start=1)})
        filters = form.filters() if form.is_bound else {}
        phase_ids = {number: phase.pk for number, phase in enumerate(phases, start=1)}
        return cls(phases, form, listed_responses(consultation, filters, phase_ids))


@login_required
@require_GET
def index(request: HttpRequest, slug: str) -> HttpResponse:
    membership = load_membership(request, slug)
    consultation = membership.consultation
    listing = ResponseList.of(request, consultation)
    page = Paginator(listing.responses, PAGE_SIZE).get_page(request.GET.get("page"))
    numbers = {phase.pk: number for number, phase in enumerate(listing.phases, start=1)}
    return render(request, "responses/index.html", {
        "consultation": consultation, "can_edit": membership.can_edit,
        "phases": [{"number": n, "phase": phase} for n, phase in enumerate(listing.phases, 1)],
        "any_anonymous": any(phase.is_anonymous for phase in listing.phases),
        "form": listing.form, "page": page, "caption": _caption(page),
        "rows": [_row(response, numbers) for response in page],
        "exports": list(CONTENT_TYPES),
    })


def _caption(page) -> str:
    count = page.paginator.count
    if page.paginator.num_pages == 1:
        return f"{count} response{'' if count == 1 else 's'}, newest first"
    return f"Responses {page.start_index()} to {page.end_index()} of {count}, newest first"


def _row(response: Response, numbers: dict[int, int]) -> dict:
    return {
        "response": response, "phase_number": numbers[response.phase_id],
        "organisation": organisation_given(response), "sector": sector_given(response),
        "respondent": (getattr(response, "respondent", None)
                       if shows_identity(response.phase) else None),
    }


@login_required
@require_GET
def export(request: HttpRequest, slug: str, fmt: str) -> HttpResponse:
    """The list as it is filtered, as a CSV file or an Excel workbook (any member)."""
    if fmt not in CONTENT_TYPES:
        raise Http404("No such format")
    consultation = load_membership(request, slug).consultation
    listing = ResponseList.of(request, consultation)
    table = ResponseTable(consultation, listing.phases, listing.responses)
    data = table_file(fmt, "Responses", table.header, table.rows())
    filename = f"{slug}-responses.{fmt}"
    # Who took a copy of the responses (names and emails too, in identified phases), not what.
    audit.record(consultation, request.user, audit.DOWNLOAD, file=filename,
                 responses=table.count)
    return attachment(data, fmt, filename)


def _phase(consultation: Consultation, number: int) -> Phase:
    """The phase at ``number`` counting from 1 in phase order, or 404."""
    phases = list(consultation.phases.all())
    if not 1 <= number <= len(phases):
        raise Http404("No such phase")
    return phases[number - 1]


def _import_page(request: HttpRequest, slug: str, number: int) -> ImportPage:
    consultation = load_consultation_for_edit(request, slug)
    phase = _phase(consultation, number)
    return ImportPage(
        template="responses/import.html",
        form_class=ResponseImportForm,
        context={"consultation": consultation, "phase": phase, "number": number,
                 "questions": phase.questions.all(), "optional_columns": optional_columns(phase)},
        importer=partial(import_responses, phase),
        imported=f"Responses imported into phase {number}",
        next_url=reverse("responses:index", args=[consultation.slug]),
    )


import_form, run_import = import_views(_import_page)
