"""A number written in words at an anchor: cardinals, shares ("half", "треть"),
fractions, one counting noun and vague amounts ("тысячи", "dozens")."""

from __future__ import annotations

import re

from . import patterns as P
from .base import _PREV_CHAR_SENT, Num, _before, _has_mult_after, _norm_word, _Skip
from .context import _qualifier
from .numbers import (
    FOLD_WORDS,
    SOFT_MULT,
    tables,
    words_value,
)

_WORD_TOKENS = re.compile(r"([^\W\d_][\w'’ʼ]*)([\s\u00a0-]+)?")
_HALF_A = re.compile(r"[\s\u00a0]+an?[\s\u00a0]+(thousand|million|billion|trillion)\b",
                     re.IGNORECASE)
_GEN_SINGULAR = frozenset({"тысячи", "тисячі", "тисячи", "сотни", "сотні", "десятка", "десятки",
                           "миллиона", "мільйона", "миллиарда", "мільярда"})
_FEW_BEFORE = re.compile(
    r"(?<![\w])(?:несколько|нескольких|нескольким|несколькими|кілька|кількох|кільком|"
    r"кількома|several|a\s+few)[\s\u00a0]+$", re.IGNORECASE)
_A_BEFORE = re.compile(r"(?<![\w])(?:a|an|one)[\s\u00a0]+$", re.IGNORECASE)
_FOLD_AFTER = re.compile(r"-fold\b", re.IGNORECASE)


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
    if used < len(seq) and seq[used] in P.FRACTIONS \
            and value < (4 if seq[used] in ("quarter", "third") else 10):
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
        a = _A_BEFORE.search(_before(text, num.start, 6))
        if a is None:
            if seq[0] in t.mults and seq[0] in t.vague_mult:
                return _vague(text, toks, lang)
            raise _Skip(num.end)
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
                         re.IGNORECASE) or P.QUALIFIER_END.search(before)):
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
