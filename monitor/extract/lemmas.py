"""Lemmas for ru/uk (pymorphy3 dictionaries) and en (light suffix rules).

Rule terms are expanded to every inflected form once, at load time, so that
matching an article is a set lookup per word rather than a morphology call.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

_EN_IRREGULAR = {
    "men": "man", "women": "woman", "people": "person", "children": "child",
    "feet": "foot", "teeth": "tooth", "mice": "mouse", "geese": "goose",
    "personnel": "personnel", "troops": "troop", "casualties": "casualty",
    "series": "series", "news": "news", "aircraft": "aircraft",
}
_EN_KEEP_S = ("ss", "us", "is", "ous", "ics")


@lru_cache(maxsize=2)
def analyzer(lang: str) -> Any:
    """The pymorphy3 analyzer for ``lang`` ("ru" or "uk"), loaded once."""
    import pymorphy3

    return pymorphy3.MorphAnalyzer(lang=lang)


def _en_lemma(word: str) -> str:
    w = word.lower()
    if w in _EN_IRREGULAR:
        return _EN_IRREGULAR[w]
    if len(w) <= 3 or w.endswith(_EN_KEEP_S):
        return w
    if w.endswith("ies") and len(w) > 4:
        return w[:-3] + "y"
    if w.endswith(("ches", "shes", "xes", "sses", "zes")):
        return w[:-2]
    if w.endswith("s"):
        return w[:-1]
    return w


@lru_cache(maxsize=200_000)
def lemma(word: str, lang: str) -> str:
    """The dictionary form of ``word``, lower-cased."""
    if lang == "en" or not _has_cyrillic(word):
        return _en_lemma(word)
    parses = analyzer(lang).parse(word.lower())
    return str(parses[0].normal_form) if parses else word.lower()


@lru_cache(maxsize=50_000)
def lemma_candidates(word: str, lang: str) -> frozenset[str]:
    """Every lemma the word could have (ambiguous forms give several)."""
    if lang == "en" or not _has_cyrillic(word):
        return frozenset({_en_lemma(word)})
    return frozenset(str(p.normal_form) for p in analyzer(lang).parse(word.lower()))


@lru_cache(maxsize=50_000)
def forms(term: str, lang: str) -> frozenset[str]:
    """All inflected forms of a single-word term, lower-cased, the term included."""
    t = term.lower()
    if lang == "en" or not _has_cyrillic(t):
        base = _en_lemma(t)
        out = {t, base, base + "s", base + "es"}
        if base.endswith("y"):
            out.add(base[:-1] + "ies")
        out.update(k for k, v in _EN_IRREGULAR.items() if v == base)
        return frozenset(out)
    out = {t}
    for p in analyzer(lang).parse(t):
        if p.normal_form != t and p.word != t:
            continue
        out.update(str(x.word) for x in p.lexeme)
    if len(out) == 1:  # not a dictionary word as given: use its lemma's lexeme
        for p in analyzer(lang).parse(t)[:1]:
            out.update(str(x.word) for x in p.lexeme)
    return frozenset(out)


_CYR = re.compile(r"[а-яёіїєґ]", re.IGNORECASE)


def _has_cyrillic(word: str) -> bool:
    return _CYR.search(word) is not None
