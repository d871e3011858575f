"""The schema: versioned migrations, applied in order, and WAL set-up."""

from __future__ import annotations

import secrets
import sqlite3
import time
import uuid
from collections.abc import Callable

import sqlite_utils

from ..errors import StoreError
from ..search import index_text


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
    for row_id, title, text, lang in db.execute(
            "SELECT id, title, text, lang FROM articles").fetchall():
        db.execute("INSERT INTO articles_lemma_fts (rowid, lemmas) VALUES (?, ?)",
                   [row_id, index_text(title or "", text or "", lang)])


def _m6_serve(db: sqlite_utils.Database) -> None:
    """SERVE: a key/value table holding secrets made once per database (the HMAC key of
    unsubscribe tokens, the id Atom entries are named under) and run timings; source
    error counts and durations for /metrics; one-click unsubscribes of config
    subscribers; an index that holds what a figure's chart needs."""
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


def _m7_channels(db: sqlite_utils.Database) -> None:
    """CHANNELS: a subscriber and a delivery have a channel kind (email, webhook,
    apprise); the ``email`` column holds the address of any kind.  Rows from before
    are e-mail.  A delivery's options hold what its sender needs (secret_env)."""
    for table, column in (("subscribers", "channel"), ("deliveries", "channel")):
        if column not in db.table(table).columns_dict:
            db.execute(f"ALTER TABLE {table} ADD COLUMN {column} TEXT NOT NULL"
                       " DEFAULT 'email'")
    if "options" not in db.table("deliveries").columns_dict:
        db.table("deliveries").add_column("options", str)


# Applied in order, each in its own transaction; PRAGMA user_version = how many
# have run.  Only ever append: a released database depends on the numbering.
MIGRATIONS: list[Callable[[sqlite_utils.Database], None]] = [_m1_core, _m2_delivery,
                                                              _m3_host_waits, _m4_near_misses,
                                                              _m5_quarantine_lemmas, _m6_serve,
                                                              _m7_channels]


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
