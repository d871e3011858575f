"""Inline SVG charts for digests and figure pages: no scripts, no remote resources.

Every piece of text that goes into the SVG is escaped here, because the SVG is
handed to the templates as markup.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

from markupsafe import Markup, escape

from .models import Number, Value

OPEN_UP = ("more_than", "at_least")  # only a lower bound is known
OPEN_DOWN = ("up_to", "less_than")  # only an upper bound is known
SPARK_CHARS = "▁▂▃▄▅▆▇█"


def point(v: Value) -> Number | None:
    """One number standing for an interval: its middle, or its only known bound."""
    if v.low is not None and v.high is not None:
        return (v.low + v.high) / 2 if v.low != v.high else v.low
    return v.low if v.low is not None else v.high


def spark_text(values: Sequence[Value]) -> str:
    """A unicode sparkline ("▁▃▇") for the plain-text digest."""
    pts = [p for p in (point(v) for v in values) if p is not None]
    if not pts:
        return ""
    lo, hi = min(pts), max(pts)
    if hi == lo:
        return SPARK_CHARS[3] * len(pts)
    top = len(SPARK_CHARS) - 1
    return "".join(SPARK_CHARS[round((p - lo) / (hi - lo) * top)] for p in pts)


def _bounds(values: Sequence[Value]) -> tuple[float, float]:
    nums = [float(n) for v in values for n in (v.low, v.high) if n is not None]
    if not nums:
        return 0.0, 1.0
    lo, hi = min(nums), max(nums)
    if hi == lo:
        pad = abs(hi) * 0.1 or 1.0
        return lo - pad, hi + pad
    pad = (hi - lo) * 0.08
    return lo - pad, hi + pad


def sparkline_svg(values: Sequence[Value], width: int = 120, height: int = 28) -> Markup:
    """A small trend: a line through the values, intervals as vertical bars."""
    if not values:
        return Markup("")
    lo, hi = _bounds(values)
    n = len(values)

    def x(i: int) -> float:
        return 4 + (width - 8) * (i / (n - 1) if n > 1 else 0.5)

    def y(v: float) -> float:
        return height - 3 - (height - 6) * (v - lo) / (hi - lo)

    parts: list[str] = []
    line = []
    for i, v in enumerate(values):
        p = point(v)
        if p is None:
            continue
        line.append(f"{x(i):.1f},{y(float(p)):.1f}")
        if v.low is not None and v.high is not None and v.low != v.high:
            parts.append(f'<line x1="{x(i):.1f}" x2="{x(i):.1f}" y1="{y(float(v.low)):.1f}" '
                         f'y2="{y(float(v.high)):.1f}" stroke="#9bb7d4" stroke-width="3"/>')
    if len(line) > 1:
        parts.insert(0, f'<polyline points="{" ".join(line)}" fill="none" stroke="#2a6db0" '
                        'stroke-width="1.5"/>')
    if line:
        last = line[-1].split(",")
        parts.append(f'<circle cx="{last[0]}" cy="{last[1]}" r="2.5" fill="#c0392b"/>')
    return Markup(f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
                  f'viewBox="0 0 {width} {height}" role="img" aria-label="trend">'
                  + "".join(parts) + "</svg>")


@dataclass(frozen=True)
class ChartPoint:
    """One observation on a figure's timeline chart."""

    day: date
    value: Value
    label: str  # tooltip text: value in words, outlet


def _fmt_axis(v: float) -> str:
    if abs(v) >= 100:
        return f"{round(v):,}"
    return f"{v:.1f}".rstrip("0").rstrip(".")


def timeline_svg(points: Sequence[ChartPoint], width: int = 720, height: int = 280) -> Markup:
    """The whole timeline: exact values as dots, approximate ones as rings, ranges as
    error bars, open-ended bounds as arrows pointing the open way."""
    if not points:
        return Markup("")
    left, right, top, bottom = 70, 20, 16, 40
    lo, hi = _bounds([p.value for p in points])
    days = [p.day.toordinal() for p in points]
    d0, d1 = min(days), max(days)
    span = (d1 - d0) or 1
    pw, ph = width - left - right, height - top - bottom

    def x(d: date) -> float:
        return left + (pw * (d.toordinal() - d0) / span if d1 != d0 else pw / 2)

    def y(v: float) -> float:
        return top + ph - ph * (v - lo) / (hi - lo)

    out: list[str] = []
    # axes and three value ticks
    out.append(f'<line x1="{left}" y1="{top}" x2="{left}" y2="{top + ph}" stroke="#999"/>')
    out.append(f'<line x1="{left}" y1="{top + ph}" x2="{left + pw}" y2="{top + ph}" '
               'stroke="#999"/>')
    for frac in (0.0, 0.5, 1.0):
        val = lo + (hi - lo) * frac
        yy = y(val)
        out.append(f'<line x1="{left - 4}" y1="{yy:.1f}" x2="{left + pw}" y2="{yy:.1f}" '
                   'stroke="#eee"/>')
        out.append(f'<text x="{left - 6}" y="{yy + 4:.1f}" font-size="11" text-anchor="end" '
                   f'fill="#555">{escape(_fmt_axis(val))}</text>')
    first, last = min(points, key=lambda p: p.day), max(points, key=lambda p: p.day)
    out.append(f'<text x="{left}" y="{height - 12}" font-size="11" fill="#555">'
               f'{escape(first.day.isoformat())}</text>')
    if last.day != first.day:
        out.append(f'<text x="{left + pw}" y="{height - 12}" font-size="11" text-anchor="end" '
                   f'fill="#555">{escape(last.day.isoformat())}</text>')
    # a faint line through the point estimates, in date order
    ordered = sorted(points, key=lambda p: p.day)
    path = [f"{x(p.day):.1f},{y(float(pt)):.1f}" for p in ordered
            if (pt := point(p.value)) is not None]
    if len(path) > 1:
        out.append(f'<polyline points="{" ".join(path)}" fill="none" stroke="#b8c9dc" '
                   'stroke-width="1.5"/>')
    for p in points:
        out.append(_mark(p, x(p.day), y))
    return Markup(f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
                  f'viewBox="0 0 {width} {height}" role="img" aria-label="timeline chart" '
                  f'class="chart">' + "".join(out) + "</svg>")


def _mark(p: ChartPoint, cx: float, yf: Callable[[float], float]) -> str:
    """One observation's glyph, with its label as an SVG tooltip."""
    v = p.value
    title = f"<title>{escape(p.label)}</title>"
    color = "#2a6db0"
    if v.low is not None and v.high is not None and v.low != v.high:
        y1, y2 = yf(float(v.low)), yf(float(v.high))
        return (f'<g class="range">{title}<rect x="{cx - 5:.1f}" y="{y2:.1f}" width="10" '
                f'height="{max(y1 - y2, 1):.1f}" fill="#2a6db0" fill-opacity="0.18"/>'
                f'<line x1="{cx:.1f}" x2="{cx:.1f}" y1="{y1:.1f}" y2="{y2:.1f}" '
                f'stroke="{color}" stroke-width="2"/>'
                f'<line x1="{cx - 6:.1f}" x2="{cx + 6:.1f}" y1="{y1:.1f}" y2="{y1:.1f}" '
                f'stroke="{color}" stroke-width="2"/>'
                f'<line x1="{cx - 6:.1f}" x2="{cx + 6:.1f}" y1="{y2:.1f}" y2="{y2:.1f}" '
                f'stroke="{color}" stroke-width="2"/></g>')
    pt = point(v)
    if pt is None:
        return ""
    cy = yf(float(pt))
    if v.qualifier in OPEN_UP or v.qualifier in OPEN_DOWN:
        d = -1 if v.qualifier in OPEN_UP else 1  # SVG y grows downwards
        tip = cy + d * 26
        color = "#b35900"
        dash = ' stroke-dasharray="3,2"' if v.qualifier in ("at_least", "up_to") else ""
        return (f'<g class="open {escape(v.qualifier)}">{title}'
                f'<line x1="{cx:.1f}" x2="{cx:.1f}" y1="{cy:.1f}" y2="{tip:.1f}" '
                f'stroke="{color}" stroke-width="2"{dash}/>'
                f'<polygon points="{cx - 5:.1f},{tip - d * 7:.1f} {cx + 5:.1f},{tip - d * 7:.1f} '
                f'{cx:.1f},{tip:.1f}" fill="{color}"/>'
                f'<line x1="{cx - 7:.1f}" x2="{cx + 7:.1f}" y1="{cy:.1f}" y2="{cy:.1f}" '
                f'stroke="{color}" stroke-width="2"/></g>')
    if v.qualifier == "approx":
        return (f'<g class="approx">{title}<circle cx="{cx:.1f}" cy="{cy:.1f}" r="5" '
                f'fill="#fff" stroke="{color}" stroke-width="2"/></g>')
    return (f'<g class="exact">{title}<circle cx="{cx:.1f}" cy="{cy:.1f}" r="4.5" '
            f'fill="{color}"/></g>')
