"""The deliveries table: the outbox of every channel.  A row holds the exact
message to send; its status goes pending → sending → sent | failed | cancelled."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from . import Store

# (digest_id, address, message_id, body, subject, created_at, channel, options)
Row = tuple[int, str, str, str, str, str, str, str | None]


def add(store: Store, rows: Iterable[Row]) -> None:
    """New pending rows; one already there for (digest, address) stays as it is.
    Runs inside the caller's transaction."""
    store.db.conn.executemany(
        "INSERT OR IGNORE INTO deliveries (digest_id, email, message_id, body, subject,"
        " created_at, channel, options, status, attempts)"
        " VALUES (?,?,?,?,?,?,?,?,'pending',0)", list(rows))


def sending(store: Store) -> list[dict[str, Any]]:
    """Rows some process claimed: id, claimed_by, claimed_at."""
    return list(store.db.query(
        "SELECT id, claimed_by, claimed_at FROM deliveries WHERE status = 'sending'"))


def release(store: Store, ids: Sequence[int]) -> None:
    """Claimed rows whose process is gone become pending again."""
    if not ids:
        return
    with store.durable():
        store.db.conn.executemany(
            "UPDATE deliveries SET status = 'pending', claimed_by = NULL WHERE id = ?"
            " AND status = 'sending'", [(i,) for i in ids])


def due(store: Store, now: str) -> list[dict[str, Any]]:
    """Pending rows whose back-off has run out, oldest first."""
    return list(store.db.query(
        "SELECT id, email, body, message_id, attempts, channel, options FROM deliveries"
        " WHERE status = 'pending' AND (next_attempt_at IS NULL OR next_attempt_at <= ?)"
        " ORDER BY id", [now]))


def claim(store: Store, row_id: int, me: str, now: str) -> bool:
    """Take a pending row for sending (one attempt more); False when another process
    took it first.  Committed before the caller sends a byte."""
    with store.durable():
        cur = store.db.execute(
            "UPDATE deliveries SET status = 'sending', attempts = attempts + 1,"
            " claimed_by = ?, claimed_at = ? WHERE id = ? AND status = 'pending'",
            [me, now, row_id])
    return bool(cur.rowcount)


def mark_sent(store: Store, row_id: int, now: str) -> None:
    with store.durable():
        store.db.execute(
            "UPDATE deliveries SET status = 'sent', sent_at = ?, last_error = NULL,"
            " claimed_by = NULL WHERE id = ?", [now, row_id])


def record_failure(store: Store, row_id: int, *, status: str, attempts: int,
                   next_attempt_at: str | None, error: str) -> None:
    """A failed attempt: pending again (with its next time) or failed for good."""
    with store.durable():
        store.db.execute(
            "UPDATE deliveries SET status = ?, attempts = ?, next_attempt_at = ?,"
            " last_error = ?, claimed_by = NULL WHERE id = ?",
            [status, attempts, next_attempt_at, error, row_id])


def cancel_pending(store: Store, address: str, reason: str) -> None:
    """Rows still waiting for ``address`` are not sent (inside the caller's
    transaction)."""
    store.db.execute("UPDATE deliveries SET status = 'cancelled', last_error = ?"
                     " WHERE email = ? AND status = 'pending'", [reason, address])
