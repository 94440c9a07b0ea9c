"""Fast embeddings that agree with the transformer: static vectors mapped into its space.

The static model alone agrees poorly with the transformer on fine distinctions (the issue
measured clustering ARI 0.43; see docs/adr/0005-offline-models.md for ours). Concatenating it
with TF-IDF/LSA did not help and LSA is slow at 100k texts, so the signal added is the
transformer itself, on a sample of the same texts: a ridge regression learns a linear map from
static vectors to transformer vectors on the sample and applies it to the rest. The sampled texts
keep their exact transformer vectors; when every text fits in the sample the result *is* the
transformer's. Output rows are in the transformer's 384-dimensional space either way.

The sample is the texts with the smallest SHA-256 hashes (a bottom-k sketch): it does not depend
on input order, and adding 10% new answers changes only about 10% of it, so re-runs with
``--previous`` see almost the same map.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence

import numpy as np

from consulta.analysis.embedders.base import Embedder, normalise_rows
from consulta.analysis.embedders.cache import CachedEmbedder, text_hash
from consulta.analysis.embedders.models import (
    DIMENSIONS,
    EMBEDDING_CACHE,
    ModelUnavailable,
    model_version,
    models_root,
)
from consulta.analysis.embedders.static import StaticEmbedder
from consulta.analysis.embedders.transformer import TransformerEmbedder

logger = logging.getLogger(__name__)

#: Transformer work per run for "auto", in tokens: about 3,000 answers of 20-60 words (48
#: tokens on average), about 5 s of the int8 model on 2 idle cores (27k tokens/s measured;
#: 3x slower on a busy machine). Counted in tokens, not texts: long answers cost more.
AUTO_TOKEN_BUDGET = 150_000
#: The fewest texts a projection is fitted on, even when a run's budget is spent.
MIN_SAMPLE = 256
RIDGE_ALPHA = 1.0


def transformer_for(cache_dir=None, cache: bool = True) -> Embedder:
    """The int8 transformer, behind the on-disk embedding cache unless ``cache`` is False."""
    embedder = TransformerEmbedder(cache_dir=cache_dir)
    if not cache:
        return embedder
    return CachedEmbedder(embedder, models_root(cache_dir) / EMBEDDING_CACHE)


class CombinedEmbedder(Embedder):
    """Static vectors projected into transformer space, fitted on a sample of the texts.

    The sample holds up to ``sample_size`` texts and up to ``sample_tokens`` tokens (None: no
    limit of that kind).
    """

    name = "combined"

    def __init__(self, cache_dir: str | os.PathLike | None = None, sample_size: int | None = 1000,
                 sample_tokens: int | None = None, alpha: float = RIDGE_ALPHA, cache: bool = True):
        self.cache_dir = cache_dir
        self.sample_size = sample_size
        self.sample_tokens = sample_tokens
        self.alpha = alpha
        self.cache = cache

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        texts = list(texts)
        if not texts:
            return np.zeros((0, DIMENSIONS), dtype=np.float32)
        counts = self._static().token_counts(texts)
        # Tokens as the transformer sees them (cut at its limit): the measure of its cost.
        tokens = np.minimum(np.asarray(counts.sum(axis=1)).ravel(), 254).astype(np.int64)
        candidates = _candidates(texts, tokens)
        sample = self._sample(candidates, tokens)
        return self._project(texts, counts, sample, len(candidates))

    def describe(self) -> dict:
        return {"name": self.name, "version": _version(), "sample_size": self.sample_size,
                "sample_tokens": self.sample_tokens, "alpha": self.alpha,
                "dimensions": DIMENSIONS, "method": "static vectors -> ridge map fitted on a "
                "bottom-k hash sample embedded by the transformer"}

    def _sample(self, candidates: list[int], tokens: np.ndarray) -> list[int]:
        return _bottom_k(candidates, tokens, self.sample_size, self.sample_tokens)

    def _project(self, texts: list[str], counts, sample: list[int], distinct: int) -> np.ndarray:
        from sklearn.linear_model import Ridge

        self.last_ = {"texts": len(texts), "transformer_texts": len(sample),
                      "method": "transformer" if len(sample) == distinct else "combined"}
        out = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
        if not sample:  # nothing with content
            return out
        exact = dict(zip((texts[i] for i in sample),
                         self._teacher().embed([texts[i] for i in sample])))
        has_content = np.diff(counts.indptr) > 0
        rest = [i for i in np.flatnonzero(has_content) if texts[i] not in exact]
        if rest:
            static = normalise_rows(counts @ self._static().vectors_)
            model = Ridge(alpha=self.alpha).fit(static[sample], np.stack([exact[texts[i]]
                                                                          for i in sample]))
            weights = model.coef_.T.astype(np.float32)
            bias = model.intercept_.astype(np.float32)
            for start in range(0, len(rest), 10_000):  # float32, in slices: 100k rows stay small
                rows = rest[start:start + 10_000]
                out[rows] = normalise_rows(static[rows] @ weights + bias)
        for index in np.flatnonzero(has_content):  # sampled texts and their duplicates
            vector = exact.get(texts[index])
            if vector is not None:
                out[index] = vector
        return out

    def _static(self) -> StaticEmbedder:
        if getattr(self, "static_", None) is None:
            self.static_ = StaticEmbedder(cache_dir=self.cache_dir)
            self.static_._load()
        return self.static_

    def _teacher(self) -> Embedder:
        if getattr(self, "teacher_", None) is None:
            self.teacher_ = transformer_for(self.cache_dir, self.cache)
        return self.teacher_


class AutoEmbedder(CombinedEmbedder):
    """The pipeline's default: the transformer while it fits the run's time, else "combined".

    One instance serves one run. A call whose texts fit in what is left of ``token_budget``
    (counted over the run, cached or not, so results never depend on the cache) is embedded by
    the transformer; a larger call gets the combined projection with a sample of what is left
    (at least ``MIN_SAMPLE`` texts). Without the model package it falls back to TF-IDF/LSA
    and says so in ``describe()``.
    """

    name = "auto"

    def __init__(self, cache_dir: str | os.PathLike | None = None,
                 token_budget: int = AUTO_TOKEN_BUDGET, alpha: float = RIDGE_ALPHA,
                 cache: bool = True):
        super().__init__(cache_dir=cache_dir, sample_size=None, alpha=alpha, cache=cache)
        self.token_budget = token_budget

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        if self._fallback() is not None:
            return self.fallback_.embed(texts)
        texts = list(texts)
        vectors = super().embed(texts)
        if texts:
            self.calls_.append(self.last_)
        return vectors

    def describe(self) -> dict:
        if getattr(self, "fallback_", None) is not None:  # known after the first embed
            return {**self.fallback_.describe(), "requested": "auto",
                    "fallback_reason": self.fallback_reason_}
        return {"name": self.name, "version": _version(), "token_budget": self.token_budget,
                "alpha": self.alpha, "dimensions": DIMENSIONS,
                "calls": list(getattr(self, "calls_", []))}

    def _sample(self, candidates: list[int], tokens: np.ndarray) -> list[int]:
        if not hasattr(self, "spent_"):
            self.spent_, self.calls_ = 0, []
        remaining = max(self.token_budget - self.spent_, 0)
        sample = _bottom_k(candidates, tokens, None, remaining)
        if len(sample) < min(MIN_SAMPLE, len(candidates)):
            sample = _bottom_k(candidates, tokens, MIN_SAMPLE, None)
        self.spent_ += int(tokens[sample].sum())
        return sample

    def _fallback(self) -> Embedder | None:
        if not hasattr(self, "fallback_"):
            self.fallback_ = None
            try:
                self._static()
            except ModelUnavailable as error:
                from consulta.analysis.embedders.tfidf import TfidfEmbedder

                logger.warning("auto embedder: %s. Using TF-IDF/LSA instead.", error)
                self.fallback_, self.fallback_reason_ = TfidfEmbedder(), str(error)
        return self.fallback_


def _candidates(texts: list[str], tokens: np.ndarray) -> list[int]:
    """The first index of each distinct text with content, in SHA-256 order of the text."""
    first: dict[bytes, int] = {}
    for index, text in enumerate(texts):
        if tokens[index]:
            first.setdefault(text_hash(text), index)
    return [first[key] for key in sorted(first)]


def _bottom_k(candidates: list[int], tokens: np.ndarray, max_texts: int | None,
              max_tokens: int | None) -> list[int]:
    """The leading candidates within the limits given, as sorted indices."""
    chosen, used = [], 0
    for index in candidates:
        if max_texts is not None and len(chosen) >= max_texts:
            break
        if max_tokens is not None and used + tokens[index] > max_tokens:
            break
        chosen.append(index)
        used += int(tokens[index])
    return sorted(chosen)


def _version() -> str:
    try:
        return model_version()
    except ModelUnavailable:
        return "unavailable"
