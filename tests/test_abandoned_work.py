"""Work left "running" by a worker that died: the next worker on the machine marks it failed."""

from __future__ import annotations

import subprocess
import sys

import pytest
from django.test import Client
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from consulta.cli import main
from consulta.web.abandoned import recover_abandoned, worker_id
from consulta.web.analysis.models import AnalysisRun
from consulta.web.analysis.services import queue_analysis

URL = "/organise/policing-a/analysis/"


def dead_pid() -> int:
    """The pid of a process that has ended (and been reaped)."""
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def claimed_by(run: AnalysisRun, owner: str) -> DBTaskResult:
    """As the worker loop leaves things mid-task: the task RUNNING, the run RUNNING."""
    task = DBTaskResult.objects.get()
    task.claim(owner)
    AnalysisRun.objects.filter(pk=run.pk).update(status=AnalysisRun.Status.RUNNING,
                                                started_at=timezone.now())
    return task


def test_it_fails_the_task_and_the_run_of_a_worker_that_died(consultation):
    run, _ = queue_analysis(consultation, embedder="tfidf")
    pid = dead_pid()
    task = claimed_by(run, worker_id(pid))

    assert recover_abandoned() == [str(task.id)]

    task.refresh_from_db()
    run.refresh_from_db()
    assert task.status == "FAILED" and "WorkerGone" in task.exception_class_path
    assert f"process {pid}" in task.traceback
    assert run.status == AnalysisRun.Status.FAILED and run.finished_at
    assert "stopped before the analysis finished" in run.error
    assert recover_abandoned() == []  # once is enough


def test_it_leaves_work_of_a_live_worker_alone(consultation):
    run, _ = queue_analysis(consultation, embedder="tfidf")
    task = claimed_by(run, worker_id())  # this test's own process: alive

    assert recover_abandoned() == []
    task.refresh_from_db()
    run.refresh_from_db()
    assert task.status == "RUNNING" and run.status == AnalysisRun.Status.RUNNING


def test_it_leaves_work_of_another_machine_alone(consultation):
    run, _ = queue_analysis(consultation, embedder="tfidf")
    claimed_by(run, worker_id(dead_pid(), host="another-machine"))

    assert recover_abandoned() == []
    assert DBTaskResult.objects.get().status == "RUNNING"


def test_it_ignores_worker_ids_it_did_not_make(consultation):
    run, _ = queue_analysis(consultation, embedder="tfidf")
    claimed_by(run, "qR7x2kLm9Pz4")  # the backend's own random ids

    assert recover_abandoned(alive=lambda pid: False) == []
    assert DBTaskResult.objects.get().status == "RUNNING"


@pytest.mark.django_db(transaction=True)
def test_a_starting_worker_recovers_and_the_page_says_what_happened(consultation, organiser,
                                                                    tmp_path, capsys):
    run, _ = queue_analysis(consultation, embedder="tfidf")
    claimed_by(run, worker_id(dead_pid()))

    assert main(["worker", "--batch", "--data-dir", str(tmp_path)]) == 0

    assert "Marked 1 task(s) failed" in capsys.readouterr().out
    run.refresh_from_db()
    assert run.status == AnalysisRun.Status.FAILED
    client = Client()
    client.force_login(organiser)
    content = client.get(URL).content.decode()
    assert "stopped before the analysis finished" in content and "Run analysis" in content


@pytest.mark.django_db(transaction=True)
def test_a_starting_worker_deletes_old_finished_task_records(consultation, tmp_path):
    from datetime import timedelta

    from consulta.web.analysis.tasks import run_analysis

    old, recent, waiting = (run_analysis.enqueue(number) for number in (101, 102, 103))
    long_ago = timezone.now() - timedelta(days=100)
    DBTaskResult.objects.filter(id__in=[old.id, recent.id]).update(
        status="SUCCESSFUL", finished_at=timezone.now())
    DBTaskResult.objects.filter(id=old.id).update(finished_at=long_ago)

    assert main(["worker", "--batch", "--keep-days", "90", "--data-dir", str(tmp_path)]) == 0

    left = {str(pk) for pk in DBTaskResult.objects.values_list("id", flat=True)}
    assert old.id not in left and recent.id in left and waiting.id in left
    assert main(["worker", "--batch", "--keep-days", "-1", "--data-dir", str(tmp_path)]) == 2
