"""Values, qualifiers and differences in the words a reader would use.

No internal label ("more_than", "range") ever reaches a reader: every value goes
through ``value_words``.  A difference is only given between comparable values
(points, approximations, range midpoints marked as such), never against an open
bound: "more than 10,000 → about 12,000" has no honest arithmetic.
"""

from __future__ import annotations

from datetime import date

from .models import Number, Value

QUALIFIER_WORDS = {
    "exact": "", "approx": "about", "more_than": "more than", "at_least": "at least",
    "up_to": "up to", "less_than": "less than", "range": "",
}
OPEN_UP = ("more_than", "at_least")  # only a lower bound is known
OPEN_DOWN = ("up_to", "less_than")  # only an upper bound is known
_MONTHS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()


def fmt_number(x: Number | None) -> str:
    """10000 → "10,000"; 2.5 → "2.5"; None → "?"."""
    if x is None:
        return "?"
    if isinstance(x, float) and not x.is_integer():
        return f"{x:,.2f}".rstrip("0").rstrip(".")
    return f"{int(x):,}"


def is_range(v: Value) -> bool:
    return v.low is not None and v.high is not None and v.low != v.high


def value_words(v: Value, kind: str = "count", unit: str = "") -> str:
    """A value as a reader would say it: "more than 10,000 troops", "up to 40%"."""
    pct = "%" if kind == "percent" else ""
    q = v.qualifier
    if is_range(v):
        core = f"{fmt_number(v.low)}{pct}–{fmt_number(v.high)}{pct}"
        if q not in ("range", "exact"):
            core = f"{QUALIFIER_WORDS.get(q, '')} {core}".strip()
    else:
        n = v.low if q in OPEN_UP or v.high is None else v.high
        core = f"{QUALIFIER_WORDS.get(q, '')} {fmt_number(n)}{pct}".strip()
    return f"{core} {unit}" if unit else core


def change_words(old: Value | None, new: Value, kind: str = "count", unit: str = "") -> str:
    """ "more than 10,000 → about 12,000 troops", or just the new value."""
    if old is None:
        return value_words(new, kind, unit)
    return f"{value_words(old, kind)} → {value_words(new, kind, unit)}"


def comparable(v: Value) -> tuple[float, bool] | None:
    """The number a difference may be taken from, and whether it is a range's midpoint;
    None for an open bound ("more than", "up to"), which has no point to compare."""
    if v.qualifier in OPEN_UP or v.qualifier in OPEN_DOWN:
        return None
    if is_range(v):
        assert v.low is not None and v.high is not None
        return (v.low + v.high) / 2, True
    n = v.low if v.low is not None else v.high
    return (float(n), False) if n is not None else None


def difference(old: Value | None, new: Value, kind: str = "count") -> str:
    """ "+2,000 (+20%)" between comparable values; "" when there is no honest one
    (an open bound on either side, or no movement at all).  A range is compared by its
    midpoint, and the text says so."""
    if old is None:
        return ""
    a, b = comparable(old), comparable(new)
    if a is None or b is None:
        return ""
    diff = b[0] - a[0]
    if diff == 0:
        return ""
    sign = "+" if diff > 0 else "−"
    unit = " pp" if kind == "percent" else ""
    text = f"{sign}{fmt_number(_tidy(abs(diff)))}{unit}"
    notes = []
    if a[0]:
        rel = f"{abs(diff) / abs(a[0]) * 100:.1f}".rstrip("0").rstrip(".")
        notes.append(f"{sign}{rel}%")
    if a[1] or b[1]:
        notes.append("range midpoint" if a[1] != b[1] else "range midpoints")
    return f"{text} ({', '.join(notes)})" if notes else text


def _tidy(x: float) -> Number:
    return int(x) if float(x).is_integer() else round(x, 2)


def short_date(text: str | None) -> str:
    """ "2025-09-02…" → "2 Sep 2025"; anything else as given ("" for none)."""
    try:
        d = date.fromisoformat((text or "")[:10])
    except ValueError:
        return text or ""
    return f"{d.day} {_MONTHS[d.month - 1]} {d.year}"


def attributed(words: str, who: str | None, when: str | None) -> str:
    """ "about 12,000 (Seoul, 2 Sep 2025)": a value with who said it and when."""
    said = ", ".join(p for p in (who or "", short_date(when)) if p)
    return f"{words} ({said})" if said else words


def change_sentence(new: str, new_who: str | None, new_when: str | None,
                    old: str | None = None, old_who: str | None = None,
                    old_when: str | None = None) -> str:
    """ "now about 12,000 (Seoul, 2 Sep 2025) — was more than 10,000 (Budanov, 15 Aug 2025)"."""
    now = "now " + attributed(new, new_who, new_when)
    if old is None:
        return now
    return f"{now} — was {attributed(old, old_who, old_when)}"
