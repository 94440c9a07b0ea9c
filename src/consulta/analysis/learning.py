"""Learning a question's themes from people: their coded answers and a code frame.

The analyst's codes (``--codes``) are examples; a code frame (``--codebook``) adds each code's
wording as an example of it, so a code nobody has used yet still gets its answers
(``coding.CodedAssignment``); the answers' words (character n-grams) count alongside their
embeddings in choosing the code. Every answer is coded; with a frame, one that fits no code is
"other" with the reason "fits no code", never a made-up theme. Answers a person coded keep
their code.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from consulta.analysis.codebook import Code
from consulta.analysis.coding import AnswerCoding, CodedAssignment
from consulta.analysis.constants import OTHER
from consulta.analysis.labels import ThemeLabeller
from consulta.analysis.quotes import quotable
from consulta.analysis.records import Answer
from consulta.analysis.results import ThemeResult
from consulta.analysis.themes import _unit

FITS_NO_CODE = "fits no code"
CODED_OTHER = "fits no code (a person's code)"

Embed = Callable[[Sequence[str]], np.ndarray]


@dataclass
class Learnt:
    codings: list[AnswerCoding]
    themes: list[ThemeResult]
    note: dict
    reasons: dict[str, str]  # answer id -> why it is "other"


def learn_codes(question: str, answers: Sequence[Answer], full: Sequence[int],
                vectors: np.ndarray, coded: dict[int, str], frame: Sequence[Code] = (), *,
                embed: Embed | None = None, embed_together: Embed | None = None,
                wording: str = "", seed: int = 0) -> Learnt:
    """Code answers ``full`` (indexes into ``answers``, whose ``vectors`` are given) from the
    ``coded`` examples (index -> theme) and the ``frame``'s codes. ``embed`` puts a code's
    wording in the vectors' space; without it (an embedder fitted per call, TF-IDF)
    ``embed_together`` embeds the answers and the wording in one call instead."""
    coded = _frame_ids(coded, frame)
    code_vectors = None
    if frame:
        wordings = [c.wording for c in frame]
        if embed is not None:
            code_vectors = embed(wordings)
        elif embed_together is not None:
            joint = embed_together([answers[i].text for i in full] + wordings)
            vectors = np.zeros((len(answers), joint.shape[1]))
            vectors[list(full)] = joint[:len(full)]
            code_vectors = joint[len(full):]
    framed = code_vectors is not None
    model = CodedAssignment(seed=seed).fit(
        vectors[list(coded)], list(coded.values()), code_vectors,
        [c.theme for c in frame] if framed else (), texts=[answers[i].text for i in coded],
        code_wordings=[c.wording for c in frame] if framed else ())
    codings = [AnswerCoding(primary=None) for _ in answers]
    for i, coding in zip(full, model.code(vectors[list(full)],
                                          [answers[i].text for i in full])):
        codings[i] = coding
    reasons = {answers[i].id: FITS_NO_CODE for i in full if codings[i].primary == OTHER}
    for i, code in coded.items():  # the analyst's own codes are kept as given
        codings[i] = _kept(codings[i], code)
        if code == OTHER:
            reasons[answers[i].id] = CODED_OTHER
        else:
            reasons.pop(answers[i].id, None)
    _add_parents(codings, frame)
    names = [t for t in model.themes_ if t != OTHER]
    themes = _themes(question, answers, full, vectors, codings, names, frame, wording)
    note = {"examples": model.n_examples_, "kappa": model.kappa_, "method": model.kappa_note_}
    if frame:
        note.update(codebook=len(frame), fits_no_code=sum(
            1 for i in full if codings[i].primary == OTHER and i not in coded))
    return Learnt(codings, themes, note, reasons)


def _frame_ids(coded: dict[int, str], frame: Sequence[Code]) -> dict[int, str]:
    """People may code with a code's name ("Staff attitude") rather than its id: the id."""
    by_name = {c.name.casefold(): c.theme for c in frame}
    ids = {c.theme for c in frame}
    out = {}
    for i, code in coded.items():
        if code.casefold() == OTHER:
            out[i] = OTHER
        else:
            out[i] = code if code in ids else by_name.get(code.casefold(), code)
    return out


def _kept(machine: AnswerCoding, code: str) -> AnswerCoding:
    if code == OTHER:
        return AnswerCoding(primary=OTHER, themes=[OTHER], confidences={})
    confidences = {code: 1.0, **{t: c for t, c in machine.confidences.items() if t != code}}
    return AnswerCoding(primary=code, themes=list(confidences), confidences=confidences)


def _add_parents(codings: list[AnswerCoding], frame: Sequence[Code]) -> None:
    """A code's broader code (its parent in the frame) applies too."""
    parents = {c.theme: c.parent for c in frame if c.parent}
    for coding in codings:
        for theme in list(coding.themes):
            parent = parents.get(theme)
            if parent and parent not in coding.themes:
                coding.themes.append(parent)
                coding.confidences[parent] = coding.confidences.get(theme, 0.0)


def _themes(question, answers, full, vectors, codings, names, frame, wording
            ) -> list[ThemeResult]:
    """One theme per code (the frame's, with its name, description and parent, then any
    other code people used), labelled from its answers."""
    by_id = {c.theme: c for c in frame}
    names = [c.theme for c in frame] + [n for n in names if n not in by_id]
    index = {name: t for t, name in enumerate(names)}
    primary = np.array([index.get(codings[i].primary, -1) for i in full], dtype=int)
    rows = vectors[list(full)]
    centroids = np.array([_unit(rows[primary == t].mean(axis=0)) if (primary == t).any()
                          else np.zeros(vectors.shape[1]) for t in range(len(names))])
    texts = [answers[i].text for i in full]
    labeller = ThemeLabeller(question=wording).fit(
        texts, primary, rows, centroids, owners=[answers[i].id for i in full],
        quotable=[quotable(answers[i]) for i in full])
    themes = []
    for name, label in zip(names, labeller.labels_):
        code = by_id.get(name)
        themes.append(ThemeResult(
            question=question, theme=name, parent=code.parent if code else "",
            label=code.name if code else name,
            description=(code.description if code and code.description else label.description),
            size=0, share=0.0, quote_ids=[answers[full[q]].id for q in label.quotes],
            key_phrases=label.key_phrases, quotes=[texts[q] for q in label.quotes],
            summary=label.summary, keywords=label.keywords,
        ))
    return themes
