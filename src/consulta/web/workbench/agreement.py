"""How far the machine agrees with people, on the answers people coded blind.

Each blind review is one item: the person's theme keys against the machine's (as kept on the
review before anyone changed them). Per theme, "has the theme" is a yes/no code: Cohen's kappa
(scikit-learn), and precision, recall and F1 with the person as the reference. Per question,
the same over every (answer, theme) decision pooled. Precision and recall have Wilson 95%
intervals; kappa and F1 a percentile bootstrap over answers (1,000 resamples, seed 0, so a
page shows the same interval each time). ``n`` is the number of answers behind each figure.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from sklearn.metrics import cohen_kappa_score

RESAMPLES = 1000
SEED = 0
Z = 1.959964


@dataclass(frozen=True)
class Figure:
    value: float | None  # None: undefined (nothing to compare, or both always say the same)
    low: float | None = None
    high: float | None = None
    n: int = 0


@dataclass(frozen=True)
class Agreement:
    key: str  # a theme's key, or "" for the whole question
    n: int  # answers coded blind
    kappa: Figure
    precision: Figure
    recall: Figure
    f1: Figure
    themes: list[Agreement] = field(default_factory=list)


def wilson(successes: int, n: int) -> Figure:
    if n == 0:
        return Figure(None, n=0)
    p = successes / n
    centre = (p + Z * Z / (2 * n)) / (1 + Z * Z / n)
    half = Z * math.sqrt(p * (1 - p) / n + Z * Z / (4 * n * n)) / (1 + Z * Z / n)
    return Figure(p, max(0.0, centre - half), min(1.0, centre + half), n)


def measure(items: list[tuple[set[str], set[str]]], keys: list[str]) -> Agreement:
    """``items``: (person's keys, machine's keys) per blind review; ``keys``: the themes."""
    keys = list(dict.fromkeys([*keys, *sorted({k for p, m in items for k in p | m})]))
    person = np.array([[k in p for k in keys] for p, _ in items], dtype=bool).reshape(
        len(items), len(keys))
    machine = np.array([[k in m for k in keys] for _, m in items], dtype=bool).reshape(
        len(items), len(keys))
    weights = _resamples(len(items))
    themes = [_figures(key, person[:, [j]], machine[:, [j]], weights)
              for j, key in enumerate(keys)]
    return _figures("", person, machine, weights, themes)


def _resamples(n: int) -> np.ndarray:
    """How many times each answer is drawn in each bootstrap resample (RESAMPLES x n)."""
    if n == 0:
        return np.zeros((RESAMPLES, 0))
    return np.random.default_rng(SEED).multinomial(n, [1 / n] * n, size=RESAMPLES)


def _figures(key: str, person: np.ndarray, machine: np.ndarray, weights: np.ndarray,
             themes: list[Agreement] | None = None) -> Agreement:
    n = person.shape[0]
    tp, fp = int((person & machine).sum()), int((~person & machine).sum())
    fn = int((person & ~machine).sum())
    kappa = _kappa(person.ravel(), machine.ravel())
    f1 = 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else None
    boot_kappa, boot_f1 = _bootstrap(person, machine, weights)
    return Agreement(
        key=key, n=n,
        kappa=Figure(kappa, *_interval(boot_kappa, kappa), n=n),
        precision=wilson(tp, tp + fp), recall=wilson(tp, tp + fn),
        f1=Figure(f1, *_interval(boot_f1, f1), n=n), themes=themes or [])


def _kappa(person: np.ndarray, machine: np.ndarray) -> float | None:
    if len(person) == 0 or (len(set(person)) == 1 and len(set(machine)) == 1):
        return None  # one code only on both sides: chance explains everything, kappa is 0/0
    return float(cohen_kappa_score(person, machine))


def _bootstrap(person: np.ndarray, machine: np.ndarray, weights: np.ndarray):
    """Kappa and F1 of every resample, from per-answer counts weighted by the draws."""
    width = person.shape[1]
    with np.errstate(divide="ignore", invalid="ignore"):
        total = weights.sum(axis=1) * width
        agree = weights @ (person == machine).sum(axis=1) / total
        p_person = weights @ person.sum(axis=1) / total
        p_machine = weights @ machine.sum(axis=1) / total
        chance = p_person * p_machine + (1 - p_person) * (1 - p_machine)
        kappa = (agree - chance) / (1 - chance)
        tp = weights @ (person & machine).sum(axis=1)
        wrong = weights @ (person != machine).sum(axis=1)
        f1 = 2 * tp / (2 * tp + wrong)
    return kappa, f1


def _interval(values: np.ndarray, value: float | None) -> tuple[float | None, float | None]:
    values = values[np.isfinite(values)]
    if value is None or not len(values):
        return None, None
    low, high = np.percentile(values, [2.5, 97.5])
    return float(low), float(high)


def for_question(run, question) -> Agreement:
    """Machine against person on this question's blind reviews in ``run``."""
    from consulta.web.workbench.edits import theme_order
    from consulta.web.workbench.models import Review

    reviews = Review.objects.filter(run=run, answer__question=question, blind=True,
                                    reviewed_at__isnull=False, machine_themes__isnull=False)
    items = [(set(themes), set(machine)) for themes, machine
             in reviews.order_by("pk").values_list("themes", "machine_themes")]
    return measure(items, theme_order(run, question))
