"""Latent semantic analysis: TF-IDF over words and character n-grams, reduced by SVD.

Needs no model files, so it always works; it knows only the words of the texts it is given.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from consulta.analysis.embedders.base import Embedder, normalise_rows


class TfidfEmbedder(Embedder):
    name = "tfidf"

    def __init__(self, dimensions: int = 256, seed: int = 0):
        self.dimensions = dimensions
        self.seed = seed

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        from scipy.sparse import hstack
        from sklearn.decomposition import TruncatedSVD
        from sklearn.feature_extraction.text import TfidfVectorizer

        texts = list(texts)
        if not texts:
            return np.zeros((0, self.dimensions), dtype=np.float32)
        words = TfidfVectorizer(sublinear_tf=True, min_df=1, stop_words="english",
                                ngram_range=(1, 2), max_features=50_000)
        chars = TfidfVectorizer(sublinear_tf=True, analyzer="char_wb", ngram_range=(3, 5),
                                min_df=2 if len(texts) > 50 else 1, max_features=50_000)
        matrix = hstack([_fit(words, texts), _fit(chars, texts)]).tocsr()
        rank = min(self.dimensions, matrix.shape[0] - 1, matrix.shape[1] - 1)
        if rank < 1:
            return normalise_rows(matrix.toarray()[:, : self.dimensions])
        reduced = TruncatedSVD(n_components=rank, random_state=self.seed).fit_transform(matrix)
        out = np.zeros((len(texts), self.dimensions), dtype=np.float32)
        out[:, :rank] = reduced
        return normalise_rows(out)

    def describe(self) -> dict:
        return {"name": self.name, "dimensions": self.dimensions, "seed": self.seed}


def _fit(vectorizer, texts: list[str]):
    """Fit, or an empty matrix when the texts hold no usable tokens (all stop words, say)."""
    from scipy.sparse import csr_matrix

    try:
        return vectorizer.fit_transform(texts)
    except ValueError:
        return csr_matrix((len(texts), 1))
