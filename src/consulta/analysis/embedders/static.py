"""A static embedder distilled from the transformer (the model2vec method), thousands of texts/s.

Distillation (once, at build time): every vocabulary token is run through the transformer alone,
as ``[SEP] token [CLS]`` (the order model2vec found best), mean-pooled; the vectors are reduced
to 256 dimensions with PCA, then weighted by SIF with frequencies estimated from the token's rank
(Zipf's law), so frequent tokens count less. Inference: tokenise, look the tokens up, average.

The model2vec package does this too, but its install pulls huggingface-hub and inference is a
sparse product, so it is done here with tokenizers + numpy + scipy.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from consulta.analysis.embedders.base import Embedder, normalise_rows
from consulta.analysis.embedders.models import STATIC_DIMENSIONS, ensure_static, model_version

SIF_COEFFICIENT = 1e-4
_CHUNK = 5000  # texts tokenised at a time
_SKIPPED = re.compile(r"\[unused\d+\]|\[PAD\]|\[UNK\]|\[CLS\]|\[SEP\]|\[MASK\]")


class StaticEmbedder(Embedder):
    """Mean of distilled token vectors (256 dimensions, unit rows)."""

    name = "static"

    def __init__(self, cache_dir: str | os.PathLike | None = None,
                 path: str | os.PathLike | None = None,
                 tokenizer_path: str | os.PathLike | None = None):
        self.cache_dir = cache_dir
        self.path = path
        self.tokenizer_path = tokenizer_path

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        texts = list(texts)
        if not texts:
            return np.zeros((0, STATIC_DIMENSIONS), dtype=np.float32)
        self._load()
        return normalise_rows(self.token_counts(texts) @ self.vectors_)

    def token_counts(self, texts: Sequence[str]):
        """Sparse (texts x vocabulary) matrix of token counts (CSR, float32)."""
        from scipy.sparse import vstack

        self._load()
        texts = list(texts)
        # In chunks: a tokenizers Encoding holds tokens, offsets and masks besides the ids,
        # about 10 KB per answer, so 100k answers at once would peak near 1 GB.
        return vstack([self._counts(texts[start:start + _CHUNK])
                       for start in range(0, len(texts), _CHUNK)] or [self._counts([])],
                      format="csr")

    def _counts(self, texts: list[str]):
        from scipy.sparse import csr_matrix

        encodings = self.tokenizer_.encode_batch(texts, add_special_tokens=False)
        lengths = np.fromiter((len(encoding.ids) for encoding in encodings), dtype=np.int64,
                              count=len(encodings))
        ids = np.fromiter((i for encoding in encodings for i in encoding.ids), dtype=np.int64,
                          count=int(lengths.sum()))
        indptr = np.concatenate([[0], np.cumsum(lengths)])
        matrix = csr_matrix((np.ones(len(ids), dtype=np.float32), ids, indptr),
                            shape=(len(encodings), self.vectors_.shape[0]))
        matrix.sum_duplicates()
        return matrix

    def describe(self) -> dict:
        version = f"file:{Path(self.path).name}" if self.path else model_version()
        return {"name": self.name, "method": "model2vec-style distillation of all-MiniLM-L6-v2",
                "version": version, "dimensions": STATIC_DIMENSIONS}

    def _load(self) -> None:
        if getattr(self, "vectors_", None) is not None:
            return
        from tokenizers import Tokenizer

        path, tokenizer_path = self.path, self.tokenizer_path
        if path is None or tokenizer_path is None:
            folder = ensure_static(self.cache_dir)
            path = path or folder / "static.safetensors"
            tokenizer_path = tokenizer_path or folder / "tokenizer.json"
        tokenizer = Tokenizer.from_file(str(tokenizer_path))
        tokenizer.no_padding()
        tokenizer.no_truncation()  # every token counts; no attention cost to cap
        self.vectors_ = load_static(path)
        self.tokenizer_ = tokenizer


def distill(model_path: str | os.PathLike, tokenizer_path: str | os.PathLike,
            dimensions: int = STATIC_DIMENSIONS, sif_coefficient: float = SIF_COEFFICIENT,
            token_ids: Sequence[int] | None = None, batch_size: int = 512,
            ) -> tuple[np.ndarray, dict]:
    """Token vectors (vocabulary x dimensions, float32) from the fp32 ONNX graph.

    ``token_ids`` restricts distillation to some tokens (tests use a small slice); the others,
    and special and ``[unusedN]`` tokens, get zero vectors, so lookups ignore them.
    """
    from sklearn.decomposition import PCA
    from tokenizers import Tokenizer

    from consulta.analysis.embedders.transformer import TransformerEmbedder

    tokenizer = Tokenizer.from_file(str(tokenizer_path))
    size = tokenizer.get_vocab_size()
    candidates = range(size) if token_ids is None else sorted(set(token_ids))
    kept = np.array([i for i in candidates if not _SKIPPED.fullmatch(tokenizer.id_to_token(i))],
                    dtype=np.int64)
    cls, sep = tokenizer.token_to_id("[CLS]"), tokenizer.token_to_id("[SEP]")
    encoder = TransformerEmbedder(model_path=model_path, tokenizer_path=tokenizer_path,
                                  quantized=False)  # fp32, batches over all cores
    pooled = np.concatenate([
        encoder.run_ids(np.stack([np.full(len(batch), sep), batch, np.full(len(batch), cls)], 1),
                        output="mean_pooled")
        for batch in np.array_split(kept, max(1, -(-len(kept) // batch_size)))
    ])
    components = min(dimensions, *pooled.shape)
    pca = PCA(n_components=components, svd_solver="full")
    reduced = pca.fit_transform(pooled.astype(np.float64))
    # SIF weight a / (a + p(token)), p from Zipf's law on the token's rank in vocabulary order.
    inverse_rank = 1.0 / np.arange(2, len(kept) + 2)
    probability = inverse_rank / inverse_rank.sum()
    reduced *= (sif_coefficient / (sif_coefficient + probability))[:, None]
    vectors = np.zeros((size, dimensions), dtype=np.float32)
    vectors[kept, :components] = reduced
    return vectors, {"sif_coefficient": sif_coefficient, "tokens": len(kept),
                     "pca_explained_variance": round(float(pca.explained_variance_ratio_.sum()), 4)}


def save_static(path: str | os.PathLike, vectors: np.ndarray, settings: dict) -> None:
    from safetensors.numpy import save_file

    save_file({"embeddings": np.ascontiguousarray(vectors, dtype=np.float32)}, str(path),
              metadata={key: str(value) for key, value in settings.items()})


def load_static(path: str | os.PathLike) -> np.ndarray:
    from safetensors.numpy import load_file

    return load_file(str(path))["embeddings"]
