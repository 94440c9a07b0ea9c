"""Vectors of a large input on disk, chunk by chunk, with a manifest that makes a run restartable.

Each chunk's point vectors are one ``.npy`` file of float16 (half the bytes of float32; a cosine
moves by about 1e-3, far below what separates themes), read back as a memory map, so a million
answers' vectors (about 2.5 million points x 384) take 1.9 GB of disk and no resident memory
beyond the chunk being used. ``manifest.json`` records what the vectors were made from (the
input file's size and time, the embedder, the chunk size) and which chunks are done: a run
stopped half-way starts again from the first chunk not recorded, and a changed input or setting
starts afresh. A chunk is recorded only after its file is completely written (write, then
rename), so a chunk cut off mid-write is embedded again.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import numpy as np

MANIFEST = "manifest.json"
VERSION = 2  # 2: point spans stored with the vectors


class VectorStore:
    """Chunks of vectors under ``folder``; ``fingerprint``: what they depend on (JSON-able)."""

    def __init__(self, folder: str | os.PathLike, fingerprint: dict, dtype: str = "float16"):
        self.folder = Path(folder)
        self.fingerprint = {**fingerprint, "dtype": dtype, "version": VERSION}
        self.dtype = np.dtype(dtype)

    def open(self) -> VectorStore:
        """Read the manifest; anything made from other inputs or settings is cleared."""
        self.folder.mkdir(parents=True, exist_ok=True)
        manifest = self._read()
        if manifest.get("fingerprint") != self.fingerprint:
            for child in self.folder.iterdir():
                if child.name.startswith(("chunk-", "state-")) or child.name == MANIFEST:
                    shutil.rmtree(child) if child.is_dir() else child.unlink()
            manifest = {"fingerprint": self.fingerprint, "chunks": {}}
            self._write(manifest)
        self.manifest_ = manifest
        self.resumed_ = sorted(int(k) for k in manifest["chunks"])
        return self

    def done(self, index: int) -> bool:
        return str(index) in self.manifest_["chunks"]

    def points(self, index: int) -> int:
        return int(self.manifest_["chunks"][str(index)]["points"])

    def save(self, index: int, vectors: np.ndarray, answers: int,
             point_counts: np.ndarray, spans: np.ndarray) -> None:
        """Write chunk ``index``: its vectors, each answer's number of points (its rows are
        the next that many) and each point's (start, end, filler) in its answer's text, so
        later passes need not segment again; then record it (a half-written chunk is never
        trusted)."""
        np.save(self._path(index).with_suffix(".counts.npy"),
                np.asarray(point_counts, dtype=np.int32))
        np.save(self._path(index).with_suffix(".spans.npy"), np.asarray(spans, dtype=np.int32))
        path = self._path(index)
        partial = path.with_suffix(".partial.npy")
        np.save(partial, np.asarray(vectors, dtype=self.dtype))
        os.replace(partial, path)
        self.manifest_["chunks"][str(index)] = {"answers": int(answers),
                                                "points": len(vectors)}
        self._write(self.manifest_)

    def vectors(self, index: int) -> np.ndarray:
        """Chunk ``index`` as a read-only memory map (float16 by default)."""
        return np.load(self._path(index), mmap_mode="r")

    def spans(self, index: int) -> np.ndarray:
        """Chunk ``index``'s points as rows (start, end, filler), in the vectors' order."""
        return np.load(self._path(index).with_suffix(".spans.npy"))

    def offsets(self, index: int) -> np.ndarray:
        """Where each answer's points start among chunk ``index``'s rows (one more at the end)."""
        counts = np.load(self._path(index).with_suffix(".counts.npy"))
        return np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)

    def state_path(self, name: str) -> Path:
        """A file for state the chunks depend on (a fitted projection), cleared with them."""
        return self.folder / f"state-{name}"

    def _path(self, index: int) -> Path:
        return self.folder / f"chunk-{index:05d}.npy"

    def _read(self) -> dict:
        try:
            return json.loads((self.folder / MANIFEST).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}

    def _write(self, manifest: dict) -> None:
        partial = self.folder / (MANIFEST + ".partial")
        partial.write_text(json.dumps(manifest, indent=1), encoding="utf-8")
        os.replace(partial, self.folder / MANIFEST)
