"""Embedders: text -> L2-normalised float32 vectors, behind one tiny interface.

``get_embedder(name)`` is the one way to obtain one. Names:
- ``tfidf``: word and character n-gram TF-IDF reduced with truncated SVD (LSA). No model files;
  fitted on the texts it is given, so it suits a whole question's answers at once.
More (``transformer``, ``static``, ``auto``) are registered in ``EMBEDDERS`` as they are built.
"""

from __future__ import annotations

from consulta.analysis.embedders.base import Embedder
from consulta.analysis.embedders.tfidf import TfidfEmbedder

EMBEDDERS: dict[str, type[Embedder]] = {"tfidf": TfidfEmbedder}


def get_embedder(name: str = "tfidf", **options) -> Embedder:
    try:
        factory = EMBEDDERS[name]
    except KeyError:
        raise ValueError(f"Unknown embedder {name!r}; choose from {', '.join(EMBEDDERS)}") from None
    return factory(**options)


__all__ = ["EMBEDDERS", "Embedder", "get_embedder"]
