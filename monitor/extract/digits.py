"""A number written in digits at an anchor: separators, signs, suffixes, calibres,
codes and dates that are not figures."""

from __future__ import annotations

import re

from . import patterns as P
from .base import (
    _PLAIN_AFTER,
    _SIMPLE_CASE,
    Num,
    _before,
    _currency_before,
    _has_mult_after,
    _Skip,
    _token_end,
)
from .numbers import (
    DIGITS,
    EN_MULT,
    SUFFIX_MULT,
    parse_digits,
)
from .units import find_unit

_DIGITS_RE = re.compile(DIGITS)
_CARD_SUFFIX = frozenset({"х", "ти", "и", "ми", "ью", "ех", "ух", "ёх", "ох", "ма", "мя", "ої"})
_BAD_EN_SUFFIX = frozenset({"mm", "cm", "th", "st", "nd", "rd", "gauge", "km", "mile"})
_SUB_BEFORE = re.compile(r"(?<![\w])sub-$", re.IGNORECASE)
_MINUS_BEFORE = re.compile(r"(?<![\w])(?:minus|минус|мінус)[-\s\u00a0]$", re.IGNORECASE)


# Not a digit (ASCII and Cyrillic only, and the end of the text).
_NOT_DIGIT = frozenset(c for c in _SIMPLE_CASE if not c.isdecimal()) | {""}
# Separators of thousands groups that are no decimal point.
_GROUP_SEPS = frozenset(" \u00a0\u202f\u2009'’")
_RUN_ENDS = _NOT_DIGIT - _GROUP_SEPS - {",", "."}


def _run_alone(text: str, pos: int, run_end: int) -> bool:
    """Is the run of digits [pos, run_end) all that _DIGITS_RE matches at ``pos``?  So
    when no separator follows it, or a group separator that cannot open a group of
    three (after more than three digits, or before a non-digit)."""
    c = text[run_end:run_end + 1]
    return c in _RUN_ENDS or (c in _GROUP_SEPS and (
        run_end - pos > 3 or text[run_end + 1:run_end + 2] in _NOT_DIGIT))


def _parse_digits_at(text: str, pos: int, lang: str, run_end: int = -1) -> Num:
    """``run_end``: where the run of digits at ``pos`` ends, when the caller knows."""
    # (_run_alone, inlined: it runs for every number)
    c = text[run_end:run_end + 1] if run_end > pos else None
    if c is not None and (c in _RUN_ENDS or (c in _GROUP_SEPS and (
            run_end - pos > 3 or text[run_end + 1:run_end + 2] in _NOT_DIGIT))):
        s, e = pos, run_end  # what _DIGITS_RE would match: the run alone
        raw = text[s:e]
        sep = None
    else:
        m = _DIGITS_RE.match(text, pos)
        if m is None:  # a currency sign or code with no digits after it
            raise _Skip(pos + 1)
        s, e = m.span()
        raw = m.group(0)
        sep = m.group(1)
    if sep and _CALIBRE_AFTER.match(text, e) and raw[-3] != "0":
        cut = raw.rfind(sep)  # the last group is a calibre: "5 000 155-мм"
        raw = raw[:cut]
        e = s + cut
    # A thousands group may have swallowed a following year or count: "в 5 2024".
    prev = text[s - 1] if s else " "
    prev2 = text[s - 2] if s > 1 else " "
    sub = False
    sign = 0
    minus_len = 0
    # the common case, a space before the number (not after "minus"): none of the
    # marks or skips below applies
    if prev != " " or prev2 in "sSсС":
        if prev == "-" and prev2 in "bB" and _SUB_BEFORE.search(_before(text, s, 8)):
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
    lo5 = s - 5 if s > 5 else 0
    if ("." in (w := text[lo5:s]) or "№" in w) and _NO_BEFORE.search(
            text, lo5, s):  # "No. 5", "№ 12": the regex needs a dot or a №
        raise _Skip(e)
    nxt = text[e:e + 1]
    if nxt in _MARK_AFTER:  # (what the checks below look for after the number)
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
    plain = (nxt if nxt != " " else text[e + 1:e + 2]) in _PLAIN_AFTER  # _plain_after(text, e)
    if not plain and P.TIME_AFTER.match(text, e):
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
    # (a multiplier after the digits matters only when they hold a separator)
    value = float(raw) if raw.isdecimal() else parse_digits(
        raw, lang, has_mult=num.mult != 1 or _has_mult_after(text, e))
    if value is None:
        raise _Skip(e)
    sci = None if plain and num.end == e else _SCIENTIFIC.match(text, num.end)
    if sci:  # "1.99×10−30"
        value *= 10.0 ** int(sci.group(1).replace("−", "-"))
        num.end = sci.end()
    num.value = value * num.mult
    return num
_DIGIT_RUN = re.compile(r"\d+")
_MARK_AFTER = frozenset("/⁄:.,)")
_NO_BEFORE = re.compile(r"(?:(?<![\w])(?:No|Nr|nr)\.|№)[\s\u00a0]*$")
_COMMA_SHORT = re.compile(r",\d{1,2}(?!\d)")
_SUFFIX = re.compile(r"[a-zA-Zа-яА-ЯёЁіїєґІЇЄҐ]+")
_HYPHEN_SUFFIX = re.compile(r"-([^\W\d_]+)")
_SPACED_CALIBRE = re.compile(r"[ \u00a0](?:mm|мм)(?![\w])", re.IGNORECASE)
_CALIBRE_AFTER = re.compile(r"(?:-|[ \u00a0])?(?:мм|mm|millimet|калибр|калібр)", re.IGNORECASE)
_FRACTION_AFTER = re.compile(r"[/⁄](\d{1,4})(?![\d/⁄.,])")
_AREA_UNITS = frozenset({"m", "km", "cm", "mm", "ft", "in", "yd", "mi", "м", "км", "см"})
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
