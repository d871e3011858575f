"""Pages and mails in a real browser: the system Chromium, driven by Playwright.

The bundled example run and a run with 40 events of one figure are rendered (the
index, two figure pages, a digest page and a mail's HTML part) at a phone's width
(390 px) and a desktop's (1280 px).  At each width nothing may scroll sideways, no
chart label may be drawn below 11 CSS px, and every list reads newest first.
One browser serves the whole module.
"""

from __future__ import annotations

import email
import email.policy
import importlib.util
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from digest_support import add_event, add_observation, context, write_config

from monitor import digest
from monitor.config import load_config
from monitor.models import Value
from monitor.run import run_once

ROOT = Path(__file__).resolve().parent.parent
WIDTHS = (390, 1280)

_spec = importlib.util.spec_from_file_location("render_png", ROOT / "scripts" / "render_png.py")
assert _spec is not None and _spec.loader is not None
render_png = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(render_png)

CHROMIUM = render_png.find_chromium()
try:
    import playwright.sync_api  # noqa: F401
    HAVE_PLAYWRIGHT = True
except ImportError:  # pragma: no cover - the test extras install it
    HAVE_PLAYWRIGHT = False

pytestmark = pytest.mark.skipif(CHROMIUM is None or not HAVE_PLAYWRIGHT,
                                reason="no Chromium (or Playwright) on this machine")

# What the page looks like to a reader, measured by the browser itself.
MEASURE = """() => {
  const shown = (el) => el.getClientRects().length > 0;
  const labels = [...document.querySelectorAll('svg text')].filter(shown).map((t) => {
    const m = t.getScreenCTM();
    return parseFloat(getComputedStyle(t).fontSize) * Math.hypot(m.a, m.b);
  });
  const lists = new Map();
  for (const el of document.querySelectorAll('[data-published]')) {
    const list = el.parentElement.closest('[data-order]');
    if (!list || !el.dataset.published) continue;
    if (!lists.has(list)) lists.set(list, []);
    lists.get(list).push(el.dataset.published);
  }
  return {
    scrollWidth: document.documentElement.scrollWidth,
    labels,
    charts: [...document.querySelectorAll('svg.chart')].filter(shown).length,
    lists: [...lists.entries()].map(([el, dates]) => [el.dataset.order, dates]),
    text: document.body.innerText,
  };
}"""


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    assert CHROMIUM is not None
    with render_png.browser(CHROMIUM) as b:
        yield b


def _mail_page(outbox: Path, into: Path) -> Path:
    [eml] = sorted(outbox.glob("*.eml"))
    return render_png.mail_html(eml, into)


@pytest.fixture(scope="module")
def bundled(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """`figmon run --once` on the bundled examples, with the shipped rules."""
    work = tmp_path_factory.mktemp("bundled")
    shutil.copy(ROOT / "figmon.yaml", work / "figmon.yaml")
    shutil.copytree(ROOT / "rules", work / "rules")
    shutil.copytree(ROOT / "examples" / "articles", work / "examples" / "articles")
    run_once(load_config(work / "figmon.yaml"))
    reports = work / "reports"
    [page] = (reports / "digests").glob("*.html")
    return {"index": reports / "index.html",
            "troops": reports / "figures" / "dprk-troops.html",
            "casualties": reports / "figures" / "dprk-casualties.html",
            "digest": page, "mail": _mail_page(work / "outbox", work / "mail.html")}


@pytest.fixture(scope="module")
def forty(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """40 events of one figure over a year (points, bounds and ranges, several on one
    day), plus corroborations, in one digest."""
    work = tmp_path_factory.mktemp("forty")
    ctx = context(write_config(work, subscribers="subscribers:\n  - email: a@example.org\n"))
    old = None
    kinds = ["approx", "more_than", "range", "approx", "up_to", "exact"]
    for i in range(40):
        n = 8_000 + 250 * i
        q = kinds[i % len(kinds)]
        new = Value(n, n + 1500, "range") if q == "range" else \
            Value(None, n, q) if q == "up_to" else \
            Value(n, None, q) if q == "more_than" else Value(n, n, q)
        day = f"2025-{1 + i // 4:02d}-{1 + (i % 4) // 2 * 9:02d}"  # two events a day
        add_event(ctx.store, figure="dprk-troops", url=f"https://news.example.org/t{i}",
                  published=day, new=new, old=old, surface=f"{n:,}",
                  quote=f"Officials say the contingent is now {n:,} soldiers strong.",
                  claimant=["Seoul", "Kyrylo Budanov", "Pentagon"][i % 3])
        old = new
    add_observation(ctx.store, figure="dprk-troops", url="https://wire.example.net/c",
                    published="2025-10-02", value=Value(17_000, 17_000, "approx"))
    digest.after_run(ctx)
    ctx.close()
    reports = work / "reports"
    [page] = (reports / "digests").glob("*.html")
    return {"troops": reports / "figures" / "dprk-troops.html", "index": reports / "index.html",
            "digest": page, "mail": _mail_page(work / "outbox", work / "mail.html")}


def measure(browser: Any, page: Path, width: int) -> dict[str, Any]:
    ctx = browser.new_context(viewport={"width": width, "height": 800}, device_scale_factor=1)
    try:
        tab = ctx.new_page()
        tab.goto(page.resolve().as_uri())
        return dict(tab.evaluate(MEASURE))
    finally:
        ctx.close()


LISTS = {"index": {"figures", "digests"}, "troops": {"observations"},
         "casualties": {"observations"}, "digest": {"figures", "events"},
         "mail": {"figures", "events"}}


def check(m: dict[str, Any], width: int, what: str) -> None:
    assert {name for name, _ in m["lists"]} == LISTS[what]
    assert m["scrollWidth"] <= width, f"{what} scrolls sideways at {width}px"
    small = [round(s, 1) for s in m["labels"] if s < 11]
    assert not small, f"{what}: chart labels below 11px at {width}px: {small}"
    for name, dates in m["lists"]:
        assert dates == sorted(dates, reverse=True), f"{what}: {name} not newest first"
    for label in ("more_than", "up_to", "less_than", "at_least", "approx", "exact"):
        assert not re.search(rf"\b{label}\b", m["text"]), f"{what} shows the label {label!r}"
    assert "examples/articles" not in m["text"], f"{what} shows a path on disk"


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("name", ["index", "troops", "casualties", "digest", "mail"])
def test_bundled_run_reads_well(browser: Any, bundled: dict[str, Path], name: str,
                                width: int) -> None:
    m = measure(browser, bundled[name], width)
    check(m, width, name)
    if name in ("troops", "casualties"):
        assert m["charts"] == 1 and len(m["labels"]) >= 4  # one chart per width, labelled
    if name in ("digest", "mail"):
        # the current troop figure heads its figure, the earlier values follow
        text = m["text"]
        assert text.index("about 14,000 troops") < text.index("about 3,000 troops")
        assert "6 new figures" in text  # the one-line summary heads the digest


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("name", ["troops", "digest", "mail", "index"])
def test_forty_events_read_newest_first(browser: Any, forty: dict[str, Path], name: str,
                                        width: int) -> None:
    m = measure(browser, forty[name], width)
    check(m, width, name)
    if name != "index":
        lists = dict(m["lists"])
        events = lists.get("observations") or lists.get("events")
        assert events is not None and len(events) >= 10
        assert events[0] >= "2025-10-01"


def test_render_png_writes_every_page_at_both_widths(browser: Any, bundled: dict[str, Path],
                                                     tmp_path: Path) -> None:
    reports = bundled["index"].parent
    named = render_png.pages(reports, None, ["dprk-troops"], tmp_path)
    assert [n for n, _ in named] == ["index", "figure-dprk-troops", "digest"]
    done = render_png.render_pages(browser, named, tmp_path)
    assert len(done) == 6
    for _, png in done:
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_mail_html_part_is_extracted(bundled: dict[str, Path]) -> None:
    html = bundled["mail"].read_text(encoding="utf-8")
    msg_files = list(bundled["index"].parent.parent.joinpath("outbox").glob("*.eml"))
    msg = email.message_from_bytes(msg_files[0].read_bytes(), policy=email.policy.default)
    assert html == msg.get_body(("html",)).get_content()  # type: ignore[attr-defined]
