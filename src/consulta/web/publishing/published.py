"""The published responses: what respondents who agreed to publication said, after review.

Only submitted responses with consent "full" or "anonymous" appear. Each text answer passes
through ``redactions.services.redacted``: with its approved redactions applied, and left out
altogether while a personal-data finding in it is unreviewed. Attribution is the report's
(``reports.quotes.attribution``): an organisation is named only with consent "full" in an
identified phase, and anonymous phases never say who.

Responses are numbered in the order of their random references, so a number says nothing
about when someone responded.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from consulta.web.consultations.models import Consultation, Question
from consulta.web.reports.quotes import attribution
from consulta.web.responses.models import PUBLISHABLE_CONSENT, Answer, Response
from consulta.web.stakeholders.models import Sector

LICENCE = ("Published under the Open Government Licence v3.0: "
           "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/")
CSV_COLUMNS = ["response", "phase", "question_key", "question", "respondent", "sector", "answer"]


@dataclass(frozen=True)
class PublishedAnswer:
    number: int  # "Response 12": the response's place among the published ones
    phase: str
    question: Question
    respondent: str
    sector: str  # the sector's label, "" when not shown
    text: str


def _answers(consultation: Consultation):
    return (Answer.objects
            .filter(response__phase__consultation=consultation,
                    response__status=Response.Status.SUBMITTED,
                    response__consent__in=PUBLISHABLE_CONSENT)
            .select_related("question__phase", "response__phase", "response__organisation",
                            "response__role")
            .order_by("response__reference", "question__phase__position", "question__position"))


def _text(answer: Answer) -> str | None:
    if answer.question.has_options:
        # The organiser's own options: nothing a respondent typed.
        return "; ".join(str(choice) for choice in answer.choices) or None
    if not answer.text.strip():
        return None
    from consulta.web.redactions.services import redacted

    return redacted(answer, answer.text)


def _sector(answer: Answer) -> str:
    response = answer.response
    # No sector in anonymous phases: with a role it could narrow down who answered.
    if response.phase.is_anonymous or response.organisation is None:
        return ""
    return Sector(response.organisation.sector).label if response.organisation.sector else ""


def published_answers(consultation: Consultation, *, question: int | None = None,
                      sector: str = "") -> list[PublishedAnswer]:
    """Every publishable answer, optionally of one question (pk) and one sector (value)."""
    numbers: dict[int, int] = {}
    found = []
    for answer in _answers(consultation):
        text = _text(answer)
        if text is None:
            continue
        number = numbers.setdefault(answer.response_id, len(numbers) + 1)
        if question is not None and answer.question_id != question:
            continue
        label = _sector(answer)
        if sector and label != Sector(sector).label:
            continue
        found.append(PublishedAnswer(number, answer.response.phase.name, answer.question,
                                     attribution(answer), label, text))
    return found


def as_csv(answers: list[PublishedAnswer]) -> str:
    """The published answers as CSV, with the licence on its first line (a comment row)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([f"# {LICENCE}"])
    writer.writerow(CSV_COLUMNS)
    for item in answers:
        writer.writerow([item.number, item.phase, item.question.key, item.question.title,
                         item.respondent, item.sector, _safe(item.text)])
    return out.getvalue()


def _safe(value: str) -> str:
    """Keep spreadsheet programs from running an answer as a formula (CSV injection)."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value
