"""Reading a large CSV or JSONL file of answers a chunk at a time.

records.read_answers reads a whole file into ``Answer`` objects (a million answers: about 1 GB
of Python objects); these read the same rows, with the same ids, questions, groups and
consent, ``chunk_size`` answers at a time. CSV is read as tables.read_table reads it (UTF-8,
the delimiter sniffed from the start, blank rows skipped but counted in row numbers).
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path

from consulta.analysis.records import Answer, Columns, RecordsError, _cell, _consents

STREAMED_SUFFIXES = (".csv", ".txt", ".tsv", ".jsonl", ".ndjson")


def read_chunks(path: str | Path, columns: Columns, chunk_size: int) -> Iterator[list[Answer]]:
    """The file's answers, ``chunk_size`` at a time, in file order."""
    chunk: list[Answer] = []
    for number, row in _rows(Path(path), columns):
        chunk.append(Answer(
            id=_cell(row.get(columns.id)) if columns.id else str(number),
            question=(_cell(row.get(columns.question)) or columns.text)
            if columns.question else columns.text,
            text=_cell(row.get(columns.text)),
            groups={name: _cell(row.get(name)).strip() for name in columns.groups},
            quotable=_consents(row, columns),
        ))
        if len(chunk) >= chunk_size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def count_rows(path: str | Path, columns: Columns) -> int:
    """How many answers the file holds (one quick pass, for the progress bar)."""
    return sum(1 for _ in _rows(Path(path), columns))


def _rows(path: Path, columns: Columns) -> Iterator[tuple[int, dict]]:
    if not path.is_file():
        raise RecordsError(f"There is no file at {path}.")
    suffix = path.suffix.lower()
    if suffix not in STREAMED_SUFFIXES:
        raise RecordsError(f"{path.name}: a large input is read as it goes from CSV or JSONL "
                           "only; save it as CSV (UTF-8).")
    rows = _jsonl(path) if suffix in (".jsonl", ".ndjson") else _csv(path)
    first = next(rows, None)
    if first is None:
        raise RecordsError(f"{path.name} has no rows of answers.")
    headers, first_row = first
    missing = [name for name in columns.needed() if name not in headers]
    if missing:
        raise RecordsError(f"{path.name} has no column {', '.join(map(repr, missing))}. "
                           f"Columns found: {', '.join(map(repr, headers))}.")
    if first_row is not None:
        yield first_row
    for _, row in rows:
        yield row


def _csv(path: Path) -> Iterator[tuple[list[str], tuple[int, dict] | None]]:
    from consulta.tables import _sniff_delimiter

    with path.open(encoding="utf-8-sig", newline="", errors="replace") as handle:
        delimiter = _sniff_delimiter(handle.read(65536))
        handle.seek(0)
        reader = csv.reader(handle, delimiter=delimiter)
        headers = [cell.strip() for cell in next(reader, [])]
        while headers and not headers[-1]:
            headers.pop()
        yield headers, None
        try:
            for number, cells in enumerate(reader, start=1):
                if not any(cell.strip() for cell in cells):
                    continue
                yield headers, (number, dict(zip(headers, cells)))
        except csv.Error as error:
            raise RecordsError(f"{path.name} is malformed near line {reader.line_num}: "
                               f"{error}.") from None


def _jsonl(path: Path) -> Iterator[tuple[list[str], tuple[int, dict] | None]]:
    headers: list[str] | None = None
    number = 0
    with path.open(encoding="utf-8-sig", errors="replace") as handle:
        for line_number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as error:
                raise RecordsError(f"{path.name}: line {line_number} is not valid JSON "
                                   f"({error.msg}).") from None
            if not isinstance(record, dict):
                raise RecordsError(f"{path.name}: line {line_number} is not a JSON object.")
            number += 1
            if headers is None:  # the columns are those of the first record
                headers = list(record)
                yield headers, (number, record)
                continue
            yield headers, (number, record)
