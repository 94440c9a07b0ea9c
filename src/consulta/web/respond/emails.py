"""Emails the journey sends itself: the respondent's return link, and a plain receipt used
only when the outreach app's ``send_receipt`` is not there. Addresses are used, never kept."""

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


def send_receipt(response: Response, email: str) -> None:
    consultation = response.phase.consultation
    _send(
        email,
        f"We have received your response: {consultation.title}",
        "receipt",
        {
            "consultation": consultation,
            "phase": response.phase,
            "reference": response.reference,
            "submitted_at": timezone.localtime(response.submitted_at or timezone.now()),
        },
    )
