"""A small consultation with a finished run, for the report's tests: workbench_data's run plus
machine quotes from every answer (consenting or not), closed answers, and a respondent email."""

from __future__ import annotations

from consulta.web.analysis.models import Theme
from consulta.web.consultations.models import Question
from consulta.web.responses.models import Answer, Respondent, Response
from workbench_data import finished_run

EMAIL = "dana.private@example.org"


def report_run(consultation):
    run = finished_run(consultation)
    for theme in Theme.objects.filter(run=run):
        answers = Answer.objects.filter(codings__primary=theme).order_by("pk")
        theme.quotes = [{"answer": a.pk, "text": a.text} for a in answers]
        theme.respondents = theme.size
        theme.save()
    partners = consultation.phases.get(position=2)
    priority = Question.objects.get(phase=partners, key="priority")
    responses = Response.objects.filter(phase=partners, status=Response.Status.SUBMITTED)
    for index, response in enumerate(responses.order_by("pk")[:12]):
        Answer.objects.create(response=response, question=priority,
                              choices=[priority.options[index % 3]])
    first = responses.order_by("pk").first()
    Respondent.objects.create(response=first, name="Dana Okafor", email=EMAIL)
    return run
