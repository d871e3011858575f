#!/usr/bin/env python3
"""Render the reports archive and a digest mail to PNG with headless Chromium, at a
phone's width (390 px) and a desktop's (1280 px), so a person can check how they
look without opening a browser.

    python3 scripts/render_png.py [--reports reports] [--outbox outbox]
                                  [--figure dprk-troops ...] [--out DIR]

Renders reports/index.html, the figure pages (all, or the --figure ones), the newest
digest page, and the HTML part of the newest .eml in the outbox, each as
NAME-390.png and NAME-1280.png (whole page).  Needs Playwright (Python) and a
Chromium binary (Debian: apt-get install -y chromium); nothing is downloaded, and
the pages load no remote resources.
"""

from __future__ import annotations

import argparse
import email
import email.policy
import shutil
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

WIDTHS = (390, 1280)
# the flags the project's brief asks every Chromium launch to use
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def find_chromium(given: str | None = None) -> str | None:
    """The Chromium binary: the one given, /usr/bin/chromium, or one on PATH."""
    for cand in (given, "/usr/bin/chromium", shutil.which("chromium"),
                 shutil.which("chromium-browser"), shutil.which("google-chrome")):
        if cand and Path(cand).exists():
            return cand
    return None


@contextmanager
def browser(chromium: str) -> Iterator[Any]:
    """One headless Chromium for every page (Playwright driving the system binary)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=chromium, headless=True, args=FLAGS)
        try:
            yield b
        finally:
            b.close()


def mail_html(eml: Path, into: Path) -> Path:
    """The HTML part of a message, as a file a browser can open."""
    msg = email.message_from_bytes(eml.read_bytes(), policy=email.policy.default)
    body = msg.get_body(("html",))  # type: ignore[attr-defined]
    if body is None:
        sys.exit(f"error: {eml} has no HTML part.")
    into.write_text(body.get_content(), encoding="utf-8")
    return into


def pages(reports: Path, outbox: Path | None, figures: list[str], tmp: Path
          ) -> list[tuple[str, Path]]:
    """(name, file) of every page to render."""
    out: list[tuple[str, Path]] = [("index", reports / "index.html")]
    found = sorted((reports / "figures").glob("*.html"))
    if figures:
        for fid in figures:
            page = reports / "figures" / f"{fid}.html"
            if not page.exists():
                names = ", ".join(p.stem for p in found) or "none"
                sys.exit(f"error: no page {page}.\n  Figure pages: {names}")
            out.append((f"figure-{fid}", page))
    else:
        out += [(f"figure-{p.stem}", p) for p in found]
    digests = sorted((reports / "digests").glob("*.html"), key=lambda p: p.stat().st_mtime)
    if digests:
        out.append(("digest", digests[-1]))
    if outbox is not None and outbox.is_dir():
        emls = sorted(outbox.glob("*.eml"), key=lambda p: p.stat().st_mtime)
        if emls:
            out.append(("mail", mail_html(emls[-1], tmp / "mail.html")))
    return out


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--reports", default="reports", help="the reports folder (default: reports)")
    ap.add_argument("--outbox", default="outbox",
                    help="the outbox whose newest .eml is rendered (default: outbox)")
    ap.add_argument("--figure", action="append", default=[],
                    help="figure id whose page to render (repeatable; default: all)")
    ap.add_argument("--out", default=None, help="where PNGs go (default: REPORTS/png)")
    ap.add_argument("--chromium", default=None, help="Chromium binary (default: /usr/bin/chromium)")
    args = ap.parse_args(argv)

    reports = Path(args.reports)
    index = reports / "index.html"
    if not index.exists():
        sys.exit(f"error: {index} does not exist.\n  Run `figmon run --once` (or `figmon digest`)"
                 " first, or pass --reports DIR.")
    chromium = find_chromium(args.chromium)
    if chromium is None:
        sys.exit("error: Chromium not found.\n  Install it (apt-get install -y chromium) "
                 "or pass --chromium PATH.")
    try:
        import playwright  # noqa: F401
    except ImportError:
        sys.exit("error: Playwright for Python is not installed.\n  pip install playwright "
                 "(no browser download is needed: the system Chromium is used).")
    out = Path(args.out) if args.out else reports / "png"
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="figmon-png-") as tmp, browser(chromium) as b:
        for page, png in render_pages(b, pages(reports, Path(args.outbox), args.figure,
                                                 Path(tmp)), out):
            print(f"{page} -> {png}")


def render_pages(b: Any, named: list[tuple[str, Path]], out: Path,
                 widths: tuple[int, ...] = WIDTHS) -> list[tuple[Path, Path]]:
    """Screenshot every (name, page) at every width as out/NAME-WIDTH.png (whole page)."""
    done = []
    for name, page in named:
        for width in widths:
            ctx = b.new_context(viewport={"width": width, "height": 800}, device_scale_factor=1)
            try:
                tab = ctx.new_page()
                tab.goto(page.resolve().as_uri())
                png = out / f"{name}-{width}.png"
                tab.screenshot(path=str(png), full_page=True)
            finally:
                ctx.close()
            done.append((page, png))
    return done


if __name__ == "__main__":
    main()
