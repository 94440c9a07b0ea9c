"""Theme actions (one POST each), undo and notes on themes.

Success redirects to the question's page with a notice; a form that is not valid, or an
action that cannot be done, changes nothing and says why there (302 too). A form made from
an older version of the question's themes gets 409 with what changed meanwhile, and the
analyst's change ready to apply again.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from consulta.web.analysis.models import Coding, Theme
from consulta.web.workbench import edits, forms
from consulta.web.workbench.edits import Conflict, Refused
from consulta.web.workbench.loading import Bench, check_run, load_bench
from consulta.web.workbench.models import Decision, ThemeNote


def _rename(edit, data):
    return edits.rename(edit, data["theme"], data["label"], data["description"])


def _merge(edit, data):
    return edits.merge(edit, data["theme"], data["target"])


def _move(edit, data):
    if not data["theme"] or not data["target"]:
        raise Refused("Choose the theme the answers leave and the one they go to.")
    return edits.move(edit, data["theme"], data["target"], data["answers"])


def _create(edit, data):
    if not data["label"]:
        raise Refused("Give the new theme a name.")
    return edits.create(edit, data["label"], "", data["answers"], data["theme"])


ACTIONS = {
    "rename": (forms.RenameForm, _rename),
    "merge": (forms.MergeForm, _merge),
    "move": (forms.SelectionForm, _move),
    "create": (forms.SelectionForm, _create),
    "delete": (forms.DeleteForm, lambda edit, data: edits.delete(edit, data["theme"])),
    "reorder": (forms.ReorderForm,
                lambda edit, data: edits.reorder(edit, data["theme"], data["step"])),
    "reviewed": (forms.VersionedForm, lambda edit, data: edits.mark_reviewed(edit)),
}


def question_url(bench: Bench) -> str:
    return reverse("workbench:question", args=[bench.consultation.slug, bench.question.pk])


@login_required
@require_POST
def theme_action(request: HttpRequest, slug: str, question_id: int, action: str) -> HttpResponse:
    if action not in ACTIONS:
        raise Http404("No such action")
    bench = load_bench(request, slug, question_id)
    check_run(request, bench)
    form_class, handler = ACTIONS[action]
    options = {}
    if form_class is forms.SelectionForm:
        options["coding_ids"] = Coding.objects.filter(
            run=bench.run, answer__question=bench.question).values_list("pk", flat=True)
    form = form_class(request.POST, **options)
    if not form.is_valid():
        return _refuse(request, bench, _errors(form))
    edit = bench.edit(request, form.cleaned_data["version"], form.cleaned_data.get("reason", ""))
    try:
        decision = handler(edit, form.cleaned_data)
    except Conflict as conflict:
        return conflict_page(request, bench, conflict)
    except Refused as refused:
        return _refuse(request, bench, str(refused))
    messages.success(request, f"Done: {decision.summary}.")
    return redirect(question_url(bench))


@login_required
@require_POST
def undo(request: HttpRequest, slug: str, question_id: int, decision_id: int) -> HttpResponse:
    bench = load_bench(request, slug, question_id)
    check_run(request, bench)
    decision = Decision.objects.filter(pk=decision_id, run=bench.run,
                                       question=bench.question).first()
    if decision is None:
        raise Http404("No such decision")
    form = forms.UndoForm(request.POST)
    if not form.is_valid():
        return _refuse(request, bench, _errors(form))
    edit = bench.edit(request, form.cleaned_data["version"], form.cleaned_data["reason"])
    try:
        edits.undo(edit, decision)
    except Conflict as conflict:
        return conflict_page(request, bench, conflict)
    messages.success(request, f"Undone: {decision.summary}.")
    return redirect(question_url(bench))


@login_required
@require_POST
def theme_note(request: HttpRequest, slug: str, question_id: int) -> HttpResponse:
    bench = load_bench(request, slug, question_id)
    check_run(request, bench)
    form = forms.ThemeNoteForm(request.POST)
    if not form.is_valid():
        return _refuse(request, bench, _errors(form))
    theme = Theme.objects.filter(run=bench.run, question=bench.question,
                                 key=form.cleaned_data["theme"]).first()
    if theme is None:
        return _refuse(request, bench, "That theme is no longer there.")
    ThemeNote.objects.create(theme=theme, user=request.user, text=form.cleaned_data["text"])
    messages.success(request, f"Note added to {theme.key}.")
    return redirect(question_url(bench))


def conflict_page(request: HttpRequest, bench: Bench, conflict: Conflict, *,
                  fresh: dict | None = None) -> HttpResponse:
    """409: what changed since the form was made, and the analyst's change to apply again
    (the posted values with the current version, and ``fresh`` values over them)."""
    current = {"version": str(edits.version(bench.run, bench.question)), **(fresh or {})}
    posted = [(name, value) for name in request.POST if name not in current
              and name != "csrfmiddlewaretoken" for value in request.POST.getlist(name)]
    posted += list(current.items())
    return render(request, "workbench/conflict.html", {
        "consultation": bench.consultation, "question": bench.question, "number": bench.number,
        "changes": conflict.changes, "message": str(conflict), "posted": posted,
        "action": request.path,
    }, status=409)


def _refuse(request: HttpRequest, bench: Bench, message: str) -> HttpResponse:
    messages.error(request, f"Nothing was changed: {message}")
    return redirect(question_url(bench))


def _errors(form) -> str:
    return " ".join(f"{form.fields[name].label or name}: {' '.join(errors)}"
                    if name in form.fields else " ".join(errors)
                    for name, errors in form.errors.items())
