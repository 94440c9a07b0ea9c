"""Data files are the owner's only: the data directory 0700; the database, its -wal and -shm,
the secret key and exports 0600."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

from consulta.cli import main
from consulta.web.deployment.files import keep_database_private, make_private_dir
from consulta.web.secrets import load_secret_key


def mode(path: Path) -> int:
    return path.stat().st_mode & 0o777


def test_a_new_installation_keeps_its_files_to_its_owner(tmp_path):
    """A fresh process, as an administrator would run it: the commands create the data
    directory, the database (migrated, so in WAL mode) and the key; the export follows."""
    data, export = tmp_path / "data", tmp_path / "all.json"
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("CONSULTA_", "DATABASE_URL", "DJANGO_"))}
    env["CONSULTA_DATA_DIR"] = str(data)
    result = subprocess.run([sys.executable, "-m", "consulta", "export", "--output", str(export)],
                            check=False, env=env, capture_output=True, text=True, timeout=300,
                            preexec_fn=lambda: os.umask(0o022))  # the usual, permissive umask
    assert result.returncode == 0, result.stderr
    assert mode(data) == 0o700
    files = [data / "consulta.sqlite3", data / "secret_key", export]
    files += [path for path in data.glob("consulta.sqlite3-*")]
    assert {path.name: mode(path) for path in files} == {path.name: 0o600 for path in files}


def test_export_to_a_file_is_owner_only_even_over_an_existing_file(organiser, tmp_path,
                                                                   monkeypatch, capsys):
    monkeypatch.setenv("CONSULTA_DATA_DIR", str(tmp_path / "data"))
    output = tmp_path / "met.json"
    output.write_text("old")
    output.chmod(0o644)
    main(["export", "--consultation", "policing-a", "--output", str(output),
          "--data-dir", str(tmp_path / "data")])
    assert mode(output) == 0o600 and '"policing-a"' in output.read_text()
    assert mode(tmp_path / "data") == 0o700


def test_export_to_a_folder_that_does_not_exist_is_a_clear_error(organiser, tmp_path,
                                                                 monkeypatch, capsys):
    monkeypatch.setenv("CONSULTA_DATA_DIR", str(tmp_path / "data"))
    code = main(["export", "--output", str(tmp_path / "missing" / "x.json"),
                 "--data-dir", str(tmp_path / "data")])
    assert code == 2
    assert "cannot write" in capsys.readouterr().err


def test_an_existing_data_directory_is_made_private(tmp_path):
    shared = tmp_path / "shared"
    shared.mkdir(mode=0o755)
    make_private_dir(shared)
    assert mode(shared) == 0o700


def test_the_generated_secret_key_is_owner_only(tmp_path):
    key = load_secret_key(tmp_path)
    assert mode(tmp_path / "secret_key") == 0o600
    assert load_secret_key(tmp_path) == key


def test_database_files_made_by_others_defaults_are_tightened_on_connection(tmp_path):
    database = tmp_path / "consulta.sqlite3"
    sqlite3.connect(database).close()
    (tmp_path / "consulta.sqlite3-wal").write_bytes(b"")
    for path in tmp_path.iterdir():
        path.chmod(0o644)
    connection = SimpleNamespace(vendor="sqlite", settings_dict={"NAME": str(database)})
    keep_database_private(sender=None, connection=connection)
    assert {mode(path) for path in tmp_path.iterdir()} == {0o600}


def test_other_databases_and_in_memory_ones_are_left_alone(tmp_path):
    for connection in (SimpleNamespace(vendor="postgresql", settings_dict={"NAME": "consulta"}),
                       SimpleNamespace(vendor="sqlite", settings_dict={"NAME": ":memory:"})):
        keep_database_private(sender=None, connection=connection)  # nothing to do, no error
