"""Plain helpers for rows and keys: times, sortable dates, stored values, filters."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

from ..articles import content_hash
from ..models import Article, Value, clean_number

_NOW: tuple[int, str] = (-1, "")  # (whole second, its text): asked many times a second


def now_iso() -> str:
    global _NOW
    second = int(time.time())
    if second != _NOW[0]:
        _NOW = (second, datetime.fromtimestamp(second, UTC).isoformat())
    return _NOW[1]


def _real(x: Any) -> Any:
    """A number as a REAL column stores it (and gives it back)."""
    return float(x) if isinstance(x, int) else x


def date_key(published: str | None, fallback: str = "") -> str:
    """A sortable UTC form of an ISO date or datetime ("" sorts first).

    Dates stay "YYYY-MM-DD"; datetimes become "YYYY-MM-DDTHH:MM:SS" in UTC, so
    offsets compare correctly and a bare date sorts before times on that day.
    """
    text = (published or fallback or "").strip()
    if len(text) <= 10:
        return text
    try:
        dt = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return text
    if dt.tzinfo is not None:
        dt = dt.astimezone(UTC).replace(tzinfo=None)
    return dt.replace(microsecond=0).isoformat()


def _value(low: Any, high: Any, qualifier: Any) -> Value | None:
    if qualifier is None:
        return None
    return Value(clean_number(low), clean_number(high), str(qualifier))


def stored_value(low: Any, high: Any, qualifier: Any) -> Value | None:
    """A value as the database gives it back once written (REAL bounds)."""
    return _value(_real(low), _real(high), qualifier)


def _value_json(low: Any, high: Any, qualifier: Any) -> dict[str, Any] | None:
    value = _value(low, high, qualifier)
    return value.to_json() if value else None


def _timeline_where(figure: str, track: str | None, since: str | None,
                    until: str | None) -> tuple[str, list[Any]]:
    where, args = ["o.figure = ?"], [figure]
    if track is not None:
        where.append("o.track = ?")
        args.append(track)
    _day_range("o.dated", since, until, where, args)
    return " AND ".join(where), args


def _day_range(column: str, since: str | None, until: str | None, where: list[str],
               args: list[Any]) -> None:
    """Keep rows whose ``column`` date falls from ``since`` to ``until`` (inclusive)."""
    if since:
        where.append(f"substr({column}, 1, 10) >= ?")
        args.append(since)
    if until:
        where.append(f"substr({column}, 1, 10) <= ?")
        args.append(until)


def article_hash(article: Article) -> str | None:
    """Normalised content hash of the article's text; None for an empty text (so
    empty articles are told apart by URL only)."""
    if not article.text.strip():
        return None

    return content_hash(article.text)
