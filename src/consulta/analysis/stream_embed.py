"""Embedding a large input chunk by chunk, every chunk in the same vector space.

The in-memory embedders that fit something on the texts of each call cannot be called per
chunk: ``auto``/``combined`` fit a ridge map from static vectors to the transformer's on a
sample of each call's texts, and ``tfidf`` fits its vocabulary and SVD on them. Here that
fitting happens once, on the first chunk, and is saved beside the vectors (the store's state
files) so a restarted run maps later chunks exactly as the first run did:

- ``auto``/``combined``: the transformer embeds a bottom-k hash sample of the first chunk's
  texts within the auto embedder's token budget (at least 256 texts), a ridge regression maps
  static vectors onto those, and every chunk is static vectors mapped (float32, unit rows).
  Unlike the in-memory ``auto``, the sampled texts are mapped too rather than kept exact, so
  the first chunk is in exactly the same space as the others.
- ``tfidf``: TF-IDF and SVD fitted on the first chunk, applied to the others.
- ``transformer``/``static``: a text's vector does not depend on the others: used as they are.

With ``ray_address`` the model work runs on a Ray cluster (``embedders.ray_stage``, imported
only then): every chunk for ``transformer`` and ``static``; for ``auto``/``combined`` the
transformer's sample (the projection itself, a sparse product, stays local).
"""

from __future__ import annotations

import logging
import pickle
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from consulta.analysis.embedders import get_embedder
from consulta.analysis.embedders.base import Embedder, normalise_rows
from consulta.analysis.embedders.models import ModelUnavailable

logger = logging.getLogger(__name__)

PROJECTED = ("auto", "combined")
#: Embedders run on Ray as they are, a chunk at a time (embedders.ray_stage.PER_TEXT).
PER_TEXT_ON_RAY = frozenset({"transformer", "static"})


class ChunkEmbedder(Embedder):
    """Texts -> vectors, the same map for every chunk; ``state``: where the fit is kept."""

    def __init__(self, embedder: str, state: Path, cache_dir: str | None = None,
                 ray_address: str | None = None):
        self.embedder = embedder
        self.state = Path(state)
        self.cache_dir = cache_dir
        self.ray_address = ray_address
        self.name = embedder

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        texts = list(texts)
        if self.embedder in PROJECTED:
            try:
                return self._projected(texts)
            except ModelUnavailable as error:
                if self.embedder != "auto":
                    raise
                # As the in-memory auto embedder does without the model package.
                logger.warning("auto embedder: %s. Using TF-IDF/LSA instead.", error)
                self.embedder = self.name = "tfidf"
        if self.embedder == "tfidf":
            return self._tfidf(texts)
        if self.embedder in PER_TEXT_ON_RAY and self.ray_address:
            return self._on_ray(texts, self.embedder)
        return self._plain().embed(texts)

    def describe(self) -> dict:
        described = {"name": self.embedder, "streamed": True,
                     "method": {"auto": "static vectors -> ridge map fitted once on a "
                                        "transformer sample of the first chunk",
                                "combined": "static vectors -> ridge map fitted once on a "
                                            "transformer sample of the first chunk",
                                "tfidf": "TF-IDF/LSA fitted on the first chunk"
                                }.get(self.embedder, "per text")}
        if self.ray_address:
            described["ray"] = self.ray_address
        return described

    # -- the embedders ---------------------------------------------------------------------

    def _plain(self) -> Embedder:
        if getattr(self, "plain_", None) is None:
            self.plain_ = get_embedder(self.embedder, cache_dir=self.cache_dir)
        return self.plain_

    def _on_ray(self, texts: list[str], embedder: str = "transformer") -> np.ndarray:
        from consulta.analysis.embedders.ray_stage import embed_on_ray

        if not texts:
            return self._plain().embed([])
        return normalise_rows(embed_on_ray(texts, address=self.ray_address,
                                           embedder=embedder, cache_dir=self.cache_dir))

    def _projected(self, texts: list[str]) -> np.ndarray:
        from consulta.analysis.embedders.static import StaticEmbedder

        if getattr(self, "static_", None) is None:
            self.static_ = StaticEmbedder(cache_dir=self.cache_dir)
            self.static_._load()
        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        counts = self.static_.token_counts(texts)
        if getattr(self, "weights_", None) is None:
            self._load_or_fit_projection(texts, counts)
        static = normalise_rows(counts @ self.static_.vectors_)
        out = np.zeros((len(texts), self.weights_.shape[1]), dtype=np.float32)
        has_content = np.flatnonzero(np.diff(counts.indptr) > 0)
        for start in range(0, len(has_content), 10_000):  # float32, in slices
            rows = has_content[start:start + 10_000]
            out[rows] = normalise_rows(static[rows] @ self.weights_ + self.bias_)
        return out

    def _load_or_fit_projection(self, texts: list[str], counts) -> None:
        from sklearn.linear_model import Ridge

        from consulta.analysis.embedders.combined import (
            AUTO_TOKEN_BUDGET,
            MIN_SAMPLE,
            RIDGE_ALPHA,
            _bottom_k,
            _candidates,
        )

        path = self.state.with_suffix(".npz")
        if path.exists():
            with np.load(path) as saved:
                self.weights_, self.bias_ = saved["weights"], saved["bias"]
            return
        tokens = np.minimum(np.asarray(counts.sum(axis=1)).ravel(), 254).astype(np.int64)
        candidates = _candidates(texts, tokens)
        sample = _bottom_k(candidates, tokens, None, AUTO_TOKEN_BUDGET)
        if len(sample) < min(MIN_SAMPLE, len(candidates)):
            sample = _bottom_k(candidates, tokens, MIN_SAMPLE, None)
        chosen = [texts[i] for i in sample]
        exact = (self._on_ray(chosen) if self.ray_address
                 else get_embedder("transformer", cache_dir=self.cache_dir).embed(chosen))
        static = normalise_rows(counts[sample] @ self.static_.vectors_)
        model = Ridge(alpha=RIDGE_ALPHA).fit(static, exact)
        self.weights_ = model.coef_.T.astype(np.float32)
        self.bias_ = np.asarray(model.intercept_, dtype=np.float32)
        partial = path.with_suffix(".partial.npz")
        np.savez(partial, weights=self.weights_, bias=self.bias_)
        partial.replace(path)

    def _tfidf(self, texts: list[str]) -> np.ndarray:
        path = self.state.with_suffix(".pickle")
        if getattr(self, "tfidf_", None) is None and path.exists():
            self.tfidf_ = pickle.loads(path.read_bytes())  # our own file, written below
        if getattr(self, "tfidf_", None) is None:
            self.tfidf_ = _FittedTfidf().fit(texts)
            partial = path.with_suffix(".partial")
            partial.write_bytes(pickle.dumps(self.tfidf_))
            partial.replace(path)
        return self.tfidf_.transform(texts)


class _FittedTfidf:
    """TF-IDF over words and character n-grams, reduced by SVD: fitted once, applied after
    (the settings of embedders.tfidf.TfidfEmbedder)."""

    def __init__(self, dimensions: int = 256, seed: int = 0):
        self.dimensions = dimensions
        self.seed = seed

    def fit(self, texts: list[str]) -> _FittedTfidf:
        from scipy.sparse import hstack
        from sklearn.decomposition import TruncatedSVD
        from sklearn.feature_extraction.text import TfidfVectorizer

        texts = [t or " " for t in texts] or [" "]
        self.words_ = TfidfVectorizer(sublinear_tf=True, stop_words="english",
                                      ngram_range=(1, 2), max_features=50_000)
        self.chars_ = TfidfVectorizer(sublinear_tf=True, analyzer="char_wb", ngram_range=(3, 5),
                                      min_df=2 if len(texts) > 50 else 1, max_features=50_000)
        matrix = hstack([self.words_.fit_transform(texts),
                         self.chars_.fit_transform(texts)]).tocsr()
        rank = max(1, min(self.dimensions, matrix.shape[0] - 1, matrix.shape[1] - 1))
        self.svd_ = TruncatedSVD(n_components=rank, random_state=self.seed).fit(matrix)
        return self

    def transform(self, texts: list[str]) -> np.ndarray:
        from scipy.sparse import hstack

        if not texts:
            return np.zeros((0, self.dimensions), dtype=np.float32)
        matrix = hstack([self.words_.transform(texts), self.chars_.transform(texts)]).tocsr()
        out = np.zeros((len(texts), self.dimensions), dtype=np.float32)
        reduced = self.svd_.transform(matrix)
        out[:, :reduced.shape[1]] = reduced
        return normalise_rows(out)
