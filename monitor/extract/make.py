"""Quantity objects from parsed numbers: qualifier, change, unit, kind."""

from __future__ import annotations

import re

from ..models import Quantity, clean_number
from . import patterns as P
from .base import Num, _quantity
from .context import _NO_POSTFIX, _POSTFIX, _change, _postfix_qualifier
from .units import find_unit, percent_scope


def _finish_kind(num: Num) -> str:
    return "percent" if num.percent else "amount" if num.currency else "count"


_DETERMINER = re.compile(r"[\s\u00a0]+(?:the|its|their|all)(?=[\s\u00a0])", re.IGNORECASE)
_SYMBOL_UNIT = {"$": "$", "€": "€", "£": "£", "₽": "₽", "₴": "₴", "¥": "¥"}


def _set_role(q: Quantity, role: str, link: int | None) -> None:
    # frozen dataclass, just made here: filled in place before anyone else sees it
    object.__setattr__(q, "role", role)
    object.__setattr__(q, "link", link)


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
    end = num.end  # (context._postfix_qualifier, inlined: it runs for every number)
    c = text[end:end + 1]
    if c == " ":
        c = text[end + 1:end + 2]
    post = None
    if c not in _NO_POSTFIX and (pm := _POSTFIX.match(text, end)):
        post, end = pm.lastgroup, pm.end()
    vague = num.low is not None  # num.vague, read once
    if forced:
        qualifier = forced
    elif vague:
        qualifier = "approx"
    else:
        qualifier = qual or post or ("less_than" if num.sub else "exact")
    if num.sign < 0:
        num.value = -num.value
    if vague:
        low, high = num.low, num.high
        if qual in ("more_than", "at_least"):
            qualifier = qual
            high = None
        elif qual in ("up_to", "less_than"):
            qualifier = qual
            low = None
    else:
        low = high = _clean(num.value)  # rounded and cleaned once
        if qualifier in ("more_than", "at_least"):
            high = None
        elif qualifier in ("up_to", "less_than"):
            low = None
    change = None
    if not forced and (pw is None or start != num.start or (
            (pw[0] in P.CHANGE_EN_LAST) if lang == "en" else (pw[0] == "на"))):
        # (with the word before the number at hand, _change's first check is made here)
        change = (_change(text, start, lang, pw if start == num.start else None)
                  or (_change(text, num.start, lang, pw) if start != num.start else None))
    if num.sign and num.percent and change is None:
        change = "up" if num.sign > 0 else "down"
    ufrom = unit_from if unit_from is not None else end
    if num.percent or num.currency:
        unit, us, ue = _unit(text, num, ufrom, lang)
    else:  # (_unit's plain case, inlined: it runs for most numbers)
        unit, us, ue = find_unit(text, ufrom, lang)
    # (_finish_kind, then a currency unit)
    kind = "percent" if num.percent else "amount" if num.currency else "count"
    if unit is not None and unit in P.CURRENCY_LEMMAS:
        kind = "amount"
    if vague:
        low, high = _clean(low), _clean(high)
    return _quantity(low, high, qualifier, change, unit, text[start:end], start, end, kind,
                     vague, us, ue)


_OPENED = re.compile(r"(?:from|between|от|від|между|між)\b", re.IGNORECASE)


def _make_range(text: str, first: Num, second: Num, start: int, lang: str) -> Quantity:
    post, end = _postfix_qualifier(text, second)
    low, high = first.value, second.value
    if low > high:
        low, high = high, low
    unit, us, ue = _unit(text, second, end, lang)
    qual = "range"
    # "jumped from 240 to 273" is a before/after pair, not a change by an amount.
    opened = _OPENED.match(text[start:start + 8])
    change = None if opened else _change(text, start, lang)
    return _quantity(_clean(low), _clean(high), qual, change,
                     unit, text[start:end], start, end, _finish_kind(second), False, us, ue)


def _clean(x: float | None) -> float | int | None:
    """x rounded, then cleaned (models.clean_number): 64.1 * 1e9 is 64099999999.99999
    in binary, so 12 significant digits are kept."""
    if x is None:
        return None
    return clean_number(x if float(x).is_integer() else float(f"{x:.12g}"))
