"""Back-office pages for the stakeholder network: the list, and importing it from a table."""

from __future__ import annotations

from functools import partial

from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from consulta.web.consultations.access import load_consultation_for_edit, load_membership
from consulta.web.import_views import ImportPage, import_views
from consulta.web.stakeholders.forms import ImportForm
from consulta.web.stakeholders.importer import import_stakeholders
from consulta.web.stakeholders.models import Sector


@login_required
@require_GET
def index(request: HttpRequest, slug: str) -> HttpResponse:
    membership = load_membership(request, slug)
    consultation = membership.consultation
    organisations = consultation.organisations.select_related("parent").annotate(
        people_count=Count("people")
    ).order_by("name")  # Django leaves Meta.ordering out of GROUP BY queries
    counts = dict(
        consultation.organisations.values_list("sector").annotate(n=Count("id")).order_by()
    )
    sectors = [(sector.label, counts.get(sector.value, 0)) for sector in Sector]
    return render(request, "stakeholders/index.html", {
        "consultation": consultation,
        "can_edit": membership.can_edit,
        "organisations": organisations,
        "sectors": sectors,
        "people_count": consultation.people.count(),
    })


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
