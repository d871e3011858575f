"""Numerals of ru/uk/en: digit groups, number words in every case, multipliers.

The word tables are built once from pymorphy3 lexemes, so every grammatical
case ("шести", "двадцатью", "п'ятьома") maps to its value without listing
endings by hand.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from .lang import en, ru, uk
from .lemmas import analyzer

APOSTROPHES = "'’ʼ`"

# Value and "place" of a word: place 0 units, 1 teens/tens, 2 hundreds; a
# multiplier scales what came before it.  Each language's lists: lang/ru.py, uk.py, en.py.
_RU_BASE: dict[str, int] = ru.NUMBERS
_UK_BASE: dict[str, int] = uk.NUMBERS
_RU_MULT = ru.MULTIPLIERS
_UK_MULT = uk.MULTIPLIERS
# Forms pymorphy3 does not list or misses.
_EXTRA_WORDS: dict[str, float] = {
    "полтора": 1.5, "полторы": 1.5, "полутора": 1.5, "півтора": 1.5, "півтори": 1.5,
    "двое": 2, "двоих": 2, "трое": 3, "троих": 3, "четверо": 4, "четверых": 4,
    "пятеро": 5, "пятерых": 5, "шестеро": 6, "семеро": 7, "десятеро": 10,
    "двоє": 2, "троє": 3, "п'ятеро": 5,
    "сорока": 40, "девяноста": 90, "ста": 100, "трьох": 3, "трьома": 3, "трьом": 3,
    "полмиллиона": 500_000, "полтысячи": 500, "полмиллиарда": 500_000_000,
    "півмільйона": 500_000, "півтисячі": 500, "півмільярда": 500_000_000,
    "полсотни": 50, "полсотня": 50, "півсотні": 50, "півсотня": 50,
}
_EXTRA_MULT: dict[str, int] = {
    "тыс": 1_000, "тис": 1_000, "млн": 1_000_000, "млрд": 1_000_000_000,
    "трлн": 1_000_000_000_000, "мільйонів": 1_000_000, "тыщ": 1_000,
    # spoken Ukrainian writes "тисячи" beside "тисячі"
    "тисячи": 1_000,
}
# Spoken hundreds ("двохста", "дев'ятиста", "двухста"): the dictionaries list only some.
_HUNDRED_STEMS = {"uk": uk.HUNDRED_STEMS, "ru": ru.HUNDRED_STEMS}
_HUNDRED_ENDINGS = ("сот", "ста", "стам", "стами", "стах", "сотам", "сотами", "сотах")
EN_WORDS: dict[str, float] = en.NUMBERS
# Multiples: "sixfold", "tenfold", "hundredfold" (also "six-fold", "6-fold").
FOLD_WORDS: dict[str, float] = {
    w + "fold": v for w, v in EN_WORDS.items() if v >= 2 and w != "dozen"
} | {"thousandfold": 1000}
EN_MULT: dict[str, int] = en.MULTIPLIERS
# Counting nouns that multiply a number before them ("два десятка" = 20, "три сотні" =
# 300); alone or in the plural they are vague ("десятки", "сотни", see tables()).
SOFT_MULT: dict[str, int] = {
    **dict.fromkeys("десяток десятка десятку десятком десятке десятки десятков десяткам "
                    "десятками десятках десятків".split(), 10),
    **dict.fromkeys("сотня сотни сотне сотню сотней сотен сотням сотнями сотнях сотні "
                    "сотнею сотень".split(), 100),
}
# Abbreviated multipliers written right after digits.
SUFFIX_MULT: dict[str, int] = {
    "k": 1_000, "тыс": 1_000, "тис": 1_000, "млн": 1_000_000, "mln": 1_000_000,
    "mn": 1_000_000, "m": 1_000_000, "bn": 1_000_000_000, "b": 1_000_000_000,
    "млрд": 1_000_000_000, "трлн": 1_000_000_000_000, "tn": 1_000_000_000_000,
    "trn": 1_000_000_000_000, "mil": 1_000_000, "mln.": 1_000_000,
}


def _norm(word: str) -> str:
    w = word.lower().replace("ё", "е")
    for a in APOSTROPHES[1:]:
        w = w.replace(a, "'")
    return w


@dataclass(frozen=True)
class Tables:
    words: dict[str, float]  # number word form -> value (units/tens/hundreds)
    mults: dict[str, int]  # multiplier word form -> factor
    vague_mult: dict[str, int]  # plural multiplier forms ("тысячи", "thousands")


@lru_cache(maxsize=1)
def tables() -> Tables:
    """Every inflected form of every numeral, loaded once."""
    words: dict[str, float] = {}
    mults: dict[str, int] = {}
    for lang, base, mult in (("ru", _RU_BASE, _RU_MULT), ("uk", _UK_BASE, _UK_MULT)):
        morph = analyzer(lang)
        for w, v in base.items():
            for p in morph.parse(w):
                if p.tag.POS in ("VERB", "INFN") or _norm(p.normal_form) != _norm(w):
                    continue
                for f in p.lexeme:
                    words.setdefault(_norm(f.word), v)
                break
            words[_norm(w)] = v
        for w, v in mult.items():
            for p in morph.parse(w)[:1]:
                for f in p.lexeme:
                    mults[_norm(f.word)] = v
            mults[_norm(w)] = v
    for w, fv in _EXTRA_WORDS.items():
        words[_norm(w)] = fv
    for stems in _HUNDRED_STEMS.values():
        for k, forms in enumerate(stems):
            for stem in forms.split():
                for ending in _HUNDRED_ENDINGS:
                    words.setdefault(stem + ending, (k + 2) * 100)
    for w, iv in _EXTRA_MULT.items():
        mults[w] = iv
    # Ordinal-looking forms pymorphy folds into some lexemes must not count.
    for bad in ("одни", "одних", "одними", "сороке", "сороку"):
        words.pop(bad, None)
    words.update(EN_WORDS)
    mults.update(EN_MULT)
    vague = {
        "тысячи": 1_000, "тысяч": 1_000, "тысячами": 1_000, "тысячам": 1_000,
        "тысячах": 1_000, "тисячі": 1_000, "тисячи": 1_000, "тисяч": 1_000, "тисячами": 1_000,
        "тисячам": 1_000, "тисячах": 1_000, "миллионы": 1_000_000,
        "миллионов": 1_000_000, "миллионами": 1_000_000, "миллионам": 1_000_000,
        "миллионах": 1_000_000, "мільйони": 1_000_000, "мільйонів": 1_000_000,
        "мільйонами": 1_000_000, "миллиарды": 10**9, "миллиардов": 10**9,
        "мільярди": 10**9, "мільярдів": 10**9, "сотни": 100, "сотен": 100,
        "сотнями": 100, "сотням": 100, "сотнях": 100, "сотні": 100, "сотень": 100,
        "десятки": 10, "десятков": 10, "десятками": 10,
        "десяткам": 10, "десятках": 10, "десятків": 10,
        "thousands": 1_000, "hundreds": 100, "millions": 1_000_000,
        "billions": 10**9, "dozens": 12, "tens": 10,
    }
    return Tables(words, mults, vague)


# Digits, with thousands groups joined by any common separator.
# Thousands groups must all use the same separator: "5,000 155mm" is two numbers.
DIGITS = (r"\d{1,3}(?P<sep>[ \u00a0\u202f\u2009,.'’])\d{3}(?:(?P=sep)\d{3})*(?![\d])"
          r"(?:[.,]\d+)?|\d+(?:[.,]\d+)?")
_GROUP_SEP = re.compile(r"[ \u00a0\u202f\u2009'’]")


def parse_digits(s: str, lang: str, has_mult: bool = False) -> float | None:
    """Read a digit group string ("10 000", "1,5", "2.4", "10,000") as a number."""
    if s.isdecimal():  # no separators at all: the common case
        return float(s)
    s = _GROUP_SEP.sub("", s)
    if not s:
        return None
    seps = [c for c in s if c in ",."]
    if not seps:
        return float(s)
    if len(seps) == 1:
        i = s.index(seps[0])
        tail = s[i + 1:]
        sep = seps[0]
        thousands = len(tail) == 3 and s[0] != "0" and i <= 3
        if thousands:
            if lang == "en":
                thousands = sep == "," and not has_mult
            else:
                thousands = not has_mult
        if thousands:
            return float(s.replace(sep, ""))
        return float(s.replace(",", "."))
    # Several separators: the last one is decimal if it differs from the others.
    last = seps[-1]
    if all(c == last for c in seps):
        return float(s.replace(last, ""))
    body, dec = s[: s.rindex(last)], s[s.rindex(last) + 1:]
    return float(body.replace(",", "").replace(".", "") + "." + dec)


def words_value(tokens: list[str]) -> tuple[float, int] | None:
    """Value of a run of number words, and how many tokens it used.

    Stops at the first token that cannot continue the number, so "двадцати
    пяти тысяч" → 25000 but "пять шесть" → 5 (1 token).
    """
    t = tables()
    total = 0.0
    group = 0.0
    last_place = 9  # places used in the current group must decrease
    used = 0
    for raw in tokens:
        w = _norm(raw)
        if w in t.mults:
            factor = t.mults[w]
            if total and factor * (group or 1) >= total and group:
                break
            total += (group or 1) * factor
            group = 0.0
            last_place = 9
            used += 1
            continue
        if w not in t.words:
            break
        v = t.words[w]
        if v == 12 and w == "dozen":
            group = (group or 1) * 12
            used += 1
            last_place = -1
            continue
        if w == "hundred":  # "two hundred"
            if group >= 10 or last_place == -1:
                break
            group = (group or 1) * 100
            last_place = 2
            used += 1
            continue
        place = 2 if v >= 100 else (1 if v >= 10 else 0)
        if place >= last_place:
            break
        group += v
        last_place = place if v >= 20 or v < 10 else 0
        if 10 <= v < 20:
            last_place = -1
        used += 1
    if not used:
        return None
    return total + group, used
