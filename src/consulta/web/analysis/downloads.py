"""A stored analysis as the files of `consulta analyse`: answers.csv and themes.csv.

The same columns as the command line's files (docs/analysis.md), so an analyst's spreadsheet
or script reads either; answers.csv adds the response's reference and the answer's text, for
reading the coding beside what was said. No group column (sector, role...) is included: a row
with a rare role next to an anonymous phase's answer could point at its author, which the
Analysis page prevents by hiding figures for small groups. Cells that a spreadsheet would run
as a formula are neutralised as in the command line's files.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator

from consulta.analysis.outputs import ANSWER_COLUMNS, THEME_COLUMNS, safe_cell
from consulta.web.analysis.models import AnalysisRun, CodedTheme, Coding
from consulta.web.analysis.services import question_label

ANSWER_DOWNLOAD_COLUMNS = (*ANSWER_COLUMNS, "response", "answer")
FILES = ("answers.csv", "themes.csv")


def csv_text(header: Iterable[str], rows: Iterable[Iterable[object]]) -> str:
    """UTF-8 CSV text with a byte-order mark, so Excel reads accents and £ signs correctly."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows([safe_cell(cell) for cell in row] for row in rows)
    return "\ufeff" + out.getvalue()


def run_file(run: AnalysisRun, name: str) -> str:
    if name == "answers.csv":
        return csv_text(ANSWER_DOWNLOAD_COLUMNS, answer_rows(run))
    return csv_text(THEME_COLUMNS, theme_rows(run))


def _question_labels(run: AnalysisRun) -> dict[int, str]:
    """Question pk -> "phase N: key", as the run named its questions."""
    phases = {phase.pk: number
              for number, phase in enumerate(run.consultation.phases.all(), start=1)}
    return {theme.question_id: question_label(phases[theme.question.phase_id], theme.question)
            for theme in run.themes.select_related("question")}


def answer_rows(run: AnalysisRun) -> Iterator[list[object]]:
    labels = _question_labels(run)
    coded: dict[int, list[tuple[float, str]]] = {}
    for coding_id, key, confidence in CodedTheme.objects.filter(coding__run=run).values_list(
            "coding_id", "theme__key", "confidence"):
        coded.setdefault(coding_id, []).append((confidence, key))
    codings = (Coding.objects.filter(run=run)
               .select_related("primary", "answer__response", "answer__question")
               .order_by("answer__question__phase__position", "answer__question__position",
                         "answer_id"))
    for coding in codings:
        primary = coding.primary.key if coding.primary else ""
        # The primary theme first, then the others most confident first (as answers.csv).
        others = [key for _, key in sorted(coded.get(coding.pk, []),
                                           key=lambda item: (-item[0], item[1]))
                  if key != primary]
        yield [coding.answer_id, labels.get(coding.answer.question_id, ""), primary,
               [primary, *others] if primary else others, round(coding.confidence, 3),
               coding.sentiment, coding.framing, coding.campaign,
               coding.answer.response.reference, coding.answer.text]


def theme_rows(run: AnalysisRun) -> Iterator[list[object]]:
    labels = _question_labels(run)
    themes = sorted(run.themes.select_related("parent", "question__phase"),
                    key=lambda t: (t.question.phase.position, t.question.position,
                                   t.question_id, t.key == "other", _numbers(t.key)))
    for theme in themes:
        yield [labels[theme.question_id], theme.key, theme.parent.key if theme.parent else "",
               theme.label, theme.description, theme.size, theme.share,
               [quote["answer"] for quote in theme.quotes[:5]]]


def _numbers(key: str) -> tuple[int, ...]:
    """t01 < t01.2 < t01.10 < t02: a broad theme, then its sub-themes in number order."""
    return tuple(int(part) for part in key[1:].split(".") if part.isdigit())


def downloadable_run(consultation, run_id: int) -> AnalysisRun | None:
    """A finished run of this consultation, or None."""
    return (AnalysisRun.objects.filter(consultation=consultation, pk=run_id,
                                       status=AnalysisRun.Status.DONE)
            .select_related("consultation").first())

