"""Segmentation: a long answer becomes several points, so one answer can carry several themes.

Short answers stay whole. A longer one is split at paragraphs, then bullet and numbered-list
items, then (for a paragraph of more than one short sentence) at sentences; fragments of a few words are merged into a
neighbour because on their own they say too little to be themed. Every point keeps its
character offsets in the answer, and ``answer`` (its index) so results roll back up.

Filler (``Segment.filler``) never forms a theme: greetings and sign-offs ("Dear Sir/Madam",
"Yours faithfully, Cllr ..."), and short sentences of only talk words ("That's where we are.",
"Thank you for the opportunity to respond"). Such a sentence is kept as a point of its own (not
merged into its neighbour) and marked, so the analysis leaves it out of the themes while the
answer's text, shown in quotes, keeps it. The rules are about a sentence's shape, not any
consultation's words: a salutation or valediction at its start, or no content word at all.
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
SALUTATION = re.compile(r"^(?:dear|to whom it may concern|hello|hi|good (?:morning|afternoon))\b",
                        re.IGNORECASE)
# A letter's sign-off. Thanks count only as a sign-off line ending in a comma ("Many thanks,"):
# in feedback, "Thank you." is gratitude to the staff, a point of its own.
VALEDICTION = re.compile(
    r"^(?:yours(?: (?:faithfully|sincerely|truly|respectfully))?|(?:with )?(?:kind|best|warm)"
    r"(?:est)? (?:regards|wishes)|regards|sincerely|respectfully|with (?:many )?thanks|"
    r"(?:many thanks|thanks(?: again)?|thank you(?: again)?|best|cheers)(?=\s*,\s*$))"
    r"\b[\s,.!]*", re.IGNORECASE)
#: A sign-off is the valediction plus a name, a title and an organisation: a few words.
MAX_SIGN_OFF_WORDS = 12
#: A sentence of only talk words is filler up to this length; longer, it is someone's point.
MAX_FILLER_WORDS = 12
# The talk of writing a response: a short sentence of stop words and these says no point.
_TALK = """
opportunity respond responding response responses reply submit submission submitting comment
comments views feedback consultation consult consulting questionnaire survey sir madam regards
sincerely faithfully yours dear hope attached behalf letter email writing written colleagues
"""
TALK_WORDS = frozenset(_TALK.split())
# Words that may sit beside talk in filler ("I hope this helps, really") without saying more.
_WEAK_WORDS = ("s t d ll re ve m ok okay yes really just well also etc please pleased like "
               "think feel say said thank thanks grateful helps")
_WEAK = frozenset(_WEAK_WORDS.split())
# Closing remarks made of ordinary words: "That's where we are.", "That's all.", "That's it."
CLOSING = re.compile(r"^(?:that['’]?s|that is|this is)\s+(?:where we are|all|it)\b[\s\w,.!]*$",
                     re.IGNORECASE)


@dataclass(frozen=True)
class Segment:
    answer: int  # index of the answer in the list given to ``segment_answers``
    start: int  # character offsets in the answer's text
    end: int
    text: str
    filler: bool = False  # a greeting, sign-off or talk with no point: never themed

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

    def marked_spans(self, text: str) -> list[tuple[int, int, bool]]:
        """``spans``, with sign-offs and filler sentences split off and marked (start, end,
        filler): a filler sentence is never merged into a neighbour, nor one into it."""
        out: list[tuple[int, int, bool]] = []
        for start, end in self.spans(text):
            pieces = _split(text, [(start, end)], SENTENCE_END, keep_marker=False)
            pieces = [p for piece in pieces for p in _split_lines(text, piece)]
            marks = _filler_marks(text, pieces)
            if not any(marks):
                out.append((start, end, False))
                continue
            content = [piece for piece, filler in zip(pieces, marks) if not filler]
            for a, b in _merge_small(text, content, self.min_words):
                out.append((a, b, False))
            out.extend((a, b, True) for (a, b), filler in zip(pieces, marks) if filler)
        return sorted(out)

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
        Segment(answer=index, start=start, end=end, text=text[start:end], filler=filler)
        for index, text in enumerate(texts)
        for start, end, filler in segmenter.marked_spans(text)
    ]


def drop_filler(points: Sequence[Segment]) -> list[Segment]:
    """The points without filler, except where filler is all an answer has: "Thank you" alone
    is that respondent's whole answer (often gratitude, in feedback), so it is kept."""
    has_content = {p.answer for p in points if not p.filler}
    return [p for p in points if not p.filler or p.answer not in has_content]


def is_filler(text: str) -> bool:
    """A greeting, a sign-off, or a short sentence of only stop and talk words."""
    words = [w.lower() for w in WORD.findall(text)]
    if not words:
        return True
    if all(w.isdigit() for w in words):
        return False  # a list number ("1.") belongs to the item it starts
    if len(words) <= MAX_SIGN_OFF_WORDS and (SALUTATION.match(text.strip())
                                             or VALEDICTION.match(text.strip())):
        return not _content_after_valediction(text.strip())
    if len(words) > MAX_FILLER_WORDS:
        return False
    if CLOSING.match(text.strip()) and len(words) <= 6:
        return True
    # Talk, not just short: "Not enough of us." is all stop words but says something.
    stop = _stop_words()
    return (any(w in TALK_WORDS for w in words)
            and all(w in stop or w in TALK_WORDS or w in _WEAK for w in words))


def _filler_marks(text: str, pieces: list[tuple[int, int]]) -> list[bool]:
    """Per piece, whether it is filler; after a sign-off ("Yours faithfully,") the short
    lines that follow (a name, a title, an organisation) are part of it."""
    marks = [is_filler(text[a:b]) for a, b in pieces]
    for i, (a, b) in enumerate(pieces):
        if marks[i] and VALEDICTION.match(text[a:b].strip()) and i >= len(pieces) - 4:
            for j in range(i + 1, len(pieces)):
                if len(WORD.findall(text[pieces[j][0]:pieces[j][1]])) > MAX_SIGN_OFF_WORDS:
                    break
                marks[j] = True
            break
    return marks


def _content_after_valediction(text: str) -> bool:
    """"Thanks for listening, we need more buses" is a point; "Thanks, Jo Bloggs" is not."""
    rest = VALEDICTION.sub("", text, count=1) if VALEDICTION.match(text) else ""
    words = [w.lower() for w in WORD.findall(rest)]
    stop = _stop_words()
    talk = [w for w in words if w not in stop and w not in TALK_WORDS]
    # After "Yours faithfully," come a name and a title: capitalised words, few of them.
    return bool(talk) and not all(w[:1].isupper() for w in WORD.findall(rest)
                                  if w.lower() in talk)


def _stop_words() -> frozenset[str]:
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    return ENGLISH_STOP_WORDS


def _split_lines(text: str, span: tuple[int, int]) -> list[tuple[int, int]]:
    """A span cut at line breaks: a sign-off's "Yours faithfully," sits on its own line."""
    return _split(text, [span], re.compile(r"\n"), keep_marker=False)


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
