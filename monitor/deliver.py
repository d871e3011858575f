"""Delivery of digests: SMTP, or a file outbox when no SMTP is configured.

Outbox pattern.  ``digest.build`` commits the digest row and one delivery row per
recipient (holding the exact message to send) in one transaction; this module
then works through the due rows:

    pending ──claim (commit)──► sending ──server accepted──► sent (commit)
       ▲                           │
       └── 4xx / connection error ─┴── 5xx for that recipient ──► failed

A row left in 'sending' by a process that died (its pid is gone) goes back to
pending and is sent again with the same bytes and Message-ID: that is the only
way a message can arrive twice, and only if the process died in the instant
between the server accepting the message and the 'sent' commit.
"""

from __future__ import annotations

import contextlib
import logging
import os
import smtplib
import socket
import ssl
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from .errors import (
    DeliveryError,
    PermanentDeliveryError,
    Problem,
    TemporaryDeliveryError,
)
from .sources.base import url_finding
from .yamlio import did_you_mean

if TYPE_CHECKING:
    from .config import Settings
    from .pipeline import Context
    from .store import Store
    from .yamlio import Located

log = logging.getLogger(__name__)

PASSWORD_ENV = "FIGMON_SMTP_PASSWORD"
SMTP_KEYS: dict[str, tuple[type, ...]] = {
    "host": (str,), "port": (int,), "sender": (str,), "user": (str,),
    "password_env": (str,), "starttls": (bool,), "ssl": (bool,), "timeout": (int, float),
    "ca_file": (str,),
}
SUBSCRIBER_KEYS = {"email", "figures", "cadence"}
DIGEST_KEYS = {"cron", "timezone", "subject_prefix", "max_per_figure", "reports_url"}
DELIVERY_KEYS = {"retries", "backoff"}
DEFAULT_SENDER = "figmon@localhost"
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
        from .subscribers import _EMAIL

        seen: set[str] = set()
        for i, sub in enumerate(subs):
            base: tuple[str | int, ...] = ("subscribers", i)
            if not isinstance(sub, dict):
                problem(base, "a subscriber must be a mapping",
                        "write '- email: analyst@example.org'")
                continue
            for key in sub:
                if key == "password":
                    problem(base + (str(key),), "passwords do not belong to subscribers",
                            f"remove it; the SMTP password comes from {PASSWORD_ENV}")
                elif key not in SUBSCRIBER_KEYS:
                    problem(base + (str(key),), f"unknown key '{key}' in a subscriber",
                            did_you_mean(str(key), SUBSCRIBER_KEYS))
            email = sub.get("email")
            if not isinstance(email, str) or not _EMAIL.match(email.strip().lower()):
                problem(base + (("email",) if "email" in sub else ()),
                        f"subscriber {i + 1} needs a valid 'email'",
                        "e.g. email: analyst@example.org")
            elif email.strip().lower() in seen:
                problem(base + ("email",), f"subscriber {email} is listed twice",
                        "keep one entry")
            else:
                seen.add(email.strip().lower())
            figs = sub.get("figures")
            if figs is not None and not (isinstance(figs, str) or (
                    isinstance(figs, list) and all(isinstance(f, str) for f in figs))):
                problem(base + ("figures",), "'figures' must be a list of ids or globs",
                        'e.g. figures: ["dprk-*"]')
            cad = sub.get("cadence")
            if cad is not None and cad not in ("immediate", "daily"):
                problem(base + ("cadence",), f"unknown cadence {cad!r}",
                        "use immediate (after each run) or daily (on digest.cron)")

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


def _type_ok(value: Any, types: tuple[type, ...]) -> bool:
    # bool is an int in Python: true/false only counts where a bool is wanted
    return isinstance(value, types) and (bool in types or not isinstance(value, bool))


def cron_trigger(expr: str, timezone: str = "UTC") -> Any:
    """APScheduler's CronTrigger for a five-field crontab line, read in ``timezone``."""
    from apscheduler.triggers.cron import CronTrigger

    return CronTrigger.from_crontab(expr, timezone=zone(timezone))


def zone(name: str) -> Any:
    """The IANA time zone ``name``; ValueError naming it when it is unknown."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown time zone {name!r}") from exc


# --- transports ---------------------------------------------------------------

class Transport(Protocol):
    def send(self, sender: str, to: str, body: str) -> None: ...
    def close(self) -> None: ...


def smtp_config(settings: Settings) -> dict[str, Any] | None:
    """The smtp section over its DEFAULTS; None when there is none (file outbox)."""
    if not settings.smtp:
        return None
    from .config import DEFAULTS

    cfg = {**DEFAULTS["smtp"], **settings.smtp}
    if cfg.get("ca_file"):
        cfg["ca_file"] = str(settings.resolve(str(cfg["ca_file"])))
    return cfg


def sender_of(settings: Settings) -> str:
    cfg = smtp_config(settings)
    return str((cfg or {}).get("sender") or DEFAULT_SENDER)


def _is_permanent(code: int) -> bool:
    return 500 <= code < 600


class SmtpTransport:
    """One SMTP connection for a batch of messages."""

    def __init__(self, cfg: dict[str, Any]) -> None:
        self.cfg = cfg
        host, port, timeout = str(cfg["host"]), int(cfg["port"]), float(cfg["timeout"])
        try:
            # certificates are always verified; ca_file adds a private CA to trust
            tls = ssl.create_default_context(cafile=cfg.get("ca_file") or None)
            if cfg.get("ssl"):
                self.smtp: smtplib.SMTP = smtplib.SMTP_SSL(host, port, timeout=timeout,
                                                           context=tls)
            else:
                self.smtp = smtplib.SMTP(host, port, timeout=timeout)
            self.smtp.ehlo_or_helo_if_needed()
            if cfg.get("starttls"):
                self.smtp.starttls(context=tls)
                self.smtp.ehlo()
            if cfg.get("user"):
                var = str(cfg.get("password_env") or PASSWORD_ENV)
                password = os.environ.get(var)
                if password is None:
                    self._quit()
                    raise TemporaryDeliveryError(
                        f"smtp.user is set but the environment variable {var} is not",
                        f"export {var}=... for the figmon process, then run again")
                self.smtp.login(str(cfg["user"]), password)
        except smtplib.SMTPAuthenticationError as exc:
            self._quit()
            raise TemporaryDeliveryError(
                f"SMTP login to {host}:{port} refused: {exc.smtp_code} {_text(exc.smtp_error)}",
                "check smtp.user and the password variable; deliveries stay pending") from exc
        except ssl.SSLCertVerificationError as exc:
            self._quit()
            raise TemporaryDeliveryError(
                f"the TLS certificate of SMTP server {host}:{port} could not be verified: "
                f"{exc.verify_message or exc}",
                "if the server's certificate comes from a private CA, set smtp.ca_file to "
                "that CA's PEM file; deliveries stay pending") from exc
        except (OSError, smtplib.SMTPException) as exc:
            self._quit()
            raise TemporaryDeliveryError(
                f"cannot reach SMTP server {host}:{port}: {exc}",
                "check smtp.host/port and that the server is up; deliveries stay pending "
                "and are retried with back-off") from exc

    def _quit(self) -> None:
        smtp = getattr(self, "smtp", None)
        if smtp is not None:
            with contextlib.suppress(Exception):
                smtp.close()

    def send(self, sender: str, to: str, body: str) -> None:
        try:
            refused = self.smtp.sendmail(sender, [to], body)
        except smtplib.SMTPRecipientsRefused as exc:
            code, msg = exc.recipients.get(to, (0, b""))
            err = f"{to} refused: {code} {_text(msg)}"
            raise (PermanentDeliveryError if _is_permanent(code) else TemporaryDeliveryError)(
                err, "check the address") from exc
        except (smtplib.SMTPDataError, smtplib.SMTPSenderRefused) as exc:
            err = f"server refused the message for {to}: {exc.smtp_code} {_text(exc.smtp_error)}"
            if _is_permanent(exc.smtp_code) and isinstance(exc, smtplib.SMTPDataError):
                raise PermanentDeliveryError(err, "see the server's reason") from exc
            raise TemporaryDeliveryError(err, "retried with back-off") from exc
        except (OSError, smtplib.SMTPException) as exc:
            raise TemporaryDeliveryError(f"SMTP connection lost while sending to {to}: {exc}",
                                         "retried with back-off") from exc
        except UnicodeEncodeError as exc:  # cannot happen with digest.serialize's output
            raise PermanentDeliveryError(f"message to {to} is not 7-bit clean: {exc}",
                                         "report this as a figmon bug") from exc
        if refused:  # only possible with several recipients; kept for safety
            raise PermanentDeliveryError(f"{to} refused: {refused}", "check the address")

    def close(self) -> None:
        try:
            self.smtp.quit()
        except Exception:
            self._quit()


def _text(msg: bytes | str) -> str:
    return msg.decode("utf-8", "replace") if isinstance(msg, bytes) else str(msg)


class OutboxTransport:
    """Writes each message to ``outbox/<name>.eml``: temp file, fsync, atomic rename.

    The name comes from the Message-ID, so a resend replaces the same file."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise TemporaryDeliveryError(f"cannot create outbox folder {folder}: {exc}",
                                         "check 'outbox:' in figmon.yaml") from exc

    def send(self, sender: str, to: str, body: str, name: str = "") -> None:
        from .archive import write_text

        target = self.folder / f"{name or _name_for(body)}.eml"
        try:  # whole file, fsynced, with the umask's permissions (0644 under 022)
            write_text(target, body, fsync=True, newline="")
        except OSError as exc:
            raise TemporaryDeliveryError(f"cannot write {target}: {exc}",
                                         "check the outbox folder's space and permissions"
                                         ) from exc

    def close(self) -> None:
        pass


def _name_for(body: str) -> str:
    import email

    mid = email.message_from_string(body).get("Message-ID", "") or ""
    local = mid.strip("<> ").split("@")[0]
    return "".join(c for c in local if c.isalnum() or c in "-_") or "message"


def open_transport(settings: Settings) -> Transport:
    cfg = smtp_config(settings)
    if cfg is None:
        return OutboxTransport(settings.outbox)
    return SmtpTransport(cfg)


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
        "SELECT id, email, body, message_id, attempts FROM deliveries WHERE status = 'pending'"
        " AND (next_attempt_at IS NULL OR next_attempt_at <= ?) ORDER BY id", [_iso(now)]))


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
    return deliver_store(ctx.store, ctx.settings, now=now,
                         stopping=lambda: bool(http is not None and http.stopping))


def deliver_store(store: Store, settings: Settings, *, now: datetime | None = None,
                  stopping: Callable[[], bool] | None = None) -> DeliveryReport:
    """``stopping`` is asked before each message: once it says yes (SIGTERM), the
    message in flight has finished and the rest stay pending for the next start."""
    now = now or datetime.now(UTC)
    report = DeliveryReport()
    recover(store, now)
    rows = due(store, now)
    if not rows:
        return report
    sender = sender_of(settings)
    try:
        transport = open_transport(settings)
    except DeliveryError as exc:
        # the server is unreachable: every due row counts one attempt and backs off
        for r in rows:
            why = f"{exc.message} ({exc.hint})" if exc.hint else exc.message
            st = _retry_or_fail(store, settings, r["id"], r["attempts"] + 1, why, now, False)
            (report.failed if st == "failed" else report.retry).append(r["email"])
        report.errors.append(str(exc))
        log.warning("delivery: %s", exc)
        return report
    try:
        for r in rows:
            if stopping is not None and stopping():
                log.info("delivery: shutting down, %d message(s) left pending",
                         len(rows) - len(report.sent) - len(report.retry) - len(report.failed))
                break
            if not _claim(store, r["id"], now):
                continue  # another process took it
            attempts = r["attempts"] + 1
            try:
                _send(transport, sender, r)
            except DeliveryError as exc:
                st = _retry_or_fail(store, settings, r["id"], attempts, exc.message, now,
                                    exc.permanent)
                (report.failed if st == "failed" else report.retry).append(r["email"])
                report.errors.append(str(exc))
                log.warning("delivery to %s: %s", r["email"], exc)
                if not exc.permanent:
                    break  # the connection is suspect: the rest wait for the next round
                continue
            _mark_sent(store, r["id"])
            report.sent.append(r["email"])
    finally:
        transport.close()
    return report


def _send(transport: Transport, sender: str, row: dict[str, Any]) -> None:
    if isinstance(transport, OutboxTransport):
        transport.send(sender, row["email"], row["body"], name=_name_for(row["body"]))
    else:
        transport.send(sender, row["email"], row["body"])


def send_test(settings: Settings, address: str) -> str:
    """Send a one-off test message (not recorded); returns where it went."""
    from .digest import serialize, test_message
    from .subscribers import normalise_email

    to = normalise_email(address)
    sender = sender_of(settings)
    body = serialize(test_message(sender, to))
    transport = open_transport(settings)
    try:
        if isinstance(transport, OutboxTransport):
            name = _name_for(body)
            transport.send(sender, to, body, name=name)
            return str(settings.outbox / f"{name}.eml")
        transport.send(sender, to, body)
    finally:
        transport.close()
    cfg = smtp_config(settings) or {}
    return f"{cfg.get('host')}:{cfg.get('port')}"
