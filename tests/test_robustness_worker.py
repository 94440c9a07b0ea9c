"""The worker under load: it survives database errors, `consulta serve` starts it again when
it dies, and an analysis whose worker died never says "running" for ever."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from datetime import timedelta

import pytest
from django.db import OperationalError
from django.test import Client
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

import test_worker
from consulta.cli import main
from consulta.cli import worker as workers
from consulta.web.abandoned import settle_unfinished_runs, worker_id
from consulta.web.analysis.models import AnalysisRun
from consulta.web.analysis.services import queue_analysis
from smtp import free_port
from test_abandoned_work import claimed_by, dead_pid
from test_worker import DataDir, alive, stop, wait_until, worker_pid

URL = "/organise/policing-a/analysis/"
data_dir = test_worker.data_dir  # a fixture: a data directory for real processes
LOCKED = OperationalError("database is locked")


class Flaky:
    """Work that the database fails ``failures`` times, then does."""

    def __init__(self, failures: int, error: Exception = LOCKED) -> None:
        self.failures, self.error, self.calls = failures, error, 0

    def __call__(self) -> None:
        self.calls += 1
        if self.calls <= self.failures:
            raise self.error


# --- The worker survives database errors ----------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_it_starts_again_after_the_database_fails_it(caplog):
    waits: list[float] = []
    work = Flaky(3)
    workers.work_despite_database_errors(work, sleep=waits.append)
    assert work.calls == 4 and waits == [1.0, 2.0, 4.0]
    assert "database is locked" in caplog.text and "starting again in 1 s" in caplog.text


@pytest.mark.django_db(transaction=True)
def test_it_waits_at_most_a_minute_between_starts():
    waits: list[float] = []
    workers.work_despite_database_errors(Flaky(9), sleep=waits.append)
    assert waits == [1, 2, 4, 8, 16, 32, 60, 60, 60]


@pytest.mark.django_db(transaction=True)
def test_it_fails_the_analysis_the_failed_loop_was_doing(consultation):
    run, _ = queue_analysis(consultation, embedder="tfidf")
    task = claimed_by(run, worker_id())  # this very process, whose loop then fails

    workers.work_despite_database_errors(Flaky(1), sleep=lambda seconds: None)

    task.refresh_from_db()
    run.refresh_from_db()
    assert task.status == "FAILED" and run.status == AnalysisRun.Status.FAILED
    assert "Run the analysis again" in run.error


@pytest.mark.django_db(transaction=True)
def test_it_drops_the_broken_connections(monkeypatch):
    from django.db import connection

    connection.ensure_connection()
    closed = []
    # (The test database lives in memory, where closing does nothing: count the calls.)
    monkeypatch.setattr(connection, "close", lambda: closed.append(True))
    workers.work_despite_database_errors(Flaky(1), sleep=lambda seconds: None)
    assert closed  # before recovering this process's tasks, and again before waiting


def test_it_lets_other_errors_stop_the_worker():
    with pytest.raises(ValueError):
        workers.work_despite_database_errors(Flaky(1, ValueError("a bug")), sleep=print)


@pytest.mark.django_db(transaction=True)
def test_it_does_not_start_again_when_asked_to_stop():
    class StoppingWorker:  # the backend's worker after SIGTERM: running cleared
        running = False

        def shutdown(self, signum, frame) -> None:
            pass

    previous = signal.signal(signal.SIGTERM, StoppingWorker().shutdown)
    try:
        waits: list[float] = []
        work = Flaky(1)
        workers.work_despite_database_errors(work, sleep=waits.append)
    finally:
        signal.signal(signal.SIGTERM, previous)
    assert work.calls == 1 and waits == []


@pytest.mark.django_db(transaction=True)
def test_the_worker_command_survives_a_locked_database(tmp_path, monkeypatch, capsys):
    real = workers._start_and_work
    calls = []

    def locked_once(args):
        calls.append(args)
        if len(calls) == 1:
            raise LOCKED
        real(args)

    monkeypatch.setattr(workers, "_start_and_work", locked_once)
    monkeypatch.setattr(workers, "RETRY_FIRST", 0.01)
    assert main(["worker", "--batch", "--data-dir", str(tmp_path)]) == 0
    assert len(calls) == 2


# --- serve starts a dead worker again ------------------------------------------------------


def short_lived() -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", "pass"])


def test_the_supervisor_starts_a_dead_worker_again_then_stops_it(capsys):
    started: list[subprocess.Popen] = []

    def start() -> subprocess.Popen:
        # Two workers die at once; the third keeps running.
        command = "pass" if len(started) < 2 else "import time; time.sleep(60)"
        started.append(subprocess.Popen([sys.executable, "-c", command]))
        return started[-1]

    supervisor = workers.WorkerSupervisor(start, check_every=0.02, first_wait=0.05)
    assert wait_until(lambda: supervisor.restarts == 2, 20)
    process = supervisor.process
    assert process is started[2] and process.poll() is None
    supervisor.stop(grace=5)
    assert process.poll() is not None and len(started) == 3
    out = capsys.readouterr().out
    assert "starting it again in 0.05 s" in out and "starting it again in 0.1 s" in out


def test_the_supervisor_starts_nothing_once_stopped():
    started: list[subprocess.Popen] = []

    def start() -> subprocess.Popen:
        started.append(short_lived())
        return started[-1]

    supervisor = workers.WorkerSupervisor(start, check_every=0.02, first_wait=30)
    assert wait_until(lambda: started[0].poll() is not None, 10)
    time.sleep(0.1)  # the watcher has seen it die and is waiting 30 s
    stopped_at = time.monotonic()
    supervisor.stop(grace=1)
    assert time.monotonic() - stopped_at < 5 and len(started) == 1


def test_the_supervisor_waits_less_again_after_a_healthy_run(capsys):
    supervisor = workers.WorkerSupervisor(short_lived, check_every=0.02, first_wait=0.05,
                                          healthy_after=0)
    assert wait_until(lambda: supervisor.restarts >= 3, 20)
    supervisor.stop(grace=1)
    out = capsys.readouterr().out
    assert "in 0.1 s" not in out  # every worker counted as healthy: the wait never doubled


def test_serve_starts_its_worker_again_when_it_is_killed(data_dir: DataDir):
    server, log = data_dir.start("serve", "serve", "--port", str(free_port()))
    try:
        first = worker_pid(log)
        assert wait_until(lambda: "Serving Consulta" in log.read_text(), 30)
        subprocess.run(["kill", "-9", str(first)], check=True)
        assert wait_until(lambda: log.read_text().count("Started a background worker") == 2,
                          30), log.read_text()
        assert "stopped unexpectedly (exit status -9)" in log.read_text()
        second = int(log.read_text().rsplit("background worker (process ", 1)[1].split(")")[0])
        assert second != first and alive(second)
        server.send_signal(signal.SIGINT)
        assert server.wait(timeout=30) == 0
    finally:
        stop(server)
    assert "Background worker stopped" in log.read_text()  # the second one, by the server
    assert not alive(second)


# --- An analysis whose worker died shows as failed ------------------------------------------


def page(organiser) -> str:
    client = Client()
    client.force_login(organiser)
    return client.get(URL).content.decode()


def test_the_page_fails_a_run_whose_worker_died(consultation, organiser):
    run, _ = queue_analysis(consultation, embedder="tfidf")
    claimed_by(run, worker_id(dead_pid()))  # no worker has started since

    content = page(organiser)

    run.refresh_from_db()
    assert run.status == AnalysisRun.Status.FAILED
    assert "stopped before the analysis finished" in content and "has been running" not in content


def test_the_page_fails_a_run_whose_task_ended(consultation, organiser):
    run, _ = queue_analysis(consultation, embedder="tfidf")
    task = claimed_by(run, "another-machine-4242")
    task.set_failed(OperationalError("database is locked"))

    content = page(organiser)

    run.refresh_from_db()
    assert run.status == AnalysisRun.Status.FAILED and "Run analysis" in content
    assert "ended before the analysis did" in content


def test_the_page_fails_a_queued_run_without_a_task(consultation, organiser):
    run, _ = queue_analysis(consultation, embedder="tfidf")
    DBTaskResult.objects.all().delete()

    assert "lost its place in the queue" in page(organiser)
    run.refresh_from_db()
    assert run.status == AnalysisRun.Status.FAILED


def test_it_leaves_live_work_alone(consultation):
    queued, _ = queue_analysis(consultation, embedder="tfidf")  # waiting for a worker
    consultation.analysis_runs.create(status=AnalysisRun.Status.RUNNING,
                                              started_at=timezone.now() - timedelta(hours=1))
    assert settle_unfinished_runs(consultation) == 0
    claimed_by(queued, worker_id())  # running in a live process
    assert settle_unfinished_runs(consultation) == 0
    assert set(consultation.analysis_runs.values_list("status", flat=True)) == {"running"}


def test_it_fails_a_command_line_run_running_for_half_a_day(consultation):
    stale = consultation.analysis_runs.create(status=AnalysisRun.Status.RUNNING,
                                              started_at=timezone.now() - timedelta(hours=13))
    assert settle_unfinished_runs(consultation) == 1
    stale.refresh_from_db()
    assert stale.status == AnalysisRun.Status.FAILED and "stopped without finishing" in stale.error
