"""The reports/ archive: digest pages, index, one page per figure, links that work from disk."""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path

from digest_support import add_event, add_observation, context, seed_troops, write_config
from test_digest_render import EVIL, parse

from monitor import digest
from monitor.models import Value

ROOT = Path(__file__).resolve().parent.parent


def build_archive(tmp_path: Path, subscribers: str = "") -> Path:
    ctx = context(write_config(tmp_path, subscribers=subscribers))
    seed_troops(ctx.store)
    digest.after_run(ctx)
    add_observation(ctx.store, figure="dprk-troops", url="https://wire.example.net/r",
                    published="2025-08-20", value=Value(11000, 13000, "range"))
    add_event(ctx.store, figure="dprk-troops", url="https://news.example.org/a3",
              published="2025-09-01", old=Value(10000, None, "more_than"),
              new=Value(12000, 12000, "approx"), outlet=f"Evil {EVIL}",
              quote=f"About 12,000 {EVIL} troops.", surface="About 12,000")
    digest.after_run(ctx)
    ctx.close()
    return tmp_path / "reports"


def local_links(page: Path) -> list[Path]:
    t = parse(page.read_text(encoding="utf-8"))
    hrefs = [a.get("href") or "" for tag, a in t.tags if tag == "a"]
    return [page.parent / h for h in hrefs if h and not h.startswith(("http:", "https:"))]


def test_index_lists_digests_and_figures_with_working_relative_links(tmp_path: Path) -> None:
    reports = build_archive(tmp_path)
    index = reports / "index.html"
    html = index.read_text(encoding="utf-8")
    assert html.count("digests/") == 2  # two digests, newest first
    for title in ("North Korean troops in Russia", "Iranian drones delivered"):
        assert title in html
    links = local_links(index)
    assert len(links) == 5  # 3 figures + 2 digests
    for link in links:
        assert link.resolve().is_file(), link
        for inner in local_links(link):  # pages link back and across, also relatively
            assert inner.resolve().is_file(), inner


def test_figure_page_has_chart_and_every_observation(tmp_path: Path) -> None:
    reports = build_archive(tmp_path)
    page = (reports / "figures" / "dprk-troops.html").read_text(encoding="utf-8")
    t = parse(page)
    groups = [a.get("class") for tag, a in t.tags if tag == "g"]
    # more than 10,000 (arrow up), the 11,000–13,000 range (bar), about 12,000 (ring);
    # drawn twice: the wide chart and the phone's narrow one
    assert groups == ["mark open more_than", "mark range", "mark approx"] * 2
    assert "<svg" in page and "<script" not in page and "<img" not in page
    items = [a.get("data-published") for tag, a in t.tags if tag == "li"]
    assert items == ["2025-09-01", "2025-08-20", "2025-08-15"]  # newest first
    for text in ("more than 10,000", "11,000–13,000", "about 12,000", "Other Wire",
                 "South Korean intelligence", '<p class="now">about 12,000 troops</p>',
                 "now about 12,000 troops (1 Sep 2025) — was more than 10,000 (South Korean "
                 "intelligence, 15 Aug 2025)"):
        assert text in page
    assert "&lt;script&gt;" in page and "<mark>About 12,000</mark>" in page
    # no internal qualifier label reaches the reader
    for label in ("more_than", "up_to", "approx", "at_least", "less_than"):
        assert f">{label}" not in page and f"{label}<" not in page


def test_archive_and_outbox_files_follow_the_umask(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        reports = build_archive(tmp_path, "subscribers:\n  - email: a@example.org\n")
        files = [*reports.rglob("*.html"), *(tmp_path / "outbox").glob("*.eml")]
        assert len(files) >= 6 and any(f.suffix == ".eml" for f in files)
        assert {stat.S_IMODE(f.stat().st_mode) for f in files} == {0o644}
        os.umask(0o077)
        ctx = context(write_config(tmp_path))
        digest.write_archive(ctx)
        ctx.close()
        assert stat.S_IMODE((reports / "index.html").stat().st_mode) == 0o600
    finally:
        os.umask(old)


def test_archive_pages_load_nothing_remote(tmp_path: Path) -> None:
    reports = build_archive(tmp_path)
    for page in reports.rglob("*.html"):
        for tag, attrs in parse(page.read_text(encoding="utf-8")).tags:
            # a <link> may only name the archive's own feed, which browsers do not load
            assert tag not in ("script", "img", "iframe"), page
            assert tag != "link" or (attrs.get("rel"), attrs.get("href")) == (
                "alternate", "events.atom"), page
            if tag != "a":
                assert not any(v and re.match(r"(https?:)?//", v)
                               for k, v in attrs.items() if k in ("src", "href")), page


def test_missing_digest_page_is_rewritten(tmp_path: Path) -> None:
    """A crash between the commit and the file write leaves no hole in the archive."""
    reports = build_archive(tmp_path)
    pages = sorted((reports / "digests").glob("*.html"))
    pages[0].unlink()
    ctx = context(write_config(tmp_path))
    digest.write_archive(ctx)
    ctx.close()
    assert sorted((reports / "digests").glob("*.html")) == pages


def test_a_restatement_reaches_the_archive_but_no_mailbox(tmp_path: Path) -> None:
    from store_fakes import FakeRules, article, obs_line

    from monitor.pipeline import Context, ingest
    from monitor.store import Store

    settings = write_config(tmp_path, subscribers="subscribers:\n  - email: a@example.org\n")
    ctx = Context(settings=settings, store=Store.open(settings.database),
                  rules=FakeRules([{"id": "dprk-troops", "title": "Troops"}]))
    try:
        ingest(ctx, "t", [article("https://n.example.org/1", "2025-08-01",
                                  obs_line("dprk-troops", [10000, 10000, "approx"]))])
        digest.after_run(ctx)
        mails = sorted((tmp_path / "outbox").glob("*.eml"))
        assert len(mails) == 1
        # "more than 10,000" only restates "about 10,000"
        result = ingest(ctx, "t", [article("https://n.example.org/2", "2025-08-09",
                                           obs_line("dprk-troops", [10000, None, "more_than"]))])
        assert [e.kind for e in result.events] == ["restated"]
        digest.after_run(ctx)
        assert sorted((tmp_path / "outbox").glob("*.eml")) == mails
        assert ctx.store.db.execute("SELECT count(*) FROM digests").fetchone()[0] == 1
        page = (tmp_path / "reports" / "figures" / "dprk-troops.html").read_text("utf-8")
        assert "more than 10,000" in page and ">RESTATED<" in page
        assert page.index("more than 10,000") < page.index("about 10,000</span>")
    finally:
        ctx.close()
