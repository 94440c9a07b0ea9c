"""Several workers (issue 12): an analysis split into one part per question that any worker
takes, joined once; a part whose worker failed or died tried again, up to three attempts; big
batches of invitations sent in chunks, a failed chunk tried again. The worker is the real one
(`consulta worker --batch`), in this process or, on PostgreSQL, two processes at once."""

from __future__ import annotations

import os
import smtplib
import subprocess
import sys
from datetime import timedelta
from urllib.parse import urlparse

import pytest
from django.db import connection
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from analysis_answers import add_answers
from consulta.cli import main
from consulta.web.abandoned import recover_abandoned, settle_unfinished_runs, worker_id
from consulta.web.analysis import parts
from consulta.web.analysis.models import AnalysisPart, AnalysisRun, CodedTheme, Coding, Theme
from consulta.web.analysis.services import analyse_consultation, queue_analysis
from consulta.web.analysis.tasks import analyse_part, join_analysis, run_analysis
from consulta.web.outreach import tasks as outreach_tasks
from consulta.web.outreach.models import Invitation
from consulta.web.outreach.services import INVITATION, REMINDER
from test_abandoned_work import dead_pid
from test_outreach_lifecycle import make_partner_audience
from test_outreach_queue import SENT_SUMMARY

ANSWERS = 57  # analysed answers of analysis_answers.add_answers (not the blank one)


@pytest.fixture
def split_small_runs(monkeypatch):
    """Split runs of any size (the test consultation has 57 answers in two questions)."""
    monkeypatch.setattr(parts, "SPLIT_MIN_ANSWERS", 0)


def work_off_the_queue(tmp_path) -> None:
    assert main(["worker", "--batch", "--data-dir", str(tmp_path)]) == 0


def stored(run: AnalysisRun) -> dict:
    """Everything a run stored, in an order that does not depend on row ids."""
    themes = sorted(Theme.objects.filter(run=run).values_list(
        "question_id", "key", "parent__key", "label", "keywords", "description", "summary",
        "stance", "size", "respondents", "share", "campaign_share", "quotes"), key=repr)
    codings = sorted(Coding.objects.filter(run=run).values_list(
        "answer_id", "primary__key", "confidence", "sentiment", "framing", "campaign",
        "stance", "segments", "text_sha256"), key=repr)
    coded = sorted(CodedTheme.objects.filter(coding__run=run).values_list(
        "coding__answer_id", "theme__key", "confidence", "source"), key=repr)
    summary = {k: v for k, v in run.summary.items() if k != "timings"}
    return {"themes": themes, "codings": codings, "coded": coded, "summary": summary}


def single_task_twin(run: AnalysisRun) -> AnalysisRun:
    """The same analysis done in one piece, on the same data and the same previous run."""
    AnalysisRun.objects.filter(pk=run.pk).update(status=AnalysisRun.Status.FAILED)
    twin = analyse_consultation(run.consultation, embedder="tfidf", seed=1)
    AnalysisRun.objects.filter(pk=run.pk).update(status=AnalysisRun.Status.DONE)
    return twin


def failing_first(monkeypatch, times: int, question_key: str | None = None) -> list:
    """The library raises on its first ``times`` calls (for one question, or any)."""
    from consulta.analysis import pipeline

    real, calls = pipeline.analyse, []

    def analyse(answers, *args, **kwargs):
        mine = question_key is None or answers[0].question.endswith(f": {question_key}")
        calls.append(answers[0].question)
        if mine and sum(1 for q in calls if q == answers[0].question) <= times:
            raise RuntimeError("the library failed")
        return real(answers, *args, **kwargs)

    monkeypatch.setattr(pipeline, "analyse", analyse)
    return calls


# --- split and joined ---------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_it_splits_a_run_per_question_and_stores_what_one_task_would(consultation, tmp_path,
                                                                      split_small_runs):
    add_answers(consultation)
    run, _ = queue_analysis(consultation, embedder="tfidf", seed=1)

    work_off_the_queue(tmp_path)

    run.refresh_from_db()
    assert run.status == AnalysisRun.Status.DONE, run.error
    found = list(run.parts.values_list("label", "status", "attempts"))
    assert found == [("phase 1: challenges", "done", 1), ("phase 2: trust", "done", 1)]
    assert not run.parts.exclude(result=None).exists()  # merged, not kept twice
    tasks = DBTaskResult.objects.order_by("enqueued_at")
    assert [t.task_path for t in tasks] == [run_analysis.module_path] + 2 * [
        analyse_part.module_path]
    assert {t.status for t in tasks} == {"SUCCESSFUL"}
    assert [t.return_value["status"] for t in tasks[1:]] == ["done", "done; the run joined"]
    assert stored(run) == stored(single_task_twin(run))


@pytest.mark.django_db(transaction=True)
def test_a_split_rerun_keeps_the_theme_numbers_as_one_task_would(consultation, tmp_path,
                                                                 split_small_runs):
    add_answers(consultation)
    first = analyse_consultation(consultation, embedder="tfidf", seed=1)
    run, _ = queue_analysis(consultation, embedder="tfidf", seed=1)

    work_off_the_queue(tmp_path)

    run.refresh_from_db()
    assert run.status == AnalysisRun.Status.DONE and run.summary["previous_run"] == first.pk
    assert stored(run) == stored(single_task_twin(run))


@pytest.mark.django_db(transaction=True)
def test_small_runs_stay_one_task(consultation, tmp_path):
    add_answers(consultation)
    run, _ = queue_analysis(consultation, embedder="tfidf")
    work_off_the_queue(tmp_path)
    run.refresh_from_db()
    assert run.status == AnalysisRun.Status.DONE and not run.parts.exists()
    assert DBTaskResult.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_it_joins_a_run_once(consultation, tmp_path, split_small_runs):
    add_answers(consultation)
    run, _ = queue_analysis(consultation, embedder="tfidf")
    run_analysis.call(run.pk, embedder="tfidf")
    for part in run.parts.all():
        parts.run_part(part.pk, seed=0, embedder="tfidf", worker="test")
    assert parts.join(run.pk) is False  # the last part joined it already
    run.refresh_from_db()
    assert run.status == AnalysisRun.Status.DONE
    assert Coding.objects.filter(run=run).count() == ANSWERS  # each answer once


# --- a failed part is tried again ---------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_part_that_fails_once_is_tried_again(consultation, tmp_path, split_small_runs,
                                               monkeypatch):
    add_answers(consultation)
    first = analyse_consultation(consultation, embedder="tfidf", seed=1)  # the right results
    AnalysisRun.objects.filter(pk=first.pk).update(status=AnalysisRun.Status.FAILED)
    calls = failing_first(monkeypatch, 1, "trust")
    run, _ = queue_analysis(consultation, embedder="tfidf", seed=1)

    work_off_the_queue(tmp_path)

    run.refresh_from_db()
    assert run.status == AnalysisRun.Status.DONE, run.error
    assert calls.count("phase 2: trust") == 2
    assert list(run.parts.values_list("label", "attempts", "error")) == [
        ("phase 1: challenges", 1, ""), ("phase 2: trust", 2, "")]
    part_tasks = DBTaskResult.objects.filter(task_path=analyse_part.module_path)
    assert sorted(part_tasks.values_list("status", flat=True)) == [
        "FAILED", "SUCCESSFUL", "SUCCESSFUL"]
    assert stored(run) == stored(first)


@pytest.mark.django_db(transaction=True)
def test_a_part_that_fails_three_times_fails_the_run(consultation, organiser, client, tmp_path,
                                                     split_small_runs, monkeypatch):
    add_answers(consultation)
    calls = failing_first(monkeypatch, 99, "trust")
    run, _ = queue_analysis(consultation, embedder="tfidf")

    work_off_the_queue(tmp_path)

    run.refresh_from_db()
    assert calls.count("phase 2: trust") == 3
    assert run.status == AnalysisRun.Status.FAILED and run.finished_at
    assert run.error.startswith("The analysis of phase 2: trust (\u201c")
    assert "failed 3 times, so the run was stopped. The last error: RuntimeError: the " \
           "library failed" in run.error
    part = run.parts.get(label="phase 2: trust")
    assert (part.status, part.attempts) == ("failed", 3)
    assert not Theme.objects.filter(run=run).exists()
    client.force_login(organiser)
    content = client.get("/organise/policing-a/analysis/").content.decode()
    assert "failed 3 times" in content and "Traceback" not in content


@pytest.mark.django_db(transaction=True)
def test_a_part_whose_worker_died_is_taken_by_another(consultation, tmp_path, split_small_runs):
    add_answers(consultation)
    run, _ = queue_analysis(consultation, embedder="tfidf")
    run_analysis.call(run.pk, embedder="tfidf")
    part = run.parts.get(label="phase 2: trust")
    task = DBTaskResult.objects.get(task_path=analyse_part.module_path,
                                    args_kwargs__args__0=part.pk)
    pid = dead_pid()
    task.claim(worker_id(pid))  # as the worker loop leaves it mid-task
    AnalysisPart.objects.filter(pk=part.pk).update(status="running", attempts=1)

    assert recover_abandoned() == [str(task.id)]

    part.refresh_from_db()
    assert part.status == "queued" and f"process {pid}" in part.error
    work_off_the_queue(tmp_path)
    run.refresh_from_db()
    part.refresh_from_db()
    assert run.status == AnalysisRun.Status.DONE, run.error
    assert (part.status, part.attempts) == ("done", 2)


@pytest.mark.django_db(transaction=True)
def test_a_run_whose_worker_died_joining_is_joined_by_another(consultation, tmp_path,
                                                              split_small_runs, monkeypatch):
    add_answers(consultation)
    run, _ = queue_analysis(consultation, embedder="tfidf")
    run_analysis.call(run.pk, embedder="tfidf")
    monkeypatch.setattr(parts, "join", lambda run_id: False)  # it dies before joining
    for part in run.parts.all():
        parts.run_part(part.pk, seed=0, embedder="tfidf", worker="test")
    monkeypatch.undo()
    first, last = DBTaskResult.objects.filter(task_path=analyse_part.module_path).order_by(
        "enqueued_at")
    first.claim("test")
    first.set_successful({"status": "done"})
    last.claim(worker_id(dead_pid()))

    assert recover_abandoned() == [str(last.id)]

    work_off_the_queue(tmp_path)
    run.refresh_from_db()
    assert run.status == AnalysisRun.Status.DONE, run.error
    join = DBTaskResult.objects.get(task_path=join_analysis.module_path)
    assert (join.status, join.return_value["status"]) == ("SUCCESSFUL", "joined")
    assert Coding.objects.filter(run=run).count() == ANSWERS


@pytest.mark.django_db(transaction=True)
def test_the_page_queues_again_a_part_whose_task_ended(consultation, split_small_runs):
    add_answers(consultation)
    run, _ = queue_analysis(consultation, embedder="tfidf")
    run_analysis.call(run.pk, embedder="tfidf")
    part = run.parts.first()
    lost = DBTaskResult.objects.get(task_path=analyse_part.module_path,
                                    args_kwargs__args__0=part.pk)
    lost.claim("another-machine-4242")
    lost.set_failed(RuntimeError("database is locked"))

    settle_unfinished_runs(consultation)

    run.refresh_from_db()
    part.refresh_from_db()
    assert run.status == AnalysisRun.Status.RUNNING and part.status == "queued"
    assert DBTaskResult.objects.filter(task_path=analyse_part.module_path,
                                       args_kwargs__args__0=part.pk, status="READY").exists()


# --- several worker processes on PostgreSQL -----------------------------------------------------


def worker_env() -> dict[str, str]:
    """The environment of a worker process on this test's own (PostgreSQL) database."""
    url = urlparse(os.environ["DATABASE_URL"])._replace(
        path=f"/{connection.settings_dict['NAME']}").geturl()
    env = {k: v for k, v in os.environ.items() if k != "CONSULTA_DATA_DIR"}
    return {**env, "DATABASE_URL": url}


@pytest.mark.skipif(not os.environ.get("DATABASE_URL", "").startswith("postgres"),
                    reason="two workers share the queue with SKIP LOCKED on PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_two_worker_processes_share_a_runs_parts(consultation, tmp_path, split_small_runs):
    add_answers(consultation)
    run, _ = queue_analysis(consultation, embedder="tfidf")
    run_analysis.call(run.pk, embedder="tfidf")  # split here, with the small-run threshold
    assert run.parts.count() == 2

    workers = [subprocess.Popen(
        [sys.executable, "-m", "consulta", "worker", "--batch", "--data-dir",
         str(tmp_path / f"worker{n}")], env=worker_env(), stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, text=True) for n in range(2)]
    logs = [worker.communicate(timeout=300)[0] for worker in workers]
    assert [worker.returncode for worker in workers] == [0, 0], logs

    run.refresh_from_db()
    assert run.status == AnalysisRun.Status.DONE, run.error
    assert list(run.parts.values_list("status", "attempts")) == [("done", 1), ("done", 1)]
    tasks = DBTaskResult.objects.filter(task_path=analyse_part.module_path)
    assert sorted(t.return_value["status"] for t in tasks) == ["done", "done; the run joined"]
    assert all(len(t.worker_ids) == 1 for t in tasks)  # each part taken once
    assert Coding.objects.filter(run=run).count() == ANSWERS  # joined once


# --- big batches of invitations in chunks -------------------------------------------------------


@pytest.fixture
def chunks_of_two(monkeypatch):
    monkeypatch.setattr(outreach_tasks, "CHUNK_SIZE", 2)
    monkeypatch.setattr(outreach_tasks, "RETRY_DELAY", timedelta(0))


def mail_server_gone_once(monkeypatch, at: int) -> list:
    """The SMTP exchange of the ``at``-th message fails once: the server goes away."""
    real, calls = smtplib.SMTP.sendmail, []

    def sendmail(self, *args, **kwargs):
        calls.append(args[1])
        if len(calls) == at:
            raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        return real(self, *args, **kwargs)

    monkeypatch.setattr(smtplib.SMTP, "sendmail", sendmail)
    return calls


@pytest.mark.django_db(transaction=True)
def test_a_chunk_the_mail_server_stopped_is_sent_again(consultation, smtp_server, tmp_path,
                                                      chunks_of_two, monkeypatch):
    phase = make_partner_audience(consultation)  # 4 to invite (Bea bounces), 2 skipped
    mail_server_gone_once(monkeypatch, at=3)  # the second chunk's first message
    assert outreach_tasks.queue_send(phase, INVITATION)

    work_off_the_queue(tmp_path)

    assert sorted(smtp_server.recipients()) == [
        "dana@eastvale-ambulance.example", "omar@eastvale-ambulance.example",
        "sam@safestreets.example"]  # each exactly once
    assert Invitation.objects.filter(phase=phase, sent_at__isnull=False).count() == 3
    chunks = DBTaskResult.objects.filter(task_path=outreach_tasks.send_chunk_task.module_path)
    attempts = sorted((t.args_kwargs["kwargs"]["chunk"], t.args_kwargs["kwargs"]["attempt"],
                       len(t.args_kwargs["kwargs"]["ids"]), t.return_value.get("retrying", False))
                      for t in chunks)
    assert attempts == [(0, 1, 2, False), (1, 1, 2, True), (1, 2, 2, False)]
    [send] = outreach_tasks.latest_sends(phase)
    assert (send.status, send.outcome) == ("finished", SENT_SUMMARY)
    assert send.finished_at == max(t.finished_at for t in chunks)


@pytest.mark.django_db(transaction=True)
def test_a_chunk_stopped_three_times_says_so(consultation, smtp_server, tmp_path, chunks_of_two,
                                             monkeypatch):
    phase = make_partner_audience(consultation)
    monkeypatch.setattr(smtplib.SMTP, "sendmail", lambda self, *a, **k: (_ for _ in ()).throw(
        smtplib.SMTPServerDisconnected("Connection unexpectedly closed")))
    outreach_tasks.queue_send(phase, INVITATION)

    work_off_the_queue(tmp_path)

    assert smtp_server.messages == []
    chunks = DBTaskResult.objects.filter(task_path=outreach_tasks.send_chunk_task.module_path)
    assert chunks.count() == 6  # two chunks, three attempts each
    [send] = outreach_tasks.latest_sends(phase)
    assert send.status == "stopped"
    assert send.outcome.startswith("0 sent, 2 skipped (1 no email address, 1 unsubscribed); "
                                   "the mail server is unavailable")


@pytest.mark.django_db(transaction=True)
def test_a_chunk_whose_worker_died_is_sent_by_another(consultation, smtp_server, tmp_path,
                                                      chunks_of_two):
    phase = make_partner_audience(consultation)
    outreach_tasks.send_invitations_task.call(phase_id=phase.pk)  # split into chunks
    first = DBTaskResult.objects.filter(
        task_path=outreach_tasks.send_chunk_task.module_path).order_by("enqueued_at").first()
    first.claim(worker_id(dead_pid()))

    assert recover_abandoned() == [str(first.id)]

    again = DBTaskResult.objects.get(task_path=outreach_tasks.send_chunk_task.module_path,
                                     status="READY", args_kwargs__kwargs__attempt=2)
    assert again.args_kwargs["kwargs"]["ids"] == first.args_kwargs["kwargs"]["ids"]
    assert not outreach_tasks.queue_send(phase, INVITATION)  # its chunks are still to send
    work_off_the_queue(tmp_path)
    assert len(smtp_server.messages) == 3


@pytest.mark.django_db(transaction=True)
def test_chunked_reminders_reach_everyone_once(consultation, smtp_server, tmp_path,
                                               chunks_of_two, monkeypatch):
    phase = make_partner_audience(consultation)
    monkeypatch.setattr(outreach_tasks, "CHUNK_SIZE", 100)
    outreach_tasks.send_invitations_task.call(phase_id=phase.pk)  # one batch: 3 invited
    smtp_server.clear()
    Invitation.objects.update(sent_at=timezone.now() - timedelta(days=3))
    monkeypatch.setattr(outreach_tasks, "CHUNK_SIZE", 2)
    mail_server_gone_once(monkeypatch, at=1)
    outreach_tasks.queue_send(phase, REMINDER)

    work_off_the_queue(tmp_path)

    assert sorted(smtp_server.recipients()) == [
        "dana@eastvale-ambulance.example", "omar@eastvale-ambulance.example",
        "sam@safestreets.example"]
    [reminders] = outreach_tasks.latest_sends(phase)
    assert reminders.status == "finished" and reminders.outcome.startswith("3 sent")


def test_a_clause_of_no_words_is_no_key_point():
    """Found by the workers benchmark: "%, ..." stopped a 10,000-answer question."""
    from consulta.analysis.keypoints import candidates_of

    long = " ".join(f"word{i}" for i in range(40))
    for text in (f"%, {long}", f"& because {long}"):
        assert all(c.text.strip("%& ") for c in candidates_of(text, 0, 3, 12))
