"""Sources: where articles come from, one registry by ``kind``.

Each kind is a :class:`Source` subclass that declares the YAML keys it
accepts; ``validate_sources`` checks the config's ``sources:`` list against
them (every problem with its line) before anything runs, and ``build_sources``
turns it into Source objects.

Keys of every source: ``name`` (unique, required), ``kind`` (required),
``every`` ("30s", "15m", "6h", "1d"; default: the top-level ``every``),
``lang`` (ru | uk | en: forces the language instead of detecting it).

=======  ==========================================================================
kind     keys
=======  ==========================================================================
folder   ``path`` (required; relative to figmon.yaml), ``glob`` (default: every
         article file, recursively); each file is read once, again if it changes;
         ``follow_symlinks`` (default false: links out of the folder are not read)
feed     ``url`` (required; RSS 0.9x/1.0/2.0 or Atom), ``full_text`` (fetch each
         item's page, main text by trafilatura), ``limit`` (first N items a poll)
page     ``url`` or ``urls`` (exactly one): HTML pages, main text by trafilatura
jsonl    ``path`` or ``url`` (exactly one): JSON lines ``{"id"?, "url"?, "title"?,
         "text", "published"?, "lang"?}``; a file is read on from where it stopped
=======  ==========================================================================

Example::

    sources:
      - name: example-feed
        kind: feed
        url: http://127.0.0.1:8000/feed.xml
        every: 15m
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..defaults import EVERY_HINT, parse_every
from ..errors import ConfigError, Problem
from ..yamlio import did_you_mean
from .base import (
    COMMON_KEYS,
    REGISTRY,
    FetchResult,
    Source,
    key_type_name,
    lang_finding,
    type_ok,
)
from .feed import FeedSource
from .folder import FolderSource
from .jsonl import JsonlSource
from .page import PageSource

if TYPE_CHECKING:
    from ..config import Settings
    from ..yamlio import Located

__all__ = ["REGISTRY", "FeedSource", "FetchResult", "FolderSource", "JsonlSource",
           "PageSource", "Source", "build_sources", "validate_sources"]


def build_sources(settings: Settings) -> list[Source]:
    """Source objects for the config's ``sources:`` (validated; raises ConfigError if not)."""
    problems = validate_sources(settings, settings.located)
    if problems:
        raise ConfigError(problems, str(settings.path or "figmon.yaml"))
    return [REGISTRY[spec["kind"]](spec, base=settings.base, every=settings.every)
            for spec in settings.sources]


def validate_sources(settings: Settings, located: Located | None) -> list[Problem]:
    """Every problem in ``sources:``: kinds, key names, types, values, duplicate names."""
    problems: list[Problem] = []

    def add(path: tuple[str | int, ...], message: str, hint: str = "") -> None:
        if located is not None:
            problems.append(located.problem(path, message, hint))
        else:
            problems.append(Problem(str(settings.path or "figmon.yaml"), None, None,
                                    message, hint))

    names: dict[str, int] = {}
    for i, spec in enumerate(settings.sources):
        at: tuple[str | int, ...] = ("sources", i)
        if not isinstance(spec, dict):
            add(at, f"source #{i + 1} must be a mapping of keys",
                "write '- name: ...' then 'kind: ...' on the next line")
            continue
        label = f"source '{spec['name']}'" if isinstance(spec.get("name"), str) \
            else f"source #{i + 1}"
        kind = spec.get("kind")
        cls = REGISTRY.get(kind) if isinstance(kind, str) else None
        if kind is None:
            add(at, f"{label} has no 'kind'", "kinds: " + ", ".join(sorted(REGISTRY)))
        elif cls is None:
            add(at + ("kind",), f"{label}: unknown kind '{kind}'",
                did_you_mean(str(kind), REGISTRY))
        accepted: dict[str, Any] = {**COMMON_KEYS, **(cls.keys if cls else {})}
        for key, value in spec.items():
            if key not in accepted:
                if cls is not None:  # with an unknown kind, key names cannot be judged
                    add(at + (str(key),), f"{label}: unknown key '{key}' for kind '{kind}'",
                        did_you_mean(str(key), accepted))
                continue
            if value is None or not type_ok(value, accepted[key]):
                add(at + (str(key),), f"{label}: '{key}' must be {key_type_name(accepted[key])}",
                    f"got {value!r}")
        name = spec.get("name")
        if "name" not in spec:
            add(at, f"{label} has no 'name'", "give every source a unique name")
        elif isinstance(name, str):
            if not name.strip():
                add(at + ("name",), f"{label}: 'name' is empty", "give it a unique name")
            elif name in names:
                add(at + ("name",), f"two sources are named '{name}'",
                    f"names must be unique; the other is source #{names[name] + 1}")
            else:
                names[name] = i
        if isinstance(spec.get("every"), str):
            try:
                parse_every(spec["every"])
            except ValueError:
                add(at + ("every",), f"{label}: 'every: {spec['every']}' is not an interval",
                    EVERY_HINT)
        f = lang_finding(spec.get("lang")) if isinstance(spec.get("lang"), str) else None
        if f:
            add(at + (f[0],), f"{label}: {f[1]}", f[2])
        if cls is None:
            continue
        for key in sorted(cls.required - set(spec)):
            add(at, f"{label}: kind '{kind}' needs '{key}'",
                f"add '{key}:' to this source")
        for group in cls.one_of:
            given = [k for k in group if k in spec]
            if len(given) != 1:
                add(at, f"{label}: give exactly one of " + ", ".join(f"'{k}'" for k in group),
                    "found " + (", ".join(given) if given else "none"))
        typed_ok = all(type_ok(spec[k], accepted[k]) for k in spec
                       if k in accepted and spec[k] is not None)
        if typed_ok:
            for key, message, hint in cls.check(spec, settings.base):
                add(at + (key,), f"{label}: {message}", hint)
    return problems
