"""The workbench's background work, run by ``consulta worker`` (docs/adr/0006-background-work.md).

"Apply to the rest" learns from people's codes and recodes thousands of answers: too long for
a request, so the page queues it and the worker does it (learning.run_queued).
"""

from __future__ import annotations

from django_tasks import task

from consulta.web.workbench import learning


@task()
def apply_to_rest(run_id: int, question_id: int, user_id: int | None, reason: str = "") -> dict:
    return {"run": run_id, "question": question_id,
            **learning.run_queued(run_id, question_id, user_id, reason)}
