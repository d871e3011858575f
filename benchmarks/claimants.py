"""Claimant look-up speed: find_claimant once per extracted number.

    python3 benchmarks/claimants.py [--mb 1] [--seed 1] [--runs 3] [--dump out.jsonl]
    python3 benchmarks/claimants.py --articles [--mb 1] [--count 3000] [--runs 3]

Uses the synthetic ru/uk/en corpus of benchmarks/scan.py plus the example
articles and the NewsQuant sentences (general English news), extracts every
quantity once, then times find_claimant for each of them, article after
article, as the rules engine calls it.  ``--dump`` writes every answer
as JSON lines, to compare two versions of the module.

``--articles`` instead times the two per-article steps of ingest on the
generated articles of benchmarks/throughput.py (``--mb``) and
benchmarks/ingest.py (``--count``): find_claimant for exactly the calls the
real rules make (recorded while matching), and search.index_text per article.
CPU time (process_time), per run.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import ingest  # noqa: E402
import throughput  # noqa: E402
from scan import make_corpus  # noqa: E402

from monitor import claimants, match  # noqa: E402
from monitor.articles import read_path  # noqa: E402
from monitor.claimants import attribution  # noqa: E402
from monitor.extract import extract  # noqa: E402
from monitor.extract.lang import detect_lang  # noqa: E402
from monitor.models import Article  # noqa: E402
from monitor.rules import load_rules  # noqa: E402
from monitor.search import index_text  # noqa: E402

NEWSQUANT = ROOT.parent / "shared" / "benchmarks" / "newsquant" / "NewsQuant.json"


def texts(mb: float, seed: int) -> list[tuple[str, str]]:
    """(text, lang) for every article of the corpus."""
    out = [(a.text, a.lang) for a in make_corpus(mb, random.Random(seed), 1000)]
    for path in sorted((ROOT / "examples" / "articles").iterdir()):
        for art in read_path(path):
            out.append((art.text, art.lang or detect_lang(art.text)))
    if NEWSQUANT.exists():
        for item in json.loads(NEWSQUANT.read_text(encoding="utf-8")):
            out.append((item["text"], "en"))
    return out


Call = tuple[str, tuple[int, int], tuple[int, int], str]


def recorded_calls(arts: list[Article]) -> list[Call]:
    """The find_claimant calls the real rules make on ``arts``, in order."""
    rules = load_rules(ROOT / "rules")
    calls: list[Call] = []
    real = match.find_claimant

    def record(text: str, sentence: tuple[int, int], at: tuple[int, int], lang: str
               ) -> tuple[str | None, str | None]:
        calls.append((text, sentence, at, lang))
        return real(text, sentence, at, lang)

    match.find_claimant = record  # type: ignore[assignment]
    try:
        for art in arts:
            rules.match(art)
    finally:
        match.find_claimant = real  # type: ignore[assignment]
    # fresh strings, as each new article is: no cached hash, no per-text cache hit
    fresh = {id(t): "".join(list(t)) for t, *_ in calls}
    return [(fresh[id(t)], s, a, lang) for t, s, a, lang in calls]


def per_article(mb: float, count: int, runs: int) -> None:
    sets = {
        "throughput": [Article(id=str(i), title="", url=f"u{i}", source="s", published=None,
                               lang=lang, text=text) for i, (lang, text)
                       in enumerate(throughput.articles(int(mb * 1_000_000), 1))],
        "ingest": list(ingest.generate(count)),
        # the look-up corpus of the default mode (scan.py, examples, NewsQuant)
        "corpus": [Article(id=str(i), title="", url=f"u{i}", source="s", published=None,
                           lang=lang, text=text) for i, (text, lang) in enumerate(texts(mb, 1))],
    }
    for name, arts in sets.items():
        calls = recorded_calls(arts)
        for memo in (False, True):
            times = []
            for _ in range(runs):
                if not memo:  # every sentence new, as in a stream without repeats
                    attribution._SENTS.clear()
                t = time.process_time()
                for c in calls:
                    claimants.find_claimant(*c)
                times.append(time.process_time() - t)
            print(f"{name:10} find_claimant: {len(calls)} calls in {len(arts)} articles, "
                  f"sentence memo {'kept' if memo else 'emptied'} per run, µs/call: "
                  + ", ".join(f"{1e6 * x / max(1, len(calls)):.1f}" for x in times))
        docs = [(a.title, "".join(list(a.text)), a.lang) for a in arts]
        times = []
        for _ in range(runs):
            t = time.process_time()
            for title, text, lang in docs:
                index_text(title, text, lang)
            times.append(time.process_time() - t)
        words = sum(len(text.split()) for _, text, _ in docs) / len(docs)
        print(f"{name:10} index_text: {len(docs)} articles (~{words:.0f} words), µs/article: "
              + ", ".join(f"{1e6 * x / len(docs):.1f}" for x in times))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--mb", type=float, default=1.0)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--dump", help="write every (claimant, relayed) as JSON lines here")
    ap.add_argument("--articles", action="store_true",
                    help="time find_claimant and index_text on generated articles")
    ap.add_argument("--count", type=int, default=3000, help="ingest articles (--articles)")
    args = ap.parse_args()
    if args.articles:
        per_article(args.mb, args.count, args.runs)
        return

    calls = []
    for text, lang in texts(args.mb, args.seed):
        text = "".join(list(text))  # a fresh string: no hash or cache from extraction
        for q in extract(text, lang):
            calls.append((text, (q.sentence_start, q.sentence_end), (q.start, q.end), lang))
    print(f"{len(calls)} look-ups")

    times = []
    answers: list[tuple[str | None, str | None]] = []
    for _ in range(args.runs):
        attribution._SENTS.clear()  # no sentence is known from the run before
        t = time.process_time()
        answers = [claimants.find_claimant(*c) for c in calls]
        times.append(time.process_time() - t)
    print("per call: " + ", ".join(f"{1000 * x / len(calls):.4f} ms" for x in times)
          + " (each article is met again only after all the others; the sentence memo"
            " emptied before each run; CPU time)")
    if args.dump:
        with open(args.dump, "w", encoding="utf-8") as f:
            for (text, sent, at, lang), ans in zip(calls, answers, strict=True):
                f.write(json.dumps({"lang": lang, "sentence": text[sent[0]:sent[1]],
                                    "at": text[at[0]:at[1]], "answer": ans},
                                   ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
