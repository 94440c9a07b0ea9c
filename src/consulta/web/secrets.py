"""The secret key of a local installation, kept in its data directory."""

from __future__ import annotations

import secrets
from pathlib import Path

from consulta.web.deployment.files import write_private_text


def load_secret_key(data_dir: Path) -> str:
    """Return the key stored in ``data_dir``, creating it there when the directory exists.

    Without a data directory (a test run, a one-off command) the key is generated for this
    process only, so nothing is written to a folder the user did not ask for.
    """
    key_file = data_dir / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    key = secrets.token_urlsafe(50)
    if data_dir.is_dir():
        write_private_text(key_file, key)  # owner-only from the first byte
    return key
