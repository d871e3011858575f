"""Extraction speed on figure-dense text: bulletins where every sentence holds figures.

    python3 benchmarks/dense.py [--mb 2] [--workers N] [--seed 3]
    python3 benchmarks/dense.py --newsquant ../shared/benchmarks/newsquant/NewsQuant.json --mb 8

The sentences are written for this benchmark in the style of daily loss
tallies, ministry bulletins and air-defence reports (ru/uk/en), several
figures each, joined 25 to an article.  It prints MB/s, articles/s and
microseconds per quantity with one worker (CPU time of this process) and with
N worker processes (wall time, through monitor.workers).

With ``--newsquant FILE`` it measures as issue 15 did: NewsQuant's sentences
joined 25 to an article (repeated up to ``--mb``) run through
``figmon quantities --jsonl`` as a whole process (start-up, JSON and all),
with 1 and N workers.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from monitor.extract import extract  # noqa: E402

BULLETIN = {
    "ru": [
        "За сутки силы ПВО сбили {a} беспилотников и {s} крылатых ракет из {b} выпущенных.",
        "Потери противника составили около {k} человек, {s} танков и {a} артиллерийских систем.",
        "В области повреждены {s} жилых домов, {a} автомобилей и {p} км линий электропередачи.",
        "С {d} по {d2} марта эвакуированы более {n} жителей, в том числе {a} детей.",
        "Бюджет ведомства вырос на {p}% и составил {f} млрд рублей против {g} млрд годом ранее.",
        "На складах хранится от {k} до {k2} тысяч тонн зерна, а экспорт упал на {p} процентов.",
        "Ранены {s} человек, ещё {a} обратились за помощью, погибли {p2} мирных жителя.",
    ],
    "uk": [
        "Протягом доби ППО знешкодила {a} дронів і {s} ракет із {b} запущених.",
        "Втрати ворога становлять близько {k} осіб, {s} танків та {a} артсистем.",
        "У громаді пошкоджено {s} будинків, {a} автівок і {p} км електромереж.",
        "З {d} по {d2} березня евакуйовано понад {n} мешканців, серед них {a} дітей.",
        "Видатки зросли на {p}% і сягнули {f} млрд гривень проти {g} млрд торік.",
        "Від {k} до {k2} тисяч тонн зерна чекають на відвантаження, експорт впав на {p} відсотків.",
        "Поранено {s} людей, ще {a} звернулися по допомогу, загинули {p2} цивільних.",
    ],
    "en": [
        "Air defences downed {a} drones and {s} cruise missiles out of {b} launched overnight.",
        "The enemy lost about {k} personnel, {s} tanks and {a} artillery systems in a day.",
        "In the region {s} homes, {a} cars and {p} km of power lines were damaged.",
        "From March {d} to {d2}, more than {n} residents were evacuated, including {a} children.",
        "Spending rose {p}% to ${f} billion, up from ${g} billion a year earlier.",
        "Between {k} and {k2} thousand tonnes of grain await shipment as exports fell {p} percent.",
        "{s} people were wounded, {a} more sought help and {p2} civilians were killed.",
    ],
}
PER_ARTICLE = 25


def _fill(tpl: str, rnd: random.Random) -> str:
    a = rnd.randint(5, 400)
    k = rnd.randint(2, 900)
    d = rnd.randint(1, 20)
    return tpl.format(
        a=a, b=a + rnd.randint(1, 60), s=rnd.randint(1, 60), k=k, k2=k + rnd.randint(5, 90),
        p=rnd.randint(1, 90), p2=rnd.randint(2, 4), d=d, d2=d + rnd.randint(1, 8),
        n=f"{rnd.randint(1, 99)},{rnd.randint(0, 999):03d}",
        f=f"{rnd.randint(1, 90)}.{rnd.randint(1, 9)}",
        g=f"{rnd.randint(1, 90)}.{rnd.randint(1, 9)}")


def articles(total_bytes: int, seed: int) -> Iterator[tuple[str, str]]:
    """(lang, text) articles of 25 bulletin sentences until ``total_bytes`` of UTF-8."""
    rnd = random.Random(seed)
    made = 0
    langs = list(BULLETIN)
    while made < total_bytes:
        lang = rnd.choice(langs)
        text = " ".join(_fill(rnd.choice(BULLETIN[lang]), rnd) for _ in range(PER_ARTICLE))
        made += len(text.encode("utf-8"))
        yield lang, text


def _count(item: tuple[str, str]) -> int:
    return len(extract(item[1], item[0]))


def _newsquant_articles(path: Path, mb: float) -> list[str]:
    """NewsQuant's sentences joined PER_ARTICLE to an article, about ``mb`` MB."""
    import json

    sents = [s["text"] for s in json.loads(path.read_text(encoding="utf-8"))]
    out, size, i = [], 0, 0
    while size < mb * 1_000_000:
        out.append(" ".join(sents[(i + k) % len(sents)] for k in range(PER_ARTICLE)))
        size += len(out[-1].encode("utf-8"))
        i += PER_ARTICLE
    return out


def side_by_side(path: Path, kb: float) -> None:
    """quantulum3 (when installed: it is not a dependency) and figmon on the same
    NewsQuant articles, CPU time on one core."""
    import warnings

    warnings.filterwarnings("ignore")  # its "classifier not installed" warning
    try:
        from quantulum3 import parser  # type: ignore[import-not-found]
    except ImportError:
        sys.exit("quantulum3 is not installed (pip install quantulum3 in another venv)")
    arts = _newsquant_articles(path, kb / 1000)
    size = sum(len(t.encode("utf-8")) for t in arts) / 1000
    speeds = {}
    for name, run in (("quantulum3", parser.parse), ("figmon", lambda t: extract(t, "en"))):
        run("warm up with 5 km")
        t0 = time.process_time()
        found = sum(len(run(t)) for t in arts)
        dt = time.process_time() - t0
        speeds[name] = size / dt
        print(f"{name:<12} {size:6.0f} KB, {found:5d} quantities, {size / dt:9.1f} KB/s "
              f"(CPU time, one core)")
    print(f"figmon is {speeds['figmon'] / speeds['quantulum3']:.0f}× faster on the same text")


def newsquant(path: Path, mb: float, workers: int) -> None:
    import json
    import subprocess
    import tempfile

    lines, size = [], 0
    for text in _newsquant_articles(path, mb):
        lines.append(json.dumps({"id": len(lines), "text": text, "lang": "en"}) + "\n")
        size += len(text.encode("utf-8"))
    with tempfile.NamedTemporaryFile("w", suffix=".jsonl", encoding="utf-8") as f:
        f.writelines(lines)
        f.flush()
        for n in sorted({1, workers}):
            with open(f.name, "rb") as stdin:
                t0 = time.perf_counter()
                out = subprocess.run([sys.executable, "-m", "monitor", "quantities", "--jsonl",
                                      "--workers", str(n)], stdin=stdin, capture_output=True,
                                     check=True, cwd=ROOT).stdout
                dt = time.perf_counter() - t0
            found = sum(len(json.loads(x)["quantities"]) for x in out.splitlines())
            print(f"newsquant {n} worker(s): {size / 1e6:.2f} MB, {found} quantities, "
                  f"{size / 1e6 / dt:.2f} MB/s, {dt / found * 1e6:.1f} µs/quantity "
                  f"(wall time of `figmon quantities --jsonl`)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--mb", type=float, default=2.0)
    ap.add_argument("--seed", type=int, default=3)
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--newsquant", type=Path, default=None,
                    help="NewsQuant.json: time `figmon quantities --jsonl` as issue 15 did")
    ap.add_argument("--quantulum3", type=float, default=None, metavar="KB",
                    help="with --newsquant: quantulum3 and figmon side by side on KB of it")
    a = ap.parse_args()
    if a.newsquant is not None and a.quantulum3:
        side_by_side(a.newsquant, a.quantulum3)
        return
    if a.newsquant is not None:
        newsquant(a.newsquant, a.mb, a.workers)
        return
    docs = list(articles(int(a.mb * 1_000_000), a.seed))
    size = sum(len(t.encode("utf-8")) for _, t in docs) / 1e6
    extract(docs[0][1], docs[0][0])  # load dictionaries and compile patterns first
    t0 = time.process_time()
    found = sum(_count(d) for d in docs)
    dt = dt1 = time.process_time() - t0
    print(f"input            {size:8.2f} MB in {len(docs)} articles of {PER_ARTICLE} "
          f"bulletin sentences (ru/uk/en), {found} quantities ({found / size / 1000:.1f} per KB)")
    print(f"1 worker         {size / dt:8.2f} MB/s {len(docs) / dt:8.0f} articles/s "
          f"{dt / found * 1e6:6.1f} µs/quantity (CPU time)")
    if a.workers > 1:
        from monitor.workers import Pool

        before = os.times()
        with Pool(a.workers) as pool:
            pool.warm()
            t0 = time.perf_counter()
            got = sum(pool.map(_count, docs))
            dt = time.perf_counter() - t0
        cpu = os.times().children_user - before.children_user  # the workers', once ended
        assert got == found, (got, found)
        print(f"{a.workers} workers        {size / dt:8.2f} MB/s {len(docs) / dt:8.0f} articles/s "
              f"{dt / found * 1e6:6.1f} µs/quantity (wall time)")
        # On a shared machine the wall time depends on the cores other work leaves free:
        # the CPU the workers used shows what the pool itself costs.
        print(f"                 workers used {cpu:.2f} s CPU for {dt:.2f} s wall "
              f"({cpu / dt:.2f} cores busy; one core alone took {dt1:.2f} s)")


if __name__ == "__main__":
    main()
