"""What every channel kind shares: one subscriber's share of a digest (``Compose``),
the outbox row it becomes (``Outgoing``), and the ``Channel`` a kind implements."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

if TYPE_CHECKING:
    from ..config import Settings
    from ..digest import DigestItem, Rendered
    from ..http import HttpClient
    from ..subscribers import UnsubscribeLink


@dataclass(frozen=True)
class Compose:
    """Everything a channel needs to turn a digest into one subscriber's message."""

    key: str  # the digest's key: same events + cadence → same key
    cadence: str
    created: datetime
    address: str
    rendered: Rendered  # rendered for this subscriber (their figures, their footer)
    items: Sequence[DigestItem]
    sender: str = ""  # the From address (email)
    url: str | None = None  # the digest's archive page, when digest.reports_url is set
    options: Mapping[str, Any] = field(default_factory=dict)  # the subscriber's extra keys
    unsubscribe: UnsubscribeLink | None = None


@dataclass
class Outgoing:
    """One subscriber's message of a digest: an outbox row, stored before it is sent."""

    email: str  # the address (an e-mail address, a webhook URL or an Apprise URL)
    message_id: str  # Message-ID for mail; the Idempotency-Key / dedup key otherwise
    subject: str
    body: str  # exactly what is sent
    channel: str = "email"
    options: str = ""  # JSON: what the sender needs besides the body (secret_env)
    # the body names the digest's row id, known only inside the recording transaction
    finish: Callable[[int], str] | None = field(default=None, repr=False)

    @property
    def address(self) -> str:
        return self.email


class Sender(Protocol):
    """An open route for one channel kind, used for a batch of outbox rows."""

    def send(self, row: Mapping[str, Any]) -> None:
        """Deliver one row; TemporaryDeliveryError or PermanentDeliveryError on failure."""

    def close(self) -> None: ...


class Channel:
    """A kind of subscriber address.  Subclasses declare their kind, the extra config
    keys a subscriber entry of theirs accepts, and how to compose and send."""

    kind: ClassVar[str] = ""
    keys: ClassVar[dict[str, str]] = {}  # extra subscriber keys → what they mean
    example: ClassVar[str] = ""
    # after a temporary failure, do the other rows of this kind wait for the next round?
    # (yes for one shared SMTP connection; no for independent HTTP destinations)
    shared_route: ClassVar[bool] = False

    @classmethod
    def looks_like(cls, address: str) -> bool:
        raise NotImplementedError

    @classmethod
    def normalise(cls, address: str) -> str:
        """The stored form of ``address``; InputError saying what is wrong with it."""
        raise NotImplementedError

    @classmethod
    def compose(cls, c: Compose) -> Outgoing:
        raise NotImplementedError

    @classmethod
    def open(cls, settings: Settings, http: HttpClient | None) -> Sender:
        raise NotImplementedError
