"""Matching quantities to figures, with quantities built by hand.

The quantities are given explicitly (as the extractor would give them), so these
tests pin the rule engine itself: clause-local exclude/require, lookback,
elided nouns, count vs percent, inflected and multi-word terms, scopes and the
per-claimant track.  Expected figures are worked out by reading the sentences.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from monitor.extract.sentences import sentences
from monitor.models import Article, Quantity
from monitor.rules import RuleSet, load_rules

ROOT = Path(__file__).resolve().parent.parent


def art(text: str, lang: str, title: str = "") -> Article:
    return Article(id="t", title=title, url="test://a", source="test", published="2025-08-15",
                   lang=lang, text=text)


def q(text: str, surface: str, low: float | None, high: float | None, qualifier: str,
      unit: str | None = None, noun: str | None = None, kind: str = "count") -> Quantity:
    """A quantity at ``surface`` in ``text``; ``noun`` is the counted noun phrase in it."""
    start = text.index(surface)
    end = start + len(surface)
    s0, s1 = next((a, b) for a, b in sentences(text) if a <= start < b)
    u0 = u1 = None
    if noun is not None:
        u0 = text.index(noun, start)
        u1 = u0 + len(noun)
    return Quantity(low=low, high=high, qualifier=qualifier, change=None, unit=unit,
                    surface=surface, start=start, end=end, kind=kind, sentence_start=s0,
                    sentence_end=s1, unit_start=u0, unit_end=u1)


def found(rules: RuleSet, article: Article, qs: list[Quantity]) -> set[tuple[object, ...]]:
    return {(o.figure, o.low, o.high, o.qualifier) for o in rules.match(article, qs)}


def test_two_figures_in_one_sentence_each_get_their_own_clause(shipped: RuleSet) -> None:
    text = ("Pyongyang sent more than 10,000 soldiers in 2024, "
            "and about 6,000 more are being prepared.")
    qs = [q(text, "more than 10,000 soldiers", 10000, None, "more_than", "soldier", "soldiers"),
          q(text, "about 6,000", 6000, 6000, "approx")]
    # "more" belongs to 6,000's clause only; 6,000 has no noun and inherits "soldiers"
    assert found(shipped, art(text, "en"), qs) == {
        ("dprk-troops", 10000, None, "more_than"),
        ("dprk-troops-additional", 6000, 6000, "approx"),
    }


def test_the_previous_sentence_lends_subject_and_qualifying_terms(shipped: RuleSet) -> None:
    text = ("Буданов предупредил, что Северная Корея планирует перебросить в Россию "
            "дополнительные войска. По его данным, речь идет об около 6 тысяч военнослужащих "
            "и от 50 до 100 единиц техники, включая танки.")
    qs = [q(text, "около 6 тысяч военнослужащих", 6000, 6000, "approx", "военнослужащий",
            "военнослужащих"),
          q(text, "от 50 до 100 единиц техники", 50, 100, "range", "единица",
            "единиц техники")]
    assert found(shipped, art(text, "ru"), qs) == {
        ("dprk-troops-additional", 6000, 6000, "approx"),
        ("dprk-equipment", 50, 100, "range"),
    }


def test_without_lookback_the_next_sentence_has_no_subject(tmp_path: Path) -> None:
    (tmp_path / "r.yaml").write_text(
        "figures:\n  - id: t\n    title: T\n    kind: count\n    lookback: 0\n"
        "    subject: [КНДР]\n    measure: [солдат]\n", encoding="utf-8")
    text = "КНДР готовит войска. Речь идет о 6 тысячах солдат."
    qs = [q(text, "6 тысячах солдат", 6000, 6000, "exact", "солдат", "солдат")]
    assert found(load_rules(tmp_path), art(text, "ru"), qs) == set()


def test_a_count_rule_never_takes_a_share_and_a_percent_rule_only_shares(
        shipped: RuleSet) -> None:
    text = ("КНДР обеспечивает до 40% боеприпасов российской армии и уже передала ей "
            "более 5 миллионов снарядов.")
    qs = [q(text, "до 40%", None, 40, "up_to", "%", kind="percent"),
          q(text, "более 5 миллионов снарядов", 5_000_000, None, "more_than", "снаряд",
            "снарядов")]
    assert found(shipped, art(text, "ru"), qs) == {
        ("dprk-ammo-share", None, 40, "up_to"),
        ("dprk-shells", 5_000_000, None, "more_than"),
    }


def test_a_share_of_troops_is_not_a_troop_count(shipped: RuleSet) -> None:
    text = "За год КНДР потеряла около 30% солдат, отправленных в Россию."
    qs = [q(text, "около 30%", 30, 30, "approx", "%", kind="percent")]
    assert found(shipped, art(text, "ru"), qs) == set()


@pytest.mark.parametrize("text, surface, noun, unit, lang", [
    ("Пхеньян направил в Россию более 10 000 военнослужащих.", "более 10 000 военнослужащих",
     "военнослужащих", "военнослужащий", "ru"),
    ("По оценке Сеула, из Северной Кореи прибыли более 10 000 солдат.",
     "более 10 000 солдат", "солдат", "солдат", "ru"),
    ("Із Північної Кореї до Росії прибуло понад 10 000 військовослужбовців.",
     "понад 10 000 військовослужбовців", "військовослужбовців", "військовослужбовець", "uk"),
    ("Північнокорейських військових у Курській області — понад 10 000 вояків.",
     "понад 10 000 вояків", "вояків", "вояк", "uk"),
    ("North Korea's army has deployed more than 10,000 troops.",
     "more than 10,000 troops", "troops", "troop", "en"),
])
def test_terms_match_every_case_form_and_multiword_subjects(
        shipped: RuleSet, text: str, surface: str, noun: str, unit: str, lang: str) -> None:
    qs = [q(text, surface, 10000, None, "more_than", unit, noun)]
    assert found(shipped, art(text, lang), qs) == {("dprk-troops", 10000, None, "more_than")}


def test_no_subject_no_figure(shipped: RuleSet) -> None:
    text = "Россия перебросила в Курскую область более 10 000 солдат."
    qs = [q(text, "более 10 000 солдат", 10000, None, "more_than", "солдат", "солдат")]
    assert found(shipped, art(text, "ru"), qs) == set()


def test_casualties_are_not_troop_totals(shipped: RuleSet) -> None:
    text = "По данным Киева, в боях погибли более 600 северокорейских солдат."
    qs = [q(text, "более 600 северокорейских солдат", 600, None, "more_than", "солдат",
            "северокорейских солдат")]
    assert found(shipped, art(text, "ru"), qs) == {("dprk-casualties", 600, None, "more_than")}


def _write(tmp_path: Path, body: str) -> RuleSet:
    (tmp_path / "r.yaml").write_text("figures:\n" + body, encoding="utf-8")
    return load_rules(tmp_path)


def test_scope_article_takes_the_subject_from_the_title(tmp_path: Path) -> None:
    rules = _write(tmp_path, "  - id: a\n    title: A\n    kind: count\n    scope: article\n"
                   "    subject: [Pyongyang]\n    measure: [troops]\n"
                   "  - id: s\n    title: S\n    kind: count\n    lookback: 0\n"
                   "    subject: [Pyongyang]\n    measure: [troops]\n")
    text = "Officials said 900 troops arrived last week."
    qs = [q(text, "900 troops", 900, 900, "exact", "troop", "troops")]
    assert found(rules, art(text, "en", title="Pyongyang's new deployment"), qs) == {
        ("a", 900, 900, "exact")}


def test_stems_exact_words_and_require(tmp_path: Path) -> None:
    rules = _write(tmp_path, "  - id: g\n    title: G\n    kind: count\n"
                   "    measure: [бронетранспортер*]\n    require: [=ещё, додатков*]\n")
    ok_ru = "Прибыли ещё 40 бронетранспортеров."
    ok_uk = "Прибули додаткові 40 бронетранспортерів."
    no = "Прибыли 40 бронетранспортеров."
    for text, lang, want in [(ok_ru, "ru", 1), (ok_uk, "uk", 1), (no, "ru", 0)]:
        surface = "40 бронетранспортер"
        qs = [q(text, surface, 40, 40, "exact", "бронетранспортер", surface[3:])]
        assert len(found(rules, art(text, lang), qs)) == want, text


def test_per_claimant_rules_fill_the_track(tmp_path: Path) -> None:
    rules = _write(tmp_path, "  - id: c\n    title: C\n    kind: count\n    per_claimant: true\n"
                   "    measure: [troops]\n  - id: n\n    title: N\n    kind: count\n"
                   "    measure: [troops]\n")
    text = "According to the Pentagon, about 11,000 troops are in Kursk."
    qs = [q(text, "about 11,000 troops", 11000, 11000, "approx", "troop", "troops")]
    obs = {o.figure: o for o in rules.match(art(text, "en"), qs)}
    assert obs["n"].track == ""
    assert obs["c"].claimant and "pentagon" in obs["c"].claimant.lower()
    assert obs["c"].track == obs["c"].claimant.lower()


def test_observation_fields(shipped: RuleSet) -> None:
    text = "Первая фраза. Пхеньян направил более 10 000 солдат.\nИ ещё одна."
    qs = [q(text, "более 10 000 солдат", 10000, None, "more_than", "солдат", "солдат")]
    (o,) = shipped.match(art(text, "ru"), qs)
    assert (o.figure, o.article, o.published, o.unit) == (
        "dprk-troops", "test://a", "2025-08-15", "солдат")
    assert o.quote == "Пхеньян направил более 10 000 солдат."
    assert o.surface == "более 10 000 солдат"
    assert text[o.start:o.end] == o.surface


def test_the_same_value_twice_in_one_article_is_one_observation(shipped: RuleSet) -> None:
    text = "КНДР отправила 11 000 солдат. Повторим: КНДР отправила 11 000 солдат."
    first = q(text, "11 000 солдат", 11000, 11000, "exact", "солдат", "солдат")
    second_at = text.index("11 000 солдат", first.end)
    s0, s1 = sentences(text)[1]
    second = Quantity(11000, 11000, "exact", None, "солдат", "11 000 солдат", second_at,
                      second_at + 13, sentence_start=s0, sentence_end=s1,
                      unit_start=second_at + 7, unit_end=second_at + 13)
    assert len(shipped.match(art(text, "ru"), [first, second])) == 1


def test_a_unit_that_is_no_noun_does_not_block_the_elided_measure(shipped: RuleSet) -> None:
    text = ("КНДР в 2024 году отправила более 10 000 солдат, а также около 6 тысяч "
            "дополнительно готовит к отправке.")
    qs = [q(text, "более 10 000", 10000, None, "more_than", "солдат", "солдат"),
          # an adverb given as the counted noun must not hide that 6 000 are soldiers too
          q(text, "около 6 тысяч", 6000, 6000, "approx", "дополнительно", "дополнительно")]
    assert found(shipped, art(text, "ru"), qs) == {
        ("dprk-troops", 10000, None, "more_than"),
        ("dprk-troops-additional", 6000, 6000, "approx"),
    }


@pytest.mark.parametrize("text, lang, want", [
    ("Северная Корея передала России 100 ракет и 50 гаубиц, а также направила 3 000 инженеров.",
     "ru", {("dprk-missiles", 100, 100, "exact"), ("dprk-equipment", 50, 50, "exact"),
            ("dprk-troops", 3000, 3000, "exact")}),
    ("North Korea sent 11,000 troops and 100 howitzers to Russia.", "en",
     {("dprk-troops", 11000, 11000, "exact"), ("dprk-equipment", 100, 100, "exact")}),
    # missiles are counted whether supplied or fired; fired ones are no equipment supplied
    ("Russia fired 40 North Korean missiles at Kyiv overnight.", "en",
     {("dprk-missiles", 40, 40, "exact")}),
])
def test_several_figures_in_one_sentence_with_real_extraction(
        shipped: RuleSet, text: str, lang: str, want: set[tuple[object, ...]]) -> None:
    got = {(o.figure, o.low, o.high, o.qualifier) for o in shipped.match(art(text, lang))}
    assert got == want


@pytest.mark.parametrize("term, word, matches", [
    ("солдат", "солдатами", True),
    ("військовий", "військових", True),
    ("військовослужбовець", "військовослужбовцями", True),
    ("военнослужащий", "военнослужащих", True),
    ("боеприпас", "боеприпасов", True),
    ("troops", "troop", True),
    ("casualties", "casualty", True),
    ("дополнительн*", "дополнительные", True),
    ("=ещё", "еще", True),  # ё and е are one letter for matching
    ("=more", "mores", False),
    ("солдат", "солдатка", False),
])
def test_a_term_matches_its_inflected_forms(term: str, word: str, matches: bool) -> None:
    from monitor.match import compile_word, norm

    assert compile_word(term).matches(norm(word)) is matches
