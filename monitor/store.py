"""The SQLite database: schema migrations, writes and the queries the CLI needs.

sqlite-utils on one connection, WAL mode.  Callers group the writes for one
article (article row, observations, events) inside ``store.atomic()`` so a
crash never leaves half an article behind.  Hot paths use plain SQL through
``db.execute``; the schema is built with sqlite-utils' table API.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlite_utils

from .errors import StoreError
from .models import Article, Event, Observation, Value, Verdict, clean_number


def now_iso() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat()


def date_key(published: str | None, fallback: str = "") -> str:
    """A sortable UTC form of an ISO date or datetime ("" sorts first).

    Dates stay "YYYY-MM-DD"; datetimes become "YYYY-MM-DDTHH:MM:SS" in UTC, so
    offsets compare correctly and a bare date sorts before times on that day.
    """
    text = (published or fallback or "").strip()
    if len(text) <= 10:
        return text
    try:
        dt = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return text
    if dt.tzinfo is not None:
        dt = dt.astimezone(UTC).replace(tzinfo=None)
    return dt.replace(microsecond=0).isoformat()


# --- migrations ---------------------------------------------------------------

def _m1_core(db: sqlite_utils.Database) -> None:
    db.table("sources").create({
        "name": str, "kind": str, "last_run": str, "last_ok": str, "last_error": str,
        "runs": int, "articles_found": int, "articles_new": int,
        "last_found": int, "last_new": int, "state": str,
    }, pk="name", not_null=["kind"],
        defaults={"runs": 0, "articles_found": 0, "articles_new": 0, "state": "{}"})
    db.table("articles").create({
        "id": int, "uid": str, "url": str, "content_hash": str, "title": str,
        "source": str, "outlet": str, "published": str, "lang": str, "text": str,
        "fetched_at": str,
    }, pk="id", not_null=["url"])
    db.table("articles").create_index(["url"], unique=True)
    db.table("articles").create_index(["content_hash"], unique=True)
    db.table("articles").create_index(["published"])
    db.table("articles").enable_fts(["title", "text"], create_triggers=True)
    db.table("observations").create({
        "id": int, "figure": str, "track": str, "article_id": int, "published": str,
        "dated": str,  # sort key: publication date, or arrival time when undated
        "low": float, "high": float, "qualifier": str, "unit": str, "surface": str,
        "quote": str, "claimant": str, "relayed": str, "change": str,
        "start": int, "end": int,
        "prev_low": float, "prev_high": float, "prev_qualifier": str, "created_at": str,
    }, pk="id", not_null=["figure", "track", "article_id", "qualifier"],
        foreign_keys=[("article_id", "articles", "id")])
    db.table("observations").create_index(["figure", "article_id", "start"], unique=True)
    db.table("observations").create_index(["figure", "track", "dated", "id"])
    db.table("observations").create_index(["article_id"])
    db.table("events").create({
        "id": int, "figure": str, "track": str, "kind": str,
        "old_low": float, "old_high": float, "old_qualifier": str,
        "new_low": float, "new_high": float, "new_qualifier": str,
        "article": str, "article_id": int, "published": str, "observation_id": int,
        "created_at": str, "digest_id": int,
    }, pk="id", not_null=["figure", "track", "kind", "new_qualifier"])
    db.table("events").create_index(["observation_id"], unique=True)
    db.table("events").create_index(["figure", "track"])
    db.table("events").create_index(["digest_id"])
    db.table("digests").create({
        "id": int, "key": str, "created_at": str, "subject": str, "html": str,
        "text": str, "cadence": str,
    }, pk="id")
    db.table("digests").create_index(["key"], unique=True)
    db.table("deliveries").create({
        "id": int, "digest_id": int, "email": str, "message_id": str, "status": str,
        "attempts": int, "next_attempt_at": str, "last_error": str, "sent_at": str,
    }, pk="id", not_null=["digest_id", "email", "status"],
        defaults={"status": "pending", "attempts": 0},
        foreign_keys=[("digest_id", "digests", "id")])
    db.table("deliveries").create_index(["message_id"], unique=True)
    db.table("deliveries").create_index(["digest_id", "email"], unique=True)
    db.table("deliveries").create_index(["status", "next_attempt_at"])
    db.table("subscribers").create({
        "email": str, "figures": str, "cadence": str, "origin": str, "created_at": str,
        "last_digest_at": str,
    }, pk="email", defaults={"figures": "[]", "cadence": "immediate"})


def _m2_delivery(db: sqlite_utils.Database) -> None:
    """DIGEST: what the outbox needs to send exactly once, and daily cursors."""
    db.table("digests").add_column("events", str)  # JSON list of event ids
    db.table("digests").add_column("path", str)  # archive page, relative to reports/
    db.table("deliveries").add_column("body", str)  # the exact RFC 5322 message to send
    db.table("deliveries").add_column("subject", str)
    db.table("deliveries").add_column("claimed_by", str)  # host:pid while 'sending'
    db.table("deliveries").add_column("claimed_at", str)
    db.table("deliveries").add_column("created_at", str)
    db.table("subscribers").add_column("last_event_id", int)  # daily cursor: events.id
    db.table("subscribers").add_column("token", str)  # List-Unsubscribe token


def _m3_host_waits(db: sqlite_utils.Database) -> None:
    """SOURCES: hosts that asked (Retry-After) not to be called before a time, so a
    cron-driven `run --once` honours it as the daemon does."""
    db.table("host_waits").create({"host": str, "until": float}, pk="host")


def _m4_near_misses(db: sqlite_utils.Database) -> None:
    """RULES: numbers that named a tracked subject but went to no figure, so a rule
    author sees which nouns the rules miss (`figmon unmatched`)."""
    if "near_misses" in db.table_names():
        return
    db.table("near_misses").create({
        "id": int, "article_id": int, "noun": str, "unit": str, "surface": str,
        "low": float, "high": float, "qualifier": str, "reason": str, "detail": str,
        "quote": str, "published": str, "created_at": str,
    }, pk="id", foreign_keys=[("article_id", "articles", "id")])
    db.table("near_misses").create_index(["article_id"])
    db.table("near_misses").create_index(["published"])


def _m6_serve(db: sqlite_utils.Database) -> None:
    """SERVE: a key/value table holding secrets made once per database (the HMAC key of
    unsubscribe tokens, the id Atom entries are named under) and run timings; source
    error counts and durations for /metrics; one-click unsubscribes of config
    subscribers; an index that holds what a figure's chart needs."""
    import secrets
    import uuid

    db.execute("CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT)")
    db.execute("INSERT OR IGNORE INTO meta (name, value) VALUES (?, ?)",
               ["unsubscribe_secret", secrets.token_hex(32)])
    db.execute("INSERT OR IGNORE INTO meta (name, value) VALUES (?, ?)",
               ["instance_id", str(uuid.uuid4())])
    for table, column, kind in (("sources", "errors", int), ("sources", "last_seconds", float),
                                ("subscribers", "unsubscribed_at", str)):
        if column not in db.table(table).columns_dict:
            db.table(table).add_column(column, kind)
    # a figure's chart reads its whole timeline: from this index alone, already in order
    db.execute("CREATE INDEX IF NOT EXISTS idx_observations_chart ON observations"
               " (figure, dated, id, track, published, low, high, qualifier)")


# Applied in order, each in its own transaction; PRAGMA user_version = how many
# have run.  Only ever append: a released database depends on the numbering.
def _m5_quarantine_lemmas(db: sqlite_utils.Database) -> None:
    """HOSTILE: articles that could not be read (shown by status, retried when they
    change), and a lemma column for word-form search, filled for stored articles."""
    db.execute("CREATE TABLE IF NOT EXISTS quarantine (source TEXT NOT NULL, item TEXT NOT NULL,"
               " reason TEXT NOT NULL, first_seen TEXT, last_seen TEXT,"
               " PRIMARY KEY (source, item))")
    exists = db.execute("SELECT 1 FROM sqlite_master WHERE name = 'articles_lemma_fts'"
                        ).fetchone()
    if exists:
        return
    db.execute("CREATE VIRTUAL TABLE articles_lemma_fts USING fts5(lemmas)")
    from .search import index_text

    for row_id, title, text, lang in db.execute(
            "SELECT id, title, text, lang FROM articles").fetchall():
        db.execute("INSERT INTO articles_lemma_fts (rowid, lemmas) VALUES (?, ?)",
                   [row_id, index_text(title or "", text or "", lang)])


MIGRATIONS: list[Callable[[sqlite_utils.Database], None]] = [_m1_core, _m2_delivery,
                                                              _m3_host_waits, _m4_near_misses,
                                                              _m5_quarantine_lemmas, _m6_serve]


def migrate(db: sqlite_utils.Database, path: str = "") -> int:
    """Bring the schema up to date; returns the resulting version."""
    version = int(db.execute("PRAGMA user_version").fetchone()[0])
    if version > len(MIGRATIONS):
        raise StoreError(
            f"database {path} has schema version {version}, newer than this figmon "
            f"({len(MIGRATIONS)})",
            "Upgrade figmon, or point 'database:' in figmon.yaml at another file.")
    for number in range(version + 1, len(MIGRATIONS) + 1):
        # IMMEDIATE takes the write lock first, so two processes opening a new
        # database cannot both run the same migration.
        db.execute("BEGIN IMMEDIATE")
        try:
            current = int(db.execute("PRAGMA user_version").fetchone()[0])
            if current < number:
                MIGRATIONS[number - 1](db)
                db.execute(f"PRAGMA user_version = {number}")
            db.execute("COMMIT")
        except BaseException:
            db.rollback()
            raise
    return len(MIGRATIONS)


def _enable_wal(db: sqlite_utils.Database, tries: int = 100) -> None:
    """Switch to WAL. The switch needs an exclusive lock and SQLite does not wait
    for it (no busy handler), so two processes opening a new database retry here."""
    for attempt in range(tries):
        try:
            if db.journal_mode != "wal":
                db.enable_wal()
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or attempt == tries - 1:
                raise
            time.sleep(0.05)


# --- row helpers -------------------------------------------------------------

def _value(low: Any, high: Any, qualifier: Any) -> Value | None:
    if qualifier is None:
        return None
    return Value(clean_number(low), clean_number(high), str(qualifier))


def _value_json(low: Any, high: Any, qualifier: Any) -> dict[str, Any] | None:
    value = _value(low, high, qualifier)
    return value.to_json() if value else None


class Store:
    """One open figmon database."""

    def __init__(self, db: sqlite_utils.Database, path: Path) -> None:
        self.db = db
        self.path = path

    # --- lifecycle

    @classmethod
    def open(cls, path: str | Path) -> Store:
        """Open (creating if needed) and migrate the database at ``path``."""
        p = Path(path)
        try:
            p.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(str(p), timeout=30.0)
            # bad bytes in a stored text must not stop status, events or digest
            conn.text_factory = lambda b: b.decode("utf-8", "replace")
        except (OSError, sqlite3.DatabaseError) as exc:
            raise StoreError(f"cannot create database {p}: {exc}",
                             "Check the directory exists and is writable.") from exc
        try:
            db = sqlite_utils.Database(conn)
            _enable_wal(db)
            # WAL + NORMAL survives a killed process; only power loss can drop
            # the last commits, and re-running re-fetches those.
            db.execute("PRAGMA synchronous = NORMAL")
            db.execute("PRAGMA foreign_keys = ON")
            migrate(db, str(p))
        except sqlite3.DatabaseError as exc:
            conn.close()
            raise StoreError(f"cannot open database {p}: {exc}",
                             "Check that the file is a figmon SQLite database and is "
                             "writable, or set 'database:' in figmon.yaml to a new "
                             "file.") from exc
        except BaseException:
            conn.close()
            raise
        return cls(db, p)

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def atomic(self) -> Iterator[None]:
        """One transaction (a savepoint when nested); rolled back on any error.

        SQLite failures (disk full, a lock held too long) become StoreError.
        """
        try:
            if self.db.conn.in_transaction:
                with self.db.atomic():  # a savepoint inside the open transaction
                    yield
            else:
                # IMMEDIATE takes the write lock up front: a transaction that reads
                # first and writes later could otherwise fail at once ("database is
                # locked") when another process wrote in between, instead of waiting.
                self.db.conn.execute("BEGIN IMMEDIATE")
                try:
                    yield
                    self.db.conn.execute("COMMIT")
                except BaseException:
                    self.db.rollback()
                    raise
        except sqlite3.OperationalError as exc:
            raise StoreError(
                f"database {self.path}: {exc}; the last write was rolled back",
                "Check free disk space and that no other program holds the database "
                "(a second figmon daemon, an open sqlite3 shell), then run again: "
                "nothing is lost, articles not saved are fetched again.") from exc

    @property
    def version(self) -> int:
        return int(self.db.execute("PRAGMA user_version").fetchone()[0])

    def counts(self) -> dict[str, int]:
        """Row count of every table (tests use it to show re-runs add nothing)."""
        names = ["sources", "articles", "observations", "events", "digests",
                 "deliveries", "subscribers", "near_misses"]
        return {n: int(self.db.execute(f"SELECT count(*) FROM [{n}]").fetchone()[0])
                for n in names}

    # --- articles

    def find_duplicate(self, url: str, chash: str | None) -> int | None:
        """Row id of a stored article with this URL or content hash, if any."""
        row = self.db.execute("SELECT id FROM articles WHERE url = ?", [url]).fetchone()
        if row is None and chash:
            row = self.db.execute("SELECT id FROM articles WHERE content_hash = ?",
                                  [chash]).fetchone()
        return int(row[0]) if row else None

    def add_article(self, article: Article, *, source: str = "",
                    chash: str | None = None, lemmas: str | None = None
                    ) -> tuple[int | None, bool]:
        """Store an article unless its URL or normalised text is already stored.

        Returns (row id, is_new); for a duplicate the id is the stored copy's.
        ``chash`` and ``lemmas`` (search.index_text) may be passed when the
        caller has computed them already (worker processes do).
        """
        if chash is None:
            chash = article_hash(article)
        url = article.url or article.id
        existing = self.find_duplicate(url, chash)
        if existing is not None:
            return existing, False
        outlet = article.meta.get("outlet") if article.meta else None
        if not outlet and article.source and article.source != source:
            outlet = article.source
        cur = self.db.execute(
            "INSERT OR IGNORE INTO articles (uid, url, content_hash, title, source, outlet,"
            " published, lang, text, fetched_at) VALUES (?,?,?,?,?,?,?,?,?,?)",
            [article.id, url, chash, article.title, source or article.source, outlet,
             article.published, article.lang, article.text, now_iso()])
        if cur.rowcount == 0:  # lost a race with another writer
            return self.find_duplicate(url, chash), False
        row_id = int(cur.lastrowid or 0)
        if lemmas is None:
            from .search import index_text

            lemmas = index_text(article.title, article.text, article.lang)
        self.db.execute("INSERT INTO articles_lemma_fts (rowid, lemmas) VALUES (?, ?)",
                        [row_id, lemmas])
        return row_id, True

    def article(self, row_id: int) -> dict[str, Any] | None:
        rows = list(self.db.query("SELECT * FROM articles WHERE id = ?", [row_id]))
        return rows[0] if rows else None

    # --- observations

    def add_observation(self, article_row: int, obs: Observation, *, track: str,
                        dated: str) -> int | None:
        """Insert an observation; None when (figure, article, start) is already stored."""
        prev = obs.previous
        cur = self.db.execute(
            "INSERT OR IGNORE INTO observations (figure, track, article_id, published,"
            " dated, low, high, qualifier, unit, surface, quote, claimant, relayed, change,"
            " start, [end], prev_low, prev_high, prev_qualifier, created_at)"
            " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            [obs.figure, track, article_row, obs.published, dated, obs.low, obs.high,
             obs.qualifier, obs.unit, obs.surface, obs.quote, obs.claimant, obs.relayed,
             obs.change, obs.start, obs.end,
             prev.low if prev else None, prev.high if prev else None,
             prev.qualifier if prev else None, now_iso()])
        return int(cur.lastrowid or 0) if cur.rowcount else None

    def observation(self, obs_id: int) -> dict[str, Any] | None:
        rows = list(self.db.query(
            "SELECT o.*, a.url AS article FROM observations o"
            " JOIN articles a ON a.id = o.article_id WHERE o.id = ?", [obs_id]))
        return rows[0] if rows else None

    def latest_before(self, figure: str, track: str, obs_id: int) -> dict[str, Any] | None:
        """The current value of (figure, track) as it stood before ``obs_id`` arrived:
        latest by date, ties by arrival, among observations that arrived earlier."""
        rows = list(self.db.query(
            "SELECT * FROM observations WHERE figure = ? AND track = ? AND id < ?"
            " ORDER BY dated DESC, id DESC LIMIT 1", [figure, track, obs_id]))
        return rows[0] if rows else None

    def last_event(self, figure: str, track: str) -> dict[str, Any] | None:
        """The most recent event of (figure, track) that was mailed: the value subscribers
        last heard (a ``restated`` one never is)."""
        rows = list(self.db.query(
            "SELECT * FROM events WHERE figure = ? AND track = ? AND kind != 'restated'"
            " ORDER BY id DESC LIMIT 1",
            [figure, track]))
        return rows[0] if rows else None

    def track_observations(self, figure: str, track: str) -> list[dict[str, Any]]:
        return list(self.db.query(
            "SELECT o.*, a.url AS article FROM observations o"
            " JOIN articles a ON a.id = o.article_id"
            " WHERE o.figure = ? AND o.track = ? ORDER BY o.dated, o.id", [figure, track]))

    def rename_track(self, figure: str, old: str, new: str) -> None:
        """Move every observation and event of (figure, old) to the track ``new``."""
        with self.atomic():
            for table in ("observations", "events"):
                self.db.execute(f"UPDATE {table} SET track = ? WHERE figure = ? AND track = ?",
                                [new, figure, old])

    def tracks(self) -> list[tuple[str, str]]:
        return [(r[0], r[1]) for r in self.db.execute(
            "SELECT DISTINCT figure, track FROM observations ORDER BY figure, track")]

    # --- events

    def add_event(self, event: Event, *, article_row: int | None = None) -> int | None:
        """Record an event; None when its observation already has one."""
        old = event.old
        cur = self.db.execute(
            "INSERT OR IGNORE INTO events (figure, track, kind, old_low, old_high,"
            " old_qualifier, new_low, new_high, new_qualifier, article, article_id,"
            " published, observation_id, created_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            [event.figure, event.track, event.kind, old.low if old else None,
             old.high if old else None, old.qualifier if old else None, event.new.low,
             event.new.high, event.new.qualifier, event.article, article_row,
             event.published, event.observation_id, now_iso()])
        return int(cur.lastrowid or 0) if cur.rowcount else None

    def events(self, *, figures: Iterable[str] | None = None, undigested: bool = False,
               since_id: int | None = None, limit: int | None = None,
               globs: Iterable[str] = (), published_since: str | None = None,
               published_until: str | None = None, before_id: int | None = None,
               newest_first: bool = False) -> list[dict[str, Any]]:
        """Events in the order they were detected, with their article and quote.

        ``globs`` keeps figures matching any of them (as subscriptions match);
        ``published_since`` / ``published_until`` ("YYYY-MM-DD") keep events published
        on or after / on or before that day; ``newest_first`` reverses the order and
        ``before_id`` pages back through it.

        Each dict has the stable keys figure, kind, old, new, article, published,
        plus id, track, title, source, outlet, claimant, relayed, quote, surface,
        observation_id, created_at and digest_id.
        """
        where, args = ["1"], []  # type: tuple[list[str], list[Any]]
        if figures is not None:
            names = list(figures)
            where.append(f"e.figure IN ({','.join('?' * len(names))})" if names else "0")
            args.extend(names)
        patterns = list(globs)
        if patterns:  # SQLite's GLOB is fnmatchcase's syntax: * ? [...]
            where.append("(" + " OR ".join("e.figure GLOB ?" for _ in patterns) + ")")
            args.extend(patterns)
        _day_range("e.published", published_since, published_until, where, args)
        if before_id is not None:
            where.append("e.id < ?")
            args.append(before_id)
        if undigested:
            where.append("e.digest_id IS NULL")
        if since_id is not None:
            where.append("e.id > ?")
            args.append(since_id)
        sql = ("SELECT e.*, a.title, a.source, a.outlet, o.claimant, o.relayed, o.quote,"
               " o.surface, o.unit FROM events e"
               " LEFT JOIN observations o ON o.id = e.observation_id"
               " LEFT JOIN articles a ON a.id = o.article_id"
               f" WHERE {' AND '.join(where)} ORDER BY e.id"
               f"{' DESC' if newest_first else ''}")
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        out = []
        for r in self.db.query(sql, args):
            out.append({
                "id": r["id"], "figure": r["figure"], "kind": r["kind"],
                "old": _value_json(r["old_low"], r["old_high"], r["old_qualifier"]),
                "new": _value_json(r["new_low"], r["new_high"], r["new_qualifier"]),
                "article": r["article"], "published": r["published"], "track": r["track"],
                "title": r["title"], "source": r["source"], "outlet": r["outlet"],
                "claimant": r["claimant"], "relayed": r["relayed"], "quote": r["quote"],
                "surface": r["surface"], "unit": r["unit"],
                "observation_id": r["observation_id"], "created_at": r["created_at"],
                "digest_id": r["digest_id"],
            })
        return out

    def mark_digested(self, event_ids: Iterable[int], digest_id: int) -> None:
        """Attach events to the digest that reported them."""
        with self.atomic():
            for event_id in event_ids:
                self.db.execute("UPDATE events SET digest_id = ? WHERE id = ?"
                                " AND digest_id IS NULL", [digest_id, event_id])

    # --- timeline, search, status

    def timeline(self, figure: str, *, track: str | None = None, since: str | None = None,
                 until: str | None = None, newest_first: bool = False,
                 limit: int | None = None) -> list[dict[str, Any]]:
        """Every observation of ``figure`` by date (ties: arrival), with its article,
        source, claimant and the event it raised (if any); optionally only one claimant
        ``track``, dates from ``since`` to ``until`` ("YYYY-MM-DD", inclusive), the
        newest first, and at most ``limit`` of them."""
        where, args = _timeline_where(figure, track, since, until)
        order = "o.dated DESC, o.id DESC" if newest_first else "o.dated, o.id"
        if limit is not None:  # pick the ids first: joining every article to sort is slow
            where = (f"o.id IN (SELECT o.id FROM observations o WHERE {where}"
                     f" ORDER BY {order} LIMIT {int(limit)})")
        out = []
        for r in self.db.query(
                "SELECT o.*, a.url AS article, a.title, a.source, a.outlet,"
                " e.kind AS event, e.id AS event_id FROM observations o"
                " JOIN articles a ON a.id = o.article_id"
                " LEFT JOIN events e ON e.observation_id = o.id"
                f" WHERE {where} ORDER BY {order}", args):
            out.append({
                "id": r["id"], "figure": r["figure"], "track": r["track"],
                "published": r["published"], "low": clean_number(r["low"]),
                "high": clean_number(r["high"]), "qualifier": r["qualifier"],
                "previous": _value_json(r["prev_low"], r["prev_high"], r["prev_qualifier"]),
                "unit": r["unit"], "surface": r["surface"], "quote": r["quote"],
                "claimant": r["claimant"], "relayed": r["relayed"],
                "source": r["outlet"] or r["source"], "article": r["article"],
                "title": r["title"], "event": r["event"], "event_id": r["event_id"],
            })
        return out

    # --- near misses

    def add_near_misses(self, article_row: int, misses: Iterable[Verdict],
                        published: str | None) -> int:
        """Keep the numbers of a newly stored article that named a tracked subject
        but went to no figure; returns how many."""
        rows = [[article_row, v.noun or v.quantity.unit, v.quantity.unit,
                 v.quantity.surface, v.quantity.low, v.quantity.high,
                 v.quantity.qualifier, v.reason, v.detail, v.quote, published, now_iso()]
                for v in misses]
        self.db.conn.executemany(
            "INSERT INTO near_misses (article_id, noun, unit, surface, low, high, qualifier,"
            " reason, detail, quote, published, created_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
            rows)
        return len(rows)

    def near_misses(self, *, published_since: str | None = None) -> list[dict[str, Any]]:
        """Stored near misses with their article's URL and title, oldest first."""
        where, args = "", []
        if published_since:
            where, args = " WHERE n.published >= ?", [published_since]
        return [dict(r) for r in self.db.query(
            "SELECT n.*, a.url AS article, a.title FROM near_misses n"
            " JOIN articles a ON a.id = n.article_id" + where + " ORDER BY n.id", args)]

    def figure_ids(self) -> list[str]:
        """Observed figure ids, sorted.  Walked through the index one id at a time:
        a DISTINCT over every observation would read them all."""
        out: list[str] = []
        row = self.db.execute("SELECT min(figure) FROM observations").fetchone()
        while row is not None and row[0] is not None:
            out.append(row[0])
            row = self.db.execute("SELECT min(figure) FROM observations WHERE figure > ?",
                                  [row[0]]).fetchone()
        return out

    # --- read queries of `figmon serve`

    def figure_summary(self, figure: str, trend: int = 8) -> dict[str, Any] | None:
        """One figure at a glance: its latest observation (any track), how many
        observations and distinct articles state it, its claimant tracks (key → the
        claimant as last written), its last event, and the last ``trend`` values of the
        latest observation's track (oldest first).  None when the figure has no
        observation.  Every query here is an index lookup, so the cost does not grow
        with the number of observations."""
        # each claimant track's newest observation, walking the (figure, track) index
        heads: dict[str, tuple[str, int, str | None]] = {}
        key = self.db.execute("SELECT min(track) FROM observations WHERE figure = ?",
                              [figure]).fetchone()[0]
        while key is not None:
            dated, obs_id, who = self.db.execute(
                "SELECT dated, id, claimant FROM observations WHERE figure = ? AND track = ?"
                " ORDER BY dated DESC, id DESC LIMIT 1", [figure, key]).fetchone()
            heads[key] = (dated or "", obs_id, who)
            key = self.db.execute("SELECT min(track) FROM observations WHERE figure = ?"
                                  " AND track > ?", [figure, key]).fetchone()[0]
        if not heads:
            return None
        top = max(heads.values())[1]
        latest = next(self.db.query(
            "SELECT o.*, a.url AS article, a.title, a.outlet, a.source FROM observations o"
            " JOIN articles a ON a.id = o.article_id WHERE o.id = ?", [top]))
        n_obs, n_articles = self.db.execute(
            "SELECT count(*), (SELECT count(*) FROM (SELECT DISTINCT article_id FROM"
            " observations WHERE figure = ?1)) FROM observations WHERE figure = ?1",
            [figure]).fetchone()
        tracks = {k: h[2] or k for k, h in heads.items() if k}
        last = next(self.db.query(
            "SELECT id, kind, published, old_low, old_high, old_qualifier, new_low, new_high,"
            " new_qualifier, article FROM events WHERE figure = ? ORDER BY id DESC LIMIT 1",
            [figure]), None)
        values = [_value_json(r[0], r[1], r[2]) for r in self.db.execute(
            "SELECT low, high, qualifier FROM observations WHERE figure = ? AND track = ?"
            " ORDER BY dated DESC, id DESC LIMIT ?", [figure, latest["track"], trend])]
        return {
            "figure": figure, "track": latest["track"],
            "value": _value_json(latest["low"], latest["high"], latest["qualifier"]),
            "published": latest["published"], "article": latest["article"],
            "claimant": latest["claimant"], "source": latest["outlet"] or latest["source"],
            "observations": int(n_obs), "articles": int(n_articles), "tracks": tracks,
            "last_event": None if last is None else {
                "id": last["id"], "kind": last["kind"], "published": last["published"],
                "old": _value_json(last["old_low"], last["old_high"], last["old_qualifier"]),
                "new": _value_json(last["new_low"], last["new_high"], last["new_qualifier"]),
                "article": last["article"]},
            "trend": [v for v in reversed(values) if v is not None],
        }

    def timeline_values(self, figure: str, *, track: str | None = None,
                        since: str | None = None, until: str | None = None
                        ) -> list[tuple[str | None, Any, Any, str, str | None]]:
        """(published, low, high, qualifier, event kind) of each observation, by date:
        the chart's data, without the article columns `timeline` adds.  Bounds are as
        stored (floats; ``models.clean_number`` makes them ints where whole)."""
        where, args = _timeline_where(figure, track, since, until)
        kinds = dict(self.db.execute(
            "SELECT observation_id, kind FROM events WHERE figure = ?", [figure]).fetchall())
        return [(r[0], r[1], r[2], r[3], kinds.get(r[4])) for r in self.db.execute(
            "SELECT o.published, o.low, o.high, o.qualifier, o.id FROM observations o"
            f" WHERE {where} ORDER BY o.dated, o.id", args)]

    def article_figures(self, article_ids: Iterable[int]) -> dict[int, list[str]]:
        """The figures each of these articles stated (for linking search results)."""
        ids = [int(i) for i in article_ids]
        if not ids:
            return {}
        out: dict[int, list[str]] = {}
        for art, fig in self.db.execute(
                "SELECT DISTINCT article_id, figure FROM observations WHERE article_id IN"
                f" ({','.join('?' * len(ids))}) ORDER BY article_id, figure", ids):
            out.setdefault(int(art), []).append(fig)
        return out

    def meta(self, name: str) -> str | None:
        """A value of the meta table (secrets made once per database, run timings)."""
        row = self.db.execute("SELECT value FROM meta WHERE name = ?", [name]).fetchone()
        return None if row is None else str(row[0])

    def set_meta(self, name: str, value: str) -> None:
        with self.atomic():
            self.db.execute("INSERT INTO meta (name, value) VALUES (?, ?) ON CONFLICT(name)"
                            " DO UPDATE SET value = excluded.value", [name, value])

    def health(self) -> dict[str, Any]:
        """What /metrics exposes: per-source counters and timings, events by kind,
        deliveries by status, and the last `run --once` cycle."""
        last_run = self.meta("last_run_seconds")
        return {
            "sources": [dict(r) for r in self.db.query(
                "SELECT name, kind, articles_new, coalesce(errors, 0) AS errors, last_ok,"
                " last_run, last_error, last_seconds FROM sources ORDER BY name")],
            "events": {r[0]: int(r[1]) for r in self.db.execute(
                "SELECT kind, count(*) FROM events GROUP BY kind")},
            "deliveries": {r[0]: int(r[1]) for r in self.db.execute(
                "SELECT status, count(*) FROM deliveries GROUP BY status")},
            "last_run_seconds": float(last_run) if last_run is not None else None,
        }

    def search(self, query: str, limit: int = 20, *, raw: bool = False, offset: int = 0,
               marks: tuple[str, str] = ("[", "]")) -> list[dict[str, Any]]:
        """Full-text search.  Plain words match any of their forms (the lemma
        column); ``raw`` passes FTS5 syntax to the surface text instead.  ``marks``
        wrap the matched word in the snippet."""
        from .search import lemma_query, snippet

        if raw:
            sql = ("SELECT a.id, a.title, a.url, a.source, a.outlet, a.published,"
                   " snippet(articles_fts, 1, ?, ?, '…', 12) AS snippet"
                   " FROM articles_fts JOIN articles a ON a.id = articles_fts.rowid"
                   " WHERE articles_fts MATCH ? ORDER BY rank LIMIT ? OFFSET ?")
            try:
                return list(self.db.query(sql, [*marks, query, limit, offset]))
            except sqlite3.OperationalError as exc:
                from .errors import InputError

                raise InputError(f"search: {query!r} is not valid FTS5 syntax ({exc})",
                                 "fix the query, or leave out --raw to search plain "
                                 "words") from None
        match = lemma_query(query)
        if match is None:
            return []
        out = []
        for r in self.db.query(
                "SELECT a.id, a.title, a.url, a.source, a.outlet, a.published, a.text"
                " FROM articles_lemma_fts l JOIN articles a ON a.id = l.rowid"
                " WHERE articles_lemma_fts MATCH ? ORDER BY l.rank LIMIT ? OFFSET ?",
                [match, limit, offset]):
            text = r.pop("text") or ""
            r["snippet"] = snippet(text, query, marks=marks)
            out.append(r)
        return out

    def status(self) -> dict[str, Any]:
        """Sources, each figure track's current value, counts, pending deliveries."""
        sources = []
        for r in self.db.query("SELECT * FROM sources ORDER BY name"):
            r = dict(r)
            r["state"] = json.loads(r["state"] or "{}")
            sources.append(r)
        figures = []
        for figure, track in self.tracks():
            row = next(self.db.query(
                "SELECT o.*, a.url AS article, (SELECT count(*) FROM observations x"
                " WHERE x.figure = o.figure AND x.track = o.track) AS observations"
                " FROM observations o JOIN articles a ON a.id = o.article_id"
                " WHERE o.figure = ? AND o.track = ? ORDER BY o.dated DESC, o.id DESC"
                " LIMIT 1", [figure, track]))
            figures.append({
                "figure": figure, "track": track,
                "value": _value_json(row["low"], row["high"], row["qualifier"]),
                "published": row["published"], "article": row["article"],
                "claimant": row["claimant"], "observations": row["observations"],
            })
        pending = self.db.execute(
            "SELECT count(*) FROM deliveries WHERE status = 'pending'").fetchone()[0]
        near = self.db.execute("SELECT count(*) FROM near_misses").fetchone()[0]
        return {"sources": sources, "figures": figures, "pending_deliveries": int(pending),
                "near_misses": int(near), "counts": self.counts(),
                "failed_deliveries": self.failed_deliveries(), "quarantined": self.quarantined()}

    def failed_deliveries(self) -> list[dict[str, Any]]:
        """Deliveries refused for good, and pending ones whose last attempt failed."""
        return list(self.db.query(
            "SELECT d.id, d.email, d.status, d.attempts, d.last_error, d.next_attempt_at,"
            " g.subject FROM deliveries d LEFT JOIN digests g ON g.id = d.digest_id"
            " WHERE d.status = 'failed' OR (d.status = 'pending' AND d.last_error IS NOT NULL)"
            " ORDER BY d.id"))

    # --- quarantine: items of a source that could not be read

    def quarantine(self, source: str, items: dict[str, str]) -> None:
        """Record (or refresh) items that could not be read, with the reason."""
        stamp = now_iso()
        with self.atomic():
            for item, reason in items.items():
                self.db.execute(
                    "INSERT INTO quarantine (source, item, reason, first_seen, last_seen)"
                    " VALUES (?, ?, ?, ?, ?) ON CONFLICT(source, item) DO UPDATE SET"
                    " reason = excluded.reason, last_seen = excluded.last_seen",
                    [source, item, reason, stamp, stamp])

    def release(self, source: str, items: Iterable[str]) -> None:
        """Items that read cleanly now leave the quarantine."""
        with self.atomic():
            for item in items:
                self.db.execute("DELETE FROM quarantine WHERE source = ? AND item = ?",
                                [source, item])

    def quarantined(self) -> list[dict[str, Any]]:
        return list(self.db.query(
            "SELECT source, item, reason, first_seen, last_seen FROM quarantine"
            " ORDER BY source, item"))

    # --- sources

    def host_waits(self, now: float) -> dict[str, float]:
        """Host -> epoch seconds before which it asked not to be called (future ones)."""
        return {r[0]: float(r[1]) for r in self.db.execute(
            "SELECT host, until FROM host_waits WHERE until > ?", [now])}

    def save_host_waits(self, waits: dict[str, float], now: float) -> None:
        with self.atomic():
            self.db.execute("DELETE FROM host_waits WHERE until <= ?", [now])
            for host, until in waits.items():
                self.db.execute(
                    "INSERT INTO host_waits (host, until) VALUES (?, ?) ON CONFLICT(host)"
                    " DO UPDATE SET until = max(until, excluded.until)", [host, until])

    def source_state(self, name: str) -> dict[str, Any]:
        row = self.db.execute("SELECT state FROM sources WHERE name = ?", [name]).fetchone()
        if not row or not row[0]:
            return {}
        state = json.loads(row[0])
        return state if isinstance(state, dict) else {}

    def record_source_run(self, name: str, kind: str, *, state: dict[str, Any],
                          found: int, new: int, error: str | None,
                          seconds: float | None = None) -> None:
        """Record one run of a source: counters, time, outcome, how long it took
        (``seconds``) and its saved state."""
        stamp = now_iso()
        with self.atomic():
            self.db.execute(
                "INSERT INTO sources (name, kind, runs, articles_found, articles_new,"
                " state) VALUES (?, ?, 0, 0, 0, '{}') ON CONFLICT(name) DO NOTHING",
                [name, kind])
            self.db.execute(
                "UPDATE sources SET kind = ?, last_run = ?,"
                " last_ok = CASE WHEN ? IS NULL THEN ? ELSE last_ok END, last_error = ?,"
                " runs = runs + 1, articles_found = articles_found + ?,"
                " articles_new = articles_new + ?, last_found = ?, last_new = ?, state = ?,"
                " errors = coalesce(errors, 0) + ?, last_seconds = ? WHERE name = ?",
                [kind, stamp, error, stamp, error, found, new, found, new,
                 json.dumps(state, ensure_ascii=False, sort_keys=True), int(error is not None),
                 seconds, name])


def _timeline_where(figure: str, track: str | None, since: str | None,
                    until: str | None) -> tuple[str, list[Any]]:
    where, args = ["o.figure = ?"], [figure]
    if track is not None:
        where.append("o.track = ?")
        args.append(track)
    _day_range("o.dated", since, until, where, args)
    return " AND ".join(where), args


def _day_range(column: str, since: str | None, until: str | None, where: list[str],
               args: list[Any]) -> None:
    """Keep rows whose ``column`` date falls from ``since`` to ``until`` (inclusive)."""
    if since:
        where.append(f"substr({column}, 1, 10) >= ?")
        args.append(since)
    if until:
        where.append(f"substr({column}, 1, 10) <= ?")
        args.append(until)


def article_hash(article: Article) -> str | None:
    """Normalised content hash of the article's text; None for an empty text (so
    empty articles are told apart by URL only)."""
    if not article.text.strip():
        return None
    from .articles import content_hash

    return content_hash(article.text)
