"""The background daemon: APScheduler 3.x wiring only.

Every source gets its own IntervalTrigger (first run at start) and the digest a
CronTrigger.  The scheduler's jobs only *queue* work; the main thread runs the
queue one step at a time, so the database is used from one thread only, a
job never overlaps itself (a source still queued or running is not queued
again), and SIGTERM/SIGINT simply let the current step finish.
"""

from __future__ import annotations

import logging
import queue
import signal
import threading
import time
from collections.abc import Callable
from datetime import datetime
from types import FrameType
from typing import TYPE_CHECKING, Any

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.interval import IntervalTrigger

from .config import parse_every
from .digest import run_daily
from .errors import ConfigError, InputError, Problem
from .lock import DatabaseLock
from .pipeline import open_context, run_source
from .run import after_run
from .schedule import cron_trigger
from .sources import build_sources
from .web import announce, server
from .workers import WRITER_FIRST, Pool

if TYPE_CHECKING:
    from apscheduler.triggers.cron import CronTrigger

    from .config import Settings
    from .context import Context
    from .sources.base import FetchResult, Source

log = logging.getLogger("figmon.daemon")

DIGEST_JOB = "digest"
DELIVERY_JOB = "deliveries"  # pending deliveries are retried even when nothing new arrives
POLL = 0.5  # seconds between checks of the stop flag while idle
GRACE = 2.0  # seconds fetches in flight get at shutdown before their connections are cut


def digest_trigger(settings: Settings) -> CronTrigger:
    """The digest's CronTrigger in digest.timezone (as the digest module reads it); a bad
    ``digest.cron`` is a ConfigError naming its line (config validation catches it
    first; this guards settings built in code)."""
    expr = str(settings.digest.get("cron", ""))
    try:
        trigger: CronTrigger = cron_trigger(expr, str(settings.digest.get("timezone") or "UTC"))
        return trigger
    except ValueError as exc:
        path = ("digest", "cron")
        hint = ("five fields: minute hour day month weekday, e.g. '0 7 * * *' "
                "(APScheduler counts weekdays from 0 = Monday)")
        if settings.located is not None:
            problem = settings.located.problem(path, f"'digest.cron: {expr}' is not valid "
                                               f"({exc})", hint)
        else:
            problem = Problem("figmon.yaml", None, None, f"'digest.cron: {expr}' is not valid "
                              f"({exc})", hint)
        raise ConfigError([problem], problem.file) from None


class Prefetched:
    """A source whose fetch already ran in a worker thread: ``run_source`` gets the
    stored outcome, so recording and ingest stay in pipeline.run_source."""

    def __init__(self, source: Source, outcome: FetchResult | BaseException) -> None:
        self._source = source
        self._outcome = outcome
        self.name = source.name
        self.kind = source.kind
        self.every = source.every

    def fetch(self, state: dict[str, Any], client: Any) -> FetchResult:
        if isinstance(self._outcome, BaseException):
            raise self._outcome
        return self._outcome


class Daemon:
    """Scheduler + work queue.  ``stop()`` may be called from any thread or a signal.

    Fetches (network only) run in a few daemon worker threads; everything that
    touches the database runs in the thread that called ``run``.  The workers are
    daemon threads so a request stuck on a dead server never holds up the exit.
    """

    def __init__(self, settings: Settings, sources: list[Source], *, rules: Any = None) -> None:
        self.settings = settings
        self.rules = rules  # already loaded RuleSet, or None to load at start
        self.sources = {s.name: s for s in sources}
        self.stop_event = threading.Event()
        # ("due", key) from the scheduler; ("fetched", key, outcome) from the workers
        self._queue: queue.Queue[tuple[Any, ...]] = queue.Queue()
        self._pending: set[str] = set()  # queued, fetching or being ingested
        self._fetches: queue.Queue[Callable[[], None] | None] = queue.Queue()
        self._busy = 0  # fetches running in workers
        self._lock = threading.Lock()
        self._idle = threading.Condition(self._lock)
        self.ctx: Context | None = None
        self.workers: int | None = None  # extraction/matching processes (None: one per core)

    # --- called by scheduler threads -------------------------------------

    def enqueue(self, key: str) -> None:
        with self._lock:
            if key in self._pending:
                log.info("%s: previous run not finished, this one is skipped", key)
                return
            self._pending.add(key)
        self._queue.put(("due", key))

    def stop(self) -> None:
        self.stop_event.set()
        if self.ctx is not None and self.ctx.http is not None:
            self.ctx.http.stop()  # no new requests; back-off waits end now

    # --- main thread ------------------------------------------------------

    def run(self) -> None:


        cron = digest_trigger(self.settings)
        with DatabaseLock(self.settings.database):
            # the worker processes are forked before any thread of the daemon exists
            pool = (Pool(self.workers, self.rules, nice=WRITER_FIRST)
                    if self.rules is not None else None)
            if pool is not None:
                pool.warm()
            web = start_web(self.settings, self.rules)
            self.ctx = open_context(self.settings, rules=self.rules)
            self.ctx.pool = pool or Pool(self.workers, self.ctx.rules, nice=WRITER_FIRST)
            self.ctx.client()
            if self.stop_event.is_set():  # stopped while starting
                self.ctx.http.stop()  # type: ignore[union-attr]
            workers = [threading.Thread(target=self._worker, name=f"figmon-fetch-{i}",
                                        daemon=True)
                       for i in range(int(self.settings.http["parallel"]))]
            for w in workers:
                w.start()
            scheduler = BackgroundScheduler(job_defaults={
                "max_instances": 1, "coalesce": True, "misfire_grace_time": None})
            now = datetime.now().astimezone()
            for name, source in self.sources.items():
                scheduler.add_job(self.enqueue, IntervalTrigger(seconds=parse_every(
                    source.every)), args=[f"source:{name}"], id=f"source:{name}",
                    name=f"source {name}", next_run_time=now)
            scheduler.add_job(self.enqueue, cron, args=[DIGEST_JOB], id=DIGEST_JOB,
                              name="digest")
            retry = max(30, int(float(self.settings.delivery["backoff"])))
            scheduler.add_job(self.enqueue, IntervalTrigger(seconds=retry),
                              args=[DELIVERY_JOB], id=DELIVERY_JOB, name="deliveries")
            log.info("figmon daemon started: %d source(s), digest at '%s' %s, database %s",
                     len(self.sources), self.settings.digest.get("cron"),
                     self.settings.digest.get("timezone"), self.settings.database)
            scheduler.start()
            try:
                self._loop()
            finally:
                scheduler.shutdown(wait=False)
                if web is not None:
                    web.should_exit = True
                self._drain(len(workers))
                self.ctx.close()
                self.ctx = None
                log.info("figmon daemon stopped")

    def _loop(self) -> None:
        while not self.stop_event.is_set():
            try:
                item = self._queue.get(timeout=POLL)
            except queue.Empty:
                continue
            if self.stop_event.is_set():
                break
            key = item[1]
            if item[0] == "due" and key.startswith("source:"):
                self._start_fetch(key)
                continue  # still pending until ingested
            try:
                self._step(item)
            finally:
                with self._lock:
                    self._pending.discard(key)

    def _start_fetch(self, key: str) -> None:
        """Read the source's state here (database thread), fetch in a worker."""
        assert self.ctx is not None
        source = self.sources[key.split(":", 1)[1]]
        state = self.ctx.store.source_state(source.name)
        client = self.ctx.client()

        def work() -> None:
            outcome: FetchResult | BaseException
            try:
                outcome = source.fetch(state, client)
            except Exception as exc:  # handed to run_source, which records it
                outcome = exc
            self._queue.put(("fetched", key, outcome))

        self._fetches.put(work)

    def _worker(self) -> None:
        while (job := self._fetches.get()) is not None:
            with self._lock:
                if self.stop_event.is_set():
                    continue  # queued before the stop: leave it for the next start
                self._busy += 1
            try:
                job()
            finally:
                with self._lock:
                    self._busy -= 1
                    self._idle.notify_all()

    def _drain(self, workers: int) -> None:
        """Let fetches in flight end: the client already refuses new requests; a
        request still waiting on a slow server after GRACE seconds is cut off by
        closing the client (or, if even that does not free it, left behind in its
        daemon thread).  Their results are dropped: the state did not advance, so
        the next start fetches them again and nothing is lost."""
        for _ in range(workers):
            self._fetches.put(None)
        with self._idle:
            if self._idle.wait_for(lambda: self._busy == 0, timeout=GRACE):
                return
            log.info("cutting off %d slow fetch(es)", self._busy)
        if self.ctx is not None:
            self.ctx.client().close()
        with self._idle:
            self._idle.wait_for(lambda: self._busy == 0, timeout=0.5)

    def _step(self, item: tuple[Any, ...]) -> None:
        assert self.ctx is not None
        key = item[1]
        try:
            if key == DIGEST_JOB:
                run_digest(self.ctx)
                return
            if key == DELIVERY_JOB:
                after_run(self.ctx)
                return

            source = self.sources[key.split(":", 1)[1]]
            result = run_source(self.ctx, Prefetched(source, item[2]))  # type: ignore[arg-type]
            log.info("source %s: %d found, %d new, %d event(s)%s", source.name, result.found,
                     result.new, len(result.events),
                     f"; errors: {'; '.join(result.errors)}" if result.errors else "")
            if result.events:
                after_run(self.ctx)  # immediate digests for the new events
        except Exception:  # a failing step is logged; the daemon keeps running
            log.exception("%s failed; it runs again at its next time", key)


def start_web(settings: Settings, rules: Any, wait: float = 10.0) -> Any:
    """`figmon serve` in a thread of the daemon when the config has a `serve:` section;
    returns the uvicorn Server (set ``should_exit`` to stop it) or None.  A port that
    cannot be bound stops the start with an error rather than serving nothing."""
    if settings.serve is None:
        return None


    opts = settings.serve_options()
    host, port = str(opts["host"]), int(opts["port"])
    srv = server(settings, host=host, port=port, rules=rules)

    def run() -> None:
        try:
            srv.run()
        except SystemExit:  # uvicorn's answer to a port it cannot bind: reported below
            pass

    thread = threading.Thread(target=run, name="figmon-web", daemon=True)
    thread.start()
    deadline = time.monotonic() + wait
    while not srv.started and thread.is_alive() and time.monotonic() < deadline:
        time.sleep(0.05)
    if not srv.started:
        srv.should_exit = True
        raise InputError(f"serve: cannot listen on {host}:{port}",
                         "Choose another serve.port or serve.host in figmon.yaml, or stop "
                         "what holds that port.")
    for line in announce(host, port):
        (log.warning if line.startswith("note:") else log.info)("%s", line)
    return srv


def run_digest(ctx: Context) -> None:
    """The scheduled digest: every daily subscriber's digest, then delivery."""
    run_daily(ctx)


def run_daemon(settings: Settings, *, rules: Any = None, workers: int | None = None) -> None:
    """Run until SIGTERM/SIGINT; raises LockError if another daemon holds the database.

    ``rules`` is the RuleSet when the caller has loaded (and so validated) it already.
    """
    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.INFO,
                            format="%(asctime)s figmon %(levelname)s %(message)s")
        for noisy in ("apscheduler", "pymorphy3"):  # a line per job / per dictionary
            logging.getLogger(noisy).setLevel(logging.WARNING)
    daemon = Daemon(settings, build_sources(settings), rules=rules)
    daemon.workers = workers
    previous: dict[signal.Signals, Any] = {}

    def on_signal(signum: int, frame: FrameType | None) -> None:
        log.info("signal %s: finishing the current step, then exiting",
                 signal.Signals(signum).name)
        daemon.stop()

    if threading.current_thread() is threading.main_thread():
        for sig in (signal.SIGTERM, signal.SIGINT):
            previous[sig] = signal.signal(sig, on_signal)
    try:
        daemon.run()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
