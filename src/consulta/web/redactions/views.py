"""The personal data review page (/organise/<slug>/redactions/) and its POST actions.

Every member may review (organisers and analysts both code answers); outsiders get 404. A
decision that cannot be made changes nothing and says why on the page (302, like the
workbench's actions).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from consulta.web.consultations.access import load_consultation
from consulta.web.redactions import decisions, listing, services
from consulta.web.redactions.decisions import Refused
from consulta.web.redactions.forms import AddForm, DecisionForm
from consulta.web.redactions.models import KIND_LABELS, Redaction

PER_PAGE = 20
DECISIONS = {"approve", "reject", "edit"}


def _plural(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def _page_url(consultation, anchor: str = "") -> str:
    return reverse("redactions:page", args=[consultation.slug]) + (f"#{anchor}" if anchor else "")


@login_required
@require_GET
def page(request: HttpRequest, slug: str) -> HttpResponse:
    consultation = load_consultation(request, slug)
    show = "all" if request.GET.get("show") == "all" else "pending"
    answers = listing.answers(consultation, show)
    paged = Paginator(answers, PER_PAGE).get_page(request.GET.get("page"))
    pending = services.pending_count(consultation)
    counts = listing.counts(consultation)
    # Findings in answers not scanned since they last changed (they are not rows yet).
    unscanned = max(pending - sum(row["proposed"] for row in counts), 0)
    return render(request, "redactions/page.html", {
        "consultation": consultation, "counts": counts,
        "pending": pending, "unscanned": unscanned, "show": show,
        "page": paged, "kinds": list(KIND_LABELS.items()),
    })


@login_required
@require_POST
def scan(request: HttpRequest, slug: str) -> HttpResponse:
    consultation = load_consultation(request, slug)
    report = services.scan(consultation)
    decisions.record_scan(consultation, request.user, report)
    messages.success(request, f"Scanned {_plural(report.answers, 'answer')}: "
                              f"{_plural(report.proposed, 'new proposal')}, {report.kept} kept, "
                              f"{_plural(report.stale, 'decision')} on changed text to make "
                              f"again.")
    return redirect(_page_url(consultation))


def _redaction(consultation, redaction_id: int) -> Redaction:
    row = (Redaction.objects.select_related("answer__question")
           .filter(pk=redaction_id, answer__in=services.publishable_answers(consultation))
           .first())
    if row is None:
        raise Http404("No such redaction")
    return row


@login_required
@require_POST
def decide(request: HttpRequest, slug: str, redaction_id: int, action: str) -> HttpResponse:
    if action not in DECISIONS:
        raise Http404("No such decision")
    consultation = load_consultation(request, slug)
    row = _redaction(consultation, redaction_id)
    form = DecisionForm(request.POST)
    form.is_valid()  # every field is optional; lengths are checked by the decision
    data = {k: form.cleaned_data.get(k) or "" for k in ("reason", "replacement")}
    try:
        if action == "approve":
            decisions.approve(consultation, request.user, row, data["reason"])
        elif action == "reject":
            decisions.reject(consultation, request.user, row, data["reason"])
        else:
            decisions.edit(consultation, request.user, row, data["replacement"], data["reason"])
    except Refused as refused:
        messages.error(request, str(refused))
        return redirect(_page_url(consultation, f"redaction-{row.pk}"))
    messages.success(request, f"Redaction {row.pk} {'rejected' if action == 'reject' else 'approved'}.")
    return redirect(_page_url(consultation, f"answer-{row.answer_id}"))


@login_required
@require_POST
def add(request: HttpRequest, slug: str, answer_id: int) -> HttpResponse:
    consultation = load_consultation(request, slug)
    answer = services.publishable_answers(consultation).filter(pk=answer_id) \
        .select_related("question").prefetch_related("redactions").first()
    if answer is None:
        raise Http404("No such answer")
    form = AddForm(request.POST)
    anchor = f"answer-{answer.pk}"
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return redirect(_page_url(consultation, anchor))
    data = form.cleaned_data
    try:
        if data["words"].strip():
            start, end = decisions.find_span(answer.text, data["words"], data["occurrence"] or 1)
        else:
            start, end = data["start"], data["end"]
        row = decisions.add(consultation, request.user, answer, start, end, data["kind"],
                            data["replacement"], data["reason"])
    except Refused as refused:
        messages.error(request, str(refused))
        return redirect(_page_url(consultation, anchor))
    messages.success(request, f"Redaction {row.pk} added.")
    return redirect(_page_url(consultation, anchor))
