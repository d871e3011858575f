"""One number at an anchor, digits or words, with the multiplier, percent sign and
currency that belong to it."""

from __future__ import annotations

import re
from functools import lru_cache

from . import patterns as P
from .base import (
    _CURRENCY_LAST,
    _FUNCTION_WORDS,
    _MULT_AFTER,
    _NEXT_WORD,
    Num,
    _currency_before,
    _currency_len,
    _none_of,
    _norm_word,
    _plain_after,
)
from .digits import _parse_digits_at
from .number_words import _SHARE_FIRST, _parse_words_at, _share_of
from .numbers import (
    SOFT_MULT,
    SUFFIX_MULT,
    tables,
)

_HUNDRED_AFTER = re.compile(r"[\s\u00a0]+hundred\b", re.IGNORECASE)


@lru_cache(maxsize=1)
def _mult_words() -> tuple[frozenset[str], frozenset[str]]:
    """Every word the multiplier step below can act on, and the characters that start
    none of them (a word after the number starting with one is left alone)."""
    words = frozenset(tables().mults) | frozenset(SUFFIX_MULT) | {"m", "b", "bn"} | frozenset(
        SOFT_MULT)
    return words, _none_of("".join({w[0] for w in words}))


# "%", "‰", "per cent", "pct", "pc", "pp", "процент", "проц.", "п.п.", "відсоток"
_NO_PERCENT = _none_of("%‰pпв")


def _parse_at(text: str, pos: int, is_digit: bool, lang: str, run_end: int = -1) -> Num:
    """The number at ``pos``; ``run_end``: where its digit run ends, when known."""
    num = (_parse_digits_at(text, pos, lang, run_end) if is_digit
           else _parse_words_at(text, pos, lang))
    if num.low is not None or num.fraction:  # vague (num.vague) or a share
        return num
    # (_share_of's own first check, made here: most numbers are not shares)
    if (num.digits and text[num.end + 1:num.end + 2] in _SHARE_FIRST
            and (share := _share_of(text, num, lang)) is not None):
        return share
    # "4 hundred", "4 hundred million"
    if (num.digits and num.mult == 1 and not _plain_after(text, num.end)
            and (hm := _HUNDRED_AFTER.match(text, num.end))):
        num.value *= 100
        num.end = hm.end()
    # Multiplier word after the number: "6 тысяч", "1,5 млн", "2.4 million", "10 тыс."
    if num.mult == 1 and not num.fraction:
        mult_words, no_mult = _mult_words()
        e = num.end  # (base._char_after, inlined: it runs for every number)
        c = text[e:e + 1]
        if c == " ":
            c = text[e + 1:e + 2]
        m = None if c in no_mult else _MULT_AFTER.match(text, e)
        # (a word none of the branches below knows changes nothing: looked up first)
        if m and (w := _norm_word(m.group(1))) in mult_words:
            f = tables().mults.get(w)
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
    e = num.end  # (base._char_after, inlined)
    c = text[e:e + 1]
    if c == " ":
        c = text[e + 1:e + 2]
    pm = P.PERCENT_AFTER.match(text, e) if c not in _NO_PERCENT else None
    if pm:
        num.percent = True
        num.end = pm.end()
    s = num.start  # (_currency_before's first check, made here: most numbers have none)
    if (text[s - 8 if s > 8 else 0:s].rstrip()[-1:] in _CURRENCY_LAST
            and (cur := _currency_before(text, s))):
        num.currency = cur
        num.start -= _currency_len(text, num.start)
    return num
