"""Analysing a consultation's stored responses and keeping the results (consulta.web.analysis)."""

from __future__ import annotations

import pytest

from analysis_answers import add_answers, submit
from consulta.web.analysis.models import AnalysisRun, CodedTheme, Coding, Theme
from consulta.web.analysis.services import analyse_consultation, collect_records
from consulta.web.responses.models import Response


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
