"""The SQLite database: schema migrations, writes and the queries the CLI needs.

sqlite-utils on one connection, WAL mode.  Callers group an article's writes
(article row, observations, events) in one transaction, ``store.atomic()`` or,
for ingest's chunks of articles, ``store.writing()``, so a crash never leaves
half an article behind.  Hot paths use plain SQL; ingest's
writer goes straight to the sqlite3 connection inside its transaction
(``writing()``), and the schema is built with sqlite-utils' table API.

One module per table family (articles, observations, events, near misses, sources,
deliveries, digests, subscribers); ``Store`` joins the families' methods.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import sqlite_utils

from ..errors import StoreError
from .articles import Articles
from .events import Events
from .near_misses import NearMisses
from .reports import Reports
from .rows import article_hash, date_key, now_iso, stored_value
from .schema import MIGRATIONS, _enable_wal, migrate

__all__ = ["MIGRATIONS", "Store", "article_hash", "date_key", "migrate", "now_iso",
           "stored_value"]


class Store(Articles, Events, NearMisses, Reports):
    """One open figmon database."""

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
