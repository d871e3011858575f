"""A folder of article files (formats of ``articles.read_path``), each picked up once."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import ArticleError, SourceError
from ..models import Article
from .base import FetchResult, Finding, Source

if TYPE_CHECKING:
    from ..http import HttpClient


class FolderSource(Source):
    """``path`` of a folder; ``glob`` narrows the files (default: every article file,
    recursively)."""

    kind = "folder"
    keys = {"path": str, "glob": str}
    required = frozenset({"path"})

    def __init__(self, spec: dict[str, Any], *, base: Path | None = None,
                 every: str | None = None) -> None:
        super().__init__(spec, base=base, every=every)
        self.path = self.resolve(str(spec["path"]))
        self.glob: str | None = spec.get("glob")

    @classmethod
    def check(cls, spec: dict[str, Any], base: Path) -> list[Finding]:
        raw = spec.get("path")
        if not isinstance(raw, str):
            return []
        from ..config import resolve_path

        p = resolve_path(base, raw)
        if not p.is_dir():
            what = "is a file, not a folder" if p.exists() else "does not exist"
            return [("path", f"folder {p} {what}",
                     "create the folder or fix 'path' (relative to figmon.yaml)")]
        return []

    def files(self) -> list[Path]:
        from ..articles import EXTENSIONS

        if self.glob:
            found = (p for p in self.path.glob(self.glob) if p.is_file())
        else:
            found = (p for p in self.path.rglob("*")
                     if p.is_file() and p.suffix.lower() in EXTENSIONS)
        rel = ((p.relative_to(self.path), p) for p in found)
        return [p for r, p in sorted(rel) if not any(part.startswith(".") for part in r.parts)]

    def shown(self, article: Article, p: Path) -> Article:
        """A file's article is named by its path relative to figmon.yaml when inside
        it, so ids and links stay the same when the whole setup is moved."""
        if article.url != str(p) or not p.is_relative_to(self.base):
            return article
        from ..articles import article_id

        rel = p.relative_to(self.base).as_posix()
        return replace(article, url=rel, id=article_id(rel))

    def fetch(self, state: dict[str, Any], client: HttpClient) -> FetchResult:
        from ..articles import read_path

        if not self.path.is_dir():
            raise SourceError(f"source '{self.name}': folder {self.path} is missing",
                              "create it again or fix 'path' in figmon.yaml")
        seen: dict[str, list[int]] = dict(state.get("files", {}))
        articles: list[Article] = []
        errors: list[str] = []
        for p in self.files():
            key = p.relative_to(self.path).as_posix()
            try:
                st = p.stat()
            except OSError:
                continue  # removed while we looked
            stamp = [st.st_size, st.st_mtime_ns]
            if seen.get(key) == stamp:
                continue
            bad: list[ArticleError] = []
            try:
                found = [self.shown(a, p) for a in read_path(p, self.name, bad)]
            except ArticleError as exc:
                errors.append(str(exc))
            else:
                articles.extend(self.with_lang(a) for a in found)
                errors.extend(str(e) for e in bad)
            seen[key] = stamp  # a bad file is reported once, again only when it changes
        return FetchResult(articles, {**state, "files": seen}, errors)
