"""Answers with personal data in them, for the redaction tests (fictional people)."""

from __future__ import annotations

from consulta.web.consultations.models import Question
from consulta.web.responses.models import Answer, Response

TRUST_TEXT = ("Officers should visit more often. Ask for Gloria Mensah at the centre, "
              "or email gloria.mensah@example.org. We meet near SW1A 1AA on Tuesdays.")
CLEAN_TEXT = "More patrols in the evenings would help everyone feel safer."


def answer(consultation, text: str, *, consent=Response.Consent.FULL,
           status=Response.Status.SUBMITTED, key: str = "trust") -> Answer:
    question = Question.objects.get(phase__consultation=consultation, key=key)
    response = Response.objects.create(phase=question.phase, consent=consent, status=status)
    return Answer.objects.create(response=response, question=question, text=text)
