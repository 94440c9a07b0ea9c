"""Build the stance model shipped in src/consulta/analysis/data/stance_model.npz.

    .venv/bin/python benchmarks/analysis/build_stance_model.py [--data ../shared/data]

The model says whether a point argues for or against the question's proposal ("We should
abandon school uniform"). It is a one-hidden-layer network (scikit-learn's MLPClassifier) over
the features [u, c, u*c, p*c] of the question's vector u, the point's vector v less the mean
of the question's points (c = v - mean) and the proposal's polarity p (-1 for "ban",
"abolish"...; consulta.analysis.stance.proposal_polarity), the vectors from
the project's offline all-MiniLM-L6-v2 embedder (consulta.analysis.embedders, "transformer").
It is trained on ArgKP-2021 *train* (24 topics, each argument's stance +1/-1 towards its topic)
and checked on dev (4 other topics); nothing is tuned on dev beyond choosing among the few
settings below. Only the weights are shipped (about 100k numbers); the data stays in ../shared.
At run time consulta.analysis.stance applies them with numpy (no scikit-learn model, no torch).

ArgKP-2021: IBM, CDLA-Sharing-1.0, (c) IBM 2020; Bar-Haim et al., ACL 2020; Friedman et al.,
ArgMining 2021. See docs/adr/0010-stance.md for why the weights may be shipped.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import ARGKP, DEFAULT_DATA, read_csv

OUT = Path(__file__).resolve().parents[2] / "src/consulta/analysis/data/stance_model.npz"
#: The settings tried (hidden units, L2 penalty); the one with the best dev macro-F1 is kept.
SETTINGS = [(64, 1.0), (64, 3.0), (32, 1.0)]


def load(data: Path, split: str):
    rows = [r for r in read_csv(data / ARGKP / "kpm_data" / f"arguments_{split}.csv")
            if r["argument"].strip()]
    return ([r["topic"] for r in rows], [r["argument"].strip() for r in rows],
            np.array([1 if int(r["stance"]) > 0 else 0 for r in rows]))


def features(embedder, topics, texts) -> np.ndarray:
    """Per argument, the features the pipeline gives a point, its topic as the question."""
    from consulta.analysis.stance import centre_of, pair_features, proposal_polarity

    unique = sorted(set(topics))
    U = dict(zip(unique, embedder.embed(unique)))
    V = embedder.embed(texts)
    out = np.zeros((len(texts), 4 * V.shape[1]), dtype=np.float32)
    for topic in unique:
        rows = [i for i, t in enumerate(topics) if t == topic]
        out[rows] = pair_features(np.broadcast_to(U[topic], (len(rows), V.shape[1])), V[rows],
                                  centre_of(V[rows]), proposal_polarity(topic))
    return out


def main(argv=None) -> int:
    from sklearn.metrics import accuracy_score, f1_score
    from sklearn.neural_network import MLPClassifier

    from consulta.analysis.embedders import get_embedder

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    embedder = get_embedder("transformer")
    Xtr, ytr = features(embedder, *load(args.data, "train")[:2]), load(args.data, "train")[2]
    topics, texts, ydv = load(args.data, "dev")
    Xdv = features(embedder, topics, texts)
    best = None
    for hidden, alpha in SETTINGS:
        model = MLPClassifier((hidden,), alpha=alpha, max_iter=300, early_stopping=True,
                              random_state=0).fit(Xtr, ytr)
        predicted = model.predict(Xdv)
        scores = (f1_score(ydv, predicted, average="macro"), accuracy_score(ydv, predicted))
        print(f"hidden {hidden}, alpha {alpha}: dev macro-F1 {scores[0]:.3f}, "
              f"accuracy {scores[1]:.3f}")
        if best is None or scores[0] > best[0][0]:
            best = (scores, model, hidden, alpha)
    (f1, accuracy), model, hidden, alpha = best
    np.savez_compressed(
        args.out, w1=model.coefs_[0].astype(np.float32), b1=model.intercepts_[0].astype(np.float32),
        w2=model.coefs_[1][:, 0].astype(np.float32), b2=np.float32(model.intercepts_[1][0]),
        embedder=np.str_(embedder.describe().get("version", embedder.name)),
        about=np.str_(f"MLP({hidden}), alpha {alpha}, ArgKP-2021 train; dev macro-F1 {f1:.3f}, "
                      f"accuracy {accuracy:.3f}. IBM ArgKP-2021, CDLA-Sharing-1.0."))
    print(f"kept hidden {hidden}, alpha {alpha} -> {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
