"""One open database: its connection and transactions; the table families build on it."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Self

import sqlite_utils

from ..errors import StoreError

# Tracks whose state the writer keeps in memory; past this many the map starts over.
TRACK_CACHE = 20_000


class StoreBase:
    """The connection, transactions and the meta table shared by every family."""

    def __init__(self, db: sqlite_utils.Database, path: Path) -> None:
        self.db = db
        self.path = path
        # The ingest writer's view of each (figure, track): its current observation
        # (dated, id, value) and the value last mailed in an event.  Read from the
        # database when missing, kept up to date by the writer's own inserts, and
        # trusted only while nothing else wrote (see ``writing``).
        self.heads: dict[tuple[str, str], Any] = {}
        self.heard: dict[tuple[str, str], Any] = {}
        self._mark: tuple[int, int] | None = None

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Self:
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

    def _run(self, sql: str, args: Sequence[Any]) -> sqlite3.Cursor:
        """Execute a write: straight on the connection inside a transaction (the
        writer's hot path), else through sqlite-utils, which commits it at once."""
        if self.db.conn.in_transaction:
            return self.db.conn.execute(sql, args)
        return self.db.execute(sql, args)

    def _write_mark(self) -> tuple[int, int]:
        """Changes since: data_version moves when another connection commits,
        total_changes when this one writes."""
        version = self.db.conn.execute("PRAGMA data_version").fetchone()[0]
        return int(version), self.db.conn.total_changes

    def forget_tracks(self) -> None:
        self.heads.clear()
        self.heard.clear()
        self._mark = None

    @contextmanager
    def writing(self) -> Iterator[None]:
        """``atomic()`` for the ingest writer, whose in-memory track state (``heads``,
        ``heard``) holds only while every write since its last commit was its own:
        any other write (another process, a rename, a rolled-back chunk) drops it."""
        nested = self.db.conn.in_transaction
        try:
            with self.atomic():
                # checked under the write lock: no other writer can slip in after it
                if nested or self._mark != self._write_mark() \
                        or len(self.heads) + len(self.heard) > TRACK_CACHE:
                    self.forget_tracks()
                yield
                # still under the lock: after COMMIT another writer could come first
                version = self._write_mark()[0]
        except BaseException:
            self.forget_tracks()
            raise
        if nested:  # the outer transaction may still roll back
            self.forget_tracks()
        else:  # after COMMIT: FTS5 writes its index out then, and that counts as changes
            self._mark = (version, self.db.conn.total_changes)

    @contextmanager
    def durable(self) -> Iterator[None]:
        """``atomic()``, and committed when it ends even inside an implicit transaction
        that sqlite3 opened: what it wrote is on disk before the caller goes on (the
        delivery outbox relies on that before a byte goes to a server)."""
        with self.atomic():
            yield
        if self.db.conn.in_transaction:
            self.db.conn.commit()

    def read_only(self) -> None:
        """Refuse every write on this connection from now on (the web server)."""
        self.db.execute("PRAGMA query_only = 1")

    @property
    def version(self) -> int:
        return int(self.db.execute("PRAGMA user_version").fetchone()[0])

    def meta(self, name: str) -> str | None:
        """A value of the meta table (secrets made once per database, run timings)."""
        row = self.db.execute("SELECT value FROM meta WHERE name = ?", [name]).fetchone()
        return None if row is None else str(row[0])

    def set_meta(self, name: str, value: str) -> None:
        with self.atomic():
            self.db.execute("INSERT INTO meta (name, value) VALUES (?, ?) ON CONFLICT(name)"
                            " DO UPDATE SET value = excluded.value", [name, value])
