"""Rule-free quantity extraction: anchors first, detailed parsing only around them."""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence

from ..models import Quantity
from . import patterns as P
from .base import Num, _anchors, _before, _name_after, _replace, _Skip
from .context import _change, _inherit_qualifiers, _prev_word, _qualifier, _reached
from .filters import _is_year, _skip_capitalised, _year_like
from .lang import detect_lang
from .make import _make, _make_range, _set_role
from .parse import _parse_at
from .ranges import _own_marks, _second, _sep_len, _share
from .sentences import sentence_at
from .units import find_unit

_REACH = 2900  # within sentence_at's window (3000), with room for its look-ahead

# What goes with a skipped year or name: "2014-15", "Charlton 2-1", "aged 18 to 34".
_SKIP_TAIL = re.compile(r"(?:[-–/]\d+|[\s\u00a0]+(?:to|and|или|и|і|та|до)[\s\u00a0]+\d+"
                        r"(?![\d.,]|[\s\u00a0]*(?:[%$€£]|[^\W\d_]*(?:illion|housand|тыс|млн|"
                        r"млрд|тис))))+", re.IGNORECASE)


def extract(text: str, lang: str | None = None,
            within: Sequence[tuple[int, int]] | None = None,
            sents: Sequence[tuple[int, int]] | None = None) -> list[Quantity]:
    """Every quantity in ``text``, in text order; with ``within``, only those that
    start in these (start, end) stretches of whole sentences (the rest of the text
    is still read as context).  ``sents``: the text's ``sentences()``, when the
    caller has them (they spare looking for each number's sentence)."""
    if not text:
        return []
    lang = lang or detect_lang(text)
    out: list[Quantity] = []
    pos = 0
    span = (0, -1)
    if within is None:
        anchors = _anchors(text)
    else:
        anchors = [x for lo, hi in within for x in _anchors(text, lo, hi)]
    for a_start, a_end, is_digit in anchors:
        if a_start < pos:
            continue
        try:
            items = _quantities_at(text, a_start, is_digit, lang, a_end)
        except _Skip as skip:
            pos = max(skip.end, a_end)
            continue
        if not items:
            pos = a_end
            continue
        for q in items:
            if not span[0] <= q.start < span[1]:
                # quantities come in text order: the new sentence starts after the last
                span = (sents and _known(sents, q.start)) or sentence_at(
                    text, q.start, floor=span[1] if span[1] <= q.start else 0)
            # frozen dataclass: filled in place once, before anyone else sees it
            object.__setattr__(q, "sentence_start", span[0])
            object.__setattr__(q, "sentence_end", span[1])
            out.append(q)
        pos = items[0].end if len(items) == 1 else max(q.end for q in items)
    return _inherit_qualifiers(text, out)


def _known(sents: Sequence[tuple[int, int]], pos: int) -> tuple[int, int] | None:
    """The sentence of ``sents`` holding ``pos``, where ``sentence_at`` would find the
    same one (its look-around window reaches both ends)."""
    k = bisect_right(sents, (pos, 1 << 62)) - 1
    if k < 0:
        return None
    a, b = sents[k]
    if a <= pos < b and pos - a < _REACH and b - pos < _REACH:
        return a, b
    return None


def _quantities_at(text: str, pos: int, is_digit: bool, lang: str,
                   end: int = -1) -> list[Quantity]:
    """The quantities at the anchor [pos, end)."""
    first = _parse_at(text, pos, is_digit, lang, end)
    if _is_year(text, first, lang) or _skip_capitalised(text, first, lang):
        tail = _SKIP_TAIL.match(text, first.end)
        raise _Skip(tail.end() if tail else first.end)
    pw = _prev_word(text, first.start)  # reused by the qualifier and change look-ups
    opener_m = (P.OPENER_RE.search(_before(text, first.start, 12))
                if pw[0] in P.OPENERS else None)
    opener = opener_m.group("o").lower() if opener_m else None
    second: Num | None = None
    sep_kind = None
    if first.low is None:  # not vague (the property, read without a call)
        second, sep_kind = _second(text, first, opener, lang)
    if second is not None:
        # A score ("2-2", "3-1") is not a range.
        if (sep_kind == "dash" and first.value >= second.value and not second.percent
                and second.mult == 1 and not second.currency and not first.fraction):
            raise _Skip(second.end)
        if lang == "en" and _name_after(text, second.end):
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
            q1 = _replace(q1, unit=q2.unit, unit_start=q2.unit_start, unit_end=q2.unit_end,
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
    s = first.start
    # (_qualifier's and _reached's first checks, made here: most numbers have neither)
    qual, qstart = (_qualifier(text, s, pw) if pw[0] in P.QUAL_LAST or pw[1] in P.QUAL_SYMBOLS
                    else (None, s))
    role = None
    if qual == "up_to" and text[qstart:qstart + 2].lower() == "до" and opener:
        qual, qstart = None, first.start
    elif (qual is not None or (lang == "en" and text[s - 4 if s > 4 else 0:s].rstrip()[-2:]
                               .lower() == "to")) and _reached(text, s, lang, qual, qstart):
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
