"""Quotes: for each theme, the sentences that state it best, shown in their answer's context.

- A quote is a point (a sentence or short answer) of the theme, chosen by how typical it is
  (cosine to the theme's centroid), shown with the sentences around it in its answer (up to
  ``CONTEXT_CHARS``; "…" where the answer goes on), and ``quote_spans`` gives the matched
  sentence's offsets in that text so a report can highlight it.
- One answer is quoted for at most one theme of a question: a long answer touching many themes
  was the quote of 40-78% of a question's quote slots. Themes pick in rounds (each theme its
  best remaining point, themes whose best is most typical first), so every theme gets its first
  quote before any gets its second, and the best quote of a point goes where it fits best.
- Near-copies are not quoted twice for a theme (cosine >= ``DUPLICATE``: campaign letters).
- An answer whose respondent did not consent to publishing (``Answer.quotable`` False) is
  never quoted.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

from consulta.analysis.segment import PARAGRAPH_BREAK, SENTENCE_END

#: Quotes per theme.
N_QUOTES = 5
#: Candidates per theme, most typical first.
POOL = 60
#: Most characters of context shown around a matched sentence.
CONTEXT_CHARS = 500
DUPLICATE = 0.95


def choose_quotes(themes: Sequence, answers: Sequence, points: Sequence, owner: Sequence[int],
                  X: np.ndarray, model) -> None:
    """Set ``quote_ids``, ``quotes`` (context) and ``quote_spans`` of each theme in place.

    ``model``: the fitted ThemeModel (None when themes were learnt from coded examples: the
    quotes are whole answers then, and only the one-theme-per-answer rule is applied)."""
    if model is None:
        _whole_answer_quotes(themes, {a.id for a in answers if not quotable(a)})
        return
    allowed = np.array([quotable(answers[o]) for o in owner], dtype=bool)
    pools = _pools(themes, X, model, allowed)
    point_answer = [answers[owner[p]].id for p in range(len(points))]
    picked = _assign(pools, X, point_answer, _label_sources(themes, points, point_answer))
    for theme in themes:
        chosen = picked.get(theme.theme)
        if chosen is None:
            continue
        theme.quote_ids, theme.quotes, theme.quote_spans = [], [], []
        for p in chosen:
            context, span = quote_context(answers[owner[p]].text, points[p].start, points[p].end)
            theme.quote_ids.append(answers[owner[p]].id)
            theme.quotes.append(context)
            theme.quote_spans.append(list(span))


def quotable(answer) -> bool:
    """Whether the answer may be quoted (objects without the attribute may)."""
    return bool(getattr(answer, "quotable", True))


def quote_context(text: str, start: int, end: int,
                  limit: int = CONTEXT_CHARS) -> tuple[str, tuple[int, int]]:
    """The sentence text[start:end] with the sentences around it (at most ``limit``
    characters), and its offsets in what is returned."""
    if len(text) <= limit or end - start >= limit:
        if len(text) <= limit:
            return text, (start, end)
        return text[start:end], (0, end - start)
    bounds = _sentence_starts(text)
    left, right = start, end
    while True:
        before = max((b for b in bounds if b < left), default=None)
        after = min((b for b in bounds if b > right), default=len(text))
        grew = False
        if before is not None and right - before <= limit:
            left, grew = before, True
        if after > right and after - left <= limit:
            right, grew = after, True
        if not grew:
            break
    piece = text[left:right]
    lead = len(piece) - len(piece.lstrip())
    piece = piece.strip()
    prefix = "… " if left > 0 else ""
    suffix = " …" if right < len(text.rstrip()) else ""
    offset = len(prefix) + start - left - lead
    return prefix + piece + suffix, (offset, offset + end - start)


def _sentence_starts(text: str) -> list[int]:
    found = {0, len(text)}
    found.update(m.end() for m in SENTENCE_END.finditer(text))
    found.update(m.end() for m in PARAGRAPH_BREAK.finditer(text))
    found.update(m.end() for m in re.finditer(r"\n", text))
    return sorted(found)


def _pools(themes: Sequence, X: np.ndarray, model,
           allowed: np.ndarray) -> dict[str, list[tuple[float, int]]]:
    """Per theme id, its candidate points (quality, point index), best first; only points
    ``allowed`` (quotable)."""
    found = {}
    levels = [(model.theme_ids_, model.labels_, model.centroids_),
              (model.group_ids_, model.group_labels_, model.group_centroids_)]
    wanted = {t.theme for t in themes}
    for ids, labels, centroids in levels:
        labels = np.asarray(labels)
        for index, theme in enumerate(ids):
            rows = np.flatnonzero((labels == index) & allowed)
            if theme not in wanted or not len(rows):
                continue
            quality = X[rows] @ centroids[index]
            order = np.lexsort((rows, -quality))[:POOL]
            found[theme] = [(float(quality[o]), int(rows[o])) for o in order]
    return found


def _label_sources(themes: Sequence, points: Sequence, point_answer: Sequence[str]) -> dict:
    """Per theme, the point its label was taken from (the labeller's first quote), so the
    label's source is quoted first; an answer already some other label's source is skipped."""
    where = {(point_answer[p], point.text): p for p, point in enumerate(points)}
    found, used = {}, set()
    for theme in themes:
        if theme.quote_ids and theme.quotes:
            p = where.get((theme.quote_ids[0], theme.quotes[0]))
            if p is not None and point_answer[p] not in used:
                found[theme.theme] = p
                used.add(point_answer[p])
    return found


def _assign(pools: dict, X: np.ndarray, point_answer: Sequence[str],
            first: dict[str, int]) -> dict[str, list[int]]:
    """Round by round, each theme takes its best point from an answer not yet quoted; a
    theme's label source (``first``) is its first quote."""
    picked: dict[str, list[int]] = {theme: [] for theme in pools}
    for theme, p in first.items():
        if theme in picked:
            picked[theme].append(p)
    used: set = {point_answer[p] for p in first.values()}
    for _ in range(N_QUOTES):
        best = {}
        for theme, pool in pools.items():
            if len(picked[theme]) >= N_QUOTES:
                continue
            for quality, p in pool:
                if point_answer[p] in used or _near_copy(X, p, picked[theme]):
                    continue
                best[theme] = (quality, p)
                break
        for theme in sorted(best, key=lambda t: (-best[t][0], t)):
            quality, p = best[theme]
            if point_answer[p] in used:
                continue  # a theme earlier in this round took it
            picked[theme].append(p)
            used.add(point_answer[p])
    return picked


def _near_copy(X: np.ndarray, p: int, chosen: list[int]) -> bool:
    return bool(chosen) and float((X[chosen] @ X[p]).max()) >= DUPLICATE


def _whole_answer_quotes(themes: Sequence, unquotable: set) -> None:
    used: set = set(unquotable)
    for theme in themes:
        kept = [(i, q) for i, q in zip(theme.quote_ids, theme.quotes) if i not in used]
        used.update(i for i, _ in kept)
        theme.quote_ids = [i for i, _ in kept]
        theme.quotes = [q for _, q in kept]
        theme.quote_spans = [[0, len(q)] for q in theme.quotes]
