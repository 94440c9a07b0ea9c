"""Restoring consultations from an export document, all or nothing."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils.dateparse import parse_datetime

from consulta.web.consultations.audit import (
    BY_CODE,
    CONSULTATION,
    ImportedBy,
    ImportedFile,
    log_import,
)
from consulta.web.consultations.models import Consultation, Phase, Question, RespondentRole
from consulta.web.interchange.exporter import FORMAT, FORMAT_VERSION, INVITATION_TIMES
from consulta.web.outreach.models import Invitation, MessageTemplate
from consulta.web.responses.models import Answer, Respondent, Response
from consulta.web.stakeholders.models import AudienceMember, Organisation, Person, Sector


class InterchangeError(ValueError):
    """The document cannot be imported; the message says where and why."""


def import_consultations(document: dict, *, file: ImportedFile | None = None,
                         by: ImportedBy = BY_CODE) -> list[Consultation]:
    """Create every consultation in ``document``; on any error nothing is written.

    Each consultation's audit trail gets one summary entry: its counts, ``by``, and ``file``,
    the export file the document was read from (None when it was built in memory).
    """
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise InterchangeError(f"Not a Consulta export: expected \"format\": \"{FORMAT}\"")
    if document.get("format_version") != FORMAT_VERSION:
        raise InterchangeError(
            f"Unsupported format_version {document.get('format_version')!r}; "
            f"this Consulta reads version {FORMAT_VERSION}"
        )
    items = _require(document, "consultations", list, "document")
    slugs = [_require(item, "slug", str, f"consultations[{i}]") for i, item in enumerate(items)]
    taken = sorted(Consultation.objects.filter(slug__in=slugs).values_list("slug", flat=True))
    if taken:
        raise InterchangeError(f"A consultation with slug {taken[0]!r} already exists here")
    if len(set(slugs)) != len(slugs):
        raise InterchangeError("The document holds the same slug twice")
    with transaction.atomic():
        created = [_restore(item, f"consultations[{i}]") for i, item in enumerate(items)]
        for consultation in created:
            log_import(consultation, CONSULTATION, file, _counts(consultation), by, created=True)
    return created


def _counts(consultation: Consultation) -> dict[str, int]:
    """What was restored, counted afresh: the restore writes in bulk and keeps no tally."""
    responses = Response.objects.filter(phase__consultation=consultation)
    return {
        "phases created": consultation.phases.count(),
        "questions created": Question.objects.filter(phase__consultation=consultation).count(),
        "organisations created": consultation.organisations.count(),
        "people created": consultation.people.count(),
        "responses created": responses.count(),
        "answers created": Answer.objects.filter(response__in=responses).count(),
        "respondents recorded": Respondent.objects.filter(response__in=responses).count(),
    }


def _require(mapping, key: str, kind: type, where: str):
    if not isinstance(mapping, dict) or key not in mapping:
        raise InterchangeError(f"{where}: missing \"{key}\"")
    value = mapping[key]
    if not isinstance(value, kind):
        raise InterchangeError(f"{where}.{key}: expected {kind.__name__}")
    return value


def _choice(value, choices, where: str) -> str:
    allowed = [choice.value for choice in choices]
    if value not in allowed:
        raise InterchangeError(f"{where}: {value!r} is not one of {', '.join(allowed)}")
    return value


def _when(value, where: str, *, optional: bool = False) -> datetime | None:
    if value is None and optional:
        return None
    parsed = parse_datetime(value) if isinstance(value, str) else None
    if parsed is None or parsed.tzinfo is None:
        raise InterchangeError(f"{where}: expected an ISO 8601 date-time with a time zone")
    return parsed


def _restore(data: dict, where: str) -> Consultation:
    consultation = Consultation.objects.create(
        slug=data["slug"],
        title=_require(data, "title", str, where),
        summary=data.get("summary", ""),
        background=data.get("background", ""),
        run_by=data.get("run_by", ""),
        run_for=data.get("run_for", ""),
        status=_choice(data.get("status", "draft"), Consultation.Status, f"{where}.status"),
        brand_colour=data.get("brand_colour") or "#1d3a6e",
        privacy_notice=data.get("privacy_notice", ""),
        created_at=_when(data.get("created_at"), f"{where}.created_at"),
    )
    roles = {
        name: RespondentRole.objects.create(consultation=consultation, name=name, position=i)
        for i, name in enumerate(data.get("roles", []), 1)
    }
    organisations = _restore_organisations(consultation, data.get("organisations", []), where)
    people = _restore_people(consultation, data.get("people", []), organisations, where)
    context = {"roles": roles, "organisations": organisations, "people": people}
    for i, phase in enumerate(_require(data, "phases", list, where)):
        _restore_phase(consultation, phase, context, f"{where}.phases[{i}]")
    return consultation


def _restore_organisations(consultation, items: list, where: str) -> dict[str, Organisation]:
    organisations: dict[str, Organisation] = {}
    for i, item in enumerate(items):
        here = f"{where}.organisations[{i}]"
        name = _require(item, "name", str, here)
        organisations[name] = Organisation.objects.create(
            consultation=consultation,
            name=name,
            sector=_choice(item.get("sector"), Sector, f"{here}.sector"),
            type=item.get("type") or "",
        )
    for i, item in enumerate(items):
        parent = item.get("parent")
        if parent is None:
            continue
        if parent not in organisations:
            raise InterchangeError(f"{where}.organisations[{i}].parent: unknown {parent!r}")
        child = organisations[item["name"]]
        child.parent = organisations[parent]
        child.save(update_fields=["parent"])
    return organisations


def _organisation(organisations: dict, name, where: str) -> Organisation | None:
    if name is None:
        return None
    if name not in organisations:
        raise InterchangeError(f"{where}: unknown organisation {name!r}")
    return organisations[name]


def _person_key(ref: dict) -> tuple:
    return (ref.get("email") or "", ref.get("name") or "", ref.get("organisation"))


def _restore_people(consultation, items: list, organisations: dict, where: str) -> dict:
    people = {}
    for i, item in enumerate(items):
        here = f"{where}.people[{i}]"
        person = Person.objects.create(
            consultation=consultation,
            name=item.get("name") or "",
            email=item.get("email") or "",
            organisation=_organisation(organisations, item.get("organisation"), here),
            job_title=item.get("job_title") or "",
        )
        people[_person_key(item)] = person
        if person.email:
            people[person.email] = person
    return people


def _restore_phase(consultation, data: dict, context: dict, where: str) -> None:
    phase = Phase.objects.create(
        consultation=consultation,
        position=_require(data, "number", int, where),
        name=_require(data, "name", str, where),
        audience=_choice(data.get("audience"), Phase.Audience, f"{where}.audience"),
        anonymity=_choice(data.get("anonymity"), Phase.Anonymity, f"{where}.anonymity"),
        opens_at=_when(data.get("opens_at"), f"{where}.opens_at"),
        closes_at=_when(data.get("closes_at"), f"{where}.closes_at"),
        intro=data.get("intro", ""),
    )
    questions = {}
    for i, item in enumerate(_require(data, "questions", list, where), 1):
        here = f"{where}.questions[{i - 1}]"
        questions[_require(item, "key", str, here)] = Question.objects.create(
            phase=phase,
            position=i,
            key=item["key"],
            title=_require(item, "title", str, here),
            context=item.get("context", ""),
            kind=_choice(item.get("kind", "long_text"), Question.Kind, f"{here}.kind"),
            required=bool(item.get("required", False)),
            options=list(item.get("options", [])),
            max_length=int(item.get("max_length", 20_000)),
        )
    _restore_audience(phase, data.get("audience_members", []), context, where)
    references = _restore_responses(phase, data.get("responses", []), questions, context, where)
    for item in data.get("message_templates", []):
        MessageTemplate.objects.create(
            phase=phase, kind=_choice(item.get("kind"), MessageTemplate.Kind, f"{where}.kind"),
            subject=item.get("subject", ""), body=item.get("body", ""),
        )
    _restore_invitations(phase, data.get("invitations", []), context, references, where)


def _restore_invitations(phase, items: list, context: dict, references: dict, where: str) -> None:
    invitations = []
    for i, item in enumerate(items):
        here = f"{where}.invitations[{i}]"
        person = context["people"].get(_person_key(item.get("person") or {}))
        if person is None:
            raise InterchangeError(f"{here}.person: not among the consultation's people")
        reference = item.get("response")
        if reference is not None and reference not in references:
            raise InterchangeError(f"{here}.response: no response {reference!r} in this phase")
        times = {
            field: _when(item.get(field), f"{here}.{field}", optional=field != "created_at")
            for field in INVITATION_TIMES
        }
        invitations.append(Invitation(
            phase=phase, person=person, **times,
            organisation=_organisation(context["organisations"], item.get("organisation"), here),
            send_count=int(item.get("send_count", 0)),
            reminder_count=int(item.get("reminder_count", 0)),
            bounce_reason=item.get("bounce_reason", ""),
            response=references.get(reference),
        ))
    Invitation.objects.bulk_create(invitations, batch_size=500)


def _restore_audience(phase: Phase, items: list, context: dict, where: str) -> None:
    members = []
    for i, item in enumerate(items):
        here = f"{where}.audience_members[{i}]"
        person = None
        if item.get("person") is not None:
            person = context["people"].get(_person_key(item["person"]))
            if person is None:
                raise InterchangeError(f"{here}.person: not among the consultation's people")
        organisation = _organisation(context["organisations"], item.get("organisation"), here)
        members.append(AudienceMember(phase=phase, organisation=organisation, person=person))
    AudienceMember.objects.bulk_create(members)


def _restore_responses(phase, items: list, questions: dict, context: dict, where: str) -> dict:
    """Create the phase's responses; returns them by reference."""
    responses, answers, respondents = [], [], []
    for i, item in enumerate(items):
        here = f"{where}.responses[{i}]"
        role_name = item.get("role")
        if role_name is not None and role_name not in context["roles"]:
            raise InterchangeError(f"{here}.role: unknown role {role_name!r}")
        response = Response(
            phase=phase,
            reference=_require(item, "reference", str, here),
            status=_choice(item.get("status"), Response.Status, f"{here}.status"),
            channel=_choice(item.get("channel", "import"), Response.Channel, f"{here}.channel"),
            created_at=_when(item.get("created_at"), f"{here}.created_at"),
            submitted_at=_when(item.get("submitted_at"), f"{here}.submitted_at", optional=True),
            consent=_choice(item.get("consent", "none"), Response.Consent, f"{here}.consent"),
            role=context["roles"].get(role_name),
            organisation=_organisation(context["organisations"], item.get("organisation"), here),
            on_behalf=bool(item.get("on_behalf", False)),
        )
        responses.append(response)
        for j, answer in enumerate(_require(item, "answers", list, here)):
            key = _require(answer, "question", str, f"{here}.answers[{j}]")
            if key not in questions:
                raise InterchangeError(f"{here}.answers[{j}]: unknown question {key!r}")
            answers.append(
                Answer(response=response, question=questions[key], text=answer.get("text", ""),
                       choices=list(answer.get("choices", [])))
            )
        if item.get("respondent"):
            respondents.append(_respondent(phase, response, item["respondent"], context, here))
    Response.objects.bulk_create(responses, batch_size=500)
    # bulk_create sets the new primary keys (PostgreSQL and SQLite both return them), and
    # saving a child copies its parent's key across, so answers can follow in bulk too.
    Answer.objects.bulk_create(answers, batch_size=1000)
    Respondent.objects.bulk_create(respondents, batch_size=500)
    return {response.reference: response for response in responses}


def _respondent(phase, response, data: dict, context: dict, where: str) -> Respondent:
    if phase.is_anonymous:
        raise InterchangeError(f"{where}.respondent: an anonymous phase keeps no respondents")
    email = data.get("email") or ""
    person = context["people"].get(email) if data.get("linked_to_person") and email else None
    return Respondent(response=response, person=person, name=data.get("name") or "", email=email)
