"""The writing side of a response import: what it checks again under the lock, and its rows
staged in memory then written in bulk (``importer.py`` reads and checks the file)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from consulta.web.consultations.models import Phase, RespondentRole
from consulta.web.imports import WRITE_BATCH, ImportReport
from consulta.web.outreach.services import mark_imported_submissions
from consulta.web.responses.models import Answer, Respondent, Response, new_reference
from consulta.web.stakeholders.models import Organisation, Person

if TYPE_CHECKING:
    from consulta.web.responses.importer import _Context, _Row


def submitted(phase: Phase):
    return Response.objects.filter(phase=phase, status=Response.Status.SUBMITTED)


def signature_now(phase: Phase) -> tuple:
    """What the import's checks rest on, besides submissions (see ``late_conflict``): it
    must be unchanged when the import comes to write."""
    consultation = phase.consultation_id
    return (
        list(Phase.objects.filter(pk=phase.pk).values_list("anonymity", "audience")),
        list(phase.questions.order_by("pk").values_list(
            "pk", "key", "title", "kind", "required", "options", "max_length")),
        list(RespondentRole.objects.filter(consultation=consultation).order_by("pk")
             .values_list("pk", "name")),
        list(Organisation.objects.filter(consultation=consultation).order_by("pk")
             .values_list("pk", "name", "sector")),
        list(Person.objects.filter(consultation=consultation).exclude(email="").order_by("pk")
             .values_list("pk", "email")),
    )


@dataclass
class Writes:
    """The import's rows, unsaved, in the order they are written."""

    organisations: list[Organisation] = field(default_factory=list)
    responses: list[Response] = field(default_factory=list)
    answers: list[Answer] = field(default_factory=list)
    respondents: list[Respondent] = field(default_factory=list)


def late_conflict(context: _Context, rows: list[_Row]) -> bool:
    """Whether a response submitted since the import read the phase (the phase may be open)
    has the email of a respondent in the file: the import must then check again."""
    late = set(submitted(context.phase).values_list("pk", flat=True)) - context.submitted_pks
    if not late:
        return False
    emails = {row.respondent["email"].lower() for row in rows if row.respondent.get("email")}
    for respondent in Respondent.objects.filter(response__in=late).select_related("person"):
        for email in (respondent.email, respondent.person.email if respondent.person else ""):
            if email and email.lower() in emails:
                return True
    return False


def stage(rows: list[_Row], context: _Context, report: ImportReport) -> Writes:
    """Every row to write, unsaved, counted as it will be written."""
    writes = Writes(organisations=list(context.new_orgs.values()))
    report.count("organisations created", len(writes.organisations))
    references = fresh_references(sum(1 for row in rows if "reference" not in row.fields))
    for row in rows:
        if "reference" not in row.fields:
            row.fields["reference"] = references.pop()
        organisation = (context.orgs.get(row.organisation_key)
                        or context.new_orgs.get(row.organisation_key))
        response = Response(phase=context.phase, status=Response.Status.SUBMITTED,
                            organisation=organisation, **row.fields)
        writes.responses.append(response)
        writes.answers += [Answer(response=response, question=question, text=text,
                                  choices=choices)
                           for question, (text, choices) in row.answers.items() if text or choices]
        if row.respondent and not context.phase.is_anonymous:
            writes.respondents.append(Respondent(response=response, **row.respondent))
            report.count("respondents recorded")
        report.count("responses created")
    report.count("answers created", len(writes.answers))
    return writes


def write(writes: Writes) -> int:
    """Bulk writes in dependency order: bulk_create gives each new row its key (PostgreSQL and
    SQLite both return them), which the rows pointing at it then pick up."""
    Organisation.objects.bulk_create(writes.organisations, batch_size=WRITE_BATCH)
    Response.objects.bulk_create(writes.responses, batch_size=WRITE_BATCH)
    Answer.objects.bulk_create(writes.answers, batch_size=WRITE_BATCH)
    Respondent.objects.bulk_create(writes.respondents, batch_size=WRITE_BATCH)
    # An invited person who answered on paper or by email is not reminded.
    if not writes.respondents:
        return 0
    return mark_imported_submissions(writes.responses[0].phase, [
        (respondent.response, respondent.email) for respondent in writes.respondents])


def fresh_references(count: int) -> list[str]:
    references: set[str] = set()
    while len(references) < count:
        wanted = {new_reference() for _ in range(count - len(references))}
        taken = set(Response.objects.filter(reference__in=wanted).values_list("reference",
                                                                              flat=True))
        references |= wanted - taken
    return list(references)
