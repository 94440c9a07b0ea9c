"""Summaries: a theme's most central distinct points, as sentences, with no template text."""

from __future__ import annotations

import numpy as np

from consulta.analysis.summaries import readable_sentence, summarise

TEXTS = [
    "Bus fares are far too high for families on low incomes.",  # 0 central
    "Bus fares are far too high for families on low pay.",  # 1 near-duplicate of 0
    "Tickets went up again this year, twice.",  # 2 distinct, central enough
    "Thanks for asking!",  # 3 filler
    "Fares keep rising while the service gets worse every month.",  # 4 same answer as 0
]
X = np.array([[1.0, 0.0, 0.0], [0.999, 0.045, 0.0], [0.8, 0.6, 0.0], [0.0, 0.0, 1.0],
              [0.9, 0.0, 0.436]])
OWNERS = ["A", "B", "C", "D", "A"]


def _summary(**options):
    centroid = X[[0, 1, 2, 4]].mean(axis=0)
    centroid /= np.linalg.norm(centroid)
    sims = X @ centroid
    rows = np.argsort(-sims)
    return summarise(TEXTS, rows, sims, X, OWNERS, **options)


def test_it_joins_two_central_distinct_points_as_sentences():
    summary = _summary()
    assert len(summary.points) == 2
    assert not {0, 1} <= set(summary.points)  # never two near-duplicates
    assert summary.text.count(".") == 2 and not summary.text.startswith("Answers about")
    assert all(TEXTS[p].rstrip(".") in summary.text for p in summary.points)


def test_it_never_repeats_the_label_nor_quotes_its_answer_twice():
    summary = _summary(label_vector=X[0], label_owner="A")
    assert 0 not in summary.points and 1 not in summary.points and 4 not in summary.points
    assert summary.points == [2]


def test_filler_and_questions_are_not_summaries():
    assert readable_sentence("Thanks for asking!") == ""
    assert readable_sentence("Why are fares so high for everyone?") == ""
    assert readable_sentence("so that's that. Fares are too high") == "Fares are too high."


def test_a_long_sentence_is_cut_at_a_clause_boundary():
    text = ("Fares on the number 12 bus have risen three times in the last eighteen months "
            "while the timetable has been cut, because the operator lost its subsidy from "
            "the council last spring.")
    assert readable_sentence(text) == ("Fares on the number 12 bus have risen three times in "
                                       "the last eighteen months while the timetable has been "
                                       "cut.")


def test_a_theme_of_filler_still_gets_its_most_typical_point():
    summary = summarise(["Thanks for asking!"], np.array([0]), np.array([1.0]), np.eye(1), ["A"])
    assert summary.points == [0] and summary.text == "Thanks for asking."


def test_an_empty_theme_has_an_empty_summary():
    assert summarise([], np.array([], dtype=int), np.array([]), np.zeros((0, 2)), []).text == ""
