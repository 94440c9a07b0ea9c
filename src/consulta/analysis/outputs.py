"""Writing an analysis: the files of the ``consulta analyse`` contract.

answers.csv, themes.csv, groups.csv (when group columns were given), campaigns.csv,
analysis.json and report.html. CSV cells beginning with = + - @ (or a tab or carriage return)
get a leading apostrophe, so a spreadsheet shows them as text and never runs them as formulas.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TextIO

from consulta.analysis.report import render_report
from consulta.analysis.results import Analysis

ANSWER_COLUMNS = ("id", "question", "theme", "themes", "confidence", "sentiment", "framing",
                  "campaign", "stance")
THEME_COLUMNS = ("question", "theme", "parent", "label", "description", "size", "share",
                 "quote_ids", "summary", "keywords", "respondents", "campaign_share",
                 "stance")
CAMPAIGN_COLUMNS = ("question", "campaign", "size", "template_text", "member_ids")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> str:
    """A value as CSV text that a spreadsheet will not evaluate."""
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        value = ";".join(str(v) for v in value)
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def write_outputs(analysis: Analysis, out_dir: str | Path) -> list[Path]:
    """Write every output file into ``out_dir`` (created if needed); returns their paths."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written = [
        _write_csv(out / "answers.csv", ANSWER_COLUMNS, (_answer_row(a) for a in analysis.answers)),
        _write_csv(out / "themes.csv", THEME_COLUMNS,
                   (vars(t) for q in analysis.questions for t in q.themes)),
        _write_csv(out / "campaigns.csv", CAMPAIGN_COLUMNS, analysis.campaigns),
    ]
    if analysis.config.get("group_columns"):
        from consulta.analysis.groups import GROUP_COLUMNS

        written.append(_write_csv(out / "groups.csv", ("question", *GROUP_COLUMNS),
                                  analysis.groups))
    data = analysis.to_dict()
    json_path = out / "analysis.json"
    json_path.write_text(json.dumps(data, ensure_ascii=False, indent=1, default=str),
                         encoding="utf-8")
    report_path = out / "report.html"
    report_path.write_text(render_report(analysis), encoding="utf-8")
    return written + [json_path, report_path]


def _answer_row(answer) -> dict:
    row = {column: getattr(answer, column) for column in ANSWER_COLUMNS}
    row["confidence"] = "" if answer.confidence is None else f"{answer.confidence:.3f}"
    return row


def write_table(handle: TextIO, columns: Sequence[str], rows: Iterable[Mapping]) -> None:
    """``rows`` as CSV in ``columns`` order, every cell through ``safe_cell``."""
    writer = csv.writer(handle)
    writer.writerow(columns)
    for row in rows:
        writer.writerow([safe_cell(row.get(column)) for column in columns])


def _write_csv(path: Path, columns, rows) -> Path:
    # utf-8-sig: Excel opens the file with the right encoding when it starts with a BOM.
    with path.open("w", newline="", encoding="utf-8-sig") as handle:
        write_table(handle, columns, rows)
    return path
