"""Build and deliver one digest of many events; print time and message sizes.

    python3 benchmarks/digest.py                         # 400 events, 8 figures, 20 subscribers
    python3 benchmarks/digest.py --events 2000 --max-per-figure 0   # no cap

Events are written straight into a fresh database (no extraction), then
``digest.after_run`` renders the archive page and one message per subscriber
into the file outbox. It prints the build time and the largest message, with
the per-figure cap (``digest.max_per_figure``) and without it; Gmail clips a
message body past about 102 KB.
"""

from __future__ import annotations

import argparse
import email
import email.policy
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from monitor import digest  # noqa: E402
from monitor.config import load_config  # noqa: E402
from monitor.models import Article, Event, Observation, Value  # noqa: E402
from monitor.pipeline import Context  # noqa: E402
from monitor.store import Store  # noqa: E402


class _Figure:
    def __init__(self, fid: str) -> None:
        self.id, self.title, self.kind, self.unit_label = fid, f"Figure {fid}", "count", "troops"
        self.min_relative = self.min_absolute = 0.0
        self.per_claimant = False


class _Rules:
    def __init__(self, n: int) -> None:
        self.figures = {f"fig-{i}": _Figure(f"fig-{i}") for i in range(n)}


def run(events: int, figures: int, subscribers: int, cap: int
        ) -> tuple[float, int, int, int]:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        subs = "".join(f"  - email: reader{i}@example.org\n" for i in range(subscribers))
        digest_conf = f"digest:\n  max_per_figure: {cap}\n" if cap else \
            f"digest:\n  max_per_figure: {events}\n"
        (root / "figmon.yaml").write_text(
            "database: figmon.db\nrules: rules\nreports: reports\noutbox: outbox\n"
            + digest_conf + "subscribers:\n" + subs, encoding="utf-8")
        settings = load_config(root / "figmon.yaml")
        store = Store.open(settings.database)
        last: dict[str, Value | None] = {}
        with store.atomic():
            for i in range(events):
                fid = f"fig-{i % figures}"
                value = Value(1000 + 10 * i, 1000 + 10 * i, "approx")
                url = f"https://news.example.org/{i}"
                day = f"2025-{1 + (i // 28) % 12:02d}-{1 + i % 28:02d}"
                quote = f"Officials in the region now count about {value.low:,} soldiers there."
                row, _ = store.add_article(Article(id=url, title=f"Report {i}", url=url,
                                                   source="Wire", published=day, lang="en",
                                                   text=quote), source="bench")
                assert row is not None
                obs = Observation(figure=fid, article=url, published=day, low=value.low,
                                  high=value.high, qualifier="approx", unit=None,
                                  surface=f"about {value.low:,}", quote=quote, claimant=None)
                oid = store.add_observation(row, obs, track="", dated=day)
                store.add_event(Event(fid, "changed" if last.get(fid) else "new", last.get(fid),
                                      value, url, day, observation_id=oid), article_row=row)
                last[fid] = value
        ctx = Context(settings=settings, store=store, rules=_Rules(figures))
        t0 = time.perf_counter()
        digest.after_run(ctx)
        took = time.perf_counter() - t0
        files = list((root / "outbox").rglob("*.eml"))
        html = 0
        for f in files:
            msg = email.message_from_bytes(f.read_bytes(), policy=email.policy.default)
            body = msg.get_body(("html",))  # type: ignore[attr-defined]
            html = max(html, len(body.get_content().encode("utf-8")))
        store.close()
        return took, max(f.stat().st_size for f in files), html, len(files)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--events", type=int, default=400)
    ap.add_argument("--figures", type=int, default=8)
    ap.add_argument("--subscribers", type=int, default=20)
    ap.add_argument("--max-per-figure", type=int, default=10,
                    help="the cap to measure next to no cap (0: no cap only)")
    a = ap.parse_args()
    print(f"{a.events} events, {a.figures} figures, {a.subscribers} subscribers")
    print(f"{'max_per_figure':<16}{'build+deliver s':>16}{'messages':>10}"
          f"{'largest .eml KB':>17}{'its HTML KB':>13}")
    for cap in ([a.max_per_figure] if a.max_per_figure else []) + [0]:
        took, largest, html, count = run(a.events, a.figures, a.subscribers, cap)
        print(f"{cap or 'none':<16}{took:>16.2f}{count:>10}{largest / 1024:>17.1f}"
              f"{html / 1024:>13.1f}")


if __name__ == "__main__":
    main()
