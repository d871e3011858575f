"""The articles table: duplicates, stored text and word-form search."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from typing import Any

from ..errors import InputError
from ..models import Article
from ..search import index_text, lemma_query, snippet
from .base import StoreBase
from .rows import article_hash, now_iso


class Articles(StoreBase):
    """The articles table: duplicates, stored text and word-form search."""

    def find_duplicate(self, url: str, chash: str | None) -> int | None:
        """Row id of a stored article with this URL or content hash, if any."""
        row = self.db.execute("SELECT id FROM articles WHERE url = ?", [url]).fetchone()
        if row is None and chash:
            row = self.db.execute("SELECT id FROM articles WHERE content_hash = ?",
                                  [chash]).fetchone()
        return int(row[0]) if row else None

    def add_article(self, article: Article, *, source: str = "",
                    chash: str | None = None, lemmas: str | None = None
                    ) -> tuple[int | None, bool]:
        """Store an article unless its URL or normalised text is already stored.

        Returns (row id, is_new); for a duplicate the id is the stored copy's.
        ``chash`` and ``lemmas`` (search.index_text) may be passed when the caller
        has computed them already (worker processes do).
        """
        if chash is None:
            chash = article_hash(article)
        url = article.url or article.id
        existing = self.find_duplicate(url, chash)
        if existing is not None:
            return existing, False
        outlet = article.meta.get("outlet") if article.meta else None
        if not outlet and article.source and article.source != source:
            outlet = article.source
        cur = self.db.execute(
            "INSERT OR IGNORE INTO articles (uid, url, content_hash, title, source, outlet,"
            " published, lang, text, fetched_at) VALUES (?,?,?,?,?,?,?,?,?,?)",
            [article.id, url, chash, article.title, source or article.source, outlet,
             article.published, article.lang, article.text, now_iso()])
        if cur.rowcount == 0:  # lost a race with another writer
            return self.find_duplicate(url, chash), False
        row_id = int(cur.lastrowid or 0)
        if lemmas is None:
            lemmas = index_text(article.title, article.text, article.lang)
        self.db.execute("INSERT INTO articles_lemma_fts (rowid, lemmas) VALUES (?, ?)",
                        [row_id, lemmas])
        return row_id, True

    def article(self, row_id: int) -> dict[str, Any] | None:
        rows = list(self.db.query("SELECT * FROM articles WHERE id = ?", [row_id]))
        return rows[0] if rows else None

    def search(self, query: str, limit: int = 20, *, raw: bool = False, offset: int = 0,
               marks: tuple[str, str] = ("[", "]")) -> list[dict[str, Any]]:
        """Full-text search.  Plain words match any of their forms (the lemma
        column); ``raw`` passes FTS5 syntax to the surface text instead.  ``marks``
        wrap the matched word in the snippet."""
        if raw:
            sql = ("SELECT a.id, a.title, a.url, a.source, a.outlet, a.published,"
                   " snippet(articles_fts, 1, ?, ?, '…', 12) AS snippet"
                   " FROM articles_fts JOIN articles a ON a.id = articles_fts.rowid"
                   " WHERE articles_fts MATCH ? ORDER BY rank LIMIT ? OFFSET ?")
            try:
                return list(self.db.query(sql, [*marks, query, limit, offset]))
            except sqlite3.OperationalError as exc:
                raise InputError(f"search: {query!r} is not valid FTS5 syntax ({exc})",
                                 "fix the query, or leave out --raw to search plain "
                                 "words") from None
        match = lemma_query(query)
        if match is None:
            return []
        out = []
        for r in self.db.query(
                "SELECT a.id, a.title, a.url, a.source, a.outlet, a.published, a.text"
                " FROM articles_lemma_fts l JOIN articles a ON a.id = l.rowid"
                " WHERE articles_lemma_fts MATCH ? ORDER BY l.rank LIMIT ? OFFSET ?",
                [match, limit, offset]):
            text = r.pop("text") or ""
            r["snippet"] = snippet(text, query, marks=marks)
            out.append(r)
        return out

    def article_figures(self, article_ids: Iterable[int]) -> dict[int, list[str]]:
        """The figures each of these articles stated (for linking search results)."""
        ids = [int(i) for i in article_ids]
        if not ids:
            return {}
        out: dict[int, list[str]] = {}
        for art, fig in self.db.execute(
                "SELECT DISTINCT article_id, figure FROM observations WHERE article_id IN"
                f" ({','.join('?' * len(ids))}) ORDER BY article_id, figure", ids):
            out.setdefault(int(art), []).append(fig)
        return out
