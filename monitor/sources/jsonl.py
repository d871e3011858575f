"""JSON lines from a file or a URL: {"id"?, "url"?, "title"?, "text", "published"?, "lang"?}."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..articles import parse_jsonl
from ..errors import ArticleError, SourceError
from .base import FetchResult, Finding, Source, url_finding

if TYPE_CHECKING:
    from ..http import HttpClient


class JsonlSource(Source):
    """``path`` of a .jsonl file (read from where the last run stopped) or ``url``."""

    kind = "jsonl"
    keys = {"path": str, "url": str}
    one_of = (("path", "url"),)

    def __init__(self, spec: dict[str, Any], *, base: Path | None = None,
                 every: str | None = None) -> None:
        super().__init__(spec, base=base, every=every)
        self.url: str | None = spec.get("url")
        self.path = self.resolve(str(spec["path"])) if spec.get("path") else None

    @classmethod
    def check(cls, spec: dict[str, Any], base: Path) -> list[Finding]:
        if "url" in spec:
            f = url_finding("url", spec["url"])
            return [f] if f else []
        return []

    def fetch(self, state: dict[str, Any], client: HttpClient) -> FetchResult:
        if self.url:
            resp = client.get(self.url, validators=state.get("http"),
                              accept="application/x-ndjson, application/jsonl, */*;q=0.5")
            if resp.not_modified:
                return FetchResult([], dict(state), [])
            text, first_line, new_state = resp.text, 1, {**state, "http": resp.validators}
            name = self.url
        else:
            assert self.path is not None
            text, first_line, new_state = self._read_new(state)
            name = str(self.path)
        bad: list[ArticleError] = []
        # pad with empty lines so parse_jsonl numbers lines as in the whole file
        articles = parse_jsonl("\n" * (first_line - 1) + text, name, self.name, bad)
        # a bad line is quarantined under "file:line"; the file's other lines are kept
        return FetchResult([self.with_lang(a) for a in articles], new_state,
                           quarantined={e.message.split(": ", 1)[0]: str(e) for e in bad})

    def _read_new(self, state: dict[str, Any]) -> tuple[str, int, dict[str, Any]]:
        """The complete lines appended since the last run (all of them if the file shrank)."""
        assert self.path is not None
        try:
            raw = self.path.read_bytes()
        except OSError as exc:
            raise SourceError(f"source '{self.name}': cannot read {self.path}: "
                              f"{exc.strerror or exc}",
                              "check 'path' in figmon.yaml and the file's permissions") from None
        offset, line = int(state.get("offset", 0)), int(state.get("line", 1))
        if offset > len(raw) or raw[:offset].count(b"\n") != line - 1:
            offset, line = 0, 1  # truncated or rewritten: read it all, the store dedupes
        end = max(offset, raw.rfind(b"\n", offset) + 1)
        if end < len(raw) and _complete(raw[end:]):
            end = len(raw)  # a final line without newline, but whole JSON: take it
        chunk = raw[offset:end]
        # broken bytes stay marked (surrogates): parse_jsonl refuses only their lines
        text = chunk.decode("utf-8-sig" if offset == 0 else "utf-8", errors="surrogateescape")
        new_state = {**state, "offset": end, "line": line + chunk.count(b"\n")}
        return text, line, new_state


def _complete(tail: bytes) -> bool:
    """Is an unterminated last line a whole JSON value (not one still being written)?"""
    try:
        json.loads(tail)
    except ValueError:
        return False
    return True
