"""What every step of extraction shares: the number found at an anchor (Num), the
anchor pattern, the skip signal and small look-behind helpers."""

from __future__ import annotations

import re
import string
from dataclasses import MISSING, dataclass, fields, replace
from functools import lru_cache
from types import MemberDescriptorType
from typing import Any

from ..models import Quantity
from . import patterns as P
from .numbers import (
    SUFFIX_MULT,
    tables,
)

_MULT_AFTER = re.compile(r"[\s\u00a0\u202f]*([^\W\d_]+)(\.)?")
_PREV_CHAR_SENT = re.compile(r"(?:^|[.!?:;\"«“(]\s*|\n\s*)$")
_NEXT_WORD = re.compile(r"[\s\u00a0]+([^\W\d_][\w'’-]*)")


@dataclass(slots=True)
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
def _anchor_patterns() -> tuple[re.Pattern[str], tuple[re.Pattern[str], ...]]:
    # all compiled together, on the first extract() (the trie regex takes a while)
    return P.anchor_regex(), P.anchor_scanners()


def _anchor() -> re.Pattern[str]:
    return _anchor_patterns()[0]


def _anchors(text: str, lo: int = 0, hi: int | None = None) -> list[tuple[int, int, bool]]:
    """(start, end, is_digits) of every anchor_regex match in ``text``, in order; with
    ``lo``/``hi``, of those starting in text[lo:hi] (cut between words)."""
    mixed, spaced, initial = _anchor_patterns()[1]
    end = len(text) if hi is None else hi
    at = lo - 1 if lo > 0 else 0  # both scans read the character before a word
    # group 1 is the word; without it the match is a digit run
    out = [(m.start(), m.end(), True) if m.start(1) < 0 else (m.start(1), m.end(1), False)
           for m in mixed.finditer(text, at, end)]
    words = [m.span(1) for m in spaced.finditer(text, at, end)]
    m0 = initial.match(text) if lo == 0 else None
    if m0:
        words.append(m0.span())
    if words:
        out += [(a, b, False) for a, b in words]
        out.sort()
    if lo > 0 and out and out[0][0] < lo:
        out = [x for x in out if x[0] >= lo]
    return out


@lru_cache(maxsize=65_536)  # a pure function of the word, called per number
def _norm_word(w: str) -> str:
    return w.lower().replace("ё", "е").replace("’", "'").replace("ʼ", "'")


class _Skip(Exception):
    """The anchor is a date, a model number or similar: skip to ``end``."""

    def __init__(self, end: int) -> None:
        self.end = end


def _before(text: str, pos: int, n: int = 60) -> str:
    lo = pos - n
    return text[lo if lo > 0 else 0:pos]
_TOKEN_REST = re.compile(r"[\w:./-]*")
_CURRENCY_HINT = re.compile(r"[$€£₽₴¥A-Z]")


# Characters whose case IGNORECASE compares as lower() has it: ASCII and Cyrillic.
_SIMPLE_CASE = tuple(map(chr, [*range(0x80), *range(0x400, 0x500)]))

# Characters that, right after a number or after one space, rule out a time ("5 pm",
# "10:30"), a power of ten ("1.2×10") and "hundred": not a space, ":", "×" or "*",
# and not the first letter of those words in any case.  Only ASCII and Cyrillic:
# their case rules are simple, so lower() is what the patterns' IGNORECASE compares.
_PLAIN_AFTER = frozenset(
    c for c in _SIMPLE_CASE
    if not c.isspace() and c not in ":×*" and c.lower() not in "apgubecмчhx")


def _none_of(firsts: str) -> frozenset[str]:
    """ASCII and Cyrillic characters, not spaces, whose lower case (ё read as е) is none
    of ``firsts``.  Where a pattern must start, after optional spaces, with one of
    ``firsts`` in any case, such a character right after a number, or after one space,
    rules the pattern out (the quick checks below; tests/test_extract_prefilters.py)."""
    return frozenset(c for c in _SIMPLE_CASE
                     if not c.isspace() and c.lower().replace("ё", "е") not in firsts)


def _char_after(text: str, i: int) -> str:
    """The character at ``i``, or the one after it when it is a space."""
    c = text[i:i + 1]
    return text[i + 1:i + 2] if c == " " else c


_NAME_AFTER = re.compile(
    r"[\s\u00a0]+(?:Pro|Max|Mini|Plus|Ultra|Lite|Dreamliner|Series|Edition|GT|SE|XL|ZIP|"
    r"family|series|variant|model|models|class|jetliners?|"
    r"(?:[A-Z0-9][\w.]*[\s\u00a0]+){0,2}(?:St|Street|Rd|Road|Ave|Avenue|Way|Lane|Drive|Dr|"
    r"Blvd|Boulevard|Place|Square|Court))\b")
# After spaces a name starts with a capital or digit (ASCII), or is one of the lower-case
# words above: a character after the number (or after one space) that none of them
# starts with rules _NAME_AFTER out.
_NO_NAME = frozenset(c for c in _SIMPLE_CASE
                     if not c.isspace() and c not in string.ascii_uppercase + string.digits
                     + "fsvmcj")


def _name_after(text: str, e: int) -> bool:
    """_NAME_AFTER.match(text, e), with its quick check first."""
    return _char_after(text, e) not in _NO_NAME and _NAME_AFTER.match(text, e) is not None


def _plain_after(text: str, i: int) -> bool:
    """Can no time, power of ten or "hundred" follow the number that ends at ``i``?"""
    return _char_after(text, i) in _PLAIN_AFTER


def _token_end(text: str, e: int) -> int:
    m = _TOKEN_REST.match(text, e)
    return m.end() if m else e


def _has_mult_after(text: str, e: int) -> bool:
    m = _MULT_AFTER.match(text, e)
    if not m:
        return False
    w = _norm_word(m.group(1))
    return w in tables().mults or (w in SUFFIX_MULT and w not in ("m", "b"))


# What a match of CURRENCY_BEFORE ends with before its trailing spaces: a sign, the
# last letter of a code (USD ... Rs. Y=) or of a sign's suffix (US, A, AU, C, NZ, HK).
_CURRENCY_LAST = frozenset("$€£₽₴¥" + "DRPYBHFMs.S=" + "SAUCZK")


def _currency_before(text: str, s: int) -> str | None:
    before = _before(text, s, 8)
    # a sign or a code ends the window, and every one has a symbol or a capital letter:
    # the regex is skipped without them
    if before.rstrip()[-1:] not in _CURRENCY_LAST or _CURRENCY_HINT.search(before) is None:
        return None
    m = P.CURRENCY_BEFORE.search(before)
    if not m:
        return None
    return m.group("c") or m.group("code")


def _currency_len(text: str, s: int) -> int:
    before = _before(text, s, 8)
    m = P.CURRENCY_BEFORE.search(before)
    return len(before) - m.start() if m else 0

_FUNCTION_WORDS = frozenset(
    "the a an is was are were be been has have had will would could should can may might "
    "to on in at of for and or but as by with from that this which who after before over "
    "under into than then when where while if so not no yet also just only still per".split())


# Quantity is a frozen dataclass with slots: its generated __init__ writes every field
# through object.__setattr__, about a tenth of the cost of a quantity.  Made once per
# number, quantities are built by writing the slots directly, in this field order
# with these defaults; any other layout of Quantity falls back to its constructor.
_FIELDS = ("low", "high", "qualifier", "change", "unit", "surface", "start", "end", "kind",
           "vague", "sentence_start", "sentence_end", "unit_start", "unit_end",
           "range_qualifier", "role", "link")
_DEFAULTS = {"kind": "count", "vague": False, "sentence_start": 0, "sentence_end": 0,
             "unit_start": None, "unit_end": None, "range_qualifier": None, "role": None,
             "link": None}
_FAST = (tuple(f.name for f in fields(Quantity)) == _FIELDS
         and {f.name: f.default for f in fields(Quantity) if f.default is not MISSING}
         == _DEFAULTS
         and all(f.default_factory is MISSING and f.init for f in fields(Quantity))
         and all(isinstance(Quantity.__dict__.get(n), MemberDescriptorType) for n in _FIELDS)
         and not hasattr(Quantity, "__post_init__"))
_SLOTS: tuple[Any, ...] = tuple((n, Quantity.__dict__[n].__set__, Quantity.__dict__[n].__get__)
                                for n in _FIELDS) if _FAST else ()
_SETTERS: tuple[Any, ...] = tuple(setter for _n, setter, _get in _SLOTS)
_new = object.__new__
_FIELD_SET = frozenset(_FIELDS)


def _quantity(low: Any, high: Any, qualifier: str, change: str | None, unit: str | None,
              surface: str, start: int, end: int, kind: str, vague: bool,
              unit_start: int | None, unit_end: int | None) -> Quantity:
    """Quantity(...) with these fields, the others at their defaults."""
    if not _FAST:
        return Quantity(low=low, high=high, qualifier=qualifier, change=change, unit=unit,
                        surface=surface, start=start, end=end, kind=kind, vague=vague,
                        unit_start=unit_start, unit_end=unit_end)
    (s_low, s_high, s_qual, s_change, s_unit, s_surface, s_start, s_end, s_kind, s_vague,
     s_sstart, s_send, s_ustart, s_uend, s_rqual, s_role, s_link) = _SETTERS
    q = _new(Quantity)
    s_low(q, low)
    s_high(q, high)
    s_qual(q, qualifier)
    s_change(q, change)
    s_unit(q, unit)
    s_surface(q, surface)
    s_start(q, start)
    s_end(q, end)
    s_kind(q, kind)
    s_vague(q, vague)
    s_sstart(q, 0)
    s_send(q, 0)
    s_ustart(q, unit_start)
    s_uend(q, unit_end)
    s_rqual(q, None)
    s_role(q, None)
    s_link(q, None)
    return q


def _replace(q: Quantity, **changes: Any) -> Quantity:
    """dataclasses.replace(q, **changes), slot by slot as _quantity."""
    if not _FAST or not changes.keys() <= _FIELD_SET:
        return replace(q, **changes)
    new = _new(Quantity)
    for name, setter, getter in _SLOTS:
        setter(new, changes[name] if name in changes else getter(q))
    return new
