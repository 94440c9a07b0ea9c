"""`consulta worker`, and the worker that `consulta serve` and `consulta demo` start beside the
web server: real processes on a database of their own (a SQLite file in a temporary data
directory, or a throwaway PostgreSQL database when the suite runs on PostgreSQL)."""

from __future__ import annotations

import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

import pytest

from analysis_answers import add_answers
from consulta.cli import build_parser, main
from consulta.web.interchange.exporter import export_consultations
from smtp import free_port

DONE = ("done", "failed")


@dataclass
class DataDir:
    """A data directory the `consulta` commands share, and a way to read its database."""

    path: Path
    env: dict[str, str]
    database_url: str | None  # None: SQLite in ``path``

    def consulta(self, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "consulta", *args, "--data-dir", str(self.path)],
            env=self.env, capture_output=True, text=True, timeout=300, check=False,
        )

    def start(self, name: str, *args: str) -> tuple[subprocess.Popen, Path]:
        """A long-running command, its output in a file (a pipe nobody reads could fill)."""
        log = self.path.parent / f"{name}.log"
        with log.open("w") as out:
            process = subprocess.Popen(
                [sys.executable, "-m", "consulta", *args, "--data-dir", str(self.path)],
                env=self.env, stdout=out, stderr=subprocess.STDOUT, text=True)
        return process, log

    def rows(self, sql: str) -> list[tuple]:
        if self.database_url is None:
            with sqlite3.connect(self.path / "consulta.sqlite3") as connection:
                return connection.execute(sql).fetchall()
        import psycopg

        with psycopg.connect(self.database_url) as connection:
            return connection.execute(sql).fetchall()

    def wait_for(self, sql: str, until, timeout: float = 120) -> list[tuple]:
        deadline = time.monotonic() + timeout
        rows = self.rows(sql)
        while not until(rows) and time.monotonic() < deadline:
            time.sleep(0.3)
            rows = self.rows(sql)
        return rows


@pytest.fixture
def data_dir(tmp_path) -> DataDir:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "CONSULTA_DATA_DIR"}}
    suite_url = os.environ.get("DATABASE_URL")
    if not suite_url:
        yield DataDir(tmp_path / "data", env, None)
        return
    # On PostgreSQL the worker claims tasks with SELECT ... FOR UPDATE SKIP LOCKED: test that
    # path too, in a database of its own so the processes never touch the suite's.
    import psycopg

    name = f"consulta_worker_{uuid.uuid4().hex[:12]}"
    url = urlparse(suite_url)._replace(path=f"/{name}").geturl()
    with psycopg.connect(suite_url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield DataDir(tmp_path / "data", {**env, "DATABASE_URL": url}, url)
    finally:
        with psycopg.connect(suite_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def with_answers(data_dir, consultation, tmp_path) -> DataDir:
    """The test consultation with its answers, imported into the data directory."""
    add_answers(consultation)
    document = tmp_path / "policing-a.json"
    document.write_text(json.dumps(export_consultations(["policing-a"])))
    result = data_dir.consulta("import", "consultation", str(document))
    assert result.returncode == 0, result.stderr
    return data_dir


def queue_analysis(data_dir: DataDir) -> None:
    result = data_dir.consulta("analyse", "--consultation", "policing-a", "--queue",
                               "--embedder", "tfidf")
    assert result.returncode == 0, result.stderr
    assert "Queued an analysis of policing-a" in result.stdout
    assert data_dir.rows("SELECT status FROM analysis_analysisrun") == [("queued",)]


def analysis_finished(data_dir: DataDir) -> list[tuple]:
    return data_dir.wait_for("SELECT status, error FROM analysis_analysisrun",
                             lambda rows: rows and rows[0][0] in DONE)


def alive(pid: int) -> bool:
    """Whether the process runs (a zombie waiting for a parent to reap it does not)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    stat = Path(f"/proc/{pid}/stat")
    try:
        return stat.read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return True


def wait_until(condition, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.2)
    return condition()


def worker_pid(log: Path) -> int:
    found = wait_until(lambda: "Started a background worker" in log.read_text(), 60)
    assert found, log.read_text()
    return int(re.search(r"background worker \(process (\d+)\)", log.read_text()).group(1))


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.kill()
        process.wait(timeout=10)


# --- consulta worker -----------------------------------------------------------------------------


def test_it_runs_a_queued_analysis_in_a_worker_process(with_answers):
    queue_analysis(with_answers)
    worker, log = with_answers.start("worker", "worker")
    try:
        [(status, error)] = analysis_finished(with_answers)
        assert (status, error) == ("done", ""), log.read_text()
        tasks = with_answers.rows(
            "SELECT status, task_path FROM django_tasks_database_dbtaskresult")
        assert tasks == [("SUCCESSFUL", "consulta.web.analysis.tasks.run_analysis")]
        assert worker.poll() is None  # it waits for more work

        worker.send_signal(signal.SIGTERM)  # what a service manager sends
        assert worker.wait(timeout=20) == 0
    finally:
        stop(worker)
    assert "consulta.web.analysis.tasks.run_analysis state=SUCCESSFUL" in log.read_text()


def test_it_runs_what_is_queued_and_exits_in_batch_mode(with_answers):
    queue_analysis(with_answers)
    result = with_answers.consulta("worker", "--batch")
    assert result.returncode == 0, result.stderr
    assert with_answers.rows("SELECT status FROM analysis_analysisrun") == [("done",)]


# The worker closes connections between tasks, as requests do: in-process it needs real
# transactions, not a test wrapped in one.
@pytest.mark.django_db(transaction=True)
def test_it_leaves_ctrl_c_as_it_was_after_a_batch(tmp_path):
    before = signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)
    assert main(["worker", "--batch", "--data-dir", str(tmp_path)]) == 0  # nothing queued
    assert (signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)) == before


# --- consulta serve and consulta demo start one --------------------------------------------------


def test_serve_runs_a_worker_and_stops_it_on_ctrl_c(with_answers):
    queue_analysis(with_answers)
    server, log = with_answers.start("serve", "serve", "--port", str(free_port()))
    try:
        pid = worker_pid(log)
        assert analysis_finished(with_answers)[0] == ("done", ""), log.read_text()

        server.send_signal(signal.SIGINT)  # Ctrl-C in the terminal reaches the server only
        assert server.wait(timeout=30) == 0
    finally:
        stop(server)
    assert "Background worker stopped (exit status 0)." in log.read_text()
    assert not alive(pid)


def test_serve_stops_its_worker_on_sigterm(data_dir):
    server, log = data_dir.start("serve", "serve", "--port", str(free_port()))
    try:
        pid = worker_pid(log)
        assert wait_until(lambda: "Serving Consulta" in log.read_text(), 30)
        server.terminate()
        assert server.wait(timeout=30) == 0
    finally:
        stop(server)
    assert "Background worker stopped" in log.read_text()
    assert not alive(pid)


def test_a_worker_stops_when_its_server_is_killed(data_dir):
    server, log = data_dir.start("serve", "serve", "--port", str(free_port()))
    try:
        pid = worker_pid(log)
        server.kill()  # no chance to stop the worker itself
        server.wait(timeout=10)
        assert wait_until(lambda: not alive(pid), 20), log.read_text()
    finally:
        stop(server)


@pytest.fixture
def no_web_server(monkeypatch):
    """Serve returns at once (as after Ctrl-C); the worker processes it starts are recorded."""
    import waitress

    from consulta.cli import worker

    started = []
    real_start = worker.start_worker

    def start_worker(data_dir):
        process = real_start(data_dir)
        started.append(process)
        return process

    monkeypatch.setattr(waitress, "serve", lambda *args, **kwargs: None)
    monkeypatch.setattr(worker, "start_worker", start_worker)
    return started


@pytest.mark.parametrize("command", [["serve"], ["demo"]])
def test_serve_and_demo_start_a_worker_unless_told_not_to(db, tmp_path, no_web_server, command,
                                                          monkeypatch, capsys):
    from consulta.web.analysis import services

    monkeypatch.setattr(services, "analyse_unless_done", lambda consultation: None)
    # The worker processes use SQLite in tmp_path, never the database DATABASE_URL names.
    monkeypatch.delenv("DATABASE_URL", raising=False)
    assert main([*command, "--no-worker", "--port", "0", "--data-dir", str(tmp_path)]) == 0
    assert no_web_server == []

    assert main([*command, "--port", "0", "--data-dir", str(tmp_path)]) == 0
    [process] = no_web_server
    assert process.returncode is not None  # stopped and waited for
    out = capsys.readouterr().out
    assert f"Started a background worker (process {process.pid})." in out
    assert "Background worker stopped" in out


def test_the_worker_options_parse():
    args = build_parser().parse_args(["worker", "--batch", "--interval", "2.5"])
    assert (args.batch, args.interval, args.parent_pid) == (True, 2.5, None)
    assert build_parser().parse_args(["demo", "--no-worker"]).no_worker


def test_it_refuses_an_interval_of_nothing(capsys):
    assert main(["worker", "--interval", "0"]) == 2
    assert "--interval must be more than 0 seconds" in capsys.readouterr().err
