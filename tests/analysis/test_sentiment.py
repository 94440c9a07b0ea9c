"""SentimentScorer: three classes, negation, contrast, requests, mixed answers, question context."""

from __future__ import annotations

import numpy as np
import pytest

from consulta.analysis.sentiment import LABELS, MIXED, NEGATIVE, POSITIVE, SentimentScorer


@pytest.fixture(scope="module")
def scorer() -> SentimentScorer:
    return SentimentScorer().fit()


def label(scorer: SentimentScorer, text: str, question: str | None = None) -> str:
    return scorer.predict([text], questions=question)[0]


@pytest.mark.parametrize("text, expected", [
    ("The staff were wonderful, kind and very professional.", POSITIVE),
    ("Thank you, the team went above and beyond for my mother.", POSITIVE),
    ("Nothing was too much trouble.", POSITIVE),
    ("Couldn't fault the care I received.", POSITIVE),
    ("The service was appalling and the receptionist was rude.", NEGATIVE),
    ("We are understaffed and exhausted.", NEGATIVE),
    ("Waited for hours in a cramped corridor.", NEGATIVE),
    ("Communication could be better.", NEGATIVE),
    ("I attended the meeting on Tuesday at the town hall.", MIXED),
    ("", MIXED),
])
def test_it_labels_clear_examples(scorer, text, expected):
    assert label(scorer, text) == expected


@pytest.mark.parametrize("text, expected", [
    ("The nurses were not helpful.", NEGATIVE),
    ("The nurses weren't helpful at all.", NEGATIVE),
    ("I never had a problem with the service.", POSITIVE),
    ("There were no delays.", POSITIVE),
])
def test_it_handles_negation(scorer, text, expected):
    assert label(scorer, text) == expected


def test_it_keeps_negation_inside_its_clause(scorer):
    # "not" belongs to the first clause; "excellent" after the comma stays positive.
    clauses = dict(scorer.explain("It was not busy, the staff were excellent."))
    assert clauses["the staff were excellent"] > 0


def test_it_calls_comparable_praise_and_complaint_mixed(scorer):
    assert label(scorer, "The doctor was lovely but the waiting room was filthy.") == MIXED
    assert label(scorer, "The call handler was not very good but the crew was excellent.") == MIXED


def test_it_lets_the_clause_after_but_outweigh_a_weak_one(scorer):
    assert label(scorer, "The building is fine but the staff were rude and dismissive.") == NEGATIVE
    assert label(scorer, "It was a bit slow but the team were brilliant and so kind.") == POSITIVE


def test_it_finds_mixed_answers_across_sentences(scorer):
    text = ("Our neighbourhood team is excellent and genuinely cares. "
            "The control room is chaotic and the backlog is shocking.")
    assert label(scorer, text) == MIXED


def test_it_does_not_read_suggestions_as_praise(scorer):
    assert label(scorer, "It would be good to have more parking.") == MIXED
    assert label(scorer, "Better communication between teams please.") == MIXED
    assert label(scorer, "I would recommend this service to anyone.") == POSITIVE


def test_it_treats_topic_words_as_topics(scorer):
    # VADER scores "care" +2.2, which would make this complaint positive.
    assert label(scorer, "The care was poor.") == NEGATIVE


def test_it_reads_a_bare_nothing_through_the_question(scorer):
    assert label(scorer, "Nothing.", "What could we do better?") == POSITIVE
    assert label(scorer, "Nothing really", "What was good about your visit?") == NEGATIVE
    assert label(scorer, "Nothing") == MIXED
    assert label(scorer, "Nothing, the staff were brilliant.", "What was good?") == POSITIVE


def test_it_returns_one_label_and_score_per_text(scorer):
    texts = ["Great!", "Terrible.", "Tuesday.", "n/a"]
    labels = scorer.predict(texts)
    scores = scorer.predict_scores(texts)
    assert labels[:3] == [POSITIVE, NEGATIVE, MIXED] and set(labels) <= set(LABELS)
    assert isinstance(scores, np.ndarray) and scores.shape == (4,)
    assert scores[0] > 0.05 > -0.05 > scores[1] and abs(scores[2]) < 0.05
    assert np.all(np.abs(scores) <= 1)


def test_it_is_deterministic_and_needs_no_explicit_fit():
    texts = ["Lovely staff but the parking is a nightmare.", "Not enough officers on shift."]
    assert SentimentScorer().predict(texts) == SentimentScorer().fit(texts).predict(texts)


def test_it_scores_a_very_long_answer(scorer):
    text = ("The team is excellent and supportive. " * 1500
            + "The rota is chaotic and the workload is crushing. " * 1500)
    assert len(text) > 100_000
    assert label(scorer, text) == MIXED


def test_it_rejects_questions_that_do_not_match_the_texts(scorer):
    with pytest.raises(ValueError):
        scorer.predict(["a", "b"], questions=["one question"])


def test_the_vader_lexicon_ships_with_its_licence():
    from importlib import resources

    data = resources.files("consulta.analysis.data")
    assert "C.J. Hutto" in data.joinpath("vader_LICENSE.txt").read_text(encoding="utf-8")
    lexicon = data.joinpath("vader_lexicon.txt").read_text(encoding="utf-8")
    assert "vader_LICENSE.txt" in lexicon and "\ngood\t1.9\n" in lexicon


def test_an_answer_s_evidence_is_the_sum_of_its_points_evidence():
    from consulta.analysis.segment import Segmenter, segment_answers
    from consulta.analysis.sentiment import Evidence

    scorer = SentimentScorer().fit()
    answer = ("The custody staff were brilliant and kind to my son. But the wait at the front "
              "counter was awful, nobody explained anything for three hours. Parking is fine.\n\n"
              "I would like more officers on foot, it would be good to see them.")
    points = segment_answers([answer], Segmenter(whole_below_words=5, max_words=15))
    assert len(points) >= 3
    summed = Evidence.sum(scorer.evidence(p.text) for p in points)
    whole = scorer.evidence(answer)
    assert summed.total == pytest.approx(whole.total)
    assert (summed.positive, summed.negative, summed.best, summed.worst) == pytest.approx(
        (whole.positive, whole.negative, whole.best, whole.worst))
    assert scorer.label(summed, answer) == scorer.predict([answer])[0] == "mixed or neutral"
    assert scorer.label(Evidence(), "Nothing", "What could we do better?") == "positive"
