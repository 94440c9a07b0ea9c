"""`consulta backup` / `consulta restore`: the whole site in one file and back, accounts, audit
trail, analyses and outstanding links included; a newer schema is refused. On SQLite always, on
PostgreSQL when the suite runs there (in a database of its own)."""

from __future__ import annotations

import io
import json
import os
import shutil
import sqlite3
import stat
import subprocess
import sys
import tarfile
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

import pytest

from privacy_data import SCRIPT

TESTS = Path(__file__).resolve().parent
ON_POSTGRES = os.environ.get("DATABASE_URL", "").startswith("postgres")
COUNTED = ("auth_user", "auditlog_logentry", "analysis_analysisrun", "outreach_invitationtoken",
           "responses_draftaccess", "stakeholders_person")


@dataclass
class Site:
    """A data directory (and, on PostgreSQL, a database) the commands share."""

    path: Path
    env: dict[str, str]
    database_url: str | None  # None: SQLite in ``path``

    def consulta(self, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "consulta", *args, "--data-dir", str(self.path)],
            env=self.env, capture_output=True, text=True, timeout=300, check=False)

    def python(self, then: str) -> str:
        env = {**self.env, "CONSULTA_DATA_DIR": str(self.path),
               "CONSULTA_ALLOWED_HOSTS": "testserver"}
        result = subprocess.run(
            [sys.executable, "-c", SCRIPT.format(tests=str(TESTS), then=then)],
            env=env, capture_output=True, text=True, timeout=300, check=False)
        assert result.returncode == 0, result.stderr
        return result.stdout

    def execute(self, sql: str) -> list[tuple]:
        if self.database_url is None:
            with sqlite3.connect(self.path / "consulta.sqlite3") as connection:
                return connection.execute(sql).fetchall()
        import psycopg

        with psycopg.connect(self.database_url) as connection:
            cursor = connection.execute(sql)
            return cursor.fetchall() if cursor.description else []

    def wipe(self, tables) -> None:
        if self.database_url is None:  # SQLite checks no foreign keys here: order is free
            for table in tables:
                self.execute(f"DELETE FROM {table}")
        else:
            self.execute(f"TRUNCATE {', '.join(tables)} CASCADE")

    def counts(self) -> dict[str, int]:
        return {table: self.execute(f"SELECT count(*) FROM {table}")[0][0] for table in COUNTED}


def _base_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "CONSULTA_DATA_DIR"}}


@pytest.fixture(scope="module")
def seeded_sqlite(tmp_path_factory) -> Path:
    """One seeded data directory, copied for each test (seeding migrates from scratch: slow)."""
    site = Site(tmp_path_factory.mktemp("seeded") / "data", _base_env(), None)
    site.python("privacy_data.seed_file_database()")
    return site.path


def sqlite_site(seeded: Path, path: Path) -> Site:
    shutil.copytree(seeded, path)
    return Site(path, _base_env(), None)


@contextmanager
def postgres_database(template: str = ""):
    """A database of its own on the suite's server, so the processes never touch the suite's."""
    import psycopg

    suite_url = os.environ["DATABASE_URL"]
    name = f"consulta_backup_{uuid.uuid4().hex[:12]}"
    copy = f' TEMPLATE "{template}"' if template else ""
    with psycopg.connect(suite_url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"{copy}')
    try:
        yield name, urlparse(suite_url)._replace(path=f"/{name}").geturl()
    finally:
        with psycopg.connect(suite_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="module")
def seeded_postgres(tmp_path_factory):
    """One seeded database (and data directory), the template of each test's."""
    if not ON_POSTGRES:
        yield None
        return
    with postgres_database() as (name, url):
        site = Site(tmp_path_factory.mktemp("seeded-pg") / "data",
                    {**_base_env(), "DATABASE_URL": url}, url)
        site.python("privacy_data.seed_file_database()")
        yield name, site.path


@pytest.fixture(params=["sqlite", "postgresql"])
def site(request, tmp_path, seeded_sqlite, seeded_postgres):
    if request.param == "sqlite":
        yield sqlite_site(seeded_sqlite, tmp_path / "data")
        return
    if not ON_POSTGRES:
        pytest.skip("PostgreSQL: run the suite with DATABASE_URL=postgres://…")
    template, seeded_path = seeded_postgres
    with postgres_database(template) as (_, url):
        shutil.copytree(seeded_path, tmp_path / "data")
        yield Site(tmp_path / "data", {**_base_env(), "DATABASE_URL": url}, url)


def manifest_of(backup: Path) -> dict:
    with tarfile.open(backup, "r:gz") as archive:
        return json.loads(archive.extractfile("manifest.json").read())


def test_it_brings_back_everything_and_links_keep_working(site, tmp_path):
    before = site.counts()
    assert all(before.values()), before  # something of each kind to lose
    backup = tmp_path / "site.tar.gz"
    result = site.consulta("backup", "--output", str(backup))
    assert result.returncode == 0, result.stderr
    assert stat.S_IMODE(backup.stat().st_mode) == 0o600
    manifest = manifest_of(backup)
    assert manifest["latest_migrations"]["outreach"].startswith("00")
    assert "PGPASSWORD" not in result.stdout + result.stderr
    site.wipe(COUNTED)  # the site loses everything
    assert site.python("privacy_data.open_links()").split() == ["/i/", "404", "/r/", "404"]
    result = site.consulta("restore", str(backup))
    assert result.returncode == 0, result.stderr
    assert "Restored the database" in result.stdout
    assert site.counts() == before
    assert site.python("privacy_data.open_links()").split() == ["/i/", "200", "/r/", "302"]


def test_it_refuses_to_overwrite_a_file_unless_forced(site, tmp_path):
    backup = tmp_path / "site.tar.gz"
    backup.write_text("precious")
    result = site.consulta("backup", "--output", str(backup))
    assert result.returncode == 2 and "already exists" in result.stderr
    assert "Traceback" not in result.stderr and backup.read_text() == "precious"
    assert site.consulta("backup", "--output", str(backup), "--force").returncode == 0
    assert manifest_of(backup)["format"] == "consulta-backup"


def test_it_refuses_a_backup_of_a_newer_schema_and_changes_nothing(site, tmp_path):
    backup = tmp_path / "site.tar.gz"
    assert site.consulta("backup", "--output", str(backup)).returncode == 0
    future = tmp_path / "future.tar.gz"
    with tarfile.open(backup, "r:gz") as old, tarfile.open(future, "w:gz") as new:
        for member in old.getmembers():
            data = old.extractfile(member).read()
            if member.name == "manifest.json":
                manifest = json.loads(data)
                manifest["migrations"].append("responses.0099_from_the_future")
                manifest["consulta_version"] = "99.0"
                data = json.dumps(manifest).encode()
            member.size = len(data)
            new.addfile(member, io.BytesIO(data))
    site.execute("UPDATE stakeholders_person SET job_title = 'Changed' WHERE name = 'Sam Lee'")
    result = site.consulta("restore", str(future))
    assert result.returncode == 2
    assert "newer version of Consulta (99.0)" in result.stderr
    assert "responses.0099_from_the_future" in result.stderr and "Traceback" not in result.stderr
    assert site.execute("SELECT job_title FROM stakeholders_person WHERE name = 'Sam Lee'") == [
        ("Changed",)]


def test_it_refuses_a_file_that_is_not_a_backup(site, tmp_path):
    other = tmp_path / "notes.txt"
    other.write_text("not a backup")
    result = site.consulta("restore", str(other))
    assert result.returncode == 2 and "is not a Consulta backup" in result.stderr
    result = site.consulta("restore", str(tmp_path / "missing.tar.gz"))
    assert result.returncode == 2 and "There is no file" in result.stderr


def test_a_new_machine_gets_the_database_and_the_secret_key(tmp_path, seeded_sqlite):
    """SQLite: restoring into an empty data directory, as after losing the machine."""
    old = sqlite_site(seeded_sqlite, tmp_path / "old")
    backup = tmp_path / "site.tar.gz"
    assert old.consulta("backup", "--output", str(backup)).returncode == 0
    new = Site(tmp_path / "new", _base_env(), None)
    result = new.consulta("restore", str(backup))
    assert result.returncode == 0, result.stderr
    assert "secret key was restored" in result.stdout
    assert (new.path / "secret_key").read_text() == (old.path / "secret_key").read_text()
    assert new.counts() == old.counts()


def test_sqlite_restore_removes_a_stale_write_ahead_log(tmp_path, seeded_sqlite):
    site = sqlite_site(seeded_sqlite, tmp_path / "data")
    backup = tmp_path / "site.tar.gz"
    assert site.consulta("backup", "--output", str(backup)).returncode == 0
    before = site.counts()
    # Rows written after the backup, left in the -wal (no checkpoint), must not reappear.
    database = sqlite3.connect(site.path / "consulta.sqlite3")
    database.execute("PRAGMA wal_autocheckpoint=0")
    database.execute("DELETE FROM stakeholders_person")
    database.commit()
    assert site.consulta("restore", str(backup)).returncode == 0
    database.close()
    assert site.counts() == before
    with sqlite3.connect(site.path / "consulta.sqlite3") as check:
        assert check.execute("PRAGMA integrity_check").fetchone() == ("ok",)


def test_a_sqlite_backup_is_refused_by_a_postgresql_site(tmp_path, seeded_sqlite):
    if not ON_POSTGRES:
        pytest.skip("PostgreSQL: run the suite with DATABASE_URL=postgres://…")
    backup = tmp_path / "site.tar.gz"
    assert sqlite_site(seeded_sqlite, tmp_path / "data").consulta("backup", "--output", str(backup)).returncode == 0
    postgres = Site(tmp_path / "pg", {**_base_env(), "DATABASE_URL": os.environ["DATABASE_URL"]},
                    os.environ["DATABASE_URL"])
    result = postgres.consulta("restore", str(backup))
    assert result.returncode == 2 and "backup of a sqlite database" in result.stderr
