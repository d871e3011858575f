"""One run: sources → articles → observations → events, then the digest hook.

``ingest`` streams articles in chunks: extraction and matching run outside any
transaction, then a chunk's articles, observations and events are written in
one transaction.  A whole article is always in the same transaction as its
observations and events, so a crash loses at most the chunk in flight, and
re-running fetches it again (duplicates are dropped by URL and content hash).
A source's saved state advances only after its articles are committed.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from itertools import islice
from typing import TYPE_CHECKING, Any

from . import changes
from .models import Article, Event, Value, track_kind
from .store import Store, article_hash, date_key, now_iso
from .workers import WRITER_FIRST, Matched, Pool

if TYPE_CHECKING:
    from .config import Settings
    from .http import HttpClient
    from .sources.base import Source

log = logging.getLogger(__name__)

CHUNK = 50  # articles per transaction: bounded memory, few commits
_REKEYED: set[tuple[str, int]] = set()  # (database, alias table) pairs already made canonical


@dataclass
class Context:
    """What every stage of a run needs; built by ``open_context``."""

    settings: Settings
    store: Store
    rules: Any  # monitor.rules.RuleSet: .figures dict and .match(article, verdicts=)
    http: HttpClient | None = None
    pool: Pool | None = None  # worker processes for per-article work (None: this one)

    def client(self) -> HttpClient:
        """The shared HTTP client, created on first use."""
        if self.http is None:
            from .http import HttpClient

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


def open_context(settings: Settings, *, rules: Any = None) -> Context:
    """Open the database and load the rules (RuleError lists every problem)."""
    if rules is None:
        from .rules import load_rules

        rules = load_rules(settings.rules)
    return Context(settings=settings, store=Store.open(settings.database), rules=rules)


@dataclass
class IngestResult:
    found: int = 0  # articles offered
    new: int = 0  # articles stored (not duplicates)
    events: list[Event] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def _chunks(items: Iterable[Article], size: int) -> Iterator[list[Article]]:
    it = iter(items)
    while chunk := list(islice(it, size)):
        yield chunk


def ingest(ctx: Context, source_name: str, articles: Iterable[Article], *,
           chunk: int = CHUNK) -> IngestResult:
    """Store new articles, match them against the rules and record the events.

    Articles already stored (same URL or same normalised text) are skipped
    before any extraction.  An article whose matching fails is left out and
    reported in ``errors``; it is not stored, so a later run retries it.
    """
    result = IngestResult()
    store = ctx.store
    figures = getattr(ctx.rules, "figures", {}) or {}
    from .claimants import aliases_for

    # per-claimant tracks: one per canonical name (the rules folder's claimants: table)
    rules_dir = getattr(ctx.settings, "rules", None)
    aliases = aliases_for(rules_dir) if rules_dir is not None else None
    done = (str(getattr(store, "path", id(store))), aliases.key if aliases else 0)
    if aliases is not None and done not in _REKEYED:
        changes.rekey_tracks(store, figures, aliases)  # tracks keyed before a name was known
        _REKEYED.add(done)
    pool = ctx.pool
    if pool is None or pool.rules is not ctx.rules:  # workers hold the rules they forked with
        pool = Pool(1, ctx.rules)
    # The workers match one chunk while this process writes the one before it;
    # serial runs go through the same steps, so both write the same rows.
    pending: tuple[list[tuple[Article, str | None]], Callable[[], list[Matched]]] | None = None
    recent: set[str | None] = set()  # the previous chunk's keys: not in the store yet
    for batch in _chunks(articles, chunk):
        todo: list[tuple[Article, str | None]] = []
        in_chunk: set[str | None] = set()  # copies within this chunk (bounded by its size)
        for article in batch:
            result.found += 1
            chash = article_hash(article)
            url = article.url or article.id
            if url in in_chunk or (chash and chash in in_chunk) or url in recent \
                    or (chash and chash in recent) \
                    or store.find_duplicate(url, chash) is not None:
                continue
            in_chunk.update((url, chash))
            todo.append((article, chash))
        started = (todo, pool.submit_match([a for a, _h in todo], index=True)) if todo else None
        if pending is not None:
            _write_chunk(ctx, source_name, pending[0], pending[1](), figures, aliases, result)
        pending, recent = started, in_chunk
    if pending is not None:
        _write_chunk(ctx, source_name, pending[0], pending[1](), figures, aliases, result)
    return result


def _write_chunk(ctx: Context, source_name: str, todo: list[tuple[Article, str | None]],
                 matched: list[Matched], figures: dict[str, Any], aliases: Any,
                 result: IngestResult) -> None:
    """One chunk's articles, observations, near misses and events in one transaction."""
    store = ctx.store
    prepared = []
    for (article, chash), m in zip(todo, matched, strict=True):
        if m.error is not None:
            message = (f"{article.url or article.id}: {m.error}; the "
                       "article was not stored and will be retried next run")
            log.warning("%s", message)
            result.errors.append(message)
            continue
        prepared.append((article, chash, m.observations, m.near_misses, m.lemmas))
    if not prepared:
        return
    arrived = now_iso()
    with store.atomic():
        for article, chash, observations, misses, lemmas in prepared:
            row, is_new = store.add_article(article, source=source_name, chash=chash,
                                            lemmas=lemmas)
            if not is_new or row is None:
                continue  # stored meanwhile by another process
            result.new += 1
            store.add_near_misses(row, misses, article.published)
            for obs in observations:
                if obs.published is None and article.published:
                    obs = replace(obs, published=article.published)
                figure = figures.get(obs.figure)
                track = changes.track_of(figure, obs, aliases)
                dated = date_key(obs.published or article.published, arrived)
                obs_id = store.add_observation(row, obs, track=track, dated=dated)
                if obs_id is None:
                    continue
                event = changes.detect(store, figure, obs_id)
                if event is not None and store.add_event(event, article_row=row):
                    result.events.append(event)


def _save_host_waits(ctx: Context) -> None:
    """Keep Retry-After deadlines for the next process (a cron `run --once`)."""
    if ctx.http is not None and (pending := ctx.http.waits()):
        ctx.store.save_host_waits(pending, ctx.http.now())


def run_source(ctx: Context, source: Source) -> IngestResult:
    """Fetch one source with its saved state, ingest, and record the outcome.

    A failing fetch is recorded on the source (last_error) and returned in
    ``errors``; it is never raised, so the other sources still run.
    """
    store = ctx.store
    state = store.source_state(source.name)
    started = time.monotonic()  # the run's duration is kept for /metrics
    try:
        fetched = source.fetch(state, ctx.client())
    except Exception as exc:  # any source failure: record it, go on with the others
        message = f"source '{source.name}': {exc}"
        log.warning("%s", message)
        store.record_source_run(source.name, source.kind, state=state, found=0, new=0,
                                error=message, seconds=time.monotonic() - started)
        _save_host_waits(ctx)
        return IngestResult(errors=[message])
    _save_host_waits(ctx)
    result = ingest(ctx, source.name, fetched.articles)
    errors = [*fetched.errors, *result.errors]
    # When an article could not be matched, keep the old state so it is fetched again.
    new_state = state if result.errors else fetched.state
    # the quarantine is written before the state that skips those items advances
    if fetched.quarantined:
        store.quarantine(source.name, fetched.quarantined)
    if fetched.cleared:
        store.release(source.name, fetched.cleared)
    store.record_source_run(source.name, source.kind, state=new_state, found=result.found,
                            new=result.new, error="; ".join(errors) or None,
                            seconds=time.monotonic() - started)
    result.errors = errors
    return result


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


def run_once(settings: Settings, *, rules: Any = None, workers: int | None = 1) -> RunSummary:
    """Every configured source once, then the digest hook (when DIGEST provides it).
    ``workers``: processes for extraction and matching (None: one per core)."""
    from .sources import build_sources

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
    """Hand over to monitor.digest.after_run, if that module provides it."""
    try:
        from . import digest
    except ImportError:  # digest module not installed in this build
        return
    hook = getattr(digest, "after_run", None)
    if hook is not None:
        hook(ctx)


# --- helpers for the CLI -------------------------------------------------------

def value_text(value: dict[str, Any] | None, kind: str = "count") -> str:
    """A stored value as words ("more than 10,000"); "—" for none."""
    if value is None:
        return "—"
    from .digest import value_words

    return value_words(Value(value["low"], value["high"], value["qualifier"]), kind)


def figure_kind(rules: Any, figure: str, track: str = "") -> str:
    """The kind of the values on one of a figure's tracks ("count" when unknown)."""
    fig = (getattr(rules, "figures", None) or {}).get(figure)
    return track_kind(str(getattr(fig, "kind", "count") or "count"), track)


def status_report(store: Store, rules: Any = None) -> dict[str, Any]:
    """store.status() plus, per figure track, how many articles agree with the
    current value (under the rule's thresholds when the rules are available)."""
    report = store.status()
    figures = (getattr(rules, "figures", None) or {}) if rules is not None else {}
    for item in report["figures"]:
        rows = store.track_observations(item["figure"], item["track"])
        item["agreeing"] = changes.agreeing(rows, figures.get(item["figure"]))
    return report
