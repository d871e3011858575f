"""The lazily made tokens of a sentence are _TOKEN's matches, wherever they stand;
the quick way past the pronoun patterns misses none of their matches."""

from __future__ import annotations

import random
import re
import sys

from monitor.claimants import tokens as T
from monitor.claimants import vocabulary as V

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


def test_pronoun_spellings_hold_every_case_re_reads_alike() -> None:
    chars = "".join(chr(c) for c in range(sys.maxunicode + 1) if not 0xD800 <= c < 0xE000)
    for letter, cases in V._LETTER_CASES.items():
        assert set(re.findall(re.escape(letter), chars, re.I)) <= set(cases), letter
    # only a space is whitespace that str.isprintable lets through
    assert [c for c in chars if c.isspace() and c.isprintable()] == [" "]
    assert {c for c in chars if re.fullmatch(r"\s", c)} == {c for c in chars if c.isspace()}


def test_pronoun_phrases_with_chunks_as_without() -> None:
    rnd = random.Random(3)
    pieces = ["по", "ЕГО", "его", "Её", "егᲂ", "словам", "за", "їх", "Їхніми", "даними",
              "його", "\u00a0", "\t", "их", "оценкам", "і", ","]
    for lang in ("ru", "uk", "en"):
        for _ in range(400):
            text = " ".join(rnd.choice(pieces) for _ in range(rnd.randint(0, 12)))
            text = text.replace(" \t ", "\t").replace(" \u00a0 ", "\u00a0")
            a = rnd.randint(0, len(text))
            b = rnd.randint(a, len(text))
            chunks = text[a:b].split(" ")
            assert V.pronoun_phrases(text, a, b, lang, chunks) \
                == V.pronoun_phrases(text, a, b, lang)
