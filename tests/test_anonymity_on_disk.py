"""The database files themselves, ``-wal`` included, keep no trace of an anonymous response's
draft after it is submitted: not its old reference, its links, nor its exact times. Run in a
separate process (anonymity_disk_driver.py) against a real SQLite file, as a server would be.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from test_respond_anonymity import assert_export_pairs_nothing

DRIVER = Path(__file__).resolve().parent / "anonymity_disk_driver.py"
FILES = ("consulta.sqlite3", "consulta.sqlite3-wal")

sqlite_only = pytest.mark.skipif(
    bool(os.environ.get("DATABASE_URL")),
    reason="searches SQLite's files; PostgreSQL's belong to its server",
)


def assert_files_clean(folder: Path, needles: dict[str, str]) -> None:
    """No needle, as text, anywhere in the raw bytes of the database files in ``folder``."""
    for name in FILES:
        path = folder / name
        content = path.read_bytes() if path.exists() else b""
        for what, needle in needles.items():
            assert needle.encode() not in content, f"{name} still holds the {what}"


@pytest.fixture(scope="module")
def after_submission(tmp_path_factory) -> Path:
    data_dir = tmp_path_factory.mktemp("data")
    out = tmp_path_factory.mktemp("out")
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": settings.SETTINGS_MODULE,
           "PYTHONPATH": os.pathsep.join(sys.path)}
    env.pop("DATABASE_URL", None)
    run = subprocess.run([sys.executable, str(DRIVER), str(data_dir), str(out)], env=env,
                         capture_output=True, text=True, timeout=300, check=False)
    assert run.returncode == 0, run.stderr[-3000:]
    return out


@sqlite_only
def test_it_leaves_no_trace_of_the_draft_in_the_database_files(after_submission):
    found = json.loads((after_submission / "needles.json").read_text())
    assert len(found["needles"]) >= 5  # the reference, two links, their times, two answers
    # The search reads the right bytes: the submitted response is there.
    assert found["reference"].encode() in (after_submission / FILES[0]).read_bytes()
    assert_files_clean(after_submission, found["needles"])


@sqlite_only
def test_it_pairs_nothing_in_an_export_taken_during_the_draft(after_submission):
    found = json.loads((after_submission / "needles.json").read_text())
    during = json.loads((after_submission / "during.json").read_text())
    assert_export_pairs_nothing(during, 2, [found["needles"]["draft reference"],
                                            found["reference"]])


def test_it_would_find_a_trace_left_in_a_file(tmp_path):
    """The file search works: a draft's reference left in the -wal is caught."""
    (tmp_path / FILES[1]).write_bytes(b"\x00\x07page ABCD-EFGH rest\x00")
    with pytest.raises(AssertionError, match="wal still holds the draft reference"):
        assert_files_clean(tmp_path, {"draft reference": "ABCD-EFGH"})
