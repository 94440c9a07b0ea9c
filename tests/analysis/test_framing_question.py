"""Framing in light of the question: its wording is a prior only strong evidence overrides."""

from __future__ import annotations

import pytest

from consulta.analysis.constants import CHALLENGE, FRAMINGS, OPPORTUNITY, WORKING_WELL
from consulta.analysis.framing import FramingClassifier, hint_framing

DRAWBACKS = "What are the main drawbacks of the proposal?"
STRENGTHS = "What works well at the moment?"
IDEAS = "What could be improved?"


@pytest.fixture(scope="module")
def classifier() -> FramingClassifier:
    return FramingClassifier().fit()


@pytest.mark.parametrize("question, expected", [
    (DRAWBACKS, CHALLENGE),
    ("What are the disadvantages?", CHALLENGE),
    ("What is not working well?", CHALLENGE),
    ("What isn't going so well?", CHALLENGE),
    (STRENGTHS, WORKING_WELL),
    ("Where is the Met performing well?", WORKING_WELL),
    ("What are the strengths of the service?", WORKING_WELL),
    ("What do you like most about it?", WORKING_WELL),
    (IDEAS, OPPORTUNITY),
    ("What ideas do you have?", OPPORTUNITY),
    ("How can the council ensure it is trusted?", OPPORTUNITY),
    ("What approaches should we take?", OPPORTUNITY),
    ("Should school uniforms be mandatory?", None),  # "should" alone asks for a position
    ("What works well and what could be improved?", None),  # asks for both
    ("What are the advantages and disadvantages?", None),
    ("Any other comments?", None),
    ("", None),
])
def test_it_reads_the_framing_from_the_wording(question, expected):
    assert hint_framing(question) == expected


@pytest.mark.parametrize("point", [
    "The service should be kept open longer.",  # "should" alone
    "It would cost a lot.",
    "Longer opening hours.",
])
def test_a_drawbacks_question_makes_answers_challenges(classifier, point):
    assert classifier.predict([point], question_hint=DRAWBACKS) == [CHALLENGE]


@pytest.mark.parametrize("point", [
    "The staff should be thanked.",
    "The rota.",
    "Parking could be easier.",
])
def test_a_strengths_question_makes_answers_working_well(classifier, point):
    assert classifier.predict([point], question_hint=STRENGTHS) == [WORKING_WELL]


def test_an_ideas_question_makes_answers_opportunities(classifier):
    points = ["The opening hours.", "There are delays."]  # one problem cue is not enough
    assert classifier.predict(points, question_hint=IDEAS) == [OPPORTUNITY, OPPORTUNITY]


def test_strong_evidence_overrides_the_question(classifier):
    # Two cues (an imperative and "instead of") make an opportunity even under "drawbacks".
    suggestion = "Give us tablets instead of driving back to the station."
    assert classifier.predict([suggestion], question_hint=DRAWBACKS) == [OPPORTUNITY]
    complaint = "Not enough staff and far too many meetings, it is a real problem."
    assert classifier.predict([complaint], question_hint=STRENGTHS) == [CHALLENGE]
    praise = "The team works really well and the training is excellent."
    assert classifier.predict([praise], question_hint=DRAWBACKS) == [WORKING_WELL]
    # One cue is not, even with the point's sentiment (often the same word).
    assert classifier.predict(["The library is great."], question_hint=DRAWBACKS) == [CHALLENGE]
    assert classifier.predict(["The waiting list."], question_hint=IDEAS) == [OPPORTUNITY]


def test_should_alone_is_not_an_opportunity_against_the_evidence(classifier):
    point = "Homeschooling should be banned because it harms children and isolates them."
    assert classifier.predict([point]) == [CHALLENGE]
    scores = classifier.decision_scores([point])[0]
    assert scores[OPPORTUNITY] < 1.0  # the bare modal counts half a cue


def test_a_question_with_no_framing_gives_no_prior(classifier):
    point = ["The rota."]
    assert classifier.predict(point, question_hint="Should uniforms be mandatory?") == \
        classifier.predict(point)
    assert all(f in FRAMINGS for f in classifier.predict(["", "should", "x" * 5000],
                                                         question_hint=DRAWBACKS))
