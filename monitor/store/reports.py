"""Reports across tables: counts, status and health."""

from __future__ import annotations

import json
from typing import Any

from .observations import Observations
from .rows import _value_json
from .sources import Sources


class Reports(Observations, Sources):
    """Reports across tables: counts, status and health."""

    def counts(self) -> dict[str, int]:
        """Row count of every table (tests use it to show re-runs add nothing)."""
        names = ["sources", "articles", "observations", "events", "digests",
                 "deliveries", "subscribers", "near_misses"]
        return {n: int(self.db.execute(f"SELECT count(*) FROM [{n}]").fetchone()[0])
                for n in names}

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

    def failed_deliveries(self) -> list[dict[str, Any]]:
        """Deliveries refused for good, and pending ones whose last attempt failed."""
        return list(self.db.query(
            "SELECT d.id, d.email, d.status, d.attempts, d.last_error, d.next_attempt_at,"
            " g.subject FROM deliveries d LEFT JOIN digests g ON g.id = d.digest_id"
            " WHERE d.status = 'failed' OR (d.status = 'pending' AND d.last_error IS NOT NULL)"
            " ORDER BY d.id"))
