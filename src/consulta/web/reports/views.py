"""The report in the back office: every member previews and downloads it; organisers edit its
narrative (each save a new version, the history listed on the page)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from consulta.web.consultations import audit
from consulta.web.consultations.access import load_consultation_for_edit, load_membership
from consulta.web.consultations.models import Question
from consulta.web.reports import render as report_render
from consulta.web.reports.content import build_report
from consulta.web.reports.models import ReportText
from consulta.web.reports.services import (
    FORMATS,
    ReportUnavailable,
    filename,
    report_file,
    save_text,
)

HISTORY_SHOWN = 20


@login_required
@require_GET
def index(request: HttpRequest, slug: str) -> HttpResponse:
    membership = load_membership(request, slug)
    consultation = membership.consultation
    report = build_report(consultation, public=False)
    texts = list(ReportText.objects.filter(consultation=consultation)
                 .select_related("created_by")[:HISTORY_SHOWN])
    latest = texts[0] if texts else None
    questions = Question.objects.filter(phase__consultation=consultation).order_by(
        "phase__position", "phase_id", "position", "pk")
    commentary = latest.commentary if latest else {}
    return render(request, "reports/index.html", {
        "consultation": consultation, "can_edit": membership.can_edit,
        "preview": report_render.html(report, standalone=False), "texts": texts,
        "latest": latest, "formats": list(FORMATS),
        "questions": [(q, commentary.get(str(q.pk), "")) for q in questions],
    })


@login_required
@require_GET
def download(request: HttpRequest, slug: str, fmt: str) -> HttpResponse:
    consultation = load_membership(request, slug).consultation
    if fmt not in FORMATS:
        raise Http404("No such format.")
    try:
        data = report_file(consultation, fmt)
    except ReportUnavailable as error:
        messages.error(request, str(error))
        return redirect(reverse("reports:index", args=[consultation.slug]))
    audit.record(consultation, request.user, audit.DOWNLOAD, file=filename(consultation, fmt))
    response = HttpResponse(data, content_type=FORMATS[fmt][0])
    response["Content-Disposition"] = f'attachment; filename="{filename(consultation, fmt)}"'
    return response


@login_required
@require_POST
def save(request: HttpRequest, slug: str) -> HttpResponse:
    consultation = load_consultation_for_edit(request, slug)
    questions = Question.objects.filter(phase__consultation=consultation)
    commentary = {str(q.pk): request.POST.get(f"commentary-{q.pk}", "").strip()
                  for q in questions}
    text = save_text(consultation, request.user,
                     summary=request.POST.get("summary", "").strip(),
                     next_steps=request.POST.get("next_steps", "").strip(),
                     commentary=commentary)
    messages.success(request, f"Saved the report's text as version {text.version}.")
    return redirect(reverse("reports:index", args=[consultation.slug]) + "#narrative")
