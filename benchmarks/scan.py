"""Scan throughput: the shipped rules vs. the shipped rules plus 1,000 generated ones.

    python3 benchmarks/scan.py [--mb 2] [--rules 1000] [--seed 1]

Builds a synthetic ru/uk/en corpus from sentence templates, writes 1,000
random rules (terms drawn from the same vocabulary, so they really hit) to a
temporary folder, and prints, for both rule sets: load time, full scan
throughput (extraction + matching) and matching-only throughput (quantities
extracted once beforehand).  The goal: 1,000 rules < 2x slower than the
shipped ones.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from monitor.extract import extract  # noqa: E402
from monitor.models import Article, Quantity  # noqa: E402
from monitor.rules import RuleSet, load_rules  # noqa: E402

SUBJECTS = {
    "ru": ["КНДР", "Пхеньян", "Северная Корея", "Россия", "Китай", "Иран", "Минобороны"],
    "uk": ["КНДР", "Пхеньян", "Північна Корея", "Росія", "Китай", "Іран", "Міноборони"],
    "en": ["North Korea", "Pyongyang", "Russia", "China", "Iran", "The ministry"],
}
NOUNS = {
    "ru": ["солдат", "военнослужащих", "снарядов", "ракет", "танков", "беспилотников",
           "контейнеров", "гаубиц", "инженеров", "грузовиков"],
    "uk": ["солдатів", "військових", "снарядів", "ракет", "танків", "безпілотників",
           "контейнерів", "гаубиць", "інженерів", "вантажівок"],
    "en": ["troops", "soldiers", "shells", "missiles", "tanks", "drones", "containers",
           "howitzers", "engineers", "trucks"],
}
TEMPLATES = {
    "ru": ["По данным разведки, {s} передал союзнику около {n} {u}.",
           "{s} готовит ещё {n} {u} и до {p}% боеприпасов для фронта.",
           "Эксперты считают, что {s} отправил более {n} {u}, а также от {n} до {m} {u}.",
           "В понедельник {s} сообщил, что потери превысили {n} {u}.",
           "Погода в регионе остаётся тёплой, а дороги после дождей снова открыты."],
    "uk": ["За даними розвідки, {s} передала союзнику близько {n} {u}.",
           "{s} готує ще {n} {u} та до {p}% боєприпасів для фронту.",
           "Експерти вважають, що {s} відправила понад {n} {u}, а також від {n} до {m} {u}.",
           "У понеділок {s} повідомила, що втрати перевищили {n} {u}.",
           "Погода в регіоні залишається теплою, а дороги після дощів знову відкриті."],
    "en": ["According to intelligence, {s} handed its ally about {n} {u}.",
           "{s} is preparing another {n} {u} and up to {p}% of the ammunition.",
           "Analysts believe {s} sent more than {n} {u}, as well as {n} to {m} {u}.",
           "On Monday {s} said losses had passed {n} {u}.",
           "The weather in the region stays warm and roads are open again after the rain."],
}


TOPIC_TEMPLATES = {
    "ru": "Агентство {s} оценило запасы примерно в {n} тонн {w}.",
    "uk": "Агентство {s} оцінило запаси приблизно в {n} тонн {w}.",
    "en": "The agency in {s} put the stock at about {n} tonnes of {w}.",
}
# measure words analysts' rules share (a rule about wheat and one about oil may both
# count tonnes); each generated rule takes one, besides its own topic word
MEASURE_POOL = ["тонна", "tonnes", "баррель", "barrels", "доллар", "dollars", "гривня",
                "человек", "people", "вагон", "wagons", "тисяча", "units", "единица",
                "одиниця", "літр", "litres", "кубометр", "gigawatts", "megawatts"]


def topic_word(i: int) -> str:
    """A made-up commodity name for generated rule i (stands for wheat, nickel, ...)."""
    letters = "bcdfghklmnprstvz"
    return "q" + "".join(letters[(i >> (4 * k)) & 15] for k in range(3)) + "ite"


def make_corpus(megabytes: float, rnd: random.Random, topics: int) -> list[Article]:
    """Articles of dprk-style sentences, filler, and sentences on generated topics."""
    articles: list[Article] = []
    size = 0
    while size < megabytes * 1_000_000:
        lang = rnd.choice(["ru", "uk", "en"])
        lines = []
        for _ in range(rnd.randint(8, 20)):
            n = rnd.choice([50, 120, 600, 3000, 6000, 10000, 12000])
            template = rnd.choice(TEMPLATES[lang] + [TOPIC_TEMPLATES[lang]])
            lines.append(template.format(
                s=rnd.choice(SUBJECTS[lang]), u=rnd.choice(NOUNS[lang]),
                w=topic_word(rnd.randrange(topics)),
                n=f"{n:,}".replace(",", " " if lang != "en" else ","), m=n * 2,
                p=rnd.choice([10, 25, 40, 60])))
        text = "\n".join(lines)
        size += len(text.encode("utf-8"))
        articles.append(Article(id=str(len(articles)), title="", url=f"gen://{len(articles)}",
                                source="bench", published="2025-08-15", lang=lang, text=text))
    return articles


def make_rules(folder: Path, count: int, rnd: random.Random, shared: bool = False) -> None:
    """Rules like an analyst's: each on its own topic word, sharing common terms.

    With ``shared`` every rule also lists "тонна"/"tonnes", so every number on a
    generated topic is a candidate for all of them: the worst case.
    """
    vocab_subject = [w for ws in SUBJECTS.values() for w in ws]
    lines = ["figures:"]
    for i in range(count):
        kind = rnd.choice(["count", "count", "count", "percent"])
        w = topic_word(i)
        subject = rnd.sample(vocab_subject, 3) + [f"{w}*"]
        measure = [w, rnd.choice(MEASURE_POOL)] if not shared else ["тонна", "tonnes", w]
        exclude = [rnd.choice(["ещё", "ще", "another", "потер*", "дополнительн*"]),
                   f"{w}-free", f"без {w}"]
        require = [w]
        lines += [f"  - id: gen-{i}", f"    title: Generated {i}", f"    kind: {kind}",
                  f"    subject: [{', '.join(subject)}]", f"    measure: [{', '.join(measure)}]",
                  f"    exclude: [{', '.join(exclude)}]", f"    require: [{', '.join(require)}]"]
    (folder / "generated.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")


def best_of(runs: int, work: Callable[[], int]) -> tuple[float, int]:
    """The fastest of ``runs`` timings (the machine is shared) and the work's result."""
    best, result = float("inf"), 0
    for _ in range(runs):
        t = time.perf_counter()
        result = work()
        best = min(best, time.perf_counter() - t)
    return best, result


def measure(name: str, rules: RuleSet, articles: list[Article],
            quantities: list[list[Quantity]], megabytes: float,
            runs: int) -> tuple[float, float]:
    full, n_full = best_of(runs, lambda: sum(len(rules.match(a)) for a in articles))
    only, n_match = best_of(runs, lambda: sum(
        len(rules.match(a, qs)) for a, qs in zip(articles, quantities, strict=True)))
    assert n_full == n_match
    print(f"{name:<28} {len(rules.figures):>5} figures  scan {megabytes / full:6.2f} MB/s  "
          f"match-only {megabytes / only:7.2f} MB/s  ({n_full} observations)")
    return full, only


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--mb", type=float, default=2.0, help="corpus size in MB (default 2)")
    ap.add_argument("--rules", type=int, default=1000, help="generated rules (default 1000)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--runs", type=int, default=3, help="timings per figure; the best counts")
    ap.add_argument("--shared-measure", action="store_true",
                    help="worst case: every generated rule counts tonnes")
    args = ap.parse_args()
    rnd = random.Random(args.seed)

    articles = make_corpus(args.mb, rnd, args.rules)
    mb = sum(len(a.text.encode("utf-8")) for a in articles) / 1_000_000
    print(f"corpus: {len(articles)} articles, {mb:.2f} MB (ru/uk/en)")

    t = time.perf_counter()
    shipped = load_rules(ROOT / "rules")
    _ = shipped.matcher
    print(f"load shipped rules: {time.perf_counter() - t:.2f} s")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for f in (ROOT / "rules").glob("*.yaml"):
            (folder / f.name).write_bytes(f.read_bytes())
        make_rules(folder, args.rules, rnd, args.shared_measure)
        t = time.perf_counter()
        many = load_rules(folder)
        _ = many.matcher
        print(f"load shipped + {args.rules} generated rules: {time.perf_counter() - t:.2f} s")

    t = time.perf_counter()
    quantities = [extract(a.text, a.lang) for a in articles]
    ext = time.perf_counter() - t
    print(f"extraction alone: {mb / ext:.2f} MB/s")

    runs = args.runs
    base_full, base_only = measure("shipped rules", shipped, articles, quantities, mb, runs)
    many_full, many_only = measure(f"shipped + {args.rules} generated", many, articles,
                                   quantities, mb, runs)
    print(f"slowdown with {len(many.figures)} rules: scan x{many_full / base_full:.2f}, "
          f"match-only x{many_only / base_only:.2f}  (goal < x2)")

    # the rule engine alone: claimant look-ups cost the same per observation whatever
    # the rule count, so leave them out to see how the index itself scales
    import monitor.match as match  # match binds find_claimant when it is imported

    def engine(rules: RuleSet) -> Callable[[], int]:
        return lambda: sum(len(rules.match(a, qs))
                           for a, qs in zip(articles, quantities, strict=True))

    real = match.find_claimant
    match.find_claimant = lambda *_: (None, None)
    try:
        base, _ = best_of(runs, engine(shipped))
        more, _ = best_of(runs, engine(many))
    finally:
        match.find_claimant = real
    print(f"rule engine only (no claimant look-up): shipped {mb / base:.2f} MB/s, "
          f"{len(many.figures)} rules {mb / more:.2f} MB/s, x{more / base:.2f}")


if __name__ == "__main__":
    main()
