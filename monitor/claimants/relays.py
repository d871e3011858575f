"""Relayed outlets: "со ссылкой на X", "citing X", a "Source:" line."""

from __future__ import annotations

import re

from .vocabulary import _outlet_like

_WORD = r"[A-ZА-ЯЁІЇЄҐ][\w&'’\-]*(?:\.\w+)*"  # a capitalised word; "U.S" keeps its dot
_NAME = rf"[«\"“]?(?:The[ \t]+)?{_WORD}(?:[ \t]+(?:of[ \t]+|and[ \t]+)?{_WORD})*[»\"”]?"
_NAMES = rf"{_NAME}(?:[ \t]*(?:,|\bи\b|\band\b|\bта\b|\bі\b)[ \t]*{_NAME})*"
_GENERIC = (r"(?:(?:агентство|агентства|издание|издания|газету|газеты|телеканал|журнал|портал|"
            r"видання|газету|агентство|the\s+news\s+agency|news\s+agency|the\s+newspaper)\s+)?")
_RELAY = re.compile(  # group 1: only when the name is an outlet; group 2: always
    rf"(?:(?i:со\s+ссылкой\s+на|з\s+посиланням\s+на|\bciting|\bas\s+reported\s+by|"
    rf"\breported\s+by)\s+{_GENERIC}({_NAMES})"
    rf"|(?i:\bв\s+интервью|\b[ву]\s+інтерв['’]ю|\bin\s+an\s+interview\s+with|\btold)\s+"
    rf"{_GENERIC}({_NAMES}))")  # lead-in in any case, names capitalised
_SOURCE_LINE = re.compile(r"^[ \t\-•*]*(?:Источник|Источники|Джерело|Джерела|Source|Sources)"
                          r"[ \t]*:[ \t]*([^\n]+)", re.M | re.I)
_ABOUT = re.compile(rf"(?:Об\s+этом|Про\s+це)[^.\n]{{0,120}}?(?:со\s+ссылкой\s+на|"
                    rf"з\s+посиланням\s+на)\s+{_GENERIC}({_NAMES})")
_CUT = re.compile(r"\s+(?:со\s+ссылкой|з\s+посиланням|citing|\()|[.;]\s|$", re.I)
_PRONOUN_ONLY = re.compile(r"(?i)^(?:him|her|them|it|me|us|reporters|journalists)$")


def _split_names(s: str) -> str:
    parts = re.split(r"\s*(?:,|\bи\b|\band\b|\bта\b|\bі\b)\s*", s)
    names = [p.strip(" «»\"“”") for p in parts if p.strip(" «»\"“”")]
    return ", ".join(names)


# a word every _RELAY match holds: a substring test is far cheaper than the pattern
_RELAY_HINTS = ("ссылкой", "посиланням", "citing", "reported", "интервью", "інтерв",
                "interview", "told")


def _relays(text: str, a: int, b: int, lang: str) -> list[tuple[int, str]]:
    low = text[a:b].lower()
    if not any(h in low for h in _RELAY_HINTS):
        return []
    out = []
    for m in _RELAY.finditer(text, a, b):
        name = _split_names(m.group(1) or m.group(2))
        if not name or _PRONOUN_ONLY.match(name):
            continue
        if m.group(1) and not all(_outlet_like(n, lang) for n in name.split(", ")):
            continue  # "citing Western officials": a claimant, not an outlet
        out.append((m.start(), name))
    return out


def article_relay(text: str) -> str | None:
    """The outlet a whole article relays: a "Источник:" line or "Об этом ... со ссылкой на X"."""
    # each pattern needs a character or word that a substring test finds far quicker
    m = _SOURCE_LINE.search(text) if ":" in text else None
    if m:
        value = m.group(1)
        cut = _CUT.search(value)
        value = value[: cut.start()] if cut else value
        names = re.findall(_NAME, value)
        if names:
            return _split_names(", ".join(names))
    m = _ABOUT.search(text) if "Об" in text or "Про" in text else None
    if m:
        return _split_names(m.group(1))
    return None
