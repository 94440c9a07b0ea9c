"""A consultation's code frame, out of the workbench and back in (CSV or XLSX).

The columns are the library's (``consulta.analysis.codebook``: question, theme, label,
description, parent), so a frame exported here is one ``consulta analyse --codebook`` reads,
and one written for the command line imports here. A question is named as the analysis
names it, "phase N: key" (a key alone is accepted where no other phase uses it); a blank
question applies the code to every text question, as in the library.

Export: every question's current themes in the latest finished run, in the workbench's order.
Import is all or nothing: the whole file is read and checked first (size, encoding, columns,
unknown questions, a theme twice, a parent that is not in the frame or makes a loop, over-long
values) and any problem refuses it with every problem listed, changing nothing. Otherwise,
for each question it names, themes the frame has and the question has are renamed (label,
description, parent; a blank label or description keeps the current one) and missing ones
are created, empty, for people to code into. Nothing is deleted. Each question changed gets
one Decision (IMPORT, undoable as any other) and one audit entry.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction

from consulta.analysis.codebook import Code, CodeFrame, write_code_frame
from consulta.analysis.outputs import FORMULA_STARTS
from consulta.analysis.records import RecordsError
from consulta.tables import TableError, read_table
from consulta.web.analysis.models import AnalysisRun, Theme
from consulta.web.analysis.services import TEXT_KINDS, question_label
from consulta.web.consultations.models import Question
from consulta.web.workbench.edits import Edit, _audit, _extra, lock, theme_order, version
from consulta.web.workbench.models import Decision
from consulta.web.workbench.state import capture

MAX_BYTES = 2 * 1024 * 1024
MAX_CODES = 5000
MAX_ERRORS = 20  # listed; the rest are counted
LIMITS = {"theme": 20, "label": 200, "description": 5000}


class FrameRefused(Exception):
    """The file cannot be imported as it is; ``problems`` says why, each a sentence."""

    def __init__(self, problems: list[str] | str):
        problems = [problems] if isinstance(problems, str) else problems
        shown = problems[:MAX_ERRORS]
        if len(problems) > MAX_ERRORS:
            shown.append(f"… and {len(problems) - MAX_ERRORS} more problems.")
        super().__init__(" ".join(shown))
        self.problems = shown


@dataclass
class Plan:
    """What an import does to one question: themes renamed and themes created."""

    question: Question
    codes: list[Code] = field(default_factory=list)
    renamed: list[str] = field(default_factory=list)
    created: list[str] = field(default_factory=list)


def questions(run: AnalysisRun) -> dict[str, Question]:
    """The consultation's text questions by the analysis's name for them, "phase N: key"."""
    consultation = run.consultation
    numbers = consultation.phase_numbers()
    rows = (Question.objects.filter(phase__consultation=consultation, kind__in=TEXT_KINDS)
            .select_related("phase").order_by("phase__position", "position"))
    return {question_label(numbers[q.phase_id], q): q for q in rows}


# -- Export -------------------------------------------------------------------------------

def current_frame(run: AnalysisRun) -> CodeFrame:
    codes = []
    for name, question in questions(run).items():
        themes = {t.key: t for t in Theme.objects.filter(run=run, question=question)
                  .select_related("parent")}
        codes += [Code(question=name, theme=key, label=themes[key].label,
                       description=themes[key].description,
                       parent=themes[key].parent.key if themes[key].parent else "")
                  for key in theme_order(run, question)]
    return CodeFrame(codes)


def export_bytes(run: AnalysisRun, kind: str) -> bytes:
    """The current frame as the library writes it (``kind``: "csv" or "xlsx")."""
    with tempfile.TemporaryDirectory() as folder:
        path = write_code_frame(current_frame(run), Path(folder) / f"code-frame.{kind}")
        return path.read_bytes()


# -- Import: read and check everything first ----------------------------------------------

def read(data: bytes, filename: str, run: AnalysisRun) -> list[Plan]:
    """Every question's plan, or ``FrameRefused`` listing every problem found."""
    try:
        table = read_table(data, filename, MAX_BYTES)
    except TableError as error:
        raise FrameRefused(error.message) from None
    if "theme" not in table.headers:
        raise FrameRefused(f"The file has no column “theme” (columns found: "
                           f"{', '.join(table.headers)}). A code frame has the columns "
                           "question, theme, label, description and parent.")
    if not table.rows:
        raise FrameRefused("The file has no codes.")
    if len(table.rows) > MAX_CODES:
        raise FrameRefused(f"The file has {len(table.rows)} codes, over the limit of "
                           f"{MAX_CODES}. Split it into smaller files.")
    known = questions(run)
    problems: list[str] = []
    codes = [_code(row.number, row.cells, known, problems) for row in table.rows]
    if problems:
        raise FrameRefused(problems)
    try:
        frame = CodeFrame(codes)
    except RecordsError as error:  # a theme twice in a question, a parent not in the frame
        raise FrameRefused(str(error)) from None
    plans = [_plan(run, question, frame.for_question(name), problems)
             for name, question in known.items()]
    if problems:
        raise FrameRefused(problems)
    return [plan for plan in plans if plan.codes]


def _code(number: int, cells: dict, known: dict[str, Question], problems: list[str]) -> Code:
    def cell(column: str) -> str:
        value = " ".join((cells.get(column) or "").split())
        # Consulta writes a text starting = + - @ with an apostrophe before it: take it off.
        return value[1:] if value.startswith("'") and value[1:].startswith(FORMULA_STARTS) \
            else value

    code = Code(theme=cell("theme"), label=cell("label"), description=cell("description"),
                parent=cell("parent"), question=_question(cell("question"), known))
    if not code.theme:
        problems.append(f"Row {number} has no theme id.")
    if cell("question") and code.question is None:
        problems.append(f"Row {number}: there is no text question “{cell('question')}” in "
                        f"this consultation (name it as in the export, e.g. "
                        f"“{next(iter(known), 'phase 1: key')}”).")
    for column, limit in LIMITS.items():
        if len(getattr(code, column)) > limit:
            problems.append(f"Row {number}: the {column} is longer than {limit} characters.")
    return code


def _question(value: str, known: dict[str, Question]) -> str | None:
    """The analysis's name for the question ``value`` names, or None (blank or unknown)."""
    if not value:
        return None
    if value in known:
        return value
    by_key = [name for name, q in known.items() if q.key == value]
    return by_key[0] if len(by_key) == 1 else None


def _plan(run: AnalysisRun, question: Question, codes: list[Code],
          problems: list[str]) -> Plan:
    themes = {t.key: t for t in Theme.objects.filter(run=run, question=question)
              .select_related("parent")}
    # Each theme's parent once imported: a blank parent keeps the current one.
    parents = {key: (t.parent.key if t.parent else "") for key, t in themes.items()}
    plan = Plan(question, codes)
    for code in codes:
        theme = themes.get(code.theme)
        if theme is None:
            plan.created.append(code.theme)
        elif ((code.label and code.label != theme.label)
              or (code.description and code.description != theme.description)
              or (code.parent and code.parent != parents[code.theme])):
            plan.renamed.append(code.theme)
        parents[code.theme] = code.parent or parents.get(code.theme, "")
    for code in codes:
        seen, at = set(), code.theme
        while at := parents.get(at, ""):
            if at == code.theme or at in seen:
                problems.append(f"Theme {code.theme!r} of {question.key}: its parents go round "
                                "in a loop; a theme cannot be within itself.")
                break
            seen.add(at)
    return plan


# -- Import: apply ------------------------------------------------------------------------

def apply(run: AnalysisRun, user, plans: list[Plan], reason: str = "") -> list[Decision]:
    """Apply every plan in one transaction: all of it or, on any failure, nothing."""
    decisions = []
    with transaction.atomic():
        for plan in plans:
            if plan.renamed or plan.created:
                decisions.append(_apply(Edit(run=run, question=plan.question, user=user,
                                             version=version(run, plan.question),
                                             reason=reason), plan))
    return decisions


def _apply(edit: Edit, plan: Plan) -> Decision:
    state = lock(edit)
    keys = set(plan.renamed) | set(plan.created)
    before = {**capture(edit.run, edit.question, keys), **_extra(state)}
    themes = {t.key: t for t in Theme.objects.filter(run=edit.run, question=edit.question)}
    for code in plan.codes:
        if code.theme in plan.created:
            themes[code.theme] = Theme.objects.create(
                run=edit.run, question=edit.question, key=code.theme, label=code.name,
                description=code.description, summary=code.description)
        elif code.theme in plan.renamed:
            theme = themes[code.theme]
            theme.label = code.label or theme.label
            if code.description:
                theme.description = theme.summary = code.description
            theme.save(update_fields=["label", "description", "summary"])
    for code in plan.codes:  # parents once every theme exists
        theme = themes[code.theme]
        if code.parent and theme.parent_id != themes[code.parent].pk:
            theme.parent = themes[code.parent]
            theme.save(update_fields=["parent"])
    after = {**capture(edit.run, edit.question, keys), **_extra(state)}
    summary = (f"imported the code frame: renamed {len(plan.renamed)}, "
               f"created {len(plan.created)}")
    decision = Decision.objects.create(
        run=edit.run, question=edit.question, user=edit.user, action=Decision.Action.IMPORT,
        reason=edit.reason, summary=summary, before=before, after=after)
    _audit(edit, decision)
    return decision
