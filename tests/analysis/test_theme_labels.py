"""Themes read as points: labels and summaries in respondents' own words, key phrases kept."""

from __future__ import annotations

import csv

import pytest
from analysis_data import survey_rows

from consulta.analysis.outputs import write_outputs
from consulta.analysis.pipeline import AnalysisConfig, analyse
from consulta.analysis.records import Columns, answers_from_rows


@pytest.fixture(scope="module")
def result():
    answers = answers_from_rows(survey_rows(24), Columns(text="answer", id="ref"))
    return answers, analyse(answers, AnalysisConfig(embedder="tfidf"))


def _themes(result):
    return [t for q in result[1].questions for t in q.themes if t.theme != "other"]


def test_each_label_is_a_short_sentence_taken_from_an_answer(result):
    answers, _ = result
    texts = " ".join(a.text.lower() for a in answers)
    for theme in _themes(result):
        assert 2 <= len(theme.label.split()) <= 16, theme.label
        assert theme.label.lower() in texts, theme.label
        assert not theme.label.endswith((".", "…"))


def test_each_theme_keeps_its_key_phrases_as_keywords(result):
    for theme in _themes(result):
        assert theme.keywords and theme.keywords != theme.label
        assert theme.keywords.split(";")[0].strip().lower() == theme.key_phrases[0].lower()


def test_each_summary_is_one_or_two_sentences_from_the_answers_without_template(result):
    answers, _ = result
    texts = " ".join(a.text.lower() for a in answers)
    for theme in _themes(result):
        sentences = [s for s in theme.summary.split(". ") if s]
        assert 1 <= len(sentences) <= 2 and theme.summary.endswith(".")
        assert all(s.rstrip(".").lower() in texts for s in sentences), theme.summary
        assert theme.description == theme.summary
        assert "Answers about" not in theme.summary


def test_a_broad_theme_is_not_labelled_as_one_of_its_sub_themes(result):
    themes = _themes(result)
    for broad in (t for t in themes if any(s.parent == t.theme for s in themes)):
        assert broad.label not in {s.label for s in themes if s.parent == broad.theme}


def test_themes_csv_has_summary_and_keywords(result, tmp_path):
    write_outputs(result[1], tmp_path)
    with (tmp_path / "themes.csv").open(encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    named = [r for r in rows if r["theme"] != "other"]
    assert named and all(r["summary"] and r["keywords"] for r in named)
