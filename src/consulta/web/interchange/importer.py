"""Restoring consultations from an export document, all or nothing.

The whole document is read and checked first, outside any transaction, into unsaved rows;
then they are written in bulk in one short transaction (on SQLite a writing transaction
holds the one write lock that respondents' saves wait for).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.db import IntegrityError, transaction
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
from consulta.web.privacy_storage import day_only
from consulta.web.respond.models import TypedOrganisation
from consulta.web.responses.models import Answer, Respondent, Response
from consulta.web.stakeholders.models import AudienceMember, Organisation, Person, Sector

BATCH = 500


class InterchangeError(ValueError):
    """The document cannot be imported; the message says where and why."""


@dataclass
class _Staged:
    """One consultation's rows, unsaved, as the document gives them."""

    consultation: Consultation
    roles: list[RespondentRole] = field(default_factory=list)
    organisations: list[Organisation] = field(default_factory=list)
    parents: list[tuple[Organisation, Organisation]] = field(default_factory=list)  # child's
    people: list[Person] = field(default_factory=list)
    phases: list[Phase] = field(default_factory=list)
    questions: list[Question] = field(default_factory=list)
    audience: list[AudienceMember] = field(default_factory=list)
    templates: list[MessageTemplate] = field(default_factory=list)
    responses: list[Response] = field(default_factory=list)
    answers: list[Answer] = field(default_factory=list)
    respondents: list[Respondent] = field(default_factory=list)
    typed_organisations: list[TypedOrganisation] = field(default_factory=list)
    invitations: list[Invitation] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return {
            "phases created": len(self.phases),
            "questions created": len(self.questions),
            "organisations created": len(self.organisations),
            "people created": len(self.people),
            "responses created": len(self.responses),
            "answers created": len(self.answers),
            "respondents recorded": len(self.respondents),
        }


# Written in this order, each kind in bulk: bulk_create gives each row its key (PostgreSQL and
# SQLite both return them), and a row pointing at a saved one picks its key up when saved.
WRITE_ORDER = [
    ("roles", RespondentRole), ("organisations", Organisation), ("people", Person),
    ("phases", Phase), ("questions", Question), ("audience", AudienceMember),
    ("templates", MessageTemplate), ("responses", Response), ("answers", Answer),
    ("respondents", Respondent), ("typed_organisations", TypedOrganisation),
    ("invitations", Invitation),
]


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
    staged = [_restore(item, f"consultations[{i}]") for i, item in enumerate(items)]
    try:
        with transaction.atomic():
            _write(staged)
            for each in staged:
                log_import(each.consultation, CONSULTATION, file, each.counts(), by,
                           created=True)
    except IntegrityError as error:
        # A slug taken meanwhile, or two rows the document should not hold twice.
        raise InterchangeError(f"The document could not be stored: {error}") from error
    return [each.consultation for each in staged]


def _write(staged: list[_Staged]) -> None:
    Consultation.objects.bulk_create([each.consultation for each in staged])
    for name, model in WRITE_ORDER:
        model.objects.bulk_create([row for each in staged for row in getattr(each, name)],
                                  batch_size=BATCH)
        if model is Organisation:
            children = []
            for each in staged:
                for child, parent in each.parents:
                    child.parent = parent
                    children.append(child)
            Organisation.objects.bulk_update(children, ["parent"], batch_size=BATCH)


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


def _restore(data: dict, where: str) -> _Staged:
    staged = _Staged(Consultation(
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
    ))
    roles = {
        name: RespondentRole(consultation=staged.consultation, name=name, position=i)
        for i, name in enumerate(data.get("roles", []), 1)
    }
    staged.roles = list(roles.values())
    organisations = _restore_organisations(staged, data.get("organisations", []), where)
    people = _restore_people(staged, data.get("people", []), organisations, where)
    context = {"roles": roles, "organisations": organisations, "people": people}
    for i, phase in enumerate(_require(data, "phases", list, where)):
        _restore_phase(staged, phase, context, f"{where}.phases[{i}]")
    return staged


def _restore_organisations(staged: _Staged, items: list, where: str) -> dict[str, Organisation]:
    organisations: dict[str, Organisation] = {}
    for i, item in enumerate(items):
        here = f"{where}.organisations[{i}]"
        name = _require(item, "name", str, here)
        organisations[name] = Organisation(
            consultation=staged.consultation,
            name=name,
            sector=_choice(item.get("sector"), Sector, f"{here}.sector"),
            type=item.get("type") or "",
        )
    staged.organisations = list(organisations.values())
    for i, item in enumerate(items):
        parent = item.get("parent")
        if parent is None:
            continue
        if parent not in organisations:
            raise InterchangeError(f"{where}.organisations[{i}].parent: unknown {parent!r}")
        # Set once both are saved: a row cannot be saved pointing at one that is not.
        staged.parents.append((organisations[item["name"]], organisations[parent]))
    return organisations


def _organisation(organisations: dict, name, where: str) -> Organisation | None:
    if name is None:
        return None
    if name not in organisations:
        raise InterchangeError(f"{where}: unknown organisation {name!r}")
    return organisations[name]


def _person_key(ref: dict) -> tuple:
    return (ref.get("email") or "", ref.get("name") or "", ref.get("organisation"))


def _restore_people(staged: _Staged, items: list, organisations: dict, where: str) -> dict:
    people = {}
    for i, item in enumerate(items):
        here = f"{where}.people[{i}]"
        person = Person(
            consultation=staged.consultation,
            name=item.get("name") or "",
            email=item.get("email") or "",
            organisation=_organisation(organisations, item.get("organisation"), here),
            job_title=item.get("job_title") or "",
        )
        staged.people.append(person)
        people[_person_key(item)] = person
        if person.email:
            people[person.email] = person
    return people


def _restore_phase(staged: _Staged, data: dict, context: dict, where: str) -> None:
    phase = Phase(
        consultation=staged.consultation,
        position=_require(data, "number", int, where),
        name=_require(data, "name", str, where),
        audience=_choice(data.get("audience"), Phase.Audience, f"{where}.audience"),
        anonymity=_choice(data.get("anonymity"), Phase.Anonymity, f"{where}.anonymity"),
        opens_at=_when(data.get("opens_at"), f"{where}.opens_at"),
        closes_at=_when(data.get("closes_at"), f"{where}.closes_at"),
        intro=data.get("intro", ""),
    )
    staged.phases.append(phase)
    questions = {}
    for i, item in enumerate(_require(data, "questions", list, where), 1):
        here = f"{where}.questions[{i - 1}]"
        if _require(item, "key", str, here) in questions:
            raise InterchangeError(f"{here}.key: {item['key']!r} is already a question's key")
        questions[item["key"]] = Question(
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
    staged.questions += questions.values()
    _restore_audience(staged, phase, data.get("audience_members", []), context, where)
    references = _restore_responses(staged, phase, data.get("responses", []), questions, context,
                                    where)
    for item in data.get("message_templates", []):
        staged.templates.append(MessageTemplate(
            phase=phase, kind=_choice(item.get("kind"), MessageTemplate.Kind, f"{where}.kind"),
            subject=item.get("subject", ""), body=item.get("body", ""),
        ))
    _restore_invitations(staged, phase, data.get("invitations", []), context, references, where)


def _restore_invitations(staged: _Staged, phase, items: list, context: dict, references: dict,
                         where: str) -> None:
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
        staged.invitations.append(Invitation(
            phase=phase, person=person, **times,
            organisation=_organisation(context["organisations"], item.get("organisation"), here),
            send_count=int(item.get("send_count", 0)),
            reminder_count=int(item.get("reminder_count", 0)),
            bounce_reason=item.get("bounce_reason", ""),
            response=references.get(reference),
        ))


def _restore_audience(staged: _Staged, phase: Phase, items: list, context: dict,
                      where: str) -> None:
    for i, item in enumerate(items):
        here = f"{where}.audience_members[{i}]"
        person = None
        if item.get("person") is not None:
            person = context["people"].get(_person_key(item["person"]))
            if person is None:
                raise InterchangeError(f"{here}.person: not among the consultation's people")
        organisation = _organisation(context["organisations"], item.get("organisation"), here)
        staged.audience.append(AudienceMember(phase=phase, organisation=organisation,
                                              person=person))


def _restore_responses(staged: _Staged, phase, items: list, questions: dict, context: dict,
                       where: str) -> dict:
    """Stage the phase's responses; returns them by reference."""
    responses = []
    for i, item in enumerate(items):
        here = f"{where}.responses[{i}]"
        role_name = item.get("role")
        if role_name is not None and role_name not in context["roles"]:
            raise InterchangeError(f"{here}.role: unknown role {role_name!r}")
        # A document written elsewhere may hold exact times of anonymous answers: keep the day.
        when = day_only if phase.is_anonymous else (lambda moment: moment)
        response = Response(
            phase=phase,
            reference=_require(item, "reference", str, here),
            status=_choice(item.get("status"), Response.Status, f"{here}.status"),
            channel=_choice(item.get("channel", "import"), Response.Channel, f"{here}.channel"),
            created_at=when(_when(item.get("created_at"), f"{here}.created_at")),
            submitted_at=when(_when(item.get("submitted_at"), f"{here}.submitted_at",
                                    optional=True)),
            consent=_choice(item.get("consent", "none"), Response.Consent, f"{here}.consent"),
            role=context["roles"].get(role_name),
            organisation=_organisation(context["organisations"], item.get("organisation"), here),
            on_behalf=bool(item.get("on_behalf", False)),
            organisation_name=str(item.get("organisation_name") or ""),
            withdrawn_reason=str(item.get("withdrawn_reason") or ""),
        )
        responses.append(response)
        _typed_organisation(staged, response, item, here)
        for j, answer in enumerate(_require(item, "answers", list, here)):
            key = _require(answer, "question", str, f"{here}.answers[{j}]")
            if key not in questions:
                raise InterchangeError(f"{here}.answers[{j}]: unknown question {key!r}")
            staged.answers.append(
                Answer(response=response, question=questions[key], text=answer.get("text", ""),
                       choices=list(answer.get("choices", [])))
            )
        if item.get("respondent"):
            staged.respondents.append(
                _respondent(phase, response, item["respondent"], context, here))
    staged.responses += responses
    return {response.reference: response for response in responses}


def _typed_organisation(staged: _Staged, response: Response, item: dict, where: str) -> None:
    """The sector and type a respondent typed with their organisation, if any."""
    sector, kind = item.get("organisation_sector") or "", item.get("organisation_type") or ""
    if not (sector or kind):
        return
    staged.typed_organisations.append(TypedOrganisation(
        response=response,
        sector=_choice(sector, Sector, f"{where}.organisation_sector") if sector else "",
        type=str(kind)))


def _respondent(phase, response, data: dict, context: dict, where: str) -> Respondent:
    if phase.is_anonymous:
        raise InterchangeError(f"{where}.respondent: an anonymous phase keeps no respondents")
    email = data.get("email") or ""
    person = context["people"].get(email) if data.get("linked_to_person") and email else None
    return Respondent(response=response, person=person, name=data.get("name") or "", email=email)
