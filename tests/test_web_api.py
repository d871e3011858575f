"""`figmon serve` over httpx: the JSON API matches the CLI's --json output, the Atom
feeds match `figmon events --json`, /metrics parses, and bad parameters get 400s."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import feedparser
import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from web_support import Served, filled_and_served
from web_support import cli_json as run_cli


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Served, Path]]:
    yield from filled_and_served(tmp_path_factory, "web-api")


def get(site: tuple[Served, Path], path: str, params: dict[str, str] | None = None
        ) -> httpx.Response:
    return httpx.get(site[0].url + path, params=params, timeout=10)


def cli_json(site: tuple[Served, Path], *args: str) -> list[dict[str, Any]]:
    return run_cli(site[1], *args)


def test_api_events_are_the_cli_events(site: tuple[Served, Path]) -> None:
    every = cli_json(site, "events", "--json")
    assert len(every) >= 10  # the bundled story has many events
    assert get(site, "/api/events").json() == every
    since = get(site, "/api/events?since=2025-01-01").json()
    assert since == cli_json(site, "events", "--json", "--since", "2025-01-01")
    assert 0 < len(since) < len(every)
    troops = get(site, "/api/events?figure=dprk-troops*").json()
    assert troops == cli_json(site, "events", "--json", "--figure", "dprk-troops*")
    assert {e["figure"] for e in troops} == {"dprk-troops", "dprk-troops-additional"}
    # paging with after= and limit= walks the same list
    pages: list[dict[str, Any]] = []
    after = 0
    while batch := get(site, f"/api/events?after={after}&limit=4").json():
        pages += batch
        after = batch[-1]["id"]
    assert pages == every


def test_api_figures_and_timelines_match_status_and_timeline(site: tuple[Served, Path]) -> None:
    figures = get(site, "/api/figures").json()
    status = get(site, "/status").json()
    assert status == cli_json(site, "status", "--json")[0]
    by_id = {f["figure"]: f for f in figures}
    for row in status["figures"]:
        f = by_id[row["figure"]]
        assert f["title"] and f["kind"] in ("count", "percent", "amount")
        if row["track"] == f["track"]:  # the figure's latest track is the status row
            for key in ("value", "published", "article", "claimant"):
                assert f[key] == row[key], (row["figure"], key)
    troops = by_id["dprk-troops"]
    assert troops["value"] == {"low": 14000, "high": 14000, "qualifier": "approx"}
    assert troops["last_event"]["kind"] == "changed"
    assert troops["observations"] == len(cli_json(site, "timeline", "dprk-troops", "--json"))
    for fid, f in by_id.items():
        got = get(site, f"/api/figures/{fid}/timeline").json()
        # a rule with no observation yet: listed, with an empty timeline
        assert got == (cli_json(site, "timeline", fid, "--json") if f.get("observations")
                       else [])
    # per-claimant tracks are keyed on the canonical name (rules/claimants.yaml)
    zelensky = next(k for k, who in by_id["dprk-casualties"]["tracks"].items()
                    if who == "Зеленский")
    casualties = get(site, "/api/figures/dprk-casualties/timeline",
                     params={"track": zelensky}).json()
    assert casualties and {r["claimant"] for r in casualties} == {"Зеленский"}
    late = get(site, "/api/figures/dprk-troops/timeline?since=2025-01-01").json()
    assert late and all(r["published"] >= "2025-01-01" for r in late)


def _entries(feed: Any) -> set[tuple[str, str, str, str]]:
    out = set()
    for e in feed.entries:
        terms = {t.scheme: t.term for t in e.tags}
        out.add((terms["urn:figmon:figure"], terms["urn:figmon:kind"], e.published[:10],
                 e.link))
    return out


def _expected(events: list[dict[str, Any]], figure_page: str
              ) -> set[tuple[str, str, str, str]]:
    """Entries link the article, or the figure's page when the article is a local file."""
    out = set()
    for e in events:
        link = e["article"] if e["article"].startswith("http") else \
            figure_page.format(e["figure"])
        out.add((e["figure"], e["kind"], e["published"][:10], link))
    return out


def test_atom_feeds_match_the_cli_events(site: tuple[Served, Path]) -> None:
    srv, tmp = site
    events = cli_json(site, "events", "--json")
    live = feedparser.parse(get(site, "/events.atom").content)
    assert not live.bozo, live.get("bozo_exception")
    assert len(live.entries) == len(events)
    assert _entries(live) == _expected(events, srv.url + "/figures/{}")
    # the archive's index names its feed, so a reader finds it from reports/index.html
    index = (tmp / "reports" / "index.html").read_text(encoding="utf-8")
    assert '<link rel="alternate" type="application/atom+xml"' in index
    assert 'href="events.atom"' in index
    static = feedparser.parse((tmp / "reports" / "events.atom").read_bytes())
    assert not static.bozo
    assert _entries(static) == _expected(events, "figures/{}.html")
    # the same event has the same entry id in both feeds
    assert {e.id for e in live.entries} == {e.id for e in static.entries}
    assert all(e.title.startswith(("NEW ", "CHANGED ", "RESTATED ")) for e in live.entries)
    troops = feedparser.parse(get(site, "/events.atom?figure=dprk-troops").content)
    assert _entries(troops) == _expected(
        cli_json(site, "events", "--json", "--figure", "dprk-troops"),
        srv.url + "/figures/{}")


def test_metrics_parse_and_agree_with_the_database(site: tuple[Served, Path]) -> None:
    r = get(site, "/metrics")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/plain")
    samples = {}
    for family in text_string_to_metric_families(r.text):
        for s in family.samples:
            samples[(s.name, tuple(sorted(s.labels.items())))] = s.value
    events = cli_json(site, "events", "--json")
    for kind in ("new", "changed"):
        assert samples[("figmon_events_total", (("kind", kind),))] == \
            sum(e["kind"] == kind for e in events)
    assert samples[("figmon_articles_ingested_total", (("source", "samples"),))] == 14
    assert samples[("figmon_articles_ingested_total", (("source", "extra"),))] == 1
    assert samples[("figmon_source_errors_total", (("source", "samples"),))] == 0
    assert 0 <= samples[("figmon_source_seconds_since_success", (("source", "samples"),))] < 600
    assert samples[("figmon_source_failing", (("source", "extra"),))] == 0
    assert samples[("figmon_deliveries", (("status", "pending"),))] == 0
    assert samples[("figmon_deliveries", (("status", "failed"),))] == 0
    assert 0 < samples[("figmon_last_run_duration_seconds", ())] < 120


BAD = [
    ("/api/events?since=yesterday", "since"),
    ("/api/events?since=2025-13-01", "since"),
    ("/api/events?until=2025-1-1", "until"),
    ("/api/events?since=2025-06-01&until=2025-01-01", "swap"),
    ("/api/events?limit=0", "limit"),
    ("/api/events?limit=many", "limit"),
    ("/api/events?limit=100000", "limit"),
    ("/api/events?after=-1", "after"),
    ("/api/figures/dprk-troops/timeline?since=2025", "since"),
    ("/events?since=notadate", "since"),
    ("/events?before=x", "before"),
    ("/events.atom?limit=-5", "limit"),
    ("/articles?page=0", "page"),
    ("/articles?q=" + "x" * 400, "characters"),
    ("/figures/dprk-casualties?track=nobody", "track"),
    ("/figures/dprk-troops?until=31.12.2025", "until"),
    ("/unsubscribe", "token"),
]


@pytest.mark.parametrize(("path", "word"), BAD, ids=[b[0][:40] for b in BAD])
def test_bad_parameters_get_400_with_a_message(site: tuple[Served, Path], path: str,
                                               word: str) -> None:
    r = get(site, path)
    assert r.status_code == 400, r.text[:300]
    if path.startswith("/api/"):
        assert r.headers["content-type"] == "application/json"
        assert word in r.json()["error"]
    else:
        assert r.headers["content-type"].startswith("text/html")
        assert word in r.text


def test_status_codes(site: tuple[Served, Path]) -> None:
    for path in ("/", "/figures/dprk-troops", "/events", "/events?figure=dprk-*",
                 "/articles", "/articles?q=Pentagon", "/articles?q=%22unclosed",
                 "/articles?q=AND", "/events.atom?since=2025-01-01", "/api/figures",
                 "/status", "/metrics"):
        assert get(site, path).status_code == 200, path
    missing = get(site, "/api/figures/no-such-figure/timeline")
    assert missing.status_code == 404 and "no-such-figure" in missing.json()["error"]
    assert get(site, "/figures/no-such-figure").status_code == 404
    assert get(site, "/no/such/page").status_code == 404
    # near misses of the bundled run: the range of the Koksan guns (a sample article says
    # "понад сорок кілометрів") names North Korea's systems but is no tracked figure
    unmatched = get(site, "/unmatched")
    assert unmatched.status_code == 200 and "кілометрів" in unmatched.text
    groups = get(site, "/api/unmatched").json()
    assert {"noun": "кілометрів", "count": 1} == {k: groups[0][k] for k in ("noun", "count")}
    assert get(site, "/unmatched?since=2099-01-01").text.count("No near misses") == 1
    assert get(site, "/unmatched?since=nonsense").status_code == 400
    assert httpx.post(site[0].url + "/api/events").status_code == 405
    moved = get(site, "/index.html")  # the archive's name for the front page
    assert moved.status_code == 307 and moved.headers["location"] == "/"


def test_pages_escape_article_text(site: tuple[Served, Path]) -> None:
    page = get(site, "/articles?q=Кулеба").text
    assert "&lt;script&gt;window.figmonPwned" in page
    assert "<script>" not in page and "<img" not in page
    assert "&lt;b&gt;Bold Outlet&lt;/b&gt;" in page


def test_the_server_only_reads(site: tuple[Served, Path]) -> None:
    srv, tmp = site
    before = cli_json(site, "status", "--json")[0]["counts"]
    for path in ("/", "/events", "/api/events", "/articles?q=КНДР", "/metrics", "/status",
                 "/figures/dprk-troops", "/events.atom"):
        get(site, path)
    assert cli_json(site, "status", "--json")[0]["counts"] == before
