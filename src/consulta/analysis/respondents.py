"""Counting themes by respondent, each campaign once.

A long answer is cut into many points, and each point has a theme, so counting every theme an
answer touches made a question's shares add up to about 300%. Here an answer counts once for a
theme that is one of its main points: its primary theme, or a theme holding at least
``MIN_COVERAGE`` of its themed words (a broad theme holds its sub-themes' words). A campaign
(near-identical answers) counts once: ``respondents`` counts distinct respondents, a campaign's
members being one. ``campaign_share`` says how much of a theme's answers came from campaigns.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from consulta.analysis.coding import AnswerCoding
from consulta.analysis.constants import OTHER

#: A theme is one of an answer's main points when it holds this share of its themed words.
MIN_COVERAGE = 0.25


def main_themes(coding: AnswerCoding, words: Mapping[str, int],
                parents: Mapping[str, str]) -> set[str]:
    """The themes an answer counts for: its primary (and that theme's broad theme), and those
    holding at least MIN_COVERAGE of its themed words. ``words``: theme -> words of its points."""
    if coding.primary is None:
        return set()
    if coding.primary == OTHER:
        return {OTHER}
    held = dict(words)
    for theme, count in words.items():
        if parents.get(theme):
            held[parents[theme]] = held.get(parents[theme], 0) + count
    total = sum(count for theme, count in words.items() if theme != OTHER) or 1
    found = {coding.primary} | {t for t, count in held.items()
                                if t != OTHER and count / total >= MIN_COVERAGE}
    found |= {parents[t] for t in list(found) if parents.get(t)}
    return found


def count_respondents(themes: Sequence, codings: Sequence[AnswerCoding],
                      point_words: Mapping[int, Mapping[str, int]], ids: Sequence[str],
                      campaign: Mapping[str, str]) -> None:
    """Set ``respondents``, ``share`` and ``campaign_share`` of each theme row in place.

    ``point_words``: per answer index, theme -> words of its points; ``ids``: answer ids;
    ``campaign``: answer id -> campaign id for campaign members. Shares are of the respondents
    with content (no-content and empty answers left out)."""
    parents = {t.theme: t.parent for t in themes if t.parent}
    units: dict[str, set] = {}
    members: dict[str, list[bool]] = {}
    everyone: set = set()
    for i, coding in enumerate(codings):
        found = main_themes(coding, point_words.get(i, {}), parents)
        if not found:
            continue
        unit = ("campaign", campaign[ids[i]]) if ids[i] in campaign else ("answer", ids[i])
        everyone.add(unit)
        for theme in found:
            units.setdefault(theme, set()).add(unit)
            members.setdefault(theme, []).append(ids[i] in campaign)
    for theme in themes:
        theme.respondents = len(units.get(theme.theme, ()))
        theme.share = round(theme.respondents / len(everyone), 4) if everyone else 0.0
        flags = members.get(theme.theme, [])
        theme.campaign_share = round(sum(flags) / len(flags), 4) if flags else 0.0


def words_by_theme(by_answer: Mapping[int, list]) -> dict[int, dict[str, int]]:
    """Per answer index, theme -> words of its points on that theme; ``by_answer``: per answer
    index, its points as (segment, theme, framing)."""
    out: dict[int, dict[str, int]] = {}
    for i, points in by_answer.items():
        for point, theme, _ in points:
            out.setdefault(i, {})[theme] = out.get(i, {}).get(theme, 0) + max(point.words, 1)
    return out
