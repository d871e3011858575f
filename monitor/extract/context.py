"""What the words around a quantity say: its qualifier ("more than", "около"),
a change ("rose by"), a value reached, and qualifiers shared along a list."""

from __future__ import annotations

import re

from ..models import Quantity
from . import patterns as P
from .base import Num, _before, _none_of, _replace

_PLUS_AFTER = re.compile(r"\+|-plus\b|\s+plus\b", re.IGNORECASE)
_OR_MORE = re.compile(
    r"[\s\u00a0]+(?:or\s+more|and\s+more|и\s+более|и\s+больше|і\s+більше|або\s+більше|"
    r"или\s+более)\b", re.IGNORECASE)
_OR_SO = re.compile(r"[\s\u00a0]+or\s+so\b", re.IGNORECASE)
_CONJ_GAP = re.compile(r"^[\s\u00a0]*(?:,[\s\u00a0]*)?(?:и|і|та|й|and|or|или|либо|або|чи|,)"
                       r"[\s\u00a0]+$", re.IGNORECASE)
# The last characters of _CONJ_GAP's words: и, і, та, й, and, or, или, либо, або, чи, ","
_NO_CONJ = _none_of("иіайdrо,")
_OR_WORD = re.compile(r"\b(?:or|или|либо|або|чи)\b", re.IGNORECASE)


_SPACES = " \u00a0\u202f\t\n"


def _prev_word(text: str, s: int) -> tuple[str, str]:
    """The word before ``s`` (lower-cased) and the last non-space character."""
    i = s
    while i > 0 and text[i - 1] in _SPACES:
        i -= 1
    lo = i - 25 if i > 25 else 0
    # the common case: letters only, back to a space inside the window
    k = text.rfind(" ", lo, i)
    if k >= 0:
        word = text[k + 1:i]
        if word.isalpha() or not word:
            return word.lower(), text[i - 1] if i else ""
    j = i
    while j > lo and (text[j - 1].isalpha() or text[j - 1] in "'’-."):
        j -= 1
    return text[j:i].lower(), text[i - 1] if i else ""


def _qualifier(text: str, start: int, pw: tuple[str, str] | None = None,
               stack: bool = True) -> tuple[str | None, int]:
    word, last = pw or _prev_word(text, start)
    if word not in P.QUAL_LAST and last not in P.QUAL_SYMBOLS:
        return None, start
    before = _before(text, start, 40)
    m = P.QUALIFIER_END.search(before)
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
        m = P.CHANGE_EN_END.search(before)
        if m and not P.NOT_CHANGE_UP_END.search(before):
            return "up" if (m.group("up") or m.group("up2")) else "down"
        return None
    m = P.CHANGE_CYR_END.search(before)
    if not m:
        return None
    return "up" if m.group("up") else "down"


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
                and gap.rstrip()[-2:].lower() == "by" and _ELIDED_BY_GAP.match(gap)):
            # "were down 2.3%, Burlington by 2.6%": the verb is left out, "by" keeps it
            qs[i] = cur = _replace(cur, change=prev.change)
            continue
        if (cur.qualifier in ("exact", "range") and not cur.change and cur.start >= prev.end
                # (the first and last patterns need a bracket or a slash: looked for first)
                and (("(" in gap and _PAREN_GAP.match(gap)) or (prev.change and _OR_GAP.match(gap))
                     or ("/" in gap and _SLASH_GAP.match(gap)
                         and "(" in text[max(0, prev.start - 3):prev.start]
                         and i > 1 and qs[i - 2].qualifier == prev.qualifier))):
            if cur.qualifier == "range":
                qs[i] = _replace(cur, change=prev.change)
                continue
            low, high, qual = cur.low, cur.high, prev.qualifier
            if qual in ("more_than", "at_least"):
                high = None
            elif qual in ("up_to", "less_than"):
                low = None
            elif qual == "range":
                qual = "exact"
            qs[i] = _replace(cur, qualifier=qual, low=low, high=high, change=prev.change)
            continue
        if (cur.qualifier != "exact" or prev.qualifier in ("exact", "range") or cur.change
                or (prev.vague and prev.qualifier == "approx")):
            continue  # "thousands of X and 2,000 Y": vagueness is not a hedge on the next
        gap_from = prev.unit_end if prev.unit_end is not None else prev.end
        if gap_from > cur.start:
            continue
        between = text[gap_from:cur.start]
        # (it ends in a conjunction or a comma, then spaces: its last letter looked at first)
        conj = None if between.rstrip()[-1:] in _NO_CONJ else _CONJ_GAP.match(between)
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
            qs[i] = _replace(cur, qualifier=prev.qualifier, low=low, high=high)
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
    for q in qs:  # (a loop, not any() over a generator: called per text)
        if q.role == "to" and q.link is None:
            break
    else:
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
                    prev = _replace(prev, unit=q.unit, unit_start=q.unit_start,
                                   unit_end=q.unit_end)
                qs[i - 1] = _replace(prev, role="delta", link=q.start)
                qs[i] = _replace(q, link=prev.start)
                continue
        nxt = qs[i + 1] if i + 1 < len(qs) else None
        if nxt is not None and nxt.role is None and nxt.qualifier == "exact" and not nxt.change:
            gap_from = q.unit_end if q.unit_end and q.unit_end <= nxt.start else q.end
            gap = text[gap_from:nxt.start]
            if _FROM_GAP.match(gap) and not _CLAUSE_WORD.search(gap) and (
                    nxt.unit is None or q.unit is None or nxt.unit == q.unit):
                if nxt.unit is None:  # "до 70 долларов с 75": the same unit
                    nxt = _replace(nxt, unit=q.unit, unit_start=q.unit_start,
                                  unit_end=q.unit_end, kind=q.kind)
                qs[i + 1] = _replace(nxt, role="from", link=q.start)
                qs[i] = _replace(q, link=nxt.start)
    return qs


def _reached(text: str, start: int, lang: str, qual: str | None, qstart: int) -> bool:
    """Is the number at ``start`` the value a verb of change reached ("rose to 12,000",
    "grew by 2,000 to 12,000", "увеличилась до 12 тысяч", "зросла на 2 тисячі до 12")?"""
    if lang == "en":
        if qual == "up_to":
            return False
        at = qstart if qual else start  # "rose to more than 12,000": a hedged value reached
        if text[at - 4 if at > 4 else 0:at].rstrip()[-2:].lower() != "to":
            return False
        m = _TO_BEFORE.search(_before(text, at, 6))
        if m is None:
            return False
        return P.REACHED_EN_END.search(_before(text, at - len(m.group(0)), 80)) is not None
    if qual not in (None, "up_to"):  # "выросла до более чем 12 тысяч"
        if text[qstart - 4 if qstart > 4 else 0:qstart].rstrip()[-2:].lower() != "до":
            return False
        m = _DO_BEFORE.search(_before(text, qstart, 6))
        return m is not None and P.REACHED_CYR_END.search(
            _before(text, qstart - len(m.group(0)), 80)) is not None
    if qual != "up_to" or text[qstart:qstart + 2].lower() != "до":
        return False
    return P.REACHED_CYR_END.search(_before(text, qstart, 80)) is not None


_RUN_UP = re.compile(r"(?<![\w])(?:lead|leading|run|running|build|building)[\s\u00a0]+$",
                     re.IGNORECASE)
_DO_BEFORE = re.compile(r"(?<![\w])до[\s\u00a0]+$", re.IGNORECASE)
_TO_BEFORE = re.compile(r"(?<![\w])to[\s\u00a0]+$", re.IGNORECASE)


# _PLUS_AFTER, _OR_MORE and _OR_SO in one pattern, tried in that order: one regex call
# per number.
_POSTFIX = re.compile("(?P<more_than>" + _PLUS_AFTER.pattern + ")|(?P<at_least>"
                      + _OR_MORE.pattern + ")|(?P<approx>" + _OR_SO.pattern + ")",
                      re.IGNORECASE)


# "+", "-plus", then after spaces "plus", "or more", "and more", "и более", "і більше",
# "або більше", "или более", "or so" (Latin o, a; Cyrillic и, і, а).
_NO_POSTFIX = _none_of("+-poaиіа")


def _postfix_qualifier(text: str, num: Num) -> tuple[str | None, int]:
    e = num.end
    c = text[e:e + 1]  # (base._char_after, inlined: it runs for every number)
    if c == " ":
        c = text[e + 1:e + 2]
    if c in _NO_POSTFIX:
        return None, e
    m = _POSTFIX.match(text, e)
    if m:
        return m.lastgroup, m.end()
    return None, num.end
