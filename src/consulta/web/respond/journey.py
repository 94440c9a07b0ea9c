"""The order of a respondent's pages: each question, about you, consent, check your answers.

Questions are numbered from 1 in their phase's order (``/r/<token>/q/1/``), whatever their
stored positions, so the addresses have no gaps.
"""

from __future__ import annotations

from django.http import Http404
from django.urls import reverse

from consulta.web.consultations.models import Phase, Question
from consulta.web.respond.answers import answers_by_question
from consulta.web.respond.loading import Draft
from consulta.web.responses.models import Response

CHECK = "check"  # the value of a page's "then" field when it was reached from a change link


def has_about_page(phase: Phase) -> bool:
    """Internal phases ask only a role, so without roles there is nothing to ask about you."""
    if phase.audience == Phase.Audience.INTERNAL:
        return phase.consultation.roles.exists()
    return True


def organisation_required(phase: Phase) -> bool:
    return phase.audience == Phase.Audience.PARTNERS


class Journey:
    def __init__(self, draft: Draft):
        self.draft = draft
        self.questions: list[Question] = list(draft.phase.questions.all())

    def url(self, name: str, **kwargs) -> str:
        return reverse(f"respond:{name}", kwargs={"token": self.draft.token, **kwargs})

    def question(self, position: int) -> Question:
        if not 1 <= position <= len(self.questions):
            raise Http404("No such question")
        return self.questions[position - 1]

    def question_url(self, position: int) -> str:
        return self.url("question", position=position)

    def first_page_url(self) -> str:
        return self.question_url(1) if self.questions else self.after_questions_url()

    def after_questions_url(self) -> str:
        return self.url("about") if has_about_page(self.draft.phase) else self.url("consent")

    def next_url(self, position: int, then: str = "") -> str:
        if then == CHECK:
            return self.url("check")
        if position < len(self.questions):
            return self.question_url(position + 1)
        return self.after_questions_url()

    def back_url(self, position: int) -> str:
        """The back link of question ``position``; the first goes back to the start page."""
        return self.question_url(position - 1) if position > 1 else ""

    def before_consent_url(self) -> str:
        if has_about_page(self.draft.phase):
            return self.url("about")
        return self.question_url(len(self.questions)) if self.questions else ""

    def resume_url(self) -> str:
        """Save and return lands on the first page not yet done."""
        answered = answers_by_question(self.draft.response)
        for position, question in enumerate(self.questions, 1):
            if question.pk not in answered:
                return self.question_url(position)
        if self.about_missing():
            return self.url("about")
        return self.url("check")

    def about_missing(self) -> bool:
        response = self.draft.response
        return organisation_required(self.draft.phase) and not has_organisation(response)

    def problems(self) -> list[tuple[str, str]]:
        """What stops the response being sent: (message, address of the page to fix it)."""
        answered = answers_by_question(self.draft.response)
        problems = []
        for position, question in enumerate(self.questions, 1):
            answer = answered.get(question.pk)
            given = answer is not None and (answer.text.strip() or answer.choices)
            if question.required and not given:
                problems.append(
                    (f"Answer question {position}: {question.title}",
                     self.question_url(position) + "?then=check")
                )
        if self.about_missing():
            problems.append(("Tell us which organisation you belong to",
                             self.url("about") + "?then=check"))
        return problems

    def rows(self) -> list[dict]:
        """Check your answers: one row per question, in order."""
        answered = answers_by_question(self.draft.response)
        rows = []
        for position, question in enumerate(self.questions, 1):
            answer = answered.get(question.pk)
            rows.append({
                "position": position,
                "question": question,
                "text": answer.text if answer else "",
                "choices": list(answer.choices) if answer else [],
                "change_url": self.question_url(position) + "?then=check",
            })
        return rows


def has_organisation(response: Response) -> bool:
    """Whether the respondent named an organisation (typed, or their invitation's)."""
    return response.organisation_id is not None or bool(response.organisation_name)


def is_organisation_response(response: Response) -> bool:
    """Colleagues may write one response together only when it is an organisation's."""
    return has_organisation(response)
