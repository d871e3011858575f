"""Cron expressions and time zones: the one place that reads `digest.cron` and
`digest.timezone`, shared by config validation, the daemon and daily digests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from apscheduler.triggers.cron import CronTrigger


def zone(name: str) -> Any:
    """The IANA time zone ``name``; ValueError naming it when it is unknown."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown time zone {name!r}") from exc


def cron_trigger(expr: str, timezone: str = "UTC") -> Any:
    """APScheduler's CronTrigger for a five-field crontab line, read in ``timezone``."""
    return CronTrigger.from_crontab(expr, timezone=zone(timezone))


def daily_due(expr: str, last: str | None, now: datetime, timezone: str = "UTC") -> bool:
    """Has the digest cron fired since ``last`` (a subscriber's previous daily digest)?"""
    if not last:
        return True
    try:
        since = datetime.fromisoformat(last)
    except ValueError:
        return True
    if since.tzinfo is None:
        since = since.replace(tzinfo=UTC)
    nxt = cron_trigger(expr, timezone).get_next_fire_time(None, since + timedelta(seconds=1))
    return nxt is not None and nxt <= now
