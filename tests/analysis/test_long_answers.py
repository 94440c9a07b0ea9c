"""Long answers, junk and the number of themes (issue 9, items 4-6)."""

from __future__ import annotations

import numpy as np
import pytest

from consulta.analysis.coding import AnswerCoding
from consulta.analysis.constants import OTHER
from consulta.analysis.junk import NO_CONTENT, is_no_content
from consulta.analysis.pipeline import AnalysisConfig, analyse
from consulta.analysis.quotes import quote_context
from consulta.analysis.records import Answer
from consulta.analysis.respondents import count_respondents, main_themes
from consulta.analysis.results import ThemeResult
from consulta.analysis.segment import drop_filler, is_filler, segment_answers
from consulta.analysis.themes import ThemeModel, theme_range

LETTER = """Dear Sir/Madam,

The biggest problem is the lack of neighbourhood officers in outer boroughs. Response times \
have doubled since 2019 and residents no longer report minor crime. That's where we are.

Thank you for the opportunity to respond.

Yours faithfully,
Cllr Jane Smith
Riverside Borough Council"""


@pytest.mark.parametrize("text", ["sdf", "x", "same as above", "Same as above.", "asdfgh",
                                  "???", "See previous answer", "qwerty", "x x x"])
def test_it_finds_answers_with_no_content(text):
    assert is_no_content(text)


@pytest.mark.parametrize("text", ["No", "None", "Nothing", "N/A", "n/a/", "No comment", "❤️",
                                  "NHS", "CCTV", "econmy", "ok", "More police", "",
                                  "the economy"])
def test_it_keeps_short_answers_that_say_something(text):
    assert not is_no_content(text)


@pytest.mark.parametrize("text", ["Dear Sir/Madam,", "Yours faithfully, Cllr Jane Smith",
                                  "That's where we are.", "Kind regards",
                                  "Thank you for the opportunity to respond."])
def test_greetings_sign_offs_and_talk_are_filler(text):
    assert is_filler(text)


@pytest.mark.parametrize("text", ["We need more police on the streets.", "1.",
                                  "Not enough of us.", "Be kind.", "Do what you say you'll do.",
                                  "Thanks, but the buses are awful",
                                  "Best value for money is key",
                                  "Thank you for the opportunity to respond on bus lanes in Leeds."])
def test_points_are_not_filler(text):
    assert not is_filler(text)


def test_a_letter_keeps_its_points_and_marks_its_filler():
    points = segment_answers([LETTER])
    content = [p.text for p in points if not p.filler]
    assert content == [
        "The biggest problem is the lack of neighbourhood officers in outer boroughs.",
        "Response times have doubled since 2019 and residents no longer report minor crime.",
    ]
    filler = [p.text for p in points if p.filler]
    assert "Cllr Jane Smith" in filler and "That's where we are." in filler
    assert all(LETTER[p.start:p.end] == p.text for p in points)


def test_filler_alone_stays_as_the_whole_answer():
    points = segment_answers(["Thank you", LETTER])
    kept = drop_filler(points)
    assert [p.text for p in kept if p.answer == 0] == ["Thank you"]
    assert all(not p.filler for p in kept if p.answer == 1)


def test_a_quote_shows_its_sentence_in_context_with_offsets():
    text = " ".join(f"Sentence number {i} says something about buses and trains." for i in range(20))
    start = text.index("Sentence number 10")
    end = text.index("Sentence number 11") - 1
    context, (a, b) = quote_context(text, start, end, limit=200)
    assert context[a:b] == text[start:end]
    assert context.startswith("… ") and context.endswith(" …") and len(context) <= 210
    short, span = quote_context("Buses. Trains.", 7, 14)
    assert short == "Buses. Trains." and span == (7, 14)


def test_an_answer_counts_once_for_its_main_points_only():
    coding = AnswerCoding(primary="t01.1", themes=["t01.1", "t02", "t03", "t01"])
    words = {"t01.1": 30, "t02": 12, "t03": 3}
    assert main_themes(coding, words, {"t01.1": "t01"}) == {"t01.1", "t01", "t02"}
    assert main_themes(AnswerCoding(primary=OTHER), {}, {}) == {OTHER}
    assert main_themes(AnswerCoding(primary=None), {}, {}) == set()


def test_respondents_count_each_campaign_once():
    themes = [ThemeResult("q", "t01", "", "A", "", 0, 0.0, []),
              ThemeResult("q", "t02", "", "B", "", 0, 0.0, [])]
    codings = [AnswerCoding(primary="t01")] * 4 + [AnswerCoding(primary="t02")] * 2
    words = {i: {c.primary: 10} for i, c in enumerate(codings)}
    ids = ["a", "b", "c", "d", "e", "f"]
    count_respondents(themes, codings, words, ids, {"a": "c1", "b": "c1", "c": "c1"})
    assert [t.respondents for t in themes] == [2, 2]
    assert [t.share for t in themes] == [0.5, 0.5]
    assert [t.campaign_share for t in themes] == [0.75, 0.0]


@pytest.mark.parametrize(("n", "low", "high"), [(5, 1, 1), (12, 2, 8), (100, 5, 22),
                                               (10_000, 50, 220)])
def test_the_number_of_themes_follows_the_question_size(n, low, high):
    assert theme_range(n) == (low, high)


def test_a_small_question_gets_a_few_themes_not_one():
    rng = np.random.default_rng(0)
    centres = np.eye(8)[:3]
    X = np.vstack([c + 0.05 * rng.standard_normal(8) for c in centres for _ in range(4)])
    X /= np.linalg.norm(X, axis=1, keepdims=True)
    model = ThemeModel(sub_themes=False).fit(X, [f"answer {i}" for i in range(12)])
    assert 2 <= len(model.theme_ids_) <= 5


def test_junk_answers_go_to_no_content_not_a_theme_or_other():
    texts = [f"We need more buses on route {i} because the service is poor" for i in range(8)]
    texts += [f"The trains are late every morning on line {i} and it is awful" for i in range(8)]
    answers = [Answer(id=str(i), question="q", text=t) for i, t in enumerate(texts)]
    answers += [Answer(id="j1", question="q", text="sdf"),
                Answer(id="j2", question="q", text="same as above")]
    result = analyse(answers, AnalysisConfig(embedder="tfidf"))
    junk = [r for r in result.answers if r.id in ("j1", "j2")]
    assert all(r.theme == NO_CONTENT and r.themes == [NO_CONTENT] for r in junk)
    question = result.questions[0]
    assert question.no_content == 2 and question.other == 0
    assert all(NO_CONTENT not in t.quote_ids and t.theme != NO_CONTENT for t in question.themes)

