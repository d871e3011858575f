"""Who receives digests: subscribers from the database (`figmon subscribers add`) and
from figmon.yaml, merged at run time.

Config subscribers get a row too (origin 'config') so their daily cursor survives
restarts; a row whose address has left the config is ignored, not deleted.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from fnmatch import fnmatchcase
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from .channels import KINDS, entry_address, guess
from .channels.email import EmailChannel
from .channels.email import unsubscribe_token as mailto_token
from .errors import InputError
from .store import deliveries as outbox
from .store import now_iso
from .store import subscribers as rows
from .store.digests import top_digested_event

if TYPE_CHECKING:
    from .config import Settings
    from .store import Store

CADENCES = ("immediate", "daily")


@dataclass(frozen=True)
class Subscriber:
    email: str  # the address, of whichever channel (the column predates channels)
    figures: tuple[str, ...] = ()  # ids or fnmatch globs; empty = every figure
    cadence: str = "immediate"
    origin: str = "cli"  # "cli" | "config"
    last_event_id: int | None = None  # daily cursor: events up to this id were sent
    channel: str = "email"  # a kind in channels.KINDS
    options: tuple[tuple[str, str], ...] = ()  # the channel's extra keys (secret_env)

    @property
    def address(self) -> str:
        return self.email

    def wants(self, figure: str) -> bool:
        return not self.figures or any(fnmatchcase(figure, g) for g in self.figures)


def normalise_email(email: str) -> str:
    """Addresses are compared case-insensitively; a bad one is refused with a reason."""
    return EmailChannel.normalise(email)


def _key(address: str) -> str:
    """The stored form of any address: e-mail lower-cased, URLs as given."""
    a = (address or "").strip()
    return a.lower() if EmailChannel.looks_like(a) else a


def _row_to_sub(row: dict[str, Any]) -> Subscriber:
    try:
        figs = json.loads(row.get("figures") or "[]")
    except ValueError:
        figs = []
    return Subscriber(email=row["email"], figures=tuple(str(f) for f in figs),
                      cadence=row.get("cadence") or "immediate",
                      origin=row.get("origin") or "cli",
                      last_event_id=row.get("last_event_id"),
                      channel=row.get("channel") or "email")


def _upsert(store: Store, email: str, figures: Iterable[str], cadence: str, origin: str,
            channel: str = "email") -> None:
    # new daily subscribers start after the events already digested before they joined
    rows.upsert(store, email, figures=json.dumps(list(figures), ensure_ascii=False),
                cadence=cadence, origin=origin, channel=channel, created_at=now_iso(),
                last_event_id=top_digested_event(store), token=mailto_token(email))


def add(store: Store, email: str, figures: Iterable[str] = (),
        cadence: str = "immediate", channel: str | None = None) -> Subscriber:
    """Subscribe (or update) ``email`` — an e-mail address, a webhook URL or an Apprise
    URL; ``channel`` says which, or is guessed from the address.  Returns the stored
    subscriber."""
    if channel is None:
        channel, e = guess(email)
    elif channel not in KINDS:
        raise InputError(f"unknown channel '{channel}'", f"Use one of: {', '.join(KINDS)}.")
    else:
        e = KINDS[channel].normalise(email)
    if cadence not in CADENCES:
        raise InputError(f"unknown cadence '{cadence}'", "Use immediate or daily.")
    figs = [f.strip() for f in figures if f.strip()]
    with store.durable():
        _upsert(store, e, figs, cadence, "cli", channel)
        # subscribing again after a one-click unsubscribe: a fresh start, so links in
        # the old mails no longer unsubscribe
        rows.restart(store, e, now_iso())
    return get(store, e) or Subscriber(e, tuple(figs), cadence, channel=channel)


def get(store: Store, email: str) -> Subscriber | None:
    row = rows.get(store, _key(email))
    return _row_to_sub(row) if row else None


def remove(store: Store, email: str, settings: Settings | None = None) -> bool:
    """Unsubscribe; False when the address was not subscribed. Config subscribers are
    refused: the next run would add them back."""
    e = _key(email)
    if settings is not None and any(_key(str(s.get(k, ""))) == e
                                    for s in settings.subscribers for k in KINDS if k in s):
        where = settings.path or "figmon.yaml"
        raise InputError(f"{email} is listed under 'subscribers:' in {where}",
                         "Remove it from the config file instead.")
    with store.durable():
        return rows.delete(store, e)


def sync_config(store: Store, settings: Settings) -> None:
    """Make sure every config subscriber has a row (keeping its cursor)."""
    with store.durable():
        for s in settings.subscribers:
            c = _from_config(s)
            _upsert(store, c.email, c.figures, c.cadence, "config", c.channel)


def _from_config(entry: dict[str, Any]) -> Subscriber:
    figs = entry.get("figures") or []
    if isinstance(figs, str):
        figs = [figs]
    kind, address = entry_address(entry)
    options = tuple((k, str(entry[k])) for k in KINDS[kind].keys if entry.get(k))
    return Subscriber(address, tuple(str(f) for f in figs),
                      str(entry.get("cadence") or "immediate"), "config",
                      channel=kind, options=options)


def active(store: Store, settings: Settings | None = None, *,
           sync: bool = True) -> list[Subscriber]:
    """Everyone who should get digests now: CLI subscribers plus the config's.

    ``sync=False`` (dry runs) reads without writing: config subscribers not yet
    stored are taken straight from the config."""
    config = [_from_config(s) for s in settings.subscribers] if settings is not None else []
    if sync and config:
        sync_config(store, settings)  # type: ignore[arg-type]
    listed = {c.email: c for c in config}
    out: dict[str, Subscriber] = {}
    gone: set[str] = set()
    for row in rows.every(store):
        sub = _row_to_sub(row)
        if row.get("unsubscribed_at"):
            gone.add(sub.email)  # one-click unsubscribed, though still in the config
            continue
        if sub.origin == "config" and sub.email not in listed:
            continue  # removed from the config file since
        if sub.email in listed:  # the config's channel options (secret_env) hold
            sub = replace(sub, options=listed[sub.email].options)
        out[sub.email] = sub
    for email, c in listed.items():
        if email not in gone:
            out.setdefault(email, c)
    return sorted(out.values(), key=lambda s: s.email)


# --- one-click unsubscribe (RFC 8058) -------------------------------------------------

def unsubscribe_token(store: Store, email: str) -> str | None:
    """The token in ``email``'s unsubscribe link: an HMAC of the subscription (address
    and when it began) under the database's secret.  None when the address has no row."""
    row = rows.get(store, _key(email))
    secret = store.meta("unsubscribe_secret")
    if row is None or not secret:
        return None
    return _token(secret, row["email"], row["created_at"] or "")


def _token(secret: str, email: str, created_at: str) -> str:
    mac = hmac.new(secret.encode(), f"unsubscribe\0{email}\0{created_at}".encode(),
                   hashlib.sha256)
    return mac.hexdigest()[:32]


@dataclass(frozen=True)
class TokenOwner:
    email: str
    origin: str
    unsubscribed: bool  # already (a config subscriber's row stays, marked)


def token_owner(store: Store, token: str) -> TokenOwner | None:
    """Whose unsubscribe token this is; None for a wrong token, or one whose
    subscription was removed or started again since."""
    secret = store.meta("unsubscribe_secret")
    token = (token or "").strip().lower()
    if not secret or not re.fullmatch(r"[0-9a-f]{32}", token):
        return None
    for email, created, origin, gone in rows.starts(store):
        if hmac.compare_digest(_token(secret, email, created), token):
            return TokenOwner(email, origin, bool(gone))
    return None


def unsubscribe_by_token(store: Store, token: str) -> TokenOwner | None:
    """Remove the subscriber the token names, and cancel deliveries still waiting for
    them.  A subscriber from figmon.yaml is marked instead (the config would add them
    back), and then gets nothing until `figmon subscribers add` subscribes them again.
    Returns the owner as it was before; None (nothing changed) for a wrong or used token."""
    owner = token_owner(store, token)
    if owner is None or owner.unsubscribed:
        return owner
    with store.durable():
        if owner.origin == "config":
            rows.mark_unsubscribed(store, owner.email, now_iso())
        else:
            rows.delete(store, owner.email)
        outbox.cancel_pending(store, owner.email, "unsubscribed")
    return owner


@dataclass(frozen=True)
class UnsubscribeLink:
    """How one subscriber stops their digests: the headers and the footer's words."""

    email: str
    sender: str
    token: str
    url: str = ""  # the one-click https link; "" without serve.public_url

    @property
    def mailto(self) -> str:
        return f"mailto:{self.sender}?subject={quote('unsubscribe ' + self.token)}"

    def add_headers(self, msg: Any) -> None:
        """RFC 8058 List-Unsubscribe (+ List-Unsubscribe-Post when there is a link)."""
        if self.url:
            msg["List-Unsubscribe"] = f"<{self.url}>, <{self.mailto}>"
            msg["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
        else:
            msg["List-Unsubscribe"] = f"<{self.mailto}>"


def unsubscribe_link(store: Store, settings: Settings, email: str,
                     sender: str) -> UnsubscribeLink:
    """``email``'s unsubscribe link, on serve.public_url when that is set."""
    token = unsubscribe_token(store, email) or ""
    base = str(settings.serve_options().get("public_url") or "").rstrip("/")
    url = f"{base}/unsubscribe?t={quote(token)}" if base and token else ""
    return UnsubscribeLink(email=email, sender=sender, token=token, url=url)
