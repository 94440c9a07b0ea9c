"""The interface every embedder implements."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence

import numpy as np


class Embedder(ABC):
    """Turns texts into vectors. Constructors only store arguments (scikit-learn style).

    ``embed`` returns a float32 array of shape (len(texts), dim) whose rows have unit length
    (an all-zero row for a text with no usable content), so a dot product is a cosine.
    """

    #: Short name recorded in analysis.json and in embedding cache keys.
    name: str = "embedder"

    @abstractmethod
    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Vectors for ``texts``, in order."""

    def describe(self) -> dict:
        """What analysis.json records about this embedder (name, version, settings)."""
        return {"name": self.name}


def normalise_rows(vectors: np.ndarray) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return np.divide(vectors, norms, out=np.zeros_like(vectors), where=norms > 0)
