"""The database: migrations, WAL, deduplication, search, source runs, atomicity."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from store_fakes import article, context, obs_line

from monitor.errors import StoreError
from monitor.models import Event, Observation, Value
from monitor.pipeline import ingest
from monitor.search import index_text
from monitor.store import Store, article_hash, date_key
from monitor.store import schema as store_mod  # the migrations live there


def test_fresh_database_is_migrated_in_wal_mode(tmp_path: Path) -> None:
    db = tmp_path / "sub" / "f.db"
    with Store.open(db) as s:
        assert s.version == len(store_mod.MIGRATIONS)
        assert s.db.journal_mode == "wal"
        names = set(s.db.table_names())
        assert {"sources", "articles", "articles_fts", "observations", "events", "digests",
                "deliveries", "subscribers"} <= names
        assert set(s.counts().values()) == {0}
    # reopening runs nothing again and keeps the data
    with Store.open(db) as s:
        s.add_article(article("u1", "2025-01-01", "some text"))
    with Store.open(db) as s:
        assert s.counts()["articles"] == 1


def test_migrations_apply_in_order_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                        ) -> None:
    db = tmp_path / "m.db"
    Store.open(db).close()
    calls: list[int] = []

    def extra(d: object) -> None:
        calls.append(1)
        store_mod.sqlite_utils.Database.execute(d, "CREATE TABLE extra (x INTEGER)")  # type: ignore[arg-type]

    monkeypatch.setattr(store_mod, "MIGRATIONS", [*store_mod.MIGRATIONS, extra])
    with Store.open(db) as s:
        assert s.version == len(store_mod.MIGRATIONS)
        assert "extra" in s.db.table_names()
    Store.open(db).close()
    assert calls == [1]


def test_failing_migration_rolls_back(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "m.db"
    Store.open(db).close()
    before = len(store_mod.MIGRATIONS)

    def broken(d: object) -> None:
        store_mod.sqlite_utils.Database.execute(d, "CREATE TABLE half (x INTEGER)")  # type: ignore[arg-type]
        raise sqlite3.OperationalError("disk on fire")

    monkeypatch.setattr(store_mod, "MIGRATIONS", [*store_mod.MIGRATIONS, broken])
    with pytest.raises(StoreError):
        Store.open(db)
    monkeypatch.undo()
    con = sqlite3.connect(db)
    assert con.execute("PRAGMA user_version").fetchone()[0] == before
    assert con.execute("SELECT count(*) FROM sqlite_master WHERE name = 'half'"
                       ).fetchone()[0] == 0
    con.close()


def test_newer_database_is_refused(tmp_path: Path) -> None:
    db = tmp_path / "new.db"
    con = sqlite3.connect(db)
    con.execute("PRAGMA user_version = 999")
    con.close()
    with pytest.raises(StoreError, match="newer than this figmon"):
        Store.open(db)


def test_not_a_database_is_a_clear_error(tmp_path: Path) -> None:
    db = tmp_path / "junk.db"
    db.write_bytes(b"this is not sqlite at all" * 100)
    with pytest.raises(StoreError, match="cannot open database") as info:
        Store.open(db)
    assert "database:" in info.value.hint


def test_articles_deduplicated_by_url_and_by_normalised_text(tmp_path: Path) -> None:
    with Store.open(tmp_path / "d.db") as s:
        a = article("https://x.example/1", "2025-08-15", "Pyongyang sent 10,000 troops.")
        row, new = s.add_article(a)
        assert new and row
        # same URL, other text
        assert s.add_article(article("https://x.example/1", None, "Edited.")) == (row, False)
        # other URL, same words with other case, spacing and punctuation
        copy = article("/tmp/copy.txt", None, "PYONGYANG  sent 10 000 troops!")
        assert s.add_article(copy) == (row, False)
        # empty texts are told apart by URL only
        e1 = s.add_article(article("empty-1", None, "  "))
        e2 = s.add_article(article("empty-2", None, ""))
        assert e1[1] and e2[1] and e1[0] != e2[0]
        assert s.counts()["articles"] == 3


def test_a_batch_of_articles_is_deduplicated_as_one_by_one(tmp_path: Path) -> None:
    """add_articles (ingest's writer) and stored_keys answer as add_article and
    find_duplicate would, article by article, and the rows are the same."""
    batch = [article("https://x.example/1", "2025-08-15", "Pyongyang sent troops."),
             article("https://x.example/2", None, "Other words."),
             article("https://x.example/1", None, "Edited."),  # same URL as the first
             article("/tmp/copy.txt", None, "OTHER  words!"),  # same text as the second
             article("empty-1", None, " "), article("empty-2", None, "")]
    keyed = [(a, article_hash(a)) for a in batch]
    with Store.open(tmp_path / "one.db") as one, Store.open(tmp_path / "all.db") as many:
        one.add_article(article("https://x.example/2", None, "stored before"))
        many.add_article(article("https://x.example/2", None, "stored before"))
        assert many.stored_keys([a.url for a in batch], [h for _a, h in keyed]) == (
            {"https://x.example/2"}, set())
        expected = [row if new else None for row, new in
                    (one.add_article(a, chash=h) for a, h in keyed)]
        rows = many.add_articles(keyed)
        assert rows == expected == [2, None, None, 3, 4, 5]
        many.add_lemmas([(r, index_text(a.title, a.text, a.lang))
                         for (a, _h), r in zip(keyed, rows, strict=True) if r])
        columns = "id, uid, url, content_hash, title, source, outlet, published, lang, text"
        assert many.db.execute(f"SELECT {columns} FROM articles").fetchall() \
            == one.db.execute(f"SELECT {columns} FROM articles").fetchall()
        assert many.search("words") == one.search("words") != []


def test_a_large_batch_stays_within_an_old_sqlites_bound_variable_limit(tmp_path: Path
                                                                         ) -> None:
    """SQLite before 3.32 binds at most 999 values a statement: a batch of 150 articles
    (10 values each) and 1,200 duplicate keys still go in, split into statements."""
    batch = [article(f"https://x.example/{i}", None, f"Story number {i} text.")
             for i in range(150)]
    with Store.open(tmp_path / "old.db") as s:
        s.db.conn.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, 999)
        rows = s.add_articles([(a, article_hash(a)) for a in batch])
        assert rows == list(range(1, 151))
        urls = [a.url for a in batch] + [f"https://y.example/{i}" for i in range(1050)]
        found, _hashes = s.stored_keys(urls, [])
        assert found == {a.url for a in batch}


def test_search_finds_words_in_every_language(tmp_path: Path) -> None:
    with Store.open(tmp_path / "s.db") as s:
        s.add_article(article("en", "2025-08-15", "Pyongyang sent ten thousand soldiers.",
                              title="Troops abroad"))
        s.add_article(article("ru", "2025-08-16", "Пхеньян отправил десять тысяч солдат.",
                              title="Войска"))
        assert [h["url"] for h in s.search("soldiers")] == ["en"]
        assert [h["url"] for h in s.search("ПХЕНЬЯН")] == ["ru"]  # case-insensitive
        assert "[soldiers]" in s.search("soldiers")[0]["snippet"]
        # text that is not valid FTS syntax is searched as plain words
        assert [h["url"] for h in s.search('"soldiers')] == ["en"]
        assert s.search("nothing-like-this") == []


def test_source_runs_are_recorded(tmp_path: Path) -> None:
    with Store.open(tmp_path / "r.db") as s:
        assert s.source_state("feed") == {}
        s.record_source_run("feed", "feed", state={"etag": "a"}, found=3, new=2, error=None)
        s.record_source_run("feed", "feed", state={"etag": "b"}, found=1, new=0,
                            error="timed out")
        assert s.source_state("feed") == {"etag": "b"}
        (row,) = s.status()["sources"]
        assert (row["runs"], row["articles_found"], row["articles_new"]) == (2, 4, 2)
        assert row["last_error"] == "timed out"
        assert row["last_ok"] is not None and row["last_ok"] <= row["last_run"]


def test_pending_deliveries_are_counted(tmp_path: Path) -> None:
    with Store.open(tmp_path / "p.db") as s:
        s.db.execute("INSERT INTO digests (key, created_at) VALUES ('k1', '2025-08-15')")
        for email, status in [("a@x.org", "pending"), ("b@x.org", "sent"),
                              ("c@x.org", "pending")]:
            s.db.execute("INSERT INTO deliveries (digest_id, email, message_id, status)"
                         " VALUES (1, ?, ?, ?)", [email, f"<{email}>", status])
        assert s.status()["pending_deliveries"] == 2


def test_an_article_is_all_or_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                      ) -> None:
    ctx = context(tmp_path, [{"id": "troops"}])
    text = "Two figures.\n" + obs_line("troops", [1, 1, "exact"]) + "\n" + \
        obs_line("troops", [2, 2, "exact"])
    calls = {"n": 0}
    real = Store.add_event

    def failing(self: Store, event: Event, **kw: object) -> int | None:
        calls["n"] += 1
        if calls["n"] == 2:
            raise sqlite3.OperationalError("disk I/O error")
        return real(self, event, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(Store, "add_event", failing)
    try:
        with pytest.raises(StoreError, match="disk I/O error.*rolled back"):
            ingest(ctx, "t", [article("a", "2025-01-01", text)])
        assert ctx.store.counts()["articles"] == 0
        assert ctx.store.counts()["observations"] == 0
        assert ctx.store.counts()["events"] == 0
        monkeypatch.undo()
        result = ingest(ctx, "t", [article("a", "2025-01-01", text)])
        assert (result.new, len(result.events)) == (1, 2)
    finally:
        ctx.close()


def test_an_observation_or_event_is_stored_once(tmp_path: Path) -> None:
    with Store.open(tmp_path / "o.db") as s:
        row, _ = s.add_article(article("a", "2025-01-01", "text"))
        assert row
        obs = Observation(figure="f", article="a", published="2025-01-01", low=5, high=5,
                          qualifier="exact", unit=None, surface="5", quote="5", claimant=None,
                          start=3, end=4)
        first = s.add_observation(row, obs, track="", dated="2025-01-01")
        assert first and s.add_observation(row, obs, track="", dated="2025-01-01") is None
        ev = Event("f", "new", None, Value(5, 5, "exact"), "a", "2025-01-01",
                   observation_id=first)
        assert s.add_event(ev) and s.add_event(ev) is None
        assert s.counts()["observations"] == 1 and s.counts()["events"] == 1


@pytest.mark.parametrize("given, key", [
    ("2025-08-15", "2025-08-15"),
    ("2025-08-15T09:00:00+03:00", "2025-08-15T06:00:00"),
    ("2025-08-15T23:30:00-02:00", "2025-08-16T01:30:00"),
    ("2025-08-15T06:00:00Z", "2025-08-15T06:00:00"),
    (None, ""),
])
def test_date_key_sorts_in_utc(given: str | None, key: str) -> None:
    assert date_key(given) == key
