"""The organiser's monitoring page: responses over time, who has responded, invitations, gaps.

Any member of the consultation may read it. Charts are inline SVG drawn on the server (no
JavaScript); each is named by a visible caption and followed by a table of the same numbers.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.dateformat import format as format_date
from django.views.decorators.http import require_GET

from consulta.web.consultations.access import load_membership
from consulta.web.outreach.monitoring import SMALL_GROUP, PhaseMonitoring, Timeline, monitor

CHART_WIDTH = 720
CHART_HEIGHT = 160
DAY_FORMAT = "D j M Y"


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    title: str


@dataclass(frozen=True)
class DayCharts:
    """SVG geometry for one phase's timeline: daily bars and the running total as an area."""

    width: int
    height: int
    bars: list[Bar]
    area: str  # polygon points
    line: str  # polyline points
    first: str
    last: str
    busiest: str
    busiest_count: int
    total: int


def _fmt(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


def day_charts(timeline: Timeline) -> DayCharts | None:
    if not timeline.days:
        return None
    days = timeline.days
    slot = CHART_WIDTH / len(days)
    tallest = max(day.submitted for day in days) or 1
    top = CHART_HEIGHT - 4  # keep the tallest bar and the line clear of the edge

    def height(value: int, scale: int) -> float:
        return round(top * value / scale, 2)

    bars = [
        Bar(
            x=round(i * slot + slot * 0.1, 2),
            y=round(CHART_HEIGHT - height(day.submitted, tallest), 2),
            width=round(max(slot * 0.8, 0.5), 2),
            height=height(day.submitted, tallest),
            title=f"{format_date(day.day, DAY_FORMAT)}: {day.submitted}",
        )
        for i, day in enumerate(days)
    ]
    total = timeline.total or 1
    points = [
        (round((i + 0.5) * slot, 2), round(CHART_HEIGHT - height(day.cumulative, total), 2))
        for i, day in enumerate(days)
    ]
    line = " ".join(f"{_fmt(x)},{_fmt(y)}" for x, y in points)
    area = f"{_fmt(points[0][0])},{CHART_HEIGHT} {line} {_fmt(points[-1][0])},{CHART_HEIGHT}"
    busiest = timeline.busiest
    return DayCharts(
        width=CHART_WIDTH, height=CHART_HEIGHT, bars=bars, area=area, line=line,
        first=format_date(days[0].day, DAY_FORMAT), last=format_date(days[-1].day, DAY_FORMAT),
        busiest=format_date(busiest.day, DAY_FORMAT), busiest_count=busiest.submitted,
        total=timeline.total,
    )


@dataclass(frozen=True)
class PhaseSection:
    data: PhaseMonitoring
    charts: DayCharts | None

    @property
    def phase(self):
        return self.data.phase


@login_required
@require_GET
def monitoring(request: HttpRequest, slug: str) -> HttpResponse:
    membership = load_membership(request, slug)
    consultation = membership.consultation
    sections = [
        PhaseSection(data, day_charts(data.timeline))
        for data in monitor(consultation, today=timezone.localdate())
    ]
    return render(request, "outreach/monitoring.html", {
        "consultation": consultation,
        "can_edit": membership.can_edit,
        "sections": sections,
        "now": timezone.localtime(),
        "small_group": SMALL_GROUP,
    })
