"""The Responses list as a file: CSV or Excel, one row per response, one column per question.

What the list shows is what is exported (same search and filters). Anonymous phases get the
day a response came in, never its time, and no name or email (none is stored); confidential
phases keep who answered out of the file too, as their respondents were promised. The file
itself (formula-safe CSV or workbook) is written by ``web.spreadsheets``.
"""

from __future__ import annotations

from collections.abc import Iterator

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from consulta.web.consultations.models import Consultation, Phase, Question
from consulta.web.responses.listing import organisation_given, sector_given, shows_identity
from consulta.web.responses.models import Answer, Response

COLUMNS = ("reference", "phase", "status", "channel", "submitted", "consent", "role",
           "organisation", "sector", "on_behalf")
IDENTITY_COLUMNS = ("respondent", "email")


def question_column(number: int, question: Question) -> str:
    return f"phase {number}: {question.key}"


class ResponseTable:
    """The header and rows of an export of ``responses`` (a ``listed_responses`` queryset);
    ``phases``: the consultation's, in order."""

    def __init__(self, consultation: Consultation, phases: list[Phase],
                 responses: QuerySet[Response]) -> None:
        self.numbers = {phase.pk: number for number, phase in enumerate(phases, start=1)}
        self.questions = list(
            Question.objects.filter(phase__consultation=consultation)
            .order_by("phase__position", "phase_id", "position", "pk"))
        self.identified = any(shows_identity(phase) for phase in phases)
        self.responses = responses.prefetch_related(
            Prefetch("answers", queryset=Answer.objects.order_by()))
        self.count = 0  # rows written so far

    @property
    def header(self) -> list[str]:
        identity = list(IDENTITY_COLUMNS) if self.identified else []
        questions = [question_column(self.numbers[q.phase_id], q) for q in self.questions]
        return [*COLUMNS, *identity, *questions]

    def rows(self) -> Iterator[list[str]]:
        for response in self.responses:
            self.count += 1
            answers = {answer.question_id: answer_text(answer) for answer in response.answers.all()}
            yield [*self._about(response), *self._identity(response),
                   *(answers.get(question.pk, "") for question in self.questions)]

    def _about(self, response: Response) -> list[str]:
        return [
            response.reference, str(self.numbers[response.phase_id]), response.status,
            response.channel, submitted(response), response.consent,
            response.role.name if response.role_id else "", organisation_given(response),
            sector_given(response), "yes" if response.on_behalf else "no",
        ]

    def _identity(self, response: Response) -> list[str]:
        if not self.identified:
            return []
        respondent = getattr(response, "respondent", None)
        if respondent is None or not shows_identity(response.phase):
            return ["", ""]
        return [respondent.name, respondent.email]


def answer_text(answer: Answer) -> str:
    return answer.text or "; ".join(answer.choices)


def submitted(response: Response) -> str:
    """The day (anonymous phases) or the minute it was submitted, in local time."""
    if response.submitted_at is None:
        return ""
    when = timezone.localtime(response.submitted_at)
    if response.phase.anonymity == Phase.Anonymity.ANONYMOUS:
        return when.date().isoformat()
    return when.strftime("%Y-%m-%d %H:%M")
