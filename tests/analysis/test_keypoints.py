"""Key points: short sentences from a theme's own answers, chosen for centrality and coverage."""

from __future__ import annotations

import numpy as np
import pytest

from consulta.analysis.keypoints import (
    KeyPointPicker,
    candidates_of,
    good_key_point,
    key_point_embedder,
    shorten_at_clause,
    starts_mid_sentence,
)


@pytest.mark.parametrize("text", [
    "Yours faithfully, Cllr Jane Smith",
    "Dear Secretary of Education Miguel,",
    "That's where we are.",
    "sdf sdf sdf sdf",
    "Do you really think school uniforms help anyone at all?",
    "This is bad for everyone involved in it.",
    "Also the buses are late every single day.",
    "But the buses are late every single day.",
    "It makes the buses late every single day.",
    "Staff engagement scores reflect this.",
    "Did not know it was a…",
    "Most are the same handful of kids.",
    "Buses",
    "2013) Procedural justice and police legitimacy: a systematic review",
    "For the community in Ashgrove, visible policing is welcome in our streets every day.",
    "I write as Chair of Ashgrove Age Together, a small charity.",
    "On that last point, how it's communicated matters enormously.",
    "Third, that when they report a crime, they hear nothing back.",
    "Recruitment now reaches far more people from Black, Asian and minority ethnic groups.",
    "The buses in our town are late every single day and nobody ever seems to do anything",
])
def test_it_never_takes_filler_fragments_questions_or_typos(text):
    assert candidates_of(text, 0) == []


def test_it_keeps_a_whole_short_sentence_without_its_full_stop():
    assert [c.text for c in candidates_of("School uniform reduces bullying.", 3)] == [
        "School uniform reduces bullying"]
    assert candidates_of("School uniform reduces bullying.", 3)[0].point == 3


def test_it_drops_lead_ins_and_cuts_long_sentences_only_at_clause_boundaries():
    found = [c.text for c in candidates_of(
        "I think smoking should be banned because it harms the health of everyone around "
        "the smoker, especially young children.", 0)]
    assert found == ["Smoking should be banned"]
    found = [c.text for c in candidates_of(
        "The challenge is that custody suites are full by midnight at weekends.", 0)]
    assert found == ["Custody suites are full by midnight at weekends"]


def test_a_clause_after_a_semicolon_can_stand_alone_but_not_one_after_a_comma():
    found = [c.text for c in candidates_of(
        "Cannabis is far less harmful than alcohol; police time is better spent on serious "
        "crime and on the gangs that sell hard drugs to children.", 0)]
    assert found == ["Cannabis is far less harmful than alcohol"]
    found = [c.text for c in candidates_of(
        "Fares rose three times this year and again in the spring; buses are late every day.", 0)]
    assert found == ["Fares rose three times this year and again in the spring",
                     "Buses are late every day"]
    found = [c.text for c in candidates_of(
        "Homicide investigation here is, in my view, simply the best in the whole world.", 0)]
    assert found == []


def test_a_point_that_starts_inside_a_sentence_loses_that_fragment():
    text = "answer, noise complaints and alarms going off all night long. Foot patrols are too rare."
    assert [c.text for c in candidates_of(text, 0, mid_sentence=True)] == [
        "Foot patrols are too rare"]
    assert starts_mid_sentence([text, "all lower case here", "Fine. ok"], ["A", "B", "A"]) == [
        True, False, False]


def test_the_fallback_clause_never_cuts_mid_phrase():
    text = ("Neighbourhood teams are pulled away to cover response shifts, so local problems "
            "go unsolved for months and residents stop reporting them.")
    assert shorten_at_clause(text) == "Neighbourhood teams are pulled away to cover response shifts"
    assert good_key_point("Neighbourhood teams are pulled away to cover response shifts")


def _unit(rows):
    rows = np.asarray(rows, dtype=float)
    return rows / np.linalg.norm(rows, axis=1, keepdims=True)


def test_it_picks_the_candidate_central_to_the_theme_and_close_to_most_of_it():
    texts = ["Bus fares are far too high for families",
             "Tickets cost more every single year here",
             "Fares went up again and again this year",
             "Trains from the station are always full"]
    X = _unit([[1, 0.2, 0], [1, 0.1, 0.1], [1, 0, 0.2], [0.3, 1, 0]])
    centroid = _unit([X[:4].mean(axis=0)])
    picker = KeyPointPicker().fit(texts, [np.arange(4)], X, centroid)
    assert picker.key_points_[0].text in texts[:3]


def test_a_broad_theme_label_is_shared_by_its_sub_themes_not_one_sub_theme_s():
    texts = ["Fares are too high for most people",  # sub-theme 0, central to it only
             "Fares are too high for most families",
             "Buses and trains cost too much money",  # between both sub-themes
             "Trains are too often late in winter",  # sub-theme 1
             "Trains are too often late at night"]
    X = _unit([[1, 0, 0], [1, 0.05, 0], [0.7, 0.7, 0], [0, 1, 0], [0.05, 1, 0]])
    parts = np.array([0, 0, 0, 1, 1])
    centroid = _unit([X.mean(axis=0)])
    picker = KeyPointPicker(match_threshold=0.6).fit(texts, [np.array([0, 1, 2, 3, 4])], X,
                                                     centroid, parts=parts)
    assert picker.key_points_[0].text == "Buses and trains cost too much money"


def test_labels_taken_by_sub_themes_are_avoided():
    texts = ["Bus fares are far too high for families", "Tickets cost more every single year"]
    X = _unit([[1, 0], [0.9, 0.1]])
    picker = KeyPointPicker(avoid=["Bus fares are far too high for families"]).fit(
        texts, [np.arange(2)], X, _unit([X.mean(axis=0)]))
    assert picker.key_points_[0].text == "Tickets cost more every single year"


def test_a_theme_with_no_candidate_has_no_key_point():
    X = np.eye(2)
    picker = KeyPointPicker().fit(["sdf", "Thanks!"], [np.arange(2)], X, _unit([[1, 1]]))
    assert picker.key_points_ == [None]


def test_clauses_are_embedded_by_the_embedder_given_and_only_once():
    calls = []

    def embed(texts):
        calls.append(list(texts))
        return _unit([[1, 0]] * len(texts))

    texts = ["Fares are too high for families, and trains are late all winter long in town."] * 2
    KeyPointPicker(embed=embed).fit(texts, [np.arange(2)], _unit([[1, 0], [1, 0]]),
                                    _unit([[1, 0]]))
    assert calls == [["Fares are too high for families"]]


def test_an_embedder_fitted_per_call_embeds_no_clauses():
    from consulta.analysis.embedders import get_embedder

    assert key_point_embedder(get_embedder("tfidf")) is None
