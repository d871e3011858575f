"""pymorphy3 answers, cached per word: parts of speech, names, cases, inflection."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from ..extract.lemmas import analyzer
from .tokens import _Tok
from .vocabulary import _BOUNDARY, _NAME_TAGS, _PREPS, EN_VERBS, PRONOUNS, SPEECH_VERBS


@lru_cache(maxsize=50_000)
def _parses(word: str, lang: str) -> tuple[Any, ...]:
    if lang not in ("ru", "uk") or not re.search(r"[а-яёіїєґ]", word, re.I):
        return ()
    return tuple(analyzer(lang).parse(word))


# The helpers below depend on the word alone: cached, since the same few hundred
# words come back in every article and a pymorphy3 tag is slow to read.

@lru_cache(maxsize=50_000)
def _pos(word: str, lang: str) -> frozenset[str]:
    return frozenset(str(p.tag.POS) for p in _parses(word, lang) if p.tag.POS)


@lru_cache(maxsize=50_000)
def _verb_word(word: str, lang: str) -> bool:
    return any(str(p.tag.POS) == "VERB" and p.score >= 0.3 for p in _parses(word, lang))


def speech_word(word: str, lang: str) -> bool:
    """Is ``word`` a form of a verb of saying ("said", "заявила", "повідомив")?"""
    if lang == "en":
        return word.lower() in EN_VERBS
    return _speech_word(word, lang)


@lru_cache(maxsize=50_000)
def _speech_word(word: str, lang: str) -> bool:
    return any(str(p.tag.POS) == "VERB" and p.normal_form in SPEECH_VERBS[lang]
               for p in _parses(word, lang))


@lru_cache(maxsize=50_000)
def _head_word(text: str, lang: str) -> bool:
    """Can this word start a subject noun phrase (nominative noun, adjective, name)?"""
    tok = _Tok(0, len(text), text)
    if not tok.word or tok.low in PRONOUNS or tok.low in _BOUNDARY or tok.low in _PREPS:
        return False
    if tok.text.isdigit():
        return False
    parses = _parses(tok.text, lang)
    if not parses:  # Latin word, abbreviation or unknown: only when capitalised
        return tok.cap
    for p in parses:
        if str(p.tag.POS) in ("NOUN", "ADJF", "PRTF") and "nomn" in p.tag:
            return True
    return tok.cap and all(not p.is_known for p in parses)


def _has_tag(tok: _Tok, tag: str, lang: str) -> bool:
    return tag in _tags(tok.text, lang)


@lru_cache(maxsize=50_000)
def _tags(word: str, lang: str) -> frozenset[str]:
    """Every grammeme of the word's likely readings (score >= 0.1)."""
    out: set[str] = set()
    for p in _parses(word, lang):
        if p.score >= 0.1:
            out |= _grammemes(p)
    return frozenset(out)


def _grammemes(p: Any) -> set[str]:
    # by name: the uk dictionary lacks some of the ru grammemes (Geox), so no `in p.tag`
    return set(str(p.tag).replace(" ", ",").split(","))


def _is_name(tok: _Tok, lang: str) -> bool:
    if not tok.cap or not tok.word or lang == "en":
        return False
    return bool(_NAME_TAGS & _tags(tok.text, lang))


def _restore_case(new: str, old: str) -> str:
    if old.isupper() and len(old) > 1:
        return new.upper()
    if old[:1].isupper():
        return "-".join(part[:1].upper() + part[1:] for part in new.split("-"))
    return new


def _inflect(tok: _Tok, case: str, lang: str, names: bool) -> str | None:
    """The nominative of ``tok`` read in ``case``; None when morphology cannot say."""
    return _inflect_word(tok.text, case, lang, names)


@lru_cache(maxsize=20_000)
def _inflect_word(text: str, case: str, lang: str, names: bool) -> str | None:
    tok = _Tok(0, len(text), text)
    cands = [p for p in _parses(tok.text, lang) if case in p.tag
             and str(p.tag.POS) in ("NOUN", "ADJF", "PRTF")]
    if names:
        named = [p for p in cands if _NAME_TAGS & _grammemes(p)]
        cands = named or cands
    for p in cands:
        if tok.cap:  # prefer proper-noun readings for capitalised words
            proper = [q for q in cands if {"Surn", "Name", "Orgn", "Geox"} & _grammemes(q)]
            p = proper[0] if proper else p
        if "Fixd" in p.tag:
            return tok.text
        form = p.inflect({"nomn"})
        if form is None:
            return None
        return _restore_case(str(form.word), tok.text)
    return None


def _nominative(toks: list[_Tok], case: str, lang: str) -> str:
    """Put the head of a noun phrase read in ``case`` into the nominative.

    Leading adjectives and the first noun change (and names right after it);
    the genitive complements that follow stay as written.  When a word cannot
    be parsed in that case the phrase is returned as written.
    """
    as_written = _join(toks)
    if not case or lang not in ("ru", "uk") or not toks:
        return as_written
    out: list[str] = []
    i = 0
    while i < len(toks):
        t = toks[i]
        if not t.word or not _parses(t.text, lang):
            return as_written
        pos = _pos(t.text, lang)
        is_name = _is_name(t, lang)
        word = _inflect(t, case, lang, names=is_name)
        if word is None:
            return as_written
        out.append(word)
        i += 1
        if ("NOUN" in pos and not any(case in p.tag and str(p.tag.POS) in ("ADJF", "PRTF")
                                      for p in _parses(t.text, lang))) or is_name:
            # the head noun; apposed names ("Кирилла Буданова") follow it
            while i < len(toks) and _is_name(toks[i], lang):
                nxt = _inflect(toks[i], case, lang, names=True)
                if nxt is None:
                    return as_written
                out.append(nxt)
                i += 1
            break
    rest = _join(toks[i:]) if i < len(toks) else ""
    return " ".join(x for x in (" ".join(out), rest) if x)


def _join(toks: list[_Tok]) -> str:
    if not toks:
        return ""
    out = toks[0].text
    for a, b in zip(toks, toks[1:], strict=False):
        out += (" " if b.start > a.end else "") + b.text
    return out
