"""Delivery of digests through each subscriber's channel (monitor/channels/:
e-mail over SMTP or the .eml outbox, webhook, Apprise).

Outbox pattern.  ``digest.build`` commits the digest row and one delivery row per
recipient (holding the exact message to send, whatever the channel) in one
transaction; this module then works through the due rows:

    pending ──claim (commit)──► sending ──server accepted──► sent (commit)
       ▲                           │
       └── 4xx / connection error ─┴── 5xx for that recipient ──► failed

"Permanent" is a 5xx for SMTP, and a 4xx other than 408/429 for a webhook; it
fails only that delivery.  Anything else is retried with back-off until
``delivery.retries`` run out.

A row left in 'sending' by a process that died (its pid is gone) goes back to
pending and is sent again with the same bytes and Message-ID (Idempotency-Key for
a webhook): that is the only way a message can arrive twice, and only if the
process died in the instant between the receiver accepting the message and the
'sent' commit.  A webhook receiver can drop that duplicate by its Idempotency-Key;
Apprise targets cannot.
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from .channels import Channel, channel
from .channels.email import (  # re-exported: tests and callers know them here
    DEFAULT_SENDER,
    PASSWORD_ENV,
    EmailChannel,
    OutboxTransport,
    SmtpTransport,
    Transport,
    name_for,
    open_transport,
    send_on,
    sender_of,
    serialize,
    smtp_config,
    test_message,
)
from .delivery_settings import validate_delivery
from .errors import (
    DeliveryError,
)
from .schedule import cron_trigger, zone
from .store import deliveries as outbox

if TYPE_CHECKING:
    from .config import Settings
    from .context import Context
    from .http import HttpClient
    from .store import Store

log = logging.getLogger(__name__)

__all__ = ["DEFAULT_SENDER", "PASSWORD_ENV", "OutboxTransport", "SmtpTransport", "Transport",
           "cron_trigger", "deliver_pending", "deliver_store", "open_transport", "send_test",
           "sender_of", "smtp_config", "validate_delivery", "zone"]

STALE_FOREIGN_CLAIM = timedelta(hours=1)  # a claim by another host is trusted this long


# --- the outbox loop -------------------------------------------------------------

@dataclass
class DeliveryReport:
    sent: list[str] = field(default_factory=list)  # e-mail addresses
    failed: list[str] = field(default_factory=list)  # permanently
    retry: list[str] = field(default_factory=list)  # pending again, with back-off
    errors: list[str] = field(default_factory=list)


def _iso(t: datetime) -> str:
    return t.astimezone(UTC).replace(microsecond=0).isoformat()


def _me() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _alive(claim: str | None, claimed_at: str | None, now: datetime) -> bool:
    """Is the process that claimed a row possibly still sending it?"""
    host, _, pid = (claim or "").rpartition(":")
    if host == socket.gethostname() and pid.isdigit():
        if int(pid) == os.getpid():
            return False  # our own leftover from an earlier, interrupted call
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return True
    try:
        at = datetime.fromisoformat(claimed_at or "")
    except ValueError:
        return False
    return now - at < STALE_FOREIGN_CLAIM


def recover(store: Store, now: datetime | None = None) -> int:
    """Rows left 'sending' by a dead process become pending again (same bytes, same
    Message-ID). Returns how many."""
    now = now or datetime.now(UTC)
    stale = [r["id"] for r in outbox.sending(store)
             if not _alive(r["claimed_by"], r["claimed_at"], now)]
    outbox.release(store, stale)
    return len(stale)


def due(store: Store, now: datetime) -> list[dict[str, Any]]:
    return outbox.due(store, _iso(now))


def _backoff(settings: Settings, attempts: int) -> timedelta:
    base = float(settings.delivery.get("backoff", 0) or 0)
    return timedelta(seconds=base * (2 ** max(attempts - 1, 0)))


def _retry_or_fail(store: Store, settings: Settings, row_id: int, attempts: int, error: str,
                   now: datetime, permanent: bool) -> str:
    """Record a failed attempt; returns the new status."""
    retries = int(settings.delivery.get("retries", 0) or 0)
    if permanent or attempts > retries:
        status, nxt = "failed", None
    else:
        status, nxt = "pending", _iso(now + _backoff(settings, attempts))
    outbox.record_failure(store, row_id, status=status, attempts=attempts,
                          next_attempt_at=nxt, error=error)
    return status


def _claim(store: Store, row_id: int, now: datetime) -> bool:
    return outbox.claim(store, row_id, _me(), _iso(now))  # durable before a byte is sent


def _mark_sent(store: Store, row_id: int) -> None:
    outbox.mark_sent(store, row_id, _iso(datetime.now(UTC)))


def deliver_pending(ctx: Context, *, now: datetime | None = None) -> DeliveryReport:
    """Send every due delivery once; failures are recorded, never raised."""
    http = ctx.http
    return deliver_store(ctx.store, ctx.settings, now=now, http=http,
                         stopping=lambda: bool(http is not None and http.stopping))


def deliver_store(store: Store, settings: Settings, *, now: datetime | None = None,
                  stopping: Callable[[], bool] | None = None,
                  http: HttpClient | None = None) -> DeliveryReport:
    """``stopping`` is asked before each message: once it says yes (SIGTERM), the
    message in flight has finished and the rest stay pending for the next start.
    Rows are sent channel by channel, each channel's route opened once."""
    now = now or datetime.now(UTC)
    report = DeliveryReport()
    recover(store, now)
    rows = due(store, now)
    by_kind: dict[str, list[dict[str, Any]]] = {}
    for r in rows:
        by_kind.setdefault(r.get("channel") or "email", []).append(r)
    for kind, batch in by_kind.items():
        if stopping is not None and stopping():
            break
        _deliver_batch(store, settings, channel(kind), batch, now, report, stopping, http)
    return report


def _deliver_batch(store: Store, settings: Settings, kind: type[Channel],
                   rows: list[dict[str, Any]], now: datetime, report: DeliveryReport,
                   stopping: Callable[[], bool] | None, http: HttpClient | None) -> None:
    try:
        sender = kind.open(settings, http)
    except DeliveryError as exc:
        # the route is unreachable: every due row counts one attempt and backs off
        for r in rows:
            why = f"{exc.message} ({exc.hint})" if exc.hint else exc.message
            _record_failure(store, settings, r, r["attempts"] + 1, why, now, False, report)
        report.errors.append(str(exc))
        log.warning("delivery: %s", exc)
        return
    try:
        for n, r in enumerate(rows):
            if stopping is not None and stopping():
                log.info("delivery: shutting down, %d %s message(s) left pending",
                         len(rows) - n, kind.kind)
                break
            if not _claim(store, r["id"], now):
                continue  # another process took it
            attempts = r["attempts"] + 1
            try:
                sender.send(r)
            except DeliveryError as exc:
                _record_failure(store, settings, r, attempts, exc.message, now,
                                exc.permanent, report)
                report.errors.append(str(exc))
                log.warning("delivery to %s: %s", r["email"], exc)
                if not exc.permanent and kind.shared_route:
                    break  # the connection is suspect: the rest wait for the next round
                continue
            _mark_sent(store, r["id"])
            report.sent.append(r["email"])
    finally:
        sender.close()


def _record_failure(store: Store, settings: Settings, row: dict[str, Any], attempts: int,
                    error: str, now: datetime, permanent: bool,
                    report: DeliveryReport) -> None:
    st = _retry_or_fail(store, settings, row["id"], attempts, error, now, permanent)
    (report.failed if st == "failed" else report.retry).append(row["email"])


def send_test(settings: Settings, address: str) -> str:
    """Send a one-off test message (not recorded); returns where it went."""
    to = EmailChannel.normalise(address)
    sender = sender_of(settings)
    body = serialize(test_message(sender, to))
    transport = open_transport(settings)
    try:
        send_on(transport, sender, to, body)
    finally:
        transport.close()
    if isinstance(transport, OutboxTransport):
        return str(settings.outbox / f"{name_for(body)}.eml")
    cfg = smtp_config(settings) or {}
    return f"{cfg.get('host')}:{cfg.get('port')}"
