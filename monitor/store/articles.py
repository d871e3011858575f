"""The articles table: duplicates, stored text and word-form search."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from typing import Any

from ..errors import InputError
from ..models import Article
from ..search import index_text, lemma_query, snippet
from .base import StoreBase
from .rows import article_hash, now_iso


def _rows_per_statement(conn: sqlite3.Connection, columns: int) -> int:
    """Rows of ``columns`` values one statement may bind: at most 500, and within this
    SQLite's bound-variable limit (999 before SQLite 3.32)."""
    return max(1, min(500, conn.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER) // columns))

class Articles(StoreBase):
    """The articles table: duplicates, stored text and word-form search."""

    def find_duplicate(self, url: str, chash: str | None) -> int | None:
        """Row id of a stored article with this URL or content hash, if any."""
        conn = self.db.conn
        row = conn.execute("SELECT id FROM articles WHERE url = ?", (url,)).fetchone()
        if row is None and chash:
            row = conn.execute("SELECT id FROM articles WHERE content_hash = ?",
                               (chash,)).fetchone()
        return int(row[0]) if row else None

    def stored_keys(self, urls: Iterable[str], hashes: Iterable[str | None]
                    ) -> tuple[set[str], set[str]]:
        """Which of these URLs and content hashes are stored: ``find_duplicate`` for
        a whole batch, a few queries instead of two per article."""
        conn = self.db.conn
        found: tuple[set[str], set[str]] = (set(), set())
        for out, column, keys in ((found[0], "url", list(dict.fromkeys(urls))),
                                  (found[1], "content_hash",
                                   [h for h in dict.fromkeys(hashes) if h])):
            step = _rows_per_statement(conn, 1)
            for i in range(0, len(keys), step):
                part = keys[i:i + step]
                out.update(r[0] for r in conn.execute(
                    f"SELECT {column} FROM articles WHERE {column} IN"
                    f" ({','.join('?' * len(part))})", part))
        return found

    def add_article(self, article: Article, *, source: str = "",
                    chash: str | None = None) -> tuple[int | None, bool]:
        """Store an article unless its URL or normalised text is already stored.

        Returns (row id, is_new); for a duplicate the id is the stored copy's.
        ``chash`` (the content hash) may be passed when the caller has it already.
        """
        if chash is None:
            chash = article_hash(article)
        url = article.url or article.id
        outlet = article.meta.get("outlet") if article.meta else None
        if not outlet and article.source and article.source != source:
            outlet = article.source
        # The unique indexes on url and content_hash are the duplicate check: an
        # ignored insert is a stored copy, so no lookup is needed before it.
        cur = self._run(
            "INSERT OR IGNORE INTO articles (uid, url, content_hash, title, source, outlet,"
            " published, lang, text, fetched_at) VALUES (?,?,?,?,?,?,?,?,?,?)",
            (article.id, url, chash, article.title, source or article.source, outlet,
             article.published, article.lang, article.text, now_iso()))
        if cur.rowcount == 0:  # already stored (or stored meanwhile by another process)
            return self.find_duplicate(url, chash), False
        row_id = int(cur.lastrowid or 0)
        self._run("INSERT INTO articles_lemma_fts (rowid, lemmas) VALUES (?, ?)",
                  (row_id, index_text(article.title, article.text, article.lang)))
        return row_id, True

    def add_articles(self, items: Sequence[tuple[Article, str | None]], *, source: str = "",
                     fetched_at: str | None = None) -> list[int | None]:
        """``add_article`` for many articles (with their content hashes) at once, in
        order; returns each one's new row id, or None for one already stored.  Their
        search lemmas are left to ``add_lemmas``, called after every other write of
        the transaction.

        One multi-row INSERT: the full-text trigger then fills FTS5's in-memory
        index for all of them, and it is written out once.  Row by row, every
        statement (its trigger takes a savepoint) made FTS5 write a segment of its
        own, which cost more than the rest of the writer.
        """
        if not self.db.conn.in_transaction:
            with self.atomic():
                return self.add_articles(items, source=source, fetched_at=fetched_at)
        stamp = fetched_at or now_iso()
        ids: dict[str, int] = {}
        rows = []
        for article, chash in items:
            outlet = article.meta.get("outlet") if article.meta else None
            if not outlet and article.source and article.source != source:
                outlet = article.source
            rows.append((article.id, article.url or article.id, chash, article.title,
                         source or article.source, outlet, article.published, article.lang,
                         article.text, stamp))
        step = _rows_per_statement(self.db.conn, 10)
        for i in range(0, len(rows), step):
            part = rows[i:i + step]
            args = [x for row in part for x in row]
            ids.update((url, int(row_id)) for row_id, url in self.db.conn.execute(
                "INSERT OR IGNORE INTO articles (uid, url, content_hash, title, source,"
                " outlet, published, lang, text, fetched_at) VALUES "
                + ",".join(["(?,?,?,?,?,?,?,?,?,?)"] * len(part)) + " RETURNING id, url",
                args).fetchall())
        # an ignored row is a stored copy (the unique url and content_hash indexes);
        # the URLs of one call are distinct, so each returned id is its article's
        return [ids.pop(row[1], None) for row in rows]

    def add_lemmas(self, rows: Iterable[tuple[int, str | None]]) -> None:
        """The search-lemma column (search.index_text) of newly stored articles, as
        (row id, lemmas); last in a transaction, so FTS5 writes them out once."""
        if not self.db.conn.in_transaction:
            with self.atomic():
                return self.add_lemmas(rows)
        self.db.conn.executemany(
            "INSERT INTO articles_lemma_fts (rowid, lemmas) VALUES (?, ?)", rows)

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
