"""``extract(text, within=...)`` reads numbers only in the given whole sentences and
keeps the rest of the text as context: what it finds is exactly what a full read
finds in those sentences.  The matcher relies on this to skip sentences no subject
can reach."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
import yaml

from monitor.extract import extract
from monitor.extract.sentences import sentence_at, sentences

ROOT = Path(__file__).resolve().parent.parent
CASES = ROOT / "tests" / "cases"

# several sentences, numbers at their edges, a range and a change across words
MIXED = (
    "Pyongyang sent 10,000 troops. 12 of them were wounded. From 3,000 to 4,000 more "
    "may follow, officials said.\n1,500 engineers and about 2 million shells went east. "
    "По данным разведки, в Россию прибыли 11 тысяч военных. Ещё 3 тысячи готовятся. "
    "За тиждень кількість зросла з 8 до 11 тисяч. Близько 40% снарядів — з КНДР."
)


def _texts() -> list[tuple[str, str | None]]:
    out: list[tuple[str, str | None]] = [(MIXED, None)]
    for name in sorted(CASES.glob("*.yaml")):
        data = yaml.safe_load(name.read_text(encoding="utf-8"))
        if not isinstance(data, list):
            continue
        for c in data:
            if isinstance(c, dict) and isinstance(c.get("text"), str):
                out.append((c["text"], c.get("lang")))
    return out


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_within_whole_sentences_finds_what_a_full_read_finds_there(seed: int) -> None:
    rnd = random.Random(seed)
    checked = found = 0
    for text, lang in _texts():
        sents = sentences(text)
        if len(sents) < 2:
            continue
        starts = [a for a, _ in sents]
        ends = [*starts[1:], len(text)]
        keep = sorted(rnd.sample(range(len(sents)), k=max(1, len(sents) // 2)))
        within = [(0 if k == 0 else starts[k], ends[k]) for k in keep]
        full = extract(text, lang)
        expected = [q for q in full if any(lo <= q.start < hi for lo, hi in within)]
        assert extract(text, lang, within=within) == expected, text[:80]
        checked += 1
        found += len(expected)
    assert checked > 100 and found > 100  # real multi-sentence texts with numbers


def test_within_nothing_reads_nothing() -> None:
    assert extract(MIXED, None, within=[]) == []
    assert len(extract(MIXED, None, within=[(0, len(MIXED))])) == len(extract(MIXED))


def test_known_sentences_give_what_looking_them_up_gives() -> None:
    # a sentence longer than sentence_at's look-around window, between short ones
    long = "Officials said " + "the convoy moved on and " * 200 + "12,000 troops arrived."
    texts = [*_texts(), (f"Pyongyang sent 1,000 troops. {long} About 500 more came.", "en")]
    for text, lang in texts:
        assert extract(text, lang, sents=sentences(text)) == extract(text, lang), text[:80]


def test_sentence_at_finds_the_sentence_sentences_gives() -> None:
    checked = 0
    for text, _lang in _texts():
        for a, b in sentences(text):
            for pos in {a, (a + b) // 2, b - 1}:
                assert sentence_at(text, pos) == (a, b), text[a:b]
                checked += 1
    assert checked > 1000
