"""Horizontal bar charts as inline SVG: every bar carries its label and its figure in text, so
colour is never the only signal; the same figures go in a table and a sentence (content.Chart).
"""

from __future__ import annotations

from html import escape

from consulta.web.reports.content import Chart

WIDTH = 640
LABEL_WIDTH = 260
BAR_AREA = 300
ROW = 28
COLOUR = "#1d70b8"


def _short(label: str, limit: int = 40) -> str:
    return label if len(label) <= limit else label[: limit - 1].rstrip() + "…"


def bar_chart(title: str, bars: list[tuple[str, int, float]], *, headers: list[str],
              unit: str = "respondents") -> Chart:
    """``bars``: (label, count, share 0..1). The SVG is built from numbers and escaped labels."""
    height = ROW * len(bars) + 10
    parts = [(f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{WIDTH}" '
              f'height="{height}" viewBox="0 0 {WIDTH} {height}">'),
             f"<title>{escape(title)}</title>"]
    for index, (label, count, share) in enumerate(bars):
        y = 5 + index * ROW
        length = max(1.0, BAR_AREA * max(0.0, min(1.0, share)))
        parts.append(
            f'<text x="0" y="{y + 17}" font-size="13" font-family="sans-serif">'
            f"{escape(_short(label))}</text>"
            f'<rect x="{LABEL_WIDTH}" y="{y + 4}" width="{length:.1f}" height="18" '
            f'fill="{COLOUR}"/>'
            f'<text x="{LABEL_WIDTH + length + 6:.1f}" y="{y + 17}" font-size="13" '
            f'font-family="sans-serif">{share * 100:.0f}% ({count})</text>')
    parts.append("</svg>")
    rows = [[label, str(count), f"{share * 100:.0f}%"] for label, count, share in bars]
    sentence = "; ".join(f"{label}: {share * 100:.0f}% ({count} {unit})"
                         for label, count, share in bars)
    return Chart(title, "".join(parts), headers, rows, f"{title}. {sentence}." if bars else
                 f"{title}: no figures.")
