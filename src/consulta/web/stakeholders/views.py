"""Back-office pages for the stakeholder network: the list (searchable), importing it from a
table and exporting it as one. Organisations and people have pages of their own
(organisation_views.py, person_views.py)."""

from __future__ import annotations

from functools import partial

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from consulta.web.consultations import audit
from consulta.web.consultations.access import load_consultation_for_edit, load_membership
from consulta.web.import_views import ImportPage, import_views
from consulta.web.spreadsheets import CONTENT_TYPES, attachment
from consulta.web.stakeholders.export import export_filename, network_csv, network_xlsx
from consulta.web.stakeholders.forms import ImportForm, NetworkFilterForm
from consulta.web.stakeholders.importer import import_stakeholders
from consulta.web.stakeholders.models import Sector

PER_PAGE = 50


@login_required
@require_GET
def index(request: HttpRequest, slug: str) -> HttpResponse:
    membership = load_membership(request, slug)
    consultation = membership.consultation
    network = consultation.organisations
    types = sorted(set(network.exclude(type="").values_list("type", flat=True)), key=str.lower)
    search = NetworkFilterForm(request.GET, types=types)
    organisations = _filtered(network.all(), search)
    page = Paginator(organisations, PER_PAGE).get_page(request.GET.get("page"))
    counts = dict(network.values_list("sector").annotate(n=Count("id")).order_by())
    return render(request, "stakeholders/index.html", {
        "consultation": consultation,
        "can_edit": membership.can_edit,
        "search": search,
        "filtered": any(search.cleaned_data.values()),
        "organisations": page,
        "page": page,
        "sectors": [(sector.label, counts.get(sector.value, 0)) for sector in Sector],
        "organisation_count": sum(counts.values()),
        "people_count": consultation.people.count(),
    })


def _filtered(organisations, search: NetworkFilterForm):
    if not search.is_valid():  # an unknown sector or type in the address: show everything
        search.cleaned_data = {}
        return _listed(organisations)
    wanted = search.cleaned_data
    if wanted.get("q"):
        organisations = organisations.filter(name__icontains=wanted["q"].strip())
    if wanted.get("sector"):
        organisations = organisations.filter(sector=wanted["sector"])
    if wanted.get("type"):
        organisations = organisations.filter(type=wanted["type"])
    return _listed(organisations)


def _listed(organisations):
    # Django leaves Meta.ordering out of GROUP BY queries: order explicitly.
    return (organisations.select_related("parent").annotate(people_count=Count("people"))
            .order_by("name", "pk"))


@login_required
@require_GET
def export(request: HttpRequest, slug: str, kind: str) -> HttpResponse:
    """The whole network as CSV or XLSX. Organisers only: it holds everyone's email address,
    which analysts do not need to read answers."""
    consultation = load_consultation_for_edit(request, slug)
    if kind not in CONTENT_TYPES:
        raise Http404("No such format")
    data = network_csv(consultation) if kind == "csv" else network_xlsx(consultation)
    filename = export_filename(consultation, kind)
    # Everyone's name and address left the system: the trail says who took them, and when.
    audit.record(consultation, request.user, audit.DOWNLOAD, file=filename)
    return attachment(data, kind, filename)


def _import_page(request: HttpRequest, slug: str) -> ImportPage:
    consultation = load_consultation_for_edit(request, slug)
    return ImportPage(
        template="stakeholders/import.html",
        form_class=ImportForm,
        context={"consultation": consultation, "phases": consultation.phases.all(),
                 "sectors": list(Sector)},
        importer=partial(import_stakeholders, consultation),
        imported="Stakeholders imported",
        next_url=reverse("stakeholders:index", args=[consultation.slug]),
    )


import_form, run_import = import_views(_import_page)
