"""Recall and precision of ``consulta.analysis.personal_data`` on a labelled set (issue 11).

The set, ``data/personal_data.jsonl``, is ~200 short consultation-style sentences written for
the project (fictional people; Ofcom drama phone numbers; NHS numbers with valid check digits),
with character spans and kinds, and hard negatives (road names without a number, years, money,
crime reference numbers, "PC" the computer, hospitals and councils). A labelled span is found
when a finding of the same kind overlaps it; a finding is correct when it overlaps a labelled
span of its kind. Rows are "dev" (written first; the rules were then corrected on it) or
"held-out" (written after, never tuned on): the held-out figures are the honest ones.

    .venv/bin/python benchmarks/analysis/personal_data.py [--misses]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from collections import Counter
from pathlib import Path

from consulta.analysis.personal_data import KINDS, find_personal_data

DATA = Path(__file__).parent / "data" / "personal_data.jsonl"
TARGETS = {"email": 0.95, "phone": 0.95, "postcode": 0.95, "name": 0.9}


def _overlaps(a, b) -> bool:
    return a["start"] < b["end"] and b["start"] < a["end"] and a["kind"] == b["kind"]


def score(rows: list[dict], show_misses: bool = False) -> dict[str, dict[str, float]]:
    found, gold, hit, correct = Counter(), Counter(), Counter(), Counter()
    for row in rows:
        predicted = [{"start": f.start, "end": f.end, "kind": f.kind}
                     for f in find_personal_data(row["text"])]
        for span in row["spans"]:
            gold[span["kind"]] += 1
            if any(_overlaps(span, p) for p in predicted):
                hit[span["kind"]] += 1
            elif show_misses:
                print(f"MISSED {span['kind']}: {row['text'][span['start']:span['end']]!r} "
                      f"in {row['text']!r}")
        for p in predicted:
            found[p["kind"]] += 1
            if any(_overlaps(p, span) for span in row["spans"]):
                correct[p["kind"]] += 1
            elif show_misses:
                print(f"WRONG {p['kind']}: {row['text'][p['start']:p['end']]!r} "
                      f"in {row['text']!r}")
    return {kind: {"labelled": gold[kind], "found": found[kind],
                   "recall": hit[kind] / gold[kind] if gold[kind] else float("nan"),
                   "precision": correct[kind] / found[kind] if found[kind] else float("nan")}
            for kind in KINDS}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--misses", action="store_true", help="print each miss and false find")
    args = parser.parse_args()
    rows = [json.loads(line) for line in DATA.read_text(encoding="utf-8").splitlines() if line]
    print(f"Machine: {platform.machine()}, nproc {os.cpu_count()}, load average "
          f"{os.getloadavg()[0]:.1f}")
    for split in ("dev", "held-out", None):
        chosen = [row for row in rows if split in (None, row.get("split"))]
        started = time.perf_counter()
        scores = score(chosen, args.misses and split is not None)
        seconds = time.perf_counter() - started
        print(f"\n{split or 'all'}: {len(chosen)} sentences, "
              f"{sum(len(r['spans']) for r in chosen)} labelled spans, {seconds * 1000:.0f} ms\n")
        print("| kind | labelled | found | recall | precision | recall target |")
        print("|---|---|---|---|---|---|")
        for kind, s in scores.items():
            target = f">= {TARGETS[kind]}" if kind in TARGETS else "–"
            print(f"| {kind} | {s['labelled']} | {s['found']} | {s['recall']:.2f} | "
                  f"{s['precision']:.2f} | {target} |")


if __name__ == "__main__":
    main()
