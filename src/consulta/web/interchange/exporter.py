"""Writing consultations as one JSON document.

In anonymous phases nothing exported links a response to an invitation: drafts stay behind, no
invitation names a response, and the times of responses and invitations are kept to the day.

Ordering is fixed (organisations by name, responses by time then reference, answers in question
order) so two exports of the same data are byte-identical apart from ``GENERATED_FIELDS``.
Not exported: user accounts and memberships (they belong to an installation, not to a
consultation), the audit trail, draft links and invitation links (secrets), and analysis results
(runs, themes, codings: they are derived from the responses, so after an import they are made
again with ``consulta analyse --consultation SLUG``).
"""

from __future__ import annotations

from datetime import UTC, datetime

from django.db.models import F, Prefetch

import consulta
from consulta.web.consultations.models import Consultation, Phase
from consulta.web.privacy_storage import day_only
from consulta.web.responses.models import Answer, Response

FORMAT = "consulta-export"
FORMAT_VERSION = 1
INVITATION_TIMES = (
    "created_at", "sent_at", "opened_at", "started_at", "submitted_at", "bounced_at", "reminded_at"
)
# Kept to the day in anonymous phases (sent, bounced and reminded are the organisers' doing).
ANONYMOUS_DAY_ONLY = ("opened_at", "started_at", "submitted_at")
# Fields whose value depends on when and by what the export was made, not on the data.
GENERATED_FIELDS = ("exported_at", "consulta_version")


def timestamp(value: datetime | None) -> str | None:
    if value is None:
        return None
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def export_consultations(slugs: list[str] | None = None) -> dict:
    """The document for the given consultations (all of them when ``slugs`` is None).

    Raises ``Consultation.DoesNotExist`` naming the first unknown slug.
    """
    queryset = Consultation.objects.order_by("slug")
    if slugs is not None:
        queryset = queryset.filter(slug__in=slugs)
        missing = sorted(set(slugs) - set(queryset.values_list("slug", flat=True)))
        if missing:
            raise Consultation.DoesNotExist(f"No consultation with slug {missing[0]!r}")
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "consulta_version": consulta.__version__,
        "exported_at": timestamp(datetime.now(UTC)),
        "consultations": [_consultation(item) for item in queryset],
    }


def _consultation(consultation: Consultation) -> dict:
    organisations = consultation.organisations.select_related("parent").order_by("name")
    people = consultation.people.select_related("organisation").order_by("name", "email", "pk")
    return {
        "slug": consultation.slug,
        "title": consultation.title,
        "summary": consultation.summary,
        "background": consultation.background,
        "run_by": consultation.run_by,
        "run_for": consultation.run_for,
        "status": consultation.status,
        "brand_colour": consultation.brand_colour,
        "privacy_notice": consultation.privacy_notice,
        "created_at": timestamp(consultation.created_at),
        "roles": list(consultation.roles.values_list("name", flat=True)),
        "organisations": [
            {
                "name": org.name,
                "sector": org.sector,
                "type": org.type,
                "parent": org.parent.name if org.parent else None,
            }
            for org in organisations
        ],
        "people": [_person(person) for person in people],
        "phases": [_phase(phase) for phase in consultation.phases.order_by("position", "pk")],
    }


def _person(person) -> dict:
    return {**_person_ref(person), "job_title": person.job_title}


def _phase(phase: Phase) -> dict:
    audience = phase.audience_members.select_related("organisation", "person__organisation")
    entries = [
        {
            "organisation": member.organisation.name if member.organisation else None,
            "person": _person_ref(member.person) if member.person else None,
        }
        for member in audience
    ]
    entries.sort(key=lambda e: (e["organisation"] or "", str(e["person"] or "")))
    responses = (
        _exported_responses(phase)
        .select_related("role", "organisation", "respondent", "typed_organisation")
        .prefetch_related(
            Prefetch("answers", queryset=Answer.objects.select_related("question"))
        )
        # Drafts (no submitted_at) last on every database: SQLite and PostgreSQL differ by default.
        .order_by(F("submitted_at").asc(nulls_last=True), "created_at", "reference")
    )
    return {
        "number": phase.position,
        "name": phase.name,
        "audience": phase.audience,
        "anonymity": phase.anonymity,
        "opens_at": timestamp(phase.opens_at),
        "closes_at": timestamp(phase.closes_at),
        "intro": phase.intro,
        "questions": [
            {
                "key": question.key,
                "title": question.title,
                "context": question.context,
                "kind": question.kind,
                "required": question.required,
                "options": list(question.options),
                "max_length": question.max_length,
            }
            for question in phase.questions.order_by("position", "pk")
        ],
        "audience_members": entries,
        "message_templates": [
            {"kind": t.kind, "subject": t.subject, "body": t.body}
            for t in phase.message_templates.order_by("kind")
        ],
        "invitations": _invitations(phase),
        "responses": [_response(response, phase.is_anonymous) for response in responses],
    }


def _exported_responses(phase: Phase):
    """Drafts of anonymous phases stay behind. While drafting, a response is still tied to the
    invitation that started it (so the invitee can come back to it); a copy of that tie, with the
    draft's answers, would name the author of the response the draft becomes. Nothing is lost
    by leaving them out: their links are never exported, so an imported draft could not be
    carried on anyway."""
    responses = phase.responses.all()
    if phase.is_anonymous:
        responses = responses.exclude(status=Response.Status.DRAFT)
    return responses


def _invitation_times(invitation, anonymous: bool) -> dict:
    """In anonymous phases, when an invitation was opened, started and answered is kept to the
    day, as in the database (older data may still hold times): times would match responses."""
    times = {field: getattr(invitation, field) for field in INVITATION_TIMES}
    if anonymous:
        for field in ANONYMOUS_DAY_ONLY:
            times[field] = day_only(times[field])
    return {field: timestamp(value) for field, value in times.items()}


def _invitations(phase: Phase) -> list[dict]:
    """Invitation states without their links: tokens are secrets and stay behind (links issued
    before an export stop working after an import; sending again issues new ones)."""
    invitations = phase.invitations.select_related("person__organisation", "organisation",
                                                   "response")
    items = [
        {
            "person": _person_ref(invitation.person),
            "organisation": invitation.organisation.name if invitation.organisation else None,
            **_invitation_times(invitation, phase.is_anonymous),
            "send_count": invitation.send_count,
            "reminder_count": invitation.reminder_count,
            "bounce_reason": invitation.bounce_reason,
            # Never for an anonymous phase, whatever the row holds: see _exported_responses.
            "response": (
                invitation.response.reference
                if invitation.response and not phase.is_anonymous else None
            ),
        }
        for invitation in invitations
    ]
    return sorted(items, key=lambda item: (item["person"]["email"], item["person"]["name"]))


def _person_ref(person) -> dict:
    """How an audience entry or a respondent names a person: email when known, else name."""
    return {
        "name": person.name,
        "email": person.email,
        "organisation": person.organisation.name if person.organisation else None,
    }


def _response(response: Response, anonymous: bool) -> dict:
    respondent = getattr(response, "respondent", None)
    typed = getattr(response, "typed_organisation", None)
    answers = sorted(response.answers.all(), key=lambda a: (a.question.position, a.question_id))
    when = day_only if anonymous else (lambda moment: moment)
    return {
        "reference": response.reference,
        "status": response.status,
        "channel": response.channel,
        "created_at": timestamp(when(response.created_at)),
        "submitted_at": timestamp(when(response.submitted_at)),
        "consent": response.consent,
        "role": response.role.name if response.role else None,
        "organisation": response.organisation.name if response.organisation else None,
        # As the respondent typed it on the "about you" page, not matched to the network.
        "organisation_name": response.organisation_name,
        "organisation_sector": typed.sector if typed else "",
        "organisation_type": typed.type if typed else "",
        "on_behalf": response.on_behalf,
        "withdrawn_reason": response.withdrawn_reason,
        "respondent": (
            {
                "name": respondent.name,
                "email": respondent.email,
                "linked_to_person": respondent.person_id is not None,
            }
            if respondent
            else None
        ),
        "answers": [
            {"question": answer.question.key, "text": answer.text, "choices": list(answer.choices)}
            for answer in answers
        ],
    }
