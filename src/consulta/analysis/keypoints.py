"""Key points: a theme's label is a short sentence from its answers that states its point.

As in IBM's Key Point Analysis (Bar-Haim et al. 2020-21), the candidates are short,
high-quality sentences and clauses taken from the theme's own points, and the label is the one
most central to the theme and matching most of its points:

- Candidates: each sentence of the theme's most typical points, and the clauses of a long
  sentence cut only at clause boundaries (punctuation, "because", "but", "which"...), never
  mid-phrase; lead-ins that carry no point ("I think that", "In my opinion,") are dropped.
- Quality filter: 4-12 words; not a question; no salutation, sign-off or filler ("Yours
  faithfully", "That's where we are"); not opening with a word that needs the sentence before
  it ("This", "It", "Also", "But"); not ending on a dangling word ("the", "and"); at least two
  words of content; no token that is not a word ("sdf", "xxxx").
- Score: cosine to the theme's centroid plus coverage, the share of the theme's points the
  candidate is close to (cosine above ``match_threshold``). A broad theme's coverage is the
  mean over its sub-themes, so its label is what they share, not one sub-theme's point.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from consulta.analysis.segment import _stop_words

WORD = re.compile(r"[^\W_][\w'’-]*", re.UNICODE)
SENTENCE_END = re.compile(r"(?<=[.!?])[\"'”’)\]]*\s+|\n+|(?<=[;])\s+")
# Clause boundaries: punctuation, then words that open a subordinate or coordinate clause.
CLAUSE_BREAK = re.compile(
    r"\s*[,;:()]\s*|\s+[-–—]\s+|\s+(?=(?:because|but|although|though|whereas|while|"
    r"which|so that|since|unless|if|when|as it|as they|as this|as there|as a result|due to|"
    r"in order to|and therefore|and so|and thus|thus|therefore|otherwise)\b)"
    # "X can give A and can allow B": a second predicate ("and" before a verb or a subject)
    r"|\s+(?=and (?:can|could|should|will|would|may|might|must|is|are|was|were|has|have|"
    r"had|does|do|it|they|this|that|there|also|then|so|people|we|you)\b)",
    re.IGNORECASE)
# Where a clause after the break can stand alone: after a comma it is mostly the rest of one
# sentence ("..., the best in the world"), after a semicolon, colon or dash a new statement.
STRONG_BREAK = re.compile(r"\s*[;:]\s*|\s+[-–—]\s+")
# Lead-ins that say who thinks, not what: "I think that smoking..." -> "smoking...".
LEAD_IN = re.compile(
    r"^(?:(?:i|we)\s+(?:really\s+|strongly\s+|do\s+|also\s+)?(?:think|believe|feel|agree|"
    r"would say|reckon|suppose|guess)(?:\s+that)?|in my (?:opinion|view)|personally|"
    r"i am of the opinion that|it is my view that|my view is that|"
    r"(?:the|my|our) (?:\w+ ){0,2}(?:challenges?|problems?|issues?|points?|reasons?|concerns?|"
    r"benefits?|advantages?|priority|priorities|answer|view)(?: (?:is|are|would be)(?: that)?|\s*:)|"
    r"on (?:that|this|the) (?:last |first |second |final )?point|"
    r"(?:yes|no|well|overall|honestly|frankly|basically|first|firstly|second|secondly|third|"
    r"thirdly|fourth|lastly|finally|i agree),?)"
    r"\s*[,:]?\s+",
    re.IGNORECASE)
#: Openings that need the sentence before them to make sense.
NEEDS_CONTEXT = frozenset((
    "this", "that", "these", "those", "it", "its", "it's", "they", "them", "their", "he", "she",
    "his", "her", "him", "also", "but", "and", "or", "so", "because", "however", "therefore",
    "which", "who", "whom", "whose", "as", "then", "thus", "hence", "plus", "although", "though",
    "yet", "still", "moreover", "furthermore", "additionally", "such", "here", "otherwise",
    "instead", "besides", "likewise", "similarly", "meanwhile", "if", "when", "while",
    "whereas", "since", "unless", "until", "where", "same", "above", "both", "either", "one",
    "other", "others", "another", "etc", "e.g", "i.e", "ie", "eg", "nor", "let", "again",
    "said", "you", "your", "ok", "okay", "thanks", "thank", "not", "now", "once", "after",
    "before", "without", "with", "despite", "given", "whenever", "whether", "will", "would",
    "can", "could", "may", "might", "is", "are", "was", "were", "has", "had", "does", "did",
    "how", "what", "why",
))
#: A candidate opening with one of these and holding a comma is an introductory phrase with
#: its main clause cut off ("For the community in Ashgrove, visible policing").
PREPOSITIONS = frozenset((
    "for", "in", "on", "at", "by", "from", "to", "during", "under", "over", "about", "of",
    "among", "across", "through", "within", "like", "unlike", "in", "into", "around",
))
#: Openings that leave the sentence's subject or main clause outside it.
NEEDS_CONTEXT_START = re.compile(
    r"^(?:every time|each time|the moment|as soon as|as long as|in order to|so that|in case|"
    r"due to|apart from|along with|rather than|instead of|(?:most|some|many|all|few|none|"
    r"several|both|each)(?: of them| of us)? (?:are|is|were|was|have|had|do|did|will|would|"
    r"can|could)(?:n['’]?t)?\b)", re.IGNORECASE)
#: One person's experience ("I waste an hour a shift") states a point less well than a
#: general statement, so such candidates lose a little of their score.
FIRST_PERSON = re.compile(r"\b(?:i|i'm|i’m|i've|i’ve|i'd|i’d|me|my|mine|myself)\b",
                          re.IGNORECASE)
#: After a comma, the rest of a list ("from Black, Asian and minority ethnic backgrounds"):
#: no cut there.
LIST_GOES_ON = re.compile(r"[\w'’-]+(?: [\w'’-]+)?,? (?:and|or|&) ")
#: Last words that point back to something said before ("Scores reflect this").
ENDS_NEEDING_CONTEXT = frozenset(("this", "that", "these", "those", "it", "them", "there",
                                  "something"))
#: Words a point never ends on: the sentence was cut.
DANGLING = frozenset((
    "a", "an", "the", "and", "or", "but", "of", "to", "for", "with", "in", "on", "at", "by",
    "from", "as", "that", "which", "who", "is", "are", "was", "be", "my", "our", "their",
    "your", "its", "very", "more", "most", "so", "because", "than", "if", "into", "about",
))
FILLER = re.compile(
    r"^(?:dear|hi|hello|good (?:morning|afternoon|evening)|yours|kind regards|best regards|"
    r"regards|best wishes|many thanks|thank you|thanks|sincerely|cheers|to whom|see above|"
    r"as above|same as above|as per|please see|please find|n/?a\b|none|nothing|no comments?|"
    r"not sure|don'?t know|that'?s (?:where|all|it)|that is (?:where|all|it)|as i said|"
    r"i have nothing|nothing to add|on behalf of|i am writing|i'm writing|we are writing|"
    r"i write|we write|writing as|i am responding|we are responding|"
    r"this response|our response|my response|in response)\b",
    re.IGNORECASE)
NOT_A_WORD = re.compile(r"^(?:[^aeiouy]+|.*(\w)\1\1.*)$", re.IGNORECASE)


@dataclass(frozen=True)
class Candidate:
    text: str
    point: int  # index of the point it comes from


def candidates_of(text: str, point: int, min_words: int = 4, max_words: int = 12,
                  mid_sentence: bool = False) -> list[Candidate]:
    """The sentences and clauses of one point that could stand alone as a key point;
    ``mid_sentence``: the point starts inside a sentence of its answer (its first one is a
    fragment)."""
    out: list[str] = []
    sentences = _sentences(text)
    if mid_sentence and sentences and _starts_lower(sentences[0]):
        sentences = sentences[1:]
    for sentence in sentences:
        sentence = _clean(sentence)
        if min_words <= _count(sentence) <= max_words:
            out.append(sentence)
            continue
        # the sentence up to a clause boundary (the main clause comes first), and each clause
        # after a semicolon, colon or dash on its own
        # (an opening phrase, "For the community in Ashgrove", is not a clause)
        # (a prefix of no words, "%" or "&", is no candidate)
        out.extend(p for p in _prefixes(sentence) if 0 < _count(p) <= max_words
                   and WORD.findall(p)[0].lower() not in PREPOSITIONS)
        out.extend(_clean(c) for c in STRONG_BREAK.split(sentence) if c and c.strip())
    seen: set[str] = set()
    found = []
    for candidate in out:
        candidate = _tidy(candidate)
        key = candidate.lower()
        if key not in seen and good_key_point(candidate, min_words, max_words):
            seen.add(key)
            found.append(Candidate(candidate, point))
    return found


def good_key_point(text: str, min_words: int = 4, max_words: int = 12) -> bool:
    """Whether ``text`` may stand as a theme's label (see the module's filter)."""
    words = WORD.findall(text)
    if not min_words <= len(words) <= max_words or text.rstrip().endswith("?"):
        return False
    lowered = [re.split(r"['’]", w.lower())[0] or w.lower() for w in words]
    if lowered[0] in NEEDS_CONTEXT or lowered[-1] in DANGLING | ENDS_NEEDING_CONTEXT \
            or FILLER.match(text) or NEEDS_CONTEXT_START.match(text):
        return False
    if "…" in text or text.rstrip().endswith(("...", "-", ",")) or not _balanced(text):
        return False
    if lowered[0] in PREPOSITIONS and "," in text:
        return False
    content = [w for w in lowered if w not in _stop_words()]
    if len(content) < 2:
        return False
    return not any(w.isalpha() and len(w) > 1 and NOT_A_WORD.match(w) for w in lowered)


def shorten_at_clause(text: str, max_words: int = 12) -> str:
    """The longest run of ``text``'s first clauses within ``max_words`` (never mid-phrase);
    the first clause whole when even it is longer."""
    sentence = _clean(next(iter(_sentences(text)), text))
    if _count(sentence) <= max_words:
        return _tidy(sentence)
    prefixes = _prefixes(sentence)
    fitting = [p for p in prefixes if _count(p) <= max_words]
    return _tidy(fitting[-1] if fitting else (prefixes[0] if prefixes else sentence))


class KeyPointPicker:
    """Picks each theme's key point. Constructor only stores arguments.

    ``embed`` (texts -> unit vectors in the space of ``embeddings``) embeds candidate clauses;
    without it (an embedder fitted per call, such as TF-IDF) a clause is scored by the vector
    of the point it comes from.
    """

    def __init__(self, embed: Callable[[Sequence[str]], np.ndarray] | None = None,
                 points_per_theme: int = 15, match_threshold: float = 0.5,
                 coverage_weight: float = 1.0, min_words: int = 4, max_words: int = 12,
                 avoid: Sequence[str] = (), personal_penalty: float = 0.1,
                 question: str = "", restates: float = 0.8):
        self.embed = embed
        self.points_per_theme = points_per_theme
        self.match_threshold = match_threshold
        self.coverage_weight = coverage_weight
        self.min_words = min_words
        self.max_words = max_words
        self.avoid = avoid  # labels taken already (a broad theme's sub-themes')
        self.personal_penalty = personal_penalty
        # A candidate this close to the question (cosine) only restates it ("Homeschooling
        # should not be banned" for "Homeschooling should be banned"): a point says why.
        self.question = question
        self.restates = restates

    def fit(self, texts: Sequence[str], members: Sequence[np.ndarray], embeddings: np.ndarray,
            centroids: np.ndarray, parts: np.ndarray | None = None,
            mid_sentence: Sequence[bool] | None = None) -> KeyPointPicker:
        """``members``: per theme, its points, most typical first; ``parts``: each point's
        sub-theme, when the themes are broad themes."""
        self._vectors: dict[str, np.ndarray] = {}
        taken = {text.lower() for text in self.avoid}
        per_theme = [[c for p in rows[: self.points_per_theme]
                      for c in candidates_of(texts[p], int(p), self.min_words, self.max_words,
                                             bool(mid_sentence[p]) if mid_sentence else False)
                      if c.text.lower() not in taken]
                     for rows in members]
        self._embed_all([c.text for found in per_theme for c in found])
        per_theme = [[c for c in found if not self._restates(c, embeddings)]
                     for found in per_theme]
        self.key_points_: list[Candidate | None] = []
        self.scores_: list[float] = []
        for theme, (rows, found) in enumerate(zip(members, per_theme)):
            if not found:
                self.key_points_.append(None)
                self.scores_.append(0.0)
                continue
            V = np.stack([self._vector(c, embeddings) for c in found])
            scores = self._scores(V, centroids[theme], embeddings[rows],
                                  None if parts is None else np.asarray(parts)[rows])
            scores -= self.personal_penalty * np.array([bool(FIRST_PERSON.search(c.text))
                                                        for c in found])
            best = int(np.argmax(scores))
            self.key_points_.append(found[best])
            self.scores_.append(float(scores[best]))
        return self

    def _restates(self, candidate: Candidate, embeddings: np.ndarray) -> bool:
        if self.embed is None or not self.question.strip():
            return False
        if not hasattr(self, "_question_vector"):
            self._question_vector = np.asarray(self.embed([self.question])[0], dtype=float)
        return float(self._vector(candidate, embeddings) @ self._question_vector) >= self.restates

    def vector(self, text: str, point: int, embeddings: np.ndarray) -> np.ndarray:
        return self._vector(Candidate(text, point), embeddings)

    def _scores(self, V, centroid, M, parts) -> np.ndarray:
        sims = V @ M.T  # candidates x the theme's points
        close = sims >= self.match_threshold
        if parts is None:
            coverage = close.mean(axis=1)
        else:  # a broad theme: what its sub-themes share, each sub-theme counted once
            coverage = np.mean([close[:, parts == part].mean(axis=1)
                                for part in np.unique(parts)], axis=0)
        return V @ centroid + self.coverage_weight * coverage

    def _embed_all(self, texts: list[str]) -> None:
        if self.embed is None:
            return
        wanted = list(dict.fromkeys(t for t in texts if t not in self._vectors))
        if wanted:
            self._vectors.update(zip(wanted, np.asarray(self.embed(wanted), dtype=float)))

    def _vector(self, candidate: Candidate, embeddings: np.ndarray) -> np.ndarray:
        found = self._vectors.get(candidate.text)
        return found if found is not None else np.asarray(embeddings[candidate.point], float)


# --- text ------------------------------------------------------------------------------------


def _sentences(text: str) -> list[str]:
    """The sentences of ``text``; a first one starting in lower case when the others start
    with a capital is the end of a sentence cut off before the point began: left out."""
    found = [s for s in SENTENCE_END.split(text.strip()) if s.strip()]
    starts = [s.lstrip(" \"'“‘(-–—*•")[:1] for s in found]
    if len(found) > 1 and starts[0].islower() and any(c.isupper() for c in starts[1:]):
        found = found[1:]
    return found


def _clean(text: str) -> str:
    text = " ".join(text.split()).strip(" \"'“”‘’*•-–—")
    previous = None
    while previous != text:
        previous = text
        text = LEAD_IN.sub("", text)
    return text


def _prefixes(sentence: str) -> list[str]:
    """The sentence cut at each of its clause boundaries, shortest first."""
    out = []
    for match in CLAUSE_BREAK.finditer(sentence):
        prefix = sentence[: match.start()].strip()
        if not prefix or (match.group().strip() == "," and LIST_GOES_ON.match(sentence,
                                                                           match.end())):
            continue
        # a clause left hanging ("Investigation is, in my view") makes what follows a
        # parenthesis: no later cut reads as a whole
        last = WORD.findall(prefix)[-1:] or [""]
        if last[0].lower() in DANGLING:
            break
        out.append(prefix)
    return out


def _tidy(text: str) -> str:
    """Capitalised, without closing punctuation (a key point is a heading, not a quote)."""
    text = text.strip(" ,;:.!\"'“”‘’()-–—")
    return text[:1].upper() + text[1:] if text else text


def starts_mid_sentence(texts: Sequence[str], owners: Sequence[object]) -> list[bool]:
    """Per point, whether it starts inside a sentence: in lower case, from a writer whose
    answer uses capitals elsewhere (some write all in lower case)."""
    capitals = {owner for text, owner in zip(texts, owners) if any(c.isupper() for c in text)}
    return [_starts_lower(text) and owner in capitals for text, owner in zip(texts, owners)]


def _starts_lower(text: str) -> bool:
    return text.lstrip(" \"'“‘(-–—*•")[:1].islower()


def _balanced(text: str) -> bool:
    """Brackets and double quotes open and close within the text (not a cut citation)."""
    return (text.count("(") == text.count(")") and text.count("[") == text.count("]")
            and text.count("“") == text.count("”") and text.count('"') % 2 == 0)


def _count(text: str) -> int:
    return len(WORD.findall(text))


def key_point_embedder(embedder) -> Callable[[Sequence[str]], np.ndarray] | None:
    """The embedder's ``embed`` when a clause embedded alone lands in the space of the
    points; None for one fitted on the texts of each call (TF-IDF/LSA)."""
    return None if embedder.describe().get("name") == "tfidf" else embedder.embed
