"""figmon.yaml + environment → validated settings.

All defaults live in ``DEFAULTS``.  Every problem in the file is reported at
once, each with file, line and column.  Secrets are read from the environment
only (``FIGMON_SMTP_PASSWORD`` or the variable a ``password_env`` key names).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import ConfigError, Problem
from .yamlio import Located, did_you_mean, load_file

DEFAULT_CONFIG = "figmon.yaml"

DEFAULTS: dict[str, Any] = {
    "database": "figmon.db",
    "rules": "rules",
    "reports": "reports",
    "outbox": "outbox",
    "http": {
        "timeout": 20.0,  # seconds, per request
        "max_bytes": 10_000_000,  # response size cap
        "max_redirects": 5,
        "retries": 3,
        "backoff": 1.0,  # seconds, doubled per retry
        "per_host": 2,  # concurrent requests per host
        "user_agent": "figmon/0.1 (+https://github.com/figmon/figmon; news figure monitor)",
    },
    "every": "1h",  # default source interval
    "digest": {
        "cron": "0 7 * * *",  # daily digest schedule
        "subject_prefix": "[figmon]",
    },
    "delivery": {
        "retries": 5,
        "backoff": 60.0,  # seconds, doubled per attempt
    },
}

TOP_KEYS = {
    "database": str, "rules": str, "reports": str, "outbox": str, "http": dict,
    "every": str, "sources": list, "digest": dict, "delivery": dict, "smtp": dict,
    "subscribers": list,
}


@dataclass
class Settings:
    """Validated configuration; paths are absolute."""

    path: Path | None  # the config file, None when running on defaults
    base: Path  # directory relative paths are resolved against
    database: Path
    rules: Path
    reports: Path
    outbox: Path
    http: dict[str, Any]
    every: str
    sources: list[dict[str, Any]] = field(default_factory=list)
    digest: dict[str, Any] = field(default_factory=dict)
    delivery: dict[str, Any] = field(default_factory=dict)
    smtp: dict[str, Any] | None = None
    subscribers: list[dict[str, Any]] = field(default_factory=list)
    located: Located | None = None  # for positions in later validation


_TYPE_NAMES = {str: "a string", dict: "a mapping", list: "a list", int: "a number",
               float: "a number", bool: "true or false"}


def _merge(defaults: dict[str, Any], given: dict[str, Any]) -> dict[str, Any]:
    out = dict(defaults)
    out.update(given)
    return out


def load_config(path: str | Path | None = None, *, required: bool = False) -> Settings:
    """Load and validate a config file.

    With ``path`` None, ``figmon.yaml`` in the working directory is used when it
    exists, and built-in defaults otherwise.
    """
    if path is None:
        candidate = Path(DEFAULT_CONFIG)
        if not candidate.exists():
            if required:
                raise ConfigError([Problem(DEFAULT_CONFIG, None, None, "no config file",
                                           "create figmon.yaml or pass --config FILE")],
                                  DEFAULT_CONFIG)
            return _build(None, Path.cwd(), {}, None)
        path = candidate
    p = Path(path)
    if not p.exists():
        raise ConfigError([Problem(str(p), None, None, "config file not found",
                                   "check the path given to --config")], str(p))
    located = load_file(p)
    problems = list(located.problems)
    data = located.data if located.data is not None else {}
    if not problems and not isinstance(data, dict):
        problems.append(located.problem((), "the config must be a mapping of keys",
                                        "start with 'sources:' or 'database:'"))
    if problems:
        raise ConfigError(problems, str(p))
    problems.extend(validate_top(data, located))
    if problems:
        raise ConfigError(problems, str(p))
    settings = _build(p, p.resolve().parent, data, located)
    problems.extend(validate_sections(settings, located))
    if problems:
        raise ConfigError(problems, str(p))
    return settings


def validate_top(data: dict[str, Any], located: Located) -> list[Problem]:
    problems: list[Problem] = []
    for key, value in data.items():
        if key not in TOP_KEYS:
            problems.append(located.problem((key,), f"unknown key '{key}'",
                                            did_you_mean(str(key), TOP_KEYS)))
            continue
        want = TOP_KEYS[key]
        if value is not None and not isinstance(value, want):
            problems.append(located.problem((key,), f"'{key}' must be {_TYPE_NAMES[want]}",
                                            f"got {type(value).__name__}"))
    return problems


def validate_sections(settings: Settings, located: Located | None) -> list[Problem]:
    """Hook for sections owned by other modules (sources, smtp, subscribers)."""
    from .deliver import validate_delivery
    from .sources import validate_sources

    return [*validate_sources(settings, located), *validate_delivery(settings, located)]


def _build(path: Path | None, base: Path, data: dict[str, Any],
           located: Located | None) -> Settings:
    def resolve(key: str) -> Path:
        value = data.get(key) or DEFAULTS[key]
        p = Path(str(value)).expanduser()
        return p if p.is_absolute() else base / p

    return Settings(
        path=path,
        base=base,
        database=resolve("database"),
        rules=resolve("rules"),
        reports=resolve("reports"),
        outbox=resolve("outbox"),
        http=_merge(DEFAULTS["http"], data.get("http") or {}),
        every=str(data.get("every") or DEFAULTS["every"]),
        sources=list(data.get("sources") or []),
        digest=_merge(DEFAULTS["digest"], data.get("digest") or {}),
        delivery=_merge(DEFAULTS["delivery"], data.get("delivery") or {}),
        smtp=data.get("smtp"),
        subscribers=list(data.get("subscribers") or []),
        located=located,
    )
