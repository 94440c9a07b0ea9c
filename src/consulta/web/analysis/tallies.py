"""A run's codings counted by the database, for the Analysis page's figures.

Two grouped queries per run (answers by question, group, campaign, sentiment and framing;
carried themes by question, group, campaign and theme) instead of every coding in memory: a million coded answers come back as a few
thousand rows. group_table.py turns the counts into the page's table with the library's
``who_said_what_counts``, so the figures are those of ``who_said_what`` on the answers.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db.models import BooleanField, Count, ExpressionWrapper, Q

from consulta.analysis.groups import GroupCounts
from consulta.web.analysis.models import AnalysisRun, CodedTheme, Coding

SECTOR = "answer__response__organisation__sector"
ROLE = "answer__response__role__name"


@dataclass
class Tally:
    """One question's coded answers, counted by group (weighted: campaigns count once when the
    run says so)."""

    answers: int = 0  # coded answers, empty ones included
    respondents: int = 0  # answers with content, each campaign once
    groups: dict[str, GroupCounts] = field(default_factory=dict)
    sentiment: Counter = field(default_factory=Counter)  # coded answers per sentiment
    framing: Counter = field(default_factory=Counter)  # per main framing (internal phases)

    @property
    def n(self) -> float:
        return sum(counted.n for counted in self.groups.values())

    def count(self, theme: str) -> float:
        return sum(counted.counts.get(theme, 0.0) for counted in self.groups.values())


def tallies(run: AnalysisRun, labels: dict[int, object], *,
            campaigns_once: bool) -> dict[int, Tally]:
    """Per question in ``labels`` (question pk -> a function (sector, role) -> group label)."""
    rows = (Coding.objects.filter(run=run).order_by()
            .annotate(said=ExpressionWrapper(Q(primary__isnull=False),
                                             output_field=BooleanField()))
            .values_list("answer__question_id", SECTOR, ROLE, "campaign", "said", "sentiment",
                         "framing")
            .annotate(n=Count("id")))  # sentiment and framing: the same scan, not another
    rows = [row for row in rows if row[0] in labels]
    sizes: dict[int, Counter] = defaultdict(Counter)  # each campaign's answers per question
    for question, _, _, campaign, _, _, _, n in rows:
        if campaign:
            sizes[question][campaign] += n

    def weight(question: int, campaign: str) -> float:
        return 1.0 / sizes[question][campaign] if campaigns_once and campaign else 1.0

    found: dict[int, Tally] = {question: Tally() for question in labels}
    campaigns: dict[int, set[str]] = defaultdict(set)
    for question, sector, role, campaign, said, mood, framed, n in rows:
        tally = found[question]
        tally.sentiment[mood] += n
        if framed:  # "challenge;opportunity": the framing with the most words comes first
            tally.framing[framed.split(";")[0]] += n
        counted = tally.groups.setdefault(labels[question](sector, role), GroupCounts())
        counted.answers += n
        counted.n += n * weight(question, campaign)
        tally.answers += n
        if said and campaign:
            campaigns[question].add(campaign)
        elif said:
            tally.respondents += n
    for question, names in campaigns.items():
        found[question].respondents += len(names)
    themes = (CodedTheme.objects.filter(coding__run=run).order_by()
              .values_list("coding__answer__question_id", f"coding__{SECTOR}",
                           f"coding__{ROLE}", "coding__campaign", "theme_id")
              .annotate(n=Count("id")))
    for question, sector, role, campaign, theme, n in themes:
        if question in labels:
            counts = found[question].groups[labels[question](sector, role)].counts
            counts[str(theme)] = counts.get(str(theme), 0.0) + n * weight(question, campaign)
    return found
