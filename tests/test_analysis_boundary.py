"""The analysis library's boundary: a public surface, and no Django on either side of it."""

from __future__ import annotations

import dataclasses
import importlib.util
import inspect
import subprocess
import sys
from pathlib import Path

import pytest

from consulta import analysis
from consulta.analysis import coding, constants, framing, sentiment

ROOT = Path(__file__).resolve().parents[1]
NO_DJANGO = (
    "import sys, consulta.analysis as a\n"
    "for name in a.__all__: getattr(a, name)\n"
    "loaded = [m for m in sys.modules if m == 'django' or m.startswith('django.')]\n"
    "assert not loaded, loaded\n"
)


def test_it_imports_the_library_and_its_whole_surface_without_loading_django():
    done = subprocess.run([sys.executable, "-c", NO_DJANGO], check=False, capture_output=True,
                          text=True, cwd=ROOT, timeout=120)
    assert done.returncode == 0, done.stderr


def test_it_offers_every_public_name_it_lists():
    for name in analysis.__all__:
        assert getattr(analysis, name) is not None
    assert {"analyse", "AnalysisConfig", "ThemeResult", "AnswerResult", "read_answers",
            "write_outputs", "OTHER", "SENTIMENTS", "FRAMINGS", "STANCES"} <= set(analysis.__all__)
    with pytest.raises(AttributeError):
        analysis.not_a_public_name  # noqa: B018


def test_it_takes_and_gives_typed_objects_across_the_boundary():
    # results out, an earlier analysis in: dataclasses, the input frozen (never changed by a run)
    for name in ("Analysis", "QuestionResult", "ThemeResult", "AnswerResult"):
        assert dataclasses.is_dataclass(getattr(analysis, name))
        assert getattr(analysis, name).__module__ == "consulta.analysis.results"
    previous = ("PreviousAnalysis", "PreviousQuestion", "PreviousTheme", "PreviousAnswer",
                "PreviousSegment")
    assert {*previous, "read_previous"} <= set(analysis.__all__)
    for name in previous:
        assert getattr(analysis, name).__dataclass_params__.frozen
    assert inspect.signature(analysis.analyse).parameters["previous"].annotation \
        == "PreviousAnalysis | None"


def test_it_declares_each_label_vocabulary_once():
    assert sentiment.LABELS == constants.SENTIMENTS == analysis.SENTIMENTS
    assert framing.FRAMINGS == constants.FRAMINGS
    assert constants.STANCES == ("for", "against", "neither")
    assert analysis.OTHER == "other"
    assert coding.OTHER is constants.OTHER


def test_it_shares_the_label_values_with_the_web_app():
    from consulta.web.analysis import results

    assert results.SENTIMENTS == constants.SENTIMENTS
    assert results.FRAMINGS == constants.FRAMINGS
    assert results.OTHER == constants.OTHER


def _ruff(source: str, filename: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--no-cache", "--select", "TID251",
         "--stdin-filename", filename, "-"],
        check=False, input=source, capture_output=True, text=True, cwd=ROOT, timeout=60)


@pytest.mark.skipif(importlib.util.find_spec("ruff") is None, reason="ruff is not installed")
def test_it_lets_ruff_refuse_django_inside_the_library_only():
    inside = _ruff("from django.db import models\n", "src/consulta/analysis/new_stage.py")
    assert inside.returncode == 1 and "TID251" in inside.stdout
    outside = _ruff("from django.db import models\n", "src/consulta/web/analysis/new_view.py")
    assert outside.returncode == 0, outside.stdout
