"""Helpers for the digest, delivery and subscriber tests: a real SMTP server on
127.0.0.1 (aiosmtpd) and a small seeded database."""

from __future__ import annotations

import email
import email.policy
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from monitor.config import Settings, load_config
from monitor.models import Article, Event, Observation, Value
from monitor.pipeline import Context
from monitor.store import Store


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Recorder:
    """aiosmtpd handler: keeps every accepted message; answers 550 for ``reject``."""

    def __init__(self) -> None:
        self.reject: set[str] = set()
        self.received: list[tuple[str, list[str], bytes]] = []
        self.lock = threading.Lock()

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str,
                          rcpt_options: Any) -> str:
        if address.lower() in self.reject:
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self.lock:
            self.received.append((envelope.mail_from, list(envelope.rcpt_tos),
                                  bytes(envelope.original_content or envelope.content)))
        return "250 Message accepted for delivery"

    def messages(self) -> list[EmailMessage]:
        with self.lock:
            raw = [r[2] for r in self.received]
        return [email.message_from_bytes(b, policy=email.policy.default)  # type: ignore[misc]
                for b in raw]

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages() if m["To"] == address]


class SmtpServer:
    """A real SMTP server on 127.0.0.1 that tests can stop and start again."""

    def __init__(self, auth: tuple[str, str] | None = None) -> None:
        self.port = free_port()
        self.handler = Recorder()
        self.controller: Controller | None = None
        self.auth = auth  # (user, password) the server insists on

    def _check(self, server: Any, session: Any, envelope: Any, mechanism: str,
               data: Any) -> AuthResult:
        ok = isinstance(data, LoginPassword) and self.auth is not None and (
            data.login.decode(), data.password.decode()) == self.auth
        return AuthResult(success=ok, handled=False)  # the server answers 535 itself

    def start(self) -> None:
        extra: dict[str, Any] = {}
        if self.auth is not None:  # plain-text AUTH on loopback only, for the test
            extra = {"auth_required": True, "auth_require_tls": False,
                     "authenticator": self._check}
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port,
                                     **extra)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@pytest.fixture(name="smtp")
def smtp_fixture() -> Iterator[SmtpServer]:
    """A running SMTP server; tests may stop and start it."""
    server = SmtpServer()
    server.start()
    yield server
    server.stop()


@dataclass
class FigureStub:
    """The rules.Figure fields the digest reads."""

    id: str
    title: str
    kind: str = "count"
    unit_label: str = ""
    min_relative: float = 0.0
    min_absolute: float = 0.0
    per_claimant: bool = False


@dataclass
class RulesStub:
    figures: dict[str, FigureStub] = field(default_factory=dict)

    def match(self, article: Article, verdicts: Any = None) -> list[Observation]:
        return []


FIGURES = RulesStub({
    "dprk-troops": FigureStub("dprk-troops", "North Korean troops in Russia", "count", "troops"),
    "dprk-ammo-share": FigureStub("dprk-ammo-share", "Share of Russian artillery shells from "
                                  "North Korea", "percent", "% of shells"),
    "iran-drones": FigureStub("iran-drones", "Iranian drones delivered", "count", "drones"),
})


def write_config(tmp: Path, *, smtp_port: int | None = None, subscribers: str = "",
                 extra: str = "") -> Settings:
    text = ["database: figmon.db", "rules: rules", "reports: reports", "outbox: outbox",
            "delivery:", "  retries: 3", "  backoff: 0"]
    if smtp_port is not None:
        text += ["smtp:", "  host: 127.0.0.1", f"  port: {smtp_port}",
                 "  sender: figmon@example.org", "  timeout: 5"]
    if subscribers:
        text.append(subscribers.rstrip())
    if extra:
        text.append(extra.rstrip())
    path = tmp / "figmon.yaml"
    path.write_text("\n".join(text) + "\n", encoding="utf-8")
    return load_config(path)


def context(settings: Settings) -> Context:
    return Context(settings=settings, store=Store.open(settings.database), rules=FIGURES)


def add_event(store: Store, *, figure: str, url: str, published: str, new: Value,
              old: Value | None = None, quote: str = "", surface: str = "",
              outlet: str = "Example Daily", claimant: str | None = None,
              kind: str | None = None, text: str | None = None) -> int:
    """One article, its observation and the event it raised; returns the event id."""
    art = Article(id=url, title=f"Article {url}", url=url, source=outlet, published=published,
                  lang="en", text=text or quote or url)
    with store.atomic():
        row, _ = store.add_article(art, source="test")
        assert row is not None
        obs = Observation(figure=figure, article=url, published=published, low=new.low,
                          high=new.high, qualifier=new.qualifier, unit=None, surface=surface,
                          quote=quote, claimant=claimant, start=0, end=len(surface))
        oid = store.add_observation(row, obs, track="", dated=published)
        assert oid is not None
        eid = store.add_event(Event(figure=figure, kind=kind or ("changed" if old else "new"),
                                    old=old, new=new, article=url, published=published,
                                    observation_id=oid), article_row=row)
        assert eid is not None
    return eid


def add_observation(store: Store, *, figure: str, url: str, published: str, value: Value,
                    outlet: str = "Other Wire") -> None:
    """A corroborating observation (no event)."""
    art = Article(id=url, title=f"Article {url}", url=url, source=outlet, published=published,
                  lang="en", text=f"text of {url}")
    with store.atomic():
        row, _ = store.add_article(art, source="test")
        assert row is not None
        store.add_observation(row, Observation(
            figure=figure, article=url, published=published, low=value.low, high=value.high,
            qualifier=value.qualifier, unit=None, surface="", quote="", claimant=None),
            track="", dated=published)


def seed_troops(store: Store) -> tuple[int, int]:
    """The seed story: more than 10,000 troops, later about 12,000; plus one new share."""
    e1 = add_event(store, figure="dprk-troops", url="https://news.example.org/a1",
                   published="2025-08-15", new=Value(10000, None, "more_than"),
                   quote="Seoul says Pyongyang sent more than 10,000 soldiers in 2024.",
                   surface="more than 10,000", claimant="South Korean intelligence")
    e2 = add_event(store, figure="dprk-ammo-share", url="https://news.example.org/a2",
                   published="2025-08-13", new=Value(None, 40, "up_to"),
                   quote="Up to 40% of the shells Russia fires come from North Korea.",
                   surface="Up to 40%", outlet="Kyiv Herald")
    return e1, e2
