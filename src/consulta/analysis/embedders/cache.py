"""An on-disk embedding cache: re-running an analysis does not run the model again.

One SQLite file holds ``(model key, sha256(text)) -> float32 vector``. The model key is the
embedder's name and a digest of its ``describe()`` (model version, precision, settings), so a
new model or recipe never reads vectors of an old one. Only hashes are stored, not the texts.

Only embedders whose vector for a text does not depend on the other texts may be cached
(transformer, static); TF-IDF/LSA and anything containing it are fitted on the whole batch.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np

from consulta.analysis.embedders.base import Embedder

_CHUNK = 500  # SQLite's bound-parameter limit is 999 on old builds


class EmbeddingStore:
    """The SQLite file. Opened per call so the object can cross process boundaries."""

    def __init__(self, path: str | os.PathLike):
        self.path = Path(path)

    def get(self, model: str, hashes: Sequence[bytes]) -> dict[bytes, np.ndarray]:
        if not self.path.exists() or not hashes:
            return {}
        found: dict[bytes, np.ndarray] = {}
        with self._connect() as connection:
            for start in range(0, len(hashes), _CHUNK):
                chunk = list(hashes[start:start + _CHUNK])
                marks = ",".join("?" * len(chunk))
                rows = connection.execute(
                    f"SELECT hash, vector FROM vectors WHERE model = ? AND hash IN ({marks})",
                    [model, *chunk])
                found.update((key, np.frombuffer(blob, dtype=np.float32)) for key, blob in rows)
        return found

    def put(self, model: str, items: Iterable[tuple[bytes, np.ndarray]]) -> None:
        rows = [(model, key, np.ascontiguousarray(vector, dtype=np.float32).tobytes())
                for key, vector in items]
        if not rows:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as connection:
            connection.executemany(
                "INSERT OR REPLACE INTO vectors (model, hash, vector) VALUES (?, ?, ?)", rows)

    def count(self, model: str | None = None) -> int:
        if not self.path.exists():
            return 0
        with self._connect() as connection:
            if model is None:
                return connection.execute("SELECT count(*) FROM vectors").fetchone()[0]
            return connection.execute("SELECT count(*) FROM vectors WHERE model = ?",
                                      [model]).fetchone()[0]

    def _connect(self) -> sqlite3.Connection:
        connection = sqlite3.connect(self.path, timeout=60)
        connection.execute("PRAGMA journal_mode=WAL")  # readers don't wait for a writer
        connection.execute(
            "CREATE TABLE IF NOT EXISTS vectors (model TEXT NOT NULL, hash BLOB NOT NULL, "
            "vector BLOB NOT NULL, PRIMARY KEY (model, hash)) WITHOUT ROWID")
        return _Closing(connection)


class _Closing:
    """sqlite3's context manager commits but does not close; this does both."""

    def __init__(self, connection: sqlite3.Connection):
        self.connection = connection

    def __enter__(self) -> sqlite3.Connection:
        return self.connection

    def __exit__(self, kind, error, traceback) -> None:
        with self.connection:
            pass
        self.connection.close()


class CachedEmbedder(Embedder):
    """Wraps an embedder: vectors already in the store are read; only new texts are embedded.

    Repeated texts in one call (campaign duplicates) are embedded once.
    """

    def __init__(self, embedder: Embedder, path: str | os.PathLike):
        self.embedder = embedder
        self.path = path

    @property
    def name(self) -> str:  # type: ignore[override]
        return self.embedder.name

    @property
    def model_key(self) -> str:
        settings = json.dumps(self.embedder.describe(), sort_keys=True, default=str)
        return f"{self.embedder.name}:{hashlib.sha256(settings.encode()).hexdigest()[:16]}"

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        texts = list(texts)
        hashes = [text_hash(text) for text in texts]
        unique = list(dict.fromkeys(hashes))
        store = EmbeddingStore(self.path)
        found = store.get(self.model_key, unique)
        missing = [key for key in unique if key not in found]
        if missing or not texts:
            first_text = dict(zip(reversed(hashes), reversed(texts)))
            computed = self.embedder.embed([first_text[key] for key in missing])
            store.put(self.model_key, zip(missing, computed))
            found.update(zip(missing, computed))
            if not texts:
                return computed
        return np.stack([found[key] for key in hashes]).astype(np.float32, copy=False)

    def describe(self) -> dict:
        return {**self.embedder.describe(), "cache": str(self.path)}


def text_hash(text: str) -> bytes:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).digest()
