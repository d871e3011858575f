"""Who said it: table-driven cases in ru/uk/en plus the seed articles."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from monitor.articles import read_path
from monitor.claimants import article_relay, find_claimant, is_outlet
from monitor.extract.sentences import sentences

CASES_FILE = Path(__file__).parent / "cases" / "claimants.yaml"
CASES: list[dict[str, Any]] = yaml.safe_load(CASES_FILE.read_text(encoding="utf-8"))["cases"]


def locate(text: str, surface: str, nth: int = 0) -> tuple[tuple[int, int], tuple[int, int]]:
    """(sentence span, quantity span) of the nth occurrence of ``surface``."""
    start = -1
    for _ in range(nth + 1):
        start = text.index(surface, start + 1)
    at = (start, start + len(surface))
    for span in sentences(text):
        if span[0] <= start < span[1]:
            return span, at
    raise AssertionError(f"no sentence holds {surface!r}")


def claim(text: str, surface: str, lang: str, nth: int = 0) -> tuple[str | None, str | None]:
    sentence, at = locate(text, surface, nth)
    return find_claimant(text, sentence, at, lang)


def test_enough_cases_in_every_language() -> None:
    assert len(CASES) >= 40
    assert {c["lang"] for c in CASES} == {"ru", "uk", "en"}


@pytest.mark.parametrize("case", CASES, ids=[f"{c['lang']}-{i}" for i, c in enumerate(CASES)])
def test_case(case: dict[str, Any]) -> None:
    claimant, relayed = claim(case["text"], case["at"], case["lang"], case.get("nth", 0))
    assert claimant == case["claimant"]
    if "relayed" in case:
        assert relayed == case["relayed"]


def test_seed_000(shared_dir: Path) -> None:
    [art] = read_path(shared_dir / "seeds" / "000_e683ced8c7ec90ba.txt")
    who, relayed = claim(art.text, "более 10 000", "ru")
    assert who == "Южнокорейские и западные разведывательные службы"
    assert relayed == "The Guardian"  # "Об этом сообщает РБК-Украина со ссылкой на The Guardian"
    # "По его данным, ... около 6 тысяч": the pronoun points to the previous sentence
    assert claim(art.text, "около 6 тысяч", "ru")[0] == "Кирилл Буданов"
    assert claim(art.text, "от 50 до 100", "ru")[0] == "Кирилл Буданов"


def test_seed_002(shared_dir: Path) -> None:
    [art] = read_path(shared_dir / "seeds" / "002_ee424784815729a5.txt")
    assert claim(art.text, "до 40%", "ru") == ("Кирилл Буданов", "Bloomberg")
    assert article_relay(art.text) == "Bloomberg, Reuters"


def test_article_level_source_line_applies_to_every_figure() -> None:
    text = ("Джерело: Reuters\nПівнічна Корея відправила понад 10 тисяч військових. "
            "Ще 6 тисяч можуть прибути взимку.")
    assert claim(text, "понад 10 тисяч", "uk") == (None, "Reuters")
    assert claim(text, "6 тисяч", "uk") == (None, "Reuters")


def test_pronoun_without_anyone_before_gives_none() -> None:
    text = "По его словам, КНДР отправила около 3000 военных."
    assert claim(text, "около 3000", "ru") == (None, None)


def test_unknown_language_reads_as_english() -> None:
    text = "North Korea sent 3,000 troops, officials said."
    assert claim(text, "3,000", "de")[0] == "officials"


@pytest.mark.parametrize(("name", "expected"), [
    ("Reuters", True), ("The Guardian", True), ("«Коммерсантъ»", True),
    ("The Korea Times", True), ("РБК-Украина", True),
    ("Пентагон", False), ("South Korean intelligence", False), ("Кирилл Буданов", False),
])
def test_is_outlet(name: str, expected: bool) -> None:
    assert is_outlet(name) is expected


@pytest.mark.parametrize("text", [
    "", ".", "По словам", "по его данным", "said", "Заявил, что 5.", "according to",
    "Источник:", "со ссылкой на", "X" * 500, "По данным , , , 10 000 солдат.",
    "«Буданов» заявил: — 10 000!", "\n\nJust 3 troops\n\n",
])
def test_odd_text_never_raises(text: str) -> None:
    end = len(text)
    for lang in ("ru", "uk", "en"):
        claimant, relayed = find_claimant(text, (0, end), (end // 2, end // 2), lang)
        assert claimant is None or isinstance(claimant, str)
        assert relayed is None or isinstance(relayed, str)


def test_answers_do_not_leak_between_texts_of_the_same_shape() -> None:
    # same length and sentence spans, different speakers: the per-text cache must not mix them
    a = "Seoul said 3,000 troops left. Kyiv said 4,000 more came."
    b = "Tokyo said 3,000 troops left. Paris said 4,000 more came."
    assert claim(a, "3,000", "en")[0] == "Seoul"
    assert claim(b, "3,000", "en")[0] == "Tokyo"
    assert claim(a, "4,000", "en")[0] == "Kyiv"
    assert claim(b, "4,000", "en")[0] == "Paris"


def test_order_of_questions_does_not_change_answers() -> None:
    text = ("Руководитель ГУР Кирилл Буданов выступил в Киеве. По его данным, КНДР готовит "
            "ещё 6 тысяч военных. По словам Зеленского, в Курской области уже 11 тысяч "
            "северокорейцев.\nИсточник: Reuters")
    surfaces = ["6 тысяч", "11 тысяч"]
    expected = {"6 тысяч": ("Кирилл Буданов", "Reuters"), "11 тысяч": ("Зеленский", "Reuters")}
    for order in (surfaces, surfaces[::-1]):
        fresh = "".join(list(text))  # a new string object each round
        for surface in order:
            assert claim(fresh, surface, "ru") == expected[surface]
