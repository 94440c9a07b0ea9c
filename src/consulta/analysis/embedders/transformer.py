"""all-MiniLM-L6-v2 through onnxruntime and tokenizers: the accurate embedder, no torch.

The ONNX graph is derived once from the model package's weights (see models.py). Texts are
tokenised in Rust (``tokenizers``) and cut at 256 tokens (the model's own limit).

The int8 graph quantises activations with one scale per tensor, computed at run time, so in a
batch a text's vector would depend on the other texts and the padding (cosine about 0.99
between a text alone and in a batch). The embedding cache and order-independence need a text's
vector to be its own, so int8 runs one text at a time, on one thread per core: measured as fast
as batches of 32 on 2 cores. fp32 is batch-invariant (to 1e-5), so it runs in batches sorted by
length, padded to the longest of the batch.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

from consulta.analysis.embedders.base import Embedder
from consulta.analysis.embedders.models import DIMENSIONS, ensure_transformer, model_version

MAX_TOKENS = 256


class TransformerEmbedder(Embedder):
    """Sentence embeddings from all-MiniLM-L6-v2 (384 dimensions, unit rows).

    ``quantized`` picks the int8 graph (about twice as fast, cosine about 0.99 with fp32).
    ``batch_size`` defaults to 1 for int8 and 32 for fp32 (see the module's note);
    ``threads`` to the number of cores. ``model_path``/``tokenizer_path`` bypass the model
    cache (used while building it).
    """

    name = "transformer"

    def __init__(self, cache_dir: str | os.PathLike | None = None, quantized: bool = True,
                 batch_size: int | None = None, max_tokens: int = MAX_TOKENS, threads: int | None = None,
                 model_path: str | os.PathLike | None = None,
                 tokenizer_path: str | os.PathLike | None = None):
        self.cache_dir = cache_dir
        self.quantized = quantized
        self.batch_size = batch_size
        self.max_tokens = max_tokens
        self.threads = threads
        self.model_path = model_path
        self.tokenizer_path = tokenizer_path

    @property
    def dimensions(self) -> int:
        return DIMENSIONS

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        texts = list(texts)
        out = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
        if not texts:
            return out
        self._load()
        encodings = self.tokenizer_.encode_batch(texts)
        lengths = np.array([len(encoding.ids) for encoding in encodings])
        # Only [CLS] [SEP]: an empty or whitespace text has no content, so a zero row.
        order = [i for i in np.argsort(lengths, kind="stable") if lengths[i] > 2]
        size = self._batch_size()
        batches = [order[start:start + size] for start in range(0, len(order), size)]

        def run(rows: list[int]) -> np.ndarray:
            ids, mask = _pad([encodings[i].ids for i in rows])
            return self.session_.run(["sentence_embedding"],
                                     {"input_ids": ids, "attention_mask": mask})[0]

        workers = self._threads() if size == 1 else 1
        with ThreadPoolExecutor(workers) as pool:  # onnxruntime runs without the GIL
            for rows, vectors in zip(batches, pool.map(run, batches)):
                out[rows] = vectors
        return out

    def run_ids(self, ids: np.ndarray, output: str = "sentence_embedding") -> np.ndarray:
        """Run token ids (batch x tokens, no padding) straight through the graph."""
        self._load()
        ids = np.asarray(ids, dtype=np.int64)
        return self.session_.run([output], {"input_ids": ids,
                                            "attention_mask": np.ones_like(ids)})[0]

    def describe(self) -> dict:
        return {"name": self.name, "model": "all-MiniLM-L6-v2", "version": self._version(),
                "precision": "int8" if self.quantized else "fp32", "max_tokens": self.max_tokens,
                "batch_size": self._batch_size(),
                "dimensions": DIMENSIONS}

    def _version(self) -> str:
        if self.model_path is not None:
            return f"file:{Path(self.model_path).name}"
        return model_version()

    def _load(self) -> None:
        if getattr(self, "session_", None) is not None:
            return
        import onnxruntime
        from tokenizers import Tokenizer

        model_path, tokenizer_path = self.model_path, self.tokenizer_path
        if model_path is None or tokenizer_path is None:
            folder = ensure_transformer(self.cache_dir)
            model_path = model_path or folder / f"model-{'int8' if self.quantized else 'fp32'}.onnx"
            tokenizer_path = tokenizer_path or folder / "tokenizer.json"
        tokenizer = Tokenizer.from_file(str(tokenizer_path))
        # The file ships padded and cut at 128; batches are padded here, to their own longest.
        tokenizer.no_padding()
        tokenizer.enable_truncation(self.max_tokens)
        options = onnxruntime.SessionOptions()
        # One text at a time: parallel across texts, one thread each; batches: across cores.
        options.intra_op_num_threads = 1 if self._batch_size() == 1 else self._threads()
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        self.session_ = onnxruntime.InferenceSession(str(model_path), options,
                                                     providers=["CPUExecutionProvider"])
        self.tokenizer_ = tokenizer


    def _batch_size(self) -> int:
        return self.batch_size or (1 if self.quantized else 32)

    def _threads(self) -> int:
        return self.threads or os.cpu_count() or 1


def _pad(sequences: list[list[int]]) -> tuple[np.ndarray, np.ndarray]:
    width = max(len(sequence) for sequence in sequences)
    ids = np.zeros((len(sequences), width), dtype=np.int64)
    mask = np.zeros_like(ids)
    for row, sequence in enumerate(sequences):
        ids[row, :len(sequence)] = sequence
        mask[row, :len(sequence)] = 1
    return ids, mask
