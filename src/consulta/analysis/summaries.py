"""A theme's summary: one or two sentences, in respondents' words, saying what its answers say.

Extractive, as the label is: the theme's most central points that are distinct from each other
and from the label (maximal marginal relevance: closeness to the theme's centroid against
similarity to what is already said), each from a different answer, each cut at a clause
boundary when long, joined as sentences. No template text.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from consulta.analysis.keypoints import (
    ENDS_NEEDING_CONTEXT,
    FILLER,
    NEEDS_CONTEXT,
    WORD,
    _balanced,
    _clean,
    _prefixes,
    _sentences,
    _starts_lower,
    shorten_at_clause,
)

MIN_WORDS, MAX_WORDS = 4, 25


@dataclass
class Summary:
    text: str
    points: list[int] = field(default_factory=list)  # the points it quotes, in order


def summarise(texts: Sequence[str], rows: np.ndarray, sims: np.ndarray, embeddings: np.ndarray,
              owners: Sequence[object], label_vector: np.ndarray | None = None,
              label_owner: object = None, mid_sentence: Sequence[bool] | None = None,
              n: int = 2, diversity: float = 0.3,
              duplicate: float = 0.85, pool: int = 30) -> Summary:
    """``rows``: the theme's points, most typical first; ``sims``: each point's cosine to its
    theme's centroid. Picks up to ``n`` points, never one within ``duplicate`` cosine of the
    label or of a point already picked, nor a second point of one answer."""
    said = [label_vector] if label_vector is not None else []
    used = {label_owner} if label_owner is not None else set()
    picked: list[int] = []
    sentences: list[str] = []
    candidates = [int(r) for r in rows[:pool]]
    while candidates and len(picked) < n:
        def value(p: int) -> float:
            overlap = max((float(embeddings[p] @ v) for v in said), default=0.0)
            return (1 - diversity) * float(sims[p]) - diversity * overlap
        best = max(candidates, key=lambda p: (value(p), -p))
        candidates.remove(best)
        if owners[best] in used:
            continue
        if any(float(embeddings[best] @ v) >= duplicate for v in said):
            continue
        sentence = readable_sentence(texts[best], bool(mid_sentence[best]) if mid_sentence
                                     else False)
        if not sentence:
            continue
        picked.append(best)
        sentences.append(sentence)
        said.append(embeddings[best])
        used.add(owners[best])
    if not sentences and len(rows):  # nothing passed: the most typical point, shortened
        first = int(rows[0])
        text = _finish(shorten_at_clause(texts[first], MAX_WORDS))
        return Summary(text, [first]) if text else Summary("")
    return Summary(" ".join(sentences), picked)


def readable_sentence(text: str, mid_sentence: bool = False) -> str:
    """The point's first sentence that reads alone, cut at a clause boundary when long;
    "" when none does (a greeting, a question, a fragment)."""
    sentences = _sentences(text)
    # A point in lower case from a writer who uses capitals starts mid-sentence (a fragment).
    if sentences and _starts_lower(sentences[0]) and (mid_sentence
                                                      or any(c.isupper() for c in text)):
        sentences = sentences[1:]
    for sentence in sentences:
        sentence = _short(_clean(sentence))
        words = [w.lower() for w in WORD.findall(sentence)]
        if (MIN_WORDS <= len(words) <= MAX_WORDS and words[0] not in NEEDS_CONTEXT
                and words[-1] not in ENDS_NEEDING_CONTEXT
                and not FILLER.match(sentence) and not sentence.rstrip().endswith("?")
                and _balanced(sentence)):
            return _finish(sentence)
    return ""


def _short(sentence: str) -> str:
    if len(WORD.findall(sentence)) <= MAX_WORDS:
        return sentence
    fitting = [p for p in _prefixes(sentence) if len(WORD.findall(p)) <= MAX_WORDS]
    return fitting[-1] if fitting else ""


def _finish(sentence: str) -> str:
    sentence = sentence.strip(" ,;:-–—\"'“”")
    if not sentence:
        return ""
    sentence = sentence[:1].upper() + sentence[1:]
    return sentence if sentence.endswith((".", "!")) else sentence + "."
