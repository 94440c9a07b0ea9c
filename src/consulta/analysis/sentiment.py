"""Sentiment of consultation answers: positive, mixed or neutral, negative.

A transparent lexicon scorer, offline and fast (pure Python, tens of thousands of answers a
second). It builds on the VADER lexicon (MIT, shipped in ``data/vader_lexicon.txt``) and adds:

- consultation and public-service vocabulary (``data/consultation_lexicon.txt``): words VADER
  lacks ("understaffed", "thorough") and topic nouns it wrongly scores ("care", "support");
- idioms matched as phrases first ("nothing was too much trouble", "could be better");
- clauses: an answer is split into sentences, and sentences at commas and contrast words
  ("but", "however", "apart from"), so negation never leaks across a clause and "but" can
  weigh the second half more (as VADER does);
- negation scope of three words inside the clause, intensifiers ("very", "slightly");
- requests and hypotheticals ("it would be good if", "more staff", "please") carry no positive
  sentiment: a suggestion is not praise;
- purpose and prevention: negative words the answer wants to prevent do not count against it
  ("mandatory so children do not suffer", "to stop bullying", "it reduces crime"): after a
  prevention verb ("prevent", "reduce", "tackle"; "to stop", "to avoid", "to end" as a purpose
  infinitive, not "they need to stop") or a purpose "so (that) ... not", a negative word in the
  next few words (the prevented thing) scores nothing, nor does the verb itself; a positive
  word negated there still counts ("so they could not help");
- mixed: when one answer holds a clearly positive clause and a clearly negative one of
  comparable weight, it is "mixed or neutral" rather than the sign of the sum;
- optional question context: a bare "Nothing" answering "What could we do better?" is
  positive, answering "What was good?" it is negative.

Nothing is learned from data: ``fit`` only loads the lexicons. The default thresholds are
VADER's (compound >= 0.05 positive, <= -0.05 negative) and were not tuned on any benchmark.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from importlib import resources

import numpy as np

from consulta.analysis.constants import MIXED, NEGATIVE, POSITIVE
from consulta.analysis.constants import SENTIMENTS as LABELS

__all__ = ["LABELS", "MIXED", "NEGATIVE", "POSITIVE", "Evidence", "SentimentScorer"]

# VADER's constants: intensifier step, negation scalar and the compound normalisation alpha.
_BOOST = 0.293
_NEGATION_SCALAR = -0.74
_ALPHA = 15.0


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_NEGATORS = _words(
    "not no never none nothing nowhere nobody neither nor without hardly barely rarely seldom "
    "cannot despite"
)
_BOOSTERS = {
    **dict.fromkeys(
        _words(
            "absolutely amazingly completely deeply enormously entirely especially exceptionally "
            "extremely fully greatly highly hugely incredibly particularly quite really "
            "remarkably so thoroughly totally truly utterly very most far"
        ),
        _BOOST,
    ),
    **dict.fromkeys(
        _words("almost slightly somewhat partly marginally occasionally little bit fairly"),
        -_BOOST,
    ),
}
# After one of these in the same clause a positive word is a wish, not an evaluation.
_REQUEST_CUES = _words("would could should need needs needed wish hope if please maybe perhaps ought")
# A clause that opens with one of these is a request ("Better parking", "More staff on nights").
_REQUEST_OPENERS = _words("more better less fewer improve improving increase")
# Words a request cue does not neutralise ("I would recommend").
_REQUEST_EXEMPT = frozenset(["recommend"])
# Verbs that prevent what follows them, in any form ("reduces crime", "preventing harm").
_PREVENTERS = re.compile(
    r"^(?:prevent|reduc|lessen|minimi[sz]|curb|deter(?:s|red|ring|rent)?$|eliminat|eradicat|"
    r"tackl|combat|alleviat|mitigat|counter$|counteract|decreas|relie(?:f|ve))"
)
# Verbs that prevent only as a purpose infinitive ("to stop bullying", not "they stop us").
_PURPOSE_VERBS = _words("stop avoid end fight cut lower beat protect save address")
# ... or after a thing or a "help" that does it ("it stops bullying", "helps stop crime").
_THING_PREVENTS = _words("stop stops avoid avoids end ends save saves protect protects")
_PREVENTING_SUBJECTS = _words("it this which help helps helping")
# Before "to", these make the infinitive a demand or a wish ("they need to stop", "want to
# end"), whose object is the answer's complaint, not something it prevents.
_DEMANDS = _words("need needs needed must have has had got want wants wanted wish going "
                  "please start try trying tried")
_PURPOSE_SO = frozenset(["so", "lest"])
_SO_DEGREE = _words("much many long far often few little bad badly poorly")  # "so much pain"
# The prevented thing: at most this many words after the verb, ending before a new verb phrase
# ("it reduces crime and is awful": "awful" is the answer's own judgement).
_PREVENTED_WORDS = 6
_PREVENTED_END = _words("is are was were be been it they he she we you i which because "
                        "while")
# Contrast words start a new clause; for these the clause after outweighs the one before.
_CONTRAST = _words("but however although though whereas except apart")
_WEIGHTED_CONTRAST = frozenset(["but", "however"])
# Subjects that make "like" the verb of liking, not the preposition ("felt like a number").
_LIKE_SUBJECTS = _words("i we they you really also did do does particularly especially")

_CONTRACTIONS = [
    (re.compile(r"\bcan'?t\b|\bcannot\b"), "can not"),
    (re.compile(r"\bwon'?t\b"), "will not"),
    (re.compile(r"\b(ai|are|could|did|does|do|had|has|have|is|must|need|should|was|were|would)"
                r"n'?t\b"), r"\1 not"),
]
_SENTENCE_SPLIT = re.compile(r"[.!?;:\n\r]+")
_TOKEN = re.compile(r"_p\d+|[a-z]+(?:'[a-z]+)?|,")

# Answers that say "nothing" and no more: their meaning depends on the question.
_BARE_NOTHING = re.compile(
    r"^(?:nothing|none|no|nope|nil|n/?a|not really|no comment|no comments|nothing really|"
    r"nothing at all|nothing else|nothing comes to mind|nothing to add|no improvements?|"
    r"not that i can think of|can'?t think of anything|cannot think of anything|"
    r"i can'?t think of anything|i cannot think of anything)[\s.!,]*(?:thanks?(?: you)?)?[\s.!]*$"
)
_SEEKS_PROBLEMS = re.compile(
    r"improv|better|change|differently|wrong|problem|challeng|concern|worr|dissatisf|complain|"
    r"difficult|barrier|issue|frustrat|worse|dislike|drawback|disadvantage|downside|weakness|"
    r"\brisks?\b|obstacle"
)
_SEEKS_PRAISE = re.compile(r"good|well|best|positive|satisf|enjoy|strength|proud|valu|\blike|"
                           r"(?<!dis)advantage|benefit")


@dataclass(frozen=True)
class Evidence:
    """What a text's clauses add up to. Evidence adds up: an answer's is the sum of its points'
    (points end at sentences, and clauses never cross a sentence; only a run-on sentence of
    40+ words, cut into windows, can differ), so a pipeline scores each point once for framing
    and sums for the answer's sentiment."""

    total: float = 0.0  # the contrast-weighted sum of clause scores
    positive: float = 0.0  # raw sums of positive and negative clauses
    negative: float = 0.0
    best: float = 0.0  # the strongest positive and negative clause
    worst: float = 0.0

    def __add__(self, other: Evidence) -> Evidence:
        return Evidence(self.total + other.total, self.positive + other.positive,
                        self.negative + other.negative, max(self.best, other.best),
                        min(self.worst, other.worst))

    @property
    def compound(self) -> float:
        return _compound(self.total)

    @classmethod
    def sum(cls, parts: Iterable[Evidence]) -> Evidence:
        out = cls()
        for part in parts:
            out = out + part
        return out


class SentimentScorer:
    """Three-class sentiment of answers, deterministic and offline (scikit-learn style).

    ``predict(texts)`` returns labels in :data:`LABELS`; ``predict_scores(texts)`` the compound
    score in [-1, 1] (VADER's normalisation of the weighted clause sum).
    """

    def __init__(
        self,
        neutral_threshold: float = 0.05,
        strong_clause: float = 1.0,
        mixed_ratio: float = 0.5,
    ) -> None:
        self.neutral_threshold = neutral_threshold
        self.strong_clause = strong_clause
        self.mixed_ratio = mixed_ratio

    def fit(self, texts: Sequence[str] | None = None) -> SentimentScorer:
        """Load the lexicons; ``texts`` is ignored (nothing is learned from the data)."""
        lexicon = _read_lexicon("vader_lexicon.txt")
        words, phrases = {}, {}
        for entry, valence in {**lexicon, **_read_lexicon("consultation_lexicon.txt")}.items():
            (phrases if " " in entry else words)[entry] = valence
        # Phrases become placeholder tokens "_p<i>" so the word pass can negate and weigh them.
        ordered = sorted(phrases, key=lambda p: (-len(p), p))
        self.phrase_tokens_ = {p: f"_p{i}" for i, p in enumerate(ordered)}
        self.phrase_pattern_ = re.compile(
            r"\b(?:" + "|".join(r"\s+".join(map(re.escape, p.split())) for p in ordered) + r")\b"
        )
        words.update({self.phrase_tokens_[p]: phrases[p] for p in ordered})
        self.lexicon_ = words
        return self

    def predict(self, texts: Sequence[str], questions: Sequence[str] | str | None = None) -> list[str]:
        return [self.label(self.evidence(text), text, q) for text, q in _pair(texts, questions)]

    def predict_scores(
        self, texts: Sequence[str], questions: Sequence[str] | str | None = None
    ) -> np.ndarray:
        scores = [_compound(self._total(self.evidence(text), text, q))
                  for text, q in _pair(texts, questions)]
        return np.asarray(scores, dtype=np.float64)

    def evidence(self, text: str) -> Evidence:
        """The clauses' evidence for one text (answers add up their points' evidence)."""
        self._ensure_fitted()
        total = positive = negative = best = worst = 0.0
        for _, raw, weight in self._clauses(text):
            total += raw * weight
            if raw > 0:
                positive += raw
                best = max(best, raw)
            else:
                negative -= raw
                worst = min(worst, raw)
        return Evidence(total, positive, negative, best, worst)

    def label(self, evidence: Evidence, text: str = "", question: str | None = None) -> str:
        """The label of a text with this evidence; ``text`` and ``question`` matter only for a
        bare "Nothing", whose meaning is the question's."""
        bare = _bare_nothing(text, question)
        if bare is not None:
            return self._label(Evidence(bare, max(bare, 0.0), max(-bare, 0.0)))
        return self._label(evidence)

    def explain(self, text: str) -> list[tuple[str, float]]:
        """Each clause with its raw score: why an answer got its label."""
        self._ensure_fitted()
        return [(" ".join(c), s) for c, s, _ in self._clauses(text)]

    # -- internals -------------------------------------------------------------------------

    def _ensure_fitted(self) -> None:
        if not hasattr(self, "lexicon_"):
            self.fit()

    def _label(self, evidence: Evidence) -> str:
        positive, negative = evidence.positive, evidence.negative
        strong = evidence.best >= self.strong_clause and evidence.worst <= -self.strong_clause
        if strong and min(positive, negative) >= self.mixed_ratio * max(positive, negative):
            return MIXED
        compound = evidence.compound
        if compound >= self.neutral_threshold:
            return POSITIVE
        if compound <= -self.neutral_threshold:
            return NEGATIVE
        return MIXED

    @staticmethod
    def _total(evidence: Evidence, text: str, question: str | None) -> float:
        bare = _bare_nothing(text, question)
        return evidence.total if bare is None else bare

    def _clauses(self, text: str) -> list[tuple[list[str], float, float]]:
        """(tokens, raw score, contrast weight) for every clause of every sentence."""
        prepared = self.phrase_pattern_.sub(
            lambda m: f" {self.phrase_tokens_[' '.join(m.group(0).split())]} ",
            _normalise(text),
        )
        result = []
        for sentence in _SENTENCE_SPLIT.split(prepared):
            clauses = _split_clauses(_TOKEN.findall(sentence))
            pivot = max((i for i, (w, _) in enumerate(clauses) if w in _WEIGHTED_CONTRAST),
                        default=None)
            for i, (_, tokens) in enumerate(clauses):
                weight = 1.0 if pivot is None else (0.5 if i < pivot else 1.5)
                score = self._clause_score(tokens)
                if tokens:
                    result.append((tokens, score, weight))
        return result

    def _clause_score(self, tokens: list[str]) -> float:
        lexicon = self.lexicon_
        request = bool(tokens) and tokens[0] in _REQUEST_OPENERS
        prevented = _prevented_span(tokens, lexicon)
        score = 0.0
        for i, token in enumerate(tokens):
            if token in _REQUEST_CUES:
                request = True
            valence = _special_case(tokens, i) if token in ("like", "well") else lexicon.get(token)
            if not valence:
                continue
            window = tokens[max(0, i - 3):i]
            for distance, previous in enumerate(reversed(window)):
                boost = _BOOSTERS.get(previous)
                if boost:
                    valence += math.copysign(boost * (1 - 0.05 * distance), valence)
            if any(previous in _NEGATORS for previous in window):
                valence *= _NEGATION_SCALAR
            if request and valence > 0 and token not in _REQUEST_EXEMPT:
                continue
            if i in prevented and lexicon.get(token, 0.0) < 0:
                continue  # something the answer wants to prevent, or the preventing verb
            score += valence
        return score


def _read_lexicon(name: str) -> dict[str, float]:
    text = resources.files("consulta.analysis.data").joinpath(name).read_text(encoding="utf-8")
    lexicon = {}
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        entry, valence = line.split("\t")[:2]
        lexicon[entry.strip()] = float(valence)
    return lexicon


def _normalise(text: str) -> str:
    text = (text or "").lower().replace("\u2019", "'").replace("\u2018", "'")
    for pattern, replacement in _CONTRACTIONS:
        text = pattern.sub(replacement, text)
    return text


def _split_clauses(tokens: list[str]) -> list[tuple[str, list[str]]]:
    """Split at commas and contrast words; each clause remembers the word that opened it."""
    clauses: list[tuple[str, list[str]]] = [("", [])]
    for i, token in enumerate(tokens):
        if token == ",":
            clauses.append((",", []))
        elif token in _CONTRAST and not (token == "apart" and tokens[i + 1:i + 2] != ["from"]):
            clauses.append((token, []))
        else:
            clauses[-1][1].append(token)
    return clauses


def _prevented_span(tokens: list[str], lexicon: dict[str, float]) -> set[int]:
    """The positions of a clause that name what the answer wants prevented, with the word
    that prevents it (empty when nothing is prevented)."""
    span: set[int] = set()
    i = 0
    while i < len(tokens):
        if _prevents(tokens, i, lexicon):
            end, stop = i + 1, min(len(tokens), i + 1 + _PREVENTED_WORDS)
            if tokens[i] in _PURPOSE_SO:  # "so (that) they do not suffer": subject and verb too
                end = stop = min(len(tokens), i + 3 + _PREVENTED_WORDS)
            while end < stop and tokens[end] not in _PREVENTED_END:
                end += 1
            span.update(range(i, end))
            i = end
        else:
            i += 1
    return span


@functools.lru_cache(maxsize=8192)
def _is_preventer(token: str) -> bool:
    return _PREVENTERS.match(token) is not None


def _prevents(tokens: list[str], i: int, lexicon: dict[str, float]) -> bool:
    token, before = tokens[i], tokens[i - 1] if i else ""
    # A demand: "need(s) to stop", "please reduce", "want the police to stop".
    demanded = before in _DEMANDS or (before == "to" and bool(_DEMANDS.intersection(
        tokens[max(0, i - 5):i - 1])))
    if _is_preventer(token):
        return not demanded
    if token in _PURPOSE_VERBS and before == "to":
        return not demanded
    if token in _THING_PREVENTS and before in _PREVENTING_SUBJECTS:
        return True
    # A purpose "so (that) ... not": "so" opening a clause of its own, not "so rude".
    following = tokens[i + 1:i + 6]
    return (token in _PURPOSE_SO and bool(following) and following[0] not in lexicon
            and following[0] not in _BOOSTERS and following[0] not in _SO_DEGREE
            and bool(_NEGATORS.intersection(following)))


def _special_case(tokens: list[str], i: int) -> float:
    previous = tokens[i - 1] if i else ""
    if tokens[i] == "like":
        return 1.5 if previous in _LIKE_SUBJECTS else 0.0
    # "well" as in "worked well", not "as well" or a clause-opening "well,".
    return 0.0 if previous in ("as", "") else 1.1


def _bare_nothing(text: str, question: str | None) -> float | None:
    """Valence of a bare "nothing" answer given its question, or None if it is not one."""
    if not question or not _BARE_NOTHING.match(_normalise(text).strip()):
        return None
    asked = question.lower()
    problems, praise = bool(_SEEKS_PROBLEMS.search(asked)), bool(_SEEKS_PRAISE.search(asked))
    if problems and not praise:
        return 2.0  # nothing to improve: satisfied
    if praise and not problems:
        return -1.5  # nothing was good
    return 0.0


def _compound(total: float) -> float:
    return total / math.sqrt(total * total + _ALPHA)


def _pair(texts: Sequence[str], questions: Sequence[str] | str | None):
    if questions is None or isinstance(questions, str):
        return ((text, questions) for text in texts)
    if len(questions) != len(texts):
        raise ValueError("questions must be one string or one per text")
    return zip(texts, questions)
