"""Loading what a workbench page works on, with the back office's rules.

Outsiders get 404 (load_membership). Every member, organiser or analyst, may code and edit
themes. The workbench works on the latest finished analysis only: with none, question pages
are 404; a form made from an older run (posted after a new analysis finished) is refused
with 403, since its themes and version no longer say anything about the new run's.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest

from consulta.web.analysis.models import AnalysisRun
from consulta.web.analysis.services import TEXT_KINDS, latest_done_run
from consulta.web.consultations.access import load_membership
from consulta.web.consultations.models import Consultation, Membership, Question
from consulta.web.workbench.edits import Edit


@dataclass
class Bench:
    membership: Membership
    consultation: Consultation
    run: AnalysisRun | None
    question: Question | None = None
    number: int = 0  # the question's phase as people number it

    def edit(self, request: HttpRequest, version: int, reason: str = "") -> Edit:
        return Edit(run=self.run, question=self.question, user=request.user, version=version,
                    reason=reason)


def load_bench(request: HttpRequest, slug: str, question_id: int | None = None) -> Bench:
    membership = load_membership(request, slug)
    consultation = membership.consultation
    bench = Bench(membership, consultation, latest_done_run(consultation))
    if question_id is None:
        return bench
    if bench.run is None:
        raise Http404("No finished analysis yet")
    question = (Question.objects.select_related("phase")
                .filter(pk=question_id, phase__consultation=consultation, kind__in=TEXT_KINDS)
                .first())
    if question is None:
        raise Http404("No such question")
    bench.question = question
    bench.number = consultation.phase_numbers()[question.phase_id]
    return bench


def check_run(request: HttpRequest, bench: Bench) -> None:
    """A form posted from an older analysis run's page changes nothing (403)."""
    if request.POST.get("run") != str(bench.run.pk):
        raise PermissionDenied("These themes are from an earlier analysis. A newer analysis "
                               "has finished since the page was loaded: load it again.")
