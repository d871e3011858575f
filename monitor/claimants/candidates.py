"""Every claimant candidate of one sentence: source phrases and speech verbs."""

from __future__ import annotations

from functools import lru_cache
from itertools import compress

from .morphology import (
    _grammemes,
    _head_word,
    _join,
    _nominative,
    _parses,
    speech_word,
)
from .phrases import (
    _DOCS,
    _author_en,
    _clean_en,
    _en_is_speech,
    _en_passive,
    _en_subject,
    _lemma_in,
    _lemma_word,
    _np_left,
    _np_right,
    _person,
)
from .tokens import Span, _Cand, _Tok, _tokens, _Toks
from .vocabulary import _PHRASES, _RELAY_PHRASES, PRONOUNS, _outlet_like, pronoun_phrases

# the source phrases by their first word, so that most tokens cost one dict look-up
_PHRASE_INDEX: dict[str, dict[str, list[tuple[tuple[str, ...], str]]]] = {}
for _lang, _entries in _PHRASES.items():
    for _words, _case in _entries:
        _PHRASE_INDEX.setdefault(_lang, {}).setdefault(_words[0], []).append((_words, _case))


# ... and the longest of them per first word: one slice of the tokens reads them all
_LONGEST = {lang: {w: max(len(x) for x, _ in entries) for w, entries in index.items()}
            for lang, index in _PHRASE_INDEX.items()}


def _phrase_in(words: list[str], i: int, lang: str) -> tuple[int, str, bool] | None:
    """The source phrase opening at words[i]: (index after it, case, relays?)."""
    longest = _LONGEST[lang].get(words[i].lower().replace("’", "'"))  # as _Tok.low
    if longest is None:
        return None
    key = tuple(words[i:i + longest])
    seen = _PHRASE_SEEN[lang]
    if key in seen:
        got = seen[key]
    else:
        if len(seen) >= 10_000:
            seen.clear()
        got = seen[key] = _phrase_of(key, lang)
    return None if got is None else (i + got[0], got[1], got[2])


# the words from a phrase's first on -> what _phrase_of says of them
_PHRASE_SEEN: dict[str, dict[tuple[str, ...], tuple[int, str, bool] | None]] = {
    "ru": {}, "uk": {}, "en": {}}


def _phrase_of(words: tuple[str, ...], lang: str) -> tuple[int, str, bool] | None:
    lows = tuple(w.lower().replace("’", "'") for w in words)
    for phrase, case in _PHRASE_INDEX[lang][lows[0]]:
        n = len(phrase)
        if lows[:n] == phrase:
            return n, case, phrase in _RELAY_PHRASES
    return None


# token string -> 1: a speech verb, 2: the first word of a source phrase, 3: both
# ("estimates", "estimates by"), 0: neither
_OPENS: dict[str, dict[str, int]] = {"ru": {}, "uk": {}, "en": {}}


# a speech verb or source phrase: its token index, and the phrase (_phrase_in) opening there
_Opener = tuple[int, tuple[int, str, bool] | None]


def _openers(toks: _Toks, lang: str) -> list[_Opener]:
    """The speech verbs and source phrases: the only tokens ``_candidates`` does
    anything with (read from the strings, no token made)."""
    known = _OPENS[lang]
    words = toks.words
    try:  # most often every word is known
        kinds = list(map(known.__getitem__, words))
    except KeyError:
        new = set(words).difference(known)
        if len(known) > 50_000:
            known.clear()
            new = set(words)
        first = _PHRASE_INDEX[lang]
        for w in new:
            known[w] = (1 if speech_word(w, lang) else 0) \
                | (2 if w.lower().replace("’", "'") in first else 0)
        kinds = list(map(known.__getitem__, words))
    out: list[_Opener] = []
    for i in compress(range(len(words)), kinds):
        kind = kinds[i]
        hit = _phrase_in(words, i, lang) if kind & 2 else None
        if hit is not None or kind & 1:
            out.append((i, hit))
    return out


def _candidates(text: str, span: Span, lang: str, toks: _Toks | None = None,
                opens: list[_Opener] | None = None) -> list[_Cand]:
    a, b = span
    if toks is None:
        toks = _tokens(text, a, b)
    if opens is None:
        opens = _openers(toks, lang)
    out: list[_Cand] = []
    for m0, m1 in pronoun_phrases(text, a, b, lang, toks.chunks):
        out.append(_Cand(m0, m1, None))
    lows, isword, _ = toks.arrays()
    covered = -1  # end offset of the last source phrase: its words are not verbs
    for i, hit in opens:  # any other token is neither a source phrase nor a speech verb
        # (a _Tok is made only when read: no start is below -1)
        if covered >= 0 and toks[i].start < covered:
            continue
        if hit is not None:
            tok = toks[i]
            k, case, relay = hit
            if k < len(toks) and lows[k] in PRONOUNS:
                if not relay:
                    out.append(_Cand(tok.start, toks[k].end, None))
                continue
            np = _np_right(toks, k, lang)
            if lang == "en":
                np = _author_en(toks, _clean_en(np))
            elif len(np) > 1 and _lemma_in(np[0], lang, _DOCS):  # "согласно докладу ISW": ISW
                np, case = np[1:], "gent"
            if np and relay and (_outlet_like(_join(np), lang) or not np[0].word):
                continue  # the outlet is picked up as relayed
            if np:
                who = _person(np, lang)
                out.append(_Cand(tok.start, np[-1].end, _nominative(who, case, lang)))
                covered = np[-1].end + 1
            continue
        # not a phrase, so a speech verb (_openers keeps no other token)
        if lang == "en":
            if not _en_is_speech(toks, i):
                continue  # "an estimated 5 million", "I'm told", "Acme added 40 cents"
            if _en_passive(toks, i):  # "was said (by X)": only an agent speaks
                if i + 2 < len(toks) and toks[i + 1].low == "by":
                    np = _clean_en(_np_right(toks, i + 2, lang))
                    if np:
                        out.append(_Cand(toks[i].start, np[-1].end,
                                         _join(_person(np, lang))))
                continue
        if lang != "en" and i > 0 and lows[i - 1] in ("как", "як") and (
                i + 1 >= len(lows) or not isword[i + 1]):
            continue  # "как сообщалось," — no speaker named
        cand = _verb_subject(toks, i, lang)
        if cand is not None:
            out.append(cand)
    return sorted(out, key=lambda c: c.start)


_BODIES = frozenset("""служба спецслужба разведка розвідка ведомство відомство власть влада
    орган штаб министерство міністерство агентство сми змі источник джерело""".split())


def _agrees(np: list[_Tok], verb: str, lang: str) -> bool:
    """A plural verb needs a plural (or coordinated) subject.

    "Численность контингента оценивают в ..." has no subject: the phrase before
    the verb is its object, not a claimant.
    """
    if lang == "en" or any(t.low in ("и", "і", "та") for t in np):
        return True
    if not _plural_verb(verb, lang):
        return True
    for t in np:
        speaks = _noun_speaks(t.text, lang)
        if speaks is not None:
            return speaks
    return True


@lru_cache(maxsize=50_000)
def _plural_verb(word: str, lang: str) -> bool:
    return any("plur" in _grammemes(p) for p in _parses(word, lang)
               if str(p.tag.POS) == "VERB")


@lru_cache(maxsize=50_000)
def _noun_speaks(word: str, lang: str) -> bool | None:
    """For the first noun of a subject: may a plural of it speak (None: not a noun)."""
    parses = [p for p in _parses(word, lang) if str(p.tag.POS) == "NOUN"]
    if not parses:
        return None
    plural = [p for p in parses if {"plur", "nomn"} <= _grammemes(p)]
    # people, bodies and places speak; "потери", "цифры" do not
    return any("anim" in _grammemes(p) or {"Orgn", "Geox"} & _grammemes(p)
               or p.normal_form in _BODIES for p in plural)


def _body_in(words: list[str], lang: str) -> bool:
    """"в южнокорейской разведке": an institution noun among the words."""
    return any(_lemma_word(w, lang, _BODIES) for w in words)


def _locative(toks: _Toks, v: int, k: int, np: list[_Tok], lang: str) -> _Cand:
    verb = toks[v]
    return _Cand(min(verb.start, toks[k].start), max(verb.end, np[-1].end),
                 _nominative(np, "loct", lang))


def _verb_subject(toks: _Toks, v: int, lang: str) -> _Cand | None:
    if lang == "en":
        return _en_subject(toks, v)
    # read from the token lists: a _Tok is made only of what the answer holds
    words = toks.words
    lows, isword, caps = toks.arrays()
    n = len(words)
    j = v - 1
    if j >= 0 and lows[j] in PRONOUNS and lows[j] not in ("this", "that"):
        return _Cand(toks[j].start, toks[v].end, None)  # "он сказал"
    # "В Пентагоне заявили" / "заявили в ГУР": an institution in the locative, its
    # "в"/"у" one word before the verb ("вчера в Пентагоне заявили"), up to four
    # before it opening the clause ("В Минобороны Украины заявили"), or right after
    for k in range(v - 2, max(v - 6, -1), -1):
        if not isword[k + 1]:
            break
        if lows[k] in ("в", "во", "у") and (k == v - 2 or k == 0 or not isword[k - 1]) \
                and (caps[k + 1] or _body_in(words[k + 1:v], lang)):
            np = _np_right(toks, k + 1, lang, limit=4)
            if np:
                return _locative(toks, v, k, np, lang)
    left: list[_Tok] | None = None
    k = v + 1
    if k < n - 1 and lows[k] in ("в", "во", "у") and caps[k + 1]:
        np = _np_right(toks, k + 1, lang, limit=4)
        if np:
            left = _np_left(toks, v, lang)
            if not left:
                return _locative(toks, v, k, np, lang)
    if left is None:
        left = _np_left(toks, v, lang)
    if left and _agrees(left, words[v], lang):
        return _Cand(left[0].start, toks[v].end, _join(_person(left, lang)))
    k = v + 1
    if k < n and lows[k] in PRONOUNS:
        return _Cand(toks[v].start, toks[k].end, None)
    if k < n and _head_word(words[k], lang):
        np = _np_right(toks, k, lang)
        if np:
            return _Cand(toks[v].start, np[-1].end, _join(_person(np, lang)))
    return None
