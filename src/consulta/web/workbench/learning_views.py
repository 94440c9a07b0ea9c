"""Learning from people (apply to the rest) and splitting themes: one POST each.

As the theme actions (action_views): 302 back to the question with a notice on success or
when refused, 404 for outsiders and unknown questions, 403 from an older run's page, 405 for
GET, 409 with what changed meanwhile when the form's version is out of date.
"""

from __future__ import annotations

from django import forms as django_forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from consulta.web.analysis.models import Coding
from consulta.web.workbench import edits, forms, learning, split
from consulta.web.workbench.action_views import _errors, _refuse, conflict_page, question_url
from consulta.web.workbench.edits import Conflict, Refused
from consulta.web.workbench.loading import check_run, load_bench
from consulta.web.workbench.models import ApplyStatus


class ApplyForm(forms.VersionedForm):
    reason = django_forms.CharField(label="Reason", required=False, max_length=1000)


class SplitForm(forms.ReasonForm):
    """Split ``theme``: the chosen answers into a new theme, or re-cluster it into ``parts``."""

    theme = django_forms.CharField(max_length=20)
    label = django_forms.CharField(label="New theme's name", required=False, max_length=200)
    answers = django_forms.TypedMultipleChoiceField(coerce=int, required=False)
    parts = django_forms.TypedChoiceField(coerce=int, required=False, empty_value=None,
                                          choices=[(n, n) for n in split.PARTS])

    def __init__(self, *args, coding_ids=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["answers"].choices = [(pk, pk) for pk in coding_ids]


@login_required
@require_POST
def apply_rest(request: HttpRequest, slug: str, question_id: int) -> HttpResponse:
    """Queue "apply to the rest" for the worker, once the version and examples check out."""
    from consulta.web.workbench.tasks import apply_to_rest

    bench = load_bench(request, slug, question_id)
    check_run(request, bench)
    form = ApplyForm(request.POST)
    if not form.is_valid():
        return _refuse(request, bench, _errors(form))
    edit = bench.edit(request, form.cleaned_data["version"], form.cleaned_data["reason"])
    try:
        with transaction.atomic():
            edits.lock(edit)
            learning.check_examples(bench.run, bench.question)
            # In the same transaction: no task without a checked version, nor the reverse.
            apply_to_rest.enqueue(bench.run.pk, bench.question.pk, request.user.pk,
                                  edit.reason)
            learning.record_outcome(bench.run, bench.question, ApplyStatus.QUEUED)
    except Conflict as conflict:
        return conflict_page(request, bench, conflict)
    except Refused as refused:
        return _refuse(request, bench, str(refused))
    messages.success(request, "Queued: the background worker will recode the answers no "
                              "person has coded, learning from those people have.")
    return redirect(question_url(bench))


@login_required
@require_POST
def split_theme(request: HttpRequest, slug: str, question_id: int) -> HttpResponse:
    """Split a theme by the chosen answers (the theme keeps the rest), or into 2–5 parts."""
    bench = load_bench(request, slug, question_id)
    check_run(request, bench)
    form = SplitForm(request.POST, coding_ids=Coding.objects.filter(
        run=bench.run, answer__question=bench.question).values_list("pk", flat=True))
    if not form.is_valid():
        return _refuse(request, bench, _errors(form))
    data = form.cleaned_data
    edit = bench.edit(request, data["version"], data["reason"])
    try:
        if data["parts"]:
            decision = split.recluster(edit, data["theme"], data["parts"])
        else:
            decision = split.by_answers(edit, data["theme"], data["answers"], data["label"])
    except Conflict as conflict:
        return conflict_page(request, bench, conflict)
    except Refused as refused:
        return _refuse(request, bench, str(refused))
    messages.success(request, f"Done: {decision.summary}.")
    return redirect(question_url(bench))
