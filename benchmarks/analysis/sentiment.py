"""Sentiment benchmark: Consulta's SentimentScorer against VADER on NHS FFT patient comments.

    python benchmarks/analysis/sentiment.py [--data ../shared/data/nhs-fft-patient-feedback]
        [--argkp ../shared/data/argkp-2021-train-dev] [--skip-vader]

The VADER baseline needs `pip install vaderSentiment` (Consulta does not use the package);
without it, or with --skip-vader, its rows are left out.

Gold labels. v6framework_230831.csv: the coder's "Comment sentiment", 1 very positive ... 5 very
negative, with mixed comments coded 3 (upstream README). Collapsed to three classes:
1-2 positive, 3 mixed or neutral, 4-5 negative. Rows with no score or no text are left out
(they were not coded). A second, independent check: phase_1/text_data.csv (other trusts and
coders), whose "criticality" -5..5 is collapsed to < 0 negative, 0 mixed or neutral,
> 0 positive; junk values ("-o", "NA", "-9") are left out.

Baseline: VADER's compound score with its documented rule (>= 0.05 positive, <= -0.05
negative, otherwise neutral). Consulta is scored twice: on the text alone (as VADER is), and
with the question each comment answered (what the pipeline knows), which only changes bare
"Nothing"-style answers. Nothing in the scorer was fitted to these files.

Argument-stance confusion (ArgKP-2021, IBM, CDLA-Sharing-1.0, read in place): each argument's
sentiment, scored with its topic as the question, against its gold stance towards the topic
(+1 for the proposal, -1 against). Sentiment is not stance, but an argument FOR a proposal that
comes out negative ("Should be mandatory so children do not suffer") is the error a consultation
lead notices: the table gives each stance's sentiment shares, dev and train.
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
import time
from collections import Counter
from pathlib import Path

from sklearn.metrics import accuracy_score, f1_score

from consulta.analysis.sentiment import LABELS, MIXED, NEGATIVE, POSITIVE, SentimentScorer

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import machine, machine_line, read_csv

HERE = Path(__file__).resolve().parent
DEFAULT_DATA = HERE.parents[2] / "shared" / "data" / "nhs-fft-patient-feedback"
DEFAULT_ARGKP = HERE.parents[2] / "shared" / "data" / "argkp-2021-train-dev"


def load_v6(folder: Path) -> tuple[list[str], list[str], list[str]]:
    collapse = {"1": POSITIVE, "2": POSITIVE, "3": MIXED, "4": NEGATIVE, "5": NEGATIVE}
    texts, questions, gold = [], [], []
    for row in read_csv(folder / "v6framework_230831.csv"):
        score, text = row["Comment sentiment"].strip(), row["FFT answer"].strip()
        if score in collapse and text:
            texts.append(text)
            questions.append(" ".join(row["FFT question"].split()))
            gold.append(collapse[score])
    return texts, questions, gold


def load_phase1(folder: Path) -> tuple[list[str], list[str], list[str]]:
    texts, gold = [], []
    for row in read_csv(folder / "phase_1" / "text_data.csv"):
        text = row["feedback"].strip()
        try:
            value = int(row["criticality"])
        except ValueError:
            continue
        if text and -5 <= value <= 5:
            texts.append(text)
            gold.append(POSITIVE if value > 0 else NEGATIVE if value < 0 else MIXED)
    return texts, [], gold  # the phase 1 questions are anonymised ("Trust A - Q1")


def vader_labels(texts: list[str]) -> tuple[list[str], float]:
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    analyser = SentimentIntensityAnalyzer()
    start = time.perf_counter()
    compounds = [analyser.polarity_scores(t)["compound"] for t in texts]
    elapsed = time.perf_counter() - start
    labels = [POSITIVE if c >= 0.05 else NEGATIVE if c <= -0.05 else MIXED for c in compounds]
    return labels, elapsed


def consulta_labels(texts: list[str], questions: list[str] | None) -> tuple[list[str], float]:
    scorer = SentimentScorer().fit()
    start = time.perf_counter()
    labels = scorer.predict(texts, questions=questions or None)
    return labels, time.perf_counter() - start


def row(name: str, gold: list[str], predicted: list[str], seconds: float) -> str:
    accuracy = accuracy_score(gold, predicted)
    macro_f1 = f1_score(gold, predicted, labels=list(LABELS), average="macro", zero_division=0)
    per_class = f1_score(gold, predicted, labels=list(LABELS), average=None, zero_division=0)
    per_class_text = " / ".join(f"{v:.3f}" for v in per_class)
    speed = len(gold) / seconds if seconds else float("inf")
    return (f"| {name} | {len(gold):,} | {accuracy:.3f} | {macro_f1:.3f} | {per_class_text} "
            f"| {speed:,.0f} |")


def load_arguments(folder: Path, split: str) -> tuple[list[str], list[str], list[str]]:
    texts, topics, stances = [], [], []
    for row in read_csv(folder / "kpm_data" / f"arguments_{split}.csv"):
        texts.append(row["argument"])
        topics.append(row["topic"])
        stances.append(row["stance"].strip())
    return texts, topics, stances


def stance_confusion(folder: Path) -> None:
    """Per split and gold stance, the share of arguments given each sentiment."""
    scorer = SentimentScorer().fit()
    print("| ArgKP split, gold stance | n | positive | mixed or neutral | negative |")
    print("|---|---|---|---|---|")
    for split in ("dev", "train"):
        texts, topics, stances = load_arguments(folder, split)
        predicted = scorer.predict(texts, questions=topics)
        for stance, name in (("1", "for (+1)"), ("-1", "against (-1)")):
            mine = Counter(p for p, s in zip(predicted, stances) if s == stance)
            n = sum(mine.values())
            shares = " | ".join(f"{mine[label] / n:.1%}" for label in LABELS)
            print(f"| {split}, {name} | {n:,} | {shares} |")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--argkp", type=Path, default=DEFAULT_ARGKP)
    parser.add_argument("--skip-vader", action="store_true",
                        help="leave out the VADER baseline (needs the vaderSentiment package)")
    args = parser.parse_args(argv)
    if not (args.data / "v6framework_230831.csv").exists():
        print(f"NHS FFT data not found under {args.data}", file=sys.stderr)
        return 2
    vader = not args.skip_vader and importlib.util.find_spec("vaderSentiment") is not None
    print(f"Machine: {machine_line(machine())}")
    print(f"Command: python benchmarks/analysis/sentiment.py --data {args.data}"
          + ("" if vader else " (VADER left out: --skip-vader or vaderSentiment not installed)"))
    print()
    print("| data set and method | n | accuracy | macro-F1 | F1 positive / mixed or neutral / "
          "negative | texts/s |")
    print("|---|---|---|---|---|---|")
    for name, loader in (("NHS FFT v6", load_v6), ("NHS FFT phase 1", load_phase1)):
        texts, questions, gold = loader(args.data)
        counts = {label: gold.count(label) for label in LABELS}
        if vader:
            predicted, seconds = vader_labels(texts)
            print(row(f"{name}: VADER compound rule", gold, predicted, seconds))
        predicted, seconds = consulta_labels(texts, None)
        print(row(f"{name}: Consulta, text only", gold, predicted, seconds))
        if questions:
            predicted, seconds = consulta_labels(texts, questions)
            print(row(f"{name}: Consulta, with the question", gold, predicted, seconds))
        print(f"| {name} gold classes | " + ", ".join(f"{k}: {v:,}" for k, v in counts.items())
              + " | | | | |")
    if (args.argkp / "kpm_data").exists():
        print()
        stance_confusion(args.argkp)
    else:
        print(f"\nArgKP data not found under {args.argkp}: no argument-stance confusion.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
