"""Prometheus metrics for /metrics, read from the database on each scrape.

The figures live in SQLite (written by `run --once` or the daemon, perhaps in
another process), so a custom collector reads them when scraped instead of
keeping counters in this process.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from prometheus_client.exposition import generate_latest
from prometheus_client.metrics_core import CounterMetricFamily, GaugeMetricFamily, Metric

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"  # the text format all scrapers read


def _epoch(stamp: str | None) -> float | None:
    if not stamp:
        return None
    try:
        dt = datetime.fromisoformat(stamp)
    except ValueError:
        return None
    return (dt if dt.tzinfo else dt.replace(tzinfo=UTC)).timestamp()


class HealthCollector:
    """Turns Store.health() into metric families; ``now`` is injectable for tests."""

    def __init__(self, health: dict[str, Any], now: float | None = None) -> None:
        self.health = health
        self.now = now if now is not None else datetime.now(UTC).timestamp()

    def collect(self) -> Iterator[Metric]:
        h = self.health
        ingested = CounterMetricFamily(
            "figmon_articles_ingested", "New articles stored, per source.", labels=["source"])
        errors = CounterMetricFamily(
            "figmon_source_errors", "Source runs that ended with an error, per source.",
            labels=["source"])
        since = GaugeMetricFamily(
            "figmon_source_seconds_since_success",
            "Seconds since the source last ran without error (+Inf: never).",
            labels=["source"])
        failing = GaugeMetricFamily(
            "figmon_source_failing", "1 when the source's last run ended with an error.",
            labels=["source"])
        duration = GaugeMetricFamily(
            "figmon_source_last_run_duration_seconds",
            "How long the source's last run took (fetch and ingest).", labels=["source"])
        for s in h["sources"]:
            name = [str(s["name"])]
            ingested.add_metric(name, float(s["articles_new"] or 0))
            errors.add_metric(name, float(s["errors"] or 0))
            ok = _epoch(s["last_ok"])
            since.add_metric(name, math.inf if ok is None else max(0.0, self.now - ok))
            failing.add_metric(name, 1.0 if s["last_error"] else 0.0)
            if s["last_seconds"] is not None:
                duration.add_metric(name, float(s["last_seconds"]))
        yield from (ingested, errors, since, failing, duration)

        events = CounterMetricFamily("figmon_events", "Events detected, by kind.",
                                     labels=["kind"])
        for kind in sorted({"new", "changed", *h["events"]}):
            events.add_metric([kind], float(h["events"].get(kind, 0)))
        yield events

        deliveries = GaugeMetricFamily("figmon_deliveries", "Digest deliveries, by status.",
                                       labels=["status"])
        for status in sorted({"pending", "failed", "sent", *h["deliveries"]}):
            deliveries.add_metric([status], float(h["deliveries"].get(status, 0)))
        yield deliveries

        if h["last_run_seconds"] is not None:
            yield GaugeMetricFamily("figmon_last_run_duration_seconds",
                                    "How long the last `figmon run --once` cycle took.",
                                    value=float(h["last_run_seconds"]))


def exposition(health: dict[str, Any], now: float | None = None) -> bytes:
    """The Prometheus text format of ``health`` (Store.health())."""
    return generate_latest(HealthCollector(health, now))
