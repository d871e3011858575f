"""Charts for digests and figure pages: inline SVG for pages, HTML bars for mail.

No scripts, no remote resources.  Every piece of text that goes into the SVG is
escaped here, because the SVG is handed to the templates as markup.

A figure's timeline chart says what each observation is: a dot for a value (a ring
when it is approximate), a bar for a range, an arrow for an open bound ("more than"
points up from its bound, "up to" down).  Each claimant track gets its own colour
and mark shape.  A step line follows the figure's current value over time — only
where that value is a number or a range (as a band), never through a bound.  The
value axis has round ticks and starts at zero (percentages run 0–100) unless the
data sits far from zero; the time axis is labelled by month, quarter or year.

Mail clients drop SVG, so a digest's trend is a row of HTML table cells
(``trend_bars``), which Outlook, Gmail and Apple Mail all draw.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

from markupsafe import Markup, escape

from .models import Number, Value
from .words import OPEN_DOWN, OPEN_UP, fmt_number, is_range, value_words

SPARK_CHARS = "▁▂▃▄▅▆▇█"
# (colour, mark shape) per claimant track, in order of first appearance
TRACK_STYLES = (("#1f5fa8", "circle"), ("#c05a00", "square"), ("#2e7d32", "diamond"),
                ("#8e3b9e", "triangle"), ("#b0283a", "circle"), ("#4a5866", "square"))
FONT = 12  # every chart label, in CSS px at the size the chart is drawn


def point(v: Value) -> Number | None:
    """One number standing for an interval: its middle, or its only known bound."""
    if v.low is not None and v.high is not None:
        return (v.low + v.high) / 2 if v.low != v.high else v.low
    return v.low if v.low is not None else v.high


def spark_text(values: Sequence[Value]) -> str:
    """A unicode sparkline ("▁▃▇") for the plain-text digest, from zero up."""
    pts = [p for p in (point(v) for v in values) if p is not None]
    if not pts:
        return ""
    hi = max(max(pts), 0)
    lo = min(min(pts), 0)
    if hi == lo:
        return SPARK_CHARS[3] * len(pts)
    top = len(SPARK_CHARS) - 1
    return "".join(SPARK_CHARS[round((p - lo) / (hi - lo) * top)] for p in pts)


# --- scales ---------------------------------------------------------------------------

def nice_step(span: float, ticks: int = 4) -> float:
    """A round step (1, 2, 2.5 or 5 × 10ⁿ) that cuts ``span`` into about ``ticks`` parts."""
    if span <= 0:
        return 1.0
    raw = span / ticks
    mag = 10 ** math.floor(math.log10(raw))
    for m in (1, 2, 2.5, 5, 10):
        if raw <= m * mag:
            return m * mag
    return 10 * mag


def value_axis(values: Sequence[Value], kind: str = "count", ticks: int = 4
               ) -> tuple[float, float, list[float]]:
    """(bottom, top, tick values) of the value axis.  Percentages run 0–100; counts
    start at zero unless all the data sits far above it (its lowest number above
    80% of its highest), where zero would squash the movement into a line."""
    nums = [float(n) for v in values for n in (v.low, v.high) if n is not None]
    if kind == "percent" and all(0 <= n <= 100 for n in nums):
        return 0.0, 100.0, [0.0, 25.0, 50.0, 75.0, 100.0]
    if not nums:
        return 0.0, 1.0, [0.0, 1.0]
    lo, hi = min(nums), max(nums)
    # room above the top value for an upward arrow
    hi_pad = hi + (hi - min(lo, 0)) * 0.12 or 1.0
    bottom = 0.0 if lo >= 0 and lo <= 0.8 * hi else lo - (hi - lo) * 0.15
    if lo < 0:
        bottom = lo
    step = nice_step(hi_pad - bottom, ticks)
    bottom = math.floor(bottom / step) * step
    top = math.ceil(hi_pad / step) * step
    n = int(round((top - bottom) / step))
    return bottom, top, [bottom + i * step for i in range(n + 1)]


def axis_label(v: float, kind: str = "count") -> str:
    """ "12,000", "2.5k" is never used: analysts read full numbers; "40%" for shares."""
    text = fmt_number(int(v) if float(v).is_integer() else round(v, 2))
    return f"{text}%" if kind == "percent" else text


_MONTHS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()


def _month_add(d: date, months: int) -> date:
    m = d.month - 1 + months
    return date(d.year + m // 12, m % 12 + 1, 1)


def date_ticks(d0: date, d1: date, room: int) -> list[tuple[date, str]]:
    """Month, quarter or year starts between ``d0`` and ``d1``, as many as ``room``
    labels allow: [(day, "Oct 2024"), (day, "Jan 2025"), ...]."""
    months = (d1.year - d0.year) * 12 + d1.month - d0.month + 1
    for every in (1, 3, 6, 12, 24, 60):
        if months / every <= room:
            break
    start = date(d0.year, 1, 1)
    while _month_add(start, every) <= d0:
        start = _month_add(start, every)
    out = []
    d = start if start >= d0 else _month_add(start, every)
    while d <= d1:
        label = str(d.year) if every >= 12 else f"{_MONTHS[d.month - 1]} {d.year}"
        out.append((d, label))
        d = _month_add(d, every)
    return out


# --- sparkline (pages) --------------------------------------------------------------------

def sparkline_svg(values: Sequence[Value], width: int = 150, height: int = 44,
                  kind: str = "count") -> Markup:
    """A small trend for the index: marks from zero up, ranges as bars, bounds as arrows."""
    if not values:
        return Markup("")
    nums = [float(n) for v in values for n in (v.low, v.high) if n is not None]
    lo = min(0.0, *nums)
    hi = 100.0 if kind == "percent" and max(nums) <= 100 else max(nums) or 1.0
    n = len(values)

    def x(i: int) -> float:
        return 7 + (width - 14) * (i / (n - 1) if n > 1 else 0.5)

    def y(v: float) -> float:  # room above the top value for an upward arrow
        return height - 4 - (height - 18) * (v - lo) / ((hi - lo) or 1)

    parts: list[str] = [f'<line x1="0" x2="{width}" y1="{height - 3}" y2="{height - 3}" '
                        'stroke="#c9d2dc"/>']
    for i, v in enumerate(values):
        parts.append(_glyph(v, x(i), y, "#1f5fa8", "circle", small=True))
    words = ", ".join(_value_short(v, kind) for v in values)
    return Markup(f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
                  f'viewBox="0 0 {width} {height}" role="img" class="spark" '
                  f'aria-label="trend: {escape(words)}">' + "".join(parts) + "</svg>")


def _value_short(v: Value, kind: str) -> str:
    return value_words(v, kind)


# --- HTML bars (mail) ---------------------------------------------------------------------

def trend_bars(values: Sequence[Value], kind: str = "count", height: int = 28) -> Markup:
    """The trend as a row of table cells, one bar per value from zero up: what mail
    clients that drop SVG still draw.  Bounds are drawn pale, ranges mid-blue."""
    pts = [(v, point(v)) for v in values]
    nums = [float(p) for _, p in pts if p is not None]
    if len(nums) < 2:
        return Markup("")
    top = max(max(nums), 100.0 if kind == "percent" else 0.0) or 1.0
    cells = []
    for v, p in pts:
        h = max(2, round(height * float(p) / top)) if p is not None else 2
        colour = ("#f0b37e" if v.qualifier in OPEN_UP or v.qualifier in OPEN_DOWN
                  else "#8fb3da" if is_range(v) else "#1f5fa8")
        # height and bgcolor attributes: what Outlook for desktop honours
        cells.append(f'<td valign="bottom"><table cellpadding="0" cellspacing="0" border="0">'
                     f'<tr><td width="7" height="{h}" bgcolor="{colour}"></td></tr></table></td>')
    return Markup(f'<table role="presentation" cellpadding="0" cellspacing="1" border="0" '
                  f'height="{height}"><tr>' + "".join(cells) + "</tr></table>")


# --- the timeline chart (pages) -----------------------------------------------------------

@dataclass(frozen=True)
class ChartPoint:
    """One observation on a figure's timeline chart."""

    day: date
    value: Value
    label: str  # tooltip text: value in words, claimant, outlet
    track: str = ""  # claimant track ("" for a figure tracked as one)


@dataclass(frozen=True)
class Layout:
    width: int
    height: int
    left: int
    right: int
    top: int
    bottom: int
    date_room: int  # how many date labels fit
    value_ticks: int


WIDE = Layout(720, 300, 76, 24, 18, 44, 8, 5)
NARROW = Layout(340, 260, 62, 14, 16, 44, 3, 4)


def timeline_svg(points: Sequence[ChartPoint], kind: str = "count",
                 layout: Layout = WIDE, css_class: str = "chart") -> Markup:
    """The whole timeline of a figure (see the module doc for what the marks mean)."""
    if not points:
        return Markup("")
    L = layout
    lo, hi, ticks = value_axis([p.value for p in points], kind, L.value_ticks)
    days = sorted(p.day for p in points)
    d0, d1 = days[0], days[-1]
    # pad the time axis a little so the first and last marks are not on the frame
    pad = max(3, (d1.toordinal() - d0.toordinal()) // 30)
    t0, t1 = d0.toordinal() - pad, d1.toordinal() + pad
    pw, ph = L.width - L.left - L.right, L.height - L.top - L.bottom

    def x(d: date) -> float:
        return L.left + pw * (d.toordinal() - t0) / (t1 - t0)

    def y(v: float) -> float:
        return L.top + ph - ph * (v - lo) / ((hi - lo) or 1)

    out: list[str] = []
    for t in ticks:
        yy = y(t)
        out.append(f'<line x1="{L.left}" y1="{yy:.1f}" x2="{L.left + pw}" y2="{yy:.1f}" '
                   f'stroke="{"#9aa6b2" if t == 0 else "#e6eaef"}"/>')
        out.append(f'<text x="{L.left - 6}" y="{yy + 4:.1f}" font-size="{FONT}" '
                   f'text-anchor="end" fill="#4a5866">{escape(axis_label(t, kind))}</text>')
    first_tick = date.fromordinal(t0)
    for d, label in date_ticks(first_tick, date.fromordinal(t1), L.date_room):
        xx = x(d)
        out.append(f'<line x1="{xx:.1f}" y1="{L.top + ph}" x2="{xx:.1f}" y2="{L.top + ph + 5}" '
                   'stroke="#9aa6b2"/>')
        out.append(f'<text x="{xx:.1f}" y="{L.top + ph + 19}" font-size="{FONT}" '
                   f'text-anchor="middle" fill="#4a5866">{escape(label)}</text>')
    tracks = list(dict.fromkeys(p.track for p in sorted(points, key=lambda p: p.day)))
    style = {t: TRACK_STYLES[i % len(TRACK_STYLES)] for i, t in enumerate(tracks)}
    for track in tracks:
        out.append(_steps([p for p in points if p.track == track], x, y, style[track][0],
                          L.left + pw))
    xs = _dodge([x(p.day) for p in points], 11.0 if L.width > 400 else 8.0, L.left + 6,
                L.left + pw - 6)
    for p, xx in sorted(zip(points, xs, strict=True), key=lambda px: px[0].day):
        colour, shape = style[p.track]
        out.append(f'<g class="mark {_mark_class(p.value)}"><title>{escape(p.label)}</title>'
                   + _glyph(p.value, xx, y, colour, shape) + "</g>")
    return Markup(f'<svg xmlns="http://www.w3.org/2000/svg" width="{L.width}" '
                  f'height="{L.height}" viewBox="0 0 {L.width} {L.height}" role="img" '
                  f'aria-label="timeline chart" class="{escape(css_class)}">'
                  + "".join(out) + "</svg>")


def track_legend(points: Sequence[ChartPoint]) -> list[tuple[str, str, str]]:
    """(track, colour, shape) in the chart's order, for the page's legend."""
    tracks = list(dict.fromkeys(p.track for p in sorted(points, key=lambda p: p.day)))
    return [(t, *TRACK_STYLES[i % len(TRACK_STYLES)]) for i, t in enumerate(tracks)]


def _mark_class(v: Value) -> str:
    if is_range(v):
        return "range"
    if v.qualifier in OPEN_UP:
        return "open more_than" if v.qualifier == "more_than" else "open at_least"
    if v.qualifier in OPEN_DOWN:
        return "open up_to" if v.qualifier == "up_to" else "open less_than"
    return "approx" if v.qualifier == "approx" else "exact"


def _dodge(xs: list[float], min_gap: float, lo: float, hi: float) -> list[float]:
    """Spread marks that would sit on top of each other (same or nearby dates) sideways,
    keeping each cluster centred on where it was, and all of them inside [lo, hi]."""
    order = sorted(range(len(xs)), key=lambda i: xs[i])
    out = list(xs)
    cluster: list[int] = []

    def flush() -> None:
        if len(cluster) > 1:
            centre = sum(xs[i] for i in cluster) / len(cluster)
            start = centre - min_gap * (len(cluster) - 1) / 2
            for k, i in enumerate(cluster):
                out[i] = start + k * min_gap
        cluster.clear()

    for i in order:
        if cluster and xs[i] - xs[cluster[-1]] >= min_gap:
            flush()
        cluster.append(i)
    flush()
    a, b = min(out, default=lo), max(out, default=hi)
    if a < lo or b > hi:  # too crowded for the room: squeeze, keeping the order
        na, nb = max(a, lo), min(b, hi)
        out = [na + (v - a) * (nb - na) / ((b - a) or 1) for v in out]
    return out


def _steps(points: Sequence[ChartPoint], xf: Callable[[date], float],
           yf: Callable[[float], float], colour: str, end: float) -> str:
    """The current value over time: a step line while it is a number, a band while it
    is a range, nothing while it is only a bound."""
    ordered = sorted(points, key=lambda p: p.day)
    out = []
    for i, p in enumerate(ordered):
        x1 = xf(p.day)
        x2 = xf(ordered[i + 1].day) if i + 1 < len(ordered) else end
        if x2 <= x1:
            continue
        v = p.value
        if is_range(v):
            assert v.low is not None and v.high is not None
            ya, yb = yf(float(v.high)), yf(float(v.low))
            out.append(f'<rect x="{x1:.1f}" y="{ya:.1f}" width="{x2 - x1:.1f}" '
                       f'height="{max(yb - ya, 1):.1f}" fill="{colour}" fill-opacity="0.10"/>')
        elif v.qualifier not in OPEN_UP and v.qualifier not in OPEN_DOWN:
            n = point(v)
            if n is None:
                continue
            yy = yf(float(n))
            nxt = ordered[i + 1].value if i + 1 < len(ordered) else None
            out.append(f'<line x1="{x1:.1f}" x2="{x2:.1f}" y1="{yy:.1f}" y2="{yy:.1f}" '
                       f'stroke="{colour}" stroke-width="2" stroke-opacity="0.55"/>')
            if nxt is not None and not is_range(nxt) and (m := point(nxt)) is not None \
                    and nxt.qualifier not in OPEN_UP and nxt.qualifier not in OPEN_DOWN:
                y2 = yf(float(m))
                out.append(f'<line x1="{x2:.1f}" x2="{x2:.1f}" y1="{yy:.1f}" y2="{y2:.1f}" '
                           f'stroke="{colour}" stroke-width="2" stroke-opacity="0.55"/>')
    return "".join(out)


def _shape(shape: str, cx: float, cy: float, r: float, fill: str, stroke: str) -> str:
    if shape == "square":
        return (f'<rect x="{cx - r:.1f}" y="{cy - r:.1f}" width="{2 * r:.1f}" '
                f'height="{2 * r:.1f}" fill="{fill}" stroke="{stroke}" stroke-width="2"/>')
    if shape == "diamond":
        d = r * 1.3
        return (f'<polygon points="{cx:.1f},{cy - d:.1f} {cx + d:.1f},{cy:.1f} {cx:.1f},'
                f'{cy + d:.1f} {cx - d:.1f},{cy:.1f}" fill="{fill}" stroke="{stroke}" '
                'stroke-width="2"/>')
    if shape == "triangle":
        d = r * 1.3
        return (f'<polygon points="{cx:.1f},{cy - d:.1f} {cx + d:.1f},{cy + d * 0.8:.1f} '
                f'{cx - d:.1f},{cy + d * 0.8:.1f}" fill="{fill}" stroke="{stroke}" '
                'stroke-width="2"/>')
    return (f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="{r:.1f}" fill="{fill}" '
            f'stroke="{stroke}" stroke-width="2"/>')


def _glyph(v: Value, cx: float, y: Callable[[float], float], colour: str, shape: str,
           small: bool = False) -> str:
    """One observation's mark: a dot (a ring when approximate), a bar for a range, an
    arrow from the bound for an open bound."""
    r = 3.5 if small else 5.0
    if is_range(v):
        assert v.low is not None and v.high is not None
        y1, y2 = y(float(v.low)), y(float(v.high))
        w, least = (4, 8) if small else (8, 3)
        return (f'<rect x="{cx - w / 2:.1f}" y="{y2:.1f}" width="{w}" '
                f'height="{max(y1 - y2, least):.1f}" rx="2" fill="{colour}" fill-opacity="0.35" '
                f'stroke="{colour}" stroke-width="{1 if small else 2}"/>')
    n = point(v)
    if n is None:
        return ""
    cy = y(float(n))
    if v.qualifier in OPEN_UP or v.qualifier in OPEN_DOWN:
        d = -1 if v.qualifier in OPEN_UP else 1  # SVG y grows downwards
        stem = 12 if small else 22
        head = 4 if small else 7
        tip = cy + d * stem
        dash = ' stroke-dasharray="3,2"' if v.qualifier in ("at_least", "up_to") else ""
        return (f'<line x1="{cx - head:.1f}" x2="{cx + head:.1f}" y1="{cy:.1f}" y2="{cy:.1f}" '
                f'stroke="{colour}" stroke-width="2"/>'
                f'<line x1="{cx:.1f}" x2="{cx:.1f}" y1="{cy:.1f}" y2="{tip:.1f}" '
                f'stroke="{colour}" stroke-width="2"{dash}/>'
                f'<polygon points="{cx - head * 0.8:.1f},{tip - d * head:.1f} '
                f'{cx + head * 0.8:.1f},{tip - d * head:.1f} {cx:.1f},{tip:.1f}" '
                f'fill="{colour}"/>')
    fill = "#ffffff" if v.qualifier == "approx" else colour
    return _shape(shape, cx, cy, r, fill, colour)
