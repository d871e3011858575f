"""`figmon serve` on a database of 100,000 articles: requests/s and latency per page.

    python benchmarks/serve.py                        # builds a temporary 100,000-article db
    python benchmarks/serve.py --db /tmp/big.db       # builds it once there, reuses it after
    python benchmarks/serve.py --seconds 5 --clients 4

The database is made the way benchmarks/ingest.py makes it (generated ru/uk/en
articles, 20 figures, some tracked per claimant, the built-in matcher).  The
server runs as a real `figmon serve` subprocess on 127.0.0.1; each page is asked
for by one client in a loop (latency: median and 90th percentile, and requests/s),
then by ``--clients`` clients at once (requests/s).  Target: median < 100 ms.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from ingest import TinyRules, generate  # noqa: E402

from monitor.pipeline import Context, ingest  # noqa: E402
from monitor.store import Store  # noqa: E402

PAGES = [
    ("/", "figures index"),
    ("/figures/fig-1", "figure page (one track)"),
    ("/figures/fig-0", "figure page (claimant tracks)"),
    ("/figures/fig-0?track=NIS.&since=2026-01-01", "figure page, one claimant, dates"),
    ("/api/events", "/api/events (first 1,000)"),
    ("/api/events?since=2026-06-01", "/api/events?since=2026-06-01"),
    ("/events", "events page (50)"),
    ("/events.atom", "Atom feed (100)"),
    ("/api/figures", "/api/figures"),
    ("/articles?q=troops", "search"),
    ("/metrics", "/metrics"),
    ("/status", "/status"),
]


def build(db: Path, count: int) -> None:
    print(f"building {db} with {count:,} articles ...", flush=True)
    t0 = time.perf_counter()
    store = Store.open(db)
    ctx = Context(settings=None, store=store, rules=TinyRules())  # type: ignore[arg-type]
    result = ingest(ctx, "bench", generate(count))
    store.close()
    print(f"  {result.new:,} articles, {len(result.events):,} events in "
          f"{time.perf_counter() - t0:.0f} s", flush=True)


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def timed(client: httpx.Client, url: str) -> float:
    t0 = time.perf_counter()
    r = client.get(url)
    took = time.perf_counter() - t0
    if r.status_code != 200:
        sys.exit(f"{url}: HTTP {r.status_code}: {r.text[:200]}")
    return took


def one_client(base: str, path: str, seconds: float) -> list[float]:
    out: list[float] = []
    with httpx.Client(base_url=base, timeout=60) as client:
        for _ in range(2):  # warm-up: connections, page cache
            timed(client, path)
        end = time.perf_counter() + seconds
        while time.perf_counter() < end or len(out) < 5:
            out.append(timed(client, path))
    return out


def many_clients(base: str, path: str, seconds: float, clients: int) -> float:
    done = [0] * clients
    end = time.perf_counter() + seconds

    def work(i: int) -> None:
        with httpx.Client(base_url=base, timeout=60) as client:
            while time.perf_counter() < end:
                timed(client, path)
                done[i] += 1

    threads = [threading.Thread(target=work, args=(i,)) for i in range(clients)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sum(done) / (time.perf_counter() - t0)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--count", type=int, default=100_000, help="articles in the database")
    ap.add_argument("--db", type=Path, default=None,
                    help="database file: built when missing, reused when present")
    ap.add_argument("--seconds", type=float, default=3.0, help="per page and mode")
    ap.add_argument("--clients", type=int, default=4, help="concurrent clients")
    args = ap.parse_args(argv)

    tmp = tempfile.TemporaryDirectory(prefix="figmon-bench-serve-")
    db = args.db or Path(tmp.name) / "bench.db"
    if not db.exists():
        build(db, args.count)
    with Store.open(db) as store:
        counts = store.counts()
    print(f"database {db}: {counts['articles']:,} articles, {counts['observations']:,} "
          f"observations, {counts['events']:,} events")
    config = Path(tmp.name) / "figmon.yaml"
    config.write_text(f"database: {db.resolve()}\nrules: {Path(tmp.name) / 'no-rules'}\n",
                      encoding="utf-8")
    port = free_port()
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    proc = subprocess.Popen([sys.executable, "-m", "monitor", "serve", "--config", str(config),
                             "--port", str(port)], env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                httpx.get(base + "/metrics", timeout=5)
                break
            except httpx.TransportError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    sys.exit(f"figmon serve did not start: {proc.communicate()[1]}")
                time.sleep(0.2)
        print(f"{'page':<34} {'median ms':>9} {'p90 ms':>7} {'req/s':>7} "
              f"{f'req/s x{args.clients}':>11} {'bytes':>9}")
        for path, name in PAGES:
            lat = one_client(base, path, args.seconds)
            size = len(httpx.get(base + path, timeout=60).content)
            rps = many_clients(base, path, args.seconds, args.clients)
            p90 = statistics.quantiles(lat, n=10)[-1]
            print(f"{name:<34} {statistics.median(lat) * 1000:>9.1f} {p90 * 1000:>7.1f} "
                  f"{len(lat) / sum(lat):>7.1f} {rps:>11.1f} {size:>9,}", flush=True)
    finally:
        proc.terminate()
        proc.wait(timeout=20)
        tmp.cleanup()


if __name__ == "__main__":
    main()
