"""Feeds and pages from a real HTTP server on 127.0.0.1, through pipeline.run_source.

Every failure case runs beside a good feed: the good one still ingests and the
bad one's error is recorded on its source with the URL and what to do.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from sources_support import (  # noqa: F401 - fixtures
    EN_PARAS,
    GOOD_ITEMS,
    RU_PARAS,
    NoRules,
    context,
    http_fixture,
    page,
    rss2,
    server_fixture,
    source_row,
    stored_urls,
    write_config,
)
from werkzeug import Request, Response

from monitor.config import load_config
from monitor.pipeline import open_context, run_source
from monitor.sources import build_sources

XML = "application/rss+xml; charset=utf-8"
ROOT = Path(__file__).resolve().parent.parent


def serve_good_feed(srv: HTTPServer) -> str:
    srv.expect_request("/good.xml").respond_with_data(rss2(GOOD_ITEMS), content_type=XML)
    return srv.url_for("/good.xml")


def run_all(tmp_path: Path, specs: list[dict[str, Any]], waits: list[float] | None = None,
            **conf: Any) -> Any:
    settings, ctx = context(tmp_path, specs, waits, **conf)
    for source in build_sources(settings):
        run_source(ctx, source)
    return ctx


def _slow(request: Request) -> Response:
    time.sleep(1.5)
    return Response("late", content_type="text/html")


FAILURES = [
    # (name, how the bad URL is served, expected pieces of the recorded error)
    ("malformed feed",
     lambda s: s.expect_request("/bad").respond_with_data(
         "<html><body>Not a feed {{{ <<<", content_type="text/html"),
     ["not a readable RSS or Atom feed", "check it serves a feed"]),
    ("404",
     lambda s: s.expect_request("/bad").respond_with_data("gone", status=404),
     ["HTTP 404", "check the URL"]),
    ("500",
     lambda s: s.expect_request("/bad").respond_with_data("oops", status=500),
     ["HTTP 500", "gave up after 2 attempts", "tried again on the next run"]),
    ("429",
     lambda s: s.expect_request("/bad").respond_with_data(
         "slow down", status=429, headers={"Retry-After": "3"}),
     ["HTTP 429", "make this source's 'every' longer"]),
    ("slow answer",
     lambda s: s.expect_request("/bad").respond_with_handler(_slow),
     ["no answer within 0.5 s", "http.timeout"]),
    ("redirect loop",
     lambda s: s.expect_request("/bad").respond_with_data(
         "", status=302, headers={"Location": "/bad"}),
     ["more than 5 redirects", "redirect loop", "final address"]),
    ("body over the cap",
     lambda s: s.expect_request("/bad").respond_with_data("x" * 50_000, content_type=XML),
     ["response larger than 20000 bytes", "http.max_bytes"]),
]


@pytest.mark.parametrize("name,serve,pieces", FAILURES, ids=[f[0] for f in FAILURES])
def test_a_failing_feed_is_recorded_and_the_good_one_still_ingests(
        name: str, serve: Any, pieces: list[str], http: HTTPServer, tmp_path: Path) -> None:
    good = serve_good_feed(http)
    serve(http)
    bad = http.url_for("/bad")
    waits: list[float] = []
    specs = [{"name": "bad", "kind": "feed", "url": bad},
             {"name": "good", "kind": "feed", "url": good}]
    ctx = run_all(tmp_path, specs, waits, timeout=0.5, max_bytes=20_000)
    try:
        assert stored_urls(ctx, "good") == sorted(i[1] for i in GOOD_ITEMS)
        assert source_row(ctx, "good")["last_error"] is None
        row = source_row(ctx, "bad")
        assert row["last_new"] == 0 and row["runs"] == 1
        error = row["last_error"]
        assert bad in error
        for piece in pieces:
            assert piece in error
        if name == "429":
            assert waits == [3.0]  # Retry-After honoured once, then given up
    finally:
        ctx.close()
        if name == "slow answer":  # let the server finish it, so no later test logs it
            deadline = time.monotonic() + 5
            while time.monotonic() < deadline and not any(
                    req.path == "/bad" for req, _ in http.log):
                time.sleep(0.05)


def test_a_dead_host_is_recorded_and_others_go_on(http: HTTPServer, tmp_path: Path) -> None:
    good = serve_good_feed(http)
    dead = "http://127.0.0.1:1/feed.xml"  # nothing listens on port 1
    ctx = run_all(tmp_path, [{"name": "dead", "kind": "feed", "url": dead},
                             {"name": "good", "kind": "feed", "url": good}])
    try:
        assert len(stored_urls(ctx, "good")) == 2
        assert "cannot connect" in source_row(ctx, "dead")["last_error"]
        assert dead in source_row(ctx, "dead")["last_error"]
    finally:
        ctx.close()


def test_429_then_success_ingests(http: HTTPServer, tmp_path: Path) -> None:
    http.expect_ordered_request("/busy.xml").respond_with_data(
        "wait", status=429, headers={"Retry-After": "2"})
    http.expect_ordered_request("/busy.xml").respond_with_data(rss2(GOOD_ITEMS),
                                                               content_type=XML)
    waits: list[float] = []
    ctx = run_all(tmp_path, [{"name": "busy", "kind": "feed",
                              "url": http.url_for("/busy.xml")}], waits)
    try:
        assert waits == [2.0]
        assert len(stored_urls(ctx, "busy")) == 2
        assert source_row(ctx, "busy")["last_error"] is None
    finally:
        ctx.close()


def test_conditional_get_304_costs_nothing(http: HTTPServer, tmp_path: Path) -> None:
    feed = rss2(GOOD_ITEMS)
    http.expect_request("/cond.xml", headers={"If-None-Match": '"v1"'}).respond_with_data(
        "", status=304)
    http.expect_request("/cond.xml").respond_with_data(
        feed, content_type=XML, headers={"ETag": '"v1"',
                                         "Last-Modified": "Sat, 16 Aug 2025 12:00:00 GMT"})
    settings, ctx = context(tmp_path, [{"name": "cond", "kind": "feed",
                                        "url": http.url_for("/cond.xml")}])
    try:
        (source,) = build_sources(settings)
        first = run_source(ctx, source)
        assert (first.found, first.new) == (2, 2)
        state = ctx.store.source_state("cond")
        assert state["http"] == {"etag": '"v1"', "last_modified": "Sat, 16 Aug 2025 12:00:00 GMT"}
        second = run_source(ctx, source)
        assert (second.found, second.new, second.errors) == (0, 0, [])
        row = source_row(ctx, "cond")
        assert row["runs"] == 2 and row["last_error"] is None
        assert ctx.store.source_state("cond") == state  # validators kept after a 304
        sent = [req for req, _ in http.log]
        assert sent[-1].headers.get("If-None-Match") == '"v1"'
        assert sent[-1].headers.get("If-Modified-Since") == "Sat, 16 Aug 2025 12:00:00 GMT"
        assert "figmon/" in sent[0].headers.get("User-Agent", "")
    finally:
        ctx.close()


@pytest.mark.parametrize("encoding,meta", [("cp1251", "windows-1251"), ("cp1251", None),
                                           ("koi8-r", "koi8-r"), ("koi8-r", None)])
def test_cyrillic_page_in_a_single_byte_code_page(encoding: str, meta: str | None,
                                                  http: HTTPServer, tmp_path: Path) -> None:
    html = page("Бюджет на ремонт дорог", RU_PARAS, lang="ru", charset=meta or "")
    if meta is None:
        html = html.replace('<meta charset="">', "")
    http.expect_request("/ru.html").respond_with_data(html.encode(encoding),
                                                      content_type="text/html")
    ctx = run_all(tmp_path, [{"name": "ru", "kind": "page", "url": http.url_for("/ru.html")}])
    try:
        (text, title, lang) = ctx.store.db.execute(
            "SELECT text, title, lang FROM articles WHERE source = 'ru'").fetchone()
        for para in RU_PARAS:
            assert para in text
        assert title == "Бюджет на ремонт дорог" and lang == "ru"
    finally:
        ctx.close()


def test_pages_list_with_one_missing(http: HTTPServer, tmp_path: Path) -> None:
    http.expect_request("/a.html").respond_with_data(page("Road budget", EN_PARAS),
                                                     content_type="text/html; charset=utf-8")
    http.expect_request("/b.html").respond_with_data("no", status=404)
    urls = [http.url_for("/a.html"), http.url_for("/b.html")]
    ctx = run_all(tmp_path, [{"name": "pages", "kind": "page", "urls": urls}])
    try:
        assert stored_urls(ctx, "pages") == [urls[0]]
        error = source_row(ctx, "pages")["last_error"]
        assert urls[1] in error and "404" in error
        assert source_row(ctx, "pages")["last_new"] == 1
    finally:
        ctx.close()


def test_feed_full_text_fetches_each_item_once(http: HTTPServer, tmp_path: Path) -> None:
    link = http.url_for("/story.html")
    items = [("Road budget", link, "Tue, 19 Aug 2025 18:00:00 +0000", "Short teaser.")]
    http.expect_request("/full.xml").respond_with_data(rss2(items), content_type=XML)
    http.expect_request("/story.html").respond_with_data(page("Road budget", EN_PARAS),
                                                         content_type="text/html")
    settings, ctx = context(tmp_path, [{"name": "full", "kind": "feed", "full_text": True,
                                        "url": http.url_for("/full.xml")}])
    try:
        (source,) = build_sources(settings)
        assert run_source(ctx, source).new == 1
        text, published = ctx.store.db.execute(
            "SELECT text, published FROM articles WHERE url = ?", [link]).fetchone()
        assert EN_PARAS[1] in text and "Short teaser" not in text
        assert published == "2025-08-19T18:00:00+00:00"  # the feed's date
        run_source(ctx, source)
        pages = [r for r, _ in http.log if r.path == "/story.html"]
        assert len(pages) == 1  # the second poll remembers the item
    finally:
        ctx.close()


def test_full_text_page_failure_keeps_the_feed_text(http: HTTPServer, tmp_path: Path) -> None:
    link = http.url_for("/missing.html")
    items = [("Harbour", link, "Fri, 15 Aug 2025 09:30:00 +0000",
              "The northern harbour reopened on Friday after repairs.")]
    http.expect_request("/f.xml").respond_with_data(rss2(items), content_type=XML)
    http.expect_request("/missing.html").respond_with_data("no", status=404)
    ctx = run_all(tmp_path, [{"name": "f", "kind": "feed", "full_text": True,
                              "url": http.url_for("/f.xml")}])
    try:
        (text,) = ctx.store.db.execute("SELECT text FROM articles").fetchone()
        assert text == "The northern harbour reopened on Friday after repairs."
        error = source_row(ctx, "f")["last_error"]
        assert link in error and "kept the feed's own text" in error
    finally:
        ctx.close()


def test_a_binary_page_is_an_error_not_garbage(http: HTTPServer, tmp_path: Path) -> None:
    http.expect_request("/file.pdf").respond_with_data(b"%PDF-1.4\x00\x01\x02" * 50,
                                                       content_type="application/pdf")
    url = http.url_for("/file.pdf")
    ctx = run_all(tmp_path, [{"name": "bin", "kind": "page", "url": url}])
    try:
        assert stored_urls(ctx, "bin") == []
        error = source_row(ctx, "bin")["last_error"]
        assert f"{url}: the body is not text" in error and "binary" in error
    finally:
        ctx.close()


TRACKER_PARAS = (
    "The defence ministry in Seoul said on Monday that North Korea now has about {n} "
    "soldiers deployed in Russia's Kursk region.",
    "Analysts in the capital expect the rotation of units to continue through the winter "
    "months, with fresh groups arriving by rail.",
    "The ministry publishes its estimate on this page and revises it when new "
    "intelligence comes in.",
)


def serve_tracker(http: HTTPServer, n: str, extra: str = "") -> None:
    """The tracker page with the figure ``n``; ``extra`` changes other text."""
    http.clear()
    paras = (TRACKER_PARAS[0].format(n=n), TRACKER_PARAS[1] + extra, TRACKER_PARAS[2])
    http.expect_request("/tracker.html").respond_with_data(
        page("Estimate of the deployment", paras), content_type="text/html; charset=utf-8")


@pytest.fixture(name="tracker")
def tracker_fixture(http: HTTPServer, tmp_path: Path) -> Iterator[tuple[Any, Any]]:
    """A pipeline context with the shipped rules and a page source for /tracker.html."""
    if not (ROOT / "rules").is_dir():
        pytest.skip("no shipped rules")
    cfg = write_config(tmp_path, [{"name": "tracker", "kind": "page",
                                   "url": http.url_for("/tracker.html")}],
                       rules=str(ROOT / "rules"))
    settings = load_config(cfg)
    ctx = open_context(settings)
    (source,) = build_sources(settings)
    yield ctx, source
    ctx.close()


def test_a_page_that_revises_its_figure_is_stored_again(
        http: HTTPServer, tracker: tuple[Any, Any]) -> None:
    ctx, source = tracker
    url = http.url_for("/tracker.html")
    serve_tracker(http, "11,000")
    assert run_source(ctx, source).new == 1
    serve_tracker(http, "11,000")  # polled again, nothing changed
    assert run_source(ctx, source).new == 0
    serve_tracker(http, "14,000")
    third = run_source(ctx, source)
    assert third.new == 1
    [(kind, old, new)] = [(e.kind, e.old, e.new) for e in third.events]
    assert kind == "changed" and (old.low, new.low) == (11000, 14000)
    urls = stored_urls(ctx, "tracker")
    assert len(urls) == 2 and url in urls
    [revision] = [u for u in urls if u != url]
    assert revision.startswith(url + "#figmon-rev-")
    serve_tracker(http, "14,000")  # the same revision again adds nothing
    assert run_source(ctx, source).new == 0
    assert len(stored_urls(ctx, "tracker")) == 2


def test_a_long_retry_after_is_kept_for_the_next_run_in_another_process(
        http: HTTPServer, tmp_path: Path) -> None:
    http.expect_request("/busy.xml").respond_with_data(
        "slow down", status=429, headers={"Retry-After": "3600"})
    specs = [{"name": "busy", "kind": "feed", "url": http.url_for("/busy.xml")}]

    def asked() -> int:  # the shared server may still log a late answer of another test
        return sum(1 for req, _ in http.log if req.path == "/busy.xml")

    first = run_all(tmp_path, specs, max_wait=5)
    try:
        assert asked() == 1
        assert "longer than http.max_wait" in source_row(first, "busy")["last_error"]
    finally:
        first.close()
    # a later `run --once` is a new process with a new client, on the same database
    settings = load_config(tmp_path / "figmon.yaml")
    second = open_context(settings, rules=NoRules())
    try:
        (source,) = build_sources(settings)
        result = run_source(second, source)
        assert asked() == 1, "the host asked for an hour: no request before then"
        [error] = result.errors
        assert "asked (Retry-After) to be left alone" in error
        assert source_row(second, "busy")["runs"] == 2
    finally:
        second.close()


def test_a_revised_page_that_repeats_its_figure_is_not_a_second_source(
        http: HTTPServer, tracker: tuple[Any, Any]) -> None:
    from monitor.pipeline import status_report

    ctx, source = tracker
    serve_tracker(http, "11,000")
    run_source(ctx, source)
    serve_tracker(http, "11,000", " Officials added that the weather has slowed the trains.")
    second = run_source(ctx, source)
    assert second.new == 1 and second.events == []  # a new revision, same figure
    [troops] = [f for f in status_report(ctx.store, ctx.rules)["figures"]
                if f["figure"] == "dprk-troops"]
    assert troops["observations"] == 2
    assert troops["agreeing"] == 1, "two readings of one page are one source"
