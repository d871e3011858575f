"""Throughput of monitor.extract.extract on generated ru/uk/en articles.

    python3 benchmarks/throughput.py [--mb 20] [--seed 1] [--rules rules] [--sentences]

Articles are assembled from sentence templates written for this benchmark
(figures, dates, calibres and plain prose, like real conflict reporting), so
the text is realistic in density of numbers without copying any outlet.
Prints MB/s, articles/s, quantities found and peak traced memory; memory is
also printed for a quarter of the input to show it stays flat. With ``--rules``
it also times extraction + matching (claimants included) with those rules on
the same articles, after warming the per-word caches on other generated
articles, as a running daemon's are: plain matching, matching that also keeps
near misses (what ingest does), and matching that explains every number
(``figmon scan --explain``).  With ``--sentences``, sentences() and
sentence_at() alone.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
import tracemalloc
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from monitor.extract import extract  # noqa: E402

TEMPLATES = {
    "ru": [
        "По данным разведки, Пхеньян направил в Россию более {n} военнослужащих.",
        "Речь идёт примерно о {k} тысячах солдат и от {a} до {b} единиц бронетехники.",
        "КНДР обеспечивает до {p}% потребностей армии в боеприпасах.",
        "{d} августа {y} года глава ведомства выступил с заявлением в Москве.",
        "Северокорейские артиллеристы привезли 170-мм самоходные установки.",
        "Численность контингента увеличилась с {k} до {k2} тысяч человек.",
        "Эксперты обсуждали ситуацию на фронте и перспективы переговоров.",
        "Бюджет программы составит {f} млрд рублей до конца года.",
        "Ночью противник атаковал регион {a} ударными беспилотниками и {s} ракетами.",
        "Десятки тысяч рабочих могут быть направлены на стройки.",
    ],
    "uk": [
        "За даними розвідки, КНДР відправила до Росії понад {k} тисяч військових.",
        "Буданов заявив, що готується ще близько {k} тис. військовослужбовців.",
        "Північна Корея постачає Росії до {p}% боєприпасів для війни.",
        "{d} серпня {y} року відбулася телефонна розмова лідерів.",
        "Росія за ніч запустила по Україні {a} дронів, з них збито {s}.",
        "Пхеньян може відправити від {a} до {b} тисяч військових до кінця літа.",
        "Виробництво ракет зросло на {p} відсотків за рік.",
        "Аналітики вважають, що ситуація на фронті залишається складною.",
        "Кілька тисяч північнокорейських військових уже перебувають на передовій.",
        "Сума допомоги становить {f} млрд доларів.",
    ],
    "en": [
        "Intelligence services say Pyongyang sent more than {n} soldiers to the region.",
        "The country is preparing roughly {n} more troops and between {a} and {b} vehicles.",
        "Officials said North Korea now provides as much as {p} percent of the ammunition.",
        "The treaty was signed on June {d}, {y} in the capital.",
        "Several thousand workers have also arrived to staff factories.",
        "The package is worth ${f} billion and includes {s} armored vehicles.",
        "Analysts said the front line had barely moved during the winter months.",
        "Shares of the company rose {p}% in early trading on Tuesday.",
        "At least {a} KN-23 ballistic missiles have been fired so far.",
        "Nearly half of the shells fired by the artillery now come from abroad.",
    ],
}


# Sentences without figures: most of a news article is prose.
PROSE = {
    "ru": [
        "Эксперты обсуждали ситуацию на фронте и перспективы переговоров.",
        "Представитель министерства отказался комментировать эти сообщения.",
        "Западные дипломаты выразили обеспокоенность углублением военного сотрудничества.",
        "Официальные лица в Сеуле пока не подтвердили эту информацию.",
        "По словам источника, решение было принято на закрытом совещании.",
        "Журналисты не смогли независимо проверить эти данные.",
    ],
    "uk": [
        "Аналітики вважають, що ситуація на фронті залишається складною.",
        "Речник відомства відмовився коментувати ці повідомлення.",
        "Західні дипломати висловили занепокоєння поглибленням співпраці.",
        "Офіційні особи в Сеулі поки що не підтвердили цю інформацію.",
        "За словами джерела, рішення ухвалили на закритій нараді.",
        "Журналісти не змогли незалежно перевірити ці дані.",
    ],
    "en": [
        "Analysts said the front line had barely moved during the winter months.",
        "A spokesman for the ministry declined to comment on the reports.",
        "Western diplomats voiced concern about the deepening military cooperation.",
        "Officials in Seoul have not yet confirmed the information.",
        "According to the source, the decision was taken at a closed meeting.",
        "Reporters were unable to verify the claims independently.",
    ],
}
# Share of sentences that carry a figure. The seed articles hold 0.3-0.8 quantities
# per KB; 0.12 gives about 1 per KB. --figure-share 0.35 is a dense stress case.
FIGURE_SHARE = 0.12


def _fill(tpl: str, rnd: random.Random) -> str:
    k = rnd.randint(2, 30)
    a = rnd.randint(5, 400)
    return tpl.format(
        n=f"{rnd.randint(1, 99)},{rnd.randint(0, 999):03d}", k=k, k2=k + rnd.randint(1, 9),
        a=a, b=a + rnd.randint(5, 300), p=rnd.randint(1, 90), d=rnd.randint(1, 28),
        y=rnd.randint(2015, 2025), f=f"{rnd.randint(1, 9)},{rnd.randint(1, 9)}",
        s=rnd.randint(1, 60),
    )


def articles(total_bytes: int, seed: int,
             share: float = FIGURE_SHARE) -> Iterator[tuple[str, str]]:
    """(lang, text) articles of 15-40 sentences until ``total_bytes`` of UTF-8."""
    rnd = random.Random(seed)
    made = 0
    langs = list(TEMPLATES)
    while made < total_bytes:
        lang = rnd.choice(langs)
        text = " ".join(
            _fill(rnd.choice(TEMPLATES[lang]), rnd) if rnd.random() < share
            else rnd.choice(PROSE[lang])
            for _ in range(rnd.randint(15, 40)))
        made += len(text.encode("utf-8"))
        yield lang, text


def measure(total_mb: float, seed: int, detect: bool,
            share: float) -> tuple[float, float, int, int, float]:
    docs = list(articles(int(total_mb * 1_000_000), seed, share))
    size = sum(len(t.encode("utf-8")) for _, t in docs)
    extract(docs[0][1], docs[0][0])  # load dictionaries and compile patterns first
    tracemalloc.start()
    t0 = time.process_time()
    found = 0
    for lang, text in docs:
        found += len(extract(text, None if detect else lang))
    dt = time.process_time() - t0
    _cur, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return size / 1e6 / dt, len(docs) / dt, found, peak, size / 1e6


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--mb", type=float, default=20.0)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--detect", action="store_true", help="let extract() detect the language")
    ap.add_argument("--figure-share", type=float, default=FIGURE_SHARE,
                    help="share of sentences holding a figure (default %(default)s)")
    ap.add_argument("--rules", help="a rules folder: also time extraction + matching")
    ap.add_argument("--sentences", action="store_true",
                    help="also time sentences() over each article and sentence_at() every "
                         "200 characters")
    a = ap.parse_args()
    # tracemalloc slows Python down; time a run without it too.
    docs = list(articles(int(a.mb * 1_000_000), a.seed, a.figure_share))
    size = sum(len(t.encode("utf-8")) for _, t in docs)
    extract(docs[0][1], docs[0][0])
    t0 = time.process_time()
    found = sum(len(extract(t, None if a.detect else lang)) for lang, t in docs)
    dt = time.process_time() - t0
    print(f"input            {size / 1e6:8.1f} MB in {len(docs)} articles (ru/uk/en)")
    print(f"throughput       {size / 1e6 / dt:8.2f} MB/s   {len(docs) / dt:8.0f} articles/s "
          f"(CPU time, one core)")
    print(f"quantities       {found:8d}   ({found / (size / 1000):.1f} per KB)")
    if a.sentences:
        from monitor.extract.sentences import sentence_at, sentences

        t0 = time.process_time()
        spans = sum(len(sentences(t)) for _, t in docs)
        dt = time.process_time() - t0
        print(f"sentences()      {size / 1e6 / dt:8.2f} MB/s   ({spans} sentences)")
        calls = 0
        t0 = time.process_time()
        for _, t in docs:
            for pos in range(0, len(t), 200):
                sentence_at(t, pos)
                calls += 1
        dt = time.process_time() - t0
        print(f"sentence_at()    {dt / calls * 1e6:8.2f} µs per call ({calls} calls)")
    if a.rules:
        from monitor.models import Article, NearMissSink
        from monitor.rules import load_rules

        rules = load_rules(a.rules)
        # warm the per-word caches on other articles than those timed, as a running
        # daemon's would be
        for i, (lang, t) in enumerate(articles(200_000, a.seed + 1000, a.figure_share)):
            rules.match(Article(id=f"w{i}", title="", url=f"w{i}", source="bench",
                                published=None, lang=lang, text=t))
        arts = [Article(id=str(i), title="", url=str(i), source="bench", published=None,
                        lang=lang, text=t) for i, (lang, t) in enumerate(docs)]
        t0 = time.process_time()
        obs = sum(len(rules.match(art)) for art in arts)
        dt = time.process_time() - t0
        print(f"with rules       {size / 1e6 / dt:8.2f} MB/s   {len(docs) / dt:8.0f} articles/s "
              f"(extraction + matching, {len(rules.figures)} figures, {obs} observations)")
        # what ingest asks for (near misses too), and `scan --explain` (every verdict)
        for label, sink in (("near misses", NearMissSink), ("every verdict", list)):
            t0 = time.process_time()
            obs = sum(len(rules.match(art, verdicts=sink())) for art in arts)
            dt = time.process_time() - t0
            print(f"  {label:<14} {size / 1e6 / dt:8.2f} MB/s   {len(docs) / dt:8.0f} articles/s "
                  f"({obs} observations)")
        del arts
    del docs
    for mb in (a.mb / 4, a.mb):
        _mbs, _aps, _n, peak, got = measure(mb, a.seed, a.detect, a.figure_share)
        print(f"peak memory      {peak / 1e3:8.0f} KB traced while extracting {got:.1f} MB "
              f"(articles one by one; input held separately)")


if __name__ == "__main__":
    main()
