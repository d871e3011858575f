"""figmon.yaml + environment → validated settings.

All defaults live in ``DEFAULTS`` (monitor/defaults.py, re-exported here).
Every problem in the file is reported at once, each with file, line and
column.  Secrets are read from the environment only (``FIGMON_SMTP_PASSWORD``
or the variable a ``password_env`` key names).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from .defaults import (
    DEFAULTS,
    EVERY_HINT,
    HARD_MAX_BYTES,
    parse_every,
    resolve_path,
)
from .delivery_settings import validate_delivery
from .errors import ConfigError, Problem
from .sources import validate_sources
from .yamlio import Located, did_you_mean, load_file, one_line

DEFAULT_CONFIG = "figmon.yaml"

__all__ = ["DEFAULTS", "EVERY_HINT", "Settings", "load_config", "parse_every",
           "resolve_path"]

TOP_KEYS = {
    "database": str, "rules": str, "reports": str, "outbox": str, "http": dict,
    "every": str, "sources": list, "digest": dict, "delivery": dict, "smtp": dict,
    "subscribers": list, "serve": dict,
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
    # the `serve:` section over its defaults; None when the file has none (the daemon
    # then runs no web server; `figmon serve` uses DEFAULTS["serve"])
    serve: dict[str, Any] | None = None

    def serve_options(self) -> dict[str, Any]:
        """host, port and public_url for the web server, defaults filled in."""
        return _merge(DEFAULTS["serve"], self.serve or {})

    def resolve(self, value: str | Path) -> Path:
        """A path from the config: ``~`` expanded, relative to the config's folder."""
        return resolve_path(self.base, value)


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
                raise ConfigError([Problem(
                    str(candidate.resolve()), None, None, "no figmon.yaml in this folder",
                    "run `figmon init` to write a starter config, rules folder and example "
                    "article here, or pass --config FILE")], DEFAULT_CONFIG)
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
    problems = [*validate_http(settings, located), *validate_every(settings, located),
                *validate_secrets(located), *validate_sources(settings, located),
                *validate_delivery(settings, located), *validate_serve(located)]
    return _dedupe(problems)


# --- intervals, http section, secrets (SOURCES owner) ------------------------

def validate_every(settings: Settings, located: Located | None) -> list[Problem]:
    """The top-level default interval."""
    data = located.data if located is not None and isinstance(located.data, dict) else {}
    if "every" not in data or data["every"] is None:
        return []
    try:
        parse_every(settings.every)
    except ValueError:
        return [_problem(located, ("every",), f"'every: {settings.every}' is not an interval",
                         EVERY_HINT)]
    return []


# key → (accepted types, smallest allowed value)
_HTTP_KEYS: dict[str, tuple[tuple[type, ...], float]] = {
    "timeout": ((int, float), 0.001),
    "max_bytes": ((int,), 1),
    "max_redirects": ((int,), 0),
    "retries": ((int,), 0),
    "backoff": ((int, float), 0),
    "per_host": ((int,), 1),
    "max_wait": ((int, float), 0),
    "parallel": ((int,), 1),
    "user_agent": ((str,), 0),
    "allow_private": ((bool,), 0),
}


def validate_http(settings: Settings, located: Located | None) -> list[Problem]:
    """Keys and values of the ``http:`` section."""
    data = located.data if located is not None and isinstance(located.data, dict) else {}
    given = data.get("http") or {}
    problems: list[Problem] = []
    if not isinstance(given, dict):
        return problems
    for key, value in given.items():
        path = ("http", str(key))
        if key not in _HTTP_KEYS:
            problems.append(_problem(located, path, f"unknown key 'http.{key}'",
                                     did_you_mean(str(key), _HTTP_KEYS)))
            continue
        types, least = _HTTP_KEYS[key]
        if (isinstance(value, bool) and bool not in types) or not isinstance(value, types):
            names: dict[tuple[type, ...], str] = {(str,): "a string", (int,): "a whole number",
                                                  (bool,): "true or false"}
            what = names.get(types, "a number")
            problems.append(_problem(located, path, f"'http.{key}' must be {what}",
                                     f"got {value!r}; default is {DEFAULTS['http'][key]!r}"))
        elif key == "max_bytes" and isinstance(value, int) and value > HARD_MAX_BYTES:
            problems.append(_problem(
                located, path, f"'http.max_bytes' must be at most {HARD_MAX_BYTES:,}",
                f"got {value!r}: a bigger page would take gigabytes of memory to parse; "
                "point the source at the article page rather than a huge listing"))
        elif isinstance(value, int | float) and not isinstance(value, bool) and value < least:
            problems.append(_problem(located, path, f"'http.{key}' must be at least {least}",
                                     f"got {value!r}; default is {DEFAULTS['http'][key]!r}"))
        elif key == "user_agent" and not str(value).strip():
            problems.append(_problem(located, path, "'http.user_agent' is empty",
                                     "name figmon and a contact address"))
    return problems


def validate_serve(located: Located | None) -> list[Problem]:
    """Keys and values of the ``serve:`` section."""
    data = located.data if located is not None and isinstance(located.data, dict) else {}
    given = data.get("serve") or {}
    problems: list[Problem] = []
    if not isinstance(given, dict):
        return problems
    for key, value in given.items():
        path = ("serve", str(key))
        default = DEFAULTS["serve"].get(str(key))
        if key not in DEFAULTS["serve"]:
            problems.append(_problem(located, path, f"unknown key 'serve.{key}'",
                                     did_you_mean(str(key), DEFAULTS["serve"])))
        elif key == "port" and (isinstance(value, bool) or not isinstance(value, int)
                                or not 0 < value < 65536):
            problems.append(_problem(located, path, f"'serve.port: {value}' is not a port",
                                     f"use 1–65535; default is {default}"))
        elif key in ("host", "public_url") and not isinstance(value, str):
            problems.append(_problem(located, path, f"'serve.{key}' must be a string",
                                     f"got {value!r}; default is {default!r}"))
        elif key == "host" and not value.strip():
            problems.append(_problem(located, path, "'serve.host' is empty",
                                     "use 127.0.0.1 (this machine only) or an address of "
                                     "this machine"))
        elif key == "public_url" and value:
            parts = urlsplit(value)
            if parts.scheme not in ("http", "https") or not parts.netloc \
                    or parts.query or parts.fragment:
                problems.append(_problem(
                    located, path, f"'serve.public_url: {value}' is not an http(s) address",
                    "give the address people reach `figmon serve` at, e.g. "
                    "https://figmon.example.org (unsubscribe links are built on it)"))
    return problems


SECRET_KEYS = frozenset({"password", "passwd", "pass", "secret", "token", "api_key"})


def validate_secrets(located: Located | None) -> list[Problem]:
    """Secrets never live in the file: any password-like key is refused."""
    if located is None:
        return []
    problems: list[Problem] = []

    def walk(node: Any, path: tuple[str | int, ...]) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if str(key).lower() in SECRET_KEYS:
                    hint = ("remove it and set FIGMON_SMTP_PASSWORD in the environment "
                            "(or name another variable with 'password_env:')"
                            if path[:1] == ("smtp",) else
                            "remove it: secrets come only from environment variables "
                            "(the SMTP password from FIGMON_SMTP_PASSWORD)")
                    problems.append(located.problem(
                        path + (str(key),),
                        f"'{key}' must not be written in the config file", hint))
                else:
                    walk(value, path + (str(key),))
        elif isinstance(node, list):
            for i, item in enumerate(node):
                walk(item, path + (i,))

    walk(located.data, ())
    return problems


def _problem(located: Located | None, path: tuple[str | int, ...], message: str,
             hint: str = "") -> Problem:
    if located is None:
        return Problem(DEFAULT_CONFIG, None, None, message, hint)
    return located.problem(path, message, hint)


def _dedupe(problems: list[Problem]) -> list[Problem]:
    """Two validators may flag the same secret key: report each spot once."""
    out: list[Problem] = []
    seen: set[tuple[str, int | None, int | None]] = set()
    for p in problems:
        spot = (p.file, p.line, p.column)
        text = p.message.lower()
        if "password" in text or any(f"'{k}'" in text for k in SECRET_KEYS):
            if spot in seen:
                continue
            seen.add(spot)
        out.append(p)
    return out


def _digest(given: dict[str, Any]) -> dict[str, Any]:
    out = _merge(DEFAULTS["digest"], given)
    if isinstance(out.get("subject_prefix"), str):  # it starts every mail's Subject line
        out["subject_prefix"] = one_line(out["subject_prefix"])
    return out


def _build(path: Path | None, base: Path, data: dict[str, Any],
           located: Located | None) -> Settings:
    def resolve(key: str) -> Path:
        return resolve_path(base, data.get(key) or DEFAULTS[key])

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
        digest=_digest(data.get("digest") or {}),
        delivery=_merge(DEFAULTS["delivery"], data.get("delivery") or {}),
        smtp=data.get("smtp"),
        subscribers=list(data.get("subscribers") or []),
        located=located,
        serve=_merge(DEFAULTS["serve"], data.get("serve") or {}) if "serve" in data else None,
    )
