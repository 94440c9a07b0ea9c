"""Splitting a theme: the answers an analyst picks leave it for a new theme, or the library
re-clusters its answers into 2–5 parts (consulta.analysis.split). The theme being split keeps
its key and the rest (the largest part); new themes take the next free keys and the same
parent. One Decision each, undoable like any theme action.
"""

from __future__ import annotations

from consulta.web.analysis.models import Coding, Theme
from consulta.web.workbench import edits
from consulta.web.workbench.edits import Action, Edit, Refused
from consulta.web.workbench.models import Decision

PARTS = (2, 3, 4, 5)


def by_answers(edit: Edit, key: str, coding_ids: list[int], label: str) -> Decision:
    if not label:
        raise Refused("Give the new theme a name.")
    source = edits._theme(edit, key)
    chosen = list(source.coded_answers.filter(coding_id__in=coding_ids)
                  .values_list("coding_id", flat=True))
    if not chosen:
        raise Refused(f"None of the chosen answers is in theme {key}.")
    if len(chosen) == source.coded_answers.count():
        raise Refused(f"Leave some answers in {key}: to rename it, use Rename.")
    return _split(edit, source, [(label, "", "", chosen)])


def recluster(edit: Edit, key: str, parts: int) -> Decision:
    """The theme's answers in ``parts`` parts by the library; the largest stays in the theme."""
    from consulta.analysis.embedders import get_embedder
    from consulta.analysis.split import split_theme
    from consulta.web.workbench.learning import embedder_of

    source = edits._theme(edit, key)
    rows = list(Coding.objects.filter(coded_themes__theme=source).order_by("pk")
                .values_list("pk", "answer__text"))
    if len(rows) < 2 * parts:
        raise Refused(f"{key} has too few answers to split into {parts}.")
    texts = [text for _, text in rows]
    embeddings = get_embedder(embedder_of(edit.run)).embed(texts)
    found = split_theme(texts, embeddings, parts,
                        seed=(edit.run.summary.get("config") or {}).get("seed", 0),
                        question=edit.question.title)
    return _split(edit, source, [(part.label[:200], part.summary, part.keywords[:300],
                                  [rows[i][0] for i in part.members]) for part in found[1:]])


def _split(edit: Edit, source: Theme, parts: list[tuple]) -> Decision:
    first = int(edits.next_key(edit.run, edit.question)[1:])
    keys = [f"t{first + n:02d}" for n in range(len(parts))]
    moved = [pk for *_, ids in parts for pk in ids]

    def change(state):
        made = []
        for key, (label, summary, keywords, ids) in zip(keys, parts):
            theme = Theme.objects.create(run=edit.run, question=edit.question, key=key,
                                         parent=source.parent, label=label, summary=summary,
                                         description=summary, keywords=keywords,
                                         stance=source.stance)
            edits._add(theme, ids)
            source.coded_answers.filter(coding_id__in=ids).delete()
            Coding.objects.filter(pk__in=ids, primary=source).update(primary=theme)
            made.append(theme)
        edits.recount(edit.run, edit.question, [source, *made])
        return keys

    return edits._act(edit, Action.SPLIT, f"split {', '.join(keys)} off {source.key} "
                      f"({edits._n(moved)})", [source.key], change, moved)
