"""FramingClassifier: challenge, working well or opportunity, from cues, sentiment and the question."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from consulta.analysis.framing import (
    CHALLENGE,
    FRAMINGS,
    OPPORTUNITY,
    WORKING_WELL,
    FramingClassifier,
    cues,
    hint_framing,
)

DEMO = Path(__file__).resolve().parents[2] / "src" / "consulta" / "web" / "demo" / "data"
DEMO_KEYS = {"challenges": CHALLENGE, "working_well": WORKING_WELL, "opportunities": OPPORTUNITY}


@pytest.fixture(scope="module")
def classifier() -> FramingClassifier:
    return FramingClassifier().fit()


@pytest.mark.parametrize("point, expected", [
    ("We could use tablets in the car instead of driving back to the station.", OPPORTUNITY),
    ("Give us proper case builders like other forces have.", OPPORTUNITY),
    ("Civilianise the file preparation and redaction.", OPPORTUNITY),
    ("It would be a good idea to invest in mental health training.", OPPORTUNITY),
    ("The intel unit works well and turns a profile round in a day.", WORKING_WELL),
    ("I'm proud of how the team pulled together over the summer.", WORKING_WELL),
    ("Forensic turnaround has improved a lot and the lab is excellent.", WORKING_WELL),
    ("There are not enough officers on a shift and too many calls.", CHALLENGE),
    ("We struggle with the backlog of files.", CHALLENGE),
    ("The lack of custody space is a real problem.", CHALLENGE),
])
def test_it_frames_clear_points(classifier, point, expected):
    assert classifier.predict([point]) == [expected]


def test_praise_words_need_positive_sentiment(classifier):
    assert classifier.predict(["Nothing has improved and morale is terrible."]) == [CHALLENGE]


def test_sentiment_decides_when_no_cue_fires(classifier):
    assert classifier.predict(["The people I sit with are lovely."]) == [WORKING_WELL]
    assert classifier.predict(["The radios keep dropping out, it is dangerous."]) == [CHALLENGE]


def test_the_question_sets_the_default(classifier):
    point = "Our shift pattern."
    assert classifier.predict([point], question_hint="What are the biggest challenges?") == [
        CHALLENGE]
    assert classifier.predict([point], question_hint="What is working well?") == [WORKING_WELL]
    assert classifier.predict([point], question_hint="opportunity") == [OPPORTUNITY]
    assert FramingClassifier(question_hint="What is working well?").predict([point]) == [
        WORKING_WELL]


def test_cues_override_the_question(classifier):
    point = "Give us more tablets, it would be a good idea."
    assert classifier.predict([point], question_hint="What are the biggest challenges?") == [
        OPPORTUNITY]


def test_hints_can_differ_per_point(classifier):
    points = ["The rota.", "The rota."]
    hints = ["What are the main challenges?", "What works well?"]
    assert classifier.predict(points, question_hint=hints) == [CHALLENGE, WORKING_WELL]
    with pytest.raises(ValueError):
        classifier.predict(points, question_hint=["only one"])


@pytest.mark.parametrize("question, expected", [
    ("What are the biggest challenges you face?", CHALLENGE),
    ("What is working well in your team?", WORKING_WELL),
    ("What one thing would you change?", OPPORTUNITY),
    ("What are the opportunities for the next five years?", OPPORTUNITY),
    ("working_well", WORKING_WELL),
    ("Tell us about your role.", None),
    (None, None),
])
def test_it_reads_the_framing_a_question_asks_for(question, expected):
    assert hint_framing(question) == expected


def test_it_explains_its_cues():
    found = cues("Give us more staff: there are not enough of us and it would be good.")
    assert "not enough" in found[CHALLENGE]
    assert "imperative: give" in found[OPPORTUNITY] and "would" in found[OPPORTUNITY]


def test_it_returns_framings_for_every_point(classifier):
    points = ["", "   ", "n/a", "x" * 100_000]
    assert all(label in FRAMINGS for label in classifier.predict(points))


def demo_answers() -> list[tuple[str, str, str]]:
    answers = []
    for path in sorted(DEMO.glob("phase1-*.json")):
        for response in json.loads(path.read_text(encoding="utf-8"))["responses"]:
            for key, text in response["answers"].items():
                if key in DEMO_KEYS and text.strip():
                    answers.append((DEMO_KEYS[key], key, text))
    return answers


def test_it_agrees_with_the_question_on_the_demo_answers(classifier):
    # The question an answer was given to is a weak label: answers stray, so agreement without
    # the hint is far from 100%; measured 0.70 when written (chance: about 0.33).
    answers = demo_answers()
    if not answers:
        pytest.skip("no demo phase 1 answers")
    predicted = classifier.predict([text for _, _, text in answers])
    agreement = sum(p == gold for p, (gold, _, _) in zip(predicted, answers)) / len(answers)
    assert agreement >= 0.6
    points = [(gold, key, s) for gold, key, text in answers
              for s in re.split(r"(?<=[.!?])\s+|\n+", text) if s.strip()]
    hinted = classifier.predict([s for _, _, s in points], question_hint=[k for _, k, _ in points])
    assert sum(p == gold for p, (gold, _, _) in zip(hinted, points)) / len(points) >= 0.85
