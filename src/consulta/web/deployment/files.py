"""Data files readable by their owner only: the data directory (0700), the SQLite database
with its ``-wal`` and ``-shm`` files, the secret key and exports (0600).

Other accounts on the server (a web server's user, a monitoring agent, another service) have no
business reading people's addresses and answers.
"""

from __future__ import annotations

import os
from pathlib import Path

PRIVATE_DIR = 0o700
PRIVATE_FILE = 0o600


def make_private_dir(path: Path) -> Path:
    """Create ``path`` (and parents) if needed and make it owner-only."""
    path.mkdir(mode=PRIVATE_DIR, parents=True, exist_ok=True)
    path.chmod(PRIVATE_DIR)
    return path


def write_private_text(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` (created or replaced) with mode 0600 from the first byte:
    creating it with the default mode and changing it afterwards leaves a moment when others
    could open it."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE_FILE)
    os.fchmod(descriptor, PRIVATE_FILE)  # an existing file keeps its mode through O_CREAT
    with os.fdopen(descriptor, "w", encoding="utf-8") as file:
        file.write(text)


def keep_database_private(sender, connection, **kwargs) -> None:
    """On each new SQLite connection: the database file and its companions owner-only.

    SQLite creates ``-wal`` and ``-shm`` with the database file's own mode, so once the
    database is 0600 they are too; existing ones are set here as well.
    """
    if connection.vendor != "sqlite":
        return
    name = str(connection.settings_dict.get("NAME") or "")
    if not name or name == ":memory:" or name.startswith("file:"):
        return  # an in-memory test database has no file
    for suffix in ("", "-wal", "-shm", "-journal"):
        path = Path(name + suffix)
        try:
            if path.exists() and path.stat().st_mode & 0o777 != PRIVATE_FILE:
                path.chmod(PRIVATE_FILE)
        except OSError:  # another user's file, or gone meanwhile: nothing for us to change
            continue
