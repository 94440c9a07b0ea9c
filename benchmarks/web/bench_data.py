"""Shared by the workbench benchmarks: one finished run over one question of n answers.

Call after django.setup(); the scripts put this folder on sys.path (they are run as files).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

START = datetime(2026, 1, 5, tzinfo=UTC)


def one_question_run(answers: int, text: Callable[[int], str]):
    """A consultation "bench" with one partner phase and question, ``answers`` submitted
    answers (``text(i)``) and an empty finished AnalysisRun: (consultation, question, answer
    rows, run)."""
    from consulta.web.analysis.models import AnalysisRun
    from consulta.web.consultations.models import Consultation, Phase, Question
    from consulta.web.responses.models import Answer, Response

    consultation = Consultation.objects.create(slug="bench", title="Bench")
    phase = Phase.objects.create(consultation=consultation, name="Partners", position=1,
                                 audience=Phase.Audience.PARTNERS, opens_at=START,
                                 closes_at=START + timedelta(days=30))
    question = Question.objects.create(phase=phase, key="q", title="What should change?")
    responses = Response.objects.bulk_create([
        Response(phase=phase, reference=f"B{i:07d}", status=Response.Status.SUBMITTED,
                 submitted_at=START) for i in range(answers)], batch_size=2000)
    rows = Answer.objects.bulk_create([
        Answer(response=r, question=question, text=text(i)) for i, r in enumerate(responses)],
        batch_size=2000)
    run = AnalysisRun.objects.create(consultation=consultation, status=AnalysisRun.Status.DONE,
                                     finished_at=START)
    return consultation, question, rows, run
