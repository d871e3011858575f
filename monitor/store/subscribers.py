"""The subscribers table: one row per address (of any channel), with its figures,
cadence, origin (cli | config), daily cursor and one-click unsubscribe mark."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from . import Store


def upsert(store: Store, address: str, *, figures: str, cadence: str, origin: str,
           channel: str, created_at: str, last_event_id: int, token: str) -> None:
    """Add ``address``, or update its figures, cadence, origin and channel (its
    cursor and start stay).  Runs inside the caller's transaction."""
    store.db.execute(
        "INSERT INTO subscribers (email, figures, cadence, origin, created_at, last_event_id,"
        " token, channel) VALUES (?,?,?,?,?,?,?,?) ON CONFLICT(email) DO UPDATE SET"
        " figures = excluded.figures, cadence = excluded.cadence, origin = excluded.origin,"
        " channel = excluded.channel",
        [address, figures, cadence, origin, created_at, last_event_id, token, channel])


def restart(store: Store, address: str, now: str) -> None:
    """A one-click-unsubscribed address subscribed again starts afresh (its old
    unsubscribe links stop working)."""
    store.db.execute("UPDATE subscribers SET unsubscribed_at = NULL, created_at = ?"
                     " WHERE email = ? AND unsubscribed_at IS NOT NULL", [now, address])


def get(store: Store, address: str) -> dict[str, Any] | None:
    rows = list(store.db.query("SELECT * FROM subscribers WHERE email = ?", [address]))
    return rows[0] if rows else None


def every(store: Store) -> list[dict[str, Any]]:
    return list(store.db.query("SELECT * FROM subscribers ORDER BY email"))


def delete(store: Store, address: str) -> bool:
    """Runs inside the caller's transaction; False when there was no such row."""
    cur = store.db.execute("DELETE FROM subscribers WHERE email = ?", [address])
    return bool(cur.rowcount)


def mark_unsubscribed(store: Store, address: str, now: str) -> None:
    store.db.execute("UPDATE subscribers SET unsubscribed_at = ? WHERE email = ?",
                     [now, address])


def set_cursor(store: Store, address: str, last_event_id: int, at: str) -> None:
    """A daily subscriber has had everything up to ``last_event_id``, as of ``at``."""
    store.db.execute("UPDATE subscribers SET last_event_id = ?, last_digest_at = ?"
                     " WHERE email = ?", [last_event_id, at, address])


def daily_anchor(store: Store, address: str) -> str | None:
    """When a daily subscriber's last digest went (or, before the first, when they
    subscribed)."""
    row = store.db.execute("SELECT last_digest_at, created_at FROM subscribers"
                           " WHERE email = ?", [address]).fetchone()
    return (row[0] or row[1]) if row else None


def starts(store: Store) -> list[tuple[str, str, str, str | None]]:
    """(address, created_at, origin, unsubscribed_at) of every row: what unsubscribe
    tokens are made of."""
    return [(r[0], r[1] or "", r[2] or "cli", r[3]) for r in store.db.execute(
        "SELECT email, created_at, origin, unsubscribed_at FROM subscribers")]
