"""A stored analysis as the files of `consulta analyse`: answers.csv and themes.csv.

The same columns as the command line's files (docs/analysis.md), written by the same code
(``outputs.write_table``: formula cells neutralised), so an analyst's spreadsheet or script
reads either; answers.csv adds the response's reference and the answer's text, for reading the
coding beside what was said. No group column (sector, role...) is included: a row with a rare
role next to an anonymous phase's answer could point at its author, which the Analysis page
prevents by hiding figures for small groups.
"""

from __future__ import annotations

import io
from collections.abc import Iterator

from consulta.analysis.constants import OTHER
from consulta.analysis.outputs import ANSWER_COLUMNS, THEME_COLUMNS, write_table
from consulta.analysis.themes import theme_order
from consulta.web.analysis.models import AnalysisRun, CodedTheme, Coding
from consulta.web.analysis.services import question_label

ANSWER_DOWNLOAD_COLUMNS = (*ANSWER_COLUMNS, "response", "answer")
FILES = ("answers.csv", "themes.csv")


def run_file(run: AnalysisRun, name: str) -> str:
    """The file's text, starting with a byte-order mark as the command line's files do (Excel
    then reads accents and £ signs correctly)."""
    out = io.StringIO()
    if name == "answers.csv":
        write_table(out, ANSWER_DOWNLOAD_COLUMNS, answer_rows(run))
    else:
        write_table(out, THEME_COLUMNS, theme_rows(run))
    return "\ufeff" + out.getvalue()


def _question_labels(run: AnalysisRun) -> dict[int, str]:
    """Question pk -> "phase N: key", as the run named its questions."""
    numbers = run.consultation.phase_numbers()
    return {theme.question_id: question_label(numbers[theme.question.phase_id], theme.question)
            for theme in run.themes.select_related("question")}


def answer_rows(run: AnalysisRun) -> Iterator[dict]:
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
        yield {"id": coding.answer_id, "question": labels.get(coding.answer.question_id, ""),
               "theme": primary, "themes": [primary, *others] if primary else others,
               "confidence": f"{coding.confidence:.3f}", "sentiment": coding.sentiment,
               "framing": coding.framing, "campaign": coding.campaign, "stance": coding.stance,
               "response": coding.answer.response.reference, "answer": coding.answer.text}


def theme_rows(run: AnalysisRun) -> Iterator[dict]:
    labels = _question_labels(run)
    themes = sorted(run.themes.select_related("parent", "question__phase"),
                    key=lambda t: (t.question.phase.position, t.question.position,
                                   t.question_id, t.key == OTHER, theme_order(t.key)))
    for theme in themes:
        yield {"question": labels[theme.question_id], "theme": theme.key,
               "parent": theme.parent.key if theme.parent else "", "label": theme.label,
               "description": theme.description, "size": theme.size, "share": theme.share,
               "quote_ids": [quote["answer"] for quote in theme.quotes[:5]],
               "summary": theme.summary, "keywords": theme.keywords,
               "respondents": theme.respondents, "campaign_share": theme.campaign_share,
               "stance": theme.stance}


def downloadable_run(consultation, run_id: int) -> AnalysisRun | None:
    """A finished run of this consultation, or None."""
    return (AnalysisRun.objects.filter(consultation=consultation, pk=run_id,
                                       status=AnalysisRun.Status.DONE)
            .select_related("consultation").first())
