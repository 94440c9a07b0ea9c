"""Coding: primary theme, themes with confidences, and learning from coded examples."""

from __future__ import annotations

import numpy as np
import pytest
from analysis_data import texts_and_topics

from consulta.analysis.coding import CodedAssignment, ThemeConfidence, roll_up
from consulta.analysis.embedders import get_embedder


@pytest.fixture(scope="module")
def data():
    texts, topics = texts_and_topics(24)
    return texts, topics, get_embedder("tfidf").embed(texts)


def test_confidences_are_probabilities_that_favour_the_assigned_theme(data):
    _, topics, X = data
    names = sorted(set(topics))
    labels = np.array([names.index(t) for t in topics])
    probabilities = ThemeConfidence().fit(X, labels, len(names)).predict_proba(X)
    assert np.allclose(probabilities.sum(axis=1), 1.0)
    assert (probabilities.argmax(axis=1) == labels).mean() >= 0.95


def test_one_theme_means_full_confidence(data):
    _, _, X = data
    probabilities = ThemeConfidence().fit(X, np.zeros(len(X), int), 1).predict_proba(X)
    assert (probabilities == 1.0).all()


def test_an_answer_rolls_up_its_points():
    probabilities = np.array([[0.8, 0.2, 0.0], [0.1, 0.5, 0.4], [0.0, 0.0, 1.0]])
    codings = roll_up(3, point_answers=[0, 0, 2], point_words=[3, 10, 4],
                      point_themes=["t01", "t02", "other"], point_probabilities=probabilities,
                      theme_ids=["t01", "t02", "t03"])
    first, empty, other = codings
    assert first.primary == "t02"  # it covers more of the answer's words
    assert first.themes == ["t02", "t01", "t03"]  # t03: 0.4 >= the secondary threshold
    assert first.confidence == 0.5
    assert empty.primary is None and empty.themes == []
    assert other.primary == "other"


def test_it_learns_from_a_few_coded_examples_and_reports_kappa(data):
    _, topics, X = data
    coded = list(range(24))  # 24 examples, 6 per topic
    model = CodedAssignment().fit(X[coded], [topics[i] for i in coded])
    assert model.kappa_ is not None and model.kappa_ >= 0.6
    predicted = [c.primary for c in model.code(X)]
    assert np.mean([p == t for p, t in zip(predicted, topics)]) >= 0.8


def test_kappa_needs_two_examples_per_theme(data):
    _, topics, X = data
    model = CodedAssignment().fit(X[:5], topics[:5])
    assert model.kappa_ is None and "at least 2" in model.kappa_note_


def test_one_coded_theme_is_refused(data):
    _, _, X = data
    with pytest.raises(ValueError, match="two different themes"):
        CodedAssignment().fit(X[:4], ["a"] * 4)
