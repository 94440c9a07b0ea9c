"""A new analysis run keeps what people decided on the workbench (issue 10, item 5).

A question is "kept" when people have decided something in it on the previous finished run: a
theme action still in force (a Decision), a person's codes (a Review or an ANALYST row), or it
was kept in that run already (``summary["kept_by_people"]``: a rename carried once must be
carried again). For a kept question the new run

- copies the previous run's themes as people left them (keys, labels, summaries, parents),
  adding no machine theme;
- copies the codes of every answer whose text is unchanged, a person's as a person's;
- codes only new or changed answers, the library learning from the copied codes and the
  themes' wording as a code frame (``analyse(..., codes=..., codebook=...)``);
- carries the people's Reviews (of unchanged answers), the question's order and reviewed
  mark, and the notes on its themes, to the new run's rows.

Decisions are not carried: they hold the previous run's row ids, and undo works within a run.
Questions no one touched are analysed afresh as before.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from consulta.analysis.constants import OTHER
from consulta.analysis.previous import text_hash
from consulta.web.analysis.models import AnalysisRun, CodedTheme, Coding, Theme
from consulta.web.workbench.models import Decision, QuestionState, Review, ThemeNote

SUMMARY_KEY = "kept_by_people"
THEME_FIELDS = ("label", "keywords", "description", "summary", "stance", "respondents",
                "share", "campaign_share", "quotes")


@dataclass
class Kept:
    """One kept question: the previous run's themes and its unchanged answers' codes."""

    label: str
    question: object
    themes: list[Theme]
    # answer id (str) -> (primary key or None, confidence, [(key, confidence, source)])
    codes: dict[str, tuple] = field(default_factory=dict)

    def examples(self) -> dict[tuple[str, str], str]:
        return {(self.label, answer): primary for answer, (primary, _, _) in self.codes.items()
                if primary}


def edited_questions(run: AnalysisRun) -> set[int]:
    """Question ids in which people decided something on ``run``."""
    decided = (Decision.objects.filter(run=run, undone_at=None)
               .exclude(action=Decision.Action.UNDO).values_list("question_id", flat=True))
    reviewed = Review.objects.filter(run=run).values_list("answer__question_id", flat=True)
    coded = (CodedTheme.objects.filter(theme__run=run, source=CodedTheme.Source.ANALYST)
             .values_list("theme__question_id", flat=True))
    return ({*decided, *reviewed, *coded}
            | set((run.summary or {}).get(SUMMARY_KEY, [])))


def kept_questions(previous: AnalysisRun | None, records) -> dict[str, Kept]:
    """The questions of ``records`` to keep as people left them in ``previous``, by label."""
    if previous is None:
        return {}
    edited = edited_questions(previous)
    texts = {record.id: record.text for record in records.answers}
    kept = {}
    for label, question in records.questions.items():
        if question.pk not in edited:
            continue
        themes = list(Theme.objects.filter(run=previous, question=question)
                      .select_related("parent").order_by("pk"))
        found = Kept(label, question, themes)
        rows: dict[int, list] = {}
        for coding_id, key, confidence, source in CodedTheme.objects.filter(
                coding__run=previous, coding__answer__question=question).values_list(
                "coding_id", "theme__key", "confidence", "source"):
            rows.setdefault(coding_id, []).append((key, confidence, source))
        for pk, answer_id, primary, confidence, sha in Coding.objects.filter(
                run=previous, answer__question=question).values_list(
                "pk", "answer_id", "primary__key", "confidence", "text_sha256"):
            text = texts.get(str(answer_id))
            # No hash (runs written before it was kept): the text is taken as unchanged.
            if text is not None and (not sha or sha == text_hash(text)):
                found.codes[str(answer_id)] = (primary, confidence, rows.get(pk, []))
        kept[label] = found
    return kept


def examples(kept: dict[str, Kept]) -> dict[tuple[str, str], str]:
    """The library's ``codes``: every unchanged answer's theme, in questions that have two
    themes or more to learn (fewer cannot be learnt: new answers there go to review)."""
    codes = {}
    for found in kept.values():
        mine = found.examples()
        if len(set(mine.values())) >= 2:
            codes.update(mine)
    return codes


def frame(kept: dict[str, Kept]):
    """The library's ``codebook``: the kept themes as people left them (learning.code_frame),
    for the same questions as ``examples``; None when there are none."""
    from consulta.analysis.codebook import CodeFrame
    from consulta.web.workbench.learning import code_frame

    learnt = {label for label, _ in examples(kept)}
    codes = [code for found in kept.values() if found.label in learnt
             for code in code_frame(found.label, found.themes)]
    return CodeFrame(codes) if codes else None


def store_themes(run: AnalysisRun, kept: dict[str, Kept], present: set[int]
                 ) -> dict[tuple[str, str], Theme]:
    """Copies of the kept questions' themes in the new run, parents first; quotes of answers
    no longer analysed are left out."""
    stored: dict[tuple[str, str], Theme] = {}
    for parents in (True, False):
        for found in kept.values():
            for theme in found.themes:
                if (theme.parent is None) != parents:
                    continue
                values = {name: getattr(theme, name) for name in THEME_FIELDS}
                values["quotes"] = [q for q in theme.quotes if q.get("answer") in present]
                stored[(found.label, theme.key)] = Theme.objects.create(
                    run=run, question=found.question, key=theme.key, size=0,
                    parent=stored.get((found.label, theme.parent.key)) if theme.parent else None,
                    **values)
    return stored


def adjust(rows, kept: dict[str, Kept]) -> dict[tuple[str, str], str]:
    """Rows of kept questions take the previous codes (unchanged answers) or only the kept
    themes (new ones, with a sub-theme's broad theme); returns the (answer id, key) a person
    chose, to store as the person's."""
    people = {}
    for row in rows:
        found = kept.get(row.question)
        if found is None:
            continue
        keys = {theme.key for theme in found.themes}
        parents = {t.key: t.parent.key for t in found.themes if t.parent}
        if row.id in found.codes:
            primary, confidence, codes = found.codes[row.id]
            row.confidences = {key: c for key, c, _ in codes}
            people.update({(row.id, key): source for key, _, source in codes
                           if source == CodedTheme.Source.ANALYST})
        else:
            row.confidences = {key: c for key, c in row.confidences.items() if key in keys}
            for key, c in list(row.confidences.items()):
                if key in parents:
                    row.confidences[parents[key]] = max(row.confidences.get(parents[key], 0), c)
            primary = row.theme if row.theme in keys else None
            confidence = row.confidences.get(primary, 0.0) if primary else 0.0
        row.themes = sorted(row.confidences, key=lambda key: -row.confidences[key])
        row.theme, row.confidence = primary or OTHER, confidence
    return people


def recount(run: AnalysisRun, kept: dict[str, Kept]) -> None:
    """Kept themes' sizes and shares by the answers coded into them in the new run."""
    for found in kept.values():
        total = Coding.objects.filter(run=run, answer__question=found.question).count() or 1
        for theme in Theme.objects.filter(run=run, question=found.question):
            theme.size = theme.coded_answers.count()
            theme.share = theme.size / total
            theme.save(update_fields=["size", "share"])


def carry_people(previous: AnalysisRun, run: AnalysisRun, kept: dict[str, Kept]) -> None:
    """People's reviews (of unchanged answers), order, reviewed marks and notes, to ``run``."""
    for found in kept.values():
        unchanged = [int(answer) for answer in found.codes]
        Review.objects.bulk_create([
            Review(run=run, answer_id=r.answer_id, user_id=r.user_id, reviewed_at=r.reviewed_at,
                   blind=r.blind, stance=r.stance, themes=r.themes,
                   machine_themes=r.machine_themes, note=r.note,
                   quote_candidate=r.quote_candidate)
            for r in Review.objects.filter(run=previous, answer_id__in=unchanged)])
        state = QuestionState.objects.filter(run=previous, question=found.question).first()
        if state is not None:
            QuestionState.objects.create(run=run, question=found.question, order=state.order,
                                         reviewed_at=state.reviewed_at,
                                         reviewed_by_id=state.reviewed_by_id)
        themes = {t.key: t for t in Theme.objects.filter(run=run, question=found.question)}
        ThemeNote.objects.bulk_create([
            ThemeNote(theme=themes[note.theme.key], user_id=note.user_id,
                      created_at=note.created_at, text=note.text)
            for note in ThemeNote.objects.filter(theme__run=previous,
                                                 theme__question=found.question)
            .select_related("theme") if note.theme.key in themes])
