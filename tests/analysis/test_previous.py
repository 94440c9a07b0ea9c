"""An earlier analysis as a typed input (previous.py): read from analysis.json, kept on a rerun."""

from __future__ import annotations

import dataclasses
import json

import pytest
from analysis_data import topic_answers

from consulta.analysis.outputs import write_outputs
from consulta.analysis.pipeline import AnalysisConfig, analyse
from consulta.analysis.previous import (
    PreviousAnalysis,
    PreviousSegment,
    PreviousTheme,
    read_previous,
    text_hash,
)
from consulta.analysis.records import Answer, RecordsError


def answers(per_topic: int) -> list[Answer]:
    return [Answer(id=f"R{i}", question="q", text=text)
            for i, (_, text) in enumerate(topic_answers(per_topic))]


@pytest.fixture(scope="module")
def first():
    return analyse(answers(12), AnalysisConfig(embedder="tfidf"))


def test_it_reads_an_analysis_json_into_typed_parts(first, tmp_path):
    write_outputs(first, tmp_path)
    previous = read_previous(tmp_path)
    [question] = previous.questions
    assert question.question == "q"
    assert question.themes == tuple(PreviousTheme(t.theme, t.parent)
                                    for t in first.questions[0].themes)
    assert [a.id for a in previous.answers] == [a.id for a in first.answers]
    row, earlier = first.answers[0], previous.answers[0]
    assert earlier.text_sha256 == row.text_sha256 == text_hash(answers(12)[0].text)
    assert earlier.segments == tuple(PreviousSegment(s["start"], s["end"], s["theme"])
                                     for s in row.segments)
    with pytest.raises(dataclasses.FrozenInstanceError):
        previous.questions = ()  # an input, not something a run changes


def test_it_indexes_the_themes_points_are_coded_to(first):
    earlier = PreviousAnalysis.from_json(first.to_dict()).by_question()["q"]
    themes = [t for t in first.questions[0].themes if t.theme != "other"]
    broad = {t.parent for t in themes if t.parent}
    assert earlier.theme_ids == [t.theme for t in themes if t.theme not in broad]
    assert set(earlier.parents) == set(earlier.theme_ids)
    row = first.answers[0]
    segment = row.segments[0]
    assert earlier.points[(row.id, row.text_sha256, segment["start"], segment["end"])] \
        == segment["theme"]


def test_a_rerun_from_it_keeps_theme_ids(first, tmp_path):
    write_outputs(first, tmp_path)
    again = analyse(answers(14), AnalysisConfig(embedder="tfidf"),
                    previous=read_previous(tmp_path))
    before = {r.id: r.theme for r in first.answers}
    kept = [r.theme == before[r.id] for r in again.answers if r.id in before]
    assert sum(kept) / len(kept) >= 0.95
    assert {t.theme for t in first.questions[0].themes} <= \
        {t.theme for t in again.questions[0].themes}


@pytest.mark.parametrize("data, where", [
    ([], "it holds no object"),
    ({"questions": {}}, "'questions' is not a list"),
    ({"questions": [{"themes": []}]}, "questions[0] has no valid 'question'"),
    ({"questions": [{"question": "q", "themes": [{"label": "x"}]}]},
     "questions[0].themes[0] has no valid 'theme'"),
    ({"answers": [{"question": "q"}]}, "answers[0] has no valid 'id'"),
    ({"answers": [{"id": "1", "segments": "0-4"}]}, "answers[0]'s 'segments' is not a list"),
    ({"answers": [{"id": "1", "segments": [{"start": "0", "end": 4}]}]},
     "answers[0].segments[0] has no valid 'start'"),
])
def test_a_malformed_analysis_says_what_is_wrong(data, where):
    with pytest.raises(RecordsError, match="Not an analysis.json written by consulta analyse") \
            as error:
        PreviousAnalysis.from_json(data)
    assert where in str(error.value)


def test_a_folder_without_a_readable_analysis_says_so(tmp_path):
    with pytest.raises(RecordsError, match="There is no analysis.json in"):
        read_previous(tmp_path)
    (tmp_path / "analysis.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(RecordsError, match="could not be read"):
        read_previous(tmp_path)
    (tmp_path / "analysis.json").write_text(json.dumps({"answers": 3}), encoding="utf-8")
    with pytest.raises(RecordsError, match=r"analysis.json: Not an analysis.json .*'answers'"):
        read_previous(tmp_path)


def test_it_refuses_an_untyped_previous_analysis(first):
    with pytest.raises(TypeError, match="PreviousAnalysis.from_json"):
        analyse(answers(12), AnalysisConfig(embedder="tfidf"), previous=first.to_dict())
