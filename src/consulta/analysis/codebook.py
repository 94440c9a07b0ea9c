"""A code frame (codebook): the themes a person has decided answers are coded into.

One row per code: ``question`` (blank: the code applies to every question), ``theme`` (its id,
unique within its question), ``label`` (its name; the id when blank), ``description`` (what
belongs in it) and ``parent`` (a broader code's id, or blank). Only ``theme`` is required.
Read from and written to CSV or XLSX, so a consultation can start from an existing frame
(deductive coding) or reuse one. Problems come back as ``RecordsError``.

With a frame, ``analyse(..., codebook=frame)`` codes every answer into the frame's codes, the
wording of each code standing in as an example of it (``coding.CodedAssignment``); an answer
that fits no code is "other" with the reason "fits no code", never a made-up theme.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from consulta.analysis.records import RecordsError, read_rows

COLUMNS = ("question", "theme", "label", "description", "parent")


@dataclass(frozen=True)
class Code:
    theme: str
    label: str = ""
    description: str = ""
    parent: str = ""
    question: str | None = None  # None: the code applies to every question

    @property
    def name(self) -> str:
        return self.label or self.theme

    @property
    def wording(self) -> str:
        """What is embedded as the code's own example: its name and what belongs in it."""
        return ". ".join(part for part in (self.name, self.description) if part)


@dataclass
class CodeFrame:
    codes: list[Code] = field(default_factory=list)

    def __post_init__(self) -> None:
        _check(self.codes)

    def __iter__(self) -> Iterator[Code]:
        return iter(self.codes)

    def __len__(self) -> int:
        return len(self.codes)

    def for_question(self, question: str) -> list[Code]:
        """The codes that apply to ``question``: its own, then every question's (its own win
        when both use the same theme id)."""
        own = [c for c in self.codes if c.question == question]
        taken = {c.theme for c in own}
        return own + [c for c in self.codes if c.question is None and c.theme not in taken]


def _check(codes: Sequence[Code]) -> None:
    seen: set[tuple[str | None, str]] = set()
    for code in codes:
        if not code.theme:
            raise RecordsError("Every code needs a theme id.")
        key = (code.question, code.theme)
        if key in seen:
            where = f" for question {code.question!r}" if code.question else ""
            raise RecordsError(f"The code frame has theme {code.theme!r} twice{where}: "
                               "each theme id may appear once per question.")
        seen.add(key)
    for code in codes:
        if code.parent and (code.question, code.parent) not in seen \
                and (None, code.parent) not in seen:
            raise RecordsError(f"Code {code.theme!r} has parent {code.parent!r}, which is not "
                               "a theme in the code frame.")


def read_code_frame(path: str | Path) -> CodeFrame:
    """A code frame from a CSV or XLSX file (columns question, theme, label, description,
    parent; only theme is required)."""
    name = Path(path).name
    headers, rows = read_rows(path)
    if "theme" not in headers:
        raise RecordsError(f"Code frame {name} has no column theme (columns found: "
                           f"{', '.join(headers) or 'none'}); it needs theme, and may have "
                           f"{', '.join(c for c in COLUMNS if c != 'theme')}.")
    numbered = [(number, _code(cells)) for number, cells in rows]
    numbered = [(n, c) for n, c in numbered if c.theme or c.label or c.description]
    if not numbered:
        raise RecordsError(f"Code frame {name} has no codes.")
    missing = [number for number, code in numbered if not code.theme]
    if missing:
        raise RecordsError(f"Code frame {name}: row {missing[0]} has no theme id.")
    codes = [code for _, code in numbered]
    try:
        return CodeFrame(codes)
    except RecordsError as error:
        raise RecordsError(f"Code frame {name}: {error}") from None


def _code(cells: dict) -> Code:
    def cell(column: str) -> str:
        value = cells.get(column)
        return "" if value is None else " ".join(str(value).split())

    return Code(theme=cell("theme"), label=cell("label"), description=cell("description"),
                parent=cell("parent"), question=cell("question") or None)


def write_code_frame(frame: CodeFrame | Iterable[Code], path: str | Path) -> Path:
    """Write a code frame as CSV, or XLSX when ``path`` ends in .xlsx; returns the path."""
    path = Path(path)
    rows = [{"question": c.question or "", "theme": c.theme, "label": c.label,
             "description": c.description, "parent": c.parent} for c in frame]
    if path.suffix.lower() == ".xlsx":
        return _write_xlsx(path, rows)
    from consulta.analysis.outputs import write_table

    with path.open("w", newline="", encoding="utf-8-sig") as handle:
        write_table(handle, COLUMNS, rows)
    return path


def _write_xlsx(path: Path, rows: list[dict]) -> Path:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Code frame"
    sheet.append(list(COLUMNS))
    for row in rows:
        # A leading = would be a formula in a spreadsheet: kept as text, like the CSV outputs.
        sheet.append([_text_cell(row[column]) for column in COLUMNS])
    book.save(path)
    return path


def _text_cell(value: str) -> str:
    from consulta.analysis.outputs import safe_cell

    return safe_cell(value)
