"""Double coding's pages: a question's sample with people's agreement and disagreements, and
the two requests that change something (start a sample, resolve a disagreement).

As the other workbench actions: 302 on success (and on a refused form, with the reason
shown), 404 to outsiders, 405 to a GET, 409 when the themes or the answer's codes changed
since the page was made (nothing is overwritten), 403 for a form from an earlier run.
"""

from __future__ import annotations

import secrets

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from consulta.web.analysis.models import Coding, Theme
from consulta.web.workbench import double, edits
from consulta.web.workbench.action_views import conflict_page
from consulta.web.workbench.coding import shown_codes
from consulta.web.workbench.forms import VersionedForm
from consulta.web.workbench.loading import Bench, check_run, load_bench


class StartForm(forms.Form):
    size = forms.IntegerField(label="How many answers", min_value=2, max_value=double.MAX_SIZE,
                              initial=50)
    seed = forms.IntegerField(label="Seed (optional: the same seed draws the same answers)",
                              required=False, min_value=0, max_value=2**31 - 1)


class ResolveForm(VersionedForm):
    themes = forms.MultipleChoiceField(label="Agreed themes", required=False,
                                       widget=forms.CheckboxSelectMultiple)
    shown = forms.CharField(widget=forms.HiddenInput, required=False, max_length=2000)
    reason = forms.CharField(label="Reason", required=False, max_length=1000)

    def __init__(self, *args, keys=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["themes"].choices = [(key, key) for key in keys]


def double_url(bench: Bench) -> str:
    return reverse("workbench:double", args=[bench.consultation.slug, bench.question.pk])


@login_required
@require_GET
def page(request: HttpRequest, slug: str, question_id: int) -> HttpResponse:
    bench = load_bench(request, slug, question_id)
    run, q = bench.run, bench.question
    sample = double.sample_of(run, q)
    order = edits.theme_order(run, q)
    themes = {t.key: t for t in Theme.objects.filter(run=run, question=q)}
    context = {"consultation": bench.consultation, "run": run, "question": q,
               "number": bench.number, "sample": sample, "themes": [themes[k] for k in order],
               "labels": {key: theme.label for key, theme in themes.items()},
               "version": edits.version(run, q), "start_form": StartForm()}
    if sample:
        measured = double.for_sample(sample)
        open_, settled = double.disagreements(sample)
        context.update({
            "agreement": measured, "theme_rows": [t for t in measured.themes if t.n],
            "progress": double.progress(sample), "disagreements": [
                (item, shown_codes(item.coding), _common(item)) for item in open_],
            "resolved": settled,
        })
    return render(request, "workbench/double.html", context)


def _common(item: double.Disagreement) -> set[str]:
    """The keys every coder chose: ticked to start with on the resolve form."""
    return set.intersection(*(set(keys) for _, keys in item.codes))


@login_required
@require_POST
def start(request: HttpRequest, slug: str, question_id: int) -> HttpResponse:
    bench = load_bench(request, slug, question_id)
    check_run(request, bench)
    form = StartForm(request.POST)
    if not form.is_valid():
        return _refuse(request, bench, " ".join(
            f"{form.fields[name].label}: {' '.join(errors)}" for name, errors
            in form.errors.items()))
    seed = form.cleaned_data["seed"]
    seed = secrets.randbelow(2**31) if seed is None else seed  # stored: the draw can be redone
    edit = bench.edit(request, edits.version(bench.run, bench.question))
    try:
        sample = double.start(edit, form.cleaned_data["size"], seed)
    except edits.Refused as refused:
        return _refuse(request, bench, str(refused))
    messages.success(request, f"Double-coding sample of {sample.size} answers drawn "
                              f"(seed {sample.seed}).")
    return redirect(double_url(bench))


@login_required
@require_POST
def resolve(request: HttpRequest, slug: str, question_id: int, coding_id: int) -> HttpResponse:
    bench = load_bench(request, slug, question_id)
    check_run(request, bench)
    row = Coding.objects.filter(pk=coding_id, run=bench.run,
                                answer__question=bench.question).select_related("primary").first()
    sample = double.sample_of(bench.run, bench.question)
    if row is None or sample is None or row.pk not in sample.codings:
        raise Http404("No such answer in the double-coding sample")
    form = ResolveForm(request.POST, keys=edits.theme_order(bench.run, bench.question))
    if not form.is_valid():
        return _refuse(request, bench, " ".join(
            f"{form.fields[name].label or name}: {' '.join(errors)}" if name in form.fields
            else " ".join(errors) for name, errors in form.errors.items()))
    data = form.cleaned_data
    edit = bench.edit(request, data["version"], data["reason"])
    try:
        decision = double.resolve(edit, row, data["themes"], data["shown"])
    except edits.Conflict as conflict:
        return conflict_page(request, bench, conflict, fresh={"shown": shown_codes(row)})
    except edits.Refused as refused:
        return _refuse(request, bench, str(refused))
    messages.success(request, f"Done: {decision.summary}.")
    return redirect(double_url(bench))


def _refuse(request: HttpRequest, bench: Bench, message: str) -> HttpResponse:
    messages.error(request, f"Nothing was changed: {message}")
    return redirect(double_url(bench))
