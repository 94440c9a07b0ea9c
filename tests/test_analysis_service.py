"""Analysing a consultation's stored responses and keeping the results (consulta.web.analysis)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from analysis_answers import add_answers, submit
from consulta.analysis.constants import STANCES
from consulta.web.analysis.models import AnalysisRun, CodedTheme, Coding, Theme
from consulta.web.analysis.services import (
    QUOTE_CHARS,
    _passage,
    analyse_consultation,
    collect_records,
)
from consulta.web.responses.models import Answer, Response


@pytest.fixture
def answers(consultation):
    return add_answers(consultation)


def analyse(consultation, **options) -> AnalysisRun:
    return analyse_consultation(consultation, embedder="tfidf", **options)


def test_it_makes_one_record_per_submitted_text_answer(consultation, answers):
    records = collect_records(consultation)
    ids = {record.id for record in records.answers}
    expected = {str(a.pk) for a in answers["partners"] + answers["internal"] + answers["empty"]}
    assert ids == expected  # no blank answer, no draft, no choice question
    assert set(records.questions) == {"phase 1: challenges", "phase 2: trust"}
    by_id = {record.id: record for record in records.answers}
    partner = by_id[str(answers["partners"][0].pk)]
    assert partner.groups["sector"] in {"Public", "Voluntary and community"}
    assert partner.groups["organisation type"] in {"ambulance service", "charity"}
    assert partner.groups["role"] == ""
    assert partner.groups["phase"] == "2: Partners"
    staff = by_id[str(answers["internal"][0].pk)]
    assert staff.groups["role"] == answers["internal"][0].response.role.name
    assert staff.groups["sector"] == staff.groups["organisation type"] == ""


def test_it_stores_themes_and_codes_every_non_empty_answer(consultation, answers):
    run = analyse(consultation)
    assert run.status == AnalysisRun.Status.DONE and run.finished_at and not run.error
    said = answers["partners"] + answers["internal"]
    codings = Coding.objects.filter(run=run)
    assert sorted(codings.values_list("answer_id", flat=True)) == sorted(a.pk for a in said)
    assert not codings.filter(primary=None).exists()
    assert not Coding.objects.filter(answer__in=answers["empty"]).exists()
    for coding in codings.select_related("primary"):
        assert coding.primary.run_id == run.pk
        assert coding.primary.question_id == coding.answer.question_id
        assert coding.primary in coding.themes.all()
        assert coding.sentiment in {"positive", "mixed or neutral", "negative"}
        assert coding.segments and len(coding.text_sha256) == 64
    themes = Theme.objects.filter(run=run, parent=None).exclude(key="other")
    assert themes.filter(question__key="trust").count() >= 2
    for theme in themes:
        assert theme.label and theme.description
        assert theme.size == CodedTheme.objects.filter(theme=theme).count() > 0
        assert 0 < theme.share <= 1
        assert theme.quotes and all(Coding.objects.filter(run=run, answer_id=q["answer"]).exists()
                                    for q in theme.quotes)
    assert run.summary["counts"]["answers_coded"] == len(said)
    assert {"config", "versions", "timings", "embedder"} <= set(run.summary)
    assert run.summary["config"]["embedder"] == "tfidf"


def test_it_stores_key_points_summaries_sides_and_respondents(consultation, answers):
    run = analyse(consultation)
    for theme in Theme.objects.filter(run=run).exclude(key="other"):
        assert theme.summary and theme.keywords
        assert theme.stance in STANCES
        assert 0 < theme.respondents <= theme.size
        assert 0 <= theme.campaign_share <= 1
    codings = Coding.objects.filter(run=run)
    assert codings.exists() and all(coding.stance in STANCES for coding in codings)
    # The page's intervals count a question's respondents from the stored codings (answers
    # with content, each campaign once): the same number the library's shares are out of.
    for theme in Theme.objects.filter(run=run):
        coded = codings.filter(answer__question=theme.question, primary__isnull=False)
        n = len({c.campaign or c.answer_id for c in coded})
        assert round(theme.share * n) == theme.respondents


def test_it_stores_where_each_quote_matched(consultation, answers):
    run = analyse(consultation)
    texts = dict(Answer.objects.values_list("pk", "text"))
    quotes = [q for theme in Theme.objects.filter(run=run) for q in theme.quotes]
    assert quotes and all(set(q) == {"answer", "text", "start", "end"} for q in quotes)
    for quote in quotes:
        matched = quote["text"][quote["start"]:quote["end"]]
        assert matched.strip() == matched and matched in texts[quote["answer"]]


def _row(segments):
    return SimpleNamespace(segments=segments)


def test_it_quotes_a_point_of_a_long_answer_in_its_sentences_and_marks_it():
    text = " ".join(f"Sentence number {n} says something about topic {n}." for n in range(40))
    point = text.index("Sentence number 20")
    end = text.index(" Sentence number 21")
    segments = [{"start": 0, "end": point, "theme": "t02"},
                {"start": point - 1, "end": end + 1, "theme": "t01"},  # spaces around it
                {"start": end + 1, "end": len(text), "theme": "t02"}]
    passage, (start, stop) = _passage(_row(segments), text, {"t01", ""})
    assert len(passage) <= QUOTE_CHARS and passage.startswith("… ") and passage.endswith(" …")
    assert passage[start:stop] == "Sentence number 20 says something about topic 20."
    assert "topic 19." in passage and "topic 21." in passage  # its context
    short = "Patrol more. At night please."
    assert _passage(_row([]), short, {"t01"}) == (short, (0, len(short)))


def test_it_cuts_a_point_longer_than_a_quote_and_keeps_its_mark_inside():
    text = "word " * 400
    passage, (start, stop) = _passage(_row([{"start": 0, "end": len(text), "theme": "t01"}]),
                                      text, {"t01"})
    assert len(passage) == QUOTE_CHARS and passage.endswith("…")
    assert start == 0 and stop < len(passage)


def test_it_frames_internal_answers_only(consultation, answers):
    run = analyse(consultation)
    internal = Coding.objects.filter(run=run, answer__in=answers["internal"])
    partners = Coding.objects.filter(run=run, answer__in=answers["partners"])
    framings = {"challenge", "working well", "opportunity"}
    assert all(set(c.framing.split(";")) <= framings and c.framing for c in internal)
    assert not partners.exclude(framing="").exists()
    assert all("framing" not in segment for c in partners for segment in c.segments)


def test_it_keeps_theme_keys_on_the_next_run(consultation, answers):
    first = analyse(consultation)
    _, partners = consultation.phases.all()
    trust = partners.questions.get(key="trust")
    for number, text in enumerate(["Officers should patrol at night near the hospital.",
                                   "The records system loses case data across the district.",
                                   "Youth club visits by officers build trust on the estate."],
                                  start=200):
        submit(partners, trust, text, number, consent=Response.Consent.FULL)
    second = analyse(consultation)
    assert second.summary["previous_run"] == first.pk
    before = dict(Coding.objects.filter(run=first).values_list("answer_id", "primary__key"))
    after = dict(Coding.objects.filter(run=second).values_list("answer_id", "primary__key"))
    assert len(after) == len(before) + 3
    kept = sum(1 for answer, key in before.items() if after[answer] == key)
    assert kept / len(before) >= 0.95
    first_keys = set(Theme.objects.filter(run=first).values_list("question_id", "key"))
    assert first_keys <= set(Theme.objects.filter(run=second).values_list("question_id", "key"))
    assert Coding.objects.filter(run=first).count() == len(before)  # the first run is kept


def test_it_hands_the_next_run_the_last_one_as_a_typed_previous_analysis(consultation, answers):
    from consulta.analysis import PreviousAnalysis
    from consulta.web.analysis.previous import previous_input
    from consulta.web.analysis.services import Records

    first = analyse(consultation)
    records = collect_records(consultation)
    previous = previous_input(first, records)
    assert isinstance(previous, PreviousAnalysis)
    names = {question.pk: name for name, question in records.questions.items()}
    assert {(q.question, t.theme, t.parent) for q in previous.questions for t in q.themes} == {
        (names[question], key, parent or "") for question, key, parent in
        first.themes.values_list("question_id", "key", "parent__key")}
    earlier = {a.id: a for a in previous.answers}
    for coding in Coding.objects.filter(run=first):
        answer = earlier.pop(str(coding.answer_id))
        assert answer.text_sha256 == coding.text_sha256
        assert [(s.start, s.end, s.theme) for s in answer.segments] == [
            (s["start"], s["end"], s.get("theme") or None) for s in coding.segments]
    assert not earlier
    assert previous_input(first, Records()) == PreviousAnalysis()  # no question matched


def test_a_failure_marks_the_run_failed_and_keeps_earlier_runs(consultation, answers):
    done = analyse(consultation)
    themes, codings = done.themes.count(), done.codings.count()
    with pytest.raises(ValueError, match="no-such-embedder"):
        analyse_consultation(consultation, embedder="no-such-embedder")
    failed = consultation.analysis_runs.first()
    assert failed.status == AnalysisRun.Status.FAILED and failed.pk != done.pk
    assert "no-such-embedder" in failed.error and failed.finished_at
    done.refresh_from_db()
    assert done.status == AnalysisRun.Status.DONE
    assert (done.themes.count(), done.codings.count()) == (themes, codings)


def test_a_failure_while_storing_leaves_no_partial_results(consultation, answers, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(CodedTheme.objects, "bulk_create", broken)
    with pytest.raises(RuntimeError, match="disk full"):
        analyse(consultation)
    run = consultation.analysis_runs.get()
    assert run.status == AnalysisRun.Status.FAILED and "disk full" in run.error
    assert not Theme.objects.filter(run=run).exists()
    assert not Coding.objects.filter(run=run).exists()


def test_a_consultation_without_text_answers_fails_clearly(consultation):
    with pytest.raises(ValueError, match="no answers"):
        analyse(consultation)
    assert consultation.analysis_runs.get().status == AnalysisRun.Status.FAILED
