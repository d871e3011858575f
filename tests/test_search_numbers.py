"""A chunk of ASCII numbers is indexed under its numbers alone, as the full lemma path says."""

from __future__ import annotations

import random

from monitor import search


def _slow(chunk: str, lang: str | None) -> frozenset[str]:
    out: set[str] = set()
    for w in search.words(chunk):
        out |= search._candidates(w, search._langs(w, lang))
    return frozenset(out)


def test_digit_chunks_as_the_lemma_path() -> None:
    rnd = random.Random(5)
    chunks = [str(n) for n in range(1200)] + ["007", "0", "00", "000000"]
    chunks += [str(rnd.randint(0, 10**12)).zfill(rnd.randint(1, 14)) for _ in range(2000)]
    chunks += ["1500.", "5,000", "(12)", "1.5", "10-12", "12's", "3%", "$40", "—", "...",
               "10км", "1500-летие", "US$5", "x1", "2024:", ""]
    for lang in ("ru", "uk", None):
        for chunk in chunks:
            assert search._chunk_lemmas(chunk, lang) == _slow(chunk, lang), chunk
    # not ASCII: the full path, which keeps the word as written
    assert search._chunk_lemmas("٣", "ru") == {"٣"}
