"""Labels for themes: a key point, key phrases, a summary and representative quotes.

- Label: the theme's key point, a short sentence from its answers (keypoints.py); failing
  that, the most typical point cut at a clause boundary; failing that, the key phrases.
- Summary (also the description): its most central distinct points (summaries.py).

- Key phrases: class-based TF-IDF (each theme's points form one "class document") over word
  n-grams from scikit-learn's CountVectorizer, keeping phrases that several points use and that
  neither start nor end with a stop word ("lack of staff", never "of staff"), a word of talk
  rather than of topic ("think", "lot", "really": "there's a lot" says nothing), a contraction
  ("we've", "can't") or a word of the question itself (every answer to "What are the challenges?"
  is about challenges). Maximal marginal relevance (MMR) then picks phrases that do not repeat
  each other's words, and each is shown as its answers most often spell it ("GP surgeries").
- Quotes: MMR over the theme's points, trading closeness to the theme's centroid (typical)
  against similarity to quotes already picked (diverse), one quote per answer.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from consulta.analysis.keypoints import (
    Candidate,
    KeyPointPicker,
    good_key_point,
    shorten_at_clause,
    starts_mid_sentence,
)
from consulta.analysis.results import ThemeResult
from consulta.analysis.segment import _stop_words
from consulta.analysis.summaries import summarise
from consulta.analysis.themes import theme_order

TOKEN_PATTERN = r"(?u)\b[^\W\d_][\w'’-]*[^\W_]\b|\b[^\W\d_]\b"
#: Words of conversation rather than of topic: a phrase may hold them inside ("the way we
#: work"), never begin or end with them.
TALK_WORDS = frozenset((
    "able", "absolutely", "actually", "also", "always", "bad", "basically", "believe", "better",
    "big", "bit", "certainly", "clearly", "completely", "definitely", "different", "does",
    "doing", "don", "done", "entirely", "especially", "example", "extremely", "feel", "feels",
    "felt", "fully", "generally", "get", "gets", "getting", "going", "good", "got", "great",
    "greatly", "highly", "just", "kind", "know", "largely", "like", "likely", "lot", "lots",
    "mainly", "make", "makes", "making", "maybe", "mean", "means", "merely", "mostly", "need",
    "needed", "needs", "new", "obviously", "particularly", "possibly", "probably", "quite",
    "rather", "really", "right", "said", "say", "saying", "says", "simply", "sort", "sure",
    "thing", "things", "think", "thought", "time", "times", "totally", "truly", "use", "used",
    "using", "usually", "want", "wanted", "wants", "way", "ways", "wholly", "yes",
))
#: Contractions say who or when, not what ("there's", "we've", "can't"); possessives
#: ("children's homes") stay.
CONTRACTION = re.compile(r"(?:n['’]t|['’](?:ve|m|re|d|ll))$|^(?:it|that|there|what|here|let|he|"
                         r"she|who|where|how)['’]s$")


@dataclass
class ThemeLabel:
    label: str
    key_phrases: list[str]
    description: str
    quotes: list[int] = field(default_factory=list)  # indexes of the points quoted
    keywords: str = ""  # the key phrases as a short label ("GP surgeries; front desk")
    summary: str = ""
    source: int | None = None  # the point the label is taken from (the first quote)


class ThemeLabeller:
    """Labels every theme of one question. Constructor only stores arguments."""

    def __init__(self, n_phrases: int = 5, n_quotes: int = 5, min_quotes: int = 3,
                 phrase_diversity: float = 0.5, quote_diversity: float = 0.3,
                 points_per_theme: int = 400, question: str = "", embed=None,
                 avoid: Sequence[str] = ()):
        self.n_phrases = n_phrases
        self.n_quotes = n_quotes
        self.min_quotes = min_quotes
        self.phrase_diversity = phrase_diversity
        self.quote_diversity = quote_diversity
        self.points_per_theme = points_per_theme
        self.question = question
        self.embed = embed  # texts -> vectors like ``embeddings``, for key points' clauses
        self.avoid = avoid  # labels no theme may take (a broad theme's sub-themes')

    def fit(self, texts: Sequence[str], labels: np.ndarray, embeddings: np.ndarray,
            centroids: np.ndarray, owners: Sequence[object] | None = None,
            parts: np.ndarray | None = None,
            quotable: Sequence[bool] | None = None) -> ThemeLabeller:
        """``labels`` index ``centroids`` (-1: no theme); ``owners`` (answer of each point)
        keeps one quote per answer; ``parts`` (each point's sub-theme) marks broad themes;
        ``quotable`` (per point; default all): only these points' words become a label, a
        summary or a quote (answers without consent to publish count, but are never quoted)."""
        labels = np.asarray(labels)
        owners = list(owners) if owners is not None else list(range(len(texts)))
        sims = np.einsum("ij,ij->i", embeddings, centroids[np.maximum(labels, 0)])
        members = [self._central(np.flatnonzero(labels == t), sims) for t in range(len(centroids))]
        phrases = [[_spelling(phrase, texts, rows) for phrase in found]
                   for found, rows in zip(self._key_phrases(texts, members), members)]
        if quotable is not None:
            allowed = np.asarray(quotable, dtype=bool)
            members = [rows[allowed[rows]] for rows in members]
        mid_sentence = starts_mid_sentence(texts, owners)
        picker = KeyPointPicker(embed=self.embed, avoid=self.avoid, question=self.question).fit(
            texts, members, embeddings, centroids, parts=parts, mid_sentence=mid_sentence)
        self.labels_: list[ThemeLabel] = []
        for theme, rows in enumerate(members):
            quotes = _mmr_quotes(rows, sims, embeddings, owners, self.n_quotes,
                                 self.quote_diversity)
            central = texts[quotes[0]] if quotes else ""
            keywords = _label(phrases[theme], central)
            label, source = _key_point(picker.key_points_[theme], central, keywords, self.avoid)
            vector = None
            if source is None and quotes and label != keywords:
                source = quotes[0]
            if source is not None:
                vector = picker.vector(label, source, embeddings)
            summary = summarise(texts, rows, sims, embeddings, owners, label_vector=vector,
                                label_owner=None if source is None else owners[source],
                                mid_sentence=mid_sentence)
            self.labels_.append(ThemeLabel(
                label=label, key_phrases=phrases[theme], description=summary.text,
                quotes=_lead_quotes([source, *summary.points], quotes, owners, self.n_quotes),
                keywords=keywords, summary=summary.text, source=source,
            ))
        return self

    def _central(self, rows: np.ndarray, sims: np.ndarray) -> np.ndarray:
        """The theme's most typical points, most typical first (bounded, for speed)."""
        order = np.lexsort((rows, -sims[rows]))
        return rows[order][: self.points_per_theme]

    def _key_phrases(self, texts: Sequence[str], members: list[np.ndarray]) -> list[list[str]]:
        from sklearn.feature_extraction.text import CountVectorizer

        rows = np.concatenate(members) if members else np.array([], dtype=int)
        if len(rows) == 0:
            return [[] for _ in members]
        vectorizer = CountVectorizer(analyzer=_ngrams)
        try:
            counts = vectorizer.fit_transform([texts[i] for i in rows]).tocsc()
        except ValueError:  # no words at all (only symbols)
            return [[] for _ in members]
        vocabulary = vectorizer.get_feature_names_out()
        unwanted = _stop_words() | TALK_WORDS | _question_words(self.question)
        usable = np.array([_usable(term, unwanted) for term in vocabulary])
        owner = np.repeat(np.arange(len(members)), [len(m) for m in members])
        one_hot = np.zeros((len(members), len(rows)))
        one_hot[owner, np.arange(len(rows))] = 1.0
        class_counts = np.asarray((counts.T @ one_hot.T).T)  # themes x terms
        class_docs = np.asarray(((counts > 0).astype(float).T @ one_hot.T).T)
        weights = _ctfidf(class_counts)
        out = []
        for theme, rows_of_theme in enumerate(members):
            # a phrase must be used by 2+ points (or 1 in a tiny theme) to speak for the theme
            enough = class_docs[theme] >= min(2, len(rows_of_theme))
            scores = np.where(usable & enough, weights[theme], 0.0)
            phrases = _mmr_phrases(vocabulary, scores, self.n_phrases, self.phrase_diversity)
            out.append(_widen_words(phrases, vocabulary,
                                    np.where(usable, weights[theme], 0.0), class_docs[theme]))
        return out


# --- phrases ---------------------------------------------------------------------------------


_TOKEN = re.compile(TOKEN_PATTERN)
#: Phrases never run across these: "…to hide abuse. Schools…" has no phrase "abuse schools".
_PHRASE_BREAK = re.compile(r"[.!?;:,()\[\]{}\"“”\n]+")


def label_themes(question: str, model, texts: Sequence[str], owners: Sequence[str],
                 embeddings: np.ndarray, *, wording: str, embed=None,
                 quotable: Sequence[bool] | None = None) -> list[ThemeResult]:
    """A result per theme of a fitted ``themes.ThemeModel``: the themes points are coded to
    labelled first, then the broad themes grouping them, whose labels avoid those already
    taken. ``owners``: each point's answer id."""
    found = dict(zip(model.theme_ids_, ThemeLabeller(question=wording, embed=embed).fit(
        texts, model.labels_, embeddings, model.centroids_, owners=owners,
        quotable=quotable).labels_))
    if model.group_ids_:
        taken = [label.label for label in found.values()]
        found.update(zip(model.group_ids_, ThemeLabeller(
            question=wording, embed=embed, avoid=taken).fit(
            texts, model.group_labels_, embeddings, model.group_centroids_, owners=owners,
            parts=model.labels_, quotable=quotable).labels_))
    return [ThemeResult(
        question=question, theme=theme, parent=model.parents_.get(theme) or "",
        label=label.label, description=label.description, size=0, share=0.0,
        quote_ids=[owners[q] for q in label.quotes], key_phrases=label.key_phrases,
        quotes=[texts[q] for q in label.quotes], summary=label.summary,
        keywords=label.keywords,
    ) for theme, label in sorted(found.items(), key=lambda item: theme_order(item[0]))]


def _ngrams(text: str) -> list[str]:
    """Words and two- and three-word phrases of ``text``, lower case, within its clauses."""
    out: list[str] = []
    for clause in _PHRASE_BREAK.split(text.lower()):
        words = _TOKEN.findall(clause)
        for size in (1, 2, 3):
            out.extend(" ".join(words[i:i + size]) for i in range(len(words) - size + 1))
    return out


def _question_words(question: str) -> frozenset[str]:
    """The question's own words, singular and plural: they describe every answer."""
    words = {w.lower() for w in re.findall(r"[^\W\d_]+", question)}
    return frozenset(words | {w + "s" for w in words} | {w[:-1] for w in words if w.endswith("s")})


def _usable(term: str, unwanted: frozenset[str]) -> bool:
    words = term.split()
    return (words[0] not in unwanted and words[-1] not in unwanted and len(term) > 2
            and not any(CONTRACTION.search(word) for word in words))


def _spelling(phrase: str, texts: Sequence[str], rows: np.ndarray) -> str:
    """The phrase as the theme's answers most often write it: "GP surgeries", not "gp ..."."""
    pattern = re.compile(r"\b" + r"\s+".join(map(re.escape, phrase.split())) + r"\b",
                         re.IGNORECASE)
    sample = [texts[i] for i in rows[:100]]
    forms = Counter(match.group(0) for text in sample for match in pattern.finditer(text))
    if not forms:
        return phrase
    best = max(forms, key=lambda form: (forms[form], form == phrase, form))
    # A capital that only starts a sentence is not part of the phrase's spelling.
    first = best.split()[0]
    if first[:1].isupper() and first[1:].islower() and any(
            re.search(r"\b" + re.escape(first.lower()) + r"\b", text) for text in sample):
        best = best[:1].lower() + best[1:]
    return " ".join(best.split())


def _ctfidf(class_counts: np.ndarray) -> np.ndarray:
    """Class-based TF-IDF (as in BERTopic): frequency in the theme x log(1 + A / frequency)."""
    totals = class_counts.sum(axis=1, keepdims=True)
    tf = np.divide(class_counts, totals, out=np.zeros_like(class_counts), where=totals > 0)
    frequency = class_counts.sum(axis=0)
    average = class_counts.sum() / max(len(class_counts), 1)
    idf = np.log1p(np.divide(average, frequency, out=np.zeros_like(frequency),
                             where=frequency > 0))
    # Times the share of the phrase's uses that fall in this theme: words every theme uses
    # (often the question's own topic) say nothing about one theme in particular.
    share = np.divide(class_counts, frequency, out=np.zeros_like(class_counts),
                      where=frequency > 0)
    return tf * idf * share


def _mmr_phrases(vocabulary, scores: np.ndarray, n: int, diversity: float) -> list[str]:
    """Best phrases of 2+ words first (more specific than a word), each new one sharing few
    words with those picked (Jaccard), then single words if too few phrases exist."""
    ranked = [i for i in np.argsort(-scores, kind="stable")[: 60] if scores[i] > 0]
    multi = [i for i in ranked if " " in vocabulary[i]]
    single = [i for i in ranked if " " not in vocabulary[i]]
    picked: list[int] = []
    for pool in (multi, single):
        candidates = list(pool)
        top = max((scores[i] for i in candidates), default=1.0) or 1.0
        while candidates and len(picked) < n:
            def value(i: int, top: float = top) -> float:
                overlap = max((_jaccard(vocabulary[i], vocabulary[j]) for j in picked), default=0)
                return (1 - diversity) * scores[i] / top - diversity * overlap
            best = max(candidates, key=lambda i: (value(i), -i))
            candidates.remove(best)
            if max((_jaccard(vocabulary[best], vocabulary[j]) for j in picked), default=0) < 0.5:
                picked.append(best)
        if len(picked) >= min(n, 3):
            break
    return [str(vocabulary[i]) for i in picked]


def _widen_words(phrases: list[str], vocabulary, scores: np.ndarray,
                 docs: np.ndarray) -> list[str]:
    """The label's single words widened to the theme's phrase holding them that most points
    use (then the most particular), even one used by a single point:
    "abuse" says less than "hide their abuse" (a label is phrases, not words)."""
    out = list(phrases)
    if all(" " in phrase for phrase in out[:2]):
        return out
    present = [i for i in np.flatnonzero(scores > 0) if " " in vocabulary[i]]
    for position, word in enumerate(out[:2]):
        if " " in word:
            continue
        # a phrase used once is taken only as a pair of words ("radio channel"): longer
        # one-off phrases are mostly the rest of somebody's sentence
        holding = [i for i in present if word in vocabulary[i].split()
                   and str(vocabulary[i]) not in out
                   and (docs[i] >= 2 or vocabulary[i].count(" ") == 1)]
        if holding:
            best = max(holding, key=lambda i: (docs[i], scores[i], -i))
            out[position] = str(vocabulary[best])
    return out


def _jaccard(a: str, b: str) -> float:
    left, right = set(a.split()), set(b.split())
    return len(left & right) / len(left | right)


def _label(phrases: list[str], central: str) -> str:
    if not phrases:  # the most typical point's first clause: never cut mid-phrase
        return shorten_at_clause(central, max_words=16) if central.split() else "(no words)"
    label = phrases[0]
    second = phrases[1] if len(phrases) > 1 else ""
    if second and not set(second.lower().split()) <= set(label.lower().split()) \
            and len(label.split()) + len(second.split()) <= 6:
        label = f"{label}; {second}"
    return label[0].upper() + label[1:]


def _key_point(found: Candidate | None, central: str, keywords: str,
               avoid: Sequence[str] = ()) -> tuple[str, int | None]:
    """The key point; else the most typical point cut at a clause boundary, when it reads as
    a point; else the key phrases."""
    if found is not None:
        return found.text, found.point
    trimmed = shorten_at_clause(central)
    if good_key_point(trimmed, min_words=2, max_words=16) and trimmed not in avoid:
        return trimmed, None
    return keywords, None


def _lead_quotes(first: list[int | None], quotes: list[int], owners, n: int) -> list[int]:
    """The points the label and summary quote, then the other quotes; one per answer."""
    out: list[int] = []
    seen: set = set()
    for point in [*first, *quotes]:
        if point is not None and owners[point] not in seen and len(out) < n:
            out.append(point)
            seen.add(owners[point])
    return out


# --- quotes ----------------------------------------------------------------------------------


def _mmr_quotes(rows, sims, embeddings, owners, n: int, diversity: float) -> list[int]:
    """Typical yet different points, one per answer; the most typical first."""
    pool = [int(i) for i in rows[: 50]]
    picked: list[int] = []
    seen_owners: set = set()
    while pool and len(picked) < n:
        if picked:
            overlap = embeddings[pool] @ embeddings[picked].T
            values = (1 - diversity) * sims[pool] - diversity * overlap.max(axis=1)
        else:
            values = sims[pool]
        best = pool[int(np.argmax(values))]
        pool.remove(best)
        if owners[best] not in seen_owners:
            picked.append(best)
            seen_owners.add(owners[best])
    return picked
