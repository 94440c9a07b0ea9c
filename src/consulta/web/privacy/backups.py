"""Backups of the whole database, and restoring one (ADR 0008).

A backup file is a gzipped tar archive of:

- ``manifest.json``: the format, Consulta's version, the database engine, when it was made and
  the schema (every applied migration; the latest per app for people reading it);
- ``database.sqlite3`` (SQLite's online backup API: a consistent copy while the site runs) or
  ``database.pgdump`` (``pg_dump --format=custom``);
- ``secret_key``, when the site's key lives in its data directory: signed links already sent
  (unsubscribe links, confirmation pages) keep working after restoring on a new machine.

Everything is in the database (accounts, audit trail, analysis runs, hashed invitation and draft
links), so a restored site carries on where the backup left it. A backup holds personal data:
it is written owner-only (0600), and expired backups must be deleted like any other copy.
"""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.db import connection, connections

FORMAT, FORMAT_VERSION = "consulta-backup", 1
MANIFEST, SECRET_KEY = "manifest.json", "secret_key"
DATABASE_MEMBER = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}


class BackupError(Exception):
    """A backup or restore that cannot be done; the message says why and what to do."""


# The manifest -------------------------------------------------------------------------------

def applied_migrations() -> list[tuple[str, str]]:
    from django.db.migrations.recorder import MigrationRecorder

    return sorted(MigrationRecorder(connection).applied_migrations())


def make_manifest() -> dict:
    from consulta import __version__

    applied = applied_migrations()
    latest: dict[str, str] = {}
    for app, name in applied:
        latest[app] = max(latest.get(app, ""), name)
    return {
        "format": FORMAT, "format_version": FORMAT_VERSION, "consulta_version": __version__,
        "engine": connection.vendor, "created_at": datetime.now(UTC).isoformat(),
        "latest_migrations": latest, "migrations": [f"{app}.{name}" for app, name in applied],
    }


def unknown_migrations(manifest: dict) -> list[str]:
    """Migrations the backup's database has and this version of Consulta does not know."""
    from django.db.migrations.loader import MigrationLoader

    known = {f"{app}.{name}" for app, name in MigrationLoader(None).disk_migrations}
    return sorted(set(manifest.get("migrations", [])) - known)


def check_restorable(manifest: dict) -> None:
    if manifest.get("format") != FORMAT or manifest.get("format_version") != FORMAT_VERSION:
        raise BackupError("This file is not a Consulta backup (or one of a format this version "
                          "cannot read).")
    if manifest.get("engine") != connection.vendor:
        raise BackupError(
            f"This is a backup of a {manifest.get('engine')} database and this site uses "
            f"{connection.vendor}. Restore it on a site with the same database, or move the "
            "consultations with `consulta export` and `consulta import`.")
    newer = unknown_migrations(manifest)
    if newer:
        raise BackupError(
            f"This backup was made by a newer version of Consulta "
            f"({manifest.get('consulta_version', 'unknown')}): its database has changes this "
            f"version does not know ({', '.join(newer[:5])}"
            f"{', …' if len(newer) > 5 else ''}). Install that version or newer, then restore. "
            "Nothing was changed.")


# Writing a backup ---------------------------------------------------------------------------

def write_backup(output: Path, *, force: bool = False) -> dict:
    """Write a backup of the site's database to ``output`` (0600); returns its manifest."""
    if output.exists() and not force:
        raise BackupError(f"{output} already exists. Choose another file, or give --force to "
                          "replace it.")
    if not output.parent.is_dir():
        raise BackupError(f"There is no directory {output.parent} to write the backup in.")
    if connection.vendor == "sqlite":
        sqlite_path()  # before any query, which would create an empty database
    manifest = make_manifest()
    with tempfile.TemporaryDirectory(dir=output.parent, prefix=".consulta-backup-") as work:
        database = Path(work) / DATABASE_MEMBER[connection.vendor]
        _dump(database)
        fd, partial = tempfile.mkstemp(dir=output.parent, prefix=".consulta-backup-")
        try:  # mkstemp creates it 0600: the archive is never readable by others, even half-made
            with os.fdopen(fd, "wb") as raw, tarfile.open(fileobj=raw, mode="w:gz") as archive:
                _add_bytes(archive, MANIFEST, json.dumps(manifest, indent=2).encode())
                archive.add(database, arcname=database.name, filter=_owner_only)
                key = _site_secret_key()
                if key:
                    _add_bytes(archive, SECRET_KEY, key.encode())
            os.replace(partial, output)
        except BaseException:
            Path(partial).unlink(missing_ok=True)
            raise
    return manifest


def _owner_only(info: tarfile.TarInfo) -> tarfile.TarInfo:
    info.mode, info.uid, info.gid, info.uname, info.gname = 0o600, 0, 0, "", ""
    return info


def _add_bytes(archive: tarfile.TarFile, name: str, data: bytes) -> None:
    info = _owner_only(tarfile.TarInfo(name))
    info.size = len(data)
    archive.addfile(info, io.BytesIO(data))


def _site_secret_key() -> str:
    """The key in the data directory when it is the one the site uses (not one from the
    environment, which the deployment keeps elsewhere)."""
    key_file = Path(settings.DATA_DIR) / SECRET_KEY
    if key_file.is_file() and key_file.read_text().strip() == settings.SECRET_KEY:
        return settings.SECRET_KEY
    return ""


def _dump(target: Path) -> None:
    if connection.vendor == "sqlite":
        _sqlite_copy(sqlite_path(), target)
    elif connection.vendor == "postgresql":
        _run_pg(["pg_dump", "--format=custom", "--no-owner", "--no-privileges",
                 f"--file={target}"])
    else:
        raise BackupError(f"Backups of {connection.vendor} databases are not supported.")


def sqlite_path() -> Path:
    path = Path(settings.DATABASES["default"]["NAME"])
    if not path.is_file():
        raise BackupError(f"There is no database at {path} to back up.")
    return path


def _sqlite_copy(source: Path, target: Path) -> None:
    """A consistent copy while the site keeps running (SQLite's online backup API), as one
    self-contained file (no write-ahead log beside it)."""
    reading = sqlite3.connect(source, timeout=60)
    writing = sqlite3.connect(target)
    try:
        reading.backup(writing)
        writing.execute("PRAGMA journal_mode=DELETE")
    finally:
        writing.close()
        reading.close()


# PostgreSQL tools ---------------------------------------------------------------------------

def _pg_environment() -> dict[str, str]:
    """Connection details for pg_dump and pg_restore, passed in the environment so the
    password never appears in a command line (``ps``) or in what is printed."""
    database = settings.DATABASES["default"]
    values = {"PGDATABASE": database.get("NAME"), "PGUSER": database.get("USER"),
              "PGPASSWORD": database.get("PASSWORD"), "PGHOST": database.get("HOST"),
              "PGPORT": str(database.get("PORT") or ""),
              "PGSSLMODE": (database.get("OPTIONS") or {}).get("sslmode")}
    return {**os.environ, **{key: str(value) for key, value in values.items() if value}}


def _run_pg(command: list[str]) -> str:
    if shutil.which(command[0]) is None:
        raise BackupError(f"{command[0]} was not found. Install the PostgreSQL client tools "
                          "(the server's version or newer).")
    result = subprocess.run(command, env=_pg_environment(), capture_output=True, text=True,
                            check=False)
    if result.returncode != 0:
        raise BackupError(f"{command[0]} failed: {result.stderr.strip()[-2000:]}")
    return result.stdout


# Restoring ----------------------------------------------------------------------------------

def read_manifest(archive: tarfile.TarFile) -> dict:
    try:
        return json.loads(archive.extractfile(MANIFEST).read())
    except (KeyError, AttributeError, ValueError):
        raise BackupError("This file is not a Consulta backup: it has no manifest.") from None


def open_backup(path: Path) -> tarfile.TarFile:
    if not path.is_file():
        raise BackupError(f"There is no file {path}.")
    try:
        return tarfile.open(path, mode="r:gz")
    except (tarfile.TarError, OSError):
        raise BackupError(f"{path} is not a Consulta backup (not a .tar.gz archive).") from None


def restore_backup(path: Path) -> dict:
    """Replace the site's database with the backup's; returns its manifest. Checks everything
    it can before changing anything; the schema is brought up to date by the caller."""
    with open_backup(path) as archive:
        manifest = read_manifest(archive)
        check_restorable(manifest)
        member = archive.extractfile(DATABASE_MEMBER[connection.vendor])
        if member is None:
            raise BackupError("This backup has no database in it.")
        connections.close_all()
        if connection.vendor == "sqlite":
            _restore_sqlite(member)
        else:
            _restore_postgresql(member)
        key = archive.extractfile(SECRET_KEY) if SECRET_KEY in archive.getnames() else None
        manifest["secret_key_restored"] = _restore_secret_key(key.read().decode() if key else "")
    return manifest


def _restore_sqlite(member) -> None:
    target = Path(settings.DATABASES["default"]["NAME"])
    fd, partial = tempfile.mkstemp(dir=target.parent, prefix=".consulta-restore-")
    try:
        with os.fdopen(fd, "wb") as out:
            shutil.copyfileobj(member, out)
        _check_sqlite(Path(partial))
        if target.exists():  # fold the old log in first: a stale -wal must never meet the new file
            with sqlite3.connect(target, timeout=60) as old:
                old.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        os.replace(partial, target)
    except BaseException:
        Path(partial).unlink(missing_ok=True)
        raise
    for suffix in ("-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)


def _check_sqlite(path: Path) -> None:
    try:
        with sqlite3.connect(path) as copy:
            ok = copy.execute("PRAGMA quick_check").fetchone()[0] == "ok"
    except sqlite3.DatabaseError:
        ok = False
    finally:
        Path(f"{path}-journal").unlink(missing_ok=True)
    if not ok:
        raise BackupError("The database in this backup is damaged; nothing was changed.")


def _restore_postgresql(member) -> None:
    with tempfile.NamedTemporaryFile(prefix="consulta-restore-", suffix=".pgdump") as dump:
        shutil.copyfileobj(member, dump)
        dump.flush()
        _run_pg(["pg_restore", "--clean", "--if-exists", "--no-owner", "--no-privileges",
                 "--single-transaction", f"--dbname={settings.DATABASES['default']['NAME']}",
                 dump.name])
        _drop_tables_not_in(set(_dump_tables(dump.name)))


TABLE_LINE = re.compile(r"^\d+; \d+ \d+ TABLE \S+ (\S+) ")


def _dump_tables(dump: str) -> list[str]:
    listing = _run_pg(["pg_restore", "--list", dump])
    return [m.group(1) for m in map(TABLE_LINE.match, listing.splitlines()) if m]


def _drop_tables_not_in(restored: set[str]) -> None:
    """Tables of a newer schema than an older backup's go, so migrating forwards recreates
    them as the backup's data needs (``--clean`` drops only what the backup has)."""
    extra = [t for t in connection.introspection.table_names() if t not in restored]
    with connection.cursor() as cursor:
        for table in extra:
            cursor.execute(f"DROP TABLE IF EXISTS {connection.ops.quote_name(table)} CASCADE")


def _restore_secret_key(key: str) -> bool:
    """Put the backup's key in the data directory, unless the deployment sets its own."""
    key_file = Path(settings.DATA_DIR) / SECRET_KEY
    if not key or os.environ.get("CONSULTA_SECRET_KEY") or not key_file.parent.is_dir():
        return False
    if key_file.is_file() and key_file.read_text().strip() == key:
        return False
    fd, partial = tempfile.mkstemp(dir=key_file.parent, prefix=".secret-key-")
    with os.fdopen(fd, "w") as out:
        out.write(key)
    os.replace(partial, key_file)
    return True
