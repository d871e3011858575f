"""One open database: its connection and transactions; the table families build on it."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Self

import sqlite_utils

from ..errors import StoreError


class StoreBase:
    """The connection, transactions and the meta table shared by every family."""

    def __init__(self, db: sqlite_utils.Database, path: Path) -> None:
        self.db = db
        self.path = path

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
