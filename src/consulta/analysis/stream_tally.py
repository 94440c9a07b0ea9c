"""Counting a streamed analysis as its answers go by: theme sizes, respondents, groups.

The in-memory pipeline counts from every answer's coding at once (results.count_sizes,
respondents.count_respondents, groups.answer_group_rows). These tallies give the same numbers
from the answers' rows one at a time, keeping only counters: per theme, per group and theme,
and the set of campaigns seen (a campaign counts as one respondent), never the answers.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from consulta.analysis.coding import AnswerCoding
from consulta.analysis.constants import OTHER
from consulta.analysis.groups import (
    GroupCounts,
    GroupStat,
    _with_q_values,
    group_rows,
    stats_from_counts,
)
from consulta.analysis.junk import NO_CONTENT
from consulta.analysis.respondents import main_themes
from consulta.analysis.results import AnswerResult, ThemeResult, other_theme
from consulta.analysis.segment import WORD

#: Reasons kept per question for answers set apart as "other" (analysis.json): enough to
#: read why, without a per-answer list that grows with the input.
MAX_OTHER_REASONS = 10_000


def segment_words(row: AnswerResult, text: str) -> dict[str, int]:
    """Theme -> words of the answer's points on it (segment.Segment.words, at least 1)."""
    out: dict[str, int] = {}
    for segment in row.segments:
        words = len(WORD.findall(text[segment["start"]:segment["end"]]))
        out[segment["theme"]] = out.get(segment["theme"], 0) + max(words, 1)
    return out


@dataclass
class QuestionTally:
    """One question's counts, from its answers' rows."""

    question: str
    parents: Mapping[str, str]  # sub-theme -> broad theme
    answers: int = 0
    empty: int = 0
    no_content: int = 0
    other: int = 0
    size: Counter = field(default_factory=Counter)
    primary: Counter = field(default_factory=Counter)
    single: Counter = field(default_factory=Counter)  # respondents outside campaigns
    campaigns: dict[str, set[str]] = field(default_factory=dict)  # theme -> campaign ids
    in_campaign: Counter = field(default_factory=Counter)  # theme -> answers from campaigns
    counted: Counter = field(default_factory=Counter)  # theme -> answers counted for it
    everyone_single: int = 0
    everyone_campaigns: set[str] = field(default_factory=set)
    other_reasons: dict[str, str] = field(default_factory=dict)

    def add(self, row: AnswerResult, words: Mapping[str, int], reason: str = "") -> None:
        self.answers += 1
        if row.empty:
            self.empty += 1
            return
        if row.theme == NO_CONTENT:
            self.no_content += 1
            return
        if row.theme == OTHER:
            self.other += 1
            if reason and len(self.other_reasons) < MAX_OTHER_REASONS:
                self.other_reasons[row.id] = reason
        for theme in row.themes:
            self.size[theme] += 1
        self.primary[row.theme] += 1
        coding = AnswerCoding(primary=row.theme or None, themes=list(row.themes))
        found = main_themes(coding, words, self.parents)
        if not found:
            return
        if row.campaign:
            self.everyone_campaigns.add(row.campaign)
        else:
            self.everyone_single += 1
        for theme in found:
            self.counted[theme] += 1
            if row.campaign:
                self.campaigns.setdefault(theme, set()).add(row.campaign)
                self.in_campaign[theme] += 1
            else:
                self.single[theme] += 1

    def themes(self, fitted: Sequence[ThemeResult]) -> list[ThemeResult]:
        """The fitted themes (labels, quotes, stance from the sample) with these counts, and
        the "other" row (results.count_sizes, respondents.count_respondents, other_theme)."""
        with_content = self.answers - self.empty - self.no_content
        everyone = self.everyone_single + len(self.everyone_campaigns)
        out = [t for t in fitted if t.theme != OTHER]
        out += other_theme(self.question, self.other, with_content)
        for theme in out:
            if theme.theme != OTHER:
                theme.size = self.size[theme.theme]
                theme.primary = self.primary[theme.theme]
            theme.respondents = (self.single[theme.theme]
                                 + len(self.campaigns.get(theme.theme, ())))
            theme.share = round(theme.respondents / everyone, 4) if everyone else 0.0
            counted = self.counted[theme.theme]
            theme.campaign_share = (round(self.in_campaign[theme.theme] / counted, 4)
                                    if counted else 0.0)
        return out


@dataclass
class GroupTally:
    """groups.answer_group_rows from counters: per column and group, the answers (for
    suppression), their weight and each theme's weight."""

    members: dict[str, Counter] = field(default_factory=dict)
    weight: dict[str, Counter] = field(default_factory=dict)
    counts: dict[tuple[str, str], Counter] = field(default_factory=dict)
    themes: set[str] = field(default_factory=set)

    def add(self, row: AnswerResult, weight: float = 1.0) -> None:
        if row.empty:
            return
        has = {str(t) for t in row.themes if t != OTHER}
        self.themes |= has
        for column, value in row.groups.items():
            value = str(value).strip() if value is not None else ""
            if not value:
                continue
            self.members.setdefault(column, Counter())[value] += 1
            self.weight.setdefault(column, Counter())[value] += weight
            counts = self.counts.setdefault((column, value), Counter())
            for theme in has:
                counts[theme] += weight

    def rows(self, min_group_size: int) -> list[dict]:
        themes = sorted(self.themes)
        stats: list[GroupStat] = []
        for column in sorted(self.members):
            groups = {group: GroupCounts(self.members[column][group], self.weight[column][group],
                                         dict(self.counts[(column, group)]))
                      for group in sorted(self.members[column])}
            stats.extend(stats_from_counts(column, groups, themes, min_group_size))
        return group_rows(_with_q_values(stats))
