"""Label quality on ArgKP-2021: do the themes' labels say what the experts' key points say?

Per topic (a question, pro and con arguments together), Consulta runs with its defaults; then,
with all-MiniLM-L6-v2 (the project's own offline ONNX embedder, fp32; no torch):
- soft recall: for each expert key point, its best cosine similarity to any theme label of its
  topic ("other" is not a theme), averaged;
- soft precision: for each label, its best similarity to a key point of its topic, averaged;
- ceiling: for each key point, its best similarity to any single argument of its topic (the
  best a label taken verbatim from the answers could do), averaged;
- mean label length in words.
Figures are macro averages over topics. ``keywords`` (the key-phrase labels used before issue
9, kept as a column) is scored the same way, as the "before". Develop on train, report dev.

    .venv/bin/python benchmarks/analysis/labels.py --split dev
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import (
    ARGKP,
    DEFAULT_DATA,
    RESULTS,
    command_line,
    fmt,
    load_argkp,
    load_average,
    machine,
    machine_line,
    read_csv,
    table,
    today,
    write_json,
)

from consulta.analysis import AnalysisConfig, analyse
from consulta.analysis.records import Answer

TARGETS = {"soft_recall": 0.70, "soft_precision": 0.65, "mean_words": 12}
#: Before issue 9, on held-out key points (the issue's own figures).
BEFORE = {"soft_recall": 0.587, "soft_precision": 0.452, "central_quote_recall": 0.694,
          "central_quote_precision": 0.645, "ceiling": 0.760}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--split", choices=("train", "dev"), default="dev")
    parser.add_argument("--topics", type=int, default=None, help="only the first N topics")
    parser.add_argument("--output", type=Path, default=None,
                        help="JSON file (default results/labels.json)")
    parser.add_argument("--show", type=int, default=0, help="print N labels per topic")
    args = parser.parse_args(argv)
    started, load_before = time.time(), load_average()
    questions = load_argkp(args.data, args.split)[: args.topics]
    key_points = _key_points(args.data, args.split)
    embed = _minilm()
    rows, per_topic = {"label": [], "keywords": []}, []
    for q in questions:
        answers = [Answer(id=i, question=q.name, text=t) for i, t in zip(q.ids, q.texts)]
        result = analyse(answers, AnalysisConfig())
        themes = [t for question in result.questions for t in question.themes
                  if t.theme != "other"]
        kps = key_points[q.name]
        K = embed(kps)
        ceiling = float((K @ embed(q.texts).T).max(axis=1).mean())
        topic = {"topic": q.name, "arguments": len(q.texts), "key_points": len(kps),
                 "themes": len(themes), "ceiling": ceiling}
        for kind, found in rows.items():
            labels = [getattr(t, kind) or t.label for t in themes]
            scores = _scores(K, embed(labels), labels)
            topic[kind] = scores
            found.append(scores)
        per_topic.append(topic)
        if args.show:
            print(f"\n{q.name}:")
            for t in themes[: args.show]:
                print(f"  {t.theme:7} {t.label}  [{t.keywords}]\n          {t.summary}")
    summary = {kind: {key: float(np.mean([s[key] for s in scores])) for key in scores[0]}
               for kind, scores in rows.items()}
    summary["ceiling"] = float(np.mean([t["ceiling"] for t in per_topic]))
    info = {"machine": machine(), "command": command_line(), "date": today(),
            "load_before": load_before, "load_after": load_average(),
            "seconds": round(time.time() - started, 1), "split": args.split,
            "targets": TARGETS, "before_issue_9": BEFORE, "summary": summary,
            "topics": per_topic}
    write_json(args.output or RESULTS / "labels.json", info)
    print(_markdown(info))
    return 0


def _scores(K: np.ndarray, L: np.ndarray, labels: list[str]) -> dict:
    sims = K @ L.T  # key points x labels
    return {"soft_recall": float(sims.max(axis=1).mean()),
            "soft_precision": float(sims.max(axis=0).mean()),
            "mean_words": float(np.mean([len(label.split()) for label in labels]))}


def _key_points(data: Path, split: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for row in read_csv(data / ARGKP / "kpm_data" / f"key_points_{split}.csv"):
        found.setdefault(row["topic"], []).append(row["key_point"].strip())
    return found


def _minilm():
    """all-MiniLM-L6-v2, fp32 ONNX (the int8 graph is what the pipeline uses)."""
    from consulta.analysis.embedders.transformer import TransformerEmbedder

    model = TransformerEmbedder(quantized=False)
    memo: dict[str, np.ndarray] = {}

    def embed(texts: list[str]) -> np.ndarray:
        wanted = [t for t in dict.fromkeys(texts) if t not in memo]
        if wanted:
            memo.update(zip(wanted, model.embed(wanted)))
        return np.stack([memo[t] for t in texts]).astype(float)
    return embed


def _markdown(info: dict) -> str:
    s = info["summary"]
    lines = [f"## Label quality, ArgKP {info['split']} ({len(info['topics'])} topics)", "",
             f"Machine: {machine_line(info['machine'])}", f"Command: `{info['command']}`",
             (f"Date: {info['date']}; load average before {info['load_before']}, after "
              f"{info['load_after']}; {info['seconds']} s"), ""]
    lines.append(table(
        ["labels", "soft recall", "soft precision", "mean words"],
        [["key points (label)", fmt(s["label"]["soft_recall"]),
          fmt(s["label"]["soft_precision"]), fmt(s["label"]["mean_words"], 1)],
         ["key phrases (keywords, before)", fmt(s["keywords"]["soft_recall"]),
          fmt(s["keywords"]["soft_precision"]), fmt(s["keywords"]["mean_words"], 1)],
         ["target", ">= 0.70", ">= 0.65", "<= 12"],
         ["ceiling (best argument per key point)", fmt(s["ceiling"]), "", ""]]))
    lines += ["", table(["topic", "arguments", "themes", "recall", "precision", "words",
                         "ceiling"],
                        [[t["topic"], t["arguments"], t["themes"], fmt(t["label"]["soft_recall"]),
                          fmt(t["label"]["soft_precision"]), fmt(t["label"]["mean_words"], 1),
                          fmt(t["ceiling"])] for t in info["topics"]])]
    return "\n".join(lines)


if __name__ == "__main__":
    raise SystemExit(main())
