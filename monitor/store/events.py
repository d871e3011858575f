"""The events table: what subscribers hear about, and what was digested."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ..models import Event, Value
from .base import StoreBase
from .rows import _day_range, _value, _value_json, now_iso, stored_value


class Events(StoreBase):
    """The events table: what subscribers hear about, and what was digested."""

    def add_event(self, event: Event, *, article_row: int | None = None,
                  created_at: str | None = None) -> int | None:
        """Record an event; None when its observation already has one."""
        old = event.old
        cur = self._run(
            "INSERT OR IGNORE INTO events (figure, track, kind, old_low, old_high,"
            " old_qualifier, new_low, new_high, new_qualifier, article, article_id,"
            " published, observation_id, created_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (event.figure, event.track, event.kind, old.low if old else None,
             old.high if old else None, old.qualifier if old else None, event.new.low,
             event.new.high, event.new.qualifier, event.article, article_row,
             event.published, event.observation_id, created_at or now_iso()))
        if not cur.rowcount:
            return None
        if event.kind != "restated":  # the newest event: what subscribers heard last
            self.heard[(event.figure, event.track)] = stored_value(
                event.new.low, event.new.high, event.new.qualifier)
        return int(cur.lastrowid or 0)

    def last_heard(self, figure: str, track: str) -> Value | None:
        """The value subscribers last heard of (figure, track): the new value of its
        newest event that is not ``restated``, for the ingest writer inside
        ``writing()``: from memory when known, else from the database."""
        key = (figure, track)
        if key in self.heard:
            return self.heard[key]
        row = self.db.conn.execute(
            "SELECT new_low, new_high, new_qualifier FROM events WHERE figure = ?"
            " AND track = ? AND kind != 'restated' ORDER BY id DESC LIMIT 1",
            (figure, track)).fetchone()
        found = None if row is None else _value(row[0], row[1], row[2])
        self.heard[key] = found
        return found

    def events(self, *, figures: Iterable[str] | None = None, undigested: bool = False,
               since_id: int | None = None, limit: int | None = None,
               globs: Iterable[str] = (), published_since: str | None = None,
               published_until: str | None = None, before_id: int | None = None,
               newest_first: bool = False) -> list[dict[str, Any]]:
        """Events in the order they were detected, with their article and quote.

        ``globs`` keeps figures matching any of them (as subscriptions match);
        ``published_since`` / ``published_until`` ("YYYY-MM-DD") keep events published
        on or after / on or before that day; ``newest_first`` reverses the order and
        ``before_id`` pages back through it.

        Each dict has the stable keys figure, kind, old, new, article, published,
        plus id, track, title, source, outlet, claimant, relayed, quote, surface,
        observation_id, created_at and digest_id.
        """
        where, args = ["1"], []  # type: tuple[list[str], list[Any]]
        if figures is not None:
            names = list(figures)
            where.append(f"e.figure IN ({','.join('?' * len(names))})" if names else "0")
            args.extend(names)
        patterns = list(globs)
        if patterns:  # SQLite's GLOB is fnmatchcase's syntax: * ? [...]
            where.append("(" + " OR ".join("e.figure GLOB ?" for _ in patterns) + ")")
            args.extend(patterns)
        _day_range("e.published", published_since, published_until, where, args)
        if before_id is not None:
            where.append("e.id < ?")
            args.append(before_id)
        if undigested:
            where.append("e.digest_id IS NULL")
        if since_id is not None:
            where.append("e.id > ?")
            args.append(since_id)
        sql = ("SELECT e.*, a.title, a.source, a.outlet, o.claimant, o.relayed, o.quote,"
               " o.surface, o.unit FROM events e"
               " LEFT JOIN observations o ON o.id = e.observation_id"
               " LEFT JOIN articles a ON a.id = o.article_id"
               f" WHERE {' AND '.join(where)} ORDER BY e.id"
               f"{' DESC' if newest_first else ''}")
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        out = []
        for r in self.db.query(sql, args):
            out.append({
                "id": r["id"], "figure": r["figure"], "kind": r["kind"],
                "old": _value_json(r["old_low"], r["old_high"], r["old_qualifier"]),
                "new": _value_json(r["new_low"], r["new_high"], r["new_qualifier"]),
                "article": r["article"], "published": r["published"], "track": r["track"],
                "title": r["title"], "source": r["source"], "outlet": r["outlet"],
                "claimant": r["claimant"], "relayed": r["relayed"], "quote": r["quote"],
                "surface": r["surface"], "unit": r["unit"],
                "observation_id": r["observation_id"], "created_at": r["created_at"],
                "digest_id": r["digest_id"],
            })
        return out

    def mark_digested(self, event_ids: Iterable[int], digest_id: int) -> None:
        """Attach events to the digest that reported them."""
        with self.atomic():
            for event_id in event_ids:
                self.db.execute("UPDATE events SET digest_id = ? WHERE id = ?"
                                " AND digest_id IS NULL", [digest_id, event_id])
