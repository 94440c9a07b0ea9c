"""A report (content.Report) as HTML, and as a tagged PDF (PDF/UA-1) made from that HTML.

``html(report, standalone=False)`` is the report's body for pages that have their own chrome and
h1 (the back office, the public results page): its headings start at h2. Standalone, it is a
whole accessible page with printable CSS, headings from h1, and no scripts or external requests.
WeasyPrint is imported only when a PDF is made; it needs pango, and says so clearly when missing.
"""

from __future__ import annotations

from django.template.loader import render_to_string

from consulta.web.reports.content import Report

CSS = """
body{font-family:"DejaVu Sans",Arial,sans-serif;line-height:1.5;color:#0b0c0c;max-width:60rem;
 margin:0 auto;padding:1rem 1.5rem 3rem}
.skip{position:absolute;left:-999px}.skip:focus{position:static;background:#fd0}
h1{font-size:2rem}h2{margin-top:2.5rem;border-top:4px solid #1d70b8;padding-top:.5rem}
.kicker{font-weight:700;color:#484949;margin:0}
table{border-collapse:collapse;width:100%;margin:1rem 0}
caption{text-align:left;font-weight:700;padding:.5rem 0}
th,td{border-bottom:1px solid #b1b4b6;padding:.35rem .5rem;text-align:left;vertical-align:top}
.num{text-align:right;font-variant-numeric:tabular-nums}
.theme{border-left:5px solid #1d70b8;padding:.25rem 1rem;margin:1.25rem 0}
figure{margin:1rem 0}figure.quote blockquote{margin:0;padding:.25rem .75rem;background:#f3f2f1;
 border-left:3px solid #505a5f}figure.quote figcaption{font-size:.9rem;color:#484949;
 padding-left:.75rem}
figure.chart svg{max-width:100%;height:auto}
.meta{color:#484949}.commentary{border:2px solid #b1b4b6;padding:0 1rem}
a{color:#1d70b8}a:focus{outline:3px solid #fd0;background:#fd0;color:#0b0c0c}
@page{size:A4;margin:2cm 1.8cm;@bottom-right{content:counter(page)}}
@media print{body{max-width:none;padding:0;font-size:10.5pt}table{font-size:9pt}.skip{display:none}
 .title-page{page-break-after:always;padding-top:30%}
 section.question,#profile,#method,#appendix{page-break-before:always}
 tr,figure{page-break-inside:avoid}h2,h3{page-break-after:avoid}a{color:#0b0c0c;text-decoration:none}}
"""


class PdfUnavailable(RuntimeError):
    """WeasyPrint or the system libraries it needs (pango) are missing."""


def html(report: Report, *, standalone: bool = True) -> str:
    levels = ({"h1": "h1", "h2": "h2", "h3": "h3"} if standalone
              else {"h1": "h2", "h2": "h2", "h3": "h3"})
    context = {"report": report, "css": CSS, **levels}
    if standalone:
        return render_to_string("reports/documents/standalone.html", context)
    return render_to_string("reports/_body.html", context)


def pdf(report: Report) -> bytes:
    """The standalone HTML as a PDF tagged for accessibility (PDF/UA-1: "Tagged: yes")."""
    try:
        from weasyprint import HTML
    except (ImportError, OSError) as error:  # OSError: pango or its friends not installed
        raise PdfUnavailable(
            "PDF reports need WeasyPrint and the pango library (Debian/Ubuntu: apt-get install "
            f"libpango-1.0-0 libpangoft2-1.0-0); HTML and DOCX still work. ({error})") from None
    document = HTML(string=html(report, standalone=True), base_url=None)
    return document.write_pdf(pdf_variant="pdf/ua-1", pdf_tags=True,
                              custom_metadata=True)
