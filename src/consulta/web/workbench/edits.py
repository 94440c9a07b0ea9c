"""Theme actions on one question of the latest finished run, each undoable and versioned.

Every action runs in one transaction: lock the question's workbench row, check the version
the analyst's form was made from (the id of the question's latest Decision, 0 for none), take
the state of what it touches (state.capture), change it, take the state again, write one
Decision and one audit entry. A version that moved on raises ``Conflict`` and changes nothing,
so two analysts never silently overwrite each other.

Undo is a request too: it puts the latest decision's "before" back and writes an UNDO
decision. Only the question's latest decision still in force can be undone, because an
earlier one's "before" may no longer fit what came after it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from consulta.web.analysis.models import AnalysisRun, CodedTheme, Coding, Theme
from consulta.web.consultations import audit
from consulta.web.consultations.models import Question
from consulta.web.workbench.models import Decision, QuestionState
from consulta.web.workbench.state import capture, restore

Action = Decision.Action


class Conflict(Exception):
    """The question changed since the analyst's form was made; ``changes`` are the decisions
    since then, newest first."""

    def __init__(self, changes: list[Decision], message: str = ""):
        super().__init__(message or "The themes changed since this page was loaded.")
        self.changes = changes


class Refused(Exception):
    """An action that cannot be done as asked (a theme merged into itself); nothing changed."""


@dataclass
class Edit:
    """Who acts on which question of which run, from which version, and why."""

    run: AnalysisRun
    question: Question
    user: object
    version: int
    reason: str = ""


def version(run: AnalysisRun, question: Question) -> int:
    latest = Decision.objects.filter(run=run, question=question).order_by("-pk").first()
    return latest.pk if latest else 0


def theme_order(run: AnalysisRun, question: Question) -> list[str]:
    """The question's theme keys as shown: the analysts' order, then new themes by size."""
    state = QuestionState.objects.filter(run=run, question=question).first()
    keys = list(Theme.objects.filter(run=run, question=question).order_by("-size", "key")
                .values_list("key", flat=True))
    chosen = [key for key in (state.order if state else []) if key in keys]
    return chosen + [key for key in keys if key not in chosen]


def lock(edit: Edit) -> QuestionState:
    state, _ = QuestionState.objects.get_or_create(run=edit.run, question=edit.question)
    state = QuestionState.objects.select_for_update().get(pk=state.pk)
    if version(edit.run, edit.question) != edit.version:
        changes = Decision.objects.filter(run=edit.run, question=edit.question,
                                          pk__gt=edit.version).select_related("user")
        raise Conflict(list(changes))
    return state


def _act(edit: Edit, action: str, summary: str, keys: Iterable[str],
         change: Callable[[QuestionState], Iterable[str]], coding_ids: Iterable[int] = ()
         ) -> Decision:
    keys, coding_ids = set(keys), set(coding_ids)
    with transaction.atomic():
        state = lock(edit)
        before = {**capture(edit.run, edit.question, keys, coding_ids), **_extra(state)}
        keys |= set(change(state) or ())
        after = {**capture(edit.run, edit.question, keys, coding_ids), **_extra(state)}
        decision = Decision.objects.create(
            run=edit.run, question=edit.question, user=edit.user, action=action,
            reason=edit.reason, summary=summary, before=before, after=after)
        _audit(edit, decision)
    return decision


def _extra(state: QuestionState) -> dict:
    reviewed = ({"at": state.reviewed_at.isoformat(), "by": state.reviewed_by_id}
                if state.reviewed_at else None)
    return {"order": list(state.order), "reviewed": reviewed}


def _audit(edit: Edit, decision: Decision) -> None:
    # Keys and counts only: a theme's label can be a respondent's sentence.
    audit.record(edit.run.consultation, edit.user, audit.WORKBENCH, action=decision.action,
                 question=edit.question.key, summary=decision.summary, decision=decision.pk,
                 reason=bool(decision.reason))


def _theme(edit: Edit, key: str) -> Theme:
    theme = Theme.objects.filter(run=edit.run, question=edit.question, key=key).first()
    if theme is None:
        raise Refused(f"There is no theme {key} in this question.")
    return theme


def recount(run: AnalysisRun, question: Question, themes: Iterable[Theme]) -> None:
    """Sizes and shares by answers coded, after codes changed by hand."""
    total = Coding.objects.filter(run=run, answer__question=question).count() or 1
    for theme in themes:
        theme.size = theme.coded_answers.count()
        theme.share = theme.size / total
        theme.quotes = [q for q in theme.quotes if theme.coded_answers.filter(
            coding__answer_id=q.get("answer")).exists()]
        theme.save(update_fields=["size", "share", "quotes"])


def rename(edit: Edit, key: str, label: str, summary: str) -> Decision:
    """A new name and summary; the description follows the summary (what the pages show)."""
    theme = _theme(edit, key)

    def change(state):
        theme.label, theme.summary, theme.description = label, summary, summary
        theme.save(update_fields=["label", "summary", "description"])

    return _act(edit, Action.RENAME, f"renamed {key}", [key], change)


def merge(edit: Edit, source: str, target: str) -> Decision:
    """``source`` into ``target``: the target keeps every answer of both; the source goes."""
    if source == target:
        raise Refused("A theme cannot be merged into itself.")
    a, b = _theme(edit, source), _theme(edit, target)
    children = list(a.children.values_list("key", flat=True))
    codings = Coding.objects.filter(primary__in=[a, b]).values_list("pk", flat=True)

    def change(state):
        CodedTheme.objects.filter(
            theme=a, coding_id__in=b.coded_answers.values("coding_id")).delete()
        a.coded_answers.update(theme=b)
        Coding.objects.filter(primary=a).update(primary=b)
        a.children.update(parent=b)
        quoted = {q.get("answer") for q in b.quotes}
        b.quotes = b.quotes + [q for q in a.quotes if q.get("answer") not in quoted]
        b.save(update_fields=["quotes"])
        a.delete()
        recount(edit.run, edit.question, [b])

    return _act(edit, Action.MERGE, f"merged {source} into {target}",
                [source, target, *children], change, codings)


def move(edit: Edit, source: str, target: str, coding_ids: list[int]) -> Decision:
    """The chosen answers leave ``source`` for ``target``."""
    if source == target:
        raise Refused("Choose a different theme to move the answers to.")
    a, b = _theme(edit, source), _theme(edit, target)
    chosen = list(a.coded_answers.filter(coding_id__in=coding_ids)
                  .values_list("coding_id", flat=True))
    if not chosen:
        raise Refused(f"None of the chosen answers is in theme {source}.")

    def change(state):
        _add(b, chosen)
        a.coded_answers.filter(coding_id__in=chosen).delete()
        Coding.objects.filter(pk__in=chosen, primary=a).update(primary=b)
        recount(edit.run, edit.question, [a, b])

    return _act(edit, Action.MOVE, f"moved {_n(chosen)} from {source} to {target}",
                [source, target], change, chosen)


def create(edit: Edit, label: str, description: str, coding_ids: list[int],
           source: str = "") -> Decision:
    """A new theme (the next free key) holding the chosen answers, taken out of ``source``."""
    a = _theme(edit, source) if source else None
    chosen = list(Coding.objects.filter(run=edit.run, answer__question=edit.question,
                                        pk__in=coding_ids).values_list("pk", flat=True))
    if not chosen:
        raise Refused("Choose the answers the new theme holds.")
    key = next_key(edit.run, edit.question)

    def change(state):
        theme = Theme.objects.create(run=edit.run, question=edit.question, key=key,
                                     label=label, description=description)
        _add(theme, chosen)
        if a is not None:
            a.coded_answers.filter(coding_id__in=chosen).delete()
            Coding.objects.filter(pk__in=chosen, primary=a).update(primary=theme)
        Coding.objects.filter(pk__in=chosen, primary=None).update(primary=theme)
        recount(edit.run, edit.question, [theme, *([a] if a else [])])
        return [key]

    return _act(edit, Action.CREATE, f"created {key} from {_n(chosen)}",
                [source] if source else [], change, chosen)


def delete(edit: Edit, key: str) -> Decision:
    """The theme goes; its answers lose it (those left with none are for review)."""
    theme = _theme(edit, key)
    children = list(theme.children.values_list("key", flat=True))
    codings = list(theme.coded_answers.values_list("coding_id", flat=True))

    def change(state):
        theme.children.update(parent=theme.parent)
        for coding in Coding.objects.filter(primary=theme):
            other = coding.coded_themes.exclude(theme=theme).order_by("-confidence").first()
            coding.primary_id = other.theme_id if other else None
            coding.save(update_fields=["primary"])
        theme.delete()

    return _act(edit, Action.DELETE, f"deleted {key} ({_n(codings)})", [key, *children],
                change, codings)


def reorder(edit: Edit, key: str, step: int) -> Decision:
    """Move a theme ``step`` places (-1 up, 1 down) in the question's order."""
    order = theme_order(edit.run, edit.question)
    if key not in order:
        raise Refused(f"There is no theme {key} in this question.")
    at = order.index(key)
    to = min(max(at + step, 0), len(order) - 1)

    def change(state):
        order.insert(to, order.pop(at))
        state.order = order
        state.save(update_fields=["order"])

    return _act(edit, Action.REORDER, f"moved {key} to place {to + 1}", [], change)


def mark_reviewed(edit: Edit) -> Decision:
    def change(state):
        state.reviewed_at, state.reviewed_by = timezone.now(), edit.user
        state.save(update_fields=["reviewed_at", "reviewed_by"])

    return _act(edit, Action.REVIEWED, "marked the themes reviewed", [], change)


def undo(edit: Edit, decision: Decision) -> Decision:
    """Put back what ``decision`` changed; it must be the question's latest one in force."""
    with transaction.atomic():
        state = lock(edit)
        latest = (Decision.objects.filter(run=edit.run, question=edit.question,
                                          undone_at=None).exclude(action=Action.UNDO)
                  .order_by("-pk").first())
        if latest is None or latest.pk != decision.pk:
            raise Conflict([], "Only the latest change still in force can be undone: undo the "
                               "later ones first.")
        restore(edit.run, edit.question, decision.before, decision.after)
        state.order = decision.before.get("order", state.order)
        reviewed = decision.before.get("reviewed")
        state.reviewed_at = reviewed["at"] if reviewed else None
        state.reviewed_by_id = reviewed["by"] if reviewed else None
        state.save()
        now = timezone.now()
        Decision.objects.filter(pk=decision.pk).update(undone_at=now, undone_by=edit.user)
        undone = Decision.objects.create(
            run=edit.run, question=edit.question, user=edit.user, action=Action.UNDO,
            reason=edit.reason, summary=f"undid: {decision.summary}", before=decision.after,
            after=decision.before, undoes=decision, created_at=now)
        _audit(edit, undone)
    return undone


def next_key(run: AnalysisRun, question: Question) -> str:
    numbers = [int(m.group(1)) for key in Theme.objects.filter(run=run, question=question)
               .values_list("key", flat=True) if (m := re.match(r"t(\d+)", key))]
    return f"t{max(numbers, default=0) + 1:02d}"


def _add(theme: Theme, coding_ids: list[int]) -> None:
    have = set(theme.coded_answers.values_list("coding_id", flat=True))
    CodedTheme.objects.bulk_create([
        CodedTheme(coding_id=pk, theme=theme, confidence=1.0, source=CodedTheme.Source.ANALYST)
        for pk in coding_ids if pk not in have])


def _n(items) -> str:
    return f"{len(items)} answer{'' if len(items) == 1 else 's'}"


def unthemed(run: AnalysisRun, question: Question) -> int:
    """Answers left with no theme: for review."""
    # NOT EXISTS, not a count of themes per coding: at 100,000s of answers the grouped count
    # took seconds.
    themed = CodedTheme.objects.filter(coding=OuterRef("pk"))
    return (Coding.objects.filter(run=run, answer__question=question)
            .filter(~Exists(themed)).count())
