"""Consulta's clustering agreement alone (AMI, theme recall, other), scored as quality.py scores
it, without the baselines (which need torch): a quick check that a change to the analysis does
not lower agreement with the human coders.

Usage: python benchmarks/analysis/consulta_only.py [--only "ArgKP dev" ...] [--data DIR]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common
import quality


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=common.DEFAULT_DATA)
    parser.add_argument("--only", action="append", help="a data set name (repeatable)")
    args = parser.parse_args(argv)
    sets = common.load_quality_sets(args.data)
    print(f"{common.machine_line(common.machine())}; load average {common.load_average()}")
    print("| data set | AMI | theme recall | other | seconds |\n|---|---|---|---|---|")
    for name in args.only or list(sets):
        questions = sets[name]
        rows, _, seconds = quality.consulta(questions)
        scores = [quality.score_consulta(q, rows[q.name]) for q in questions]
        ami, recall, other = (common.macro(s[k] for s in scores) for k in ("ami", "recall", "other"))
        print(f"| {name} | {ami:.3f} | {recall:.3f} | {100 * other:.1f}% | {seconds:.0f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
