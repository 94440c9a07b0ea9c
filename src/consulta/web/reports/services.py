"""Reports as files (for the back office's downloads and ``consulta report``) and the
organisers' narrative, saved as a new version each time."""

from __future__ import annotations

from django.db import IntegrityError, transaction

from consulta.web.reports import render
from consulta.web.reports.content import build_report
from consulta.web.reports.models import ReportText

FORMATS = {
    "html": ("text/html; charset=utf-8", "html"),
    "pdf": ("application/pdf", "pdf"),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx"),
}
TEXT_LIMIT = 20_000


class ReportUnavailable(Exception):
    """A format this installation cannot make (no WeasyPrint/pango, no DOCX renderer yet)."""


def report_file(consultation, fmt: str, *, public: bool = False) -> bytes:
    report = build_report(consultation, public=public)
    if fmt == "html":
        return render.html(report, standalone=True).encode()
    if fmt == "pdf":
        try:
            return render.pdf(report)
        except render.PdfUnavailable as error:
            raise ReportUnavailable(str(error)) from None
    if fmt == "docx":
        from consulta.web.reports import docx

        try:
            return docx.render(report)
        except ImportError:  # python-docx, imported lazily by the renderer, is not installed
            raise ReportUnavailable("DOCX reports need the python-docx package "
                                    "(pip install python-docx); HTML and PDF still work.") from None
    raise ReportUnavailable(f"Unknown format “{fmt}”: choose html, pdf or docx.")


def filename(consultation, fmt: str) -> str:
    return f"{consultation.slug}-what-we-heard.{FORMATS[fmt][1]}"


def save_text(consultation, user, *, summary: str, next_steps: str,
              commentary: dict[str, str]) -> ReportText:
    """A new version of the narrative; two saves at once both keep theirs, one after the other."""
    for _ in range(3):
        latest = ReportText.objects.filter(consultation=consultation).first()
        try:
            with transaction.atomic():
                return ReportText.objects.create(
                    consultation=consultation, version=(latest.version if latest else 0) + 1,
                    summary=summary[:TEXT_LIMIT], next_steps=next_steps[:TEXT_LIMIT],
                    commentary={k: v[:TEXT_LIMIT] for k, v in commentary.items() if v.strip()},
                    created_by=user)
        except IntegrityError:
            continue  # someone saved the same version number first: take the next one
    raise IntegrityError("Could not save the report text; try again.")
