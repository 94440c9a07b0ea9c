"""Organiser pages for a phase's invitations, reminders and their wording.

Every view here is for organisers: the table lists people's addresses and the buttons send
email, so analysts get 403 and outsiders 404 (access.py).
"""

from __future__ import annotations

from collections import Counter

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from consulta.web.consultations import audit
from consulta.web.consultations.access import load_consultation_for_edit
from consulta.web.consultations.models import Phase
from consulta.web.consultations.phase_views import load_phase
from consulta.web.outreach import services, tasks
from consulta.web.outreach.email import preview, wording
from consulta.web.outreach.forms import MessageForm
from consulta.web.outreach.models import Invitation, MessageTemplate
from consulta.web.outreach.monitoring_figures import SMALL_GROUP
from consulta.web.stakeholders.models import Person

STATUS_TAGS = {
    "pending": "tag--closed", "submitted": "tag--open", "bounced": "tag--draft",
}


def _load_phase(request: HttpRequest, slug: str, number: int) -> Phase:
    return load_phase(load_consultation_for_edit(request, slug), number)


def _invitations_url(phase: Phase) -> str:
    return reverse("outreach:invitations", args=[phase.consultation.slug, phase.position])


def _shown_status(phase: Phase, invitation: Invitation) -> str:
    """An invitation's status as its row shows it. In anonymous phases a row says only whether
    the email went out: who opened, started or submitted is counted, never shown by name (with
    the responses list, it would tell the organisers who wrote what)."""
    if not phase.is_anonymous:
        return invitation.status
    if invitation.bounced_at:
        return Invitation.Status.BOUNCED
    return Invitation.Status.SENT if invitation.sent_at else Invitation.Status.PENDING


@login_required
@require_GET
def invitations(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    phase = _load_phase(request, slug, number)
    rows = list(phase.invitations.select_related("person", "organisation"))
    for invitation in rows:
        status = _shown_status(phase, invitation)
        invitation.status_label = Invitation.Status(status).label
        invitation.tag = STATUS_TAGS.get(status, "")
    to_invite, not_invitable = services.plan_invitations(phase)
    to_remind, _ = services.plan_reminders(phase)
    return render(request, "outreach/invitations.html", {
        "consultation": phase.consultation,
        "phase": phase,
        "invitations": rows,
        "counts": services.status_counts(rows),
        "to_invite": len(to_invite),
        "cannot_invite": Counter(
            o.reason for o in not_invitable if o.reason != services.ALREADY_INVITED
        ).most_common(),
        "to_remind": len(to_remind),
        "is_closed": phase.state() == "closed",
        "refused": services.sending_refused(phase),
        "background": tasks.latest_sends(phase),
        "inline_limit": settings.CONSULTA_SEND_INLINE_LIMIT,
        "small_group": SMALL_GROUP,
    })


def _send(request: HttpRequest, phase: Phase, kind: str) -> HttpResponse:
    """Send now, or hand a big batch to the worker so the browser does not wait on SMTP."""
    what = tasks.WHAT[kind]
    if not services.sending_refused(phase):  # a refusal is said at once, inline, not queued
        plan = services.plan_invitations if kind == services.INVITATION else services.plan_reminders
        count = len(plan(phase)[0])
        limit = settings.CONSULTA_SEND_INLINE_LIMIT
        if count > limit:
            if tasks.queue_send(phase, kind):
                audit.record_queued_send(phase, kind, count, actor=request.user)
                people = "person" if count == 1 else "people"
                messages.success(request, f"{what} to {count} {people} queued: the worker sends "
                                 f"batches of more than {limit} in the background. This page "
                                 "shows how it is going.")
            else:
                messages.warning(request, f"{what} for this phase are already queued; the "
                                 "worker will send them. Nothing more was queued.")
            return redirect(_invitations_url(phase), permanent=False)
    send = services.send_invitations if kind == services.INVITATION else services.send_reminders
    try:
        report = send(phase)
    except services.OutreachRefused as refused:
        reason = str(refused)  # "Phase 2: Partners ...": capitalize() would lower the name
        messages.error(request, f"{reason[:1].upper()}{reason[1:]}.")
    except services.MailServerUnavailable as failure:
        audit.record_send(phase, failure.report, actor=request.user, stopped=True)
        messages.error(request, f"{what} stopped: {failure}. So far: {failure.report.summary()}. "
                       "Sending again carries on with the people not yet reached.")
    else:
        audit.record_send(phase, report, actor=request.user)
        level = messages.warning if report.bounced else messages.success
        level(request, f"{what}: {report.summary()}.")
    return redirect(_invitations_url(phase), permanent=False)


@login_required
@require_POST
def invite(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    phase = _load_phase(request, slug, number)
    return _send(request, phase, services.INVITATION)


@login_required
@require_POST
def remind(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    phase = _load_phase(request, slug, number)
    return _send(request, phase, services.REMINDER)


def _kind(kind: str) -> str:
    if kind not in MessageTemplate.Kind.values:
        raise Http404("No such kind of message")
    return kind


def _sample_person(phase: Phase) -> Person:
    person = services.audience_people(phase).exclude(email="").first()
    return person or Person(consultation=phase.consultation, name="Sample Person",
                            email="sample.person@example.org")


def _render_message(request: HttpRequest, phase: Phase, kind: str, form: MessageForm,
                    status: int = 200) -> HttpResponse:
    sample = _sample_person(phase)
    # The preview shows what would be sent now: the saved wording (or the default), not an
    # invalid draft.
    return render(request, "outreach/message.html", {
        "consultation": phase.consultation,
        "phase": phase,
        "kind": kind,
        "kind_label": MessageTemplate.Kind(kind).label,
        "form": form,
        "sample": sample,
        "preview": preview(phase, kind, sample),
        "is_default": not MessageTemplate.objects.filter(phase=phase, kind=kind).exists(),
    }, status=status)


def _template(phase: Phase, kind: str) -> MessageTemplate:
    return MessageTemplate.objects.filter(phase=phase, kind=kind).first() or MessageTemplate(
        phase=phase, kind=kind
    )


@login_required
@require_GET
def message(request: HttpRequest, slug: str, number: int, kind: str) -> HttpResponse:
    phase = _load_phase(request, slug, number)
    kind = _kind(kind)
    template = _template(phase, kind)
    initial = {}
    if template.pk is None:
        default = wording(phase, kind)
        initial = {"subject": default.subject, "body": default.body}
    form = MessageForm(instance=template, initial=initial, phase=phase, kind=kind)
    return _render_message(request, phase, kind, form)


@login_required
@require_POST
def message_update(request: HttpRequest, slug: str, number: int, kind: str) -> HttpResponse:
    phase = _load_phase(request, slug, number)
    kind = _kind(kind)
    saved = _template(phase, kind)
    form = MessageForm(request.POST, instance=saved, phase=phase, kind=kind)
    if not form.is_valid():
        return _render_message(request, phase, kind, form, status=400)
    form.save()
    if form.changed_data:  # which parts changed; the wording itself is on its page
        audit.record(phase.consultation, request.user, audit.WORDING, phase=str(phase),
                     message=MessageTemplate.Kind(kind).label.lower(),
                     fields=[str(form.fields[name].label or name).lower()
                             for name in form.changed_data])
    messages.success(request, f"{MessageTemplate.Kind(kind).label} wording saved.")
    return redirect(reverse("outreach:message", args=[slug, phase.position, kind]))
