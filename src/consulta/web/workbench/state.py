"""The state of some themes and answers of one question, taken and put back exactly.

A theme action captures the themes and answers it will touch before and after it; undo puts
the "before" back. Themes are named by key (a merged-away theme gets its key back when
undone, though not its row id); answers by their Coding's id, which no action changes.

    {"themes": {key: {"label", "keywords", "description", "summary", "stance", "size",
                      "respondents", "share", "campaign_share", "quotes", "parent",
                      "codes": [[coding id, confidence, source], ...]}},
     "primaries": {coding id: theme key or None},
     "order": [keys] (reorder), "reviewed": {"at", "by"} or None (mark reviewed)}
"""

from __future__ import annotations

from typing import Any

from consulta.web.analysis.models import AnalysisRun, CodedTheme, Coding, Theme
from consulta.web.consultations.models import Question

FIELDS = ("label", "keywords", "description", "summary", "stance", "size", "respondents",
          "share", "campaign_share", "quotes")


def capture(run: AnalysisRun, question: Question, keys, coding_ids=()) -> dict[str, Any]:
    """The named themes (those that exist) with their codes, and the named answers' primaries."""
    themes = {t.key: t for t in Theme.objects.filter(run=run, question=question, key__in=keys)
              .select_related("parent")}
    codes: dict[str, list] = {key: [] for key in themes}
    rows = CodedTheme.objects.filter(theme__in=themes.values()).order_by("coding_id")
    for key, coding_id, confidence, source in rows.values_list(
            "theme__key", "coding_id", "confidence", "source"):
        codes[key].append([coding_id, confidence, source])
    state_themes = {
        key: {**{name: getattr(theme, name) for name in FIELDS},
              "parent": theme.parent.key if theme.parent else None, "codes": codes[key]}
        for key, theme in themes.items()
    }
    coding_ids = set(coding_ids) | {row[0] for key in codes for row in codes[key]}
    primaries = {
        str(pk): key for pk, key in Coding.objects.filter(pk__in=coding_ids)
        .values_list("pk", "primary__key")
    }
    return {"themes": state_themes, "primaries": primaries}


def restore(run: AnalysisRun, question: Question, before: dict, after: dict) -> None:
    """Put ``before`` back over ``after``: themes only in ``after`` go, the others get their
    fields and exactly their codes back, then parents and primaries."""
    Theme.objects.filter(run=run, question=question,
                         key__in=set(after.get("themes", {})) - set(before.get("themes", {}))
                         ).delete()
    saved = {key: _put_theme(run, question, key, state)
             for key, state in before.get("themes", {}).items()}
    for key, state in before.get("themes", {}).items():
        parent = state["parent"]
        saved[key].parent = (saved.get(parent) or Theme.objects.filter(
            run=run, question=question, key=parent).first()) if parent else None
        saved[key].save(update_fields=["parent"])
    themes = {t.key: t for t in Theme.objects.filter(run=run, question=question)}
    by_key: dict[str | None, list[int]] = {}
    for coding_id, key in before.get("primaries", {}).items():
        by_key.setdefault(key, []).append(int(coding_id))
    for key, coding_ids in by_key.items():  # one UPDATE per theme, not per answer
        Coding.objects.filter(pk__in=coding_ids).update(primary=themes.get(key) if key else None)
    # Actions that recode answers (apply to the rest) keep the answers' confidences too.
    by_confidence: dict[float, list[int]] = {}
    for coding_id, confidence in before.get("confidences", {}).items():
        by_confidence.setdefault(confidence, []).append(int(coding_id))
    for confidence, coding_ids in by_confidence.items():
        Coding.objects.filter(pk__in=coding_ids).update(confidence=confidence)


def _put_theme(run: AnalysisRun, question: Question, key: str, state: dict) -> Theme:
    theme, _ = Theme.objects.update_or_create(
        run=run, question=question, key=key,
        # Decisions taken before a field was captured lack it: those keep the current value.
        defaults={name: state[name] for name in FIELDS if name in state})
    set_codes(theme, state["codes"])
    return theme


def set_codes(theme: Theme, codes: list) -> None:
    """Make ``theme``'s coded answers exactly ``codes`` ([coding id, confidence, source])."""
    wanted = {int(coding_id): (confidence, source) for coding_id, confidence, source in codes}
    theme.coded_answers.exclude(coding_id__in=wanted).delete()
    have = {row.coding_id: row for row in theme.coded_answers.all()}
    # In bulk: undoing "apply to the rest" puts back thousands of codes.
    CodedTheme.objects.bulk_create(
        [CodedTheme(coding_id=coding_id, theme=theme, confidence=confidence, source=source)
         for coding_id, (confidence, source) in wanted.items() if coding_id not in have],
        batch_size=2000)
    changed = [row for coding_id, row in have.items()
               if (row.confidence, row.source) != wanted[coding_id]]
    for row in changed:
        row.confidence, row.source = wanted[row.coding_id]
    CodedTheme.objects.bulk_update(changed, ["confidence", "source"], batch_size=2000)
