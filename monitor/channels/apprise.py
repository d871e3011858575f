"""Apprise: any notification service Apprise knows (tgram://, slack://, matrix://,
ntfy://, json:// ...).  The message is the digest's text form, with a link to its
archive page when ``digest.reports_url`` is set.

Apprise reports only success or failure, not why: a failed send is retried with
back-off and fails for good when the retries run out; an address Apprise cannot
parse fails at once.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ..errors import InputError, PermanentDeliveryError, TemporaryDeliveryError
from .base import Channel, Compose, Outgoing

if TYPE_CHECKING:
    from ..config import Settings
    from ..http import HttpClient

_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*://\S+$", re.I)


def _apprise() -> Any:
    import apprise  # heavy (loads every service plugin): only when a row is sent

    return apprise


def text_of(c: Compose) -> str:
    text = c.rendered.text.rstrip()
    if c.url and c.url not in text:
        text += f"\n\nOnline: {c.url}"
    return text + "\n"


class _AppriseSender:
    def send(self, row: Mapping[str, Any]) -> None:
        apprise = _apprise()
        url = str(row["email"])
        msg = json.loads(str(row["body"]))
        ap = apprise.Apprise()
        if not ap.add(url):
            raise PermanentDeliveryError(f"Apprise cannot use the address {url}",
                                         "check it against the Apprise wiki's URL formats")
        if not ap.notify(body=msg["body"], title=msg["title"]):
            raise TemporaryDeliveryError(f"Apprise could not notify {url}",
                                         "retried with back-off (Apprise's log says why)")

    def close(self) -> None:
        pass


class AppriseChannel(Channel):
    kind = "apprise"
    example = "apprise: ntfy://ntfy.example.org/figmon"

    @classmethod
    def looks_like(cls, address: str) -> bool:
        return bool(_SCHEME.match(address.strip()))

    @classmethod
    def normalise(cls, address: str) -> str:
        a = (address or "").strip()
        if not _SCHEME.match(a):
            raise InputError(f"'{address}' is not an Apprise URL",
                             "Give one like ntfy://ntfy.example.org/topic or "
                             "tgram://bottoken/ChatID.")
        if not _apprise().Apprise().add(a):
            raise InputError(f"Apprise does not know the address '{address}'",
                             "Check the service's URL format in the Apprise wiki.")
        return a

    @classmethod
    def compose(cls, c: Compose) -> Outgoing:
        key = "apprise-" + hashlib.sha256(f"{c.key}\0apprise\0{c.address}".encode()
                                          ).hexdigest()[:32]
        body = json.dumps({"title": c.rendered.subject, "body": text_of(c)}, ensure_ascii=False)
        return Outgoing(c.address, key, c.rendered.subject, body, cls.kind)

    @classmethod
    def open(cls, settings: Settings, http: HttpClient | None) -> _AppriseSender:
        return _AppriseSender()
