"""Theme quality against human coders: Consulta, BERTopic and k-means told k, in one run.

    /work/bench-venv/bin/python benchmarks/analysis/quality.py [--data ../shared/data]

Runs in a venv that has BERTopic and sentence-transformers besides Consulta (see README.md);
Consulta itself uses neither. Per question of ArgKP-2021 train and dev and NHS FFT v6 (see
common.py for the data and the scores):
- Consulta with default settings (``AnalysisConfig()``, as ``consulta analyse`` without
  options), one run per data set, as a user would run the command on a file of all questions;
- BERTopic with default settings, given the all-MiniLM-L6-v2 embeddings
  (``BERTopic().fit_transform(docs, embeddings)``); its topic -1 is "unassigned";
- k-means (scikit-learn defaults, random_state=0) told the true number of human themes, on the
  same embeddings.
Stability, Consulta only: ARI between the primary themes of seed 0 and seed 1, and the
``--previous`` check: fit on 90% of each question's answers, then analyse all of them with that
analysis as ``previous``; the share of the 90% whose primary theme id is unchanged.
Prints Markdown tables and writes results/quality.json.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
from sklearn.cluster import KMeans
from sklearn.metrics import adjusted_rand_score

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import (
    DEFAULT_DATA,
    RESULTS,
    Question,
    best_f1,
    command_line,
    fmt,
    load_average,
    load_quality_sets,
    machine,
    machine_line,
    macro,
    minilm_embeddings,
    pct,
    primary_ami,
    table,
    theme_recall,
    today,
    write_json,
)

OTHER = "other"
#: The issue's targets and the figures it measured (BERTopic 0.17.4, MiniLM embeddings).
TARGETS = {"ami": 0.26, "recall": 0.30, "other": 0.05}
ISSUE = {
    "ArgKP dev": {"bertopic": (0.18, 0.12, 0.14), "kmeans": (0.26, 0.18),
                  "target": (0.26, 0.30, 0.05)},
    "NHS FFT v6": {"bertopic": (0.17, 0.06, 0.27), "kmeans": (0.37, 0.18),
                   "target": (0.37, 0.30, 0.05)},
}
STABILITY_TARGETS = {"ari": 0.9, "unchanged": 0.95}


# --- Consulta ----------------------------------------------------------------------------------


def consulta(questions: list[Question], seed: int = 0, previous=None,
             cache_dir: str | None = None, keep: dict[str, list[int]] | None = None):
    """One default run over all the questions given; ``keep``: only these answers per question.

    Returns (per question name: {answer id: AnswerResult}, the Analysis, seconds).
    """
    from consulta.analysis.pipeline import AnalysisConfig, analyse
    from consulta.analysis.records import Answer

    answers = []
    for q in questions:
        indexes = keep[q.name] if keep else range(len(q.texts))
        answers += [Answer(id=q.ids[i], question=q.name, text=q.texts[i]) for i in indexes]
    config = AnalysisConfig(seed=seed, cache_dir=cache_dir)
    started = time.perf_counter()
    analysis = analyse(answers, config, previous=previous)
    seconds = time.perf_counter() - started
    rows: dict[str, dict] = {}
    for row in analysis.answers:
        rows.setdefault(row.question, {})[row.id] = row
    return rows, analysis, seconds


def score_consulta(q: Question, rows: dict) -> dict:
    found = [rows[i] for i in q.ids]
    primary = [r.theme or "(empty)" for r in found]
    every = [[t for t in r.themes if t != OTHER] for r in found]
    first = [[r.theme] if r.theme and r.theme != OTHER else [] for r in found]
    full = [r for r in found if not r.empty]
    recall, eligible = theme_recall(q.gold, every)
    themes = {t for r in found for t in r.themes if t != OTHER}
    broad = {t for t in themes if "." not in t}  # sub-themes are t01.1, t01.2... of t01
    specific = {t for t in themes if not any(s.startswith(t + ".") for s in themes)}
    return {"ami": primary_ami(q.gold, primary), "recall": recall, "eligible": eligible,
            "broad_themes": len(broad), "specific_themes": len(specific),
            "best_f1": float(np.mean(best_f1(q.gold, every) or [np.nan])),
            "recall_primary_only": theme_recall(q.gold, first)[0],
            "recall_specific_only": theme_recall(q.gold, [[t for t in ts if t in specific]
                                                          for ts in every])[0],
            "other": sum(r.theme == OTHER for r in full) / max(len(full), 1),
            "themes": len(themes), "answers": len(found), "empty": len(found) - len(full)}


def embedder_summary(analysis) -> dict:
    """Which embedder "auto" resolved to, per call (one call per question)."""
    described = dict(analysis.embedder)
    calls = described.get("calls") or []
    methods: dict[str, int] = {}
    for call in calls:
        methods[call.get("method", "?")] = methods.get(call.get("method", "?"), 0) + 1
    return {"name": described.get("name"), "requested": described.get("requested", "auto"),
            "version": described.get("version"), "calls_by_method": methods,
            "texts": sum(c.get("texts", 0) for c in calls),
            "transformer_texts": sum(c.get("transformer_texts", 0) for c in calls),
            "fallback_reason": described.get("fallback_reason")}


# --- baselines ---------------------------------------------------------------------------------


def bertopic(q: Question, X: np.ndarray, runs: int) -> tuple[dict, float]:
    """BERTopic's defaults leave UMAP unseeded, so each run differs: the mean of ``runs``."""
    from bertopic import BERTopic

    scores, started = [], time.perf_counter()
    for _ in range(runs):
        topics, _ = BERTopic().fit_transform(q.texts, X)
        topics = [int(t) for t in topics]
        found = [[t] if t >= 0 else [] for t in topics]
        recall, eligible = theme_recall(q.gold, found)
        scores.append({"ami": primary_ami(q.gold, [str(t) for t in topics]), "recall": recall,
                       "best_f1": float(np.mean(best_f1(q.gold, found) or [np.nan])),
                       "unassigned": float(np.mean(np.array(topics) == -1)),
                       "themes": len({t for t in topics if t >= 0})})
    seconds = (time.perf_counter() - started) / runs
    mean = {k: float(np.mean([s[k] for s in scores])) for k in scores[0]}
    return {**mean, "eligible": eligible, "runs": scores}, seconds


def kmeans(q: Question, X: np.ndarray) -> tuple[dict, float]:
    started = time.perf_counter()
    k = min(q.k, len(q.texts))
    labels = KMeans(n_clusters=k, random_state=0).fit_predict(X)
    seconds = time.perf_counter() - started
    found = [[int(t)] for t in labels]
    recall, eligible = theme_recall(q.gold, found)
    return {"ami": primary_ami(q.gold, [str(t) for t in labels]), "recall": recall,
            "best_f1": float(np.mean(best_f1(q.gold, found) or [np.nan])),
            "eligible": eligible, "themes": k}, seconds


# --- stability ---------------------------------------------------------------------------------


def ninety_percent(questions: list[Question], seed: int = 0) -> dict[str, list[int]]:
    rng = np.random.default_rng(seed)
    keep = {}
    for q in questions:
        n = len(q.texts)
        keep[q.name] = sorted(rng.permutation(n)[: round(0.9 * n)].tolist())
    return keep


def stability(questions: list[Question], first: dict, cache_dir: str | None) -> dict:
    second, _, seconds_seed = consulta(questions, seed=1, cache_dir=cache_dir)
    keep = ninety_percent(questions)
    earlier, analysis, seconds_90 = consulta(questions, cache_dir=cache_dir, keep=keep)
    from consulta.analysis.previous import PreviousAnalysis

    # as a rerun reads it from analysis.json
    previous = PreviousAnalysis.from_json(json.loads(json.dumps(analysis.to_dict(), default=str)))
    later, _, seconds_all = consulta(questions, previous=previous, cache_dir=cache_dir)
    per_question = {}
    for q in questions:
        ids = q.ids
        a = [first[q.name][i].theme for i in ids if not first[q.name][i].empty]
        b = [second[q.name][i].theme for i in ids if not second[q.name][i].empty]
        kept = [q.ids[i] for i in keep[q.name] if not earlier[q.name][q.ids[i]].empty]
        same = sum(earlier[q.name][i].theme == later[q.name][i].theme for i in kept)
        new = [i for i in ids if i not in set(kept)]
        new_other = sum(later[q.name][i].theme == OTHER for i in new)
        themes_before = {r.theme for r in earlier[q.name].values()} - {OTHER, ""}
        themes_after = {r.theme for r in later[q.name].values()} - {OTHER, ""}
        per_question[q.name] = {
            "ari_seeds": float(adjusted_rand_score(a, b)),
            "unchanged": same / max(len(kept), 1),
            "new_answers": len(new), "new_to_other": new_other,
            "themes_added": len(themes_after - themes_before),
        }
    values = per_question.values()
    return {"ari_seeds": macro(v["ari_seeds"] for v in values),
            "ari_seeds_min": min(v["ari_seeds"] for v in values),
            "unchanged": macro(v["unchanged"] for v in values),
            "unchanged_min": min(v["unchanged"] for v in values),
            "seconds": {"seed1": seconds_seed, "ninety": seconds_90, "previous": seconds_all},
            "per_question": per_question}


# --- running -----------------------------------------------------------------------------------


def run_dataset(name: str, questions: list[Question], args) -> dict:
    log(f"{name}: {len(questions)} questions, {sum(len(q.texts) for q in questions):,} answers")
    rows, analysis, seconds = consulta(questions, cache_dir=args.cache_dir)
    log(f"  Consulta {seconds:.1f} s")
    result = {"questions": {}, "seconds": {"consulta": seconds, "bertopic": 0.0, "kmeans": 0.0,
                                           "embeddings": 0.0},
              "embedder": embedder_summary(analysis)}
    for q in questions:
        started = time.perf_counter()
        X = minilm_embeddings(q.texts, args.embedding_cache)
        result["seconds"]["embeddings"] += time.perf_counter() - started
        entry = {"answers": len(q.texts), "k": q.k, "consulta": score_consulta(q, rows[q.name])}
        if not args.skip_bertopic:
            entry["bertopic"], s = bertopic(q, X, args.bertopic_runs)
            result["seconds"]["bertopic"] += s
        entry["kmeans"], s = kmeans(q, X)
        result["seconds"]["kmeans"] += s
        result["questions"][q.name] = entry
    log(f"  baselines {result['seconds']['bertopic']:.1f} s BERTopic, "
        f"{result['seconds']['embeddings']:.1f} s embeddings")
    result["macro"] = macro_scores(result["questions"])
    if not args.skip_stability:
        result["stability"] = stability(questions, rows, args.cache_dir)
        log(f"  stability {sum(result['stability']['seconds'].values()):.1f} s")
    return result


def macro_scores(questions: dict) -> dict:
    """Per method, each measure averaged over the questions."""
    out = {}
    for method in ("consulta", "bertopic", "kmeans"):
        entries = [e[method] for e in questions.values() if method in e]
        if entries:
            out[method] = {measure: macro(e[measure] for e in entries) for measure in entries[0]
                           if measure not in ("eligible", "answers", "empty", "runs")}
            if method == "bertopic":  # the spread of the macro averages over the runs
                out[method]["spread"] = bertopic_spread(entries)
    return out


def bertopic_spread(entries: list[dict]) -> dict:
    """Min and max over BERTopic's runs of each macro average (run i of every question)."""
    runs = len(entries[0]["runs"])
    per_run = [{k: macro(e["runs"][i][k] for e in entries) for k in ("ami", "recall",
                                                                     "unassigned")}
               for i in range(runs)]
    return {k: [min(r[k] for r in per_run), max(r[k] for r in per_run)] for k in per_run[0]}


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def quality_table(results: dict) -> str:
    rows = []
    for name, r in results.items():
        m = r["macro"]
        c = m["consulta"]
        rows.append([name, "Consulta (default)", fmt(c["ami"]), fmt(c["recall"]), fmt(c["best_f1"]),
                     f"other {pct(c['other'])}",
                     f"{fmt(c['broad_themes'], 1)} broad, {fmt(c['specific_themes'], 1)} specific"])
        if "bertopic" in m:
            b = m["bertopic"]
            spread = b["spread"]
            unassigned = (f"unassigned {pct(b['unassigned'])} ({pct(spread['unassigned'][0])}"
                          f"–{pct(spread['unassigned'][1])})")
            rows.append([name, f"BERTopic (default, MiniLM; mean of {runs(r)} runs)",
                         f"{fmt(b['ami'])} ({span(spread['ami'])})",
                         f"{fmt(b['recall'])} ({span(spread['recall'])})", fmt(b["best_f1"]),
                         unassigned, fmt(b["themes"], 1)])
        k = m["kmeans"]
        rows.append([name, "k-means told k (MiniLM)", fmt(k["ami"]), fmt(k["recall"]),
                     fmt(k["best_f1"]), "0%", fmt(k["themes"], 1)])
    return table(["data set", "method", "AMI", "theme recall", "mean best F1",
                  "unassigned / other",
                  "themes per question"], rows)


def runs(result: dict) -> int:
    return len(next(iter(result["questions"].values()))["bertopic"]["runs"])


def span(pair: list[float]) -> str:
    return f"{fmt(pair[0])}–{fmt(pair[1])}"


def target_table(results: dict) -> str:
    rows = []
    for name in ISSUE:
        if name not in results:
            continue
        m = results[name]["macro"]
        b, k, c = m.get("bertopic"), m["kmeans"], m["consulta"]
        goal_ami = ISSUE[name]["target"][0]
        rows.append([
            name,
            f"{fmt(b['ami'])} / {fmt(b['recall'])} / {pct(b['unassigned'])}" if b else "–",
            f"{fmt(k['ami'])} / {fmt(k['recall'])}",
            f"{fmt(c['ami'])} / {fmt(c['recall'])} / {pct(c['other'])}",
            f">= {goal_ami:.2f} / >= {TARGETS['recall']:.2f} / <= {pct(TARGETS['other'])}",
            verdict(c, goal_ami),
        ])
    return table(["data set", "BERTopic AMI / recall / unassigned",
                  "k-means told k: AMI / recall", "Consulta AMI / recall / other",
                  "target (issue)", "met?"], rows)


def verdict(c: dict, goal_ami: float) -> str:
    misses = []
    if c["ami"] < goal_ami:
        misses.append(f"AMI short by {goal_ami - c['ami']:.2f}")
    if c["recall"] < TARGETS["recall"]:
        misses.append(f"recall short by {TARGETS['recall'] - c['recall']:.2f}")
    if c["other"] > TARGETS["other"]:
        misses.append(f"other over by {100 * (c['other'] - TARGETS['other']):.1f} points")
    return "yes" if not misses else "no: " + "; ".join(misses)


def stability_table(results: dict) -> str:
    rows = []
    for name, r in results.items():
        s = r.get("stability")
        if not s:
            continue
        added = sum(v["themes_added"] for v in s["per_question"].values())
        rows.append([name, f"{s['ari_seeds']:.3f} (min {s['ari_seeds_min']:.3f})",
                     f"{100 * s['unchanged']:.1f}% (min {100 * s['unchanged_min']:.1f}%)",
                     str(added)])
    return table(["data set", "ARI seed 0 vs 1, mean (min) over questions",
                  "--previous: 90% unchanged, mean (min)", "themes added by the 10%"], rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--out", type=Path, default=RESULTS / "quality.json")
    parser.add_argument("--cache-dir", help="Consulta's model and embedding cache (default: its own)")
    parser.add_argument("--embedding-cache", type=Path,
                        default=Path("/tmp/consulta-bench/minilm"),
                        help="where the baselines' MiniLM embeddings are kept between runs")
    parser.add_argument("--only", action="append", help="a data set name (repeatable)")
    parser.add_argument("--skip-bertopic", action="store_true")
    parser.add_argument("--bertopic-runs", type=int, default=5,
                        help="BERTopic runs per question, averaged (its UMAP is unseeded)")
    parser.add_argument("--skip-stability", action="store_true")
    args = parser.parse_args(argv)
    info, load_before, started = machine(), load_average(), time.perf_counter()
    sets = {k: v for k, v in load_quality_sets(args.data).items()
            if not args.only or k in args.only}
    results = {name: run_dataset(name, questions, args) for name, questions in sets.items()}
    payload = {"date": today(), "command": command_line(), "machine": info,
               "load_average_before": load_before, "load_average_after": load_average(),
               "seconds": round(time.perf_counter() - started, 1), "targets": TARGETS,
               "issue_figures": ISSUE, "stability_targets": STABILITY_TARGETS,
               "results": results}
    write_json(args.out, payload)
    print(f"Machine: {machine_line(info)}")
    print(f"Command: {payload['command']}")
    print(f"Date: {payload['date']}; load average (1, 5, 15 min) before {load_before}, after "
          f"{payload['load_average_after']}; {payload['seconds']:.0f} s in all")
    for name, r in results.items():
        e = r["embedder"]
        print(f"Consulta's embedder on {name}: {e['requested']} -> {e['name']} "
              f"{e['calls_by_method']} ({e['transformer_texts']:,} of {e['texts']:,} texts "
              "through the transformer)")
    print()
    print(quality_table(results))
    print()
    print(target_table(results))
    print()
    print(stability_table(results))
    print(f"\nJSON: {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
