"""The embedding stage on a Ray cluster: Ray Data map_batches over CPU actors (issue 12).

Each actor loads the ONNX model once (from the model package installed on its node, derived into
``cache_dir`` there: nothing is downloaded) and embeds batches of texts; rows come back tagged
with their index, so the result is in input order whatever order the batches finish in.

Which embedders: a text's vector must depend on that text alone for the rows to be the ones the
local embedder gives, so ``transformer`` and ``static`` run as they are. ``combined`` and
``auto`` are fitted on the driver and the fitted state shipped: the driver picks the same
bottom-k hash sample the local embedder picks, embeds it with the transformer (on the cluster),
fits the same ridge map, and the actors apply it to the static vectors. Only the sample's
hashes and token counts are computed on the driver, walking the texts in hash order until the
sample is full: the static model never runs over all the texts there.
``tfidf`` is refused: TF-IDF/LSA is fitted on every text at once, so shipping its state would
leave the actors only a matrix product, after the driver had done all the work.

Ray is an optional extra (``pip install 'consulta[ray]'``), imported only here, lazily.
The address is what ``ray.init`` takes: "auto" (the cluster this machine belongs to),
"host:port" (the head's GCS port), or "ray://host:10001" (Ray Client, which also needs
``pip install 'ray[client]'``); a process connects once and reuses the connection. Every node
needs the same Python, Consulta and model package as the driver.

Memory on the driver: the texts once more as Arrow blocks (handed to the object store) and
``out``; a caller streaming a million answers passes a memory-map as ``out``.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Sequence

import numpy as np

INSTALL_LINE = "pip install 'consulta[ray]'"
#: Embedders whose vector for a text is the text's own: they run on the actors as they are.
PER_TEXT = frozenset({"transformer", "static"})
#: Embedders fitted on a sample on the driver, the fitted map applied on the actors.
FITTED = frozenset({"combined", "auto"})

_connected: str | None = None


class RayUnavailable(ValueError):
    """The cluster at the address given cannot be used (a ValueError: a bad setting, which
    the CLI reports in a line). Ray not installed at all raises ImportError, naming the extra."""


def embed_on_ray(texts: Sequence[str], *, address: str, embedder: str, cache_dir=None,
                 batch_size: int = 256, actors: int | None = None,
                 out: np.ndarray | None = None,
                 progress: Callable[[int], None] | None = None) -> np.ndarray:
    """Vectors for ``texts`` (float32, one row per text, in order) computed on a Ray cluster.

    The rows are the local ``get_embedder(embedder)``'s up to numerical noise. ``out`` (for
    example a float16 memory-map of len(texts) rows) receives the rows as batches finish, so a
    million rows never sit in memory twice; it is returned. ``progress`` is called with the
    number of rows each finished batch held. ``actors`` (one CPU each) defaults to one per CPU
    of the cluster, so adding nodes needs no new setting. ``auto`` spends its transformer budget within this
    one call, as a fresh AutoEmbedder would; without the model package it raises
    ModelUnavailable (locally it would fall back to TF-IDF, which is not run on Ray).
    """
    if embedder not in PER_TEXT | FITTED:
        raise ValueError(_refusal(embedder))
    dimensions = _dimensions(embedder)
    if out is None:
        out = np.zeros((len(texts), dimensions), dtype=np.float32)
    elif out.shape != (len(texts), dimensions):
        raise ValueError(f"out has shape {out.shape}; expected {(len(texts), dimensions)}")
    if not len(texts):
        return out
    ray = connect(address)
    if actors is None:
        actors = max(1, int(ray.cluster_resources().get("CPU", 1)))
    run = functools.partial(_run, batch_size=batch_size, actors=actors)
    if embedder in PER_TEXT:
        return run(texts, {"embedder": embedder, "cache_dir": cache_dir}, out, progress)
    return _embed_fitted(texts, embedder, cache_dir, out, run, progress)


def connect(address: str):
    """Connect this process to the cluster at ``address`` once; later calls reuse it."""
    global _connected
    ray = _import_ray()
    if ray.is_initialized():
        if _connected is not None and _connected != address:
            raise RayUnavailable(f"This process is already connected to the Ray cluster at "
                                 f"{_connected}; it cannot also use {address}.")
        return ray
    import logging

    _probe(address)
    try:
        ray.init(address=address, logging_level=logging.WARNING, log_to_driver=False,
                 configure_logging=False)
    except (ConnectionError, RuntimeError, TimeoutError, ValueError) as error:
        raise RayUnavailable(f"Could not connect to the Ray cluster at {address}: {error}. "
                             f"Is `ray start --head` running there, from the same Python "
                             f"and Consulta as this process?") from None
    _connected = address
    return ray


def _probe(address: str) -> None:
    """Fail in seconds, not minutes: ray.init keeps retrying a head that does not answer."""
    import socket

    host, _, port = address.rpartition(":")
    if address == "auto" or "://" in address or not port.isdigit():
        return
    try:
        with socket.create_connection((host or "127.0.0.1", int(port)), timeout=10):
            pass
    except OSError as error:
        raise RayUnavailable(f"Nothing answers at {address} ({error}): is `ray start --head "
                             f"--port={port}` running there?") from None


def _run(texts: Sequence[str], settings: dict, out: np.ndarray,
         progress: Callable[[int], None] | None, *, batch_size: int, actors: int) -> np.ndarray:
    """Map batches of (index, text) over the actors and write each batch's rows into ``out``."""
    import logging

    import ray.data

    logging.getLogger("ray.data").setLevel(logging.WARNING)  # no per-run banners on stderr
    # ...nor a warning that the progress bars we turn off below are off.
    logging.getLogger("ray.data._internal.progress").setLevel(logging.ERROR)
    context = ray.data.DataContext.get_current()
    context.enable_progress_bars = False  # the caller draws its own (``progress``)
    context.print_on_execution_start = False
    # Blocks are what Ray hands an actor: at least one per actor, at most a batch each.
    block = max(1, min(batch_size, -(-len(texts) // actors)))
    dataset = ray.data.from_arrow(_blocks(texts, block))
    vectors = dataset.map_batches(
        _EmbedActor, fn_constructor_kwargs=settings, batch_size=batch_size, batch_format="numpy",
        compute=ray.data.ActorPoolStrategy(size=actors), num_cpus=1)
    for batch in vectors.iter_batches(batch_size=None, batch_format="numpy"):
        out[batch["index"]] = batch["vector"]
        if progress is not None:
            progress(len(batch["index"]))
    return out


def _blocks(texts: Sequence[str], size: int) -> list:
    """(index, text) as Arrow tables of ``size`` rows: the index puts each row back in place."""
    import pyarrow as pa

    return [pa.table({"index": pa.array(np.arange(start, min(start + size, len(texts)))),
                      "text": pa.array([str(text) for text in texts[start:start + size]],
                                       type=pa.large_string())})
            for start in range(0, len(texts), size)]


class _EmbedActor:
    """Runs on a cluster node: loads the model once, then embeds the batches it is given."""

    def __init__(self, embedder: str, cache_dir=None, projection=None):
        from consulta.analysis.embedders import get_embedder

        # One thread per CPU Ray gave the actor: more would fight the other actors for cores.
        threads = max(1, int(_assigned_cpus()))
        if embedder == "transformer":
            # No on-disk cache here: a node's cache would not be the driver's; the caller keeps
            # its own (the streaming analysis restarts from its memory-mapped chunks).
            self.embedder = get_embedder("transformer", cache_dir, cache=False)
            self.embedder.threads = threads
        else:
            self.embedder = get_embedder("static", cache_dir)
        self.projection = projection  # combined/auto: the ridge map fitted on the driver

    def __call__(self, batch: dict) -> dict:
        texts = [str(text) for text in batch["text"]]
        if self.projection is None:
            vectors = self.embedder.embed(texts)
        else:
            vectors = _project(self.embedder, texts, *self.projection)
        return {"index": batch["index"], "vector": vectors}


def _embed_fitted(texts: Sequence[str], embedder: str, cache_dir, out: np.ndarray, run,
                  progress) -> np.ndarray:
    """combined/auto: the local embedder's sample and ridge map, fitted here, applied there."""
    from consulta.analysis.embedders import get_embedder
    from consulta.analysis.embedders.combined import MIN_SAMPLE, AutoEmbedder
    from consulta.analysis.embedders.static import StaticEmbedder

    local = get_embedder(embedder, cache_dir)  # only its settings are read
    static = StaticEmbedder(cache_dir=cache_dir)
    static._load()
    hashes, order = _hash_order(texts)
    if isinstance(local, AutoEmbedder):  # a fresh run's budget, as a new AutoEmbedder has
        sample, left_over = _walk(texts, order, static, None, local.token_budget)
        if left_over and len(sample) < MIN_SAMPLE:
            sample, left_over = _walk(texts, order, static, MIN_SAMPLE, None)
    else:
        sample, left_over = _walk(texts, order, static, local.sample_size, local.sample_tokens)
    teacher = run([texts[i] for i in sample], {"embedder": "transformer", "cache_dir": cache_dir},
                  np.zeros((len(sample), out.shape[1]), dtype=np.float32), None)
    exact = {hashes[i]: row for i, row in zip(sample, teacher)}
    if left_over:  # texts left over: map the static vectors of all of them into transformer space
        projection = _fit_projection(static, [texts[i] for i in sample], teacher, local.alpha)
        run(texts, {"embedder": "static", "cache_dir": cache_dir, "projection": projection},
            out, progress)
    elif progress is not None:
        progress(len(texts))
    for index, key in enumerate(hashes):  # sampled texts and their duplicates: exact vectors
        row = exact.get(key)
        if row is not None:
            out[index] = row
    return out


def _hash_order(texts: Sequence[str]) -> tuple[list[bytes], list[int]]:
    """Each text's SHA-256, and the first index of each distinct text in hash order."""
    from consulta.analysis.embedders.cache import text_hash

    hashes = [text_hash(str(text)) for text in texts]
    first: dict[bytes, int] = {}
    for index, key in enumerate(hashes):
        first.setdefault(key, index)
    return hashes, [first[key] for key in sorted(first)]


def _walk(texts: Sequence[str], order: list[int], static, max_texts: int | None,
          max_tokens: int | None, chunk: int = 2000) -> tuple[list[int], bool]:
    """combined._bottom_k over texts with content, tokenised only as far as the walk goes.

    Returns the sample (sorted indices) and whether texts with content were left out of it.
    """
    chosen, used = [], 0
    for start in range(0, len(order), chunk):
        indices = order[start:start + chunk]
        counts = static.token_counts([str(texts[i]) for i in indices])
        tokens = np.minimum(np.asarray(counts.sum(axis=1)).ravel(), 254).astype(np.int64)
        for index, count in zip(indices, tokens):
            if not count:  # no content: never sampled, as in combined._candidates
                continue
            if (max_texts is not None and len(chosen) >= max_texts) or (
                    max_tokens is not None and used + count > max_tokens):
                return sorted(chosen), True
            chosen.append(index)
            used += int(count)
    return sorted(chosen), False


def _fit_projection(static, sample: list[str], teacher: np.ndarray, alpha: float):
    """The ridge map from static to transformer vectors, as CombinedEmbedder fits it."""
    from sklearn.linear_model import Ridge

    from consulta.analysis.embedders.base import normalise_rows

    inputs = normalise_rows(static.token_counts(sample) @ static.vectors_)
    model = Ridge(alpha=alpha).fit(inputs, teacher)
    return model.coef_.T.astype(np.float32), model.intercept_.astype(np.float32)


def _project(static, texts: list[str], weights: np.ndarray, bias: np.ndarray) -> np.ndarray:
    """Static vectors through the ridge map, unit rows; a text without content stays zero."""
    from consulta.analysis.embedders.base import normalise_rows

    counts = static.token_counts(texts)
    vectors = normalise_rows(normalise_rows(counts @ static.vectors_) @ weights + bias)
    vectors[np.diff(counts.indptr) == 0] = 0
    return vectors


def _assigned_cpus() -> float:
    import ray

    if not ray.is_initialized():  # outside a Ray worker (the actor's code called directly)
        return float(os.cpu_count() or 1)
    return ray.get_runtime_context().get_assigned_resources().get("CPU", 1.0)


def _dimensions(embedder: str) -> int:
    from consulta.analysis.embedders.models import DIMENSIONS, STATIC_DIMENSIONS

    return STATIC_DIMENSIONS if embedder == "static" else DIMENSIONS


def _import_ray():
    try:
        import ray
        import ray.data
    except ImportError as error:
        raise ImportError(f"The Ray embedding stage needs Ray, an optional extra: "
                          f"{INSTALL_LINE} ({error})") from None
    return ray


def _refusal(embedder: str) -> str:
    if embedder == "tfidf":
        return ("The tfidf embedder is fitted on every text at once, so it gains nothing from "
                "a Ray cluster; run without --ray, or use transformer, static, combined or auto.")
    return f"Unknown embedder {embedder!r} for Ray; choose from transformer, static, combined, auto"
