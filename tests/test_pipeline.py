"""Runs end to end: folder sources on disk, the run record, failures, the CLI."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from store_fakes import FakeRules, article, context, obs_line

from monitor import pipeline
from monitor import run as runs
from monitor.cli import cli
from monitor.config import load_config
from monitor.models import Article, Observation
from monitor.sources.base import FetchResult, Source
from monitor.store import Store

FIGURES = [{"id": "troops", "min_relative": 0.05, "unit_label": "troops"}]


def _jsonl(path: Path, items: list[dict[str, Any]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(i, ensure_ascii=False) + "\n" for i in items),
                    encoding="utf-8")


def _item(url: str, date: str, words: str, value: list[Any], **extra: Any
          ) -> dict[str, Any]:
    return {"url": url, "date": date, "title": words[:40], "lang": "en",
            "text": words + "\n" + obs_line("troops", value, **extra)}


def _setup(tmp_path: Path, sources: str = "") -> Path:
    news = tmp_path / "news"
    _jsonl(news / "a.jsonl", [
        _item("https://a.example/1", "2025-08-15", "Seoul counts about 12,000 soldiers.",
              [12000, 12000, "approx"], claimant="NIS"),
        _item("https://a.example/2", "2025-08-10", "Earlier: more than 10,000 soldiers.",
              [10000, None, "more_than"], claimant="NIS"),
    ])
    _jsonl(news / "b.jsonl", [
        _item("https://b.example/1", "2025-08-20", "Kyiv now says 15,000 soldiers.",
              [15000, 15000, "exact"], claimant="HUR"),
    ])
    cfg = tmp_path / "figmon.yaml"
    cfg.write_text("database: state/figmon.db\nrules: rules\nsources:\n"
                   "  - {name: news, kind: folder, path: news}\n" + sources, encoding="utf-8")
    return cfg


def test_run_once_then_rerun_adds_nothing(tmp_path: Path) -> None:
    cfg = _setup(tmp_path)
    settings = load_config(cfg)
    summary = runs.run_once(settings, rules=FakeRules(FIGURES))
    assert (summary.found, summary.new, summary.events) == (3, 3, 2)
    with Store.open(settings.database) as s:
        counts = s.counts()
        assert [(e["kind"], e["article"]) for e in s.events()] == [
            ("new", "https://a.example/1"), ("changed", "https://b.example/1")]
    # unchanged folder: nothing fetched again
    again = runs.run_once(settings, rules=FakeRules(FIGURES))
    assert (again.found, again.new, again.events) == (0, 0, 0)
    # a rewritten file is fetched again, but its articles are already stored
    (tmp_path / "news" / "b.jsonl").write_text(
        (tmp_path / "news" / "b.jsonl").read_text(encoding="utf-8") + "\n", encoding="utf-8")
    third = runs.run_once(settings, rules=FakeRules(FIGURES))
    assert (third.found, third.new, third.events) == (1, 0, 0)
    with Store.open(settings.database) as s:
        after = s.counts()
        assert after.pop("sources") == counts.pop("sources") == 1
        assert after == counts
        (src,) = s.status()["sources"]
        assert (src["runs"], src["articles_found"], src["articles_new"]) == (3, 4, 3)


def test_a_failing_source_is_recorded_and_the_others_run(tmp_path: Path,
                                                          httpserver: Any) -> None:
    httpserver.expect_request("/feed.xml").respond_with_data("down", status=500)
    url = httpserver.url_for("/feed.xml")
    cfg = _setup(tmp_path, f"  - {{name: broken, kind: feed, url: '{url}'}}\n"
                 "http: {retries: 0}\n")
    settings = load_config(cfg)
    summary = runs.run_once(settings, rules=FakeRules(FIGURES))
    by_name = {s.name: s for s in summary.sources}
    assert by_name["news"].new == 3 and not by_name["news"].errors
    assert by_name["broken"].new == 0 and "500" in by_name["broken"].errors[0]
    with Store.open(settings.database) as s:
        rows = {r["name"]: r for r in s.status()["sources"]}
        assert "500" in rows["broken"]["last_error"]
        assert rows["broken"]["last_ok"] is None and rows["broken"]["runs"] == 1
        assert rows["news"]["last_error"] is None


class Exploding(Source):
    kind = ""  # not registered

    def fetch(self, state: dict[str, Any], client: Any) -> FetchResult:
        raise RuntimeError("parser bug")


def test_run_source_never_raises_for_a_source_failure(tmp_path: Path) -> None:
    ctx = context(tmp_path)
    try:
        src = Exploding({"name": "x"})
        ctx.store.record_source_run("x", "odd", state={"cursor": 7}, found=0, new=0,
                                    error=None)
        result = pipeline.run_source(ctx, src)
        assert result.new == 0 and "parser bug" in result.errors[0]
        assert ctx.store.source_state("x") == {"cursor": 7}  # kept for the next try
        (row,) = ctx.store.status()["sources"]
        assert "parser bug" in row["last_error"] and row["runs"] == 2
    finally:
        ctx.close()


class BrokenRules(FakeRules):
    """Matching fails on articles that mention 'boom' (a bug in a rule, say)."""

    def match(self, article: Article, verdicts: Any = None) -> list[Observation]:
        if "boom" in article.text:
            raise ValueError("rule crashed")
        return super().match(article)


def test_an_article_that_fails_matching_is_retried_next_run(tmp_path: Path) -> None:
    cfg = _setup(tmp_path)
    _jsonl(tmp_path / "news" / "c.jsonl", [
        _item("https://c.example/1", "2025-08-21", "A boom of 16,000 soldiers.",
              [16000, 16000, "exact"])])
    settings = load_config(cfg)
    first = runs.run_once(settings, rules=BrokenRules(FIGURES))
    (run,) = first.sources
    assert run.new == 3 and "https://c.example/1" in run.errors[0]
    with Store.open(settings.database) as s:
        assert s.source_state("news") == {}  # state not advanced: everything is re-read
    fixed = runs.run_once(settings, rules=FakeRules(FIGURES))
    assert (fixed.found, fixed.new, fixed.events) == (4, 1, 1)
    with Store.open(settings.database) as s:
        assert [e["new"]["low"] for e in s.events()] == [12000, 15000, 16000]


def test_digest_hook_runs_after_the_sources(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                            ) -> None:
    import monitor.digest

    seen: list[int] = []

    def hook(ctx: pipeline.Context) -> None:
        seen.append(ctx.store.counts()["events"])

    monkeypatch.setattr(monitor.digest, "after_run", hook, raising=False)
    runs.run_once(load_config(_setup(tmp_path)), rules=FakeRules(FIGURES))
    assert seen == [2]


def _ingested(tmp_path: Path) -> Path:
    cfg = _setup(tmp_path)
    runs.run_once(load_config(cfg), rules=FakeRules(FIGURES))
    return cfg


def test_cli_events_json(tmp_path: Path) -> None:
    cfg = _ingested(tmp_path)
    out = CliRunner().invoke(cli, ["events", "--json", "--config", str(cfg)])
    assert out.exit_code == 0, out.output
    lines = [json.loads(x) for x in out.output.splitlines()]
    assert [{k: e[k] for k in ("figure", "kind", "old", "new", "article", "published")}
            for e in lines] == [
        {"figure": "troops", "kind": "new", "old": None,
         "new": {"low": 12000, "high": 12000, "qualifier": "approx"},
         "article": "https://a.example/1", "published": "2025-08-15"},
        {"figure": "troops", "kind": "changed",
         "old": {"low": 12000, "high": 12000, "qualifier": "approx"},
         "new": {"low": 15000, "high": 15000, "qualifier": "exact"},
         "article": "https://b.example/1", "published": "2025-08-20"},
    ]
    table = CliRunner().invoke(cli, ["events", "--config", str(cfg)])
    assert table.exit_code == 0
    assert "about 12,000 → 15,000" in table.output


def test_cli_timeline(tmp_path: Path) -> None:
    cfg = _ingested(tmp_path)
    out = CliRunner().invoke(cli, ["timeline", "troops", "--json", "--config", str(cfg)])
    assert out.exit_code == 0, out.output
    rows = [json.loads(x) for x in out.output.splitlines()]
    assert [(r["published"], r["low"], r["claimant"], r["event"]) for r in rows] == [
        ("2025-08-10", 10000, "NIS", None), ("2025-08-15", 12000, "NIS", "new"),
        ("2025-08-20", 15000, "HUR", "changed")]
    assert all(r["source"] == "news" for r in rows)
    text = CliRunner().invoke(cli, ["timeline", "troops", "--config", str(cfg)])
    assert "more than 10,000" in text.output and "claimant: HUR" in text.output
    missing = CliRunner().invoke(cli, ["timeline", "nope", "--config", str(cfg)])
    assert missing.exit_code != 0 and "troops" in str(missing.exception)


def test_cli_status_and_search(tmp_path: Path) -> None:
    cfg = _ingested(tmp_path)
    out = CliRunner().invoke(cli, ["status", "--config", str(cfg)])
    assert out.exit_code == 0, out.output
    assert "news (folder)" in out.output and "3 new of 3 found" in out.output
    assert "troops: 15,000 as of 2025-08-20 (1 agreeing of 3 report(s))" in out.output
    assert "Pending deliveries: 0" in out.output
    found = CliRunner().invoke(cli, ["search", "Kyiv", "--config", str(cfg)])
    assert found.exit_code == 0 and "https://b.example/1" in found.output
    assert "https://a.example" not in found.output


def test_cli_without_a_database_says_what_to_do(tmp_path: Path) -> None:
    cfg = tmp_path / "figmon.yaml"
    cfg.write_text("database: none.db\n", encoding="utf-8")
    out = CliRunner().invoke(cli, ["events", "--json", "--config", str(cfg)])
    assert out.exit_code == 0 and "figmon run --once" in out.output
    assert not (tmp_path / "none.db").exists()


REAL_RULE = """\
figures:
  - id: test-troops
    title: Troops sent (test)
    kind: count
    unit_label: troops
    subject: [Pyongyang, North Korea]
    measure: [troops, soldiers]
    change: {min_relative: 0.05}
"""

REAL_ARTICLES = {
    "a.md": ("2025-08-15", "https://one.example/a",
             "Pyongyang has sent more than 10,000 troops to Russia, officials said."),
    "b.md": ("2025-08-20", "https://two.example/b",
             "North Korea now has about 12,000 soldiers in the Kursk region."),
    # older than both: fills in history, no event
    "c.md": ("2025-08-01", "https://three.example/c",
             "In July, Pyongyang was said to have sent up to 3,000 troops."),
    # the same story as a.md under another file name and URL
    "a-copy.md": ("2025-08-15", "https://mirror.example/a",
                  "PYONGYANG has sent more than 10 000 troops to Russia -- officials said!"),
}


def test_cli_run_once_with_real_rules_and_extraction(tmp_path: Path) -> None:
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "t.yaml").write_text(REAL_RULE, encoding="utf-8")
    for name, (date, url, text) in REAL_ARTICLES.items():
        path = tmp_path / "news" / name
        path.parent.mkdir(exist_ok=True)
        path.write_text(f"---\ntitle: {name}\ndate: {date}\nurl: {url}\nlang: en\n---\n{text}\n",
                        encoding="utf-8")
    cfg = tmp_path / "figmon.yaml"
    cfg.write_text("database: figmon.db\nrules: rules\nsources:\n"
                   "  - {name: news, kind: folder, path: news}\n", encoding="utf-8")
    out = CliRunner().invoke(cli, ["run", "--once", "--config", str(cfg)])
    assert out.exit_code == 0, out.output
    assert "4 found, 3 new, 2 events" in out.output
    events = CliRunner().invoke(cli, ["events", "--json", "--config", str(cfg)])
    got = [json.loads(x) for x in events.output.splitlines()]
    # the folder is read in name order: a-copy.md comes first, so a.md is the duplicate
    assert [(e["kind"], e["old"], e["new"], e["article"]) for e in got] == [
        ("new", None, {"low": 10000, "high": None, "qualifier": "more_than"},
         "https://mirror.example/a"),
        ("changed", {"low": 10000, "high": None, "qualifier": "more_than"},
         {"low": 12000, "high": 12000, "qualifier": "approx"}, "https://two.example/b"),
    ]
    with Store.open(tmp_path / "figmon.db") as s:
        before = s.counts()
    again = CliRunner().invoke(cli, ["run", "--once", "--config", str(cfg)])
    assert again.exit_code == 0 and "0 new article(s), 0 event(s)" in again.output
    with Store.open(tmp_path / "figmon.db") as s:
        assert s.counts() == before
        assert before["observations"] == 3


def test_the_writers_track_state_follows_writes_it_did_not_make(tmp_path: Path) -> None:
    """The writer keeps each track's current and last mailed value in memory; another
    process's commits and other writes on its own connection must not leave it stale
    (a stale one would mail 12,000 twice here).  Reference: the same steps with the
    memory dropped before every chunk."""
    figures = [{"id": "troops", "min_relative": 0.05}]
    values = [10000, 12000, 12000, 15000, 9000, 9000, 20000, 20000, 21000]

    def art(i: int) -> Article:
        return article(f"https://n.example/{i}", f"2025-01-{i + 1:02d}",
                       f"Story {i}.\n" + obs_line("troops", [values[i]] * 2 + ["approx"]))

    def events(store: Store) -> list[tuple[Any, ...]]:
        return [(e["kind"], e["old"], e["new"], e["article"]) for e in store.events()]

    runs_: dict[str, list[tuple[Any, ...]]] = {}
    for name in ("reference", "two writers"):
        (tmp_path / name).mkdir()
        first = context(tmp_path / name, figures)
        second = pipeline.Context(settings=first.settings, store=Store.open(first.store.path),
                                  rules=first.rules)
        for i in range(len(values)):
            if name == "reference":
                first.store.forget_tracks()
                writer = first
            else:
                writer = (first, second)[i % 2 if i < 5 else 0]
            if i == 6:  # a write on the writer's own connection: the last event goes
                writer.store.db.execute("DELETE FROM events WHERE id = (SELECT max(id)"
                                        " FROM events)")
            pipeline.ingest(writer, "t", [art(i)])
        runs_[name] = events(first.store)
        second.close()
        first.close()
    assert runs_["two writers"] == runs_["reference"]
    assert [k for k, *_ in runs_["reference"]].count("changed") >= 3
