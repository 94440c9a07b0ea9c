"""Stance towards the question, and themes that keep to one side (stance.py)."""

from __future__ import annotations

import csv
import functools
from types import SimpleNamespace

import numpy as np
import pytest

from consulta.analysis import pipeline
from consulta.analysis.constants import AGAINST, FOR, NEITHER, STANCES
from consulta.analysis.outputs import write_outputs
from consulta.analysis.previous import PreviousAnalysis
from consulta.analysis.records import Answer
from consulta.analysis.stance import (
    QuestionStance,
    StanceClassifier,
    answer_sides,
    keep_sides,
    restated_side,
    sides_of_coded_themes,
    stance_of_question,
    takes_sides,
)

DIM = 3  # the fake space: two topic axes and a small "not" axis the fake model reads


def polarity_weights(dim: int = DIM) -> dict:
    """A one-unit network whose output is "for" unless the point's last coordinate is high."""
    w1 = np.zeros((4 * dim, 1), dtype=np.float32)
    w1[dim + dim - 1, 0] = 1.0  # c's last coordinate (c sits after u in [u, c, u*c, p*c])
    return {"w1": w1, "b1": np.zeros(1), "w2": np.array([-40.0]), "b2": np.array([2.0])}


def fake_vector(text: str) -> list[float]:
    lowered = text.lower()
    topic = [1.0, 0.0] if "cost" in lowered else [0.0, 1.0]
    vector = np.array([*topic, 0.3 if " not " in f" {lowered} " else 0.0])
    return list(vector / np.linalg.norm(vector))


class FakeEmbedder:
    name = "fake"

    def embed(self, texts):
        return np.array([fake_vector(t) for t in texts], dtype=np.float32).reshape(-1, DIM)

    def describe(self):
        return {"name": self.name}


@pytest.mark.parametrize("wording, sided", [
    ("We should abandon the use of school uniform", True),
    ("The USA is a good country to live in", True),
    ("How far do you agree that the station should close?", True),
    ("What works well in your area?", False),
    ("How could we improve?", False),
    ("What approaches should we take to create an efficient service?", False),
    ("To what extent do you support closing the station?", True),
    ("How can we better support victims of crime?", False),
    ("Thinking about the police in your area", False),
    ("q1", False),
    ("", False),
])
def test_it_tells_a_proposal_from_an_open_question(wording, sided):
    assert takes_sides(wording) is sided


def test_it_scores_points_with_the_given_weights():
    model = StanceClassifier(weights=polarity_weights()).fit()
    X = FakeEmbedder().embed(["costs are fine", "costs are not fine", "zero"])
    X[2] = 0.0
    p = model.predict_proba(np.array([1.0, 0.0, 0.0]), X)
    assert p[0] > 0.6 and p[1] < 0.4 and p[2] == 0.5
    assert model.sides(p) == [FOR, AGAINST, NEITHER]


def test_it_says_nothing_for_vectors_of_another_space():
    model = StanceClassifier(weights=polarity_weights()).fit()
    assert model.predict_proba(np.ones(DIM), np.ones((2, 5))) is None


def test_the_shipped_model_loads_and_expects_the_transformers_space():
    model = StanceClassifier().fit()
    assert model.dimensions_ == 384
    p = model.predict_proba(np.ones(384) / 20, np.eye(384, dtype=np.float32)[:3])
    assert p.shape == (3,) and ((p >= 0) & (p <= 1)).all()


def test_an_answers_side_weighs_its_points_by_words():
    sides = answer_sides(3, owner=[0, 0, 1], probabilities=[0.9, 0.3, 0.52], words=[10, 2, 5],
                         margin=0.1)
    assert sides == [FOR, NEITHER, NEITHER]


def test_an_open_question_has_no_sides():
    model = StanceClassifier(weights=polarity_weights()).fit()
    X = FakeEmbedder().embed(["costs are not fine"])
    found = stance_of_question(model, FakeEmbedder().embed, "What works well?", X, [0], [4],
                               [True, False])
    assert found == QuestionStance(False, [NEITHER], [NEITHER, ""])


def test_a_proposal_gives_each_answer_its_side():
    model = StanceClassifier(weights=polarity_weights()).fit()
    texts = ["costs are fine", "costs are not fine"]
    found = stance_of_question(model, FakeEmbedder().embed, "We should keep the cost cap",
                               FakeEmbedder().embed(texts), [0, 1], [3, 4], [True, True, False])
    assert found.sided and found.points == [FOR, AGAINST]
    assert found.answers == [FOR, AGAINST, ""]


def synthetic_model(labels, theme_ids, parents, X):
    from consulta.analysis.themes import _centroids

    labels = np.array(labels)
    return SimpleNamespace(labels_=labels, theme_ids_=theme_ids, parents_=parents,
                           centroids_=_centroids(X, labels, len(theme_ids)), min_size_=2)


def test_a_mixed_theme_is_split_into_single_sided_themes():
    X = np.array([[1, 0]] * 8 + [[0, 1]] * 4, dtype=np.float32)
    sides = [FOR] * 4 + [AGAINST] * 4 + [FOR] * 4
    model = synthetic_model([0] * 8 + [1] * 4, ["t01", "t02"], {"t01": None, "t02": None}, X)
    stances = keep_sides(model, X, sides)
    assert len(model.theme_ids_) == 3
    for number, theme in enumerate(model.theme_ids_):
        members = {sides[i] for i in np.flatnonzero(model.labels_ == number)}
        assert members == {stances[theme]}
    assert model.centroids_.shape == (3, 2)


def test_broad_themes_are_regrouped_by_side():
    X = np.array([[1, 0]] * 4 + [[0.9, 0.1]] * 4 + [[0, 1]] * 3, dtype=np.float32)
    sides = [FOR] * 4 + [AGAINST] * 4 + [AGAINST, AGAINST, NEITHER]
    model = synthetic_model([0] * 4 + [1] * 4 + [2] * 3, ["t01.1", "t01.2", "t02"],
                            {"t01.1": "t01", "t01.2": "t01", "t02": None}, X)
    stances = keep_sides(model, X, sides)
    # The for and against sub-themes of t01 no longer share a broad theme.
    assert all(parent is None for parent in model.parents_.values())
    assert sorted(stances.values()) == [AGAINST, AGAINST, FOR]
    assert model.group_ids_ == [] and (model.group_labels_ == -1).all()


def test_a_small_minority_stays_unless_asked_to_move():
    X = np.array([[1, 0]] * 9 + [[0, 1]] * 5, dtype=np.float32)
    sides = [FOR] * 8 + [AGAINST] + [AGAINST] * 5
    labels = [0] * 9 + [1] * 5

    kept = synthetic_model(labels, ["t01", "t02"], {"t01": None, "t02": None}, X)
    keep_sides(kept, X, sides, min_size=2)
    assert list(kept.labels_) == labels

    moved = synthetic_model(labels, ["t01", "t02"], {"t01": None, "t02": None}, X)
    keep_sides(moved, X, sides, purity=0.95, min_size=2, move_small=True)
    assert moved.labels_[8] == moved.labels_[9]


def test_an_analysts_theme_takes_its_answers_side_when_they_agree():
    found = sides_of_coded_themes(["cost", "safety"], ["cost", "cost", "safety", "safety", None],
                                  [FOR, FOR, FOR, AGAINST, AGAINST])
    assert found == {"cost": FOR, "safety": NEITHER}


def sided_answers():
    texts = ([f"The cost {n} is fine for families" for n in range(8)]
             + [f"The cost {n} is not fine for families" for n in range(8)]
             + [f"Safety {n} matters at night" for n in range(8)])
    return [Answer(id=f"a{i}", question="We should keep the fare cap", text=t)
            for i, t in enumerate(texts)] + [Answer(id="empty", question="We should keep the "
                                                    "fare cap", text="")]


def test_the_pipeline_keeps_themes_to_one_side_and_writes_stance(tmp_path, monkeypatch):
    monkeypatch.setattr(pipeline, "get_embedder", lambda *a, **k: FakeEmbedder())
    monkeypatch.setattr(pipeline, "StanceClassifier",
                        functools.partial(StanceClassifier, weights=polarity_weights()))
    analysis = pipeline.analyse(sided_answers(), pipeline.AnalysisConfig(embedder="tfidf"))
    by_id = {row.id: row for row in analysis.answers}
    assert by_id["a0"].stance == FOR and by_id["a8"].stance == AGAINST
    assert by_id["empty"].stance == ""
    themes = [t for t in analysis.questions[0].themes if t.theme.startswith("t")]
    assert themes and all(t.stance in STANCES for t in themes)
    for theme in themes:
        sides = {row.stance for row in analysis.answers if theme.theme in row.themes}
        assert sides <= {theme.stance, NEITHER}
    write_outputs(analysis, tmp_path)
    with (tmp_path / "answers.csv").open(encoding="utf-8-sig") as handle:
        assert {row["stance"] for row in csv.DictReader(handle)} == {FOR, AGAINST, ""}
    with (tmp_path / "themes.csv").open(encoding="utf-8-sig") as handle:
        assert "stance" in next(csv.reader(handle))


def test_an_open_question_leaves_every_answer_neither(monkeypatch):
    answers = [Answer(id=f"a{i}", question="What could we do better?", text=t.text)
               for i, t in enumerate(sided_answers()[:-1])]
    monkeypatch.setattr(pipeline, "get_embedder", lambda *a, **k: FakeEmbedder())
    analysis = pipeline.analyse(answers, pipeline.AnalysisConfig(embedder="tfidf"))
    assert {row.stance for row in analysis.answers} == {NEITHER}
    assert {t.stance for t in analysis.questions[0].themes} <= {NEITHER, ""}


@pytest.mark.parametrize("text, side", [
    ("We should not abandon school uniforms", -1),
    ("Schools shouldn't abandon them", -1),
    ("Abandoning uniforms lets children express themselves", 1),
    ("Uniforms help against bullying", 0),
])
def test_an_answer_in_the_questions_own_words_takes_its_side(text, side):
    assert restated_side("We should abandon the use of school uniform", text) == side


def test_a_restated_proposal_overrides_the_model():
    model = StanceClassifier(weights=polarity_weights()).fit()
    texts = ["we shouldn't keep the cost cap", "costs are not fine"]  # the model: for, against
    found = stance_of_question(model, FakeEmbedder().embed, "We should keep the cost cap",
                               FakeEmbedder().embed(texts), [0, 1], [7, 4], [True, True], texts)
    assert found.points == [AGAINST, AGAINST]


def test_with_previous_themes_keep_their_ids_and_take_their_points_side(monkeypatch):
    monkeypatch.setattr(pipeline, "get_embedder", lambda *a, **k: FakeEmbedder())
    monkeypatch.setattr(pipeline, "StanceClassifier",
                        functools.partial(StanceClassifier, weights=polarity_weights()))
    config = pipeline.AnalysisConfig(embedder="tfidf")
    first = pipeline.analyse(sided_answers(), config)
    again = pipeline.analyse(sided_answers(), config,
                             previous=PreviousAnalysis.from_json(first.to_dict()))
    ids = {t.theme: t.stance for t in first.questions[0].themes}
    assert {t.theme: t.stance for t in again.questions[0].themes} == ids
