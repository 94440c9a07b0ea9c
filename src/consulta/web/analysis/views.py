"""The back office's analysis page: read-only, for every member of the consultation."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from consulta.web.analysis.results import latest_runs, run_results
from consulta.web.consultations.access import load_membership


@login_required
@require_GET
def index(request: HttpRequest, slug: str) -> HttpResponse:
    membership = load_membership(request, slug)
    consultation = membership.consultation
    run, newer = latest_runs(consultation)
    return render(request, "analysis/index.html", {
        "consultation": consultation, "can_edit": membership.can_edit,
        "run": run, "newer": newer, "phases": run_results(run) if run else [],
    })
