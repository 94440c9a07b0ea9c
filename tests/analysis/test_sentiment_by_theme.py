"""Sentiment and framing per theme, as report.html shows them."""

from __future__ import annotations

from types import SimpleNamespace as Row

from analysis_data import topic_answers

from consulta.analysis.constants import (
    CHALLENGE,
    MIXED,
    NEGATIVE,
    OPPORTUNITY,
    POSITIVE,
    WORKING_WELL,
)
from consulta.analysis.pipeline import AnalysisConfig, analyse
from consulta.analysis.records import Answer
from consulta.analysis.report import render_report
from consulta.analysis.tone import summarise, theme_tones, tone_table


def theme(theme_id: str, parent: str = "", label: str = "") -> Row:
    return Row(theme=theme_id, parent=parent, label=label or f"Theme {theme_id}")


def answer(themes, sentiment, framing="", segments=(), question="q", empty=False) -> Row:
    return Row(question=question, themes=list(themes), sentiment=sentiment, framing=framing,
               segments=list(segments), empty=empty)


QUESTION = Row(question="q", themes=[theme("1"), theme("1.1", parent="1"), theme("2"),
                                     theme("other", label="Other")])
ANSWERS = [
    answer(["1.1", "1"], NEGATIVE, "challenge;opportunity",
           [{"theme": "1.1", "framing": OPPORTUNITY}, {"theme": "2", "framing": CHALLENGE}]),
    answer(["1.1", "1"], NEGATIVE, "challenge", [{"theme": "1.1", "framing": CHALLENGE}]),
    answer(["1"], NEGATIVE, "challenge"),  # no segments: the answer's main framing
    answer(["1", "2"], POSITIVE, "working well",
           [{"theme": "1", "framing": WORKING_WELL}, {"theme": "2", "framing": WORKING_WELL}]),
    answer(["other"], MIXED),
    answer(["1"], NEGATIVE, "challenge", question="another question"),
    answer([], "", empty=True),
]


def test_it_counts_each_answer_once_per_theme_with_its_sentiment():
    tones = theme_tones(QUESTION, ANSWERS)
    assert tones["1"].sentiment == {NEGATIVE: 3, POSITIVE: 1}
    assert tones["1.1"].sentiment == {NEGATIVE: 2}
    assert "other" not in tones


def test_a_theme_takes_the_framing_of_the_points_it_holds():
    tones = theme_tones(QUESTION, ANSWERS)
    # Broad theme 1 gathers its sub-theme's points; answer 1's point in theme 2 does not count.
    assert tones["1"].framing == {CHALLENGE: 2, OPPORTUNITY: 1, WORKING_WELL: 1}
    assert tones["2"].framing == {WORKING_WELL: 1}


def test_it_says_mostly_only_above_half():
    assert theme_tones(QUESTION, ANSWERS)["1"].sentiment_summary() == "mostly negative (75%)"
    assert summarise({NEGATIVE: 2, POSITIVE: 2}, (POSITIVE, MIXED, NEGATIVE)) == \
        "split: positive 50%, negative 50%"
    assert summarise({}, (POSITIVE,)) == ""
    assert theme_tones(QUESTION, ANSWERS)["1"].framing_shares() == \
        "challenge 50%, working well 25%, opportunity 25%"


def test_the_table_escapes_labels_and_shows_framing_only_when_present():
    question = Row(question="q", themes=[theme("1", label="<b>Cost</b>")])
    html = tone_table(question, [answer(["1"], NEGATIVE)])
    assert "&lt;b&gt;Cost&lt;/b&gt;" in html and "<b>" not in html
    assert "Framing" not in html and "mostly negative (100%)" in html
    assert tone_table(question, []) == ""


def test_report_html_shows_sentiment_and_framing_per_theme():
    answers = [Answer(id=str(i), question="What are the main problems?", text=text)
               for i, (_, text) in enumerate(topic_answers(10))]
    result = analyse(answers, AnalysisConfig(embedder="tfidf", sub_themes=False))
    html = render_report(result)
    assert "Sentiment and framing by theme" in html
    assert "mostly " in html or "split: " in html
    assert any(f in html for f in ("challenge ", "opportunity ", "working well "))
