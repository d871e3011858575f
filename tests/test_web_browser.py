"""`figmon serve` in the system Chromium (Playwright): browse the bundled story the way
a reader would, with JavaScript off, and check nothing scrolls sideways at 390 px."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import feedparser
import pytest
from web_support import (
    Served,
    browser,
    figmon,
    filled_and_served,
    json_lines,
    no_sideways_scroll,
)

from monitor.rules import load_rules

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Served, Path]]:
    yield from filled_and_served(tmp_path_factory, "web-browser")


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    with browser() as b:
        yield b


def test_a_reader_follows_a_figure_filters_searches_and_reads_the_feed(
        site: tuple[Served, Path], chromium: Any) -> None:
    srv, tmp = site
    # Pages work without JavaScript: the whole walk runs with it switched off.
    context = chromium.new_context(java_script_enabled=False, viewport={"width": 1280,
                                                                        "height": 900})
    page = context.new_page()
    try:
        page.goto(srv.url + "/")
        assert page.inner_text("h1") == "Tracked figures"
        rows = page.locator("table.rows tr:not(.head)")
        assert rows.count() == len(load_rules(ROOT / "rules").figures)
        troops = rows.filter(has_text="North Korean troops in Russia (total sent)")
        assert "about 14,000" in troops.inner_text()
        # newest change first: the two figures that moved on 2025-10-02 lead
        assert "2025-10-02" in rows.nth(0).inner_text()

        page.click("text=North Korean troops killed or wounded (per claimant)")
        assert page.url.endswith("/figures/dprk-casualties")
        assert page.locator("svg.chart").count() == 1
        table = page.locator("table.rows tr:not(.head)")
        assert table.count() == 3
        page.select_option("select[name=track]", label="Зеленский")
        page.click("form.filters button")
        assert "track=" in page.url
        table = page.locator("table.rows tr:not(.head)")
        assert table.count() == 2
        claimants = page.locator("td[data-label=Claimant]").all_inner_texts()
        assert claimants == ["Зеленский", "Зеленский"]

        page.click("nav >> text=Search")
        page.fill("input[name=q]", "Буданов")
        page.click("form.search button")
        hits = page.locator("table.rows tr:not(.head)")
        assert hits.count() >= 1
        # word forms match too ("Буданова"); the article headed by his name is among them
        hit = hits.filter(has_text="Буданов: КНДР готовит ещё один контингент и технику")
        assert hit.count() == 1
        assert "Буданов" in page.locator("mark").first.inner_text()
        hit.locator("td.figs a", has_text="dprk-equipment").click()
        assert page.url.endswith("/figures/dprk-equipment")

        feed_href = page.get_attribute("link[rel=alternate][type='application/atom+xml']",
                                       "href")
        assert feed_href == "/events.atom?figure=dprk-equipment"
        body = page.request.get(srv.url + "/events.atom").body()
        feed = feedparser.parse(body)
        events = json_lines(figmon("events", "--json", "--config", "figmon.yaml",
                                   cwd=tmp).stdout)
        assert len(feed.entries) == len(events)
        assert feed.entries[0].title.startswith(("NEW ", "CHANGED ", "RESTATED "))
    finally:
        context.close()


def test_article_markup_never_runs(site: tuple[Served, Path], chromium: Any) -> None:
    page = chromium.new_page()
    try:
        page.goto(site[0].url + "/articles?q=Кулеба")
        assert "<script>window.figmonPwned = 1</script>" in page.inner_text("table.rows")
        assert page.evaluate("typeof window.figmonPwned") == "undefined"
    finally:
        page.close()


PAGES = ["/", "/figures/dprk-troops", "/figures/dprk-casualties?track=Volodymyr%20Zelensky",
         "/events",
         "/events?figure=dprk-ammo-share&since=2025-01-01", "/articles?q=КНДР",
         "/articles?q=Кулеба", "/unsubscribe?t=" + "0" * 32, "/unmatched", "/events?since=x"]


@pytest.mark.parametrize("width", [390, 1280])
def test_no_sideways_scroll(site: tuple[Served, Path], chromium: Any, width: int) -> None:
    page = chromium.new_page(viewport={"width": width, "height": 800})
    try:
        for path in PAGES:
            page.goto(site[0].url + path)
            assert page.locator("h1").count() == 1, path
            no_sideways_scroll(page)
    finally:
        page.close()
