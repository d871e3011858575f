"""How far a figure's subject reaches, whose number it is, bounds, one-sentence
changes and shares kept by a count figure.

Quantities come from the real extractor unless a test pins the matcher alone.
Each expected figure is worked out by reading the sentence.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from test_rules_match import art

from monitor.models import SHARE_TRACK, Value, Verdict
from monitor.rules import RuleSet, load_rules

ROOT = Path(__file__).resolve().parent.parent


def got(rules: RuleSet, text: str, lang: str, title: str = "") -> set[tuple[object, ...]]:
    return {(o.figure, o.low, o.high, o.qualifier) for o in rules.match(art(text, lang, title))}


def _rules(tmp_path: Path, body: str) -> RuleSet:
    (tmp_path / "r.yaml").write_text("figures:\n" + body, encoding="utf-8")
    return load_rules(tmp_path)


REACH = ("  - id: t\n    title: T\n    kind: count\n    subject: [Pyongyang]\n"
         "    measure: [soldiers]\n    lookback: {lookback}\n    headline: {headline}\n")


@pytest.mark.parametrize("headline, want", [("true", 1), ("false", 0)])
def test_the_headline_lends_its_subject_only_when_the_rule_says_so(
        tmp_path: Path, headline: str, want: int) -> None:
    rules = _rules(tmp_path, REACH.format(lookback=1, headline=headline))
    text = "Officials gave new numbers on Monday. About 900 soldiers arrived last week."
    assert len(got(rules, text, "en", title="Pyongyang's second wave")) == want


@pytest.mark.parametrize("between, want", [(2, 1), (3, 0)])
def test_lookback_counts_sentences_back_to_the_subject(
        tmp_path: Path, between: int, want: int) -> None:
    rules = _rules(tmp_path, REACH.format(lookback=3, headline="false"))
    filler = " ".join(["The weather was cold."] * between)
    text = f"Pyongyang moved a brigade north. {filler} About 900 soldiers arrived."
    assert len(got(rules, text, "en")) == want


@pytest.mark.parametrize("text, lang, want", [
    # the subject two sentences back, with a sentence of colour between
    ("Северная Корея продолжает помогать Москве. Переброска идёт по железной дороге. "
     "Сейчас в Курской области находятся около 11 тысяч солдат.", "ru",
     {("dprk-troops", 11000, 11000, "approx")}),
    ("North Korea has stood by Moscow all year. Trains have run all month. "
     "Some 12,000 soldiers are now at the front, officials say.", "en",
     {("dprk-troops", 12000, 12000, "approx")}),
    # a rival that only names the source or the place does not take the number away
    ("Пхеньян не зупиняє перекидання сил. За даними української розвідки, у Курській "
     "області вже понад 11 тисяч військових.", "uk",
     {("dprk-troops", 11000, None, "more_than")}),
    ("Pyongyang keeps sending men. About 14,000 soldiers are now in Russia, Ukrainian "
     "intelligence says.", "en", {("dprk-troops", 14000, 14000, "approx")}),
])
def test_the_subject_reaches_across_sentences(
        shipped: RuleSet, text: str, lang: str, want: set[tuple[object, ...]]) -> None:
    assert got(shipped, text, lang) == want


@pytest.mark.parametrize("text, lang, want", [
    # the other side's numbers in the same article or the same sentence stay out
    ("North Korea has sent engineers to Kursk. Russia has lost 1,150 soldiers in a day, "
     "Ukraine's General Staff says.", "en", set()),
    ("Russia has massed about 60,000 troops near Kursk, including some 11,000 North "
     "Koreans.", "en", {("dprk-troops", 11000, 11000, "approx")}),
    ("КНДР передала России около 200 гаубиц, а Украина получила от союзников 40 танков.",
     "ru", {("dprk-equipment", 200, 200, "approx")}),
    ("Присутність військ КНДР на Курщині підтвердили в Сеулі. Українські сили за тиждень "
     "втратили 300 осіб убитими, а російські — понад 2 тисячі.", "uk", set()),
    ("Пхеньян усилил контингент. Российская армия потеряла за сутки 1200 военных.", "ru",
     set()),
])
def test_numbers_whose_actor_is_another_side_are_not_taken(
        shipped: RuleSet, text: str, lang: str, want: set[tuple[object, ...]]) -> None:
    assert got(shipped, text, lang) == want


def test_bounds_keep_out_what_cannot_be_the_figure(shipped: RuleSet) -> None:
    verdicts: list[Verdict] = []
    text = "North Korea's army counts about 1.2 million soldiers, Seoul estimates."
    assert shipped.match(art(text, "en"), verdicts=verdicts) == []
    (v,) = verdicts
    assert v.reason == "out_of_bounds" and "dprk-troops" in v.detail
    assert v.near_miss  # it named the subject, so a rule author sees it


@pytest.mark.parametrize("text, lang, new, old", [
    ("The number of North Korean troops in Kursk rose from 10,000 to 12,000.", "en",
     12000, 10000),
    ("Кількість північнокорейських військових на Курщині зросла з 10 до 12 тисяч.", "uk",
     12000, 10000),
    ("Число северокорейских солдат в Курской области выросло с 11 до 13 тысяч.", "ru",
     13000, 11000),
    ("North Korea now has 12,000 troops in Russia, up from 10,500 in December.", "en",
     12000, 10500),
])
def test_a_change_in_one_sentence_is_one_observation_that_knows_its_previous_value(
        shipped: RuleSet, text: str, lang: str, new: int, old: int) -> None:
    verdicts: list[Verdict] = []
    (obs,) = shipped.match(art(text, lang), verdicts=verdicts)
    assert (obs.figure, obs.low, obs.high) == ("dprk-troops", new, new)
    assert obs.previous == Value(old, old, "exact")
    assert "change_from" in {v.reason for v in verdicts}


def test_a_step_and_the_new_value_give_the_value_before() -> None:
    from monitor.match import change_pairs
    from monitor.models import Quantity

    text = "The contingent grew by 2,000 to 12,000 troops."
    a, b = text.index("2,000"), text.index("to 12,000")
    step = Quantity(2000, 2000, "exact", "up", None, "2,000", a, a + 5)
    new = Quantity(12000, 12000, "exact", None, "troop", "to 12,000", b, b + 9)
    assert change_pairs(text, [step, new]) == {1: (0, Value(10000, 10000, "exact"))}
    down = Quantity(2000, 2000, "exact", "down", None, "2,000", a, a + 5)
    assert change_pairs(text, [down, new]) == {1: (0, Value(14000, 14000, "exact"))}


def test_a_generic_unit_takes_its_measure_from_before_the_change(shipped: RuleSet) -> None:
    text = "Поставки северокорейских ракет KN-23 в Россию выросли с 20 до 60 единиц."
    (obs,) = shipped.match(art(text, "ru"))
    assert (obs.figure, obs.low, obs.previous) == ("dprk-missiles", 60, Value(20, 20, "exact"))


def test_a_count_figure_keeps_shares_of_what_it_counts_on_a_track_of_their_own(
        shipped: RuleSet) -> None:
    text = ("Russia has fired at least 40 KN-23 missiles at Ukraine, and nearly half of "
            "the North Korean missiles missed their targets.")
    obs = {(o.low, o.high, o.qualifier): o for o in shipped.match(art(text, "en"))}
    assert set(obs) == {(40, None, "at_least"), (None, 50, "less_than")}
    assert obs[(40, None, "at_least")].track == ""
    assert obs[(None, 50, "less_than")].track == SHARE_TRACK
    assert {o.figure for o in obs.values()} == {"dprk-missiles"}


@pytest.mark.parametrize("text, lang, want", [
    ("Some 9,000 North Koreans are fighting in the Kursk region, officials said.", "en",
     {("dprk-troops", 9000, 9000, "approx")}),
    ("По данным разведки, в Курской области находятся около 7 тысяч северокорейцев.", "ru",
     {("dprk-troops", 7000, 7000, "approx")}),
    ("За даними розвідки, у Курській області перебувають близько 4 тис. північнокорейців.",
     "uk", {("dprk-troops", 4000, 4000, "approx")}),
    ("Pyongyang has deployed over 1,500 mercenaries to the front line.", "en",
     {("dprk-troops", 1500, None, "more_than")}),
    # the counted noun decides: North Korean workers are not troops
    ("North Korea has sent about 5,000 North Korean workers to Russian factories.", "en",
     {("dprk-workers", 5000, 5000, "approx")}),
    ("На российские стройки прибыли более 3 тысяч северокорейских рабочих.", "ru",
     {("dprk-workers", 3000, None, "more_than")}),
])
def test_people_counted_under_other_nouns(
        shipped: RuleSet, text: str, lang: str, want: set[tuple[object, ...]]) -> None:
    assert got(shipped, text, lang) == want


@pytest.mark.parametrize("text, lang, want", [
    # North Korean guns or shells in Russian hands were supplied: no supply verb needed
    ("В арсенале российских частей теперь около 130 северокорейских гаубиц «Коксан».", "ru",
     {("dprk-equipment", 130, 130, "approx")}),
    ("Over 2 million North Korean shells are stacked in depots near Belgorod.", "en",
     {("dprk-shells", 2000000, None, "more_than")}),
    # what North Korea makes is not what it sends: the maker is not in the noun phrase
    ("North Korea's plants can turn out around 4 million artillery shells a year.", "en",
     set()),
])
def test_a_maker_named_in_the_noun_phrase_stands_for_a_supply_verb(
        shipped: RuleSet, text: str, lang: str, want: set[tuple[object, ...]]) -> None:
    assert got(shipped, text, lang) == want


def test_a_bare_number_finds_what_it_counts_earlier_in_its_sentence(shipped: RuleSet) -> None:
    text = ("Загальна чисельність військових Пхеньяна в Росії, за даними джерел видання, "
            "становить близько 14 тисяч.")
    assert got(shipped, text, "uk") == {("dprk-troops", 14000, 14000, "approx")}


@pytest.mark.parametrize("text, lang, want", [
    # Russia taking delivery is the recipient of North Korea's figure, not a rival
    ("Pyongyang began sending troops a year ago. Since then Moscow has received more than "
     "11 million shells.", "en", {("dprk-shells", 11000000, None, "more_than")}),
    ("Пхеньян продолжает поставки. За год Россия получила свыше 3 млн снарядов.", "ru",
     {("dprk-shells", 3000000, None, "more_than")}),
    # a rival that is not a recipient stays a rival when it receives
    ("North Korea keeps shipping arms. Ukraine has received 31 Abrams tanks from allies.",
     "en", set()),
])
def test_a_recipient_taking_delivery_is_no_rival(
        shipped: RuleSet, text: str, lang: str, want: set[tuple[object, ...]]) -> None:
    assert got(shipped, text, lang) == want
