"""The Source base class, its result type and the kind registry."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar
from urllib.parse import urlsplit

from ..defaults import DEFAULTS, resolve_path
from ..models import LANGS, Article

if TYPE_CHECKING:
    from ..http import HttpClient

REGISTRY: dict[str, type[Source]] = {}

# keys every source accepts, whatever its kind
COMMON_KEYS: dict[str, type | tuple[type, ...]] = {
    "name": str, "kind": str, "every": str, "lang": str,
}


@dataclass
class FetchResult:
    """What one fetch produced.  ``state`` replaces the source's stored state."""

    articles: list[Article] = field(default_factory=list)
    state: dict[str, Any] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    # items (file, URL, file:line) that could not be read, with the reason: kept in
    # the store's quarantine and shown by `figmon status` until they read cleanly
    quarantined: dict[str, str] = field(default_factory=dict)
    # items read cleanly this time: any quarantine entry of theirs is lifted
    cleared: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        # a quarantined item is one of the run's errors too (printed, recorded)
        self.errors.extend(m for m in self.quarantined.values() if m not in self.errors)


# A check finding: (key it is about, message, hint)
Finding = tuple[str, str, str]


class Source:
    """One configured source.  Subclasses declare their keys and implement ``fetch``."""

    kind: ClassVar[str] = ""
    keys: ClassVar[dict[str, type | tuple[type, ...]]] = {}
    required: ClassVar[frozenset[str]] = frozenset()
    # exactly one key of each group must be given (e.g. url | urls)
    one_of: ClassVar[tuple[tuple[str, ...], ...]] = ()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if cls.kind:
            REGISTRY[cls.kind] = cls

    def __init__(self, spec: dict[str, Any], *, base: Path | None = None,
                 every: str | None = None) -> None:
        self.spec = dict(spec)
        self.name: str = str(spec["name"])
        self.every: str = str(spec.get("every") or every or DEFAULTS["every"])
        self.lang: str | None = spec.get("lang")
        self.base = base or Path.cwd()

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name!r} every {self.every}>"

    @classmethod
    def check(cls, spec: dict[str, Any], base: Path) -> list[Finding]:
        """Value checks beyond key names and types; subclasses extend."""
        return []

    def fetch(self, state: dict[str, Any], client: HttpClient) -> FetchResult:
        raise NotImplementedError

    # --- helpers for subclasses -------------------------------------------

    def resolve(self, path: str) -> Path:
        return resolve_path(self.base, path)

    def with_lang(self, article: Article) -> Article:
        """Apply the source's ``lang``: when configured it wins over detection (the
        readers always fill in a detected language, so it cannot be a fallback)."""
        if self.lang and article.lang != self.lang:
            return replace(article, lang=self.lang)
        return article


def key_type_name(t: type | tuple[type, ...]) -> str:
    names = {str: "a string", int: "a whole number", float: "a number", bool: "true or false",
             list: "a list", dict: "a mapping"}
    types = t if isinstance(t, tuple) else (t,)
    return " or ".join(names.get(x, x.__name__) for x in types)


def type_ok(value: Any, t: type | tuple[type, ...]) -> bool:
    types = t if isinstance(t, tuple) else (t,)
    if isinstance(value, bool) and bool not in types:
        return False
    return isinstance(value, types)


def url_finding(key: str, value: Any) -> Finding | None:
    parts = urlsplit(str(value))
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return (key, f"'{key}: {value}' is not an http(s) address",
                "write a full URL such as https://example.org/feed.xml")
    return None


def lang_finding(value: Any) -> Finding | None:
    if value is not None and value not in LANGS:
        return ("lang", f"'lang: {value}' is not a supported language",
                "use one of: " + ", ".join(LANGS) + " (or leave it out to detect)")
    return None
