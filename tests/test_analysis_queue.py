"""Queueing an analysis (the Analysis page's button, `consulta analyse --queue`) and the worker
running it: real task rows in the database, executed by the real worker code (`consulta worker
--batch`, the django-tasks-db worker loop)."""

from __future__ import annotations

import re

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from analysis_answers import add_answers
from consulta.cli import main
from consulta.web.analysis.models import AnalysisRun, Theme
from consulta.web.analysis.services import analyse_consultation, queue_analysis, run_queued
from consulta.web.analysis.tasks import run_analysis

URL = "/organise/policing-a/analysis/"
RUN_URL = URL + "run/"


def texts(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def page(client, user) -> str:
    client.force_login(user)
    response = client.get(URL)
    assert response.status_code == 200
    return response.content.decode()


def work_off_the_queue(tmp_path) -> None:
    """Run every queued task with the real worker, as `consulta worker --batch` does."""
    assert main(["worker", "--batch", "--data-dir", str(tmp_path)]) == 0


# --- who may queue -------------------------------------------------------------------------------


def test_it_queues_an_analysis_for_organisers(client, organiser):
    client.force_login(organiser)
    response = client.post(RUN_URL)

    assert response.status_code == 302 and response.url == URL
    assert texts(response) == ["Analysis queued."]
    run = AnalysisRun.objects.get()
    assert run.status == AnalysisRun.Status.QUEUED and run.started_at is None
    task = DBTaskResult.objects.get()
    assert task.status == "READY"
    assert task.task_path == run_analysis.module_path
    assert task.args_kwargs == {"args": [run.pk], "kwargs": {"seed": 0, "embedder": None}}


def test_it_forbids_analysts_to_queue(client, analyst):
    client.force_login(analyst)
    assert client.post(RUN_URL).status_code == 403
    assert not AnalysisRun.objects.exists() and not DBTaskResult.objects.exists()


def test_it_hides_the_button_from_outsiders(client, outsider):
    client.force_login(outsider)
    assert client.post(RUN_URL).status_code == 404
    assert not AnalysisRun.objects.exists() and not DBTaskResult.objects.exists()


def test_it_only_queues_on_post(client, organiser):
    client.force_login(organiser)
    assert client.get(RUN_URL).status_code == 405
    assert not AnalysisRun.objects.exists()


def test_it_sends_signed_out_visitors_to_sign_in(client, consultation):
    response = client.post(RUN_URL)
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")
    assert not AnalysisRun.objects.exists()


def test_it_needs_the_pages_csrf_token(organiser):
    client = Client(enforce_csrf_checks=True)
    client.force_login(organiser)
    assert client.post(RUN_URL).status_code == 403
    assert not AnalysisRun.objects.exists()

    form = client.get(URL).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
    assert client.post(RUN_URL, {"csrfmiddlewaretoken": token}).status_code == 302
    assert AnalysisRun.objects.get().status == AnalysisRun.Status.QUEUED


def test_it_queues_once_while_a_run_waits(client, organiser):
    client.force_login(organiser)
    client.post(RUN_URL)
    response = client.post(RUN_URL)
    assert texts(response)[-1] == (
        "An analysis is already waiting for the worker; nothing more was queued.")
    assert AnalysisRun.objects.count() == 1 and DBTaskResult.objects.count() == 1


# --- what the page says --------------------------------------------------------------------------


def test_it_offers_the_button_to_organisers_only(client, organiser, analyst):
    assert "Run analysis</button>" in page(client, organiser)
    content = page(client, analyst)
    assert "Run analysis</button>" not in content
    assert "An organiser can start it from this page" in content


def test_it_says_a_queued_run_waits_for_the_worker(client, organiser, consultation):
    run, _ = queue_analysis(consultation)
    content = page(client, organiser)
    queued_at = timezone.localtime(run.created_at).strftime("%-d %b %Y %H:%M")
    assert f"Analysis queued at {queued_at} — the worker will pick it up." in content
    assert "<code>consulta worker</code> is running" in content
    assert "Run analysis</button>" not in content  # nothing to add while one waits


def test_it_says_a_run_is_running(client, organiser, consultation):
    started = timezone.now()
    AnalysisRun.objects.create(consultation=consultation, status=AnalysisRun.Status.RUNNING,
                               started_at=started)
    content = page(client, organiser)
    since = timezone.localtime(started).strftime("%-d %b %Y %H:%M")
    assert f"An analysis has been running since {since}." in content
    # A worker killed mid-run leaves its run "running": the button can still queue another.
    assert "Run analysis</button>" in content


def test_it_shows_the_error_of_a_failed_run(client, organiser, consultation):
    AnalysisRun.objects.create(consultation=consultation, status=AnalysisRun.Status.FAILED,
                               started_at=timezone.now(), error="RecordsError: nothing to analyse")
    content = page(client, organiser)
    assert "failed: RecordsError: nothing to analyse" in content
    assert "notice--error" in content
    assert "Run analysis</button>" in content


# --- the worker runs it --------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_the_worker_runs_a_queued_analysis(client, organiser, consultation, tmp_path):
    add_answers(consultation)
    run, _ = queue_analysis(consultation, embedder="tfidf", seed=2)

    work_off_the_queue(tmp_path)

    run.refresh_from_db()
    assert run.status == AnalysisRun.Status.DONE, run.error
    assert run.started_at and run.finished_at and run.started_at >= run.created_at
    assert run.summary["config"]["seed"] == 2 and run.summary["config"]["embedder"] == "tfidf"
    assert Theme.objects.filter(run=run).exclude(key="other").exists()
    task = DBTaskResult.objects.get()
    assert task.status == "SUCCESSFUL"
    assert task.return_value["run"] == run.pk and task.return_value["status"] == "done"
    content = page(client, organiser)
    assert "No analysis yet" not in content and "Analysis queued" not in content
    assert "Answers coded" in content


@pytest.mark.django_db(transaction=True)
def test_the_worker_keeps_theme_numbers_from_the_run_before(consultation, tmp_path):
    add_answers(consultation)
    first = analyse_consultation(consultation, embedder="tfidf")
    queued, _ = queue_analysis(consultation, embedder="tfidf")

    work_off_the_queue(tmp_path)

    queued.refresh_from_db()
    assert queued.summary["previous_run"] == first.pk
    keys = set(Theme.objects.filter(run=first).values_list("question_id", "key"))
    assert set(Theme.objects.filter(run=queued).values_list("question_id", "key")) == keys


@pytest.mark.django_db(transaction=True)
def test_the_worker_records_a_failed_analysis(client, organiser, consultation, tmp_path):
    run, _ = queue_analysis(consultation, embedder="tfidf")  # no answers: nothing to analyse

    work_off_the_queue(tmp_path)

    run.refresh_from_db()
    assert run.status == AnalysisRun.Status.FAILED and run.finished_at
    assert run.error
    task = DBTaskResult.objects.get()
    assert task.status == "FAILED"
    assert run.error.split(":")[0] in task.traceback  # the same error, on both records
    content = page(client, organiser)
    assert "failed:" in content and "notice--error" in content


def test_a_run_taken_by_another_worker_is_left_alone(consultation):
    run, _ = queue_analysis(consultation)
    AnalysisRun.objects.filter(pk=run.pk).update(status=AnalysisRun.Status.DONE)
    assert run_queued(run.pk) is None
    assert run_analysis.call(run.pk)["status"] == "skipped: not queued any more"
    assert run_analysis.call(run.pk + 100)["status"] == "skipped: not queued any more"


def test_an_interrupted_run_says_so(consultation, monkeypatch):
    from consulta.analysis import pipeline

    add_answers(consultation)

    def interrupted(*args, **kwargs):
        raise SystemExit(1)  # what the worker's second Ctrl-C raises mid-task

    monkeypatch.setattr(pipeline, "analyse", interrupted)
    with pytest.raises(SystemExit):
        analyse_consultation(consultation, embedder="tfidf")
    run = AnalysisRun.objects.get()
    assert run.status == AnalysisRun.Status.FAILED
    assert run.error == ("Stopped before it finished: the worker or command running it was "
                         "interrupted.")


# --- consulta analyse --consultation SLUG --queue ------------------------------------------------


def test_the_command_line_queues_instead_of_running(consultation, tmp_path, capsys):
    add_answers(consultation)
    args = ["analyse", "--consultation", "policing-a", "--queue", "--seed", "4",
            "--data-dir", str(tmp_path)]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "Queued an analysis of policing-a at " in out and "consulta worker" in out
    run = AnalysisRun.objects.get()
    assert run.status == AnalysisRun.Status.QUEUED
    assert DBTaskResult.objects.get().args_kwargs["kwargs"]["seed"] == 4

    assert main(args) == 0
    assert "is still waiting for the worker; nothing more was queued" in capsys.readouterr().out
    assert AnalysisRun.objects.count() == 1


def test_the_command_line_queues_for_a_consultation_only(capsys):
    with pytest.raises(SystemExit) as exit:
        main(["analyse", "answers.csv", "--text-column", "a", "--out", "o", "--queue"])
    assert exit.value.code == 2
    assert "--queue is used with --consultation only" in capsys.readouterr().err
