"""The email the journey sends itself: the respondent's return link. The address is used,
never kept. (Receipts come from the outreach app's ``send_receipt``.)"""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from consulta.web.links import absolute
from consulta.web.responses.models import Response


def _send(to: str, subject: str, template: str, context: dict) -> None:
    text = render_to_string(f"respond/email/{template}.txt", context)
    html = render_to_string(f"respond/email/{template}.html", context)
    # A header cannot hold a line break (Django refuses to send one), and a title may carry
    # one from a paste or an import: a subject is one line whatever the title holds.
    subject = " ".join(subject.split())
    message = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, [to])
    message.attach_alternative(html, "text/html")
    message.send()


def send_return_link(response: Response, token: str, email: str) -> None:
    consultation = response.phase.consultation
    _send(
        email,
        f"Your link to come back to: {consultation.title}",
        "return_link",
        {
            "consultation": consultation,
            "phase": response.phase,
            "link": absolute(reverse("respond:resume", kwargs={"token": token})),
            "closes_at": timezone.localtime(response.phase.closes_at),
        },
    )
