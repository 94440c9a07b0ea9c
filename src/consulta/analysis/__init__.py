"""The pure-Python analysis library (themes, coding, statistics): its public surface.

No Django imports here (ruff bans them under this package, and a test checks that importing
the library loads none): the library works alone on a CSV; the web app and the CLI call into
it through the names in ``__all__``.

Names load on first use (PEP 562), so ``import consulta.analysis.sentiment`` stays light.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

from consulta.analysis.constants import (
    AGAINST,
    CHALLENGE,
    FOR,
    FRAMINGS,
    MIXED,
    NEGATIVE,
    NEITHER,
    OPPORTUNITY,
    OTHER,
    POSITIVE,
    SENTIMENTS,
    STANCES,
    WORKING_WELL,
)

if TYPE_CHECKING:
    from consulta.analysis.codebook import Code, CodeFrame, read_code_frame, write_code_frame
    from consulta.analysis.groups import GroupStat, who_said_what, wilson_interval
    from consulta.analysis.outputs import write_outputs, write_table
    from consulta.analysis.personal_data import Finding, find_personal_data, redact
    from consulta.analysis.pipeline import AnalysisConfig, analyse
    from consulta.analysis.previous import (
        PreviousAnalysis,
        PreviousAnswer,
        PreviousQuestion,
        PreviousSegment,
        PreviousTheme,
        read_previous,
    )
    from consulta.analysis.records import (
        Answer,
        Columns,
        RecordsError,
        answers_from_objects,
        answers_from_rows,
        read_answers,
        read_rows,
    )
    from consulta.analysis.report import render_report
    from consulta.analysis.results import Analysis, AnswerResult, QuestionResult, ThemeResult

_LAZY = {
    "analyse": "pipeline", "AnalysisConfig": "pipeline", "Analysis": "results",
    "QuestionResult": "results", "ThemeResult": "results", "AnswerResult": "results",
    "PreviousAnalysis": "previous", "PreviousAnswer": "previous", "PreviousQuestion": "previous",
    "PreviousSegment": "previous", "PreviousTheme": "previous", "read_previous": "previous",
    "Answer": "records", "Columns": "records", "RecordsError": "records",
    "read_answers": "records", "read_rows": "records", "answers_from_rows": "records",
    "answers_from_objects": "records",
    "Code": "codebook", "CodeFrame": "codebook", "read_code_frame": "codebook",
    "write_code_frame": "codebook",
    "GroupStat": "groups", "who_said_what": "groups", "wilson_interval": "groups",
    "write_outputs": "outputs", "write_table": "outputs", "render_report": "report",
    "Finding": "personal_data", "find_personal_data": "personal_data", "redact": "personal_data",
}

__all__ = [  # constants, then types, then functions (the order ruff's RUF022 keeps)
    "AGAINST", "CHALLENGE", "FOR", "FRAMINGS", "MIXED", "NEGATIVE", "NEITHER", "OPPORTUNITY",
    "OTHER", "POSITIVE", "SENTIMENTS", "STANCES", "WORKING_WELL", "Analysis", "AnalysisConfig",
    "Answer", "AnswerResult", "Code", "CodeFrame", "Columns", "Finding", "GroupStat",
    "PreviousAnalysis", "PreviousAnswer", "PreviousQuestion", "PreviousSegment", "PreviousTheme",
    "QuestionResult", "RecordsError", "ThemeResult", "analyse", "answers_from_objects",
    "answers_from_rows", "find_personal_data", "read_answers", "read_code_frame",
    "read_previous", "read_rows", "redact", "render_report", "who_said_what",
    "wilson_interval", "write_code_frame", "write_outputs", "write_table",
]


def __getattr__(name: str):
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f"{__name__}.{module}"), name)
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
