"""Sentiment: what an answer wants to prevent does not count against it."""

from __future__ import annotations

import pytest

from consulta.analysis.constants import MIXED, NEGATIVE, POSITIVE, SENTIMENTS
from consulta.analysis.sentiment import SentimentScorer


@pytest.fixture(scope="module")
def scorer() -> SentimentScorer:
    return SentimentScorer().fit()


@pytest.mark.parametrize("answer", [
    "Should be mandatory so children do not suffer",
    "Uniforms should be mandatory so that children will not be made to suffer.",
    "It should be mandatory to stop children suffering.",
    "Uniforms reduce bullying and stigma.",
    "Yes, to prevent crime and violence.",
    "Cameras help to tackle antisocial behaviour.",
    "Abolishing them would eliminate that threat.",
    "It stops poorer kids being picked on.",
])
def test_it_does_not_count_what_an_answer_wants_prevented_against_it(scorer, answer):
    assert scorer.predict([answer]) != [NEGATIVE]


@pytest.mark.parametrize("answer", [
    "They need to stop cutting services.",  # a demand: the cuts are the complaint
    "Please try to reduce the awful waiting times.",
    "The staff were so rude.",  # "so" as a degree word, not a purpose
    "I was in so much pain I could hardly talk.",
    "I was in pain so they could not help.",  # a result clause: "not help" still counts
    "It reduces crime but the staff are awful and rude.",  # the judgement after the clause
    "The service has deteriorated badly.",  # "deter" prevents; "deteriorate" does not
    "The police stop and search my son every week, it is harassment.",
])
def test_it_still_hears_complaints_near_those_words(scorer, answer):
    assert scorer.predict([answer]) == [NEGATIVE]


def test_the_prevented_words_are_only_the_next_few(scorer):
    # "awful" is the answer's own verdict, after the prevented thing ("crime").
    assert scorer.predict(["It reduces crime and is awful."]) == [NEGATIVE]


def test_it_keeps_its_labels_and_handles_bad_input(scorer):
    texts = ["", "so", "to stop", "prevent", "so not", "x" * 10_000, "so that " * 50]
    assert all(label in SENTIMENTS for label in scorer.predict(texts))
    assert scorer.predict(["so"]) == [MIXED]
    assert scorer.predict(["Brilliant care, it prevents so much worry."]) == [POSITIVE]


def test_a_bare_none_reads_by_the_question(scorer):
    assert scorer.predict(["None."], "What are the main drawbacks?") == [POSITIVE]
    assert scorer.predict(["None."], "What are the advantages?") == [NEGATIVE]
    assert scorer.predict(["None."], "What are the advantages and disadvantages?") == [MIXED]
