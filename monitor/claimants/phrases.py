"""Noun phrases around a speech verb or source phrase: right, left, English subjects."""

from __future__ import annotations

from functools import lru_cache

from .morphology import _has_tag, _head_word, _is_name, _join, _parses, _pos, _verb_word
from .tokens import Toks, _Cand, _Tok
from .vocabulary import (
    _BOUNDARY,
    _EN_ADD,
    _EN_AMBIGUOUS,
    _EN_BE,
    _EN_CLAUSE_END,
    _EN_LEAD,
    _EN_LY_NOUNS,
    _EN_NOT_SPEAKER,
    _EN_SKIP,
    _EN_STOP,
    _EN_TIME,
    _EN_TIME_LEAD,
    _EN_TITLES,
    _EN_TRAIL,
    _PREPS,
    EN_VERBS,
    PRONOUNS,
)


def _np_right(toks: Toks, i: int, lang: str, limit: int = 10) -> list[_Tok]:
    """The noun phrase starting at toks[i] (a source phrase's object or an inverted subject)."""
    out: list[_Tok] = []
    j = i
    while j < len(toks) and len(out) < limit:
        t = toks[j]
        if not t.word:
            if t.text in "«»\"“”" and not out:
                j += 1
                continue
            if t.text in "«»\"“”" or (t.text == "'" and lang == "en"):
                j += 1
                continue
            if t.text == "-" and out:
                j += 1
                continue
            break
        if t.low in _BOUNDARY and not (t.low in ("и", "і", "та", "and") and out
                                       and j + 1 < len(toks) and toks[j + 1].word
                                       and _np_continues(toks[j + 1], lang)):
            break
        if out and t.low in _PREPS and not (lang == "en" and (
                t.low == "of" or (t.low == "for" and out[-1].cap and _name_follows(toks, j + 1)))):
            break
        if t.text.isdigit():
            break
        if lang != "en" and out and _verb_word(t.text, lang) and not _head_word(t.text, lang):
            break
        if lang == "en" and out and (t.low in EN_VERBS or t.low in _EN_SKIP
                                     or t.low in _EN_STOP or _en_adverb(t)):
            break
        if lang == "en" and out and t.low.rstrip(".") in ("mr", "mrs", "ms", "dr"):
            break  # "according to Fox News Ms Rosa ...": a new name starts
        if lang == "en" and len(out) >= 2 and not t.cap and out[-1].cap and t.low != "of" \
                and out[-2].low.rstrip(".") in _EN_TITLES:
            break  # "from analyst Mintel support ...": the name ends the phrase
        if lang == "en" and len(out) >= 6 and not t.cap:
            break  # a long run of lowercase words is a clause, not a name
        out.append(t)
        j += 1
    return out


def _name_follows(toks: Toks, j: int) -> bool:
    """A capitalised word at toks[j], or after "the": "Institute for [the] Study of War"."""
    if j < len(toks) and toks[j].low == "the":
        j += 1
    return j < len(toks) and toks[j].cap


def _np_continues(t: _Tok, lang: str) -> bool:
    if lang == "en":
        return t.cap
    return bool({"ADJF", "NOUN"} & _pos(t.text, lang)) or t.cap


def _np_left(toks: Toks, v: int, lang: str, limit: int = 12) -> list[_Tok]:
    """The subject noun phrase before the verb at toks[v]."""
    if lang == "en":
        return _np_left_en(toks, v)[0]
    j = v - 1
    run: list[_Tok] = []
    while j >= 0 and len(run) < limit:
        t = toks[j]
        if not t.word and t.text not in "«»\"“”-'’":
            break
        if t.low in _BOUNDARY and t.low not in ("и", "і", "та", "and"):
            break
        if _verb_word(t.text, lang) and not _head_word(t.text, lang):
            break
        run.insert(0, t)
        j -= 1
    run = [t for t in run if t.word or t.text in "-'’"]
    while run and run[0].low in ("и", "і", "та", "and"):
        run = run[1:]
    # skip adverbs and prepositional phrases before the subject
    start = None
    for k, t in enumerate(run):
        after = run[k - 1] if k > 0 else None
        if _head_word(t.text, lang) and not (after and (after.low in _PREPS
                                                        or after.text.isdigit())):
            start = k
            break
    if start is None:
        return []
    out: list[_Tok] = []
    for t in run[start:]:
        if t.low in _PREPS or ("ADVB" in _pos(t.text, lang) and not _head_word(t.text, lang)
                               and not t.cap):  # a capitalised "Вон" is a name, not "вон"
            break
        out.append(t)
    return out


def _person(np: list[_Tok], lang: str) -> list[_Tok]:
    """The person's name at the end of a phrase with a title, else the whole phrase."""
    if lang == "en":
        last_title = max((k for k, t in enumerate(np) if t.low.rstrip(".") in _EN_TITLES),
                         default=-1)
        rest = np[last_title + 1:]
        if 0 <= last_title and rest and all(t.cap for t in rest):
            return rest
        return np
    names = _name_run(np, lang)
    return names if names and len(names) < len(np) else np


def _unknown(tok: _Tok, lang: str) -> bool:
    return _unknown_word(tok.text, lang)


@lru_cache(maxsize=50_000)
def _unknown_word(word: str, lang: str) -> bool:
    parses = _parses(word, lang)
    return bool(parses) and not any(p.is_known for p in parses)


def _name_like(tok: _Tok, lang: str) -> bool:
    if tok.text.isupper() and len(tok.text) > 1:  # ГУР, США: bodies, not people
        return False
    return _is_name(tok, lang) or _unknown(tok, lang)


def _name_run(toks: Toks, lang: str) -> list[_Tok]:
    """A person's name ending ``toks`` ("... Украины Кирилл Буданов" → "Кирилл Буданов")."""
    k = len(toks)
    while k > 0 and toks[k - 1].word and toks[k - 1].cap:
        k -= 1
    run = list(toks[k:])
    while run and not _name_like(run[0], lang) and not (
            len(run) > 1 and _has_tag(run[1], "Surn", lang)
            and not _has_tag(run[0], "Geox", lang) and not _has_tag(run[0], "Orgn", lang)
            and not run[0].text.isupper()):
        run = run[1:]  # titles, bodies and places before the name (a first name stays)
    if any(_is_name(t, lang) for t in run) or sum(_unknown(t, lang) for t in run) >= 2:
        return run
    return []


def _person_in(toks: Toks, lang: str) -> str | None:
    """The first person named anywhere in a sentence (used to resolve "he"/"его")."""
    if lang == "en":
        for k, t in enumerate(toks):
            if t.low.rstrip(".") in _EN_TITLES:
                run = []
                for u in toks[k + 1:]:
                    if not (u.word and u.cap):
                        break
                    run.append(u)
                if run:
                    return _join(run)
        return None
    k = 0
    while k < len(toks):
        if toks[k].word and toks[k].cap:
            j = k
            while j < len(toks) and toks[j].word and toks[j].cap:
                j += 1
            run = _name_run(toks[k:j], lang)
            if run:
                return _join(run)
            k = j
        else:
            k += 1
    return None


def _clean_en(np: list[_Tok]) -> list[_Tok]:
    out = np
    while out and out[-1].low in _EN_TRAIL:
        out = out[:-1]
    # "according to the report": keep the noun when only an article would be left
    return out if any(t.low not in ("the", "a", "an") for t in out) else np


# "according to a report by X": the document's author is the claimant
_EN_DOCS = frozenset("""report reports study studies assessment assessments analysis estimate
    estimates statement survey review data figures paper briefing""".split())


def _author_en(toks: Toks, np: list[_Tok]) -> list[_Tok]:
    if not np or np[-1].low not in _EN_DOCS:
        return np
    k = toks.index(np[-1]) + 1
    if k + 1 < len(toks) and toks[k].low in ("by", "from", "of"):
        author = _clean_en(_np_right(toks, k + 1, "en"))
        if author and any(t.cap for t in author):
            return author
    return np


_DOCS = frozenset("""доклад отчет оценка данные исследование анализ сводка звіт доповідь
    дослідження оцінка дані аналіз зведення""".split())


def _lemma_in(tok: _Tok, lang: str, lemmas: frozenset[str]) -> bool:
    """Whether any reading of the word has its lemma in ``lemmas`` (ё read as е)."""
    return _lemma_word(tok.text, lang, lemmas)


@lru_cache(maxsize=50_000)
def _lemma_word(word: str, lang: str, lemmas: frozenset[str]) -> bool:
    return any(p.normal_form.replace("ё", "е") in lemmas for p in _parses(word, lang))


def _en_adverb(t: _Tok) -> bool:
    return (t.word and not t.cap and t.low.endswith("ly") and len(t.low) > 4
            and t.low not in _EN_LY_NOUNS)


def _skip_back_en(toks: Toks, j: int) -> int:
    """From toks[j] leftwards, past auxiliaries and adverbs ("has also", "was widely")."""
    while j >= 0 and (toks[j].low in _EN_SKIP or _en_adverb(toks[j])):
        j -= 1
    return j


def _en_passive(toks: Toks, v: int) -> bool:
    """Whether the verb at toks[v] is passive: "was said", "is widely believed"."""
    j = _skip_back_en(toks, v - 1)
    return j >= 0 and toks[j].low in _EN_BE


def _en_is_speech(toks: Toks, i: int) -> bool:
    """A speech verb in use: not a noun ("intelligence estimates"), nor "Acme added 40"."""
    low = toks[i].low
    nxt = toks[i + 1] if i + 1 < len(toks) else None
    if low in _EN_AMBIGUOUS and not (nxt is not None and (
            nxt.low in ("that", "the", "a", "about") or nxt.text[0].isdigit())):
        return False  # "intelligence estimates" is a noun, "X estimates that" a verb
    if low in _EN_ADD and nxt is not None and nxt.word and nxt.low != "that":
        return False
    return not (i > 0 and toks[i - 1].low in _EN_NOT_SPEAKER and toks[i - 1].low not in _EN_BE)


def _np_left_en(toks: Toks, v: int) -> tuple[list[_Tok], int]:
    """The subject before the verb at toks[v], and the index where the search stopped."""
    j = _skip_back_en(toks, v - 1)
    if j >= 0 and toks[j].low == "and":
        return [], j  # "X rose 5% and added": the subject is the first verb's
    run: list[_Tok] = []
    while j >= 0 and len(run) < 12:
        t = toks[j]
        if not t.word and t.text not in "«»\"“”-'’":
            break
        if t.low in _BOUNDARY and t.low != "and":
            break
        if t.low in EN_VERBS or t.low in _EN_STOP or t.text[0].isdigit() or _en_adverb(t) \
                or t.low in PRONOUNS:
            break
        run.insert(0, t)
        j -= 1
    run = [t for t in run if t.word or t.text in "-'’"]
    counted = bool(run) and run[0].low != "and"  # "70% of small firms", not "5% and X"
    while run and (run[0].low == "and" or run[0].low in _EN_LEAD or run[0].low in _PREPS):
        run = run[1:]
    # "The lender on Monday announced": the time is not part of the name
    k = len(run)
    while k and run[k - 1].low in _EN_TIME:
        k -= 1
    if k < len(run):
        while k and run[k - 1].low in _EN_TIME_LEAD:
            k -= 1
        run = run[:k]
    if run and counted and 0 <= j and (toks[j].text[0].isdigit() or toks[j].text == "%") \
            and not run[0].cap:
        return [], j  # "13,000 workers in Ohio has estimated": what is counted, not who
    return run, j


def _en_relative(toks: Toks, stop: int) -> int | None:
    """Index of the "which"/"who" opening a relative clause that ends at ``stop``."""
    # only within the comma-free stretch before the stop: "Half the condos, which
    # range ..., have sold ..., said X" has no relative clause right before "said"
    for r in range(stop - 1 if toks[stop].text == "," else stop, max(-1, stop - 30), -1):
        t = toks[r]
        if t.low in ("which", "who"):
            return r
        if t.text in ";:" or t.low in ("said", "says", "that"):
            return None
        if t.text == "," and not (0 < r < len(toks) - 1 and toks[r - 1].end == t.start
                                  and toks[r + 1].start == t.end):
            return None  # a pause; "9,000" is still one number
    return None


def _en_subject(toks: Toks, v: int) -> _Cand | None:
    """Who speaks with the English speech verb at toks[v]."""
    verb = toks[v]
    j = _skip_back_en(toks, v - 1)
    if j >= 0 and toks[j].low == "you":
        return None
    if j >= 0 and toks[j].low in PRONOUNS and toks[j].low not in ("this", "that"):
        return _Cand(toks[j].start, verb.end, None)  # "he said"
    left, stop = _np_left_en(toks, v)
    if stop >= 0 and (not left or toks[stop].text == "," or toks[stop].low in _EN_STOP
                      or toks[stop].text[0].isdigit() or toks[stop].low in ("which", "who")):
        # "The airline, which has struggled, said ...": the subject is before "which"
        r = _en_relative(toks, stop)
        if r is not None:
            before, _ = _np_left_en(toks, r - 1 if r > 0 and toks[r - 1].text == "," else r)
            if before:
                left = before
    k = v + 1
    right = _en_inverted(toks, k, after_break=v == 0 or not toks[v - 1].word)
    if right and (not left or (not left[0].cap and right[0].cap
                               and v > 0 and toks[v - 1].word)):
        # "... 3 million units said Carla Reyes in a statement"
        return _Cand(verb.start, right[-1].end, _join(_person(right, "en")))
    if left:
        return _Cand(left[0].start, verb.end, _join(_person(left, "en")))
    if k < len(toks) and toks[k].low in PRONOUNS and toks[k].low != "you":
        return _Cand(verb.start, toks[k].end, None)
    return None


def _en_inverted(toks: Toks, k: int, after_break: bool) -> list[_Tok]:
    """The speaker after the verb: ", said the ministry." / "said Carla Reyes in a"."""
    if k >= len(toks) or toks[k].low in PRONOUNS or toks[k].low in _EN_TIME \
            or toks[k - 1].low in ("told", "tells", "tell"):
        return []  # "told BBC One": who listened, not who spoke
    if not (toks[k].cap or (after_break and toks[k].low in ("the", "a", "an"))):
        return []
    np = _np_right(toks, k, "en")
    if not np:
        return []
    if not after_break:  # without a comma only a name reads as the speaker
        caps = 0
        while caps < len(np) and np[caps].cap:
            caps += 1
        np = np[:caps]
        if not np:
            return []
    n = toks.index(np[-1]) + 1
    if n < len(toks) and toks[n].word and toks[n].low not in _EN_CLAUSE_END \
            and toks[n].low.rstrip(".") not in _EN_TITLES:  # "said Ann Lee head of ..."
        return []  # "said the move will create": the start of what was said
    return np
