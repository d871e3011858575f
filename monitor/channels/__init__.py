"""Channels by kind: how a digest reaches a subscriber.

A subscriber is a channel and an address.  To add a kind, write a ``Channel``
subclass in its own module here and list it in ``KINDS``: config validation, the
CLI and the outbox ask this registry, never the implementations.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..errors import InputError
from .apprise import AppriseChannel
from .base import Channel, Compose, Outgoing, Sender
from .email import EmailChannel
from .webhook import WebhookChannel

KINDS: dict[str, type[Channel]] = {c.kind: c for c in (EmailChannel, WebhookChannel,
                                                       AppriseChannel)}
COMMON_KEYS = ("figures", "cadence")

__all__ = ["KINDS", "Channel", "Compose", "Outgoing", "Sender", "channel", "guess",
           "entry_address", "subscriber_keys"]


def channel(kind: str | None) -> type[Channel]:
    """The channel of ``kind`` (rows from before channels existed are e-mail)."""
    try:
        return KINDS[kind or "email"]
    except KeyError:
        raise InputError(f"unknown channel kind '{kind}'",
                         f"Use one of: {', '.join(KINDS)}.") from None


def guess(address: str) -> tuple[str, str]:
    """(kind, normalised address) for an address typed on the command line: an e-mail
    address, an http(s) URL (a webhook) or any other scheme:// URL (Apprise)."""
    a = (address or "").strip()
    for kind in ("webhook", "apprise", "email"):  # http(s) is a webhook before Apprise
        if KINDS[kind].looks_like(a):
            return kind, KINDS[kind].normalise(a)
    return "email", EmailChannel.normalise(a)  # says what an address looks like


def subscriber_keys() -> dict[str, set[str]]:
    """Per kind, every key its subscriber entries accept (kind key included)."""
    return {k: {k, *COMMON_KEYS, *c.keys} for k, c in KINDS.items()}


def entry_address(entry: Mapping[str, Any]) -> tuple[str, str]:
    """(kind, normalised address) of a config subscriber entry, which has exactly one
    of the kind keys; InputError otherwise."""
    kinds = [k for k in KINDS if k in entry]
    if len(kinds) != 1:
        raise InputError("a subscriber needs exactly one of " + ", ".join(
            f"'{k}:'" for k in KINDS) + (f" (it has {', '.join(kinds)})" if kinds else ""),
            "e.g. " + "; or ".join(c.example for c in KINDS.values()))
    kind = kinds[0]
    value = entry[kind]
    if not isinstance(value, str):
        raise InputError(f"'{kind}' must be a string", "e.g. " + KINDS[kind].example)
    return kind, KINDS[kind].normalise(value)
