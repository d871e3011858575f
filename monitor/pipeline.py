"""One source's run: fetch → articles → observations → events (monitor/run.py
wires every source, then the digest and delivery, into one run).

``ingest`` streams articles in chunks: extraction and matching run outside any
transaction, then a chunk's articles, observations and events are written in
one transaction.  A whole article is always in the same transaction as its
observations and events, so a crash loses at most the chunks in flight (the
one being written and the AHEAD being matched), and re-running fetches them again
(duplicates are dropped by URL and content hash).
A source's saved state advances only after its articles are committed.
"""

from __future__ import annotations

import logging
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from itertools import islice
from typing import TYPE_CHECKING, Any

from . import changes
from .aliases import aliases_for
from .context import Context, RuleSet, figures_of
from .models import Article, Event, Value, track_kind
from .rules import load_rules
from .store import Store, article_hash, date_key, now_iso, stored_value
from .store.near_misses import near_miss_rows
from .words import value_words
from .workers import Matched, Pool

if TYPE_CHECKING:
    from .config import Settings
    from .sources.base import Source

log = logging.getLogger(__name__)

CHUNK = 100  # articles per transaction: bounded memory, few commits (and FTS segments)
AHEAD = 2  # chunks the workers may match ahead of the one being written
_REKEYED: set[tuple[str, int]] = set()  # (database, alias table) pairs already made canonical


def open_context(settings: Settings, *, rules: RuleSet | None = None) -> Context:
    """Open the database and load the rules (RuleError lists every problem)."""
    if rules is None:
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
    figures = ctx.rules.figures

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
    # The workers match the next chunks while this process writes the oldest one;
    # serial runs go through the same steps, so both write the same rows.
    ahead = AHEAD if pool.parallel else 0
    inflight: deque[tuple[list[tuple[Article, str | None]], Callable[[], list[Matched]],
                          set[str | None]]] = deque()

    def _write_oldest() -> None:
        todo, wait, _keys = inflight.popleft()
        _write_chunk(ctx, source_name, todo, wait(), figures, aliases, result)

    for batch in _chunks(articles, chunk):
        todo: list[tuple[Article, str | None]] = []
        in_chunk: set[str | None] = set()  # copies within this chunk (bounded by its size)
        keyed = [(a, article_hash(a), a.url or a.id) for a in batch]
        # one look-up for the chunk: store.find_duplicate for each article
        urls, hashes = store.stored_keys([k[2] for k in keyed], [k[1] for k in keyed])
        for article, chash, url in keyed:
            result.found += 1
            if url in in_chunk or (chash and chash in in_chunk) \
                    or url in urls or (chash and chash in hashes) \
                    or any(url in keys or (chash and chash in keys)  # not stored yet
                           for _t, _w, keys in inflight):
                continue
            in_chunk.update((url, chash))
            todo.append((article, chash))
        if todo:
            inflight.append((todo, pool.submit_match([a for a, _h in todo], index=True),
                             in_chunk))
        while len(inflight) > ahead:
            _write_oldest()
    while inflight:
        _write_oldest()
    return result


def _write_chunk(ctx: Context, source_name: str, todo: list[tuple[Article, str | None]],
                 matched: list[Matched], figures: Mapping[str, Any], aliases: Any,
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
    # store.writing() keeps each track's current and last mailed value in memory, so
    # change detection reads nothing back (changes.detect_stored).  The articles go
    # in one statement; near misses and search lemmas in one each at the end.
    with store.writing():
        stamp = now_iso()  # when the chunk arrived: the date of an undated observation
        misses_rows: list[tuple[Any, ...]] = []
        lemma_rows: list[tuple[int, str | None]] = []
        rows = store.add_articles([(p[0], p[1]) for p in prepared], source=source_name,
                                  fetched_at=stamp)
        for (article, _chash, observations, misses, lemmas), row in zip(prepared, rows,
                                                                       strict=True):
            if row is None:
                continue  # stored meanwhile by another process
            result.new += 1
            lemma_rows.append((row, lemmas))  # made by the workers (submit_match index=True)
            url = article.url or article.id
            misses_rows += near_miss_rows(row, misses, article.published, stamp)
            for obs in observations:
                if obs.published is None and article.published:
                    obs = replace(obs, published=article.published)
                figure = figures.get(obs.figure)
                track = changes.track_of(figure, obs, aliases)
                dated = date_key(obs.published or article.published, stamp)
                obs_id = store.add_observation(row, obs, track=track, dated=dated,
                                               created_at=stamp)
                if obs_id is None:
                    continue
                prev = obs.previous
                new = stored_value(obs.low, obs.high, obs.qualifier)
                assert new is not None  # a row without a qualifier is not stored
                event = changes.detect_stored(
                    store, figure, obs_id, figure_id=obs.figure, track=track, dated=dated,
                    published=obs.published, article=url, new=new,
                    previous=None if prev is None else stored_value(
                        prev.low, prev.high, prev.qualifier))
                if event is not None and store.add_event(event, article_row=row,
                                                         created_at=stamp):
                    result.events.append(event)
        store.add_near_miss_rows(misses_rows)
        store.add_lemmas(lemma_rows)  # last: see Store.add_articles


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


# --- helpers for the CLI -------------------------------------------------------

def value_text(value: dict[str, Any] | None, kind: str = "count") -> str:
    """A stored value as words ("more than 10,000"); "—" for none."""
    if value is None:
        return "—"

    return value_words(Value(value["low"], value["high"], value["qualifier"]), kind)


def figure_kind(rules: RuleSet | None, figure: str, track: str = "") -> str:
    """The kind of the values on one of a figure's tracks ("count" when unknown)."""
    fig = figures_of(rules).get(figure)
    return track_kind(str(getattr(fig, "kind", "count") or "count"), track)


def status_report(store: Store, rules: RuleSet | None = None) -> dict[str, Any]:
    """store.status() plus, per figure track, how many articles agree with the
    current value (under the rule's thresholds when the rules are available)."""
    report = store.status()
    figures = figures_of(rules)
    for item in report["figures"]:
        rows = store.track_observations(item["figure"], item["track"])
        item["agreeing"] = changes.agreeing(rows, figures.get(item["figure"]))
    return report
