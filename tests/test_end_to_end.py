"""The README's promises, through real processes and real SQLite files.

`consulta demo --no-serve` into a data directory, export, import into an empty one, export
again; and `consulta serve` answering HTTP on loopback.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from consulta.web.interchange import GENERATED_FIELDS


def consulta(*args: str, data_dir: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "CONSULTA_DATA_DIR"}}
    return subprocess.run(
        [sys.executable, "-m", "consulta", *args, "--data-dir", str(data_dir)],
        env=env, capture_output=True, text=True, timeout=300, check=False,
    )


def export(data_dir: Path) -> dict:
    result = consulta("export", "--consultation", "future-of-london-policing", "--format", "json",
                      data_dir=data_dir)
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    return {k: v for k, v in document.items() if k not in GENERATED_FIELDS}


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory) -> Path:
    data_dir = tmp_path_factory.mktemp("demo")
    result = consulta("demo", "--no-serve", data_dir=data_dir)
    assert result.returncode == 0, result.stderr
    assert "Organiser sign-in: organiser@consulta.example / " in result.stdout
    assert "themes found" in result.stdout  # the demo analyses its answers once
    assert "AXES" not in result.stderr  # making the organiser is no failed sign-in
    return data_dir


def test_it_exports_the_demo_consultation(demo_dir):
    [consultation] = export(demo_dir)["consultations"]
    internal, partners = consultation["phases"]
    assert len(partners["questions"]) == 4
    assert partners["questions"][0]["title"].startswith("How can the Met ensure")
    submitted = [r for p in (internal, partners) for r in p["responses"]
                 if r["status"] == "submitted"]
    assert len(submitted) >= 400
    sectors = {o["sector"] for o in consultation["organisations"]}
    assert {"public", "private", "voluntary"} <= sectors


def test_it_changes_nothing_when_run_twice(demo_dir):
    before = export(demo_dir)
    result = consulta("demo", "--no-serve", data_dir=demo_dir)
    assert result.returncode == 0, result.stderr
    assert "Already loaded" in result.stdout
    assert "themes found" not in result.stdout
    assert export(demo_dir) == before
    # Re-checking the organiser's password is not a failed sign-in for the throttle.
    assert "AXES" not in result.stderr and "AXES" not in result.stdout


def test_it_round_trips_into_an_empty_database(demo_dir, tmp_path):
    exported = tmp_path / "export.json"
    first = consulta("export", "--output", str(exported), data_dir=demo_dir)
    assert first.returncode == 0, first.stderr

    empty = tmp_path / "empty"
    imported = consulta("import", "consultation", str(exported), data_dir=empty)
    assert imported.returncode == 0, imported.stderr
    assert export(empty) == export(demo_dir)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_it_serves_the_seed_consultation(demo_dir):
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "CONSULTA_DATA_DIR"}}
    server = subprocess.Popen(
        [sys.executable, "-m", "consulta", "serve", "--port", str(port), "--data-dir",
         str(demo_dir)],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        page = ""
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as reply:
                    page = reply.read().decode()
                break
            except OSError:
                time.sleep(0.3)
        assert "The future of policing in London" in page
    finally:
        server.terminate()
        server.wait(timeout=20)
