"""The whole analysis in the library: one result per answer, themes, signals, statistics."""

from __future__ import annotations

import json

import pytest
from analysis_data import survey_rows, topic_answers

from consulta.analysis.junk import NO_CONTENT
from consulta.analysis.outputs import safe_cell, write_outputs
from consulta.analysis.pipeline import AnalysisConfig, analyse
from consulta.analysis.previous import read_previous
from consulta.analysis.records import Answer, Columns, answers_from_rows

FORM_LETTER = ("I object to the closure of the front counter at the police station because "
               "older residents rely on it every week")


def consultation(per_topic: int = 24) -> list[Answer]:
    rows = survey_rows(per_topic)
    for i in range(12):  # a campaign: the same letter with small edits
        rows.append({"ref": f"L{i}", "sector": "Public", "phase": "partners",
                     "answer": FORM_LETTER + ("" if i % 2 else " and the town centre")})
    return answers_from_rows(rows, Columns(text="answer", id="ref", groups=("sector", "phase")))


@pytest.fixture(scope="module")
def result():
    config = AnalysisConfig(embedder="tfidf", group_columns=["sector", "phase"])
    return analyse(consultation(), config)


def test_every_answer_gets_one_result_in_input_order(result):
    answers = consultation()
    assert [r.id for r in result.answers] == [a.id for a in answers]


def test_empty_answers_are_kept_but_never_themed(result):
    empty = [r for r in result.answers if r.empty]
    assert len(empty) == 2
    assert all(r.theme == "" and r.themes == [] and r.sentiment == "" for r in empty)


def test_every_other_answer_has_a_theme_or_other_with_a_reason(result):
    said = [r for r in result.answers if not r.empty]
    assert all(r.theme for r in said)
    other = [r for r in said if r.theme == "other"]
    assert len(other) <= 0.05 * len(said)
    assert {r.id for r in other} <= set(result.questions[0].other_reasons)


def test_themes_have_labels_sizes_shares_and_quotes(result):
    themes = [t for t in result.questions[0].themes if t.theme != "other"]
    said = [r for r in result.answers if not r.empty and r.theme != NO_CONTENT]
    respondents = len({r.campaign or r.id for r in said})
    for theme in themes:
        assert theme.label and theme.description
        assert theme.size == sum(1 for r in result.answers if theme.theme in r.themes)
        assert theme.respondents <= theme.size  # main points only, each campaign once
        assert theme.share == round(theme.respondents / respondents, 4)
        assert 1 <= len(theme.quote_ids) <= 5  # near-copies (a campaign's) are quoted once
        assert all(r.theme == theme.theme or theme.theme in r.themes
                   for r in result.answers if r.id in theme.quote_ids)


def test_an_answer_is_quoted_for_one_theme_and_its_matched_sentence_is_marked(result):
    quoted = [i for t in result.questions[0].themes for i in t.quote_ids]
    assert len(quoted) == len(set(quoted))
    for theme in result.questions[0].themes:
        assert len(theme.quote_spans) == len(theme.quotes)
        for text, (start, end) in zip(theme.quotes, theme.quote_spans):
            assert 0 <= start < end <= len(text)


def test_a_campaign_counts_once_and_its_themes_say_so(result):
    letters = {r.theme for r in result.answers if r.id.startswith("L")}
    assert len(letters) == 1  # clustered as one respondent, its copies then follow
    theme = next(t for t in result.questions[0].themes if t.theme in letters)
    assert 0 < theme.campaign_share < 1  # twelve letters among other answers, not a theme alone
    assert theme.respondents == theme.size - 11  # the twelve letters count once
    assert all(0 <= t.campaign_share <= 1 for t in result.questions[0].themes)


def test_it_scores_sentiment_framing_and_finds_the_campaign(result):
    said = [r for r in result.answers if not r.empty]
    assert {r.sentiment for r in said} <= {"positive", "mixed or neutral", "negative"}
    assert all(r.framing for r in said)
    letters = [r for r in result.answers if r.id.startswith("L")]
    assert len({r.campaign for r in letters}) == 1 and letters[0].campaign
    assert result.campaigns[0]["size"] == 12


def test_it_reports_who_said_what_per_group(result):
    columns = {row["column"] for row in result.groups}
    assert columns == {"sector", "phase"}
    assert all(row["question"] == "answer" for row in result.groups)


def test_it_times_each_stage_and_records_versions(result):
    assert set(result.timings) >= {"segment", "embed", "themes", "labels", "coding"}
    assert result.versions["scikit-learn"]
    json.dumps(result.to_dict())  # analysis.json can hold all of it


def test_themes_are_found_per_question():
    answers = [Answer(id=str(i), question=q, text=text)
               for q in ("Q1", "Q2") for i, (_, text) in enumerate(topic_answers(15))]
    result = analyse(answers, AnalysisConfig(embedder="tfidf"))
    assert [q.question for q in result.questions] == ["Q1", "Q2"]
    assert {r.question for r in result.answers} == {"Q1", "Q2"}


def test_answers_carry_their_sub_theme_first_and_its_broad_theme_too(result):
    themes = {t.theme: t for t in result.questions[0].themes}
    subs = [t for t in themes.values() if t.parent]
    assert subs, "the survey's topics each have several subjects"
    for sub in subs:
        assert themes[sub.parent].parent == "" and sub.theme.startswith(sub.parent + ".")
        assert themes[sub.parent].size >= sub.size
    for row in result.answers:
        if row.theme and row.theme != "other" and themes[row.theme].parent:
            assert row.themes[0] == row.theme and themes[row.theme].parent in row.themes
    order = [t.theme for t in result.questions[0].themes if t.theme != "other"]
    assert all(themes[t].parent in order[:i] for i, t in enumerate(order) if themes[t].parent)


def test_a_previous_analysis_keeps_theme_ids_and_assignments(tmp_path):
    answers = consultation(24)
    first = analyse(answers[:-12], AnalysisConfig(embedder="tfidf"))
    write_outputs(first, tmp_path)  # the rerun reads it back from analysis.json
    second = analyse(answers, AnalysisConfig(embedder="tfidf"), previous=read_previous(tmp_path))
    before = {r.id: r.theme for r in first.answers}
    kept = [second_row.theme == before[second_row.id]
            for second_row in second.answers if second_row.id in before]
    assert sum(kept) / len(kept) >= 0.95
    first_ids = {t.theme for t in first.questions[0].themes}
    assert first_ids - {"other"} <= {t.theme for t in second.questions[0].themes}
    parents = {t.theme: t.parent for t in second.questions[0].themes}
    assert all(parents[t.theme] == t.parent for t in first.questions[0].themes)


def test_coded_examples_drive_the_themes_and_report_kappa():
    answers = [Answer(id=str(i), question="q", text=text)
               for i, (_, text) in enumerate(topic_answers(20))]
    topics = [topic for topic, _ in topic_answers(20)]
    codes = {(None, str(i)): topics[i] for i in range(24)}
    result = analyse(answers, AnalysisConfig(embedder="tfidf"), codes=codes)
    assert {t.theme for t in result.questions[0].themes} == set(topics)
    assert result.questions[0].coding["kappa"] >= 0.6
    correct = [r.theme == topic for r, topic in zip(result.answers, topics)]
    assert sum(correct) / len(correct) >= 0.8


def test_it_handles_a_100000_character_answer():
    answers = consultation(10)
    answers[0] = Answer(id="long", question=answers[0].question,
                        text=("Radios fail in rural areas and officers lose contact. " * 2000)[:100_000])
    result = analyse(answers, AnalysisConfig(embedder="tfidf"))
    assert result.answers[0].theme and len(result.answers[0].segments) > 100


@pytest.mark.parametrize("value", ["=1+1", "+44 20", "-2", "@SUM(A1)", "\tx"])
def test_csv_cells_never_start_a_formula(value):
    assert safe_cell(value) == "'" + value


def test_outputs_neutralise_formulas_from_the_input(tmp_path):
    rows = survey_rows(10)
    rows[0]["answer"] = "=HYPERLINK(\"http://example.com\") the radios fail"
    rows[1]["ref"] = "@id"
    answers = answers_from_rows(rows, Columns(text="answer", id="ref"))
    write_outputs(analyse(answers, AnalysisConfig(embedder="tfidf")), tmp_path)
    text = (tmp_path / "answers.csv").read_text(encoding="utf-8-sig")
    assert "\n'@id," in text
    for line in text.splitlines():
        assert not line.split(",")[0].startswith(("=", "+", "-", "@"))


def test_a_part_of_a_split_run_spends_its_share_of_the_auto_budget():
    # One question of ten analysed alone (web: a part per question) gets a tenth of the run's
    # transformer budget, so the parts together do one run's transformer work.
    from consulta.analysis.embedders.combined import AUTO_TOKEN_BUDGET
    from consulta.analysis.pipeline import _embedder_options

    part = AnalysisConfig(embedder="auto", budget_share=0.1)
    assert _embedder_options(part)["token_budget"] == AUTO_TOKEN_BUDGET // 10
    assert "token_budget" not in _embedder_options(AnalysisConfig(embedder="auto"))
    assert "token_budget" not in _embedder_options(AnalysisConfig(embedder="tfidf",
                                                                  budget_share=0.1))
