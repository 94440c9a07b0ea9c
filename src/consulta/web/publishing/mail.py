"""Telling people who asked: the results are published, or an action has moved on.

Who hears: everyone who asked on the public page (``ResultsSubscriber``) and every invited
contact of the consultation who has not unsubscribed (outreach's per-consultation record). An
address that belongs to an unsubscribed contact gets nothing, even if it also subscribed.
Each email carries its own unsubscribe link: outreach's for contacts, the subscriber's token
page for subscribers (which deletes the address).

One SMTP connection carries a batch; a refused recipient is counted and the batch goes on; a
mail server that goes away stops it (``MailUnavailable``).
"""

from __future__ import annotations

import logging
import smtplib
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.urls import reverse
from django.utils.formats import date_format

from consulta.web.consultations.models import Consultation
from consulta.web.links import absolute
from consulta.web.outreach import email as outreach_email
from consulta.web.outreach.models import Invitation
from consulta.web.publishing.models import ActionUpdate, Publication, ResultsSubscriber

logger = logging.getLogger(__name__)


class MailUnavailable(Exception):
    """The mail server could not be reached or went away during a batch."""


@dataclass(frozen=True)
class Recipient:
    email: str
    unsubscribe: str  # the confirm page, for people
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Sent:
    sent: int = 0
    refused: int = 0

    def summary(self) -> str:
        return f"{self.sent} sent, {self.refused} refused by the mail server"


def subscriber_unsubscribe_url(subscriber: ResultsSubscriber) -> str:
    return absolute(reverse("publishing:unsubscribe", args=[subscriber.token]))


def recipients(consultation: Consultation) -> list[Recipient]:
    """Everyone to tell, once per address (letter case ignored), contacts first."""
    unsubscribed = {email.lower() for email in consultation.people.filter(
        unsubscribed_at__isnull=False).exclude(email="").values_list("email", flat=True)}
    chosen: dict[str, Recipient] = {}
    invited = (Invitation.objects.filter(phase__consultation=consultation,
                                         person__unsubscribed_at__isnull=True)
               .exclude(person__email="").select_related("person").order_by("person_id"))
    for invitation in invited:
        person = invitation.person
        key = person.email.lower()
        if key not in chosen:
            links = outreach_email.unsubscribe_links(person)
            chosen[key] = Recipient(person.email, links.page,
                                    outreach_email.unsubscribe_headers(links))
    for subscriber in consultation.results_subscribers.order_by("pk"):
        key = subscriber.email.lower()
        if key not in chosen and key not in unsubscribed:
            url = subscriber_unsubscribe_url(subscriber)
            chosen[key] = Recipient(subscriber.email, url, {"List-Unsubscribe": f"<{url}>"})
    return list(chosen.values())


def _footer(consultation: Consultation, recipient: Recipient) -> str:
    return (f"You received this email because you asked to hear about \"{consultation.title}\" "
            f"or were invited to respond to it.\nTo receive no more emails about this "
            f"consultation, unsubscribe:\n{recipient.unsubscribe}")


def _message(consultation: Consultation, recipient: Recipient, subject: str, text: str,
             link: str, connection) -> EmailMultiAlternatives:
    subject = " ".join(subject.split())
    footer = _footer(consultation, recipient)
    message = EmailMultiAlternatives(
        subject=subject, body=f"{text}\n\n-- \n{footer}\n", from_email=settings.DEFAULT_FROM_EMAIL,
        to=[recipient.email], headers=recipient.headers, connection=connection)
    message.attach_alternative(outreach_email.text_to_html(
        text, title=subject, links=(link, recipient.unsubscribe), footer=footer), "text/html")
    return message


def results_url(consultation: Consultation) -> str:
    return absolute(reverse("publishing:results", args=[consultation.slug]))


def _run_by(consultation: Consultation) -> str:
    return consultation.run_by or consultation.run_for or "The organisers"


def published_text(publication: Publication) -> tuple[str, str]:
    consultation = publication.consultation
    link = results_url(consultation)
    updated = " (updated)" if publication.version > 1 else ""
    return (f"Results published{updated}: {consultation.title}", (
        f"The results of \"{consultation.title}\" are published{updated}.\n\n"
        f"Read what people said, what will happen next, and the published responses:\n"
        f"{link}\n\nThank you for your interest,\n{_run_by(consultation)}"))


def update_text(update: ActionUpdate) -> tuple[str, str]:
    action = update.action
    consultation = action.consultation
    link = results_url(consultation)
    return (f"Update on {consultation.title}: {update.get_status_display().lower()}", (
        f"There is news about what {_run_by(consultation)} is doing after \"{consultation.title}\"."
        f"\n\nWhat we said we would do: {action.text}\n\n"
        f"{date_format(update.date, 'j F Y')} ({update.get_status_display()}): {update.text}\n\n"
        f"Everything we are doing, and the results:\n{link}"))


def send_all(consultation: Consultation, subject: str, text: str) -> Sent:
    """Send one email to every recipient over one connection."""
    link = results_url(consultation)
    outcome = Sent()
    try:
        with get_connection() as connection:
            for recipient in recipients(consultation):
                _deliver(_message(consultation, recipient, subject, text, link, connection),
                         outcome)
    except (smtplib.SMTPServerDisconnected, smtplib.SMTPConnectError, OSError) as error:
        raise MailUnavailable(f"the mail server is unavailable: {error}") from error
    return outcome


def _deliver(message: EmailMultiAlternatives, outcome: Sent) -> None:
    try:
        message.send()
    except smtplib.SMTPRecipientsRefused:
        outcome.refused += 1  # an unknown mailbox: the others still hear
        return
    outcome.sent += 1

