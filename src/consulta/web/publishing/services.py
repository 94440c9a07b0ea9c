"""Publishing a consultation's results: a snapshot of the report in HTML, PDF and DOCX.

A publication is stored as rendered, so the public page shows exactly what was published even
after the analysis or the narrative change; publishing again makes a new version. Nothing that
holds a personal-data finding waiting for review is published: the report leaves such quotes
out and the published responses such answers (``redactions.services.redacted``), and the
organiser is told how many wait, so a review finished later and a new version bring them in.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.db.models import Max

from consulta.web.consultations import audit
from consulta.web.consultations.models import Consultation
from consulta.web.publishing.models import Publication

PUBLISHED = "published"  # the audit event; details: version, via


class PublishRefused(Exception):
    """The results cannot be published now; the message says why and what to do."""


@dataclass(frozen=True)
class Outputs:
    html: str  # the report's body, for the site's layout (not a standalone document)
    pdf: bytes
    docx: bytes


def render_outputs(consultation: Consultation) -> Outputs:
    """The public report (consenting, reviewed quotes only) in the three formats.

    Imported here: the renderers pull in WeasyPrint and python-docx, which the rest of the
    site does not need."""
    from consulta.web.reports import render
    from consulta.web.reports.content import build_report
    from consulta.web.reports.docx import render as render_docx

    report = build_report(consultation, public=True)
    return Outputs(html=render.html(report, standalone=False), pdf=render.pdf(report),
                   docx=render_docx(report))


def pending_redactions(consultation: Consultation) -> int:
    from consulta.web.redactions.services import pending_count

    return pending_count(consultation)


def refusal(consultation: Consultation) -> str:
    """Why the results cannot be published now, or "" when they can."""
    if consultation.status == Consultation.Status.DRAFT:
        return "A draft consultation has no results to publish: open it first."
    return ""


def withheld(consultation: Consultation) -> str:
    """What publishing now would hold back for the personal data review, or ""."""
    pending = pending_redactions(consultation)
    if not pending:
        return ""
    return (f"{pending} possible personal detail{'' if pending == 1 else 's'} still "
            f"wait{'s' if pending == 1 else ''} for review on the Redactions page: the answers "
            "holding them are left out of the published quotes and responses until reviewed "
            "(then publish again).")


#: UK Consultation Principles: publish the response within 12 weeks of the consultation closing.
RESPONSE_WEEKS = 12


def publish_by(consultation: Consultation):
    """The date the results are due (12 weeks after the last phase closes), or None."""
    from datetime import timedelta

    from django.db.models import Max
    from django.utils import timezone

    closes = consultation.phases.aggregate(last=Max("closes_at"))["last"]
    if closes is None:
        return None
    return timezone.localdate(closes + timedelta(weeks=RESPONSE_WEEKS))


def latest(consultation: Consultation) -> Publication | None:
    return consultation.publications.order_by("-version").first()


def publish(consultation: Consultation, user=None, *, via: str = "") -> Publication:
    """Render and store the next version of the results and mark the consultation published.

    Raises ``PublishRefused`` (nothing changes) when ``refusal`` gives a reason. Emails are
    not sent here: the caller queues them (``tasks.queue_published``) or sends them."""
    reason = refusal(consultation)
    if reason:
        raise PublishRefused(reason)
    outputs = render_outputs(consultation)  # slow (PDF): outside the transaction
    with transaction.atomic():
        # Locks the consultation's row so two publishers cannot take the same version.
        locked = Consultation.objects.select_for_update().get(pk=consultation.pk)
        version = (locked.publications.aggregate(top=Max("version"))["top"] or 0) + 1
        publication = Publication.objects.create(
            consultation=locked, version=version, published_by=user,
            html=outputs.html, pdf=outputs.pdf, docx=outputs.docx,
        )
        if locked.status != Consultation.Status.PUBLISHED:
            locked.status = Consultation.Status.PUBLISHED
            locked.save(update_fields=["status", "updated_at"])  # audited by django-auditlog
        audit.record(locked, user, PUBLISHED, via=via, version=version)
    consultation.status = locked.status
    return publication
