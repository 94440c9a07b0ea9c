"""After `consulta forget`, the address is in no database file on disk: not in the SQLite file,
not in its write-ahead log (-wal), not in the shared-memory index (-shm)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from privacy_data import EMAIL, NAME, SCRIPT

TESTS = Path(__file__).resolve().parent
FILES = ("consulta.sqlite3", "consulta.sqlite3-wal", "consulta.sqlite3-shm")


def consulta(data_dir: Path, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "CONSULTA_DATA_DIR"}}
    return subprocess.run([sys.executable, "-m", "consulta", *args, "--data-dir", str(data_dir)],
                          env=env, capture_output=True, text=True, timeout=300, check=False)


def seed(data_dir: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["CONSULTA_DATA_DIR"] = str(data_dir)
    script = SCRIPT.format(tests=str(TESTS), then="privacy_data.seed_file_database()")
    result = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True,
                            text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stderr


def files_holding(data_dir: Path, text: str) -> list[str]:
    """The database files whose raw bytes hold ``text`` (as stored: UTF-8, any letter case)."""
    needle = text.lower().encode()
    return [name for name in FILES
            if (data_dir / name).exists() and needle in (data_dir / name).read_bytes().lower()]


@pytest.fixture
def data_dir(tmp_path) -> Path:
    path = tmp_path / "data"
    seed(path)
    return path


def test_the_address_and_name_are_in_no_database_file_afterwards(data_dir):
    # The check can fail: before forgetting, the files hold both.
    assert files_holding(data_dir, EMAIL)
    assert files_holding(data_dir, NAME)
    result = consulta(data_dir, "forget", "--email", EMAIL.upper())
    assert result.returncode == 0, result.stderr
    assert "Forgotten in any consultation: 1 people" in result.stdout
    assert files_holding(data_dir, EMAIL) == []
    assert files_holding(data_dir, NAME) == []
    # Someone else's details are still there: the search is not fooled by an empty file.
    assert files_holding(data_dir, "sam@safestreets.example") == ["consulta.sqlite3"]


def test_it_would_find_the_address_in_the_write_ahead_log(data_dir):
    """A row written and not yet checkpointed lives only in the -wal: the search reads it."""
    import sqlite3

    database = sqlite3.connect(data_dir / "consulta.sqlite3")
    database.execute("PRAGMA wal_autocheckpoint=0")
    database.execute("PRAGMA journal_mode=WAL")
    database.execute("UPDATE stakeholders_person SET job_title = ? WHERE name = 'Sam Lee'",
                     ["Wal Only Marker"])
    database.commit()
    try:
        assert "consulta.sqlite3-wal" in files_holding(data_dir, "Wal Only Marker")
    finally:
        database.close()
