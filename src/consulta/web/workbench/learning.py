""""Apply to the rest": recode every answer no person has coded, learning from people.

The examples are every answer a person has coded on this question (a Review, or an ANALYST
row: moved, created or hand-coded), each with its primary theme, and the themes' wording as
people left it (label, summary, parent) as the code frame. The library learns them
(``analyse(..., codes=..., codebook=...)``: a logistic regression on the answers'
embeddings, consulta.analysis.coding.CodedAssignment) and codes the rest; an answer that
fits no theme gets none (it goes to review). A human-coded answer is never changed: the set is read again under the
question's lock, just before writing, so an answer coded while the library ran is left alone.

The whole recoding is one Decision (the themes' codes, the answers' primaries and confidences
before and after), so it can be undone like any theme action, and one audit entry.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from consulta.web.analysis.models import AnalysisRun, CodedTheme, Coding, Theme
from consulta.web.consultations.models import Question
from consulta.web.workbench import edits
from consulta.web.workbench.edits import Action, Conflict, Edit, Refused
from consulta.web.workbench.models import ApplyStatus, Decision, QuestionState, Review
from consulta.web.workbench.state import capture

if TYPE_CHECKING:
    from consulta.analysis.codebook import CodeFrame

@dataclass
class Learnt:
    """The library's codes for the answers no person coded: Coding id -> primary, confidences."""

    primary: dict[int, str | None] = field(default_factory=dict)
    confidences: dict[int, dict[str, float]] = field(default_factory=dict)
    examples: int = 0


def human_coded(run: AnalysisRun, question: Question) -> set[int]:
    """Coding ids of the answers some person coded: never recoded by the machine."""
    rows = Coding.objects.filter(run=run, answer__question=question)
    by_rows = rows.filter(coded_themes__source=CodedTheme.Source.ANALYST)
    reviewed = rows.filter(answer__in=Review.objects.filter(run=run).values("answer"))
    return set(by_rows.values_list("pk", flat=True)) | set(reviewed.values_list("pk", flat=True))


def human_examples(run: AnalysisRun, question: Question, coded: set[int]) -> dict[int, str]:
    """Answer id -> the theme a person gave it (its primary, else one of its person's keys)."""
    examples = {}
    for answer_id, primary, key in (
            Coding.objects.filter(pk__in=coded)
            .values_list("answer_id", "primary__key", "coded_themes__theme__key")):
        if primary or key:
            examples.setdefault(answer_id, primary or key)
    return examples


def check_examples(run: AnalysisRun, question: Question, coded: set[int] | None = None
                   ) -> dict[int, str]:
    """People's examples of the question's themes; Refused unless they name two themes."""
    coded = human_coded(run, question) if coded is None else coded
    keys = set(Theme.objects.filter(run=run, question=question).values_list("key", flat=True))
    examples = {answer: key for answer, key in human_examples(run, question, coded).items()
                if key in keys}
    if len(set(examples.values())) < 2:
        raise Refused("Code answers into at least two themes first: the rest are learnt from "
                      "those examples.")
    return examples


def run_queued(run_id: int, question_id: int, user_id: int | None, reason: str = "") -> dict:
    """The worker's side: apply to the rest on the run's question, from the version current
    when it starts (decisions made while it waited were made on purpose); once more if one
    is made while the library works. The outcome is kept on the question's state."""
    from django.contrib.auth import get_user_model

    run = AnalysisRun.objects.filter(pk=run_id).select_related("consultation").first()
    question = Question.objects.filter(pk=question_id).first()
    if run is None or question is None:
        return {"status": "skipped: the run or question is gone"}
    user = get_user_model().objects.filter(pk=user_id).first()
    for _ in range(2):
        edit = Edit(run=run, question=question, user=user, reason=reason,
                    version=edits.version(run, question))
        try:
            decision = apply_to_rest(edit)
        except Conflict:
            continue
        except Refused as refused:
            record_outcome(run, question, ApplyStatus.REFUSED, str(refused))
            return {"status": f"refused: {refused}"}
        record_outcome(run, question, ApplyStatus.DONE, decision.summary)
        return {"status": "done", "decision": decision.pk, "summary": decision.summary}
    record_outcome(run, question, ApplyStatus.GAVE_UP,
                   "Other people changed the themes while it worked, twice: apply it again.")
    return {"status": "skipped: the themes kept changing"}


def record_outcome(run: AnalysisRun, question: Question, status: str, message: str = "") -> None:
    """How the last "apply to the rest" went, for the question's page to say."""
    QuestionState.objects.update_or_create(run=run, question=question, defaults={
        "apply_status": status, "apply_at": timezone.now(), "apply_message": message[:300]})


def code_frame(label: str, themes) -> CodeFrame:
    """The library's code frame for one question (``label``) from its themes as people left
    them: key, label, summary as the description, parent."""
    from consulta.analysis.codebook import Code, CodeFrame

    return CodeFrame([Code(theme=t.key, label=t.label, description=t.summary or t.description,
                           parent=t.parent.key if t.parent else "", question=label)
                      for t in themes])


def embedder_of(run: AnalysisRun) -> str:
    """The run's own embedder, so the learning reads answers as the analysis did."""
    from consulta.analysis.pipeline import default_embedder

    return (run.summary.get("config") or {}).get("embedder") or default_embedder()


def learn(run: AnalysisRun, question: Question, *, embedder: str | None = None) -> Learnt:
    """The library's codes for the question's answers no person coded (nothing is written)."""
    from consulta.analysis.pipeline import AnalysisConfig, analyse
    from consulta.analysis.records import Answer as Record

    coded = human_coded(run, question)
    examples = check_examples(run, question, coded)
    themes = list(Theme.objects.filter(run=run, question=question).select_related("parent"))
    keys = {theme.key for theme in themes}
    label = "question"
    rows = list(Coding.objects.filter(run=run, answer__question=question)
                .values_list("pk", "answer_id", "answer__text"))
    records = [Record(id=str(answer_id), question=label, text=text)
               for _, answer_id, text in rows]
    codes = {(label, str(answer_id)): key for answer_id, key in examples.items()}
    config = AnalysisConfig(embedder=embedder or embedder_of(run),
                            seed=(run.summary.get("config") or {}).get("seed", 0),
                            question_wording={label: question.title})
    # The themes as people left them are the code frame: each one's wording is an example
    # of it, so a theme no person has used yet can still be found.
    analysis = analyse(records, config, codes=codes, codebook=code_frame(label, themes))
    by_answer = {row.id: row for row in analysis.answers}
    parents = {theme.key: theme.parent.key for theme in themes if theme.parent}
    learnt = Learnt(examples=len(examples))
    for pk, answer_id, _ in rows:
        if pk in coded:
            continue
        row = by_answer[str(answer_id)]
        confidences = {key: float(c) for key, c in row.confidences.items() if key in keys}
        for key, confidence in list(confidences.items()):  # a sub-theme's broad theme too
            if key in parents:
                confidences[parents[key]] = max(confidences.get(parents[key], 0.0), confidence)
        learnt.primary[pk] = row.theme if row.theme in keys else None
        learnt.confidences[pk] = confidences
    return learnt


def apply_to_rest(edit: Edit, *, embedder: str | None = None) -> Decision:
    """Learn, then write the codes of the answers still coded by no person; one Decision."""
    learnt = learn(edit.run, edit.question, embedder=embedder)
    with transaction.atomic():
        state = edits.lock(edit)
        coded = human_coded(edit.run, edit.question)  # again: someone may have coded meanwhile
        targets = [pk for pk in learnt.primary if pk not in coded]
        keys = set(Theme.objects.filter(run=edit.run, question=edit.question)
                   .values_list("key", flat=True))
        before = _state(edit, keys, targets, state)
        _write(edit, learnt, targets)
        after = _state(edit, keys, targets, state)
        decision = Decision.objects.create(
            run=edit.run, question=edit.question, user=edit.user, action=Action.APPLY,
            reason=edit.reason, before=before, after=after,
            summary=f"applied people's codes ({learnt.examples} examples) to "
                    f"{edits._n(targets)}")
        edits._audit(edit, decision)
    return decision


def _state(edit: Edit, keys, targets: list[int], state) -> dict:
    confidences = dict(Coding.objects.filter(pk__in=targets).values_list("pk", "confidence"))
    return {**capture(edit.run, edit.question, keys, targets), **edits._extra(state),
            "confidences": {str(pk): value for pk, value in confidences.items()}}


def _write(edit: Edit, learnt: Learnt, targets: list[int]) -> None:
    themes = {t.key: t for t in Theme.objects.filter(run=edit.run, question=edit.question)}
    CodedTheme.objects.filter(coding_id__in=targets).delete()
    CodedTheme.objects.bulk_create(
        [CodedTheme(coding_id=pk, theme=themes[key], confidence=confidence)
         for pk in targets for key, confidence in learnt.confidences[pk].items()],
        batch_size=2000)
    groups: dict[tuple[str | None, float], list[int]] = {}
    for pk in targets:
        primary = learnt.primary[pk]
        confidence = round(learnt.confidences[pk].get(primary, 0.0), 3) if primary else 0.0
        groups.setdefault((primary, confidence), []).append(pk)
    for (primary, confidence), pks in groups.items():  # few distinct values: few UPDATEs
        Coding.objects.filter(pk__in=pks).update(primary=themes.get(primary),
                                                 confidence=confidence)
    edits.recount(edit.run, edit.question, themes.values())
