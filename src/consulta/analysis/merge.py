"""One analysis from analyses of single questions, and an analysis as compact bytes.

The analysis works question by question (pipeline._Run.question): no stage looks across
questions, so analysing each question on its own (in parallel, on several workers) and joining
the results gives what one run over all of them gives. ``merge`` is that join; ``dump`` and
``load`` carry a question's result from the worker that made it to the one that joins.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Sequence
from dataclasses import fields

from consulta.analysis.results import Analysis, AnswerResult, QuestionResult, ThemeResult

#: Results bigger than this are gzipped (a 10,000-answer question: ~10 MB of JSON, ~1.5 MB gz).
GZIP_OVER = 64 * 1024
_GZIP_MAGIC = b"\x1f\x8b"


def merge(parts: Sequence[Analysis]) -> Analysis:
    """The analysis of all the parts' questions, in the parts' order.

    Per-question lists are concatenated; per-question settings of the configuration (framing
    hints, wordings) are joined; stage timings and budget shares are added up. The rest of the configuration, the
    versions and the embedder must agree: parts of one run share them.
    """
    if not parts:
        raise ValueError("merge: no parts to merge")
    first = parts[0]
    config = dict(first.config)
    for part in parts[1:]:
        for key, value in part.config.items():
            if isinstance(value, dict):
                config[key] = {**config.get(key, {}), **value}
            elif key == "budget_share":  # each part spent its share of the run's budget
                config[key] = round(min(1.0, config.get(key, 1.0) + value), 6)
            elif config.get(key) != value:
                raise ValueError(f"merge: the parts disagree on {key!r}")
    timings: dict[str, float] = {}
    for part in parts:
        for stage, seconds in part.timings.items():
            timings[stage] = round(timings.get(stage, 0.0) + seconds, 3)
    return Analysis(
        config=config, versions=first.versions, embedder=first.embedder, timings=timings,
        questions=[q for part in parts for q in part.questions],
        answers=[a for part in parts for a in part.answers],
        groups=[row for part in parts for row in part.groups],
        campaigns=[row for part in parts for row in part.campaigns],
    )


def dump(analysis: Analysis) -> bytes:
    """Compact JSON of ``analysis``, gzipped when large."""
    data = json.dumps(analysis.to_dict(), separators=(",", ":"), ensure_ascii=False,
                      default=_plain).encode("utf-8")
    return gzip.compress(data, compresslevel=5, mtime=0) if len(data) > GZIP_OVER else data


def load(data: bytes) -> Analysis:
    """The analysis ``dump`` wrote."""
    data = bytes(data)
    if data[:2] == _GZIP_MAGIC:
        data = gzip.decompress(data)
    raw = json.loads(data)
    return Analysis(
        config=raw["config"], versions=raw["versions"], embedder=raw["embedder"],
        timings=raw["timings"], questions=[_question(q) for q in raw["questions"]],
        answers=[AnswerResult(**_known(AnswerResult, a)) for a in raw["answers"]],
        groups=raw["groups"], campaigns=raw["campaigns"],
    )


def _question(raw: dict) -> QuestionResult:
    values = _known(QuestionResult, raw)
    values["themes"] = [ThemeResult(**_known(ThemeResult, t)) for t in raw["themes"]]
    # JSON keys are strings: the selection's numbers of themes tried are numbers again.
    values["selection"] = {int(k) if k.isdigit() else k: v
                           for k, v in (raw.get("selection") or {}).items()}
    return QuestionResult(**values)


def _known(kind, raw: dict) -> dict:
    names = {f.name for f in fields(kind)}
    return {k: v for k, v in raw.items() if k in names}


def _plain(value):
    """numpy scalars (a confidence, a count) as Python numbers; anything else is a bug."""
    item = getattr(value, "item", None)
    if callable(item):
        return item()
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    raise TypeError(f"not JSON: {type(value).__name__}")
