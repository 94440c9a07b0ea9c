"""Building the emails Consulta sends: invitations, reminders and receipts.

Every message has a plain-text body and an HTML alternative made from the same text (escaped,
in paragraphs, the personal link as a link). Invitations and reminders end with an unsubscribe
link to a confirm page, and carry RFC 8058 one-click headers: ``List-Unsubscribe`` names an
address that unsubscribes on a POST with ``List-Unsubscribe=One-Click`` (the mail provider's
button) and shows the confirm page on a GET (link scanners). Links are absolute
(``CONSULTA_BASE_URL``): an email leaves the site. Gmail and Yahoo honour one-click only when
the site is on HTTPS and the outgoing mail server's DKIM signature covers both headers (its
configuration, not ours).

Organisers write the wording with placeholders such as ``{name}``. They are filled by plain name
lookup, never ``str.format``: that would allow ``{name.__class__}`` or ``{link[0]}`` and fail on
a lone brace, and the wording is typed by people, not programmers.
"""

from __future__ import annotations

import logging
import re
import smtplib
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.urls import reverse
from django.utils import dateformat, timezone
from django.utils.html import escape

from consulta.web.consultations.models import Phase
from consulta.web.links import absolute
from consulta.web.outreach.models import Invitation, MessageTemplate
from consulta.web.responses.models import Response
from consulta.web.stakeholders.models import Person

logger = logging.getLogger(__name__)

UNSUBSCRIBE_SALT = "consulta.unsubscribe"
PLACEHOLDERS = ("name", "organisation", "consultation", "phase", "link", "closes", "run_by")
PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")

DEFAULT_WORDING = {
    MessageTemplate.Kind.INVITATION: (
        "Invitation to respond: {consultation}",
        (
            "Dear {name},\n\n"
            "{run_by} invites you to respond to \"{consultation}\" ({phase}).\n\n"
            "Your personal link to respond:\n{link}\n\n"
            "You can save your answers and come back to them at any time before the "
            "consultation closes at {closes}.\n\n"
            "Thank you,\n{run_by}"
        ),
    ),
    MessageTemplate.Kind.REMINDER: (
        "Reminder: {consultation} closes at {closes}",
        (
            "Dear {name},\n\n"
            "This is a reminder that \"{consultation}\" ({phase}) closes at {closes}, and we "
            "have not yet received your response.\n\n"
            "If you have started, your answers so far are saved. Your personal link:\n{link}\n\n"
            "Thank you,\n{run_by}"
        ),
    ),
}


@dataclass(frozen=True)
class Wording:
    subject: str
    body: str


def wording(phase: Phase, kind: str) -> Wording:
    """The organiser's saved wording for this phase and kind, else the default."""
    saved = MessageTemplate.objects.filter(phase=phase, kind=kind).first()
    if saved is not None:
        return Wording(saved.subject, saved.body)
    subject, body = DEFAULT_WORDING[MessageTemplate.Kind(kind)]
    return Wording(subject, body)


def fill(text: str, values: dict[str, str]) -> str:
    """``{name}`` -> its value; unknown placeholders and stray braces stay as typed."""
    return PLACEHOLDER.sub(lambda match: values.get(match.group(1), match.group(0)), text)


def unknown_placeholders(text: str) -> list[str]:
    """Placeholders in ``text`` that nothing fills, in order of first appearance."""
    found = dict.fromkeys(PLACEHOLDER.findall(text))
    return [f"{{{name}}}" for name in found if name not in PLACEHOLDERS]


def closing_text(moment) -> str:
    """``5pm on Sunday 1 March 2099`` in the site's time zone (GOV.UK style)."""
    local = timezone.localtime(moment)
    if (local.hour, local.minute) == (0, 0):
        clock = "midnight"
    elif (local.hour, local.minute) == (12, 0):
        clock = "midday"
    else:
        minutes = f":{local.minute:02d}" if local.minute else ""
        clock = f"{local.hour % 12 or 12}{minutes}{'am' if local.hour < 12 else 'pm'}"
    return f"{clock} on {dateformat.format(local, 'l j F Y')}"


def invitation_path(token: str) -> str:
    """The journey's personal invitation page for ``token``."""
    return reverse("respond:invitation", args=[token])


@dataclass(frozen=True)
class UnsubscribeLinks:
    page: str  # the confirm page, for people: the link in the email's footer
    one_click: str  # the RFC 8058 address, for mail providers: a POST unsubscribes at once


def unsubscribe_links(person: Person) -> UnsubscribeLinks:
    # One signature for both: ``signing.dumps`` stamps the time, so two calls could differ.
    signed = signing.dumps(person.pk, salt=UNSUBSCRIBE_SALT)
    return UnsubscribeLinks(
        page=absolute(reverse("outreach:unsubscribe", args=[signed])),
        one_click=absolute(reverse("outreach:unsubscribe-one-click", args=[signed])),
    )


def unsubscribe_url(person: Person) -> str:
    return unsubscribe_links(person).page


def unsubscribe_headers(links: UnsubscribeLinks) -> dict[str, str]:
    """``List-Unsubscribe`` and, on an HTTPS site, ``List-Unsubscribe-Post`` (RFC 8058)."""
    headers = {"List-Unsubscribe": f"<{links.one_click}>"}
    # One-click needs an HTTPS address (RFC 8058 3.1). Over plain HTTP (a site on a laptop) the
    # header still leads a person to the confirm page, without claiming one-click.
    if links.one_click.startswith("https://"):
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    return headers


def person_for_unsubscribe(signed: str) -> Person | None:
    """The person an unsubscribe link was made for, or None when the signature is wrong."""
    try:
        pk = signing.loads(signed, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(pk, int):
        return None
    return Person.objects.select_related("consultation").filter(pk=pk).first()


def placeholder_values(phase: Phase, person: Person, link: str, organisation=None) -> dict:
    consultation = phase.consultation
    organisation = organisation or person.organisation
    return {
        "name": person.name or "colleague",
        "organisation": organisation.name if organisation else "",
        "consultation": consultation.title,
        "phase": phase.name,
        "link": link,
        "closes": closing_text(phase.closes_at),
        "run_by": consultation.run_by or consultation.run_for or "The organisers",
    }


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    link: str


def render(phase: Phase, kind: str, person: Person, link: str, *, organisation=None,
           custom: Wording | None = None) -> Rendered:
    """The wording of one email with its placeholders filled (no footer)."""
    words = custom or wording(phase, kind)
    values = placeholder_values(phase, person, link, organisation)
    # Headers cannot hold line breaks; a subject is one line whatever was typed.
    subject = " ".join(fill(words.subject, values).split())
    text = fill(words.body, values).strip()
    if link not in text:
        # Wording saved without {link} (the form refuses that, the admin does not): the email
        # is useless without it.
        text += f"\n\n{link}"
    return Rendered(subject, text, link)


def text_to_html(text: str, *, title: str, links: tuple[str, ...] = (),
                 footer: str = "") -> str:
    """Escaped paragraphs (blank-line separated), line breaks kept, ``links`` made clickable."""
    def paragraph(block: str) -> str:
        html = escape(block)
        for url in links:
            safe = escape(url)
            html = html.replace(safe, f'<a href="{safe}">{safe}</a>')
        return "<p>" + html.replace("\n", "<br>\n") + "</p>"

    blocks = [block.strip() for block in re.split(r"\n\s*\n", text) if block.strip()]
    body = "\n".join(paragraph(block) for block in blocks)
    if footer:
        body += '\n<hr>\n<div style="font-size: 14px; color: #505a5f;">\n'
        body += "\n".join(paragraph(block) for block in re.split(r"\n\s*\n", footer))
        body += "\n</div>"
    return (
        '<!DOCTYPE html>\n<html lang="en-GB">\n<head><meta charset="utf-8">'
        f"<title>{escape(title)}</title></head>\n"
        '<body style="font-family: Arial, sans-serif; font-size: 16px; line-height: 1.5;">\n'
        f"{body}\n</body>\n</html>\n"
    )


def unsubscribe_footer(phase: Phase, unsubscribe: str) -> str:
    return (
        f"You received this email because you are a contact for \"{phase.consultation.title}\".\n"
        f"To receive no more emails about this consultation, unsubscribe:\n{unsubscribe}"
    )


def build_message(invitation: Invitation, kind: str, token: str, *, connection=None,
                  custom: Wording | None = None) -> EmailMultiAlternatives:
    """An invitation or reminder for ``invitation``, carrying the personal link for ``token``."""
    person = invitation.person
    rendered = render(invitation.phase, kind, person, absolute(invitation_path(token)),
                      organisation=invitation.organisation, custom=custom)
    links = unsubscribe_links(person)
    unsubscribe = links.page
    footer = unsubscribe_footer(invitation.phase, unsubscribe)
    message = EmailMultiAlternatives(
        subject=rendered.subject,
        body=f"{rendered.text}\n\n-- \n{footer}\n",
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[person.email],
        headers=unsubscribe_headers(links),
        connection=connection,
    )
    html = text_to_html(rendered.text, title=rendered.subject, links=(rendered.link, unsubscribe),
                        footer=footer)
    message.attach_alternative(html, "text/html")
    return message


def preview(phase: Phase, kind: str, person: Person, custom: Wording | None = None) -> Rendered:
    """What ``person`` would read, with a stand-in for the personal link."""
    return render(phase, kind, person, absolute(invitation_path("personal-link")),
                  custom=custom)


def build_receipt(response: Response, email: str) -> EmailMultiAlternatives:
    phase = response.phase
    consultation = phase.consultation
    run_by = consultation.run_by or consultation.run_for or "the organisers"
    submitted = timezone.localtime(response.submitted_at or timezone.now())
    subject = " ".join(f"Your response to {consultation.title}: {response.reference}".split())
    text = (
        f"Thank you for responding to \"{consultation.title}\" ({phase.name}).\n\n"
        f"Your reference is {response.reference}. Please quote it if you contact {run_by} "
        f"about your response.\n\n"
        f"We received your response at {closing_text(submitted)}."
    )
    message = EmailMultiAlternatives(
        subject=subject, body=text + "\n", from_email=settings.DEFAULT_FROM_EMAIL, to=[email]
    )
    message.attach_alternative(text_to_html(text, title=subject), "text/html")
    return message


def send_receipt(response: Response, email: str) -> bool:
    """Email the confirmation with the response's reference. Returns whether it was sent.

    A mail server that refuses or is down must not undo a submission, so failures are logged,
    not raised.
    """
    if not email:
        return False
    try:
        build_receipt(response, email).send()
    except (smtplib.SMTPException, OSError) as error:
        logger.warning("Receipt for %s not sent: %s", response.reference, error)
        return False
    return True
