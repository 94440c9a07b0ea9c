"""Segmentation: a long answer becomes several points, so one answer can carry several themes.

Short answers stay whole. A longer one is split at paragraphs, then bullet and numbered-list
items, then (for a paragraph of more than one short sentence) at sentences; fragments of a few words are merged into a
neighbour because on their own they say too little to be themed. Every point keeps its
character offsets in the answer, and ``answer`` (its index) so results roll back up.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n\s*")
LIST_ITEM = re.compile(r"^[ \t]*(?:[-*•·–—]|\(?\d{1,3}[.)]|\(?[a-zA-Z][.)])[ \t]+", re.MULTILINE)
# A sentence ends at . ! ? (and closing quotes/brackets) followed by space and a capital,
# digit or opening quote; "e.g. this" and "3.5" do not end one.
SENTENCE_END = re.compile(r"(?<=[.!?])[\"'”’)\]]*\s+(?=[\"'“‘(]?[A-Z0-9])")
WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class Segment:
    answer: int  # index of the answer in the list given to ``segment_answers``
    start: int  # character offsets in the answer's text
    end: int
    text: str

    @property
    def words(self) -> int:
        return len(WORD.findall(self.text))


class Segmenter:
    """Splits one text into (start, end) spans. Constructor only stores arguments."""

    # 20 words: about one sentence. "The nurses were kind but I waited four hours" says two
    # things; splitting answers of more than a sentence lifted theme recall on NHS FFT from
    # 0.19 to 0.29 and on ArgKP train from 0.29 to 0.30 (60 words before; 15 gave 0.28/0.33).
    def __init__(self, whole_below_words: int = 20, max_words: int = 20, min_words: int = 5):
        self.whole_below_words = whole_below_words
        self.max_words = max_words
        self.min_words = min_words

    def spans(self, text: str) -> list[tuple[int, int]]:
        whole = _strip_span(text, 0, len(text))
        if whole is None:
            return []
        if _words(text) <= self.whole_below_words:
            return [whole]
        spans: list[tuple[int, int]] = []
        for block in _split(text, [whole], PARAGRAPH_BREAK, keep_marker=False):
            for item in _split(text, [block], LIST_ITEM, keep_marker=True):
                if _words(text[item[0]:item[1]]) > self.max_words:
                    spans.extend(self._sentences(text, item))
                else:
                    spans.append(item)
        return _merge_small(text, spans, self.min_words)

    def _sentences(self, text: str, span: tuple[int, int]) -> list[tuple[int, int]]:
        sentences = _split(text, [span], SENTENCE_END, keep_marker=False)
        # A run-on "sentence" (no punctuation at all) is cut into windows of max_words words.
        out: list[tuple[int, int]] = []
        for start, end in sentences:
            out.extend(_windows(text, start, end, self.max_words * 2))
        return out


def segment_answers(texts: Sequence[str], segmenter: Segmenter | None = None) -> list[Segment]:
    """Points of every text, in order; a text with no content has none."""
    segmenter = segmenter or Segmenter()
    return [
        Segment(answer=index, start=start, end=end, text=text[start:end])
        for index, text in enumerate(texts)
        for start, end in segmenter.spans(text)
    ]


def _words(text: str) -> int:
    return len(WORD.findall(text))


def _strip_span(text: str, start: int, end: int) -> tuple[int, int] | None:
    piece = text[start:end]
    stripped = piece.strip()
    if not stripped:
        return None
    offset = start + (len(piece) - len(piece.lstrip()))
    return offset, offset + len(stripped)


def _split(text: str, spans, pattern: re.Pattern, *, keep_marker: bool) -> list[tuple[int, int]]:
    """Cut each span where ``pattern`` matches; a list marker stays with the item it starts."""
    out: list[tuple[int, int]] = []
    for start, end in spans:
        bounds = [(start, start)]  # (end of the previous piece, start of the next)
        for match in pattern.finditer(text, start, end):
            cut = match.start()
            bounds.append((cut, cut if keep_marker else match.end()))
        bounds.append((end, end))
        for (_, piece_start), (piece_end, _) in pairwise(bounds):
            if piece := _strip_span(text, piece_start, piece_end):
                out.append(piece)
    return out


def _windows(text: str, start: int, end: int, size: int) -> list[tuple[int, int]]:
    words = list(WORD.finditer(text, start, end))
    if len(words) <= size:
        return [(start, end)]
    cuts = [start] + [words[i].start() for i in range(size, len(words), size)] + [end]
    return [p for a, b in pairwise(cuts) if (p := _strip_span(text, a, b))]


def _merge_small(text: str, spans: list[tuple[int, int]], min_words: int) -> list[tuple[int, int]]:
    """Join a fragment under ``min_words`` to the point before it (or after, when first)."""
    merged: list[tuple[int, int]] = []
    for span in spans:
        small = _words(text[span[0]:span[1]]) < min_words
        if merged and (small or _words(text[merged[-1][0]:merged[-1][1]]) < min_words):
            merged[-1] = (merged[-1][0], span[1])
        else:
            merged.append(span)
    return merged
