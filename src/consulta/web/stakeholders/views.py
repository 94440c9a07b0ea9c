"""Back-office pages for the stakeholder network: the list, and importing it from a table."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from consulta.web.consultations.access import load_consultation_for_edit, load_membership
from consulta.web.consultations.models import Consultation
from consulta.web.imports import ImportRefused, ImportReport
from consulta.web.stakeholders.forms import ImportForm
from consulta.web.stakeholders.importer import import_stakeholders
from consulta.web.stakeholders.models import Sector

# Shown after a successful import; more would bury the page.
MAX_WARNING_MESSAGES = 20


@login_required
@require_GET
def index(request: HttpRequest, slug: str) -> HttpResponse:
    membership = load_membership(request, slug)
    consultation = membership.consultation
    organisations = consultation.organisations.select_related("parent").annotate(
        people_count=Count("people")
    )
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


@login_required
@require_GET
def import_form(request: HttpRequest, slug: str) -> HttpResponse:
    consultation = load_consultation_for_edit(request, slug)
    return _render_form(request, consultation, ImportForm())


@login_required
@require_POST
def run_import(request: HttpRequest, slug: str) -> HttpResponse:
    consultation = load_consultation_for_edit(request, slug)
    form = ImportForm(request.POST, request.FILES)
    if not form.is_valid():
        return _render_form(request, consultation, form, status=400)
    upload = form.cleaned_data["file"]
    try:
        report = import_stakeholders(
            consultation, upload.read(), upload.name,
            max_bytes=settings.CONSULTA_MAX_IMPORT_BYTES,
        )
    except ImportRefused as refused:
        return _render_form(request, consultation, form, refused.report, upload.name, status=400)
    messages.success(request, f"Stakeholders imported from {upload.name}: {report.summary()}.")
    add_warning_messages(request, report)
    return redirect(reverse("stakeholders:index", args=[consultation.slug]))


def add_warning_messages(request: HttpRequest, report: ImportReport) -> None:
    for problem in report.warnings[:MAX_WARNING_MESSAGES]:
        messages.warning(request, problem.as_line())
    hidden = len(report.warnings) - MAX_WARNING_MESSAGES
    if hidden > 0:
        messages.warning(request, f"… and {hidden} more warning(s).")


def _render_form(request: HttpRequest, consultation: Consultation, form: ImportForm,
                 report: ImportReport | None = None, filename: str = "", *,
                 status: int = 200) -> HttpResponse:
    return render(request, "stakeholders/import.html", {
        "consultation": consultation,
        "form": form,
        "report": report,
        "filename": filename,
        "phases": consultation.phases.all(),
        "sectors": list(Sector),
        "max_megabytes": settings.CONSULTA_MAX_IMPORT_BYTES / (1024 * 1024),
    }, status=status)
