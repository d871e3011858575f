"""The lazily made tokens of a sentence are _TOKEN's matches, wherever they stand."""

from __future__ import annotations

import random

from monitor.claimants import tokens as T

_PIECES = ["Буданов", "заявил,", "«ГУР»", "10 000", "—", "по", "словам", "U.S.", "it's",
           "a\tb", "x\ny", "\u00a0", "", "(ISW)", "т.д.", "сил-2", "’", "Зеленського:"]


def _expected(text: str, start: int, end: int) -> list[tuple[int, int, str]]:
    return [(m.start(), m.end(), m.group()) for m in T._TOKEN.finditer(text, start, end)]


def test_tokens_match_the_pattern_in_any_order() -> None:
    rnd = random.Random(7)
    for n in range(300):
        text = " ".join(rnd.choice(_PIECES) for _ in range(rnd.randint(0, 30)))
        start = rnd.randint(0, len(text))
        end = rnd.randint(start, len(text))
        toks = T._tokens(text, start, end)
        want = _expected(text, start, end)
        assert toks.words == [w for _, _, w in want]
        order = list(range(len(want)))
        rnd.shuffle(order)
        for k in order:
            if n % 3 == 0:  # the chunk caches emptied between two look-ups
                T._CHUNKS.clear()
                T._OFFSETS.clear()
                T._PACKED.clear()
            tok = toks[k]
            assert (tok.start, tok.end, tok.text) == want[k]
            assert toks.index(tok) == k
        lows, word, cap = toks.arrays()
        assert [(t.low, t.word, t.cap) for t in toks] == list(zip(lows, word, cap, strict=True))
