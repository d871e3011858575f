"""Poll N local feeds and report feeds per second: a first poll, then a conditional re-poll.

A threaded http.server on 127.0.0.1 serves N RSS feeds (each with its own
ETag, answering 304 to a matching If-None-Match).  FeedSource.fetch runs over
one shared HttpClient from a thread pool, as the daemon does.

    python3 benchmarks/poll.py [--feeds 500] [--items 20] [--parallel 4] [--per-host 2]
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from monitor.http import HttpClient  # noqa: E402
from monitor.sources import FeedSource  # noqa: E402


def make_feed(n: int, items: int) -> bytes:
    body = "".join(
        f"<item><title>Item {i} of feed {n}</title>"
        f"<link>http://127.0.0.1/feed{n}/item{i}</link>"
        f"<pubDate>Fri, 15 Aug 2025 {i % 24:02d}:00:00 +0000</pubDate>"
        f"<description>Feed {n}, item {i}: the harbour handled {1000 + i} containers "
        f"this week, the port office said.</description></item>"
        for i in range(items))
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
            f"<title>Feed {n}</title><link>http://127.0.0.1/</link><description>Bench"
            f"</description>{body}</channel></rss>").encode()


class Handler(BaseHTTPRequestHandler):
    feeds: dict[str, tuple[bytes, str]] = {}
    protocol_version = "HTTP/1.1"
    wbufsize = 1 << 16  # headers and body in one write: no Nagle/delayed-ACK stall

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        found = self.feeds.get(self.path)
        if found is None:
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        body, etag = found
        if self.headers.get("If-None-Match") == etag:
            self.send_response(304)
            self.send_header("ETag", etag)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/rss+xml; charset=utf-8")
        self.send_header("ETag", etag)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


def poll(sources: list[FeedSource], states: list[dict[str, Any]], client: HttpClient,
         parallel: int) -> tuple[float, int, int]:
    """(seconds, articles, errors) for one poll of every source; updates ``states``."""
    def one(i: int) -> tuple[int, int]:
        result = sources[i].fetch(states[i], client)
        states[i] = result.state
        return len(result.articles), len(result.errors)

    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=parallel) as pool:
        counts = list(pool.map(one, range(len(sources))))
    elapsed = time.perf_counter() - start
    return elapsed, sum(c[0] for c in counts), sum(c[1] for c in counts)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--feeds", type=int, default=500)
    ap.add_argument("--items", type=int, default=20)
    ap.add_argument("--parallel", type=int, default=4, help="fetch threads (http.parallel)")
    ap.add_argument("--per-host", type=int, default=2, help="http.per_host")
    args = ap.parse_args()

    Handler.feeds = {}
    for n in range(args.feeds):
        body = make_feed(n, args.items)
        Handler.feeds[f"/feed{n}.xml"] = (body, '"' + hashlib.sha1(body).hexdigest()[:16] + '"')
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    port = server.server_address[1]
    sources = [FeedSource({"name": f"feed{n}", "kind": "feed",
                           "url": f"http://127.0.0.1:{port}/feed{n}.xml"})
               for n in range(args.feeds)]
    states: list[dict[str, Any]] = [{} for _ in sources]
    size = sum(len(b) for b, _ in Handler.feeds.values())
    print(f"{args.feeds} feeds x {args.items} items ({size / 1e6:.1f} MB), "
          f"parallel={args.parallel}, per_host={args.per_host}")
    with HttpClient({"timeout": 10.0, "retries": 0, "per_host": args.per_host}) as client:
        for label in ("first poll", "conditional re-poll"):
            secs, arts, errs = poll(sources, states, client, args.parallel)
            print(f"{label:20s} {secs:7.2f} s  {args.feeds / secs:8.1f} feeds/s  "
                  f"{arts} articles, {errs} errors")
    server.shutdown()


if __name__ == "__main__":
    main()
