"""Labels: key phrases of several words, a one-sentence description, diverse central quotes."""

from __future__ import annotations

import numpy as np
import pytest
from analysis_data import texts_and_topics

from consulta.analysis.embedders import get_embedder
from consulta.analysis.labels import ThemeLabeller

TOPIC_WORDS = {
    "staffing": {"officers", "staff", "shift", "detectives", "vacancies", "recruitment",
                 "exhausted", "overtime", "calls", "sickness", "absence", "control", "room"},
    "training": {"training", "courses", "recruits", "refresher", "budget", "modules",
                 "unprepared", "skills", "supervisors", "learning", "trial", "error", "slipping"},
    "technology": {"radio", "laptops", "software", "cameras", "battery", "coverage", "system",
                   "reports", "evidence", "hours", "faults", "wastes", "lost", "written"},
    "partnership": {"council", "patrols", "schools", "health", "charities", "community",
                    "residents", "trust", "safeguarding", "referrals", "visitors", "expand",
                    "solved", "time", "difference", "smoothly", "groups", "neighbourhood"},
}


@pytest.fixture(scope="module")
def labelled():
    texts, topics = texts_and_topics(24)
    X = get_embedder("tfidf").embed(texts)
    names = sorted(set(topics))
    labels = np.array([names.index(t) for t in topics])
    centroids = np.array([X[labels == k].mean(axis=0) for k in range(len(names))])
    centroids /= np.linalg.norm(centroids, axis=1, keepdims=True)
    owners = [f"A{i}" for i in range(len(texts))]
    return texts, names, labels, ThemeLabeller().fit(texts, labels, X, centroids, owners=owners)


def test_each_label_is_made_of_phrases_from_its_theme(labelled):
    _, names, _, labeller = labelled
    for name, label in zip(names, labeller.labels_):
        assert len(label.key_phrases) >= 3
        assert all(len(p.split()) >= 2 for p in label.key_phrases[:3])
        words = set(" ".join(label.key_phrases).lower().split())
        assert words & TOPIC_WORDS[name], (name, label.key_phrases)


def test_the_description_is_the_summary_without_template_text(labelled):
    for label in labelled[3].labels_:
        assert label.description == label.summary
        assert not label.description.startswith("Answers about ")
        assert 1 <= label.description.count(".") <= 2 and label.description.endswith(".")


def test_the_old_key_phrase_label_is_kept_as_keywords(labelled):
    for label in labelled[3].labels_:
        assert label.keywords and 2 <= len(label.keywords.split()) <= 8


def test_quotes_are_three_to_five_distinct_members(labelled):
    texts, _, labels, labeller = labelled
    for theme, label in enumerate(labeller.labels_):
        assert 3 <= len(label.quotes) <= 5
        assert len(set(label.quotes)) == len(label.quotes)
        assert all(labels[q] == theme for q in label.quotes)
        assert len({texts[q] for q in label.quotes}) == len(label.quotes)


def test_a_theme_of_symbols_still_gets_a_label():
    X = np.eye(3)
    labeller = ThemeLabeller().fit(["???", "!!!", "..."], np.array([0, 0, 0]), X,
                                   np.array([X.mean(axis=0) / np.linalg.norm(X.mean(axis=0))]))
    assert labeller.labels_[0].label


def label_two_themes(texts_a: list[str], texts_b: list[str], question: str = ""):
    texts = texts_a + texts_b
    X = get_embedder("tfidf").embed(texts)
    labels = np.array([0] * len(texts_a) + [1] * len(texts_b))
    centroids = np.array([X[labels == k].mean(axis=0) for k in (0, 1)])
    centroids /= np.linalg.norm(centroids, axis=1, keepdims=True)
    return ThemeLabeller(question=question).fit(texts, labels, X, centroids).labels_


GP_ANSWERS = [
    "I think there's a lot we've learnt from GP surgeries sharing a front desk.",
    "There's a lot to gain if GP surgeries host a police surgery once a week.",
    "We've seen GP surgeries used as a safe space, I think that works.",
    "Shared premises with GP surgeries would save money, I think.",
]
CUSTODY_ANSWERS = [
    "The challenge is that custody suites are full by midnight at weekends.",
    "Our biggest challenge: custody suites with no mental health nurse at night.",
    "A challenge for us is custody suites that close for repairs without warning.",
    "Custody suites are the challenge, with detainees waiting hours in vans.",
]


def test_labels_leave_out_talk_contractions_and_the_question_s_own_words():
    gp, custody = label_two_themes(GP_ANSWERS, CUSTODY_ANSWERS,
                                   question="What is the biggest challenge?")
    for label in (gp, custody):
        words = " ".join(label.key_phrases).lower().split()
        assert not {"think", "lot", "there's", "we've", "challenge", "biggest"} & set(words)
    assert gp.key_phrases[0] == "GP surgeries"  # spelt as the answers spell it
    assert custody.key_phrases[0] == "custody suites"  # a capital that only starts a sentence
    assert custody.keywords.startswith("Custody suites")
    assert custody.label.startswith("Custody suites")  # "The challenge is that" left out


def test_phrases_never_run_across_sentences_or_commas():
    from consulta.analysis.labels import _ngrams

    grams = _ngrams("Parents hide abuse. Schools notice it, teachers act")
    assert "hide abuse" in grams and "parents hide abuse" in grams
    assert "abuse schools" not in grams and "it teachers" not in grams


RADIO_ANSWERS = [
    "The radio channel for the borough is clear.",
    "We rely on radio every shift and it holds up.",
    "Radio coverage in basements has improved.",
    "Radio is the one kit that never fails us.",
]
FOOD_ANSWERS = [
    "The canteen food is cold by the late turn.",
    "Food options at the station are poor.",
    "Hot food after midnight would help the night shift.",
    "Food at the custody suite is the same every day.",
]


def test_a_label_is_widened_from_a_single_word_to_a_phrase_holding_it():
    radio, food = label_two_themes(RADIO_ANSWERS, FOOD_ANSWERS)
    assert " " in radio.key_phrases[0] and "radio" in radio.key_phrases[0].lower().split()
    assert " " in food.key_phrases[0] and "food" in food.key_phrases[0].lower().split()
