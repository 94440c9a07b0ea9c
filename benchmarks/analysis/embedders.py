"""Embedders: speed, cold start, memory, and agreement with the transformer.

    /work/venv/bin/python benchmarks/analysis/embedders.py [--data ../shared/data]
        [--sizes 1000,10000] [--large 100000] [--model-dir DIR]

Speed: texts of 20-60 words (uniform), made by joining real sentences of ArgKP-2021 and NHS FFT
v6 (deterministic); each embedder runs in a fresh subprocess, so cold start (model load to the
first vector) and peak memory (max RSS) are its own. The embedding cache is off, except in the
"transformer, cache warm" row, which re-reads what the cold row wrote.

Agreement: k-means (k=20, three seeds, one init each) on the transformer's fp32 vectors and on
each embedder's, compared by adjusted Rand index; "pooled" clusters a whole data set (ArgKP
train+dev, 6,515 arguments on 28 topics; NHS FFT v6 comments), "per question" embeds and
clusters each question alone with k=10 (questions of 200+ answers), as the pipeline does. The
first row is fp32 against itself with other k-means seeds: k-means' own noise, the ceiling.

Data: ArgKP-2021 (IBM, CDLA-Sharing-1.0), NHS FFT (pxtextmining, MIT), read in place.
Prints Markdown tables and writes results/embedders.json.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common

SEEDS = (0, 1, 2)
#: (label, embedder name, options) for the speed table; sizes: which sizes it runs at.
SPEED_ROWS = [
    ("transformer fp32", "transformer", {"quantized": False, "cache": False}),
    ("transformer int8", "transformer", {"cache": False}),
    ("transformer int8, cache warm", "transformer", {}),
    ("static", "static", {}),
    ("combined (sample 1,000)", "combined", {"cache": False}),
    ("auto", "auto", {"cache": False}),
    ("tfidf (LSA)", "tfidf", {}),
]
AGREEMENT_ROWS = [
    ("transformer int8", "transformer", {"cache": False}),
    ("static", "static", {}),
    ("tfidf (LSA)", "tfidf", {}),
    ("static + tfidf concatenated (0.7 / 0.3)", "concat", {}),
    ("combined (sample 1,000)", "combined", {"cache": False}),
    ("combined (sample 2,000)", "combined", {"cache": False, "sample_size": 2000}),
]


def make_embedder(name: str, options: dict, model_dir: str):
    from consulta.analysis.embedders import get_embedder
    from consulta.analysis.embedders.combined import CombinedEmbedder
    from consulta.analysis.embedders.transformer import TransformerEmbedder

    options = dict(options)
    if name == "transformer" and options.pop("cache", True) is False:
        return TransformerEmbedder(cache_dir=model_dir, **options)
    if name == "combined":
        return CombinedEmbedder(cache_dir=model_dir, **options)
    if name == "concat":
        return Concatenated(model_dir)
    return get_embedder(name, cache_dir=model_dir, **options)


class Concatenated:
    """The brief's first idea: static and TF-IDF/LSA side by side, weighted (cosine = mix)."""

    def __init__(self, model_dir: str, weight: float = 0.7):
        from consulta.analysis.embedders import get_embedder

        self.static = get_embedder("static", cache_dir=model_dir)
        self.tfidf = get_embedder("tfidf")
        self.weight = weight

    def embed(self, texts):
        from consulta.analysis.embedders.base import normalise_rows

        return normalise_rows(np.hstack([np.sqrt(self.weight) * self.static.embed(texts),
                                         np.sqrt(1 - self.weight) * self.tfidf.embed(texts)]))


def synthetic_texts(data: Path, n: int, seed: int = 0) -> list[str]:
    """n texts of 20-60 words (uniform), joined from real sentences (deterministic)."""
    pool = [text for question in _questions(data) for text in question.texts
            if len(text.split()) >= 3]
    rng = np.random.default_rng(seed)
    texts = []
    for _ in range(n):
        target, words = int(rng.integers(20, 61)), []
        while len(words) < target:
            words += pool[int(rng.integers(len(pool)))].split()
        texts.append(" ".join(words[:target]))
    return texts


def _questions(data: Path):
    return common.load_argkp(data, "train") + common.load_argkp(data, "dev") + \
        common.load_nhs_v6(data)


# --- speed: one embedder, one size, in a fresh process -----------------------------------------


def child(args: argparse.Namespace) -> None:
    """Run by the parent in a subprocess: prints one JSON line."""
    texts = synthetic_texts(Path(args.data), args.n, seed=args.n)
    name, options = args.child, json.loads(args.options)
    started = time.perf_counter()
    embedder = make_embedder(name, options, args.model_dir)
    embedder.embed(texts[:1])
    cold = time.perf_counter() - started
    wall, cpu = time.perf_counter(), time.process_time()
    vectors = embedder.embed(texts)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    peak = _peak_rss_mb()
    print(json.dumps({"n": len(texts), "cold_start_s": cold, "seconds": wall, "cpu_s": cpu,
                      "texts_per_s": len(texts) / wall, "peak_mb": peak,
                      "dimensions": int(vectors.shape[1])}))


def _peak_rss_mb() -> float:
    """This process's peak resident memory. Not ru_maxrss: Linux carries that over a fork."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_child(args, label: str, name: str, options: dict, n: int) -> dict:
    command = [sys.executable, __file__, "--data", str(args.data), "--model-dir", args.model_dir,
               "--child", name, "--options", json.dumps(options), "--n", str(n)]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode:
        print(done.stderr[-2000:], file=sys.stderr)
        return {"label": label, "n": n, "error": done.returncode}
    return {"label": label, **json.loads(done.stdout.strip().splitlines()[-1])}


def speed(args) -> list[dict]:
    sizes = [int(size) for size in args.sizes.split(",")]
    results = []
    for label, name, options in SPEED_ROWS:
        for n in sizes:
            if label == "transformer fp32" and n > sizes[0]:
                continue  # the reference, not a candidate: the smallest size is enough
            if "warm" in label:  # a first run writes the cache; the timed one reads it
                run_child(args, label, name, options, n)
            results.append(run_child(args, label, name, options, n))
            print(f"  {label} @ {n}: {results[-1].get('texts_per_s', 0):.0f} texts/s",
                  file=sys.stderr, flush=True)
    rows = {row[0]: row for row in SPEED_ROWS}
    for label in ("auto", "static"):
        if args.large:
            results.append(run_child(args, *rows[label], args.large))
    return results


# --- agreement --------------------------------------------------------------------------------


def agreement(args) -> dict:
    from sklearn.cluster import KMeans
    from sklearn.metrics import adjusted_rand_score

    def clusters(x, k, seed):
        return KMeans(k, n_init=1, random_state=seed).fit_predict(x)

    def ari(x, reference, k, offset=0):
        return float(np.mean([adjusted_rand_score(clusters(reference, k, s),
                                                  clusters(x, k, s + offset)) for s in SEEDS]))

    sets = {"ArgKP": common.load_argkp(args.data, "train") + common.load_argkp(args.data, "dev"),
            "NHS FFT v6": common.load_nhs_v6(args.data)}
    fp32 = make_embedder("transformer", {"quantized": False, "cache": False}, args.model_dir)
    out: dict = {}
    for dataset, questions in sets.items():
        texts = [t for q in questions for t in q.texts]
        groups, start = [], 0
        for q in questions:
            if len(q.texts) >= 200:
                groups.append(np.arange(start, start + len(q.texts)))
            start += len(q.texts)
        reference = fp32.embed(texts)
        rows = {"k-means noise (fp32 vs fp32, other seeds)": {
            "pooled": ari(reference, reference, 20, offset=10),
            "per_question": float(np.mean([ari(reference[g], reference[g], 10, offset=10)
                                           for g in groups]))}}
        for label, name, options in AGREEMENT_ROWS:
            embedder = make_embedder(name, options, args.model_dir)
            started = time.perf_counter()
            pooled = embedder.embed(texts)
            seconds = time.perf_counter() - started
            per_question = [ari(embedder.embed([texts[i] for i in g]), reference[g], 10)
                            for g in groups]
            rows[label] = {"pooled": ari(pooled, reference, 20),
                           "per_question": float(np.mean(per_question)),
                           "texts": len(texts), "seconds": seconds}
            print(f"  {dataset} {label}: {rows[label]['pooled']:.2f}", file=sys.stderr,
                  flush=True)
        out[dataset] = {"texts": len(texts), "questions": len(groups), "rows": rows}
    return out


# --- report -----------------------------------------------------------------------------------


def report(results: dict) -> str:
    machine = (f"Machine: {results['machine_line']}. Load average before/after: "
               f"{results['load_before']} / {results['load_after']}. {results['date']}.")
    built = (f"Model files built from the package in {results['build_seconds']:.0f} s "
             "(first use, or `consulta models build`).")
    lines = ["## Embedders", "", f"Command: `{results['command']}`", "", machine, "", built, "",
             "### Speed (texts of 20-60 words; fresh process per row; cache off unless said)",
             ""]
    lines.append(common.table(
        ["embedder", "texts", "texts/s", "CPU s", "cold start s", "peak RSS MB"],
        [(r["label"], f"{r['n']:,}", f"{r.get('texts_per_s', 0):,.0f}",
          common.fmt(r.get("cpu_s"), 1), common.fmt(r.get("cold_start_s"), 1),
          f"{r.get('peak_mb', 0):,.0f}") for r in results["speed"]]))
    for dataset, block in results["agreement"].items():
        title = (f"### Agreement with the transformer (fp32): {dataset}, "
                 f"{block['texts']:,} texts, {block['questions']} questions of 200+")
        lines += ["", title, ""]
        lines.append(common.table(
            ["embedder", "ARI pooled, k=20", "ARI per question, k=10"],
            [(label, common.fmt(row["pooled"]), common.fmt(row["per_question"]))
             for label, row in block["rows"].items()]))
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=common.DEFAULT_DATA)
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument("--large", type=int, default=100_000,
                        help="also time auto and static at this size (0: skip)")
    parser.add_argument("--model-dir", help="model cache (default: a fresh temporary one)")
    parser.add_argument("--skip-agreement", action="store_true")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--options", default="{}", help=argparse.SUPPRESS)
    parser.add_argument("--n", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return child(args)
    with tempfile.TemporaryDirectory(prefix="consulta-models-") as scratch:
        args.model_dir = args.model_dir or scratch
        results = run(args)
    print(report(results))
    common.write_json(common.RESULTS / "embedders.json", results)


def run(args) -> dict:
    from consulta.analysis.embedders.models import build_all, status

    info = common.machine()
    results = {"command": common.command_line(), "machine": info,
               "machine_line": common.machine_line(info), "date": common.today(),
               "load_before": common.load_average()}
    started = time.perf_counter()
    build_all(args.model_dir)
    results["build_seconds"] = time.perf_counter() - started
    results["models"] = status(args.model_dir)
    results["speed"] = speed(args)
    results["agreement"] = {} if args.skip_agreement else agreement(args)
    results["load_after"] = common.load_average()
    results["cores"] = os.cpu_count()
    return results


if __name__ == "__main__":
    main()
