"""Sentiment and framing per theme: how the answers of each theme feel and what they describe.

Each answer that carries a theme counts once for it (shares are by answer, as the theme's
own share is). Its sentiment is the answer's; its framing is the framing of most of its points
in that theme (a broad theme gathers its sub-themes' points), else the answer's main framing.
report.html shows both per theme, e.g. "mostly negative (62%)" and "challenge 70%, ...".
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from html import escape

from consulta.analysis.constants import FRAMINGS, OTHER, SENTIMENTS

MOSTLY = 0.5  # above this share one sentiment "mostly" describes a theme


@dataclass
class ThemeTone:
    sentiment: Counter = field(default_factory=Counter)
    framing: Counter = field(default_factory=Counter)

    @property
    def answers(self) -> int:
        return sum(self.sentiment.values())

    def sentiment_summary(self) -> str:
        """ "mostly negative (62%)", or "split: negative 45%, positive 40%" without a majority."""
        return summarise(self.sentiment, SENTIMENTS)

    def framing_shares(self) -> str:
        total = sum(self.framing.values())
        return ", ".join(f"{f} {self.framing[f] / total:.0%}"
                         for f in sorted(FRAMINGS, key=lambda f: -self.framing[f])
                         if self.framing[f]) if total else ""


def summarise(counts: Mapping[str, int], order: tuple[str, ...]) -> str:
    counts = Counter(counts)
    total = sum(counts.values())
    if not total:
        return ""
    ranked = sorted(order, key=lambda label: -counts[label])
    top = ranked[0]
    if counts[top] / total > MOSTLY:
        return f"mostly {top} ({counts[top] / total:.0%})"
    return "split: " + ", ".join(f"{label} {counts[label] / total:.0%}"
                                 for label in ranked[:2] if counts[label])


def theme_tones(question, answers) -> dict[str, ThemeTone]:
    """Per theme id of ``question`` (a QuestionResult), its answers' sentiment and framing."""
    parents = {t.theme: t.parent for t in question.themes if t.parent}
    tones = {t.theme: ThemeTone() for t in question.themes if t.theme != OTHER}
    for answer in answers:
        if answer.question != question.question or answer.empty:
            continue
        for theme in answer.themes:
            tone = tones.get(theme)
            if tone is None:
                continue
            if answer.sentiment:
                tone.sentiment[answer.sentiment] += 1
            framing = _framing_in(answer, theme, parents)
            if framing:
                tone.framing[framing] += 1
    return tones


def _framing_in(answer, theme: str, parents: dict[str, str]) -> str:
    found = Counter(s.get("framing") for s in answer.segments
                    if s.get("framing") and theme in (s.get("theme"), parents.get(s.get("theme"))))
    if found:
        return min(found, key=lambda f: (-found[f], FRAMINGS.index(f) if f in FRAMINGS else 9))
    return (answer.framing or "").split(";")[0]


def tone_table(question, answers) -> str:
    """report.html's table of sentiment and framing per theme ("" when nothing to show)."""
    tones = theme_tones(question, answers)
    framed = any(tone.framing for tone in tones.values())
    rows = []
    for theme in question.themes:
        tone = tones.get(theme.theme)
        if tone is None or not tone.answers:
            continue
        cells = "".join(f'<td class="num">{tone.sentiment[s] / tone.answers:.0%}</td>'
                        for s in SENTIMENTS)
        framing = f"<td>{escape(tone.framing_shares())}</td>" if framed else ""
        rows.append(f'<tr><th scope="row">{"— " if theme.parent else ""}'
                    f"{escape(theme.label)}</th><td>{escape(tone.sentiment_summary())}</td>"
                    f"{cells}{framing}</tr>")
    if not rows:
        return ""
    heads = "".join(f'<th scope="col" class="num">{escape(s.capitalize())}</th>'
                    for s in SENTIMENTS)
    framing_head = '<th scope="col">Framing (share of answers)</th>' if framed else ""
    return ("<table><caption>Sentiment and framing by theme (share of each theme's answers)"
            '</caption><thead><tr><th scope="col">Theme</th><th scope="col">Sentiment</th>'
            f"{heads}{framing_head}</tr></thead><tbody>{''.join(rows)}</tbody></table>")
