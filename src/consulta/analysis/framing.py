"""Framing of a point from an internal-phase answer: challenge, working well, or opportunity.

A transparent cue classifier, so an analyst can see why a point got its framing:

- opportunity: suggestion and modal cues ("could", "should", "would be good", "idea",
  "invest in", "instead of") and imperative recommendations ("Give us ...", "Civilianise ...",
  "More training for ...");
- working well: praise cues ("works well", "good at", "proud", "excellent", "improved"), counted
  only when the sentence's sentiment is positive (so "nothing has improved" is no praise);
- challenge: problem cues ("lack", "too many", "not enough", "struggle", "problem").

Each cue counts 1, except a bare modal ("should", "could", "would"), which counts half: "should"
alone does not make a point an opportunity. The point's sentiment (``SentimentScorer``) adds
half a cue to working well (positive) or challenge (negative), so it breaks ties and decides
when no cue fires. With no evidence at all a point is a challenge: in an internal phase a plain
description of the situation is most often one.

The question is a prior. ``question_hint`` (the question the answer was given to, or a framing
name) gives the framing the question asks for a head start of 1.6 cues, so only strong
evidence of another framing overrides it: two cues (a cue and the point's sentiment are not
enough: they are often the same word, "delays"). An answer to "What are the main drawbacks?"
is a challenge even when it says what should be done or that something is great; "Give us
tablets instead of driving back" is still an opportunity.
:func:`hint_framing` reads the framing from the question's wording with the rules in
``_QUESTION_RULES`` (each a framing and the words that ask for it):

- challenge: drawbacks, disadvantages, downsides, challenges, problems, difficulties, barriers,
  concerns, worries, frustrations, weaknesses, risks, obstacles, issues, what goes wrong or is
  not working (well), what you dislike, the worst;
- working well: what works, goes, is done or performs well, strengths, advantages, benefits,
  successes, what is good, the best, what you like or value, what you are proud of;
- opportunity: opportunities, ideas, suggestions, recommendations, improvements, changes, what
  to do differently, priorities, the future, "one thing", and what or how something could,
  should, can or might be done ("How can the Met ...?", "What should we do?").

A question matching rules of two framings ("What works well and what could improve?") asks for
both, so it gives no prior; nor does a yes/no question ("Should uniforms be mandatory?"):
"should" alone asks for a position, not for ideas.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from consulta.analysis.constants import CHALLENGE, FRAMINGS, OPPORTUNITY, WORKING_WELL
from consulta.analysis.sentiment import SentimentScorer

__all__ = ["CHALLENGE", "FRAMINGS", "OPPORTUNITY", "WORKING_WELL", "FramingClassifier",
           "cues", "hint_framing"]

# Bare modals: weak evidence of a suggestion (half a cue each).
_MODAL_CUES = re.compile(r"\bcould\b(?!\s*(?:not|n't))|\bshould\b|\bwould\b")
_MODAL_WEIGHT = 0.5
_OPPORTUNITY_CUES = re.compile(
    r"\bidea\b|\bopportunit|\binvest(?:ed|ing|ment)? in\b|\bsuggest|"
    r"\brecommend|\binstead of\b|\bwhy not\b|\bneeds? to be\b|\bwe need\b|\bif (?:we|they|you) "
    r"(?:had|could|were|got)\b|\bplease\b|\bpotential\b|\bconsider\b|\bwish\b",
)
_PRAISE_CUES = re.compile(
    r"\bwork(?:s|ed|ing)? (?:really |very )?well\b|\bgo(?:es|ing)? well\b|\bwent well\b|"
    r"\bgood at\b|\bproud\b|\bexcellent\b|\bimproved\b|\bgreat\b|\bbrilliant\b|\bfantastic\b|"
    r"\boutstanding\b|\bsuccess|\bstrength|\bvaluable\b|\bsupportive\b|\bbest\b|\bvery good\b|"
    r"\breally good\b|\bthe best\b|\bbetter than\b|\bgot better\b|\bpositive\b|\bgenuinely good\b|"
    r"\b(?:made|makes|make|making) a (?:\w+ )?difference\b|\bfirst class\b|\blifeline\b"
)
_PROBLEM_CUES = re.compile(
    r"\black(?:s|ing)?\b|\btoo (?:many|much|few|little|long|slow|often)\b|\bnot enough\b|"
    r"\bstruggl|\bproblem|\bshortage|\bunder ?staff|\bshort staffed|\bbacklog|\bdifficult|"
    r"\bbarrier|\bconcern|\bpressure|\bburn(?:t|ed)? ?out\b|\bleaving\b|\bno time\b|\bfail|"
    r"\bbroken\b|\bissue|\bfrustrat|\bworr|\bnobody\b|\bno one\b|\bwaiting\b|\bdelay|\bcuts?\b|"
    r"\bexhaust|\boverwhelm|\bcan(?:not|'t) cope\b|\bunsafe\b|\brisk\b|\bgap\b|\bbottleneck"
)
# Imperative recommendations: a sentence opening with a base-form verb or a comparative request.
_IMPERATIVE_TEXT = (
    "let give stop make bring introduce provide invest create use allow reduce increase fund "
    "build scrap put consider focus train hire recruit get move share simplify review expand "
    "extend ensure start ask listen trust develop set replace remove offer change improve "
    "employ pay restore return treat value talk include involve link join merge automate "
    "streamline standardise standardize protect ring-fence ringfence prioritise prioritize "
    "civilianise civilianize digitise digitize rethink reinstate cut leave more better fewer "
    "less proper dedicated"
)
_IMPERATIVE_VERBS = frozenset(_IMPERATIVE_TEXT.split())
_FIRST_WORD = re.compile(r"^\W*([A-Za-z][A-Za-z'-]*)")
_SENTENCE_START = re.compile(r"(?:^|[.!?;]\s+|\n+)\W*([A-Za-z][A-Za-z'-]*)")
_NOT_IMPERATIVE_AFTER = frozenset(["of", "than", "and", "or"])

# What a question asks for, from its wording (see the module docstring).
_NOT_WORKING = re.compile(
    r"\b(?:not|n't|isn't|aren't|doesn't|don't)\s+(?:\w+\s+)?"
    r"(?:work(?:s|ing|ed)?|go(?:es|ing)?|perform(?:s|ing)?|done)(?:\s+(?:so |very |as )?well)?"
)
_QUESTION_RULES = (
    (CHALLENGE, re.compile(
        r"drawback|disadvantage|downside|challeng|problem|difficult|barrier|concern|worr|"
        r"frustrat|weakness|\brisks?\b|obstacle|\bissues?\b|go(?:es|ne)? wrong|\bwrong\b|"
        r"dislike|\bworst\b|\bnot working\b|complain|pain points?")),
    (WORKING_WELL, re.compile(
        r"\b(?:work|go|perform|do|done|went|run)(?:s|es|ing|ed)? (?:\w+ )?well\b|strength|"
        r"(?<!dis)advantage|\bbenefits? of\b|success|\bgood\b|\bbest\b|\bgreat\b|proud|"
        r"\blike (?:most|best|about)\b|\bvalue (?:most|about)\b|\benjoy|\bpositive|"
        r"\b(?:has|have) (?:\w+ )?improved\b")),
    (OPPORTUNITY, re.compile(
        r"opportunit|\bideas?\b|suggest|recommend|(?<!has )(?<!have )improv|\bchange|"
        r"differently|priorit|\bfuture\b|one thing|innovat|\bbetter\b|"
        r"\b(?:how|what|which|where)\b(?:\s+\w+){0,3}\s+(?:can|could|should|might|would)\s+"
        r"(?:we|they|you|i|it|the|be|this|our|\w+ be)\b")),
)
_HINT_BONUS = 1.6  # a prior: only two cues of another framing override it
_SENTIMENT_WEIGHT = 0.5


class FramingClassifier:
    """Cue-based framing of points; ``predict(points)`` returns labels in :data:`FRAMINGS`."""

    def __init__(
        self, question_hint: str | None = None, scorer: SentimentScorer | None = None
    ) -> None:
        self.question_hint = question_hint
        self.scorer = scorer

    def fit(self, points: Sequence[str] | None = None) -> FramingClassifier:
        """Nothing is learned; this prepares the sentiment scorer used as a tie-breaker."""
        self.scorer_ = (self.scorer or SentimentScorer()).fit()
        return self

    def predict(
        self, points: Sequence[str], question_hint: str | Sequence[str | None] | None = None,
        compounds: Sequence[float] | None = None,
    ) -> list[str]:
        return [max(scores, key=scores.get)
                for scores in self.decision_scores(points, question_hint, compounds)]

    def decision_scores(
        self, points: Sequence[str], question_hint: str | Sequence[str | None] | None = None,
        compounds: Sequence[float] | None = None,
    ) -> list[dict[str, float]]:
        """Per point, the evidence for each framing (cue counts, sentiment, hint).

        ``compounds``: the points' sentiment scores when the caller has them already."""
        if not hasattr(self, "scorer_"):
            self.fit()
        hints = _per_point(question_hint if question_hint is not None else self.question_hint,
                           len(points))
        if compounds is None:
            compounds = self.scorer_.predict_scores(points)
        return [_scores(p, float(c), hint_framing(h)) for p, c, h in zip(points, compounds, hints)]


def hint_framing(question: str | None) -> str | None:
    """The framing a question asks for, or None when it asks for none or several."""
    if not question:
        return None
    if question in FRAMINGS:
        return question
    asked = " ".join(question.lower().replace("_", " ").replace("\u2019", "'").split())
    negated = _NOT_WORKING.search(asked)
    if negated:  # "What is not working well?" asks for challenges, not praise
        asked = asked[:negated.start()] + " not working " + asked[negated.end():]
    matches = [framing for framing, pattern in _QUESTION_RULES if pattern.search(asked)]
    return matches[0] if len(matches) == 1 else None


def cues(point: str) -> dict[str, list[str]]:
    """The cue words found in a point, per framing (praise regardless of sentiment)."""
    text = point.lower()
    found = {
        OPPORTUNITY: [m.group(0) for m in _OPPORTUNITY_CUES.finditer(text)]
        + [m.group(0) for m in _MODAL_CUES.finditer(text)],
        WORKING_WELL: [m.group(0) for m in _PRAISE_CUES.finditer(text)],
        CHALLENGE: [m.group(0) for m in _PROBLEM_CUES.finditer(text)],
    }
    found[OPPORTUNITY] += [f"imperative: {verb}" for verb in _imperatives(point)]
    return found


def _scores(point: str, compound: float, hint: str | None) -> dict[str, float]:
    found = cues(point)
    scores = {
        CHALLENGE: float(len(found[CHALLENGE])),
        WORKING_WELL: float(len(found[WORKING_WELL])) if compound > 0 else 0.0,
        OPPORTUNITY: sum(_MODAL_WEIGHT if _MODAL_CUES.fullmatch(cue) else 1.0
                         for cue in found[OPPORTUNITY]),
    }
    if compound >= 0.05:
        scores[WORKING_WELL] += _SENTIMENT_WEIGHT
    elif compound <= -0.05:
        scores[CHALLENGE] += _SENTIMENT_WEIGHT
    if hint:
        scores[hint] += _HINT_BONUS
    # Exact ties: challenge first (the default with no evidence), then opportunity.
    scores[CHALLENGE] += 1e-9
    scores[OPPORTUNITY] += 5e-10
    return scores


def _imperatives(point: str) -> list[str]:
    verbs = []
    for match in _SENTENCE_START.finditer(point):
        word = match.group(1).lower()
        rest = point[match.end():].lstrip()
        next_word = _FIRST_WORD.match(rest)
        if next_word and next_word.group(1).lower() in _NOT_IMPERATIVE_AFTER:
            continue
        if word in _IMPERATIVE_VERBS or (len(word) > 6 and word.endswith(("ise", "ize"))):
            verbs.append(word)
    return verbs


def _per_point(hint: str | Sequence[str | None] | None, n: int) -> list[str | None]:
    if hint is None or isinstance(hint, str):
        return [hint] * n
    if len(hint) != n:
        raise ValueError("question_hint must be one string or one per point")
    return list(hint)
