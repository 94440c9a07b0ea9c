"""Saving one answer of a draft, without ever silently overwriting a co-author's words.

Every answer has a ``revision``, bumped on each save. A question page carries the revision it
was loaded with; if someone saved a different answer since, nothing is saved and the page is
shown again with both versions, so the writer can merge them and save again.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from consulta.web.consultations.models import Question
from consulta.web.responses.models import Answer, Response


@dataclass
class Conflict:
    """Someone saved ``theirs`` after the writer loaded the page; nothing was saved."""

    theirs: Answer


def _same(answer: Answer, text: str, choices: list[str]) -> bool:
    return answer.text == text and list(answer.choices) == list(choices)


def save_answer(
    response: Response, question: Question, *, text: str, choices: list[str], revision: int
) -> Answer | Conflict:
    """Save the answer loaded at ``revision`` (0: there was none), or report a conflict."""
    with transaction.atomic():
        answer = (
            Answer.objects.select_for_update().filter(response=response, question=question).first()
        )
        if answer is None:
            try:
                with transaction.atomic():  # a co-author may create it at the same moment
                    return Answer.objects.create(
                        response=response, question=question, text=text, choices=choices,
                        revision=1, updated_at=timezone.now(),
                    )
            except IntegrityError:
                answer = Answer.objects.select_for_update().get(
                    response=response, question=question
                )
        if answer.revision != revision and not _same(answer, text, choices):
            return Conflict(theirs=answer)
        answer.text, answer.choices = text, choices
        answer.revision += 1
        answer.updated_at = timezone.now()
        answer.save(update_fields=["text", "choices", "revision", "updated_at"])
        return answer


def answers_by_question(response: Response) -> dict[int, Answer]:
    return {answer.question_id: answer for answer in response.answers.all()}
