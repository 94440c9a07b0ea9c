"""Answer records: (id, question, text, group attributes) from files or Python objects.

Every input row becomes an ``Answer``, including empty ones ("", whitespace, "n/a", "none",
"-", ...): they are kept, marked ``empty`` and never themed, so the outputs still have one row
per input answer. Problems come back as ``RecordsError`` with a message a person can act on.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from consulta.tables import TableError, read_table

#: Answers that say nothing. Compared after stripping spaces and final full stops, any case.
#: The phrases are what survey tools export for a skipped question (NHS FFT files hold
#: hundreds of "Did not answer"); they must not become a theme.
EMPTY_MARKERS = frozenset({"", "n/a", "na", "n.a", "none", "-", "--", "nil", "null",
                           "did not answer", "no answer", "not answered", "no response",
                           "left blank"})
#: Input files larger than this are refused before being read (a 100k-answer CSV is ~30 MB).
MAX_INPUT_BYTES = 1024 * 1024 * 1024


class RecordsError(ValueError):
    """Input that cannot be analysed; the message says why and what to do."""


@dataclass
class Answer:
    id: str
    question: str
    text: str
    groups: dict[str, str] = field(default_factory=dict)
    # False when the respondent did not consent to publishing: counted, coded, never quoted
    # nor made a theme's label or summary.
    quotable: bool = True

    @property
    def empty(self) -> bool:
        return is_empty_answer(self.text)


def is_empty_answer(text: str | None) -> bool:
    if text is None:
        return True
    return " ".join(text.strip().rstrip(".").split()).lower() in EMPTY_MARKERS


@dataclass
class Columns:
    """Which input columns hold what. Without ``id``, ids are row numbers from 1. With
    ``consent``, an answer is quotable only when that column holds one of ``consent_values``
    (any case)."""

    text: str
    id: str | None = None
    question: str | None = None
    groups: Sequence[str] = ()
    consent: str | None = None
    consent_values: Sequence[str] = ("full", "anonymous")

    def needed(self) -> list[str]:
        named = [self.text, self.id, self.question, *self.groups, self.consent]
        return [name for name in named if name]


# --- Files ---------------------------------------------------------------------------------


def read_answers(path: str | Path, columns: Columns) -> list[Answer]:
    """Answers from a CSV, XLSX, JSONL or Parquet file (chosen by the file's extension)."""
    headers, rows = read_rows(path)
    return answers_from_rows(rows, columns, headers=headers, source=Path(path).name)


def read_rows(path: str | Path) -> tuple[list[str], list[tuple[int, dict]]]:
    """The column names and the (row number, cells) of a CSV, XLSX, JSONL or Parquet file."""
    path = Path(path)
    if not path.is_file():
        raise RecordsError(f"There is no file at {path}.")
    suffix = path.suffix.lower()
    if suffix in (".jsonl", ".ndjson"):
        return _jsonl_rows(path)
    if suffix in (".parquet", ".pq"):
        return _parquet_rows(path)
    return _table_rows(path)


def _table_rows(path: Path) -> tuple[list[str], list[tuple[int, dict]]]:
    try:
        table = read_table(path.read_bytes(), path.name, MAX_INPUT_BYTES)
    except TableError as error:
        raise RecordsError(f"{path.name}: {error.message}") from error
    # The spreadsheet row numbers count the header as row 1: data row numbers start at 1.
    return table.headers, [(row.number - 1, row.cells) for row in table.rows]


def _jsonl_rows(path: Path) -> tuple[list[str], list[tuple[int, dict]]]:
    rows: list[tuple[int, dict]] = []
    headers: dict[str, None] = {}
    data = path.read_bytes()
    if not data.strip():
        raise RecordsError(f"{path.name}: the file is empty.")
    for number, line in enumerate(data.decode("utf-8-sig", errors="replace").splitlines(), 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as error:
            raise RecordsError(f"{path.name}: line {number} is not valid JSON ({error.msg}).")
        if not isinstance(record, dict):
            raise RecordsError(f"{path.name}: line {number} is not a JSON object.")
        headers.update(dict.fromkeys(record))
        rows.append((len(rows) + 1, record))
    return list(headers), rows


def _parquet_rows(path: Path) -> tuple[list[str], list[tuple[int, dict]]]:
    try:
        from pyarrow import parquet  # optional: only Parquet input needs it
    except ImportError:
        raise RecordsError(
            "Reading Parquet needs the pyarrow package: pip install 'consulta[parquet]', "
            "or save the data as CSV, XLSX or JSONL."
        ) from None
    try:
        table = parquet.read_table(path)
    except Exception as error:  # pyarrow raises several types for a damaged file
        raise RecordsError(f"{path.name} could not be read as Parquet: {error}") from error
    return table.column_names, list(enumerate(table.to_pylist(), start=1))


# --- Rows and objects ----------------------------------------------------------------------


def answers_from_rows(
    rows: Iterable[tuple[int, Mapping]] | Iterable[Mapping],
    columns: Columns,
    *,
    headers: Sequence[str] | None = None,
    source: str = "the input",
) -> list[Answer]:
    """Answers from mappings (optionally numbered); ``headers`` lists the columns found."""
    numbered = [row if isinstance(row, tuple) else (i, row) for i, row in enumerate(rows, 1)]
    if not numbered:
        raise RecordsError(f"{source} has no rows of answers.")
    found = list(headers) if headers is not None else list(numbered[0][1])
    missing = [name for name in columns.needed() if name not in found]
    if missing:
        raise RecordsError(
            f"{source} has no column {', '.join(map(repr, missing))}. "
            f"Columns found: {', '.join(map(repr, found))}."
        )
    default_question = columns.text
    answers = [
        Answer(
            id=_cell(row.get(columns.id)) if columns.id else str(number),
            question=(_cell(row.get(columns.question)) or default_question)
            if columns.question else default_question,
            text=_cell(row.get(columns.text)),
            groups={name: _cell(row.get(name)).strip() for name in columns.groups},
            quotable=_consents(row, columns),
        )
        for number, row in numbered
    ]
    check_answers(answers, source=source)
    return answers


def _consents(row: Mapping, columns: Columns) -> bool:
    if not columns.consent:
        return True
    wanted = {value.strip().lower() for value in columns.consent_values}
    return _cell(row.get(columns.consent)).strip().lower() in wanted


def answers_from_objects(items: Iterable, question: str = "answers") -> list[Answer]:
    """Answers from ``Answer`` objects, mappings with id/question/text/groups, or plain strings."""
    answers = []
    for number, item in enumerate(items, start=1):
        if isinstance(item, Answer):
            answers.append(item)
        elif isinstance(item, str):
            answers.append(Answer(id=str(number), question=question, text=item))
        elif isinstance(item, Mapping):
            answers.append(Answer(
                id=_cell(item.get("id")) or str(number),
                question=_cell(item.get("question")) or question,
                text=_cell(item.get("text")),
                groups={k: _cell(v) for k, v in dict(item.get("groups") or {}).items()},
            ))
        else:
            raise RecordsError(f"Item {number} is a {type(item).__name__}, not an answer.")
    check_answers(answers, source="the answers given")
    return answers


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def check_answers(answers: Sequence[Answer], *, source: str = "the input") -> None:
    """Refuse input that cannot give themes: none, a single answer, nothing but empties."""
    if not answers:
        raise RecordsError(f"{source} has no answers.")
    if len(answers) == 1:
        raise RecordsError(
            f"{source} has a single answer; finding themes needs at least two answers."
        )
    if all(answer.empty for answer in answers):
        raise RecordsError(
            f"All {len(answers)} answers in {source} are empty (blank, 'n/a', 'none', ...): "
            "is --text-column the column that holds the answers?"
        )
    seen: set[tuple[str, str]] = set()
    for answer in answers:
        key = (answer.question, answer.id)
        if key in seen:
            raise RecordsError(
                f"The id {answer.id!r} appears more than once for question {answer.question!r} "
                "in " + source + ": give --id-column a column with one value per answer, "
                "or leave it out to number the rows."
            )
        seen.add(key)


def by_question(answers: Sequence[Answer]) -> dict[str, list[int]]:
    """Answer indexes per question, questions in order of first appearance."""
    groups: dict[str, list[int]] = {}
    for index, answer in enumerate(answers):
        groups.setdefault(answer.question, []).append(index)
    return groups
