"""Noun phrases around a speech verb or source phrase: right, left, English subjects."""

from __future__ import annotations

from functools import lru_cache

from .morphology import _has_tag, _head_word, _is_name, _join, _parses, _pos, _verb_word
from .tokens import _FLAGS, Toks, _Cand, _flags, _Tok, _Toks
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

# What _np_left and _np_right read of a word (ru, uk), worked out once per word: the
# walk left stops at _STOP, keeps _KEEP; the subject opens at a _HEAD not after a _PREP
# or _DIGIT and ends before a _PREP or an _ADVERB.  _np_right skips a _QUOTE (and a
# _DASH), stops at other punctuation (_PUNCT), a _BOUNDARY unless an _AND before a word
# that _CONTINUES the phrase, a _PREP, a _DIGIT or a _VERB (that is no head word)
_STOP, _KEEP, _CONJ, _HEAD, _PREP, _DIGIT, _ADVERB = 1, 2, 4, 8, 16, 32, 64
_PUNCT, _QUOTE, _DASH, _BOUNDARY_WORD, _AND, _CONTINUES, _VERB = (
    128, 256, 512, 1024, 2048, 4096, 8192)
_WORD_BITS: dict[str, dict[str, int]] = {"ru": {}, "uk": {}}


def _word_bits(text: str, lang: str) -> int:
    known = _WORD_BITS[lang]
    if len(known) >= 50_000:
        known.clear()
    low, word, cap = _FLAGS.get(text) or _flags(text)  # as the word's _Tok has them
    head = _head_word(text, lang)
    verb = _verb_word(text, lang) and not head
    stop = (not word and text not in "«»\"“”-'’") \
        or (low in _BOUNDARY and low not in ("и", "і", "та", "and")) or verb
    got = known[text] = ((_STOP if stop else 0)
                         | (_KEEP if word or text in "-'’" else 0)
                         | (_CONJ if low in ("и", "і", "та", "and") else 0)
                         | (_HEAD if head else 0)
                         | (_PREP if low in _PREPS else 0)
                         | (_DIGIT if text.isdigit() else 0)
                         # a capitalised "Вон" is a name, not "вон"
                         | (_ADVERB if "ADVB" in _pos(text, lang) and not head and not cap
                            else 0)
                         | (_PUNCT if not word else 0)
                         | (_QUOTE if text in "«»\"“”" else 0)
                         | (_DASH if text == "-" else 0)
                         | (_BOUNDARY_WORD if low in _BOUNDARY else 0)
                         | (_AND if low in ("и", "і", "та", "and") else 0)
                         | (_CONTINUES if word and _np_continues(text, cap, lang) else 0)
                         | (_VERB if verb else 0))
    return got


def _np_right_ru(toks: _Toks, i: int, lang: str, limit: int) -> list[_Tok]:
    """_np_right for ru and uk, from the words' _word_bits."""
    words = toks.words
    n = len(words)
    known = _WORD_BITS[lang]
    out: list[int] = []
    j = i
    while j < n and len(out) < limit:
        bits = known.get(words[j])
        if bits is None:
            bits = _word_bits(words[j], lang)
        if bits & _PUNCT:
            if bits & _QUOTE or (bits & _DASH and out):
                j += 1
                continue
            break
        if bits & _BOUNDARY_WORD:
            if not (bits & _AND and out and j + 1 < n):
                break
            after = known.get(words[j + 1])
            if after is None:
                after = _word_bits(words[j + 1], lang)
            if not after & _CONTINUES:
                break
        if out and bits & _PREP:
            break
        if bits & _DIGIT:
            break
        if out and bits & _VERB:
            break
        out.append(j)
        j += 1
    return toks.take(out)


def _np_right(toks: _Toks, i: int, lang: str, limit: int = 10) -> list[_Tok]:
    """The noun phrase starting at toks[i] (a source phrase's object or an inverted subject)."""
    if lang in _WORD_BITS:
        return _np_right_ru(toks, i, lang, limit)
    # read from the token lists: only the words kept become _Tok
    words = toks.words
    lows, isword, caps = toks.arrays()
    n = len(words)
    en = lang == "en"
    out: list[int] = []
    j = i
    while j < n and len(out) < limit:
        text = words[j]
        if not isword[j]:
            if text in "«»\"“”" and not out:
                j += 1
                continue
            if text in "«»\"“”" or (text == "'" and en):
                j += 1
                continue
            if text == "-" and out:
                j += 1
                continue
            break
        low = lows[j]
        if low in _BOUNDARY and not (low in ("и", "і", "та", "and") and out
                                     and j + 1 < n and isword[j + 1]
                                     and _np_continues(words[j + 1], caps[j + 1], lang)):
            break
        if out and low in _PREPS and not (en and (
                low == "of" or (low == "for" and caps[out[-1]] and _name_follows(toks, j + 1)))):
            break
        if text.isdigit():
            break
        if not en and out and _verb_word(text, lang) and not _head_word(text, lang):
            break
        if en and out and (low in EN_VERBS or low in _EN_SKIP or low in _EN_STOP
                           or _en_adverb_word(low, isword[j], caps[j])):
            break
        if en and out and low.rstrip(".") in ("mr", "mrs", "ms", "dr"):
            break  # "according to Fox News Ms Rosa ...": a new name starts
        if en and len(out) >= 2 and not caps[j] and caps[out[-1]] and low != "of" \
                and lows[out[-2]].rstrip(".") in _EN_TITLES:
            break  # "from analyst Mintel support ...": the name ends the phrase
        if en and len(out) >= 6 and not caps[j]:
            break  # a long run of lowercase words is a clause, not a name
        out.append(j)
        j += 1
    return toks.take(out)


def _name_follows(toks: _Toks, j: int) -> bool:
    """A capitalised word at toks[j], or after "the": "Institute for [the] Study of War"."""
    lows, _, caps = toks.arrays()
    if j < len(lows) and lows[j] == "the":
        j += 1
    return j < len(lows) and caps[j]


def _np_continues(text: str, cap: bool, lang: str) -> bool:
    if lang == "en":
        return cap
    return bool({"ADJF", "NOUN"} & _pos(text, lang)) or cap


def _np_left(toks: _Toks, v: int, lang: str, limit: int = 12) -> list[_Tok]:
    """The subject noun phrase before the verb at toks[v]."""
    if lang == "en":
        return _np_left_en(toks, v)[0]
    # read from the words' _word_bits: only the words kept become _Tok
    words = toks.words
    known = _WORD_BITS[lang]
    walked: list[int] = []  # bits of words[v - 1], words[v - 2], ...
    j = v - 1
    first = max(v - limit, 0)
    while j >= first:
        bits = known.get(words[j])
        if bits is None:
            bits = _word_bits(words[j], lang)
        if bits & _STOP:
            break
        walked.append(bits)
        j -= 1
    run = [(k, bits) for k, bits in zip(range(j + 1, v), reversed(walked), strict=True)
           if bits & _KEEP]
    m = 0
    while m < len(run) and run[m][1] & _CONJ:
        m += 1
    # skip adverbs and prepositional phrases before the subject
    start = None
    for n in range(m, len(run)):
        if run[n][1] & _HEAD and not (n > m and run[n - 1][1] & (_PREP | _DIGIT)):
            start = n
            break
    if start is None:
        return []
    out: list[int] = []
    for k, bits in run[start:]:
        if bits & (_PREP | _ADVERB):
            break
        out.append(k)
    return toks.take(out)


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


def _author_en(toks: _Toks, np: list[_Tok]) -> list[_Tok]:
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
    return _en_adverb_word(t.low, t.word, t.cap)


def _en_adverb_word(low: str, word: bool, cap: bool) -> bool:
    return (word and not cap and low.endswith("ly") and len(low) > 4
            and low not in _EN_LY_NOUNS)


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


def _en_subject(toks: _Toks, v: int) -> _Cand | None:
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


def _en_inverted(toks: _Toks, k: int, after_break: bool) -> list[_Tok]:
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
