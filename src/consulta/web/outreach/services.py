"""Sending invitations and reminders, and finding an invitation from its personal link.

One SMTP connection carries a whole batch. A refusal for one recipient (an unknown mailbox, a
full one) marks that invitation bounced with the server's reason and the batch goes on; a mail
server that goes away stops the batch (``MailServerUnavailable``), and running it again picks up
where it stopped, because only delivered messages count as sent.

Each send is claimed with a conditional UPDATE before the message goes out, so two batches
running at once (a double click, the command line and the back office) never send one person
the same invitation twice.
"""

from __future__ import annotations

import smtplib
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta

from django.core.mail import get_connection
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from consulta.web.consultations.models import Phase
from consulta.web.outreach import email as emails
from consulta.web.outreach.models import Invitation, InvitationToken, MessageTemplate
from consulta.web.privacy_storage import day_only
from consulta.web.responses.models import Respondent, Response
from consulta.web.stakeholders.models import Person
from consulta.web.tokens import hash_token, new_token

INVITATION = MessageTemplate.Kind.INVITATION
REMINDER = MessageTemplate.Kind.REMINDER
# Clicking "remind" twice, or a daily cron running a little early, must not nag anyone twice.
MIN_REMINDER_GAP = timedelta(hours=12)

NOT_IN_CONSULTATION = "not in this consultation"
NO_EMAIL = "no email address"
UNSUBSCRIBED = "unsubscribed"
ALREADY_INVITED = "already invited"
ALREADY_RESPONDED = "already responded"
NOT_INVITED = "not invited yet"
BOUNCED = "invitation bounced"
RECENTLY_REMINDED = "reminded less than 12 hours ago"
ORGANISATION_RESPONDED = "their organisation has responded"
SENT_ELSEWHERE = "being sent by another run"


class OutreachRefused(Exception):
    """Nothing can be sent for this phase now (``sending_refused`` says why)."""


class MailServerUnavailable(Exception):
    """The mail server could not be reached or went away; ``report`` says what was done."""

    def __init__(self, error: Exception, report: SendReport):
        super().__init__(f"the mail server is unavailable: {error}")
        self.report = report


@dataclass(frozen=True)
class Outcome:
    person: Person
    reason: str = ""


@dataclass
class SendReport:
    kind: str
    sent: list[Person] = field(default_factory=list)
    skipped: list[Outcome] = field(default_factory=list)
    bounced: list[Outcome] = field(default_factory=list)

    def skipped_reasons(self) -> list[tuple[str, int]]:
        """``[("already invited", 12), ("no email address", 2)]``, most frequent first."""
        return Counter(outcome.reason for outcome in self.skipped).most_common()

    def summary(self) -> str:
        return count_summary(len(self.sent), Counter(o.reason for o in self.skipped),
                             len(self.bounced))


def count_summary(sent: int, skipped: Counter, bounced: int) -> str:
    """``3 sent, 2 skipped (1 no email address, 1 unsubscribed), 1 bounced``."""
    parts = [f"{sent} sent"]
    if sum(skipped.values()):
        reasons = ", ".join(f"{n} {reason}" for reason, n in skipped.most_common())
        parts.append(f"{sum(skipped.values())} skipped ({reasons})")
    if bounced:
        parts.append(f"{bounced} bounced")
    return ", ".join(parts)


# Who to send to ---------------------------------------------------------------------------

def audience_people(phase: Phase):
    """People the phase's audience names, directly or as members of a listed organisation."""
    listed = Q(audiences__phase=phase) | Q(
        organisation__audiences__phase=phase, organisation__audiences__person__isnull=True
    )
    return (
        Person.objects.filter(listed, consultation_id=phase.consultation_id)
        .select_related("organisation")
        .distinct()
        .order_by("name", "email")
    )


def responded_person_ids(phase: Phase) -> set[int]:
    """People known to have submitted a response to this phase (identified phases only)."""
    return set(
        Respondent.objects.filter(
            response__phase=phase, response__status=Response.Status.SUBMITTED,
            person__isnull=False,
        ).values_list("person_id", flat=True)
    )


def responded_organisation_ids(phase: Phase) -> set[int]:
    """Organisations with a submitted response to this phase: written together through a shared
    link, imported, or given by the respondent."""
    return set(
        Response.objects.filter(
            phase=phase, status=Response.Status.SUBMITTED, organisation__isnull=False
        ).values_list("organisation_id", flat=True)
    )


def _contact_problem(phase: Phase, person: Person) -> str:
    if person.consultation_id != phase.consultation_id:
        return NOT_IN_CONSULTATION
    if not person.email:
        return NO_EMAIL
    if person.unsubscribed_at:
        return UNSUBSCRIBED
    return ""


def plan_invitations(phase: Phase, people=None) -> tuple[list[Person], list[Outcome]]:
    """Whom ``send_invitations`` would send to now, and who it would skip and why."""
    candidates = audience_people(phase) if people is None else people
    invitations = {i.person_id: i for i in phase.invitations.all()}
    responded = responded_person_ids(phase)
    to_send, skipped = [], []
    for person in candidates:
        invitation = invitations.get(person.pk)
        reason = _contact_problem(phase, person)
        if not reason and invitation is not None and invitation.submitted_at:
            reason = ALREADY_RESPONDED
        elif not reason and invitation is not None and invitation.sent_at:
            reason = ALREADY_INVITED
        elif not reason and person.pk in responded:
            reason = ALREADY_RESPONDED
        if reason:
            skipped.append(Outcome(person, reason))
        else:
            to_send.append(person)
    return to_send, skipped


def _submitted(invitation: Invitation, responded: set[int]) -> bool:
    return bool(
        invitation.submitted_at
        or (invitation.response_id and invitation.response.status == Response.Status.SUBMITTED)
        or invitation.person_id in responded
    )


def plan_reminders(phase: Phase, now=None, people=None
                   ) -> tuple[list[Invitation], list[Outcome]]:
    """Invitations a reminder would go to now (of ``people``, ids, when given: a chunk of a
    big batch), and the skipped ones with reasons."""
    now = now or timezone.now()
    responded = responded_person_ids(phase)
    organisations = responded_organisation_ids(phase)
    to_send, skipped = [], []
    invitations = phase.invitations.select_related(
        "person", "organisation", "response", "phase__consultation"
    ).order_by("person__name", "person__email")
    if people is not None:
        invitations = invitations.filter(person_id__in=people)
    for invitation in invitations:
        if _submitted(invitation, responded):
            reason = ALREADY_RESPONDED
        elif invitation.bounced_at:
            reason = BOUNCED
        elif not invitation.sent_at:
            reason = NOT_INVITED
        elif (invitation.organisation_id or invitation.person.organisation_id) in organisations:
            reason = ORGANISATION_RESPONDED  # one response per organisation is what was asked
        else:
            recent = invitation.reminded_at and now - invitation.reminded_at < MIN_REMINDER_GAP
            reason = _contact_problem(phase, invitation.person) or (
                RECENTLY_REMINDED if recent else ""
            )
        if reason:
            skipped.append(Outcome(invitation.person, reason))
        else:
            to_send.append(invitation)
    return to_send, skipped


# Sending ------------------------------------------------------------------------------------

def _refusal_reason(error: smtplib.SMTPException, address: str) -> str | None:
    """``550 5.1.1 No such user`` for a refusal of this recipient, None for other failures."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        code, text = error.recipients.get(address) or next(iter(error.recipients.values()))
    elif isinstance(error, smtplib.SMTPResponseException):
        code, text = error.smtp_code, error.smtp_error
    else:
        return None
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return f"{code} {' '.join(str(text).split())}".strip()


def _deliver(connection, invitation: Invitation, kind: str) -> str | None:
    """Send one message with a new personal link; None when sent, else the refusal reason.

    Earlier links stay valid (a respondent may be half-way through a draft reached by one).
    """
    token = new_token()
    link = InvitationToken.objects.create(invitation=invitation, token_hash=hash_token(token))
    message = emails.build_message(invitation, kind, token, connection=connection)
    try:
        message.send()
    except smtplib.SMTPException as error:
        link.delete()  # never delivered
        reason = _refusal_reason(error, invitation.person.email)
        if reason is None:
            raise
        return reason
    except OSError:
        link.delete()
        raise
    return None


def _invitation(phase: Phase, person: Person) -> Invitation:
    """The one invitation of ``person`` to ``phase``, created on first use."""
    defaults = {"organisation": person.organisation}
    try:
        with transaction.atomic():
            invitation, _ = Invitation.objects.get_or_create(
                phase=phase, person=person, defaults=defaults
            )
    except IntegrityError:  # created by a concurrent batch a moment ago
        invitation = Invitation.objects.get(phase=phase, person=person)
    invitation.phase, invitation.person = phase, person
    return invitation


class _Batch:
    """One SMTP connection for a batch; a failure to connect or a dropped server stops it."""

    def __init__(self, report: SendReport):
        self.report = report
        self.connection = get_connection()

    def __enter__(self):
        try:
            self.connection.open()
        except (smtplib.SMTPException, OSError) as error:
            raise MailServerUnavailable(error, self.report) from error
        return self.connection

    def __exit__(self, kind, error, traceback):
        try:
            self.connection.close()
        except (smtplib.SMTPException, OSError):
            pass  # the batch is over; a failed QUIT changes nothing
        if isinstance(error, (smtplib.SMTPException, OSError)):
            raise MailServerUnavailable(error, self.report) from error
        return False


def send_invitations(phase: Phase, *, people=None) -> SendReport:
    """Invite the phase's audience (or ``people``) who have an email address, have not
    unsubscribed, and have no sent invitation or response yet. Each person's invitation is
    created once; a bounced one is tried again (the address may have been corrected)."""
    refuse_unless_open(phase)
    report = SendReport(INVITATION)
    to_send, report.skipped = plan_invitations(phase, people)
    if not to_send:
        return report
    with _Batch(report) as connection:
        for person in to_send:
            invitation = _invitation(phase, person)
            now = timezone.now()
            claimed = Invitation.objects.filter(pk=invitation.pk, sent_at__isnull=True)
            if not claimed.update(sent_at=now):
                report.skipped.append(Outcome(person, SENT_ELSEWHERE))
                continue
            try:
                refusal = _deliver(connection, invitation, INVITATION)
            except BaseException:
                Invitation.objects.filter(pk=invitation.pk).update(sent_at=None)
                raise
            if refusal:
                Invitation.objects.filter(pk=invitation.pk).update(
                    sent_at=None, bounced_at=now, bounce_reason=refusal
                )
                report.bounced.append(Outcome(person, refusal))
            else:
                Invitation.objects.filter(pk=invitation.pk).update(
                    send_count=F("send_count") + 1, bounced_at=None, bounce_reason=""
                )
                report.sent.append(person)
    return report


def send_reminders(phase: Phase, *, people=None) -> SendReport:
    """Remind invitations that were sent and are not submitted, bounced or unsubscribed (of
    ``people``, ids, when given)."""
    refuse_unless_open(phase)
    report = SendReport(REMINDER)
    now = timezone.now()
    to_send, report.skipped = plan_reminders(phase, now, people)
    if not to_send:
        return report
    with _Batch(report) as connection:
        for invitation in to_send:
            before = {"reminded_at": invitation.reminded_at,
                      "reminder_count": invitation.reminder_count}
            claimed = Invitation.objects.filter(pk=invitation.pk, **before).update(
                reminded_at=now, reminder_count=F("reminder_count") + 1
            )
            if not claimed:
                report.skipped.append(Outcome(invitation.person, SENT_ELSEWHERE))
                continue
            try:
                refusal = _deliver(connection, invitation, REMINDER)
            except BaseException:
                Invitation.objects.filter(pk=invitation.pk).update(**before)
                raise
            if refusal:
                Invitation.objects.filter(pk=invitation.pk).update(
                    **before, bounced_at=now, bounce_reason=refusal
                )
                report.bounced.append(Outcome(invitation.person, refusal))
            else:
                report.sent.append(invitation.person)
    return report


def sending_refused(phase: Phase) -> str:
    """Why no invitation or reminder may go out for the phase now, or "" when it may: its links
    would lead respondents nowhere (a draft consultation is hidden, a phase not yet open cannot
    be started) or nowhere useful (closed)."""
    state = phase.state()
    if state == "unpublished":
        return (f"{phase} is in a draft consultation, which respondents cannot see: change its "
                "status to Open first")
    if state == "upcoming":
        return f"{phase} opens at {emails.closing_text(phase.opens_at)}: send from then"
    if state == "closed":
        return f"{phase} closed at {emails.closing_text(phase.closes_at)}"
    return ""


def refuse_unless_open(phase: Phase) -> None:
    reason = sending_refused(phase)
    if reason:
        raise OutreachRefused(f"{reason}; nothing was sent")



def mark_imported_submissions(phase: Phase, submitted: list[tuple[Response, str]]) -> int:
    """Imported responses from invited addresses (``(response, email)`` pairs): those
    invitations count as submitted, so nobody is reminded to send what they already sent. In an
    anonymous phase (whose imports take no email column) only the day would be kept and no
    invitation linked to its response. Returns how many invitations changed."""
    by_email = {email.strip().lower(): response for response, email in submitted if email.strip()}
    waiting = phase.invitations.filter(submitted_at__isnull=True).exclude(person__email="")
    marked = 0
    for pk, email in waiting.values_list("pk", "person__email"):  # one read, whatever the file
        response = by_email.get(email.lower())
        if response is None:
            continue
        when = response.submitted_at or timezone.now()
        changes = {"submitted_at": day_only(when)} if phase.is_anonymous else {
            "submitted_at": when, "response": response}
        # Conditional: the invitation's own link may have submitted a response meanwhile.
        marked += Invitation.objects.filter(pk=pk, submitted_at__isnull=True).update(**changes)
    return marked


# Personal links -----------------------------------------------------------------------------

def invitation_for_token(token: str) -> Invitation | None:
    """The invitation a personal link belongs to (any of its links), or None."""
    if not token:
        return None
    row = (
        InvitationToken.objects.select_related(
            "invitation__phase__consultation", "invitation__person", "invitation__organisation",
            "invitation__response",
        )
        .filter(token_hash=hash_token(token))
        .first()
    )
    return row.invitation if row else None


def mark_opened(invitation: Invitation) -> None:
    """Record the first visit of an invitation link; later visits change nothing."""
    if invitation.opened_at:
        return
    now = timezone.now()
    if invitation.phase.is_anonymous:  # the day only: a visit's time would match a draft's
        now = day_only(now)
    if Invitation.objects.filter(pk=invitation.pk, opened_at__isnull=True).update(opened_at=now):
        invitation.opened_at = now
    else:
        invitation.refresh_from_db(fields=["opened_at"])


# What the organiser's page shows -----------------------------------------------------------

def status_counts(invitations) -> list[tuple[str, int]]:
    """``[("Sent", 3), ("Opened", 1), ...]`` in funnel order, every status listed."""
    counts = Counter(invitation.status for invitation in invitations)
    return [(label, counts.get(value, 0)) for value, label in Invitation.Status.choices]
