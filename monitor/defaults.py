"""Every default figmon has, in one place, and the small readers of config values
that the modules below config share (intervals, paths).  A leaf: imports nothing
of figmon's."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

# Whatever http.max_bytes says, a body is never held above this (config validation
# refuses more): parsing a bigger page costs gigabytes and minutes.
HARD_MAX_BYTES = 20_000_000

DEFAULTS: dict[str, Any] = {
    "database": "figmon.db",
    "rules": "rules",
    "reports": "reports",
    "outbox": "outbox",
    "http": {
        "timeout": 20.0,  # seconds for the whole request, connect to last byte
        "max_bytes": 10_000_000,  # response size cap (at most http.HARD_MAX_BYTES)
        "max_redirects": 5,
        "retries": 3,
        "backoff": 1.0,  # seconds, doubled per retry
        "per_host": 2,  # concurrent requests per host
        "max_wait": 60.0,  # longest Retry-After (seconds) honoured before giving up
        "parallel": 4,  # sources the daemon fetches at the same time
        # redirects into private/loopback addresses (other than the configured
        # URL's own host and port) are refused unless this is true
        "allow_private": False,
        "user_agent": "figmon/0.1 (+https://github.com/figmon/figmon; news figure monitor)",
    },
    "every": "1h",  # default source interval
    "digest": {
        "cron": "0 7 * * *",  # daily digest schedule
        "timezone": "UTC",  # the zone the cron is read in (IANA name, e.g. Europe/Kyiv)
        "subject_prefix": "[figmon]",
        # entries shown per figure in one message (the latest ones); the rest are
        # counted and left to the reports archive, so a flood stays readable and
        # under Gmail's ~102 KB clipping size
        "max_per_figure": 10,
        # where the reports/ folder is published (https://…/reports/): mails then link
        # each figure's timeline page; empty = no links (the folder may be private)
        "reports_url": "",
    },
    "delivery": {
        "retries": 5,
        "backoff": 60.0,  # seconds, doubled per attempt
    },
    # `figmon serve`, and the daemon's web server when the file has a `serve:` section
    "serve": {
        "host": "127.0.0.1",  # loopback only: the pages have no login
        "port": 8750,
        # the address the server is reached at (https://figmon.example.org): digests then
        # carry RFC 8058 one-click unsubscribe links; empty = mailto: unsubscribe only
        "public_url": "",
    },
    # merged under the file's `smtp:` section when there is one (no section = file outbox)
    "smtp": {
        "port": 25,
        "starttls": False,
        "ssl": False,
        "timeout": 30.0,  # seconds per SMTP command
    },
}


_EVERY = re.compile(r"^\s*(\d+)\s*([smhd])\s*$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
EVERY_HINT = "write a whole number and a unit: 30s, 15m, 6h or 1d"


def parse_every(value: str) -> int:
    """'30s', '15m', '6h', '1d' → seconds; ValueError for anything else."""
    m = _EVERY.match(str(value))
    if not m or int(m.group(1)) <= 0:
        raise ValueError(f"'{value}' is not an interval")
    return int(m.group(1)) * _UNIT_SECONDS[m.group(2)]


def resolve_path(base: Path, value: str | Path) -> Path:
    """A path as the config means it: ``~`` expanded, relative to ``base``."""
    p = Path(str(value)).expanduser()
    return p if p.is_absolute() else base / p
