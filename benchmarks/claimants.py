"""Claimant look-up speed: find_claimant once per extracted number.

    python3 benchmarks/claimants.py [--mb 1] [--seed 1] [--runs 3] [--dump out.jsonl]

Uses the synthetic ru/uk/en corpus of benchmarks/scan.py plus the example
articles and the NewsQuant sentences (general English news), extracts every
quantity once, then times find_claimant for each of them, article after
article, as the rules engine calls it.  ``--dump`` writes every answer
as JSON lines, to compare two versions of the module.
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

from scan import make_corpus  # noqa: E402

from monitor import claimants  # noqa: E402
from monitor.articles import read_path  # noqa: E402
from monitor.extract import extract  # noqa: E402
from monitor.extract.lang import detect_lang  # noqa: E402

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


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--mb", type=float, default=1.0)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--dump", help="write every (claimant, relayed) as JSON lines here")
    args = ap.parse_args()

    calls = []
    for text, lang in texts(args.mb, args.seed):
        text = "".join(list(text))  # a fresh string: no hash or cache from extraction
        for q in extract(text, lang):
            calls.append((text, (q.sentence_start, q.sentence_end), (q.start, q.end), lang))
    print(f"{len(calls)} look-ups")

    times = []
    answers: list[tuple[str | None, str | None]] = []
    for _ in range(args.runs):
        t = time.perf_counter()
        answers = [claimants.find_claimant(*c) for c in calls]
        times.append(time.perf_counter() - t)
    print("per call: " + ", ".join(f"{1000 * x / len(calls):.4f} ms" for x in times)
          + " (each article is met again only after all the others)")
    if args.dump:
        with open(args.dump, "w", encoding="utf-8") as f:
            for (text, sent, at, lang), ans in zip(calls, answers, strict=True):
                f.write(json.dumps({"lang": lang, "sentence": text[sent[0]:sent[1]],
                                    "at": text[at[0]:at[1]], "answer": ans},
                                   ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
