"""The workbench's pages: the overview with agreement, a question's answers and themes, one
answer to code (a plain form: it works without JavaScript), and the review queue."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Exists, OuterRef, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_GET, require_http_methods

from consulta.web.analysis.models import CodedTheme, Coding, Theme
from consulta.web.analysis.services import TEXT_KINDS
from consulta.web.consultations.models import Question
from consulta.web.responses.models import PUBLISHABLE_CONSENT
from consulta.web.workbench import agreement, coding, double, edits, listing, split
from consulta.web.workbench.action_views import conflict_page
from consulta.web.workbench.forms import CodingForm, FilterForm
from consulta.web.workbench.loading import Bench, check_run, load_bench
from consulta.web.workbench.models import Decision, QuestionState, Review


@login_required
@require_GET
def overview(request: HttpRequest, slug: str) -> HttpResponse:
    bench = load_bench(request, slug)
    rows = []
    if bench.run:
        numbers = bench.consultation.phase_numbers()
        counts = _answer_counts(bench.run)
        questions = Question.objects.filter(
            phase__consultation=bench.consultation, kind__in=TEXT_KINDS, pk__in=list(counts),
        ).select_related("phase").order_by("phase__position", "position")
        for question in questions:
            rows.append(_question_summary(bench, question, numbers[question.phase_id],
                                          counts[question.pk]))
    return render(request, "workbench/overview.html", {
        "consultation": bench.consultation, "run": bench.run, "rows": rows})


def _answer_counts(run) -> dict[int, dict[str, int]]:
    """Per question of ``run``: coded answers, those with no theme and those a person reviewed,
    in two grouped queries for every question (one query each per question took seconds at a
    million answers)."""
    themed = CodedTheme.objects.filter(coding=OuterRef("pk"))
    counts = {row["answer__question_id"]: {"answers": row["n"], "unthemed": row["bare"],
                                           "reviewed": 0}
              for row in Coding.objects.filter(run=run).order_by()
              .values("answer__question_id")
              .annotate(n=Count("id"), bare=Count("id", filter=Q(~Exists(themed))))}
    for question, n in (Review.objects.filter(run=run, reviewed_at__isnull=False).order_by()
                        .values_list("answer__question_id")
                        .annotate(n=Count("answer", distinct=True))):
        if question in counts:
            counts[question]["reviewed"] = n
    return counts


def _question_summary(bench: Bench, question: Question, number: int,
                      counts: dict[str, int]) -> dict:
    themes = {t.key: t for t in Theme.objects.filter(run=bench.run, question=question)}
    measured = agreement.for_question(bench.run, question)
    return {
        "question": question, "number": number, "answers": counts["answers"],
        "themes": len(themes), "reviewed": counts["reviewed"],
        "unthemed": counts["unthemed"], "agreement": measured,
        "theme_rows": [(t, themes.get(t.key)) for t in measured.themes if t.n],
        "double": double.summary(bench.run, question),
    }


@login_required
@require_GET
def question(request: HttpRequest, slug: str, question_id: int) -> HttpResponse:
    bench = load_bench(request, slug, question_id)
    run, q = bench.run, bench.question
    groups = listing.Groups.of(q.phase)
    order = edits.theme_order(run, q)
    themes = sorted(Theme.objects.filter(run=run, question=q).select_related("parent")
                    .prefetch_related("notes__user"),
                    key=lambda t: order.index(t.key))
    form = FilterForm(request.GET or None, themes=themes, groups=groups,
                      values=listing.choices(run, q, groups))
    data = form.cleaned_data if form.is_valid() else {}
    page = listing.page_of(listing.apply_filters(listing.codings(run, q), data, groups),
                           request.GET.get("page"))
    decisions = Decision.objects.filter(run=run, question=q).select_related("user")[:20]
    undoable = Decision.objects.filter(run=run, question=q, undone_at=None).exclude(
        action=Decision.Action.UNDO).order_by("-pk").first()
    return render(request, "workbench/question.html", {
        "consultation": bench.consultation, "run": run, "question": q, "number": bench.number,
        "themes": themes, "form": form, "page": page, "groups": groups,
        "version": edits.version(run, q), "decisions": decisions, "undoable": undoable,
        "state": QuestionState.objects.filter(run=run, question=q).first(),
        "unthemed": edits.unthemed(run, q), "anonymous": q.phase.is_anonymous,
        "parts": split.PARTS,
    })


@login_required
@require_http_methods(["GET", "POST"])
def answer(request: HttpRequest, slug: str, question_id: int, coding_id: int) -> HttpResponse:
    bench = load_bench(request, slug, question_id)
    row = (Coding.objects.select_related("answer__response", "answer__question")
           .filter(pk=coding_id, run=bench.run, answer__question=bench.question).first())
    if row is None:
        raise Http404("No such answer")
    order = edits.theme_order(bench.run, bench.question)
    themes = sorted(Theme.objects.filter(run=bench.run, question=bench.question),
                    key=lambda t: order.index(t.key))
    quotable = row.answer.response.consent in PUBLISHABLE_CONSENT
    mode = _mode(request)
    if request.method == "POST":
        return _save(request, bench, row, themes, quotable, mode)
    review = Review.objects.filter(run=bench.run, answer=row.answer, user=request.user).first()
    blind = mode["blind"] and review is None
    initial = {
        "version": edits.version(bench.run, bench.question), "shown": coding.shown_codes(row),
        "themes": [] if blind else list(row.coded_themes.values_list("theme__key", flat=True)),
        "stance": review.stance if review else "", "note": review.note if review else "",
        "quote_candidate": review.quote_candidate if review else False, "blind": blind,
    }
    form = CodingForm(initial=initial, themes=themes, quotable=quotable)
    return _answer_page(request, bench, row, form, review, mode, blind)


def _answer_page(request, bench, row, form, review, mode, blind, status=200) -> HttpResponse:
    previous, following = coding.neighbours(bench.run, bench.question, row)
    return render(request, "workbench/answer.html", {
        "consultation": bench.consultation, "run": bench.run, "question": bench.question,
        "number": bench.number, "coding": row, "form": form, "review": review, "blind": blind,
        "previous": previous, "next": following, "query": _query(mode),
        "machine": [] if blind else row.coded_themes.select_related("theme").order_by(
            "-confidence"),
        "anonymous": bench.question.phase.is_anonymous,
    }, status=status)


def _save(request, bench, row, themes, quotable, mode) -> HttpResponse:
    check_run(request, bench)
    form = CodingForm(request.POST, themes=themes, quotable=quotable)
    if not form.is_valid():
        review = Review.objects.filter(run=bench.run, answer=row.answer, user=request.user).first()
        return _answer_page(request, bench, row, form, review, mode,
                            form.data.get("blind") == "True", status=400)
    data = form.cleaned_data
    coded = coding.Coded(themes=data["themes"], stance=data["stance"], note=data["note"],
                         quote_candidate=data.get("quote_candidate", False), blind=data["blind"])
    try:
        coding.save(bench.edit(request, data["version"]), row, coded, data["shown"])
    except edits.Conflict as conflict:
        return conflict_page(request, bench, conflict, fresh={"shown": coding.shown_codes(row)})
    messages.success(request, "Codes saved.")
    if mode["queue"]:
        return redirect(_queue_url(bench, mode))
    _, following = coding.neighbours(bench.run, bench.question, row)
    return redirect(_answer_url(bench, following or row.pk, mode))


@login_required
@require_GET
def queue(request: HttpRequest, slug: str, question_id: int) -> HttpResponse:
    """The next answer to code: least confident first, or this person's random sample."""
    bench = load_bench(request, slug, question_id)
    mode = _mode(request)
    mode["queue"] = mode["queue"] or coding.CONFIDENCE
    row = coding.next_answer(bench.run, bench.question, request.user, mode["queue"])
    if row is None:
        messages.success(request, "You have coded every answer to this question.")
        return redirect(reverse("workbench:question", args=[slug, question_id]))
    return redirect(_answer_url(bench, row.pk, mode))


def _mode(request: HttpRequest) -> dict:
    def value(name):  # a posted form keeps its page's query string
        return request.POST.get(name) or request.GET.get(name, "")

    wanted = value("queue")
    return {"queue": wanted if wanted in (coding.CONFIDENCE, coding.SAMPLE,
                                          coding.DOUBLE) else "",
            "blind": value("blind_mode") == "1"}


def _query(mode: dict) -> str:
    values = {"queue": mode["queue"], "blind_mode": "1" if mode["blind"] else ""}
    return urlencode({k: v for k, v in values.items() if v})


def _answer_url(bench: Bench, coding_id: int, mode: dict) -> str:
    url = reverse("workbench:answer", args=[bench.consultation.slug, bench.question.pk, coding_id])
    return f"{url}?{_query(mode)}" if _query(mode) else url


def _queue_url(bench: Bench, mode: dict) -> str:
    return (reverse("workbench:queue", args=[bench.consultation.slug, bench.question.pk])
            + f"?{_query(mode)}")
