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

from .channels import KINDS, Channel, channel, entry_address, subscriber_keys
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
)
from .digest import test_message
from .errors import (
    DeliveryError,
    InputError,
    Problem,
)
from .schedule import cron_trigger, zone
from .sources.base import url_finding
from .yamlio import did_you_mean

if TYPE_CHECKING:
    from .config import Settings
    from .http import HttpClient
    from .pipeline import Context
    from .store import Store
    from .yamlio import Located

log = logging.getLogger(__name__)

__all__ = ["DEFAULT_SENDER", "PASSWORD_ENV", "OutboxTransport", "SmtpTransport", "Transport",
           "cron_trigger", "deliver_pending", "deliver_store", "open_transport", "send_test",
           "sender_of", "smtp_config", "validate_delivery", "zone"]

SMTP_KEYS: dict[str, tuple[type, ...]] = {
    "host": (str,), "port": (int,), "sender": (str,), "user": (str,),
    "password_env": (str,), "starttls": (bool,), "ssl": (bool,), "timeout": (int, float),
    "ca_file": (str,),
}
DIGEST_KEYS = {"cron", "timezone", "subject_prefix", "max_per_figure", "reports_url"}
DELIVERY_KEYS = {"retries", "backoff"}
STALE_FOREIGN_CLAIM = timedelta(hours=1)  # a claim by another host is trusted this long


# --- config validation --------------------------------------------------------

def validate_delivery(settings: Settings, located: Located | None) -> list[Problem]:
    """Check the smtp, subscribers, digest and delivery sections; every problem at once."""
    data = located.data if located is not None and isinstance(located.data, dict) else {}
    out: list[Problem] = []

    def problem(path: tuple[str | int, ...], msg: str, hint: str = "") -> None:
        if located is None:
            out.append(Problem("figmon.yaml", None, None, msg, hint))
        else:
            out.append(located.problem(path, msg, hint))

    smtp = data.get("smtp")
    if isinstance(smtp, dict):
        for key, given in smtp.items():
            value: Any = given
            path = ("smtp", str(key))
            if key == "password":
                problem(path, "'password' must not be written in the config file",
                        f"remove it and set {PASSWORD_ENV} in the environment, or name "
                        "another variable with 'password_env:'")
            elif key not in SMTP_KEYS:
                problem(path, f"unknown key 'smtp.{key}'", did_you_mean(str(key), SMTP_KEYS))
            elif not _type_ok(value, SMTP_KEYS[key]):
                want = {str: "a string", int: "a whole number", bool: "true or false"}.get(
                    SMTP_KEYS[key][0], "a number")
                problem(path, f"'smtp.{key}' must be {want}", f"got {value!r}")
            elif key == "port" and not 0 < int(value) < 65536:
                problem(path, f"'smtp.port' {value} is not a port", "use 1–65535, e.g. 587")
            elif key == "timeout" and float(value) <= 0:
                problem(path, "'smtp.timeout' must be positive", "seconds, e.g. 30")
            elif key == "ca_file" and not settings.resolve(str(value)).is_file():
                problem(path, f"'smtp.ca_file' {value!r} is not a file",
                        "give the PEM file of the CA that signed the mail server's "
                        "certificate (relative paths are read from the config's folder)")
            elif key == "sender" and "@" not in str(value):
                problem(path, f"'smtp.sender' {value!r} is not an e-mail address",
                        "e.g. figmon@example.org")
        if not smtp.get("host"):
            problem(("smtp",), "'smtp' needs a 'host'",
                    "name the mail server (host: smtp.example.org), or remove the smtp "
                    "section to write messages to the outbox folder")
        if smtp.get("ssl") is True and smtp.get("starttls") is True:
            problem(("smtp", "ssl"), "'smtp.ssl' and 'smtp.starttls' are both on",
                    "use ssl: true for port 465, or starttls: true for port 587, not both")

    subs = data.get("subscribers")
    if isinstance(subs, list):
        _check_subscribers(subs, problem)

    dig = data.get("digest")
    if isinstance(dig, dict):
        for key, value in dig.items():
            path = ("digest", str(key))
            if key not in DIGEST_KEYS:
                problem(path, f"unknown key 'digest.{key}'", did_you_mean(str(key), DIGEST_KEYS))
            elif key == "max_per_figure":
                if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                    problem(path, "'digest.max_per_figure' must be a whole number ≥ 1",
                            f"got {value!r}")
            elif not isinstance(value, str):
                problem(path, f"'digest.{key}' must be a string", f"got {value!r}")
            elif key == "reports_url" and value and url_finding(key, value):
                problem(path, f"'digest.reports_url: {value}' is not an http(s) address",
                        "give the address the reports folder is served at, e.g. "
                        "https://figmon.example.org/reports/")
            elif key == "timezone":
                try:
                    zone(value)
                except ValueError:
                    problem(path, f"'digest.timezone' {value!r} is not a known time zone",
                            "use an IANA name such as UTC, Europe/Kyiv or Asia/Seoul")
            elif key == "cron":
                try:
                    cron_trigger(value)
                except ValueError as exc:
                    problem(path, f"'digest.cron' {value!r} is not a cron expression ({exc})",
                            "five fields: minute hour day month weekday, e.g. '0 7 * * *'")

    dlv = data.get("delivery")
    if isinstance(dlv, dict):
        for key, value in dlv.items():
            path = ("delivery", str(key))
            if key not in DELIVERY_KEYS:
                problem(path, f"unknown key 'delivery.{key}'",
                        did_you_mean(str(key), DELIVERY_KEYS))
            elif key == "retries" and (isinstance(value, bool) or not isinstance(value, int)
                                       or value < 0):
                problem(path, "'delivery.retries' must be a whole number ≥ 0", f"got {value!r}")
            elif key == "backoff" and (isinstance(value, bool)
                                       or not isinstance(value, int | float) or value < 0):
                problem(path, "'delivery.backoff' must be seconds ≥ 0", f"got {value!r}")
    return out


def _check_subscribers(subs: list[Any], problem: Callable[..., None]) -> None:
    """Each entry: exactly one channel key with a valid address, that channel's keys,
    figures, cadence; no address twice.  The channels registry gives the schema."""
    allowed = subscriber_keys()
    every: set[str] = set().union(*allowed.values())
    seen: set[str] = set()
    for i, sub in enumerate(subs):
        base: tuple[str | int, ...] = ("subscribers", i)
        if not isinstance(sub, dict):
            problem(base, "a subscriber must be a mapping",
                    "write '- email: analyst@example.org'")
            continue
        kinds = [k for k in KINDS if k in sub]
        for key in sub:
            if key == "password":
                problem(base + (str(key),), "passwords do not belong to subscribers",
                        f"remove it; the SMTP password comes from {PASSWORD_ENV}")
            elif key not in every:
                problem(base + (str(key),), f"unknown key '{key}' in a subscriber",
                        did_you_mean(str(key), every))
            elif len(kinds) == 1 and key not in allowed[kinds[0]]:
                problem(base + (str(key),), f"'{key}' does not apply to a {kinds[0]} "
                        "subscriber", f"{kinds[0]} subscribers take: "
                        f"{', '.join(sorted(allowed[kinds[0]]))}")
        try:
            _, address = entry_address(sub)
        except InputError as exc:
            where = base + ((kinds[0],) if len(kinds) == 1 else ())
            if not kinds or kinds == ["email"]:
                # the wording e-mail-only configs have always had
                problem(where, f"subscriber {i + 1} needs a valid 'email'",
                        "e.g. email: analyst@example.org" + (
                            "; or webhook: / apprise: instead" if not kinds else ""))
            else:
                problem(where, f"subscriber {i + 1}: {exc.message}", exc.hint)
        else:
            if address in seen:
                problem(base + (kinds[0],), f"subscriber {address} is listed twice",
                        "keep one entry")
            seen.add(address)
        _check_common(sub, base, problem)


def _check_common(sub: dict[str, Any], base: tuple[str | int, ...],
                  problem: Callable[..., None]) -> None:
    figs = sub.get("figures")
    if figs is not None and not (isinstance(figs, str) or (
            isinstance(figs, list) and all(isinstance(f, str) for f in figs))):
        problem(base + ("figures",), "'figures' must be a list of ids or globs",
                'e.g. figures: ["dprk-*"]')
    cad = sub.get("cadence")
    if cad is not None and cad not in ("immediate", "daily"):
        problem(base + ("cadence",), f"unknown cadence {cad!r}",
                "use immediate (after each run) or daily (on digest.cron)")
    env = sub.get("secret_env")
    if env is not None and (not isinstance(env, str) or not env.strip()):
        problem(base + ("secret_env",), "'secret_env' must name an environment variable",
                "e.g. secret_env: FIGMON_HOOK_SECRET")


def _type_ok(value: Any, types: tuple[type, ...]) -> bool:
    # bool is an int in Python: true/false only counts where a bool is wanted
    return isinstance(value, types) and (bool in types or not isinstance(value, bool))


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


def _commit(store: Store) -> None:
    if store.db.conn.in_transaction:
        store.db.conn.commit()


def recover(store: Store, now: datetime | None = None) -> int:
    """Rows left 'sending' by a dead process become pending again (same bytes, same
    Message-ID). Returns how many."""
    now = now or datetime.now(UTC)
    stale = [r["id"] for r in store.db.query(
        "SELECT id, claimed_by, claimed_at FROM deliveries WHERE status = 'sending'")
        if not _alive(r["claimed_by"], r["claimed_at"], now)]
    if stale:
        with store.atomic():
            store.db.conn.executemany(
                "UPDATE deliveries SET status = 'pending', claimed_by = NULL WHERE id = ?"
                " AND status = 'sending'", [(i,) for i in stale])
        _commit(store)
    return len(stale)


def due(store: Store, now: datetime) -> list[dict[str, Any]]:
    return list(store.db.query(
        "SELECT id, email, body, message_id, attempts, channel, options FROM deliveries"
        " WHERE status = 'pending' AND (next_attempt_at IS NULL OR next_attempt_at <= ?)"
        " ORDER BY id", [_iso(now)]))


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
    with store.atomic():
        store.db.execute(
            "UPDATE deliveries SET status = ?, attempts = ?, next_attempt_at = ?,"
            " last_error = ?, claimed_by = NULL WHERE id = ?",
            [status, attempts, nxt, error, row_id])
    _commit(store)
    return status


def _claim(store: Store, row_id: int, now: datetime) -> bool:
    with store.atomic():
        cur = store.db.execute(
            "UPDATE deliveries SET status = 'sending', attempts = attempts + 1,"
            " claimed_by = ?, claimed_at = ? WHERE id = ? AND status = 'pending'",
            [_me(), _iso(now), row_id])
    _commit(store)  # durable before a single byte goes to the server
    return bool(cur.rowcount)


def _mark_sent(store: Store, row_id: int) -> None:
    with store.atomic():
        store.db.execute(
            "UPDATE deliveries SET status = 'sent', sent_at = ?, last_error = NULL,"
            " claimed_by = NULL WHERE id = ?", [_iso(datetime.now(UTC)), row_id])
    _commit(store)


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
