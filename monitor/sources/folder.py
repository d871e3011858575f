"""A folder of article files (formats of ``articles.read_path``), each picked up once.

A file that was read and found bad (broken front matter, an impossible date, a
name that is not UTF-8) is quarantined: reported once, kept in the store's
quarantine, and read again when it changes.  A file or subfolder that could not
be read at all is reported on every run and retried, since fixing permissions
does not change a file's size or time.  Symlinks that lead out of the folder
are not followed unless ``follow_symlinks: true``.
"""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..articles import EXTENSIONS, article_id, read_path, shown_path
from ..defaults import resolve_path
from ..errors import ArticleError, ReadError, SourceError
from ..models import Article
from .base import FetchResult, Finding, Source

if TYPE_CHECKING:
    from ..http import HttpClient


class FolderSource(Source):
    """``path`` of a folder; ``glob`` narrows the files (default: every article file,
    recursively); ``follow_symlinks`` also reads links that lead out of the folder."""

    kind = "folder"
    keys = {"path": str, "glob": str, "follow_symlinks": bool}
    required = frozenset({"path"})

    def __init__(self, spec: dict[str, Any], *, base: Path | None = None,
                 every: str | None = None) -> None:
        super().__init__(spec, base=base, every=every)
        self.path = self.resolve(str(spec["path"]))
        self.glob: str | None = spec.get("glob")
        self.follow_symlinks = bool(spec.get("follow_symlinks", False))

    @classmethod
    def check(cls, spec: dict[str, Any], base: Path) -> list[Finding]:
        raw = spec.get("path")
        if not isinstance(raw, str):
            return []

        p = resolve_path(base, raw)
        if not p.is_dir():
            what = "is a file, not a folder" if p.exists() else "does not exist"
            return [("path", f"folder {p} {what}",
                     "create the folder or fix 'path' (relative to figmon.yaml)")]
        return []

    def files(self, problems: dict[str, str] | None = None) -> list[Path]:
        """The article files, sorted.  Subfolders that cannot be listed and links
        that lead out of the folder go to ``problems`` (relative name → reason)."""
        problems = {} if problems is None else problems
        root = self.path.resolve()
        found: list[tuple[str, Path]] = []
        visited: set[Path] = set()

        def unreadable(exc: OSError) -> None:
            rel = shown_path(os.path.relpath(exc.filename or self.path, self.path))
            problems[rel + "/"] = (f"source '{self.name}': cannot list "
                                   f"{shown_path(exc.filename or self.path)}: "
                                   f"{exc.strerror or exc}; its files were not read "
                                   "(fix its permissions: it is tried again on the next run)")

        if self.glob:
            candidates: list[Path] = [p for p in self.path.glob(self.glob)
                                      if p.is_file() or p.is_symlink()]
        else:
            candidates = []
            for dirpath, dirnames, filenames in os.walk(self.path, onerror=unreadable,
                                                        followlinks=self.follow_symlinks):
                here = Path(dirpath)
                if self.follow_symlinks:  # a link back up would loop forever
                    real = here.resolve()
                    if real in visited:
                        dirnames[:] = []
                        continue
                    visited.add(real)
                keep = []
                for d in dirnames:
                    sub = here / d
                    if d.startswith("."):
                        continue
                    if sub.is_symlink() and not self.follow_symlinks:
                        if not sub.resolve().is_relative_to(root):
                            self._outside(sub, problems)
                        continue  # inside the folder: its files are walked anyway
                    keep.append(d)
                dirnames[:] = keep
                candidates.extend(here / f for f in filenames
                                  if Path(f).suffix.lower() in EXTENSIONS)
        for p in candidates:
            rel = p.relative_to(self.path)
            if any(part.startswith(".") for part in rel.parts):
                continue
            if not self.follow_symlinks and not p.resolve().is_relative_to(root):
                self._outside(p, problems)
                continue
            if p.is_file():
                found.append((rel.as_posix(), p))
        return [p for _, p in sorted(found)]

    def _outside(self, p: Path, problems: dict[str, str]) -> None:
        rel = shown_path(p.relative_to(self.path).as_posix())
        problems[rel] = (f"source '{self.name}': {shown_path(p)} is a link to "
                         f"{shown_path(p.resolve())}, outside the folder: not read "
                         "(set 'follow_symlinks: true' on the source to read it)")

    def shown(self, article: Article, p: Path) -> Article:
        """A file's article is named by its path relative to figmon.yaml when inside
        it, so ids and links stay the same when the whole setup is moved."""
        if article.url != str(p) or not p.is_relative_to(self.base):
            return article

        rel = p.relative_to(self.base).as_posix()
        return replace(article, url=rel, id=article_id(rel))

    def fetch(self, state: dict[str, Any], client: HttpClient) -> FetchResult:
        if not self.path.is_dir():
            raise SourceError(f"source '{self.name}': folder {self.path} is missing",
                              "create it again or fix 'path' in figmon.yaml")
        seen: dict[str, list[int]] = dict(state.get("files", {}))
        # what this source has in quarantine, so that what is gone or fixed leaves it
        held = set(state.get("quarantine", []))
        still: set[str] = set()  # held items left as they were
        articles: list[Article] = []
        errors: list[str] = []
        problems: dict[str, str] = {}
        for p in self.files(problems):
            key = shown_path(p.relative_to(self.path).as_posix())
            try:
                st = p.stat()
            except OSError:
                continue  # removed while we looked
            stamp = [st.st_size, st.st_mtime_ns]
            if seen.get(key) == stamp:
                if key in held:
                    still.add(key)
                    still.update(k for k in held if k.startswith(key + ":"))  # JSON lines
                continue
            bad: list[ArticleError] = []
            try:
                found = [self.shown(a, p) for a in read_path(p, self.name, bad)]
            except ReadError as exc:
                problems[key] = str(exc)
                seen.pop(key, None)  # not read: try again next run
                continue
            except ArticleError as exc:
                problems[key] = str(exc)
            else:
                articles.extend(self.with_lang(a) for a in found)
                for e in bad:  # bad lines of a JSON lines file; its good lines are kept
                    problems[f"{key}:{e.message.split(': ', 1)[0].rsplit(':', 1)[-1]}"] = str(e)
            seen[key] = stamp  # a bad file is reported once, again only when it changes
        now_held = still | set(problems)
        return FetchResult(articles, {**state, "files": seen, "quarantine": sorted(now_held)},
                           errors, quarantined=problems, cleared=sorted(held - now_held))
