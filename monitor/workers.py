"""Per-article work (extraction, matching, claimants) on every core.

``Pool(n, rules)`` runs ``rules.match`` for batches of articles in ``n`` worker
processes, while the calling process keeps sole ownership of SQLite: workers
never open the database, they only return what the writer stores.  Results
come back in the order the articles were given, so a parallel run writes the
same rows in the same order as a serial one.

``n == 1`` runs everything in the calling process through the same code, so
there is one path to test and serial output is the reference.  Workers are
forked (they inherit the loaded rules and dictionaries, nothing is pickled on
start-up); the daemon starts them before any of its threads exist.
"""

from __future__ import annotations

import ctypes
import gc
import json
import multiprocessing
import os
import select
import signal
import stat
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field, fields
from operator import attrgetter
from typing import Any, TypeVar

from .extract import extract
from .models import Article, NearMissSink, Observation, Verdict
from .search import index_text
from .store.near_misses import miss_values

T = TypeVar("T")
R = TypeVar("R")

_RULES: Any = None  # the rule set of this worker process (set by _init)


def default_workers() -> int:
    """The number of cores (the default of every ``--workers`` option)."""
    return os.cpu_count() or 1


@dataclass
class Matched:
    """What one article's per-article work produced (or why it failed)."""

    observations: list[Observation] = field(default_factory=list)
    # the near misses as the store keeps them (store.near_misses.miss_values): plain
    # values, which pickle far faster than Verdicts
    near_misses: list[tuple[Any, ...]] = field(default_factory=list)
    verdicts: list[Verdict] | None = None  # every verdict, when asked for
    error: str | None = None  # "matching failed (...)" when rules.match raised
    lemmas: str | None = None  # the article's search index column, when asked for


def match_article(rules: Any, article: Article, all_verdicts: bool = False,
                  index: bool = False) -> Matched:
    """``rules.match`` for one article, with its near misses (and, with ``index``,
    its search lemmas: per-article work the writer need not do); never raises."""
    verdicts: list[Verdict] = [] if all_verdicts else NearMissSink()
    try:
        observations = list(rules.match(article, verdicts=verdicts))
    except Exception as exc:  # one bad article must not stop the others
        return Matched(error=f"matching failed ({type(exc).__name__}: {exc})")
    lemmas = index_text(article.title, article.text, article.lang) if index else None
    return Matched(observations, [miss_values(v) for v in verdicts if v.near_miss],
                   verdicts if all_verdicts else None, lemmas=lemmas)


def _init(rules: Any, parent: int, nice: int) -> None:
    global _RULES
    _RULES = rules
    _die_with(parent)
    if nice:
        try:
            os.nice(nice)
        except OSError:  # not permitted here: same priority, only a little slower
            pass


# Ingest's single writer is the one step that cannot be spread over cores: when
# there are fewer cores than processes, its workers yield to it.
WRITER_FIRST = 5


def _die_with(parent: int) -> None:
    """End this worker when its parent ends, even by SIGKILL: an orphan would hold
    the parent's stdout open (and wait for work forever)."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG (Linux)
    except (OSError, AttributeError):  # not Linux: workers end when their queue closes
        return
    if os.getppid() != parent:  # the parent was gone before the line above
        os._exit(1)


# Articles and observations cross between processes as tuples of their fields: a
# frozen slots dataclass pickles through Python-level __getstate__/__setstate__,
# several times slower, and the writer process pays for half of it.
_ARTICLE = attrgetter(*(f.name for f in fields(Article)))
_OBSERVATION = attrgetter(*(f.name for f in fields(Observation)))


def _pack(m: Matched) -> tuple[Any, ...]:
    return [_OBSERVATION(o) for o in m.observations], m.near_misses, m.verdicts, m.error, \
        m.lemmas


def _unpack(packed: tuple[Any, ...]) -> Matched:
    obs, misses, verdicts, error, lemmas = packed
    return Matched([Observation(*o) for o in obs], misses, verdicts, error, lemmas)


def _match_many(articles: list[tuple[Any, ...]], all_verdicts: bool, index: bool
                ) -> list[tuple[Any, ...]]:
    return [_pack(match_article(_RULES, Article(*a), all_verdicts, index)) for a in articles]


def _call_many(fn: Callable[[Any], Any], items: list[Any]) -> list[Any]:
    return [fn(x) for x in items]


def _noop() -> int:
    return os.getpid()


# A few words of each language: enough to load every dictionary and compile every
# pattern that matching and extraction use.
_SAMPLES = {
    "en": "North Korea sent about 10,000 troops and 2 million shells, officials said.",
    "ru": "По данным разведки, КНДР отправила около 10 тысяч военных и 2 млн снарядов.",
    "uk": "За даними розвідки, КНДР відправила близько 10 тисяч військових і 2 млн снарядів.",
}


def _prepare(rules: Any) -> None:
    """Load dictionaries and compile patterns before forking, so that every worker
    starts with them (its pages shared with the parent) instead of loading its own;
    then keep the garbage collector off those objects (gc.freeze), whose visits
    would otherwise copy the shared pages into every worker."""
    for lang, text in _SAMPLES.items():
        extract(text, lang)
        index_text("", text, lang)
        if rules is not None:
            match_article(rules, Article(id="warm", title=text, url="warm", source="warm",
                                         published=None, lang=lang, text=text))
    gc.freeze()


def _split(items: Sequence[T], parts: int) -> list[list[T]]:
    """``items`` in at most ``parts`` contiguous slices of near-equal size."""
    parts = max(1, min(parts, len(items)))
    size, extra = divmod(len(items), parts)
    out, i = [], 0
    for p in range(parts):
        j = i + size + (p < extra)
        out.append(list(items[i:j]))
        i = j
    return out


class Pool:
    """``n`` worker processes for per-article work; one process when ``n <= 1``."""

    def __init__(self, workers: int | None = None, rules: Any = None, nice: int = 0) -> None:
        """``nice``: how much lower the workers' priority is than this process's
        (WRITER_FIRST when this process writes what they produce)."""
        self.size = max(1, workers if workers is not None else default_workers())
        self.rules = rules
        self.nice = nice
        self._ex: ProcessPoolExecutor | None = None

    def __enter__(self) -> Pool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def parallel(self) -> bool:
        return self.size > 1

    def _executor(self) -> ProcessPoolExecutor:
        if self._ex is None:
            _prepare(self.rules)
            self._ex = ProcessPoolExecutor(
                self.size, mp_context=multiprocessing.get_context("fork"),
                initializer=_init, initargs=(self.rules, os.getpid(), self.nice))
        return self._ex

    def warm(self) -> None:
        """Start every worker now (with fork, the first task starts them all)."""
        if self.parallel:
            ex = self._executor()
            for f in [ex.submit(_noop) for _ in range(self.size)]:
                f.result()

    def close(self) -> None:
        if self._ex is not None:
            self._ex.shutdown(wait=True, cancel_futures=True)
            self._ex = None

    # --- matching ---------------------------------------------------------

    def submit_match(self, articles: Sequence[Article], all_verdicts: bool = False,
                     index: bool = False) -> Callable[[], list[Matched]]:
        """Start matching ``articles``; the returned call waits for the results
        (in the articles' order).  Lets the writer store one batch while the
        workers match the next."""
        if not self.parallel or len(articles) < 2:
            done = [match_article(self.rules, a, all_verdicts, index) for a in articles]
            return lambda: done
        ex = self._executor()
        # One part a worker: ingest and match_stream keep two or more batches in
        # flight, so no worker waits, and every message costs both processes thread
        # wake-ups and context switches (about 8 % of the CPU with two parts a worker).
        futures: list[Future[list[tuple[Any, ...]]]] = [
            ex.submit(_match_many, [_ARTICLE(a) for a in part], all_verdicts, index)
            for part in _split(articles, self.size)]
        return lambda: [_unpack(m) for f in futures for m in f.result()]

    def match(self, articles: Sequence[Article], all_verdicts: bool = False) -> list[Matched]:
        return self.submit_match(articles, all_verdicts)()

    def match_stream(self, articles: Iterable[Article], batch: int = 64,
                     all_verdicts: bool = False) -> Iterator[tuple[Article, Matched]]:
        """(article, result) in input order, holding at most two batches."""
        yield from self._stream(articles, batch,
                                lambda b: self.submit_match(b, all_verdicts))

    # --- any picklable function ------------------------------------------------

    def map(self, fn: Callable[[T], R], items: Iterable[T], batch: int = 64,
            waiting: Callable[[], bool] | None = None) -> Iterator[R]:
        """``fn`` over ``items`` in order (``fn`` must be a module-level function).

        ``waiting`` tells whether more input is already there; when it is not,
        what has been read is answered now rather than when a batch fills (a
        pipe fed line by line still gets each answer at once)."""
        for _item, out in self._stream(items, batch, lambda b: self._submit_call(fn, b),
                                       waiting):
            yield out

    def _submit_call(self, fn: Callable[[T], R], items: list[T]) -> Callable[[], list[R]]:
        if not self.parallel or len(items) < 2:
            done = [fn(x) for x in items]
            return lambda: done
        ex = self._executor()
        futures = [ex.submit(_call_many, fn, part) for part in _split(items, self.size * 2)]
        return lambda: [r for f in futures for r in f.result()]

    def _stream(self, items: Iterable[T], batch: int,
                submit: Callable[[list[T]], Callable[[], list[R]]],
                waiting: Callable[[], bool] | None = None) -> Iterator[tuple[T, R]]:
        if not self.parallel:  # answered one by one: nothing waits for a batch to fill
            for item in items:
                yield item, submit([item])()[0]
            return
        pending: tuple[list[T], Callable[[], list[R]]] | None = None
        chunk: list[T] = []
        for item in items:
            chunk.append(item)
            idle = waiting is not None and not waiting()
            if len(chunk) >= batch or idle:
                started = (chunk, submit(chunk))
                chunk = []
                if pending is not None:
                    yield from zip(pending[0], pending[1](), strict=True)
                pending = started
                if idle:  # nothing more to read yet: answer what was read
                    yield from zip(pending[0], pending[1](), strict=True)
                    pending = None
        last = (chunk, submit(chunk)) if chunk else None
        if pending is not None:
            yield from zip(pending[0], pending[1](), strict=True)
        if last is not None:
            yield from zip(last[0], last[1](), strict=True)


def quantities_line(item: tuple[Any, str, str | None]) -> str:
    """One ``figmon quantities --jsonl`` answer line for (id, text, lang)."""
    found = [q.to_json() for q in extract(item[1], item[2])]
    return json.dumps({"id": item[0], "quantities": found}, ensure_ascii=False) + "\n"


def input_waiting(stream: Any) -> Callable[[], bool]:
    """For ``Pool.map(waiting=)``: is more of ``stream`` readable right now?
    (Always yes for what is not a pipe or terminal, such as a file or a buffer.)"""
    try:
        fd = stream.fileno()
        if not (stat.S_ISFIFO(os.fstat(fd).st_mode) or os.isatty(fd)):
            return lambda: True
    except (AttributeError, OSError, ValueError):
        return lambda: True
    # Lines already in the stream's buffer are not seen here: at worst a batch is
    # answered early, never late.
    def waiting() -> bool:
        return bool(select.select([fd], [], [], 0)[0])

    return waiting
