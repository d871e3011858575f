"""E-mail: an RFC 5322 message per subscriber, sent over SMTP, or written to the
``.eml`` outbox folder when no smtp section is configured."""

from __future__ import annotations

import contextlib
import email
import hashlib
import os
import re
import smtplib
import ssl
from collections.abc import Mapping
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import quote as urlquote

from ..defaults import DEFAULTS
from ..errors import InputError, PermanentDeliveryError, TemporaryDeliveryError
from ..pages import env, inline_css, write_text
from .base import Channel, Compose, Outgoing

if TYPE_CHECKING:
    from ..config import Settings
    from ..digest import Rendered
    from ..http import HttpClient
    from ..subscribers import UnsubscribeLink

PASSWORD_ENV = "FIGMON_SMTP_PASSWORD"
DEFAULT_SENDER = "figmon@localhost"
EMAIL_ADDRESS = re.compile(r"^[^@\s<>,;:\"]+@[^@\s<>,;:\"]+$")


# --- the message -------------------------------------------------------------------

def message_id(key: str, email: str, domain: str = "figmon.local") -> str:
    """Stable per digest and recipient, so a resend can be recognised as the same message."""
    h = hashlib.sha256(f"{key}\0{email.strip().lower()}".encode()).hexdigest()[:32]
    return f"<{h}@{domain}>"


def unsubscribe_token(email: str) -> str:
    """Stable token naming the subscriber in unsubscribe requests."""
    return hashlib.sha256(f"figmon-unsubscribe\0{email.strip().lower()}".encode()).hexdigest()[:20]


def sender_domain(sender: str) -> str:
    return sender.rpartition("@")[2].strip(" >") or "figmon.local"


def build_message(rendered: Rendered, *, sender: str, to: str, msg_id: str,
                  when: datetime | None = None,
                  unsubscribe: UnsubscribeLink | None = None) -> EmailMessage:
    """A multipart/alternative message: plain text first, then the inlined HTML."""
    msg = EmailMessage()
    msg["Subject"] = rendered.subject
    msg["From"] = sender
    msg["To"] = to
    msg["Date"] = format_datetime(when or datetime.now(UTC))
    msg["Message-ID"] = msg_id
    if unsubscribe is not None:
        unsubscribe.add_headers(msg)
    else:
        token = unsubscribe_token(to)
        msg["List-Unsubscribe"] = (f"<mailto:{sender}?subject="
                                   f"{urlquote('unsubscribe ' + token)}>")
        msg["X-Figmon-Unsubscribe-Token"] = token
    msg.set_content(rendered.text)
    msg.add_alternative(rendered.email_html, subtype="html")
    return msg


def test_message(sender: str, to: str) -> EmailMessage:
    """The `figmon test-email` message: proves the route works, nothing more."""
    now = datetime.now(UTC)
    text = ("This is a test message from figmon.\n\nIf you can read it, digests sent to "
            f"{to} will arrive the same way.\n")
    html = inline_css(env().get_template("test.html").render(to=to))
    msg = EmailMessage()
    msg["Subject"] = "[figmon] test message"
    msg["From"] = sender
    msg["To"] = to
    msg["Date"] = format_datetime(now)
    msg["Message-ID"] = message_id(f"test-{now.isoformat()}", to, sender_domain(sender))
    msg.set_content(text)
    msg.add_alternative(html, subtype="html")
    return msg


def serialize(msg: EmailMessage) -> str:
    """The message as sent. Headers are not folded (lines up to RFC 5322's 998):
    the stdlib's folding doubles the space before an encoded word such as "→"."""
    return msg.as_string(policy=msg.policy.clone(max_line_length=998))


# --- transports ---------------------------------------------------------------------

class Transport(Protocol):
    def send(self, sender: str, to: str, body: str) -> None: ...
    def close(self) -> None: ...


def smtp_config(settings: Settings) -> dict[str, Any] | None:
    """The smtp section over its defaults; None when there is none (file outbox)."""
    if not settings.smtp:
        return None
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
        except UnicodeEncodeError as exc:  # cannot happen with serialize's output
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
        target = self.folder / f"{name or name_for(body)}.eml"
        try:  # whole file, fsynced, with the umask's permissions (0644 under 022)
            write_text(target, body, fsync=True, newline="")
        except OSError as exc:
            raise TemporaryDeliveryError(f"cannot write {target}: {exc}",
                                         "check the outbox folder's space and permissions"
                                         ) from exc

    def close(self) -> None:
        pass


def name_for(body: str) -> str:
    """The outbox file name of a message: its Message-ID's local part."""
    mid = email.message_from_string(body).get("Message-ID", "") or ""
    local = mid.strip("<> ").split("@")[0]
    return "".join(c for c in local if c.isalnum() or c in "-_") or "message"


def open_transport(settings: Settings) -> Transport:
    cfg = smtp_config(settings)
    if cfg is None:
        return OutboxTransport(settings.outbox)
    return SmtpTransport(cfg)


def send_on(transport: Transport, sender: str, to: str, body: str) -> None:
    """One message through ``transport``; the outbox names its file by Message-ID."""
    if isinstance(transport, OutboxTransport):
        transport.send(sender, to, body, name=name_for(body))
    else:
        transport.send(sender, to, body)


# --- the channel ----------------------------------------------------------------------

class _EmailSender:
    def __init__(self, settings: Settings) -> None:
        self.sender = sender_of(settings)
        self.transport = open_transport(settings)

    def send(self, row: Mapping[str, Any]) -> None:
        send_on(self.transport, self.sender, str(row["email"]), str(row["body"]))

    def close(self) -> None:
        self.transport.close()


class EmailChannel(Channel):
    kind = "email"
    example = "email: analyst@example.org"
    shared_route = True  # one SMTP connection: after a temporary failure the rest wait

    @classmethod
    def looks_like(cls, address: str) -> bool:
        return "://" not in address and "@" in address

    @classmethod
    def normalise(cls, address: str) -> str:
        e = (address or "").strip().lower()
        if not EMAIL_ADDRESS.match(e):
            raise InputError(f"'{address}' is not an e-mail address",
                             "Give an address like analyst@example.org.")
        return e

    @classmethod
    def compose(cls, c: Compose) -> Outgoing:
        mid = message_id(c.key, c.address, sender_domain(c.sender))
        msg = build_message(c.rendered, sender=c.sender, to=c.address, msg_id=mid,
                            when=c.created, unsubscribe=c.unsubscribe)
        return Outgoing(c.address, mid, c.rendered.subject, serialize(msg))

    @classmethod
    def open(cls, settings: Settings, http: HttpClient | None) -> _EmailSender:
        return _EmailSender(settings)
