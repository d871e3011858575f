"""The digests table, and the events a digest takes: an event belongs to at most
one immediate digest."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from . import deliveries, subscribers

if TYPE_CHECKING:
    from . import Store


class Raced(Exception):
    """Some events were attached to another process's digest first; nothing of this
    one was written."""


@dataclass(frozen=True)
class DigestRow:
    key: str
    created_at: str
    subject: str
    html: str
    text: str
    cadence: str
    event_ids: list[int]
    path: str  # the archive page, relative to reports/


def top_digested_event(store: Store) -> int:
    """The newest event already in a digest (0 for none)."""
    row = store.db.execute("SELECT coalesce(max(id), 0) FROM events"
                           " WHERE digest_id IS NOT NULL").fetchone()
    return int(row[0])


def save(store: Store, d: DigestRow, outgoing: Callable[[int], Iterable[deliveries.Row]],
         cursor: Mapping[str, int] | None = None) -> tuple[int, bool]:
    """The digest row, its events (immediate digests), its delivery rows and the
    daily cursors, in one transaction.  ``outgoing`` is called with the digest's id
    and gives the delivery rows.  Returns (digest id, whether the row is new);
    Raced when another process took some of the events."""
    with store.durable():
        store.db.execute(
            "INSERT OR IGNORE INTO digests (key, created_at, subject, html, text, cadence,"
            " events, path) VALUES (?,?,?,?,?,?,?,?)",
            [d.key, d.created_at, d.subject, d.html, d.text, d.cadence,
             json.dumps(d.event_ids), d.path])
        created = bool(store.db.execute("SELECT changes()").fetchone()[0])
        digest_id = int(store.db.execute("SELECT id FROM digests WHERE key = ?",
                                         [d.key]).fetchone()[0])
        if d.cadence == "immediate":
            store.db.conn.executemany(
                "UPDATE events SET digest_id = ? WHERE id = ? AND digest_id IS NULL",
                [(digest_id, i) for i in d.event_ids])
            marks = ",".join("?" * len(d.event_ids))
            taken = store.db.execute(
                f"SELECT count(*) FROM events WHERE id IN ({marks}) AND digest_id != ?",
                [*d.event_ids, digest_id]).fetchone()[0]
            if taken:  # another process digested some of them meanwhile: roll back
                raise Raced()
        deliveries.add(store, outgoing(digest_id))
        for address, last in (cursor or {}).items():
            subscribers.set_cursor(store, address, last, d.created_at)
    return digest_id, created


def move_cursors(store: Store, cursor: Mapping[str, int], at: str) -> None:
    """Due daily subscribers with nothing new: their clock moves on all the same."""
    with store.durable():
        for address, last in cursor.items():
            subscribers.set_cursor(store, address, last, at)


def for_archive(store: Store) -> list[dict[str, Any]]:
    """Every digest with what its archive page needs, and how many it went to."""
    return list(store.db.query(
        "SELECT d.id, d.key, d.created_at, d.subject, d.cadence, d.path, d.html, d.events,"
        " (SELECT count(*) FROM deliveries x WHERE x.digest_id = d.id) AS recipients"
        " FROM digests d ORDER BY d.created_at DESC, d.id DESC"))
