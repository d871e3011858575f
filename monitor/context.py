"""What every stage of a run needs: settings, the store, the rules and the shared
HTTP client.  ``RuleSet`` is the part of the rules the stages use, so they need not
import monitor.rules (which sits above them)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from .http import HttpClient
from .store import Store

if TYPE_CHECKING:
    from .config import Settings
    from .models import Article, Observation, Quantity, Verdict
    from .workers import Pool


class RuleSet(Protocol):
    """The loaded rules as a run uses them: the tracked figures by id (each with at
    least ``title`` and ``kind``), and matching an article against them."""

    @property
    def figures(self) -> Mapping[str, Any]: ...

    def match(self, article: Article, quantities: list[Quantity] | None = None,
              verdicts: list[Verdict] | None = None) -> list[Observation]: ...


class NoRules:
    """Rules that track nothing: digest commands show figure ids when the rules folder
    cannot be read."""

    figures: Mapping[str, Any] = {}

    def match(self, article: Article, quantities: list[Quantity] | None = None,
              verdicts: list[Verdict] | None = None) -> list[Observation]:
        return []


def figures_of(rules: RuleSet | None) -> Mapping[str, Any]:
    """The tracked figures, none when the rules are not loaded (status, serve)."""
    return rules.figures if rules is not None else {}


@dataclass
class Context:
    """What every stage of a run needs; built by ``pipeline.open_context``."""

    settings: Settings
    store: Store
    rules: RuleSet
    http: HttpClient | None = None
    pool: Pool | None = None  # worker processes for per-article work (None: this one)

    def client(self) -> HttpClient:
        """The shared HTTP client, created on first use."""
        if self.http is None:
            self.http = HttpClient(self.settings.http)
            # hosts that asked an earlier run to stay away are still left alone
            self.http.defer(self.store.host_waits(self.http.now()))
        return self.http

    def close(self) -> None:
        if self.pool is not None:
            self.pool.close()
        if self.http is not None:
            close = getattr(self.http, "close", None)
            if close:
                close()
        self.store.close()
