"""report.html: one self-contained page a person can read (no scripts, no external requests).

Per question: the themes with their sizes, shares, descriptions and quotes, then campaigns and
the who-said-what differences that survive the multiple-comparison correction. Every piece of
text from the input is escaped.
"""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING

from consulta.analysis.tone import tone_table

if TYPE_CHECKING:
    from consulta.analysis.results import Analysis, QuestionResult, ThemeResult

CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Arial,sans-serif;line-height:1.5;
 color:#0b0c0c;max-width:60rem;margin:0 auto;padding:1rem 1.5rem 3rem}
h1{font-size:2rem}h2{margin-top:2.5rem;border-top:4px solid #1d70b8;padding-top:.5rem}
table{border-collapse:collapse;width:100%;margin:1rem 0}caption{text-align:left;font-weight:700;
 padding:.5rem 0}th,td{border-bottom:1px solid #b1b4b6;padding:.4rem .5rem;text-align:left;
 vertical-align:top}td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
.theme{border-left:5px solid #1d70b8;padding:.25rem 1rem;margin:1.25rem 0}
.theme.sub{margin-left:2rem;border-color:#6f72af}
blockquote{margin:.5rem 0;padding:.25rem .75rem;background:#f3f2f1;border-left:3px solid #505a5f}
.meta,.hint{color:#484949}.bar{display:inline-block;height:.8rem;background:#1d70b8;
 vertical-align:middle}.visually-hidden{position:absolute!important;width:1px;height:1px;
 overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}a{color:#1d70b8}a:focus{outline:3px solid #fd0;background:#fd0}
"""


def render_report(analysis: Analysis) -> str:
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        "<title>Consultation analysis</title>",
        f"<style>{CSS}</style></head><body><main>",
        "<h1>Consultation analysis</h1>",
        _summary(analysis),
        _contents(analysis),
    ]
    for number, question in enumerate(analysis.questions, start=1):
        parts.append(_question(number, question, analysis))
    parts.append(_method(analysis))
    parts.append("</main></body></html>")
    return "\n".join(parts)


def _summary(analysis: Analysis) -> str:
    answers = len(analysis.answers)
    empty = sum(1 for a in analysis.answers if a.empty)
    return (f'<p class="meta">{answers} answers ({empty} empty) to {len(analysis.questions)} '
            f"question(s), analysed offline with the {escape(analysis.embedder.get('name', ''))} "
            f"embedder (seed {analysis.config.get('seed')}).</p>")


def _contents(analysis: Analysis) -> str:
    items = "".join(f'<li><a href="#q{n}">{escape(q.question)}</a></li>'
                    for n, q in enumerate(analysis.questions, start=1))
    return f'<nav aria-label="Questions"><h2>Questions</h2><ol>{items}</ol></nav>'


def _question(number: int, question: QuestionResult, analysis: Analysis) -> str:
    said = question.answers - question.empty
    out = [f'<section aria-labelledby="q{number}"><h2 id="q{number}">{escape(question.question)}</h2>',
           (f'<p class="meta">{said} answers with content, {question.empty} empty; '
            f"{len([t for t in question.themes if not t.parent and t.theme != 'other'])} themes; "
            f"{question.other} in “other”; {question.no_content} with no content "
            "(“sdf”, “same as above”: left out of the shares).</p>")]
    if question.coding:
        kappa = question.coding.get("kappa")
        shown = "not available" if kappa is None else f"{kappa:.2f}"
        out.append(f'<p>Themes learnt from {question.coding.get("examples")} coded examples; '
                   f"agreement with the analyst (Cohen's kappa, {escape(str(question.coding.get('method')))}): "
                   f"{shown}.</p>")
    out.append(_theme_table(number, question))
    out.append(tone_table(question, analysis.answers))  # sentiment and framing per theme
    out.extend(_theme_detail(number, theme) for theme in question.themes if theme.theme != "other")
    out.append(_campaigns(question.question, analysis.campaigns))
    out.append(_groups(question.question, analysis.groups))
    out.append("</section>")
    return "\n".join(out)


def _theme_table(number: int, question: QuestionResult) -> str:
    rows = []
    for theme in question.themes:
        width = max(1, round(theme.share * 100))
        name = escape(theme.label)
        if theme.theme != "other":
            name = f'<a href="#q{number}-{escape(theme.theme)}">{name}</a>'
        indent = "— " if theme.parent else ""
        rows.append(
            f"<tr><td>{escape(theme.theme)}</td><th scope=\"row\">{indent}{name}</th>"
            f'<td class="num">{theme.respondents}</td><td class="num">{theme.share:.0%}</td>'
            f'<td aria-hidden="true"><span class="bar" style="width:{width * 2}px"></span></td></tr>'
        )
    return (
        f"<table><caption>Themes, largest first (an answer can carry several)</caption>"
        '<thead><tr><th scope="col">ID</th><th scope="col">Theme</th>'
        '<th scope="col" class="num">Respondents</th><th scope="col" class="num">Share</th>'
        '<th scope="col"><span class="visually-hidden">Share as a bar</span></th></tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table>"
    )


def _theme_detail(number: int, theme: ThemeResult) -> str:
    spans = theme.quote_spans
    quotes = "".join(
        f"<blockquote><p>{_highlighted(text, spans[n] if n < len(spans) else None)}</p>"
        f'<footer class="meta">Answer {escape(answer_id)}</footer></blockquote>'
        for n, (text, answer_id) in enumerate(zip(theme.quotes, theme.quote_ids))
    )
    phrases = ", ".join(escape(p) for p in theme.key_phrases)
    summary = theme.summary or theme.description
    return (
        f'<div class="theme{" sub" if theme.parent else ""}">'
        f'<h3 id="q{number}-{escape(theme.theme)}">{escape(theme.theme)}: {escape(theme.label)}</h3>'
        f"<p>{escape(summary)}</p>"
        f'<p class="meta">{theme.respondents} respondents ({theme.share:.0%}, each campaign '
        f"once; {theme.campaign_share:.0%} of its answers from campaigns); "
        f"key phrases: {phrases}</p>"
        f"{quotes}</div>"
    )


def _campaigns(question: str, campaigns: list[dict]) -> str:
    mine = [c for c in campaigns if c["question"] == question]
    if not mine:
        return '<p class="meta">No campaigns or duplicate answers found.</p>'
    rows = "".join(
        f'<tr><td>{escape(c["campaign"])}</td><td class="num">{c["size"]}</td>'
        f'<td>{escape(_shorten(c["template_text"], 300))}</td></tr>' for c in mine
    )
    return ("<table><caption>Campaigns and duplicate answers</caption><thead><tr>"
            '<th scope="col">ID</th><th scope="col" class="num">Answers</th>'
            f'<th scope="col">Template text</th></tr></thead><tbody>{rows}</tbody></table>')


def _groups(question: str, groups: list[dict]) -> str:
    mine = [g for g in groups if g["question"] == question and not g.get("suppressed")
            and g.get("q_value") not in ("", None) and float(g["q_value"]) < 0.05]
    if not [g for g in groups if g["question"] == question]:
        return ""
    if not mine:
        return ('<p class="meta">No group differs from everyone else beyond chance '
                "(q &lt; 0.05 after correction).</p>")
    rows = "".join(
        f'<tr><td>{escape(str(g["column"]))}: {escape(str(g["group"]))}</td>'
        f'<td>{escape(str(g["theme"]))}</td><td class="num">{float(g["prevalence"]):.0%}</td>'
        f'<td class="num">{float(g["ci_low"]):.0%}–{float(g["ci_high"]):.0%}</td>'
        f'<td class="num">{g["lift"]}</td><td class="num">{g["q_value"]}</td></tr>'
        for g in mine
    )
    return ("<table><caption>Who said what: differences beyond chance (q &lt; 0.05)</caption>"
            '<thead><tr><th scope="col">Group</th><th scope="col">Theme</th>'
            '<th scope="col" class="num">Prevalence</th><th scope="col" class="num">95% interval</th>'
            '<th scope="col" class="num">Lift</th><th scope="col" class="num">q</th></tr></thead>'
            f"<tbody>{rows}</tbody></table>")


def _method(analysis: Analysis) -> str:
    timings = ", ".join(f"{escape(k)} {v:.1f} s" for k, v in analysis.timings.items())
    return ('<h2 id="method">How this was made</h2><p>Answers were split into points, embedded '
            "offline, and grouped into themes by Ward clustering and k-means, the number of themes "
            "set by the smallest theme allowed; similar themes were then grouped into broad "
            "themes. Each label is a theme's key point: a short sentence from its answers, the one "
            "most central to the theme and close to most of its points; the summary below it "
            "quotes its most central distinct points, and the key phrases are its most "
            "distinctive phrases. "
            f"Timings: {timings}.</p>")


def _highlighted(text: str, span) -> str:
    """The quote, escaped, its matched sentence in <mark> (quotes.quote_context's offsets)."""
    text = str(text)
    if not span or not 0 <= span[0] < span[1] <= len(text):
        return escape(_shorten(text, 600))
    start, end = span
    return (f"{escape(text[:start])}<mark>{escape(text[start:end])}</mark>"
            f"{escape(text[end:])}")


def _shorten(text: str, limit: int) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"
