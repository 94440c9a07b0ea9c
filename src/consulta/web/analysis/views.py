"""The back office's analysis page (every member reads it) and its button (organisers only)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from consulta.web.abandoned import settle_unfinished_runs
from consulta.web.analysis.downloads import FILES, downloadable_run, run_file
from consulta.web.analysis.results import latest_runs, run_results
from consulta.web.analysis.services import queue_analysis
from consulta.web.consultations import audit
from consulta.web.consultations.access import load_consultation_for_edit, load_membership


@login_required
@require_GET
def index(request: HttpRequest, slug: str) -> HttpResponse:
    membership = load_membership(request, slug)
    consultation = membership.consultation
    settle_unfinished_runs(consultation)  # never "running" for ever after a worker died
    run, newer = latest_runs(consultation)
    return render(request, "analysis/index.html", {
        "consultation": consultation, "can_edit": membership.can_edit,
        "run": run, "newer": newer, "phases": run_results(run) if run else [],
    })


@login_required
@require_POST
def queue(request: HttpRequest, slug: str) -> HttpResponse:
    """Queue an analysis for the worker: it takes from seconds to minutes, too long to wait on."""
    consultation = load_consultation_for_edit(request, slug)
    run, created = queue_analysis(consultation)
    # The page itself says when it was queued and what happens next.
    if created:
        audit.record(consultation, request.user, audit.ANALYSIS_QUEUED, run=run.pk)
        messages.success(request, "Analysis queued.")
    else:
        messages.warning(request, "An analysis is already waiting for the worker; nothing more "
                         "was queued.")
    return redirect(reverse("analysis:index", args=[consultation.slug]))


@login_required
@require_GET
def download(request: HttpRequest, slug: str, run_id: int, name: str) -> HttpResponse:
    """answers.csv or themes.csv of a finished run, for every member (as the page itself)."""
    consultation = load_membership(request, slug).consultation
    run = downloadable_run(consultation, run_id)
    if run is None or name not in FILES:
        raise Http404("No such analysis file.")
    response = HttpResponse(run_file(run, name), content_type="text/csv; charset=utf-8")
    filename = f"{consultation.slug}-analysis-{run.pk}-{name}"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    audit.record(consultation, request.user, audit.DOWNLOAD, run=run.pk, file=name)
    return response
