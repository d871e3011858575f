"""The near_misses table: numbers that named a subject but no rule took."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ..models import Verdict
from .base import StoreBase
from .rows import now_iso


class NearMisses(StoreBase):
    """The near_misses table: numbers that named a subject but no rule took."""

    def add_near_miss_rows(self, rows: list[tuple[Any, ...]]) -> int:
        """Insert rows made by ``near_miss_rows`` (the writer sends a chunk's at once)."""
        if not self.db.conn.in_transaction:
            with self.atomic():
                return self.add_near_miss_rows(rows)
        self.db.conn.executemany(
            "INSERT INTO near_misses (article_id, noun, unit, surface, low, high, qualifier,"
            " reason, detail, quote, published, created_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
            rows)
        return len(rows)

    def near_misses(self, *, published_since: str | None = None) -> list[dict[str, Any]]:
        """Stored near misses with their article's URL and title, oldest first."""
        where, args = "", []
        if published_since:
            where, args = " WHERE n.published >= ?", [published_since]
        return [dict(r) for r in self.db.query(
            "SELECT n.*, a.url AS article, a.title FROM near_misses n"
            " JOIN articles a ON a.id = n.article_id" + where + " ORDER BY n.id", args)]


def miss_values(v: Verdict) -> tuple[Any, ...]:
    """A near miss as its near_misses columns from noun to quote (plain values: worker
    processes send these, which pickle far faster than the Verdict)."""
    q = v.quantity
    return (v.noun or q.unit, q.unit, q.surface, q.low, q.high, q.qualifier, v.reason,
            v.detail, v.quote)


def near_miss_rows(article_row: int, values: Iterable[tuple[Any, ...]], published: str | None,
                   created_at: str | None = None) -> list[tuple[Any, ...]]:
    """The near_misses rows of one stored article, from its ``miss_values``."""
    stamp = created_at or now_iso()
    return [(article_row, *v, published, stamp) for v in values]
