#!/usr/bin/env python3
"""Render reports/index.html and one figure page to PNG with headless Chromium,
so a person can check how the archive looks without opening a browser.

    python3 scripts/render_png.py [--reports reports] [--figure dprk-troops] [--out DIR]

Needs Chromium (Debian/Ubuntu: apt-get install -y chromium). Touches no network:
the pages are local files and load no remote resources.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run",
         "--hide-scrollbars"]


def find_chromium(given: str | None) -> str:
    for cand in (given, "/usr/bin/chromium", shutil.which("chromium"),
                 shutil.which("chromium-browser"), shutil.which("google-chrome")):
        if cand and Path(cand).exists():
            return cand
    sys.exit("error: Chromium not found.\n  Install it (apt-get install -y chromium) "
             "or pass --chromium PATH.")


def render(chromium: str, page: Path, png: Path, width: int, height: int) -> None:
    with tempfile.TemporaryDirectory(prefix="figmon-chromium-") as profile:
        cmd = [chromium, *FLAGS, f"--user-data-dir={profile}", f"--window-size={width},{height}",
               f"--screenshot={png}", page.resolve().as_uri()]
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    if proc.returncode != 0 or not png.exists():
        sys.exit(f"error: Chromium could not render {page} (exit {proc.returncode}).\n"
                 f"{proc.stderr.strip()[-800:]}")
    print(f"{page} -> {png}")


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--reports", default="reports", help="the reports folder (default: reports)")
    ap.add_argument("--figure", default=None,
                    help="figure id whose page to render (default: the first one)")
    ap.add_argument("--out", default=None, help="where PNGs go (default: REPORTS/png)")
    ap.add_argument("--chromium", default=None, help="Chromium binary (default: /usr/bin/chromium)")
    ap.add_argument("--width", type=int, default=1000)
    ap.add_argument("--height", type=int, default=1400)
    args = ap.parse_args(argv)

    reports = Path(args.reports)
    index = reports / "index.html"
    if not index.exists():
        sys.exit(f"error: {index} does not exist.\n  Run `figmon run --once` (or `figmon digest`)"
                 " first, or pass --reports DIR.")
    figures = sorted((reports / "figures").glob("*.html"))
    if args.figure:
        figure = reports / "figures" / f"{args.figure}.html"
        if not figure.exists():
            names = ", ".join(p.stem for p in figures) or "none"
            sys.exit(f"error: no page {figure}.\n  Figure pages: {names}")
    else:
        figure = figures[0] if figures else None
    out = Path(args.out) if args.out else reports / "png"
    out.mkdir(parents=True, exist_ok=True)
    chromium = find_chromium(args.chromium)
    render(chromium, index, out / "index.png", args.width, args.height)
    if figure is not None:
        render(chromium, figure, out / f"figure-{figure.stem}.png", args.width, args.height)
    else:
        print("no figure page yet: only the index was rendered")


if __name__ == "__main__":
    main()
