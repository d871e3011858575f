"""The quick checks that let extraction skip a regex give the regex's own answer."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest

from monitor.extract import base, digits, filters, parse, patterns
from monitor.models import Quantity

CASES = Path(__file__).parent / "cases"

# Windows written for this test: each ends where a number would start.
WINDOWS = [
    "the S&P ", "rose on the S & P ", "Hang Seng ", "the hang  seng\u00a0", "Model ",
    "in category ", "категории ", "снаряды калибра ", "калібру ", "в возрасте от ",
    "No. ", "статья ", "частини ", "уровень с ", "leveled ", "a model", "flight\n",
    "Model X ", "supermodel ", "x-model ", "Dow ", "shadow ", "пункт з ", "розпункт ",
]


def _texts() -> list[str]:
    out = list(WINDOWS)
    for path in sorted(CASES.rglob("*.yaml")):
        out.extend(re.findall(r"text: ?\"?(.+)", path.read_text(encoding="utf-8")))
    return out


def test_the_index_name_check_agrees_with_its_regex_on_every_window() -> None:
    checked = hits = 0
    for text in _texts():
        for end in range(len(text) + 1):
            before = text[max(0, end - 30):end]
            want = filters._INDEX_BEFORE.search(before) is not None
            assert filters._index_before(before) is want, before
            checked += 1
            hits += want
    assert checked > 10_000 and hits >= 15  # both answers were exercised


@pytest.mark.parametrize("end", ["p", "seng", "no.", "model", "от", "віці"])
def test_the_index_word_endings_come_from_the_regex(end: str) -> None:
    assert end in filters._INDEX_ENDS


# Strings written for this test: number words after spaces, punctuation, apostrophes,
# digits and letters; other scripts' digits; ё for е.
ANCHOR_TEXTS = [
    "два", " два,три(четыре)", "п'ять п’ять пʼять", "x'два", "аДВА два5 5два", "١٢ ٣",
    "12,500 and twenty-one", "Сёмь сёмь ШЕСТЬ\u00a0шесть\nсемь", "_5 é5 ²5", "(тысячи)",
    "«сто»", "one—two–three", "ONE Two tHREE", "mil'йон", "", "5", "-", "дваа два",
]


def test_the_anchor_scanners_find_what_the_anchor_regex_finds() -> None:
    pattern = base._anchor()
    for text in ANCHOR_TEXTS + _texts():
        want = [(m.start(), m.end(), m.group("d") is not None) for m in pattern.finditer(text)]
        assert base._anchors(text) == want, text


def test_a_quantity_built_slot_by_slot_equals_the_constructed_one() -> None:
    fields = dict(low=1, high=None, qualifier="more_than", change="up", unit="troop",
                  surface="more than 1 troop", start=3, end=20, kind="count", vague=False,
                  unit_start=12, unit_end=20)
    # the quick path is in use: a change to Quantity's fields must update base._FIELDS
    assert base._FAST
    made = base._quantity(*fields.values())
    assert made == Quantity(**fields)
    assert repr(made) == repr(Quantity(**fields))
    changed = base._replace(made, role="to", link=7, low=2)
    assert changed == dataclasses.replace(made, role="to", link=7, low=2)
    assert made.role is None  # the original is left as it was


def test_a_plain_character_after_a_number_rules_out_what_its_check_skips() -> None:
    rests = ["", ".m.", "m.", "m", "mt", "tc", "st", "dt", "et", "ск", ". 5", "10", "10^3",
             "10−3", "undred", ":30", " 10"]
    for c in base._PLAIN_AFTER:
        for gap in ("", " "):
            for rest in rests:
                text = "5" + gap + c + rest
                assert base._plain_after(text, 1)
                assert not patterns.TIME_AFTER.match(text, 1), text
                assert not digits._SCIENTIFIC.match(text, 1), text
                assert not parse._HUNDRED_AFTER.match(text, 1), text
