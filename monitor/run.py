"""One run, wired together: every configured source through the pipeline, then
the digest, the archive and delivery.  The top of the house: nothing in monitor/
imports it but the CLI and the daemon."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field

from . import digest
from .config import Settings
from .context import Context, RuleSet
from .models import Event
from .pipeline import open_context, run_source
from .sources import build_sources
from .workers import WRITER_FIRST, Pool

log = logging.getLogger(__name__)


@dataclass
class SourceRun:
    name: str
    kind: str
    found: int
    new: int
    events: int
    errors: list[str]


@dataclass
class RunSummary:
    sources: list[SourceRun] = field(default_factory=list)
    events_raised: list[Event] = field(default_factory=list)
    # what the digest and delivery step reported as failed (it never raises)
    digest_errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Nothing failed: every source, the digest and every delivery went through."""
        return not self.failed and not self.digest_errors

    @property
    def found(self) -> int:
        return sum(s.found for s in self.sources)

    @property
    def new(self) -> int:
        return sum(s.new for s in self.sources)

    @property
    def events(self) -> int:
        return sum(s.events for s in self.sources)

    @property
    def failed(self) -> list[SourceRun]:
        return [s for s in self.sources if s.errors]


def run_once(settings: Settings, *, rules: RuleSet | None = None,
             workers: int | None = 1) -> RunSummary:
    """Every configured source once, then the digest, the archive and delivery.
    ``workers``: processes for extraction and matching (None: one per core)."""
    summary = RunSummary()
    sources = build_sources(settings)
    started = time.monotonic()
    ctx = open_context(settings, rules=rules)
    ctx.pool = Pool(workers, ctx.rules, nice=WRITER_FIRST)
    try:
        for source in sources:
            r = run_source(ctx, source)
            summary.sources.append(SourceRun(source.name, source.kind, r.found, r.new,
                                             len(r.events), r.errors))
            summary.events_raised.extend(r.events)
        with _FailureLog() as failures:
            try:
                after_run(ctx)
            except Exception as exc:  # noqa: BLE001 - the sources' work is committed
                log.error("digest failed (%s: %s); pending events stay for the next run",
                          type(exc).__name__, exc, exc_info=log.isEnabledFor(logging.DEBUG))
                failures.messages.append(f"digest failed ({type(exc).__name__}: {exc}); "
                                         "pending events stay for the next run")
        summary.digest_errors = failures.messages
        ctx.store.set_meta("last_run_seconds", f"{time.monotonic() - started:.3f}")
    finally:
        ctx.close()
    return summary


class _FailureLog(logging.Handler):
    """Collects what the digest and delivery step logs as failed: it records
    failures and carries on rather than raising, and `run --once` must still
    exit 3 when one happened."""

    LOGGERS = ("monitor.digest", "monitor.deliver")

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())

    def __enter__(self) -> _FailureLog:
        for name in self.LOGGERS:
            logging.getLogger(name).addHandler(self)
        return self

    def __exit__(self, *exc: object) -> None:
        for name in self.LOGGERS:
            logging.getLogger(name).removeHandler(self)


def after_run(ctx: Context) -> None:
    """Hand over to monitor.digest.after_run: the digest, the archive, delivery."""
    digest.after_run(ctx)
