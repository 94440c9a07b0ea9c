"""The code frame page: export the latest analysis's themes as a code frame (CSV or XLSX),
and import one (a POST with the file: all of it or nothing, with every problem listed).

No traceback reaches anyone: a file that cannot be read or checked changes nothing and the
page says why (302, as every refused workbench form). 404 to outsiders and with no finished
analysis, 405 to a GET of the import, 403 for a form from an earlier run.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.text import slugify
from django.views.decorators.http import require_GET, require_POST

from consulta.web.spreadsheets import attachment
from consulta.web.workbench import frame
from consulta.web.workbench.loading import Bench, check_run, load_bench


class ImportForm(forms.Form):
    file = forms.FileField(label="Code frame file (CSV or XLSX)", error_messages={
        "required": "Choose a CSV or XLSX file to import.", "empty": "The file is empty."})
    reason = forms.CharField(label="Reason (optional)", required=False, max_length=1000)


def frame_url(bench: Bench) -> str:
    return reverse("workbench:frame", args=[bench.consultation.slug])


def _load(request: HttpRequest, slug: str) -> Bench:
    bench = load_bench(request, slug)
    if bench.run is None:
        raise Http404("No finished analysis yet")
    return bench


@login_required
@require_GET
def page(request: HttpRequest, slug: str) -> HttpResponse:
    bench = load_bench(request, slug)
    return render(request, "workbench/frame.html", {
        "consultation": bench.consultation, "run": bench.run, "form": ImportForm(),
        "limit": frame.MAX_BYTES // (1024 * 1024), "codes": frame.MAX_CODES})


@login_required
@require_GET
def export(request: HttpRequest, slug: str, kind: str) -> HttpResponse:
    if kind not in ("csv", "xlsx"):
        raise Http404("No such format")
    bench = _load(request, slug)
    name = f"{slugify(bench.consultation.slug)}-code-frame.{kind}"
    return attachment(frame.export_bytes(bench.run, kind), kind, name)


@login_required
@require_POST
def upload(request: HttpRequest, slug: str) -> HttpResponse:
    bench = _load(request, slug)
    check_run(request, bench)
    form = ImportForm(request.POST, request.FILES)
    if not form.is_valid():
        return _refuse(request, bench, [" ".join(errors) for errors in form.errors.values()])
    upload = form.cleaned_data["file"]
    if upload.size > frame.MAX_BYTES:  # before reading it: a huge file costs nothing
        return _refuse(request, bench, [
            f"The file is over the limit of {frame.MAX_BYTES // (1024 * 1024)} MB."])
    try:
        plans = frame.read(upload.read(), upload.name or "", bench.run)
    except frame.FrameRefused as refused:
        return _refuse(request, bench, refused.problems)
    decisions = frame.apply(bench.run, request.user, plans, form.cleaned_data["reason"])
    if decisions:
        messages.success(request, "Code frame imported: " + "; ".join(
            f"{d.question.key}: {d.summary.removeprefix('imported the code frame: ')}"
            for d in decisions) + ". Each question's change can be undone on its page.")
    else:
        messages.success(request, "Code frame read: the themes already match it, so nothing "
                                  "was changed.")
    return redirect(frame_url(bench))


def _refuse(request: HttpRequest, bench: Bench, problems: list[str]) -> HttpResponse:
    messages.error(request, "Nothing was imported: " + " ".join(problems))
    return redirect(frame_url(bench))
