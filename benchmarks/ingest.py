"""Ingest N generated articles into a fresh database; print speed, size, memory.

    python benchmarks/ingest.py                      # 100,000 articles
    python benchmarks/ingest.py --count 20000 --rules rules   # real extraction + rules
    python benchmarks/ingest.py --count 20000 --rules rules --workers 2

Articles are generated on the fly (never held in a list), in three languages,
with scrambled publication dates, 20 figures, some tracked per claimant, and
one article in 100 re-sent under another URL (dropped as a duplicate).
Without ``--rules`` a tiny built-in matcher reads the figure from the text, so
the numbers measure the store, deduplication and change detection; with
``--rules DIR`` the real extractor and rules run too.

At each checkpoint it prints: articles offered, seconds, articles/s over the
last interval and overall, database size (file + WAL), current and peak RSS, and
the CPU milliseconds per article of this process so far ("main ms/a": with
``--workers 2`` or more, the writer's share alone; wall-clock rates move with
other load on the machine, CPU time much less).
Flat memory means the RSS column stops growing after the first checkpoint.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import resource
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from monitor.models import Article, Observation  # noqa: E402
from monitor.pipeline import Context, ingest  # noqa: E402
from monitor.rules import Figure  # noqa: E402
from monitor.store import Store  # noqa: E402
from monitor.workers import WRITER_FIRST, Pool  # noqa: E402

WORDS = {
    "en": "officials said the report described forces near the border while analysts "
          "noted that supplies and equipment moved along the rail line during the week".split(),
    "ru": "по словам официальных лиц доклад описывает силы у границы а аналитики отмечают "
          "что снабжение и техника шли по железной дороге в течение недели".split(),
    "uk": "за словами посадовців звіт описує сили біля кордону а аналітики зазначають що "
          "постачання і техніка йшли залізницею протягом тижня".split(),
}
CLAIMANTS = ["NIS", "HUR", "Pentagon", "ISW"]
FIGURE_RE = re.compile(r"FIG (\S+) (\d+) (\S+)", re.I)


class TinyRules:
    """Reads 'FIG <figure> <value> <claimant>' markers: stands in for extraction."""

    def __init__(self, n: int = 20) -> None:
        self.figures = {f"fig-{i}": Figure(
            id=f"fig-{i}", title=f"Figure {i}", kind="count", unit_label="troops",
            measure=("troops",), min_relative=0.05, per_claimant=i % 4 == 0)
            for i in range(n)}

    def match(self, article: Article, verdicts: Any = None) -> list[Observation]:
        out = []
        for m in FIGURE_RE.finditer(article.text):
            value = int(m[2])
            fig = self.figures[m[1].lower()]
            out.append(Observation(
                figure=fig.id, article=article.url, published=article.published, low=value,
                high=value, qualifier="approx", unit="troop", surface=m[2],
                quote=article.text[max(0, m.start() - 80):m.end()], claimant=m[3],
                start=m.start(), end=m.end(), article_id=article.id, source=article.source,
                track=m[3] if fig.per_claimant else ""))
        return out


def generate(count: int, seed: int = 7) -> Iterator[Article]:
    rnd = random.Random(seed)
    start = date(2024, 1, 1)
    for i in range(count):
        lang = ("en", "ru", "uk")[i % 3]
        words = WORDS[lang]
        body = " ".join(rnd.choices(words, k=rnd.randint(150, 300)))
        fig = rnd.randrange(20)
        # a slowly rising value with noise: mostly corroboration, some changes
        value = 10000 + (i // 500) * 100 + rnd.choice((0, 0, 0, 50, 900))
        claimant = rnd.choice(CLAIMANTS)
        day = start + timedelta(days=i // 100 + rnd.randint(-20, 3))
        sentence = {"en": f"Officials said North Korea sent about {value} troops to Russia.",
                    "ru": f"По данным источников, КНДР отправила около {value} военных в Россию.",
                    "uk": f"За даними джерел, КНДР відправила близько {value} військових до Росії."}
        text = f"{body}. {sentence[lang]} FIG fig-{fig} {value} {claimant}. Story {i}."
        art = Article(id=f"b{i}", title=f"Story {i}", url=f"https://bench.example/{i}",
                      source="bench", published=day.isoformat(), lang=lang, text=text)
        yield art
        if i % 100 == 0:  # the same story under another URL
            yield Article(id=f"m{i}", title=art.title, url=f"https://mirror.example/{i}",
                          source="bench", published=art.published, lang=lang,
                          text=text.upper())


def rss_mb() -> float:
    with open("/proc/self/statm") as f:
        pages = int(f.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**10  # KiB on Linux


def db_mb(path: Path) -> float:
    return sum(p.stat().st_size for p in path.parent.glob(path.name + "*")) / 2**20


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--count", type=int, default=100_000, help="articles to generate")
    ap.add_argument("--checkpoints", type=int, default=10)
    ap.add_argument("--db", type=Path, default=None, help="database file (default: temp)")
    ap.add_argument("--rules", type=Path, default=None,
                    help="rules directory: run real extraction and matching")
    ap.add_argument("--chunk", type=int, default=None, help="articles per transaction")
    ap.add_argument("--workers", type=int, default=1,
                    help="processes for extraction and matching (one writer owns SQLite)")
    args = ap.parse_args(argv)

    tmp = None
    if args.db is None:
        tmp = tempfile.TemporaryDirectory(prefix="figmon-bench-")
        args.db = Path(tmp.name) / "bench.db"
    elif args.db.exists():
        sys.exit(f"{args.db} exists: the benchmark needs a fresh database")
    rules: Any
    if args.rules:
        from monitor.rules import load_rules

        rules = load_rules(args.rules)
    else:
        rules = TinyRules()
    store = Store.open(args.db)
    ctx = Context(settings=None, store=store, rules=rules)  # type: ignore[arg-type]
    ctx.pool = Pool(args.workers, rules, nice=WRITER_FIRST)
    ctx.pool.warm()
    kw = {"chunk": args.chunk} if args.chunk else {}

    step = max(1, args.count // args.checkpoints)
    print(f"database {args.db}; {args.count:,} articles; "
          f"{'rules ' + str(args.rules) if args.rules else 'built-in matcher'}; "
          f"{args.workers} worker(s)")
    print(f"{'articles':>9} {'seconds':>8} {'art/s':>8} {'avg art/s':>9} {'db MiB':>8} "
          f"{'rss MiB':>7} {'peak MiB':>8} {'stored':>8} {'events':>7} {'main ms/a':>9}")
    clock = {"t0": time.perf_counter(), "last": time.perf_counter(),
             "cpu0": time.process_time()}

    def checkpoint(done: int) -> None:
        now = time.perf_counter()
        stored, events = (store.db.execute(f"SELECT max(id) FROM {t}").fetchone()[0] or 0
                          for t in ("articles", "events"))
        print(f"{done:>9,} {now - clock['t0']:>8.1f} {step / (now - clock['last']):>8,.0f} "
              f"{done / (now - clock['t0']):>9,.0f} {db_mb(args.db):>8.1f} {rss_mb():>7.1f} "
              f"{peak_mb():>8.1f} {stored:>8,} {events:>7,} "
              f"{(time.process_time() - clock['cpu0']) * 1e3 / done:>9.3f}", flush=True)
        clock["last"] = now

    def metered() -> Iterator[Article]:
        # Checkpoints fire as the pipeline pulls articles: at most one chunk is
        # held in memory, never the whole stream.
        done = 0
        for art in generate(args.count):
            if art.id.startswith("b"):
                if done and done % step == 0:
                    checkpoint(done)
                done += 1
            yield art
        checkpoint(done)

    result = ingest(ctx, "bench", metered(), **kw)
    ctx.pool.close()
    counts = store.counts()
    store.close()
    print(f"offered {result.found:,}, stored {result.new:,}, events {len(result.events):,}")
    print("rows:", ", ".join(f"{k} {v:,}" for k, v in counts.items()))
    if tmp is not None:
        tmp.cleanup()


if __name__ == "__main__":
    main()
