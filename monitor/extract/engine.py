"""Rule-free quantity extraction: anchors first, detailed parsing only around them."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache

from ..models import Quantity, clean_number
from . import patterns as P
from .lang import detect_lang
from .numbers import (
    DIGITS,
    EN_MULT,
    FOLD_WORDS,
    SOFT_MULT,
    SUFFIX_MULT,
    parse_digits,
    tables,
    words_value,
)
from .sentences import sentence_at
from .units import find_unit, parse_word, percent_scope

_DIGITS_RE = re.compile(DIGITS)
_WORD_TOKENS = re.compile(r"([^\W\d_][\w'’ʼ]*)([\s\u00a0-]+)?")
_MULT_AFTER = re.compile(r"[\s\u00a0\u202f]*([^\W\d_]+)(\.)?")
_CARD_SUFFIX = frozenset({"х", "ти", "и", "ми", "ью", "ех", "ух", "ёх", "ох", "ма", "мя", "ої"})
_BAD_EN_SUFFIX = frozenset({"mm", "cm", "th", "st", "nd", "rd", "gauge", "km", "mile"})
_PLUS_AFTER = re.compile(r"\+|-plus\b|\s+plus\b", re.IGNORECASE)
_OR_MORE = re.compile(
    r"[\s\u00a0]+(?:or\s+more|and\s+more|и\s+более|и\s+больше|і\s+більше|або\s+більше|"
    r"или\s+более)\b", re.IGNORECASE)
_OR_SO = re.compile(r"[\s\u00a0]+or\s+so\b", re.IGNORECASE)
_RANGE_SEP = re.compile(r"[-–—‒]|[\s\u00a0]+[-–—‒][\s\u00a0]+|[–—][\s\u00a0]*|\.\.\.?|…")
_WORD_SEP = re.compile(r"[\s\u00a0]+(?P<up>up[\s\u00a0]+)?(?P<s>to|до|по|and|и|і|та|й)[\s\u00a0]+",
                       re.IGNORECASE)
_HAS_CAPITAL = re.compile(r"[A-Z]")
_CAP_WORD_BEFORE = re.compile(r"(?<![\w.])([A-Za-z]*[A-Z][\w'’.&-]*)[\s\u00a0]+$")
_PREV_CHAR_SENT = re.compile(r"(?:^|[.!?:;\"«“(]\s*|\n\s*)$")
_HALF_A = re.compile(r"[\s\u00a0]+an?[\s\u00a0]+(thousand|million|billion|trillion)\b",
                     re.IGNORECASE)
_GEN_SINGULAR = frozenset({"тысячи", "тисячі", "тисячи", "сотни", "сотні", "десятка", "десятки",
                           "миллиона", "мільйона", "миллиарда", "мільярда"})
_FEW_BEFORE = re.compile(
    r"(?<![\w])(?:несколько|нескольких|нескольким|несколькими|кілька|кількох|кільком|"
    r"кількома|several|a\s+few)[\s\u00a0]+$", re.IGNORECASE)
_SUB_BEFORE = re.compile(r"(?<![\w])sub-$", re.IGNORECASE)
_MINUS_BEFORE = re.compile(r"(?<![\w])(?:minus|минус|мінус)[-\s\u00a0]$", re.IGNORECASE)
_A_BEFORE = re.compile(r"(?<![\w])(?:a|an|one)[\s\u00a0]+$", re.IGNORECASE)
_NEXT_WORD = re.compile(r"[\s\u00a0]+([^\W\d_][\w'’-]*)")
_CONJ_GAP = re.compile(r"^[\s\u00a0]*(?:,[\s\u00a0]*)?(?:и|і|та|й|and|or|или|либо|або|чи|,)"
                       r"[\s\u00a0]+$", re.IGNORECASE)
_OR_WORD = re.compile(r"\b(?:or|или|либо|або|чи)\b", re.IGNORECASE)
_CAP_EXEMPT = frozenset(
    "About Around Some Over Under Nearly Almost Roughly Approximately More Less Fewer Up "
    "At Just Only By From To Between And Or The A An In On Of For With Since Another "
    "Total Totally Estimated Than Least Most Nearly Exactly Precisely".split()
)


@dataclass
class Num:
    """A number expression found at an anchor."""

    start: int
    end: int
    value: float
    low: float | None = None  # vague span
    high: float | None = None
    mult: int = 1
    percent: bool = False
    currency: str | None = None
    digits: bool = True
    fraction: bool = False
    sub: bool = False  # "sub-300": less than
    sign: int = 0  # -1 for "-1.3%" or "minus 5", +1 for "+0.2%"
    multiple: bool = False  # "sixfold", "6-fold": never one end of a range

    @property
    def vague(self) -> bool:
        return self.low is not None


@lru_cache(maxsize=1)
def _anchor() -> re.Pattern[str]:
    return P.anchor_regex()


def _norm_word(w: str) -> str:
    return w.lower().replace("ё", "е").replace("’", "'").replace("ʼ", "'")


class _Skip(Exception):
    """The anchor is a date, a model number or similar: skip to ``end``."""

    def __init__(self, end: int) -> None:
        self.end = end


def _before(text: str, pos: int, n: int = 60) -> str:
    return text[max(0, pos - n):pos]


def _parse_digits_at(text: str, pos: int, lang: str) -> Num:
    m = _DIGITS_RE.match(text, pos)
    if m is None:  # a currency sign or code with no digits after it
        raise _Skip(pos + 1)
    s, e = m.start(), m.end()
    raw = m.group(0)
    if m.group("sep") and _CALIBRE_AFTER.match(text, e) and raw[-3] != "0":
        cut = raw.rfind(m.group("sep"))  # the last group is a calibre: "5 000 155-мм"
        raw = raw[:cut]
        e = s + cut
    # A thousands group may have swallowed a following year or count: "в 5 2024".
    prev = text[s - 1] if s else " "
    prev2 = text[s - 2] if s > 1 else " "
    sub = False
    sign = 0
    minus_len = 0
    if prev == "-" and _SUB_BEFORE.search(_before(text, s, 8)):
        sub = True
    elif (prev == "-" or prev.isspace()) and prev2 in "sSсС" and (
            minus := _MINUS_BEFORE.search(_before(text, s, 8))):  # "minus 5", "мінус 3"
        sub, sign = True, -1
        minus_len = len(minus.group(0))
    elif prev in "-−+" and (s == 1 or prev2 in " \t\n($") and not (
        s > 2 and text[s - 3].isupper() and not P.PERCENT_AFTER.match(text, e)
    ):
        sub, sign = True, (1 if prev == "+" else -1)
    elif prev.isalpha() and _currency_before(text, s):
        prev = " "
    elif prev == "." and not prev2.isalnum():  # ".500", ".001 per cent"
        m2 = _DIGIT_RUN.match(text, s)
        if m2 is not None:
            return Num(s - 1, m2.end(), float("0." + m2.group(0)))
    if sub:
        pass
    elif prev.isalpha() or (prev == "-" and prev2.isalpha()) or prev in "#№/" or (
        prev == "-" and prev2 == " " and s > 2 and text[s - 3].isupper()
    ):
        raise _Skip(_token_end(text, e))
    if prev in ":." and (prev2.isdigit() or prev2.isalpha()):
        raise _Skip(_token_end(text, e))
    if ("." in (w := text[max(0, s - 5):s]) or "№" in w) and _NO_BEFORE.search(
            text, max(0, s - 5), s):  # "No. 5", "№ 12": the regex needs a dot or a №
        raise _Skip(e)
    nxt = text[e:e + 1]
    fm = _FRACTION_AFTER.match(text, e) if nxt in "/⁄" else None
    if fm and raw.isdigit() and 0 < int(raw) < int(fm.group(1)) <= 1000:
        return Num(s, fm.end(), int(raw) / int(fm.group(1)))
    if nxt in "/:⁄" and text[e + 1:e + 2].isdigit():
        raise _Skip(_token_end(text, e))
    if nxt == "." and text[e + 1:e + 2].isdigit():  # 14.08.2025, 1.2.3
        raise _Skip(_token_end(text, e))
    if nxt == "," and lang == "en" and _COMMA_SHORT.match(text, e):
        raise _Skip(e + 3)
    # Parenthesised lone number: a jersey or a footnote.
    if prev == "(" and nxt == ")":
        raise _Skip(e + 1)
    if P.TIME_AFTER.match(text, e):
        raise _Skip(e)
    cal = (_SPACED_CALIBRE.match(text, e)
           if nxt in " \u00a0" and text[e + 1:e + 3].lower() in ("mm", "мм") else None)
    if (cal and raw.isdigit() and 20 <= int(raw) <= 800
            and find_unit(text, cal.end(), lang)[0] is not None):
        raise _Skip(cal.end())  # "122 mm rockets", "152 мм снарядов": a calibre
    suffix = _SUFFIX.match(text, e, e + 12) if nxt.isalpha() else None
    num = Num(s, e, 0.0)
    if sign:
        num.sign = sign
        num.start -= minus_len if minus_len else (1 if text[s - 1] in "-−+" else 0)
    elif sub:
        num.sub = True
    if suffix:
        suf = suffix.group(0).lower()
        if suf in ("st", "nd", "rd", "th", "s", "ers") and lang == "en":
            raise _Skip(e + len(suf))
        after = e + len(suf)
        if text[after:after + 1].isdigit() and not (
            suf in _AREA_UNITS and text[after] in "23" and not text[after + 1:after + 2].isalnum()
        ):  # "9AB8", "5G2": a code; but "32m2", "5km2" are an area
            raise _Skip(_token_end(text, e))
        if suf in ("mm", "мм") and raw.isdigit() and 20 <= int(raw) <= 800:  # calibre
            raise _Skip(e + len(suf))
        if suf in SUFFIX_MULT and (suf not in ("m", "b") or _currency_before(text, s)
                                   or _million_m(text, e, suffix.group(0))):
            num.mult = SUFFIX_MULT[suf]
            num.end = e + len(suf)
            if text[num.end:num.end + 1] == "." and suf in ("тыс", "тис", "млн", "млрд"):
                num.end += 1
    elif nxt == "-":
        sm = _HYPHEN_SUFFIX.match(text, e, e + 16)
        hyphen_mult = _hyphen_mult(sm.group(1).lower()) if sm else None
        if sm and hyphen_mult:  # "12-thousand", "1.5-million", "12-тысячный"
            num.mult = hyphen_mult
            num.end = e + 1 + len(sm.group(1))
        elif sm:
            suf = sm.group(1).lower()
            if "а" <= suf[0] <= "я" or suf[0] in "ёіїєґ":
                if suf not in _CARD_SUFFIX or (len(raw) == 4 and raw.isdigit()
                                               and 1800 <= int(raw) <= 2100):  # "1990-х"
                    raise _Skip(e + 1 + len(suf))
                num.end = e + 1 + len(suf)
            elif suf in _BAD_EN_SUFFIX or suf.startswith(("millimet", "calib")):
                raise _Skip(e + 1 + len(suf))
            elif suf == "fold":  # "6-fold"
                num.end = e + 1 + len(suf)
                num.multiple = True
    value = parse_digits(raw, lang, has_mult=num.mult != 1 or _has_mult_after(text, e))
    if value is None:
        raise _Skip(e)
    sci = _SCIENTIFIC.match(text, num.end)
    if sci:  # "1.99×10−30"
        value *= 10.0 ** int(sci.group(1).replace("−", "-"))
        num.end = sci.end()
    num.value = value * num.mult
    return num


# What goes with a skipped year or name: "2014-15", "Charlton 2-1", "aged 18 to 34".
_SKIP_TAIL = re.compile(r"(?:[-–/]\d+|[\s\u00a0]+(?:to|and|или|и|і|та|до)[\s\u00a0]+\d+"
                        r"(?![\d.,]|[\s\u00a0]*(?:[%$€£]|[^\W\d_]*(?:illion|housand|тыс|млн|"
                        r"млрд|тис))))+", re.IGNORECASE)
_DIGIT_RUN = re.compile(r"\d+")
_NO_BEFORE = re.compile(r"(?:(?<![\w])(?:No|Nr|nr)\.|№)[\s\u00a0]*$")
_COMMA_SHORT = re.compile(r",\d{1,2}(?!\d)")
_SUFFIX = re.compile(r"[a-zA-Zа-яА-ЯёЁіїєґІЇЄҐ]+")
_HYPHEN_SUFFIX = re.compile(r"-([^\W\d_]+)")
_TOKEN_REST = re.compile(r"[\w:./-]*")
_ATTACHED_UNIT = re.compile(r"[A-Za-zµ°]+(?:/[A-Za-z]+)?")
_CODE_BEFORE_DIGITS = re.compile(
    r"(?:[A-Z]{1,3}[\s\u00a0]?)?[$€£]?(?:[A-Z]{1,2})?[\s\u00a0]?(?=\d)")
_SPACED_CALIBRE = re.compile(r"[ \u00a0](?:mm|мм)(?![\w])", re.IGNORECASE)
_CALIBRE_AFTER = re.compile(r"(?:-|[ \u00a0])?(?:мм|mm|millimet|калибр|калібр)", re.IGNORECASE)
_HUNDRED_AFTER = re.compile(r"[\s\u00a0]+hundred\b", re.IGNORECASE)
_FRACTION_AFTER = re.compile(r"[/⁄](\d{1,4})(?![\d/⁄.,])")
_AREA_UNITS = frozenset({"m", "km", "cm", "mm", "ft", "in", "yd", "mi", "м", "км", "см"})
_CURRENCY_HINT = re.compile(r"[$€£₽₴¥A-Z]")
_FOLD_AFTER = re.compile(r"-fold\b", re.IGNORECASE)
_SCIENTIFIC = re.compile(r"[\s\u00a0]*[×x*][\s\u00a0]*10(?:\^|\*\*)?([−-]?\d{1,3})(?!\d)")
_LENGTH_AFTER = re.compile(
    r"[\s\u00a0)]*(?:\(|tall|long|high|wide|deep|away|sprint|race|hurdles|freestyle|"
    r"breaststroke|backstroke|butterfly|relay|above|below|from|in\s+diameter|"
    r"altitude|depth|height|length|run|dash)", re.IGNORECASE)


_MULT_ADJ = (("тысячн", 1_000), ("тисячн", 1_000), ("миллионн", 1_000_000),
             ("мільйонн", 1_000_000), ("миллиардн", 10**9), ("мільярдн", 10**9))


def _hyphen_mult(suf: str) -> int | None:
    """"-thousand", "-million", "-тысячный", "-мільйонна": a multiplier after a hyphen."""
    if suf in EN_MULT:
        return EN_MULT[suf]
    for stem, f in _MULT_ADJ:
        if suf.startswith(stem):
            return f
    return None


def _million_m(text: str, e: int, suf: str) -> bool:
    """"12.3m tonnes", "35m users": an attached m is million unless a length."""
    if suf == "M":
        return True
    if suf != "m":
        return False
    if text[e + 1:e + 2].isdigit() or text[e + 1:e + 2] in "²³/":
        return False
    return _LENGTH_AFTER.match(text, e + 1) is None


def _token_end(text: str, e: int) -> int:
    m = _TOKEN_REST.match(text, e)
    return m.end() if m else e


def _has_mult_after(text: str, e: int) -> bool:
    m = _MULT_AFTER.match(text, e)
    if not m:
        return False
    w = _norm_word(m.group(1))
    return w in tables().mults or (w in SUFFIX_MULT and w not in ("m", "b"))


def _currency_before(text: str, s: int) -> str | None:
    # every sign or code has a symbol or a capital letter: skip the regex without one
    if _CURRENCY_HINT.search(text, max(0, s - 8), s) is None:
        return None
    m = P.CURRENCY_BEFORE.search(_before(text, s, 8))
    if not m:
        return None
    return m.group("c") or m.group("code")


def _currency_len(text: str, s: int) -> int:
    before = _before(text, s, 8)
    m = P.CURRENCY_BEFORE.search(before)
    return len(before) - m.start() if m else 0


def _word_tokens(text: str, pos: int, limit: int = 24) -> list[tuple[str, int, int]]:
    out: list[tuple[str, int, int]] = []
    i = pos
    for _ in range(limit):
        m = _WORD_TOKENS.match(text, i)
        if not m:
            break
        out.append((m.group(1), m.start(), m.end(1)))
        i = m.end()
        if m.group(2) is None:  # no space or hyphen after it: the run ends
            break
    return out


def _parse_words_at(text: str, pos: int, lang: str) -> Num:
    t = tables()
    toks = _word_tokens(text, pos)
    if not toks:
        raise _Skip(pos + 1)
    first = _norm_word(toks[0][0])
    if first in FOLD_WORDS:  # "grew sixfold": a multiple
        return Num(toks[0][1], toks[0][2], FOLD_WORDS[first], digits=False, multiple=True)
    # Fractions and shares.
    if first in P.FRACTIONS:
        return _fraction(text, toks, lang)
    if first in SOFT_MULT and (first not in t.vague_mult or (
            first in _GEN_SINGULAR and _qualifier(text, toks[0][1])[0])):
        return _one_counting_noun(text, toks, lang)
    # Vague plurals: "тысячи", "десятки тысяч", "thousands of", "dozens of".
    if first in t.vague_mult and first not in t.words:
        return _vague(text, toks, lang)
    seq, idx = _number_words(toks)
    res = words_value(seq)
    if res is None:
        raise _Skip(toks[0][2])
    value, used = res
    last = toks[idx[used - 1]]
    num = Num(toks[0][1], last[2], value, digits=False)
    last_word = seq[used - 1]
    if last_word in t.mults and used > 1:
        num.mult = t.mults[last_word]
        if lang == "en" and used == len(seq):
            _comma_rest(text, num)
    # A fraction after a number word: "две трети", "two thirds".
    if used < len(seq) and seq[used] in P.FRACTIONS and value < 10 and not (
        seq[used] == "quarter" or seq[used] == "third"
    ):
        f = toks[idx[used]]
        num.value = value * P.FRACTIONS[seq[used]]
        num.end = f[2]
        num.fraction = num.percent = True
        return num
    if used < len(seq) and seq[used] in ("quarter", "third") and value < 4:
        f = toks[idx[used]]
        num.value = value * P.FRACTIONS[seq[used]]
        num.end = f[2]
        num.fraction = num.percent = True
        return num
    # "a dozen", "a hundred", "a million".
    if seq[0] in ("dozen", "hundred") or seq[0] in t.mults:
        if _FEW_BEFORE.search(_before(text, num.start, 16)):
            return _vague(text, toks, lang)
        if seq[0] in t.mults and not seq[0].isascii() and seq[0] not in t.vague_mult:
            return num  # "миллион снарядов", "понад тисячу": one of them
        if not _A_BEFORE.search(_before(text, num.start, 6)):
            if seq[0] in t.mults and seq[0] in t.vague_mult:
                return _vague(text, toks, lang)
            raise _Skip(num.end)
        a = _A_BEFORE.search(_before(text, num.start, 6))
        if a is not None:
            num.start -= len(a.group(0))
    if lang == "en" and seq[0] != "hundred":
        if toks[0][0][:1].isupper() and not _PREV_CHAR_SENT.search(_before(text, num.start, 3)):
            raise _Skip(num.end)
        fold = _FOLD_AFTER.match(text, num.end)
        if fold:  # "six-fold"
            num.end = fold.end()
            num.multiple = True
        elif re.match(r"-[a-z]", text[num.end:num.end + 2]) and not re.match(
                r"-(?:strong|plus)\b", text[num.end:num.end + 8]):
            raise _Skip(num.end)
    # Lone "один"/"one" is rarely a figure; English news labels it, ru/uk do not.
    if used == 1 and value == 1 and seq[0] != "one":
        raise _Skip(num.end)
    share = _share_of(text, num, lang)
    if share is not None:
        return share
    if used == 1 and seq[0] == "one":
        _check_one(text, num)
    # "several thousand", "кілька тисяч", "несколько сотен"
    return num


def _number_words(toks: list[tuple[str, int, int]]) -> tuple[list[str], list[int]]:
    """The words of a number run, without English "and" inside: "one hundred and twenty"."""
    t = tables()
    seq: list[str] = []
    idx: list[int] = []
    for k, (w, _s, _e) in enumerate(toks):
        nw = _norm_word(w)
        if nw == "and" and seq and (seq[-1] == "hundred" or seq[-1] in t.mults):
            continue
        seq.append(nw)
        idx.append(k)
    return seq, idx


_COMMA_WORDS = re.compile(r",[ \u00a0]+(?=[a-z])")


def _comma_rest(text: str, num: Num) -> None:
    """"twelve thousand, three hundred": the rest after a comma, when it holds hundreds
    and is smaller than the multiplier it follows ("two, three" and "two thousand,
    three thousand" stay apart)."""
    m = _COMMA_WORDS.match(text, num.end)
    if m is None:
        return
    toks = _word_tokens(text, m.end())
    seq, idx = _number_words(toks)
    res = words_value(seq)
    if res is None or not 100 <= res[0] < num.mult:  # "ten thousand, one of them": apart
        return
    num.value += res[0]
    num.end = toks[idx[res[1] - 1]][2]
    num.mult = 1


# "3 out of 10", "one in four", "3 из 10", "3 з 10": a share, in percent.
_SHARE_OF_WORDS = {
    "en": re.compile(r"[\s\u00a0]+(in|out[\s\u00a0]+of)[\s\u00a0]+(?:an?[\s\u00a0]+(?=hundred))?",
                     re.IGNORECASE),
    "ru": re.compile(r"[\s\u00a0]+из[\s\u00a0]+", re.IGNORECASE),
    "uk": re.compile(r"[\s\u00a0]+(?:з|із)[\s\u00a0]+", re.IGNORECASE),
}
_SHARE_FIRST = frozenset("iIoOиИзЗіІfFtTqQ")  # first letters of in/out/из/з/із, -fourth...
_DENOM_DIGITS = re.compile(r"\d{1,4}(?![\d.,]\d|[\s\u00a0]*[%‰])")
# "4 in 12 hours" is a rate, not a share
_TIME_AFTER = re.compile(r"[\s\u00a0]+(?:hours?|days?|weeks?|months?|years?|minutes?|"
                         r"seconds?|decades?)\b", re.IGNORECASE)
_ORDINAL_SHARE = re.compile(r"[\s\u00a0-]+(fourths?|fifths?|tenths?)\b", re.IGNORECASE)
_SHARE_DENOM = {"fourth": 4, "fifth": 5, "tenth": 10}


def _share_of(text: str, num: Num, lang: str) -> Num | None:
    """"one in three", "3 out of 10", "3 из 10", "one fourth": a share, in percent.

    The denominator must be a plain count larger than the numerator: "3 из 10 тысяч",
    "4 in 12 hours" and "2 з 10 червня" are not shares.
    """
    if (text[num.end + 1:num.end + 2] not in _SHARE_FIRST  # the common case, cheaply
            or num.mult != 1 or num.percent or num.currency or num.fraction or num.multiple
            or num.sign or not float(num.value).is_integer() or num.value < 1):
        return None
    m = _SHARE_OF_WORDS[lang].match(text, num.end) if lang in _SHARE_OF_WORDS else None
    if m:
        den, end = _denominator(text, m.end(), lang)
        if (den is not None and num.value < den <= 1000
                and not (lang == "en" and m.group(1).lower() == "in"
                         and _TIME_AFTER.match(text, end))
                and not P.MONTH_AFTER.match(text, end)
                and not P.PERCENT_AFTER.match(text, end)):
            return Num(num.start, end, 100.0 * num.value / den, digits=False,
                       fraction=True, percent=True)
    m = _ORDINAL_SHARE.match(text, num.end) if lang == "en" else None
    if m and num.value < 10 and not num.digits:
        den = _SHARE_DENOM[m.group(1).lower().rstrip("s")]
        return Num(num.start, m.end(), 100.0 * num.value / den, digits=False,
                   fraction=True, percent=True)
    return None


def _denominator(text: str, pos: int, lang: str) -> tuple[float | None, int]:
    """The whole number at ``pos`` (digits or words) and where it ends; None when a
    multiplier follows it."""
    dm = _DENOM_DIGITS.match(text, pos)
    if dm:
        if _has_mult_after(text, dm.end()):
            return None, pos
        return float(dm.group(0)), dm.end()
    toks = _word_tokens(text, pos, 8)
    seq, idx = _number_words(toks)
    res = words_value(seq)
    if res is None or (res[1] < len(seq) and seq[res[1]] in tables().mults):
        return None, pos
    return res[0], toks[idx[res[1] - 1]][2]


def _check_one(text: str, num: Num) -> None:
    before = _before(text, num.start, 30).lower()
    after = text[num.end:num.end + 30].lower()
    if text[num.start].isupper() and not _PREV_CHAR_SENT.search(_before(text, num.start, 3)):
        raise _Skip(num.end)
    if re.search(r"(?:each|every|no|same|any|which|this|that|the|another|only|little)\s+$",
                 before):
        raise _Skip(num.end)
    if re.match(r"\s+(?:another|day|time|or\s+(?:two|another))\b", after):
        raise _Skip(num.end)
    if re.match(r"\s+(?:in|out\s+of)\s+(?:\d|two|three|four|five|ten)|\s+\d", after):
        raise _Skip(num.end)


_ORDINAL_BEFORE = re.compile(
    r"(?:(?<![\w])(?:перв|втор|трет|четв[её]рт|четверт|последн|перш|друг|остан)\w*|"
    r"(?<![\w])[IVX]+|\d+-[^\W\d_]{1,3})[\s\u00a0]+$", re.IGNORECASE)
_TIME_OF = re.compile(r"[\s\u00a0]+of[\s\u00a0]+(?:an?[\s\u00a0]+)?(?:hour|century|mile|minute|"
                      r"second|inch|point)\b", re.IGNORECASE)


def _fraction(text: str, toks: list[tuple[str, int, int]], lang: str) -> Num:
    w, s, e = toks[0]
    lw = _norm_word(w)
    before = _before(text, s, 30)
    after = text[e:e + 30]
    if lw in ("third", "thirds", "quarter", "quarters"):
        a = _A_BEFORE.search(before)
        if not a:
            raise _Skip(e)
        if _TIME_OF.match(after):  # "a quarter of an hour"
            raise _Skip(e)
        if not (re.match(r"[\s\u00a0]+of\b", after, re.IGNORECASE)
                or re.search(r"\bby[\s\u00a0]+$", before[:len(before) - len(a.group(0))] + " ")):
            raise _Skip(e)
        return Num(s - len(a.group(0)), e, P.FRACTIONS[lw], digits=False, fraction=True,
                   percent=True)
    if lw == "half":
        hm = _HALF_A.match(text, e)
        if hm:  # "half a million"
            return Num(s, hm.end(), 0.5 * tables().mults[hm.group(1).lower()], digits=False)
        if e < len(text) and text[e] == "-":
            raise _Skip(e)
        if re.search(r"(?:first|second|last|this|next|the|back|latter|former|a)[\s\u00a0]+$",
                     before, re.IGNORECASE):
            raise _Skip(e)
        if not (re.match(r"[\s\u00a0]+(?:of|the|its|their|his|her|our|all)\b", after,
                         re.IGNORECASE) or P.QUALIFIER_RE.search(before)):
            raise _Skip(e)
        return Num(s, e, 50.0, digits=False, fraction=True, percent=True)
    # ru/uk
    if _ORDINAL_BEFORE.search(before):  # "в третьей четверти", "у другій половині"
        raise _Skip(e)
    if re.match(r"[\s\u00a0]+(?:дня|века|года|месяца|року|столетия|матча|сезона|доби|"
                r"століття|місяця|пятого|шестого)", after, re.IGNORECASE):
        raise _Skip(e)
    return Num(s, e, P.FRACTIONS[lw], digits=False, fraction=True, percent=True)


def _one_counting_noun(text: str, toks: list[tuple[str, int, int]], lang: str) -> Num:
    """One десяток or сотня: "сотню тисяч" = 100,000, "более сотни тысяч", "около
    десятка ракет" = 10. Alone and unhedged ("Небесна сотня") it is not a figure."""
    w, s, e = toks[0]
    base = SOFT_MULT[_norm_word(w)]
    f = tables().mults.get(_norm_word(toks[1][0])) if len(toks) > 1 else None
    if f:
        return Num(s, toks[1][2], float(base * f), mult=base * f, digits=False)
    if _qualifier(text, s)[0]:
        return Num(s, e, float(base), mult=base, digits=False)
    raise _Skip(e)


def _vague(text: str, toks: list[tuple[str, int, int]], lang: str) -> Num:
    t = tables()
    w, s, e = toks[0]
    nw0 = _norm_word(w)
    base = t.vague_mult.get(nw0) or t.mults.get(nw0) or {"hundred": 100, "dozen": 12}.get(nw0, 1)
    if lang != "en" and nw0 in _GEN_SINGULAR and _qualifier(text, s)[0]:
        # "более тысячи", "около сотни": one thousand / one hundred, not thousands
        return Num(s, e, float(base), mult=base, digits=False)
    end = e
    # "десятки тысяч", "tens of thousands", "hundreds of millions"
    k = 1
    if k < len(toks) and _norm_word(toks[k][0]) == "of":
        k += 1
    if k < len(toks):
        nw = _norm_word(toks[k][0])
        f = t.vague_mult.get(nw) or t.mults.get(nw)
        if f and f > base:
            base *= f
            end = toks[k][2]
    few = _FEW_BEFORE.search(_before(text, s, 16))
    if few:  # "several thousand", "кілька тисяч": 2 to 9 of them
        s -= len(few.group(0))
        low, high = base * 2.0, base * 9.0
    elif lang == "en":  # "thousands of": English news labels 1,000-10,000
        low, high = base * 1.0, base * 10.0
    else:
        low, high = base * 2.0, base * 9.0
    if base == 12 and not few:
        low, high = 12.0, 120.0
    return Num(s, end, low, low=low, high=high, mult=base, digits=False)


def _parse_at(text: str, pos: int, is_digit: bool, lang: str) -> Num:
    num = _parse_digits_at(text, pos, lang) if is_digit else _parse_words_at(text, pos, lang)
    if num.vague or num.fraction:
        return num
    if num.digits and (share := _share_of(text, num, lang)) is not None:
        return share
    t = tables()
    # "4 hundred", "4 hundred million"
    hm = _HUNDRED_AFTER.match(text, num.end)
    if hm and num.digits and num.mult == 1:
        num.value *= 100
        num.end = hm.end()
    # Multiplier word after the number: "6 тысяч", "1,5 млн", "2.4 million", "10 тыс."
    if num.mult == 1 and not num.fraction:
        m = _MULT_AFTER.match(text, num.end)
        if m:
            w = _norm_word(m.group(1))
            f = t.mults.get(w)
            if f is None and w in SUFFIX_MULT and w not in ("m", "b"):
                f = SUFFIX_MULT[w]
            if f is None and w in ("m", "b", "bn") and _currency_before(text, num.start):
                f = SUFFIX_MULT[w]
            if f is None and lang == "en" and m.group(1) in ("B", "M") and not m.group(2):
                # "8 B people", "4.3 M views": a lone capital before a counted noun
                nw = _NEXT_WORD.match(text, m.end())
                if nw and nw.start() == m.end() and nw.group(1).islower() and (
                        nw.group(1) not in _FUNCTION_WORDS):
                    f = SUFFIX_MULT[w]
            if f is not None and num.digits:
                num.mult = f
                num.end = m.end(1) + (1 if m.group(2) and w in ("тыс", "тис", "млн", "млрд",
                                                                   "трлн") else 0)
                num.value *= f
            elif f is None and w in SOFT_MULT and num.value < 100 and lang != "en":
                # "двух десятков ракет", "полтора десятка", "три сотні": tens, hundreds
                num.mult = SOFT_MULT[w]
                num.end = m.end(1)
                num.value *= num.mult
    # "половина"-type shares need no percent sign.
    if num.fraction:
        return num
    pm = P.PERCENT_AFTER.match(text, num.end)
    if pm:
        num.percent = True
        num.end = pm.end()
    cur = _currency_before(text, num.start)
    if cur:
        num.currency = cur
        num.start -= _currency_len(text, num.start)
    return num


_LEVEL_AFTER = re.compile(
    r"[\s\u00a0]*(?:-?(?:го|х))?[\s\u00a0]+(?:levels?|highs?|lows?|totals?|figures?|peaks?|"
    r"уровн\w*|рівн\w*|рівень|показател\w*|показник\w*)(?![\w])", re.IGNORECASE)


def _is_year(text: str, num: Num, lang: str) -> bool:
    """A bare four-digit year or a day of a month."""
    if num.mult != 1 or num.percent or num.currency or not num.digits:
        return False
    raw = text[num.start:num.end]
    v = num.value
    if v > 31 and not (1000 <= v <= 2199 and raw.isdigit()):
        return False  # neither a day nor a year, whatever month stands before it
    if P.MONTH_BEFORE.search(_before(text, num.start, 30)):
        return v <= 31 or (1000 <= v <= 2100 and raw.isdigit())
    if v <= 31 and raw.isdigit() and P.MONTH_AFTER.match(text, num.end):
        return True
    if not (raw.isdigit() and len(raw) == 4 and 1800 <= v <= 2199):
        return False
    if P.YEAR_AFTER.match(text, num.end) or _LEVEL_AFTER.match(text, num.end):
        return True  # "в 2024 году", "topped 2023 levels", "превысил уровень"
    before = _before(text, num.start, 40)
    qm = P.QUALIFIER_RE.search(before)
    if qm and (qm.group("sym") or qm.group("q").lower() not in ("до", "по")):
        return False  # "more than 2000 shells", "up to 1805 shells"
    if lang == "en":  # English writes counts this large with a comma: "2,000 troops"
        return 1900 <= v <= 2100 or bool(P.YEAR_BEFORE.search(before))
    # A four-digit number followed by a counted noun is a count: "2000 солдат".
    nm = _NEXT_WORD.match(text, num.end)
    if nm and nm.group(1).islower():
        tag, lem, _case = parse_word(nm.group(1).lower(), lang)
        if tag == "NOUN" and lem not in ("год", "рік"):
            return False
    return True


_INDEX_BEFORE = re.compile(
    r"(?<![\w&])(?:s\s?&?\s?p|nasdaq|ftse|stoxx|russell|fortune|dow|nikkei|cac|dax|asx|"
    r"kospi|hang\s+seng|sensex|nifty|ibex|aex|smi|mib|model|category|level|grade|stage|"
    r"phase|tier|type|class|version|route|highway|channel|no\.|unit|suite|room|"
    r"flight|gate|platform|article|section|clause|paragraph|chapter|page|пункт|статья|"
    r"статті|статьи|стаття|частина|часть|части|рівень|уровень|категор\w+|номер|"
    r"калибр\w*|калібр\w*|calibre|caliber|"
    r"возрасте|віці)(?:[\s\u00a0]+(?:от|від|с|з))?[\s\u00a0]+$", re.IGNORECASE)
_NAME_AFTER = re.compile(
    r"[\s\u00a0]+(?:Pro|Max|Mini|Plus|Ultra|Lite|Dreamliner|Series|Edition|GT|SE|XL|ZIP|"
    r"family|series|variant|model|models|class|jetliners?|"
    r"(?:[A-Z0-9][\w.]*[\s\u00a0]+){0,2}(?:St|Street|Rd|Road|Ave|Avenue|Way|Lane|Drive|Dr|"
    r"Blvd|Boulevard|Place|Square|Court))\b")
_AGE_BEFORE = re.compile(r"(?:\baged|\bages|\bage|[A-Z][a-z]+,)[\s\u00a0]+$")

# _INDEX_BEFORE ends in spaces right after one of its words (or after от/від/с/з):
# a window whose last word ends in none of these cannot match, and the regex,
# which tries every position of the window, is skipped.  Words matched with \w*
# ("калибр\w*", "категор\w+") can end in anything: their stems are looked for.
_INDEX_ALTS = _INDEX_BEFORE.pattern.split("(?:", 1)[1].split(")(?:", 1)[0].split("|")
_INDEX_STEMS = tuple(a[:-3] for a in _INDEX_ALTS if a.endswith(("\\w*", "\\w+")))
_INDEX_ENDS = tuple({re.split(r"\\s[+?]?&?\??", a)[-1].replace("\\.", ".")
                     for a in _INDEX_ALTS if not a.endswith(("\\w*", "\\w+"))}
                    | {"от", "від", "с", "з"})


def _index_before(before: str) -> bool:
    tail = before.rstrip()
    if len(tail) == len(before):
        return False  # no space before the number
    low = tail.lower()
    if not low.endswith(_INDEX_ENDS) and not any(x in low for x in _INDEX_STEMS):
        return False
    return _INDEX_BEFORE.search(before) is not None


def _year_like(text: str, num: Num) -> bool:
    raw = text[num.start:num.end]
    return raw.isdigit() and len(raw) == 4 and 1000 <= num.value <= 2199 and num.mult == 1


def _skip_name_number(text: str, num: Num, lang: str) -> bool:
    """Index names, categories, addresses, products and ages are not figures."""
    if not num.digits or num.percent or num.currency or num.mult != 1:
        return False
    before = _before(text, num.start, 30)
    if _index_before(before):
        return True
    if lang != "en":
        return False
    if _NAME_AFTER.match(text, num.end):
        return True
    if not (num.value == int(num.value) and 12 <= num.value <= 110):
        return False
    a = _AGE_BEFORE.search(before)
    if a:
        # "aged 18 to 34", "Jamie Armstrong, 25, said": ages
        return a.group(0)[:1].islower() or text[num.end:num.end + 1] == ","
    return False


def _skip_capitalised(text: str, num: Num, lang: str) -> bool:
    """"Section 427", "iPhone 11", "Big 12": a name with a number, not a figure."""
    if _skip_name_number(text, num, lang):
        return True
    if lang != "en" or not num.digits or num.percent or num.currency or num.mult != 1:
        return False
    nx = text[num.end:num.end + 1]
    if nx.isascii() and nx.isalpha():  # "640bhp": a unit, not a name
        return False
    before = _before(text, num.start, 40)
    words = before.split()  # the capitalised word is the last one, right before spaces
    if not words or len(before.rstrip()) == len(before) or not _HAS_CAPITAL.search(words[-1]):
        return False
    m = _CAP_WORD_BEFORE.search(before)
    if not m:
        return False
    word = m.group(1)
    if word in _CAP_EXEMPT:
        return False
    if len(word) == 1 or any(c.isupper() for c in word[1:]):  # "S&P 500", "iPhone 11"
        return True
    # Sentence-initial capitals are ordinary words.
    if _PREV_CHAR_SENT.search(_before(text, m.start(1), 3)):
        return word in ("Game", "Section", "Part", "Article", "Chapter", "Model",
                            "Round", "Stage", "Level", "Season", "Episode", "Page", "Week")
    nm = _NEXT_WORD.match(text, num.end)
    if nm:  # "Energy's 550 megawatt": a count; "Game 2 was", "Watch 5 to": a name
        w = nm.group(1)
        if w.islower() and w not in _FUNCTION_WORDS:
            return False
    return True


_FUNCTION_WORDS = frozenset(
    "the a an is was are were be been has have had will would could should can may might "
    "to on in at of for and or but as by with from that this which who after before over "
    "under into than then when where while if so not no yet also just only still per".split())


_SPACES = " \u00a0\u202f\t\n"


def _prev_word(text: str, s: int) -> tuple[str, str]:
    """The word before ``s`` (lower-cased) and the last non-space character."""
    i = s
    while i > 0 and text[i - 1] in _SPACES:
        i -= 1
    j = i
    lo = max(0, i - 25)
    while j > lo and (text[j - 1].isalpha() or text[j - 1] in "'’-."):
        j -= 1
    return text[j:i].lower(), text[i - 1] if i else ""


def _qualifier(text: str, start: int, pw: tuple[str, str] | None = None,
               stack: bool = True) -> tuple[str | None, int]:
    word, last = pw or _prev_word(text, start)
    if word not in P.QUAL_LAST and last not in P.QUAL_SYMBOLS:
        return None, start
    before = _before(text, start, 40)
    m = P.QUALIFIER_RE.search(before)
    if not m:
        return None, start
    g = "q" if m.group("q") else "sym"
    qual, qstart = P.qualifier_of(m.group(g)), start - (len(before) - m.start(g))
    if qual == "up_to" and _RUN_UP.search(before, 0, m.start(g)):
        return None, start  # "in the lead up to 3G", "the run up to 2,000": a time before
    if qual == "approx" and stack:
        # "as many as roughly 2 million", "до примерно 12 тысяч": the bound wins
        outer, ostart = _qualifier(text, qstart)
        if outer in ("up_to", "less_than", "more_than", "at_least"):
            return outer, ostart
    return qual, qstart


def _change(text: str, start: int, lang: str,
            pw: tuple[str, str] | None = None) -> str | None:
    word, _last = pw or _prev_word(text, start)
    if (word not in P.CHANGE_EN_LAST) if lang == "en" else (word != "на"):
        return None
    before = _before(text, start, 60)
    if lang == "en":
        m = P.CHANGE_EN.search(before)
        if m and not P.NOT_CHANGE_UP.search(before):
            return "up" if (m.group("up") or m.group("up2")) else "down"
        return None
    m = P.CHANGE_CYR.search(before)
    if not m:
        return None
    return "up" if m.group("up") else "down"


def _finish_kind(num: Num) -> str:
    if num.percent:
        return "percent"
    if num.currency:
        return "amount"
    return "count"


_DETERMINER = re.compile(r"[\s\u00a0]+(?:the|its|their|all)(?=[\s\u00a0])", re.IGNORECASE)
_SYMBOL_UNIT = {"$": "$", "€": "€", "£": "£", "₽": "₽", "₴": "₴", "¥": "¥"}


def extract(text: str, lang: str | None = None) -> list[Quantity]:
    """Every quantity in ``text``, in text order."""
    if not text:
        return []
    lang = lang or detect_lang(text)
    anchor = _anchor()
    out: list[Quantity] = []
    pos = 0
    span = (0, -1)
    for m in anchor.finditer(text):
        if m.start() < pos:
            continue
        try:
            items = _quantities_at(text, m.start(), m.group("d") is not None, lang)
        except _Skip as skip:
            pos = max(skip.end, m.end())
            continue
        if not items:
            pos = m.end()
            continue
        for q in items:
            if not span[0] <= q.start < span[1]:
                # quantities come in text order: the new sentence starts after the last
                span = sentence_at(text, q.start,
                                   floor=span[1] if span[1] <= q.start else 0)
            # frozen dataclass: filled in place once, before anyone else sees it
            object.__setattr__(q, "sentence_start", span[0])
            object.__setattr__(q, "sentence_end", span[1])
            out.append(q)
        pos = max(q.end for q in items)
    return _inherit_qualifiers(text, out)


_ELIDED_BY_GAP = re.compile(r"^[^\d.;:!?]{0,40}?(?:,|\band)[\s\u00a0]+(?:[^\W\d_][\w&'’.-]*"
                            r"[\s\u00a0]+){1,3}by[\s\u00a0]+$", re.IGNORECASE)
_PAREN_GAP = re.compile(r"^[^\W\d_]*(?:[\s\u00a0]+[^\W\d_]+){0,2}[\s\u00a0]*\([^()]{0,12}$")
_SLASH_GAP = re.compile(r"^[^\W\d_]*[\s\u00a0]*/[\s\u00a0]*$")
_OR_GAP = re.compile(r"^[^\W\d_]*(?:[\s\u00a0]+[^\W\d_]+){0,2}[\s\u00a0]*,?[\s\u00a0]+"
                     r"(?:or|или|або|і|и|та|and)[\s\u00a0]+$")


def _inherit_qualifiers(text: str, qs: list[Quantity]) -> list[Quantity]:
    """"порядка 1,5 тысячи инженеров и 5 тысяч строителей": the qualifier covers both.

    A conversion in brackets ("more than 100 km (60 miles)") and "fell 190 points,
    or 0.6%" share the qualifier and the change of the figure before them.
    """
    for i in range(1, len(qs)):
        prev, cur = qs[i - 1], qs[i]
        gap = text[prev.end:cur.start]
        if (prev.change and not cur.change and cur.start >= prev.end
                and _ELIDED_BY_GAP.match(gap)):
            # "were down 2.3%, Burlington by 2.6%": the verb is left out, "by" keeps it
            qs[i] = cur = replace(cur, change=prev.change)
            continue
        if (cur.qualifier in ("exact", "range") and not cur.change and cur.start >= prev.end
                and (_PAREN_GAP.match(gap) or (prev.change and _OR_GAP.match(gap))
                     or (_SLASH_GAP.match(gap) and "(" in text[max(0, prev.start - 3):prev.start]
                         and i > 1 and qs[i - 2].qualifier == prev.qualifier))):
            if cur.qualifier == "range":
                qs[i] = replace(cur, change=prev.change)
                continue
            low, high, qual = cur.low, cur.high, prev.qualifier
            if qual in ("more_than", "at_least"):
                high = None
            elif qual in ("up_to", "less_than"):
                low = None
            elif qual == "range":
                qual = "exact"
            qs[i] = replace(cur, qualifier=qual, low=low, high=high, change=prev.change)
            continue
        if (cur.qualifier != "exact" or prev.qualifier in ("exact", "range") or cur.change
                or (prev.vague and prev.qualifier == "approx")):
            continue  # "thousands of X and 2,000 Y": vagueness is not a hedge on the next
        gap_from = prev.unit_end if prev.unit_end is not None else prev.end
        if gap_from > cur.start:
            continue
        conj = _CONJ_GAP.match(text[gap_from:cur.start])
        if conj and prev.kind == cur.kind and (
                prev.qualifier != "approx" or not _OR_WORD.search(conj.group(0))):
            # "as many as 2 million shells or 300,000 rockets": a bound covers the
            # alternative; "around 25k or 40k" may offer a figure of its own
            low, high = cur.low, cur.high
            v = cur.low
            if prev.qualifier in ("more_than", "at_least"):
                low, high = v, None
            elif prev.qualifier in ("up_to", "less_than"):
                low, high = None, v
            qs[i] = replace(cur, qualifier=prev.qualifier, low=low, high=high)
    return _link_changes(text, qs)


_CLAUSE_WORD = re.compile(r"(?<![\w])(?:and|but|or|while|и|а|но|или|і|та|але|або|чи)(?![\w])",
                          re.IGNORECASE)
_DELTA_TO_GAP = re.compile(r"^[^\W\d_]{0,12}[\s\u00a0]+(?:to|до)[\s\u00a0]+$", re.IGNORECASE)
_FROM_GAP = re.compile(r"^(?:[\s\u00a0]*[^\W\d_]{1,12}){0,3}?,?[\s\u00a0]+"
                       r"(?:from|с|со|з|із|від)[\s\u00a0]+(?:[A-Z]{1,3}[\s\u00a0]?)?[$€£]?$",
                       re.IGNORECASE)


def _link_changes(text: str, qs: list[Quantity]) -> list[Quantity]:
    """Link a value reached to the change before it ("grew by 2,000 to 12,000",
    "вырос на 2 тысячи до 12 тысяч") or to the value it came from, written after it
    ("narrowed to 138,285 lots from 212,577 lots")."""
    if not any(q.role == "to" and q.link is None for q in qs):
        return qs
    for i, q in enumerate(qs):
        if q.role != "to" or q.link is not None:
            continue
        prev = qs[i - 1] if i else None
        if (prev is not None and prev.role is None and prev.change and not prev.vague
                and prev.kind in (q.kind, "percent")):
            gap_from = prev.unit_end if prev.unit_end and prev.unit_end <= q.start else prev.end
            if _DELTA_TO_GAP.match(text[gap_from:q.start]) or (
                    text[gap_from:q.start].strip() == "" and q.surface[:2].lower() == "до"):
                if prev.unit is None and prev.kind == q.kind:  # "на 2 тысячи до 12 тысяч человек"
                    prev = replace(prev, unit=q.unit, unit_start=q.unit_start,
                                   unit_end=q.unit_end)
                qs[i - 1] = replace(prev, role="delta", link=q.start)
                qs[i] = replace(q, link=prev.start)
                continue
        nxt = qs[i + 1] if i + 1 < len(qs) else None
        if nxt is not None and nxt.role is None and nxt.qualifier == "exact" and not nxt.change:
            gap_from = q.unit_end if q.unit_end and q.unit_end <= nxt.start else q.end
            gap = text[gap_from:nxt.start]
            if _FROM_GAP.match(gap) and not _CLAUSE_WORD.search(gap) and (
                    nxt.unit is None or q.unit is None or nxt.unit == q.unit):
                if nxt.unit is None:  # "до 70 долларов с 75": the same unit
                    nxt = replace(nxt, unit=q.unit, unit_start=q.unit_start,
                                  unit_end=q.unit_end, kind=q.kind)
                qs[i + 1] = replace(nxt, role="from", link=q.start)
                qs[i] = replace(q, link=nxt.start)
    return qs


def _quantities_at(text: str, pos: int, is_digit: bool, lang: str) -> list[Quantity]:
    first = _parse_at(text, pos, is_digit, lang)
    if _is_year(text, first, lang) or _skip_capitalised(text, first, lang):
        tail = _SKIP_TAIL.match(text, first.end)
        raise _Skip(tail.end() if tail else first.end)
    pw = _prev_word(text, first.start)  # reused by the qualifier and change look-ups
    opener_m = (P.OPENER_RE.search(_before(text, first.start, 12))
                if pw[0] in P.OPENERS else None)
    opener = opener_m.group("o").lower() if opener_m else None
    second: Num | None = None
    sep_kind = None
    if not first.vague:
        second, sep_kind = _second(text, first, opener, lang)
    if second is not None:
        # A score ("2-2", "3-1") is not a range.
        if (sep_kind == "dash" and first.value >= second.value and not second.percent
                and second.mult == 1 and not second.currency and not first.fraction):
            raise _Skip(second.end)
        if _NAME_AFTER.match(text, second.end) and lang == "en":
            raise _Skip(second.end)
        if (opener in ("between", "from", "от", "від", "с", "з", "між", "между")
                and _year_like(text, first) and _year_like(text, second)
                and find_unit(text, second.end, lang)[0] is None):
            raise _Skip(second.end)  # "between 1600 and 1900": a period
        own_marks = _own_marks(text, first)  # its own, not lent by the second end
        _share(first, second)
        pair = opener in ("с", "со", "з", "із", "зі") or (
            opener == "from" and P.CHANGE_VERB_NEAR.search(_before(text, first.start, 40))
        ) or (sep_kind == "to" and opener is None and own_marks
              and _change(text, first.start, lang) is not None)
        if pair:
            s1 = first.start - (len(opener_m.group(0)) if opener_m else 0)
            # "увеличилась с 8 до 11 тысяч": the value before and the value after
            q1 = _make(text, first, None, "exact", s1, lang, unit_from=second.end)
            q2 = _make(text, second, None, "exact", second.start - _sep_len(text, first, second),
                       lang)
            # "rose 0.5% to 3.2%" (no "from"): the first is the amount of change
            role1 = "from" if opener is not None else "delta"
            q1 = replace(q1, unit=q2.unit, unit_start=q2.unit_start, unit_end=q2.unit_end,
                         role=role1, link=q2.start,
                         change=_change(text, first.start, lang) if role1 == "delta" else None)
            _set_role(q2, "to", q1.start)
            return [q1, q2]
        start = first.start
        if opener_m:
            start -= len(opener_m.group(0))
        qual, qstart = _qualifier(text, start)
        rq = _make_range(text, first, second, qstart if qual else start, lang)
        if qual:
            object.__setattr__(rq, "range_qualifier", qual)
        if opener is None and _reached(text, start, lang, qual, qstart):
            _set_role(rq, "to", None)
        return [rq]
    qual, qstart = _qualifier(text, first.start, pw)
    role = None
    if qual == "up_to" and text[qstart:qstart + 2].lower() == "до" and opener:
        qual, qstart = None, first.start
    elif _reached(text, first.start, lang, qual, qstart):
        # "увеличилась до 12 тысяч": the value reached, not "up to"; a hedge before
        # "до" still counts ("выросла почти до 12 тысяч")
        role = "to"
        if qual == "up_to":  # the surface keeps "до", as in "с 10 до 12 тысяч"
            if _qualifier(text, first.start, pw, stack=False)[0] == "approx":
                qual = "approx"  # "до примерно 14 тысяч"
            else:  # "почти до 12 тысяч" keeps its hedge
                hedge, hstart = _qualifier(text, qstart)
                qual, qstart = hedge, (hstart if hedge else qstart)
    q = _make(text, first, qual, None, qstart, lang, pw=pw)
    if role:
        _set_role(q, role, None)
    return [q]


def _set_role(q: Quantity, role: str, link: int | None) -> None:
    # frozen dataclass, just made here: filled in place before anyone else sees it
    object.__setattr__(q, "role", role)
    object.__setattr__(q, "link", link)


def _reached(text: str, start: int, lang: str, qual: str | None, qstart: int) -> bool:
    """Is the number at ``start`` the value a verb of change reached ("rose to 12,000",
    "grew by 2,000 to 12,000", "увеличилась до 12 тысяч", "зросла на 2 тисячі до 12")?"""
    if lang == "en":
        if qual == "up_to":
            return False
        at = qstart if qual else start  # "rose to more than 12,000": a hedged value reached
        if text[max(0, at - 4):at].rstrip()[-2:].lower() != "to":
            return False
        m = _TO_BEFORE.search(_before(text, at, 6))
        if m is None:
            return False
        return P.REACHED_EN.search(_before(text, at - len(m.group(0)), 80)) is not None
    if qual not in (None, "up_to"):  # "выросла до более чем 12 тысяч"
        if text[max(0, qstart - 4):qstart].rstrip()[-2:].lower() != "до":
            return False
        m = _DO_BEFORE.search(_before(text, qstart, 6))
        return m is not None and P.REACHED_CYR.search(
            _before(text, qstart - len(m.group(0)), 80)) is not None
    if qual != "up_to" or text[qstart:qstart + 2].lower() != "до":
        return False
    return P.REACHED_CYR.search(_before(text, qstart, 80)) is not None


_RUN_UP = re.compile(r"(?<![\w])(?:lead|leading|run|running|build|building)[\s\u00a0]+$",
                     re.IGNORECASE)
_DO_BEFORE = re.compile(r"(?<![\w])до[\s\u00a0]+$", re.IGNORECASE)
_TO_BEFORE = re.compile(r"(?<![\w])to[\s\u00a0]+$", re.IGNORECASE)


def _sep_len(text: str, first: Num, second: Num) -> int:
    gap = text[first.end:second.start]
    m = re.search(r"(?:до|по|to)[\s\u00a0]*$", gap, re.IGNORECASE)
    return len(m.group(0)) if m else 0


def _own_marks(text: str, n: Num) -> bool:
    return n.percent or n.currency is not None or n.mult != 1


def _second(text: str, first: Num, opener: str | None, lang: str) -> tuple[Num | None, str]:
    if first.multiple:
        return None, ""
    e = first.end
    attached = _ATTACHED_UNIT.match(text, e, e + 10)
    if attached and opener in ("between", "from") and first.digits:
        e = attached.end()
    dm = _RANGE_SEP.match(text, e)
    if dm and not first.digits and not first.fraction and not first.vague:
        wm2 = _anchor().match(text, dm.end())
        if wm2 and wm2.group("w"):
            try:
                return _parse_at(text, dm.end(), False, lang), "dash"
            except _Skip:
                return None, ""
    if dm and first.digits and not first.fraction:
        nxt = dm.end()
        if nxt < len(text) and (text[nxt].isdigit() or text[nxt] in "$€£"):
            try:
                n2 = _parse_at(text, nxt + (1 if not text[nxt].isdigit() else 0), True, lang)
            except _Skip:
                return None, ""
            if text[nxt] in "$€£" and n2.currency is None:
                n2.currency = text[nxt]
                n2.start = nxt
            return n2, "dash"
    wm = _WORD_SEP.match(text, e)
    if not wm and opener in ("from", "between") and not first.vague:
        # "from 208 pounds to 193", "between 15 kHz and 17 kHz"
        _lem, us, ue = find_unit(text, e, lang)
        if us is not None and ue is not None and not text[e:us].strip() and ue - us <= 25:
            wm = _WORD_SEP.match(text, ue)
    if not wm:
        return None, ""
    sep = wm.group("s").lower()
    if wm.group("up") and (sep != "to" or opener != "from"):
        return None, ""  # "up to" closes only "from 450 sq ft up to 900 sq ft"
    if sep in ("and", "и", "і", "та", "й") and opener not in ("between", "между", "між"):
        return None, ""
    if sep in ("до", "по") and opener is None:
        return None, ""
    if sep == "to" and opener is None and lang != "en":
        return None, ""
    nxt = wm.end()
    am = _anchor().match(text, nxt)
    is_digit = False
    start2 = nxt
    code = _CODE_BEFORE_DIGITS.match(text, nxt)
    if code and code.end() > nxt and _currency_before(text, code.end()):
        start2 = code.end()
        is_digit = True
    elif nxt < len(text) and text[nxt] in "$€£":
        start2 = nxt + 1
        while start2 < len(text) and text[start2] in " \u00a0":
            start2 += 1
        is_digit = start2 < len(text) and text[start2].isdigit()
        if not is_digit:
            return None, ""
    elif am is None:
        return None, ""
    else:
        is_digit = am.group("d") is not None
    try:
        n2 = _parse_at(text, start2, is_digit, lang)
    except _Skip:
        return None, ""
    if n2.vague or (_is_year(text, n2, lang) and not first.percent and first.value < 100):
        return None, ""
    if (sep == "to" and opener is None and n2.value > 3 * first.value
            and _change(text, first.start, lang) is not None):
        return None, ""  # "grew by 2,000 to 12,000": the change, then the value reached
    if sep == "to" and opener is None:
        # "10,000 to 12,000": a range only if the first has no unit of its own.
        lem, us, _ue = find_unit(text, first.end, lang)
        if lem is not None and us is not None and us < n2.start:
            return None, ""
        if _own_marks(text, first) and (first.percent != n2.percent
                                         or bool(first.currency) != bool(n2.currency)):
            return None, ""
    return n2, ("to" if sep == "to" else "word")


def _share(first: Num, second: Num) -> None:
    """"10-12 тысяч", "50-60%", "$1-2 billion": marks on the second apply to both."""
    # "с 8 до 11 тысяч" shares; "from 500 to 2 million" does not (500 > 2).
    if second.mult != 1 and first.mult == 1 and first.value < second.value / second.mult:
        first.value *= second.mult
        first.mult = second.mult
    elif (first.mult == 1 and second.mult == 1 and first.digits and second.digits
          and not (first.currency or second.currency or first.percent or second.percent)):
        # "9 to 10,000", "2-3,000,000": the first end lacks the order of magnitude the
        # second is written with; shared only when that puts both ends within a factor 5
        # (prices and shares span wide ranges as written: "$9 to $10,000")
        for f in (10**9, 10**6, 10**3):
            q = second.value / f
            if q >= 1 and q.is_integer() and first.value < q:
                if first.value * f * 5 >= second.value:
                    first.value *= f
                break
    if second.percent and not first.percent:
        first.percent = True
    if second.currency and not first.currency:
        first.currency = second.currency
    if first.currency and not second.currency:
        second.currency = first.currency


def _postfix_qualifier(text: str, num: Num) -> tuple[str | None, int]:
    plus = _PLUS_AFTER.match(text, num.end)
    if plus:
        return "more_than", plus.end()
    m = _OR_MORE.match(text, num.end)
    if m:
        return "at_least", m.end()
    m = _OR_SO.match(text, num.end)
    if m:
        return "approx", m.end()
    return None, num.end


def _unit(text: str, num: Num, end: int, lang: str) -> tuple[str | None, int | None, int | None]:
    if num.percent:
        us, ue = percent_scope(text, end, lang)
        if us is None and num.fraction and lang == "en":
            # "3 out of 10 missiles", "half the missiles"
            det = _DETERMINER.match(text, end)
            _lem, us, ue = find_unit(text, det.end() if det else end, lang)
        return "%", us, ue
    lem, us, ue = find_unit(text, end, lang)
    if num.currency and (lem is None or lem not in P.CURRENCY_LEMMAS):
        return _SYMBOL_UNIT.get(num.currency, num.currency), None, None
    return lem, us, ue


def _make(text: str, num: Num, qual: str | None, forced: str | None, start: int,
          lang: str, unit_from: int | None = None,
          pw: tuple[str, str] | None = None) -> Quantity:
    """``pw``: the word before ``num.start`` when the caller has it (_prev_word)."""
    post, end = _postfix_qualifier(text, num)
    if forced:
        qualifier = forced
    elif num.vague:
        qualifier = "approx"
    else:
        qualifier = qual or post or ("less_than" if num.sub else "exact")
    if num.sign < 0:
        num.value = -num.value
    if num.vague:
        low, high = num.low, num.high
        if qual in ("more_than", "at_least"):
            qualifier = qual
            high = None
        elif qual in ("up_to", "less_than"):
            qualifier = qual
            low = None
    else:
        low = high = num.value
        if qualifier in ("more_than", "at_least"):
            high = None
        elif qualifier in ("up_to", "less_than"):
            low = None
    change = None
    if not forced:
        change = (_change(text, start, lang, pw if start == num.start else None)
                  or (_change(text, num.start, lang, pw) if start != num.start else None))
    if num.sign and num.percent and change is None:
        change = "up" if num.sign > 0 else "down"
    unit, us, ue = _unit(text, num, unit_from if unit_from is not None else end, lang)
    kind = _finish_kind(num)
    if unit is not None and unit in P.CURRENCY_LEMMAS:
        kind = "amount"
    return Quantity(
        low=clean_number(_round(low)), high=clean_number(_round(high)), qualifier=qualifier,
        change=change, unit=unit, surface=text[start:end], start=start, end=end, kind=kind,
        vague=num.vague, unit_start=us, unit_end=ue,
    )


def _make_range(text: str, first: Num, second: Num, start: int, lang: str) -> Quantity:
    post, end = _postfix_qualifier(text, second)
    low, high = first.value, second.value
    if low > high:
        low, high = high, low
    unit, us, ue = _unit(text, second, end, lang)
    qual = "range"
    # "jumped from 240 to 273" is a before/after pair, not a change by an amount.
    opened = re.match(r"(?:from|between|от|від|между|між)\b", text[start:start + 8],
                      re.IGNORECASE)
    change = None if opened else _change(text, start, lang)
    return Quantity(
        low=clean_number(_round(low)), high=clean_number(_round(high)), qualifier=qual,
        change=change, unit=unit, surface=text[start:end], start=start, end=end,
        kind=_finish_kind(second), vague=False, unit_start=us, unit_end=ue,
    )


def _round(x: float | None) -> float | None:
    """64.1 * 1e9 is 64099999999.99999 in binary: keep 12 significant digits."""
    if x is None or float(x).is_integer():
        return x
    return float(f"{x:.12g}")
