"""The views of an import page, written once for stakeholders and responses.

The GET view shows the upload form; the form posts to the POST view, which runs the import. A
refused file re-renders the page with its report (status 400); an imported one leads back with
the counts and the first warnings as messages.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_GET, require_POST

from consulta.web.consultations.audit import BACK_OFFICE, ImportedBy
from consulta.web.imports import ImportRefused, ImportReport
from consulta.web.pages import render_form_page
from consulta.web.stakeholders.forms import ImportForm

# Shown after a successful import; more would bury the page.
MAX_WARNING_MESSAGES = 20


@dataclass(frozen=True)
class ImportPage:
    template: str
    form_class: type[ImportForm]
    context: dict  # what the template needs besides the form and the report
    # Called with the file's bytes and name, max_bytes, by (who imports, for the audit trail)
    # and the form's other fields as keywords.
    importer: Callable[..., ImportReport]
    imported: str  # how the success message starts, e.g. "Stakeholders imported"
    next_url: str  # where a successful import leads

    def render(self, request: HttpRequest, form: ImportForm,
               report: ImportReport | None = None, filename: str = "") -> HttpResponse:
        context = {
            **self.context,
            "report": report,
            "filename": filename,
            "max_megabytes": settings.CONSULTA_MAX_IMPORT_BYTES / (1024 * 1024),
        }
        return render_form_page(request, self.template, form, context, refused=report is not None)

    def run(self, request: HttpRequest, form: ImportForm) -> HttpResponse:
        if not form.is_valid():
            return self.render(request, form)
        options = dict(form.cleaned_data)
        upload = options.pop("file")
        try:
            report = self.importer(upload.read(), upload.name,
                                   max_bytes=settings.CONSULTA_MAX_IMPORT_BYTES,
                                   by=ImportedBy(request.user, BACK_OFFICE), **options)
        except ImportRefused as refused:
            return self.render(request, form, refused.report, upload.name)
        messages.success(request, f"{self.imported} from {upload.name}: {report.summary()}.")
        add_warning_messages(request, report)
        return redirect(self.next_url)


def import_views(page: Callable[..., ImportPage]):
    """The GET and POST views of the import page that ``page(request, **url_kwargs)`` loads
    (it checks the user may import, through access.py)."""

    @login_required
    @require_GET
    def import_form(request: HttpRequest, **kwargs) -> HttpResponse:
        import_page = page(request, **kwargs)
        return import_page.render(request, import_page.form_class())

    @login_required
    @require_POST
    def run_import(request: HttpRequest, **kwargs) -> HttpResponse:
        import_page = page(request, **kwargs)
        return import_page.run(request, import_page.form_class(request.POST, request.FILES))

    return import_form, run_import


def add_warning_messages(request: HttpRequest, report: ImportReport) -> None:
    for problem in report.warnings[:MAX_WARNING_MESSAGES]:
        messages.warning(request, problem.as_line())
    hidden = len(report.warnings) - MAX_WARNING_MESSAGES
    if hidden > 0:
        messages.warning(request, f"… and {hidden} more warning(s).")
