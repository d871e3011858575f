"""Webhook: the digest as JSON, POSTed through the shared HTTP client.

Headers: ``Idempotency-Key`` (stable per digest and recipient, so a receiver can
drop the one resend a crash can cause), and, when the subscriber names a
``secret_env`` variable, ``X-Figmon-Signature: sha256=<hex>``, the HMAC-SHA256 of
the exact body under that variable's value.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from ..errors import FetchError, InputError, PermanentDeliveryError, TemporaryDeliveryError
from ..http import HttpClient
from .base import Channel, Compose, Outgoing

if TYPE_CHECKING:
    from ..config import Settings
    from ..digest import DigestItem
    from ..models import Value

SIGNATURE_HEADER = "X-Figmon-Signature"
# 408 and 429 ask to come back later; every other 4xx will not change by retrying
RETRYABLE_4XX = frozenset({408, 429})


def _value(v: Value | None) -> dict[str, Any] | None:
    if v is None:
        return None
    return {"low": v.low, "high": v.high, "qualifier": v.qualifier}


def event_json(it: DigestItem) -> dict[str, Any]:
    ev = it.event
    return {"figure": ev.figure, "title": it.title, "kind": ev.kind, "old": _value(ev.old),
            "new": _value(ev.new), "article": ev.article or None,
            "published": ev.published, "claimant": it.claimant, "quote": it.quote or None}


def body_json(digest_id: int | None, c: Compose) -> str:
    """The POST body: {"digest", "subject", "events": [...], "url"}."""
    return json.dumps({"digest": digest_id, "subject": c.rendered.subject,
                       "events": [event_json(it) for it in c.items], "url": c.url},
                      ensure_ascii=False, sort_keys=False)


def idempotency_key(key: str, address: str) -> str:
    return "figmon-" + hashlib.sha256(f"{key}\0webhook\0{address}".encode()).hexdigest()[:32]


def signature(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


class _WebhookSender:
    def __init__(self, settings: Settings, http: HttpClient | None) -> None:
        self.own = http is None
        self.http = http if http is not None else HttpClient.from_settings(settings)

    def send(self, row: Mapping[str, Any]) -> None:
        url = str(row["email"])
        body = str(row["body"]).encode()
        headers = {"Content-Type": "application/json",
                   "Idempotency-Key": str(row["message_id"])}
        var = str(json.loads(row.get("options") or "{}").get("secret_env") or "")
        if var:
            secret = os.environ.get(var)
            if secret is None:
                raise TemporaryDeliveryError(
                    f"webhook {url}: secret_env names {var}, which is not set",
                    f"export {var}=... for the figmon process; the delivery stays pending")
            headers[SIGNATURE_HEADER] = signature(secret, body)
        try:
            r = self.http.post(url, body, headers)
        except FetchError as exc:
            raise TemporaryDeliveryError(f"webhook {exc.message}",
                                         "retried with back-off") from exc
        if 200 <= r.status < 300:
            return
        said = r.content[:200].decode("utf-8", "replace").strip()
        err = f"webhook {url} answered {r.status}" + (f": {said}" if said else "")
        if 400 <= r.status < 500 and r.status not in RETRYABLE_4XX:
            raise PermanentDeliveryError(err, "check the URL and the receiver; this digest "
                                         "is not sent to it again")
        if 300 <= r.status < 400:
            raise PermanentDeliveryError(err, "webhooks are not redirected: put the final "
                                         "address in figmon.yaml")
        raise TemporaryDeliveryError(err, "retried with back-off")

    def close(self) -> None:
        if self.own:
            self.http.close()


class WebhookChannel(Channel):
    kind = "webhook"
    keys = {"secret_env": "environment variable holding the HMAC-SHA256 signing secret"}
    example = "webhook: https://hooks.example.org/figmon"

    @classmethod
    def looks_like(cls, address: str) -> bool:
        return address.strip().lower().startswith(("http://", "https://"))

    @classmethod
    def normalise(cls, address: str) -> str:
        a = (address or "").strip()
        parts = urlsplit(a)
        if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
            raise InputError(f"'{address}' is not an http(s) URL",
                             "Give the receiver's address, e.g. https://hooks.example.org/x.")
        return a

    @classmethod
    def compose(cls, c: Compose) -> Outgoing:
        opts = {k: c.options[k] for k in cls.keys if c.options.get(k)}
        return Outgoing(c.address, idempotency_key(c.key, c.address), c.rendered.subject,
                        body_json(None, c), cls.kind, json.dumps(opts) if opts else "",
                        finish=lambda digest_id: body_json(digest_id, c))

    @classmethod
    def open(cls, settings: Settings, http: HttpClient | None) -> _WebhookSender:
        return _WebhookSender(settings, http)
