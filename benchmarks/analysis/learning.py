"""Learning from people's codes (issue 10, "Measure: Learning"): Cohen's kappa of the library's
codes against the human codes on answers the library did not see coded.

Per question, a fifth of the answers (sha256 of the id, mod 5 == 0) are "the person's codes",
given to ``analyse(codes=...)``; the other four fifths are coded by the library with the codes
alone (before: C=1, as before issue 10; after: today's defaults) and with the code frame
(``codebook=``). Kappa (scikit-learn) per question on the four fifths, then the mean.
- NHS FFT v6: the frame is the framework's labels (id = label). An answer's human code is its
  label; with several labels, the first alphabetically is the code given, and the strict kappa
  leaves those answers out (the lenient one counts the machine right on any of them).
- ArgKP-2021: the frame is the topic's key points (id, the key point as its label); an argument's
  code is its matched key point; an argument matched to none is coded "other" (the library's
  "fits no code"), and so scored; one matched to several is left out of the strict kappa.

Usage: python benchmarks/analysis/learning.py [--only "ArgKP dev" ...] [--data DIR]
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common
import numpy as np
from sklearn.metrics import cohen_kappa_score

from consulta.analysis import OTHER, AnalysisConfig, Answer, Code, CodeFrame, analyse
from consulta.analysis import learning as learning_module
from consulta.analysis.coding import CodedAssignment

SETS = ("NHS FFT v6", "ArgKP dev", "ArgKP train")


def coded_by_person(answer_id: str) -> bool:
    return int(hashlib.sha256(answer_id.encode("utf-8")).hexdigest(), 16) % 5 == 0


def human_code(gold: frozenset[str]) -> str:
    return min(gold) if gold else OTHER


def key_points(data: Path, split: str) -> dict[str, str]:
    rows = common.read_csv(data / common.ARGKP / "kpm_data" / f"key_points_{split}.csv")
    return {row["key_point_id"]: row["key_point"].strip() for row in rows}


def frame_for(questions, names: dict[str, str]) -> CodeFrame:
    return CodeFrame([Code(theme=theme, label=names.get(theme, theme), question=q.name)
                      for q in questions for theme in q.gold_themes])


def run(questions, frame: CodeFrame | None) -> tuple[dict, float]:
    answers = [Answer(id=i, question=q.name, text=t) for q in questions
               for i, t in zip(q.ids, q.texts)]
    codes = {(q.name, i): human_code(g) for q in questions for i, g in zip(q.ids, q.gold)
             if coded_by_person(i)}
    started = time.perf_counter()
    analysis = analyse(answers, AnalysisConfig(), codes=codes, codebook=frame)
    return {(r.question, r.id): r.theme for r in analysis.answers}, \
        time.perf_counter() - started


def kappas(questions, themes: dict) -> tuple[float, float, int]:
    strict, lenient, n = [], [], 0
    for q in questions:
        rest = [k for k, i in enumerate(q.ids) if not coded_by_person(i)]
        got = [themes[(q.name, q.ids[k])] for k in rest]
        single = [j for j, k in enumerate(rest) if len(q.gold[k]) <= 1]
        strict.append(cohen_kappa_score([human_code(q.gold[rest[j]]) for j in single],
                                        [got[j] for j in single]))
        human = [g if g in q.gold[k] else human_code(q.gold[k]) for g, k in zip(got, rest)]
        lenient.append(cohen_kappa_score(human, got))
        n += len(rest)
    return float(np.mean(strict)), float(np.mean(lenient)), n


class Before(CodedAssignment):
    """The learner as it was before issue 10 (C=1, embeddings only)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **{**kwargs, "C": 1.0, "lexical": 0.0})


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=common.DEFAULT_DATA)
    parser.add_argument("--only", action="append", choices=SETS)
    args = parser.parse_args(argv)
    print(f"{common.machine_line(common.machine())}; load average {common.load_average()}")
    print(f"Command: {common.command_line()} ({common.today()})\n")
    rows, results = [], {}
    for name in args.only or SETS[:2]:
        if name.startswith("ArgKP"):
            split = name.split()[1]
            questions = common.load_argkp(args.data, split)
            frame = frame_for(questions, key_points(args.data, split))
        else:
            questions = common.load_nhs_v6(args.data)
            frame = frame_for(questions, {})
        original = learning_module.CodedAssignment
        learning_module.CodedAssignment = Before
        try:
            before, before_s = run(questions, None)
        finally:
            learning_module.CodedAssignment = original
        alone, alone_s = run(questions, None)
        framed, framed_s = run(questions, frame)
        for label, themes, seconds in (("--codes alone, before", before, before_s),
                                       ("--codes alone", alone, alone_s),
                                       ("--codes + --codebook", framed, framed_s)):
            strict, lenient, n = kappas(questions, themes)
            other = np.mean([themes[(q.name, i)] == OTHER for q in questions for i in q.ids])
            results.setdefault(name, {})[label] = {"kappa": strict, "kappa_lenient": lenient,
                                                   "scored": n, "other": float(other),
                                                   "seconds": seconds}
            rows.append((name, label, f"{strict:.3f}", f"{lenient:.3f}", n,
                         common.pct(other), f"{seconds:.0f}"))
    print(common.table(("data set", "coded with", "kappa", "kappa (any gold code)",
                        "answers scored", "other", "seconds"), rows))
    common.write_json(common.RESULTS / "learning.json", {
        "machine": common.machine(), "load_average": common.load_average(),
        "command": common.command_line(), "date": common.today(), "results": results})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
