"""The sources, host_waits and quarantine tables: each source's state and failures."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from .base import StoreBase
from .rows import now_iso


class Sources(StoreBase):
    """The sources, host_waits and quarantine tables: each source's state and failures."""

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
