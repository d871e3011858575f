"""The second end of a range ("10-12 тысяч", "between 5 and 7") and the marks
both ends share."""

from __future__ import annotations

import re

from .base import Num, _anchor, _currency_before, _none_of, _Skip
from .context import _change
from .filters import _is_year
from .parse import _parse_at
from .units import find_unit

_RANGE_SEP = re.compile(r"[-–—‒]|[\s\u00a0]+[-–—‒][\s\u00a0]+|[–—][\s\u00a0]*|\.\.\.?|…")
_WORD_SEP = re.compile(r"[\s\u00a0]+(?P<up>up[\s\u00a0]+)?(?P<s>to|до|по|and|и|і|та|й)[\s\u00a0]+",
                       re.IGNORECASE)
# After a space: neither a dash nor the first letter of a _WORD_SEP word.
_NO_SEP = _none_of("-utaдпиійт")
_ATTACHED_UNIT = re.compile(r"[A-Za-zµ°]+(?:/[A-Za-z]+)?")
_CODE_BEFORE_DIGITS = re.compile(
    r"(?:[A-Z]{1,3}[\s\u00a0]?)?[$€£]?(?:[A-Z]{1,2})?[\s\u00a0]?(?=\d)")


_SEP_WORD_END = re.compile(r"(?:до|по|to)[\s\u00a0]*$", re.IGNORECASE)


def _sep_len(text: str, first: Num, second: Num) -> int:
    gap = text[first.end:second.start]
    m = _SEP_WORD_END.search(gap)
    return len(m.group(0)) if m else 0


def _own_marks(text: str, n: Num) -> bool:
    return n.percent or n.currency is not None or n.mult != 1


def _second(text: str, first: Num, opener: str | None, lang: str) -> tuple[Num | None, str]:
    if first.multiple:
        return None, ""
    e = first.end
    if (opener in ("between", "from") and first.digits
            and (attached := _ATTACHED_UNIT.match(text, e, e + 10))):
        e = attached.end()
    c = text[e:e + 1]
    # what either separator can start with; after a space, a dash or a word of _WORD_SEP
    near = (c.isspace() or c in "-–—‒.…") and not (c == " " and text[e + 1:e + 2] in _NO_SEP)
    dm = _RANGE_SEP.match(text, e) if near else None
    if dm and not first.digits and not first.fraction and first.low is None:  # not vague
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
    wm = _WORD_SEP.match(text, e) if near else None
    if not wm and opener in ("from", "between") and first.low is None:
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
    run_end = -1  # where the digits at start2 end, when the anchor found them
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
        if is_digit:
            run_end = am.end()
    try:
        n2 = _parse_at(text, start2, is_digit, lang, run_end)
    except _Skip:
        return None, ""
    if n2.low is not None or (_is_year(text, n2, lang) and not first.percent and first.value < 100):
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
