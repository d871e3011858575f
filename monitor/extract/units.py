"""The counted noun after a number: its lemma and the span of its noun phrase."""

from __future__ import annotations

import re
from functools import lru_cache
from os.path import commonprefix
from typing import Any

from .lemmas import _EN_IRREGULAR, analyzer
from .lemmas import lemma as dictionary_form

_EN_STOP = frozenset(
    """a an the and or but of in on at to for from by with without into onto over under
    about above below after before since until than as per via is are was were be been
    being has have had do does did will would can could may might must shall should this
    that these those it its their his her our your my which who whom whose what when
    where while if then so not no yet also just only even still more less most least
    each every some any all both either neither such very too said says say told according
    last next this year years day days week weeks month months ago earlier later
    more fewer""".split()
)
# Words that can follow a number but never head its noun phrase: modifiers
# ("additional", "more"), adverbs and common verbs ("were", "fled").
_EN_NOT_HEAD = frozenset(
    """additional additionally extra further more other others new total overall
    altogether apiece each respectively so far already now again too also there here
    away back up down out off alone combined including included fled left went came
    died remain remains remained stay stayed got took made saw ran fell rose grew won
    lost hit joined arrive arrives arrived return returned""".split()
)
_EN_KEEP_TIME = frozenset({"year", "years", "day", "days", "week", "weeks", "month", "months",
                           "hour", "hours", "minute", "minutes", "second", "seconds"})


@lru_cache(maxsize=100_000)
def parse_word(word: str, lang: str) -> tuple[str, str, str]:
    """(part of speech, lemma, case) of a ru/uk word, from its likeliest parse.

    Among equally likely parses of that part of speech (the Ukrainian dictionary
    has no frequencies), the lemma closest to the word wins: "танків" is "танк",
    not "танок".
    """
    parses = analyzer(lang).parse(word)
    p = parses[0]
    tied = {str(q.normal_form) for q in parses
            if q.score == p.score and q.tag.POS == p.tag.POS}
    lemma = max(sorted(tied), key=lambda lem: (len(commonprefix([lem, word])), -len(lem))) \
        if len(tied) > 1 else str(p.normal_form)
    return (str(p.tag.POS or ""), lemma, str(p.tag.case or ""))


@lru_cache(maxsize=100_000)
def _tags(word: str, lang: str) -> frozenset[tuple[str, str]]:
    """Every (part of speech, case) the word can have."""
    return frozenset((str(p.tag.POS or ""), str(p.tag.case or ""))
                     for p in analyzer(lang).parse(word))


# A word after optional spaces; trailing hyphens and apostrophes stay outside it.
# Callers match it word by word in a loop of their own (no generator: it runs per number).
_GAP_WORD = re.compile(r"[ \t\u00a0\u202f]*([^\W\d_](?:[\w'’ʼ-]*\w)?)")


# A calibre between a number and its noun: "2 million 152-mm rounds", "300 тысяч 122-мм".
_CALIBRE = re.compile(
    r"[ \t\u00a0\u202f]*(\d{2,3}(?:[.,]\d)?(?:-|[ \u00a0]?)(?:mm|мм|millimet(?:er|re)s?|"
    r"миллиметров\w*|міліметров\w*))(?![\w])", re.IGNORECASE)


def find_unit(text: str, pos: int, lang: str) -> tuple[str | None, int | None, int | None]:
    """Lemma of the counted noun after ``pos`` and the span of its noun phrase."""
    c = text[pos:pos + 1]
    near = c.isdigit() or (c in " \u00a0" and text[pos + 1:pos + 2].isdigit())
    cal = _CALIBRE.match(text, pos) if near else None
    if cal:
        lem, _s, end = find_unit(text, cal.end(), lang)
        return (lem, cal.start(1), end) if lem else (None, None, None)
    if lang == "en":
        return _find_en(text, pos)
    return _find_cyr(text, pos, lang)


_OF = re.compile(r"[\s\u00a0]+of(?=[\s\u00a0])", re.IGNORECASE)
_OF_PHRASE = re.compile(r"\s+of\s+(?:the\s+)?([^\W\d_][\w-]*)")
_EN_PLURALS = frozenset(k for k, v in _EN_IRREGULAR.items() if k != v)


# (_plural and _not_head are pure functions of one word, and words repeat: memoised)
@lru_cache(maxsize=50_000)
def _plural(word: str) -> bool:
    w = word.lower()
    return w in _EN_PLURALS or (w.endswith("s") and not w.endswith(("ss", "us", "is")))


@lru_cache(maxsize=50_000)
def _not_head(word: str) -> bool:
    w = word.lower()
    if w in _EN_KEEP_TIME:  # "3 years", "10 days": a time unit is a noun
        return False
    return w in _EN_NOT_HEAD or w in _EN_STOP or (w.endswith("ly") and len(w) > 4)




def _find_en(text: str, pos: int) -> tuple[str | None, int | None, int | None]:
    c = text[pos + 1:pos + 2] if text[pos:pos + 1] == " " else text[pos:pos + 1]
    # "thousands of people" (the pattern, only where an o or a space can start "of")
    of = _OF.match(text, pos) if c in "oO" or c.isspace() else None
    if of:
        pos = of.end()
    picked: list[tuple[int, int]] = []
    i = pos
    for _ in range(6):  # up to six words
        gm = _GAP_WORD.match(text, i)
        if gm is None:
            break
        a, b = gm.span(1)
        i = b
        w = text[a:b]
        lw = w.lower()
        if lw in _EN_STOP and not (lw in _EN_KEEP_TIME and not picked):
            break
        if picked and w[:1].isupper() and text[picked[-1][0]].islower():
            break
        picked.append((a, b))
        if lw in _EN_KEEP_TIME:
            break
        if len(picked) >= 4:
            break
    # Drop trailing verb-like words ("soldiers killed", "troops fighting").
    while len(picked) > 1 and text[picked[-1][0]:picked[-1][1]].lower().endswith(
        ("ed", "ing", "ly")
    ):
        picked.pop()
    # "6,000 additional", "300 more": no noun follows, so there is no unit.
    while picked and _not_head(text[picked[-1][0]:picked[-1][1]]):
        picked.pop()
    if not picked:
        return None, None, None
    if len(picked) == 1 and text[picked[0][0]:picked[0][1]].lower().endswith(("ed", "ly")):
        return None, None, None
    # "12 Patriot batteries cost": the plural noun is the head, not what follows it.
    plural = [k for k, (a, b) in enumerate(picked) if _plural(text[a:b])]
    if plural:
        picked = picked[:plural[-1] + 1]
    head = picked[-1]
    start, end = picked[0][0], head[1]
    # "pieces of equipment": extend over an of-phrase.
    c = text[end + 1:end + 2] if text[end:end + 1] == " " else text[end:end + 1]
    m = _OF_PHRASE.match(text, end) if c == "o" or c.isspace() else None
    if m and m.group(1).lower() not in _EN_STOP:
        end = m.end()
    return dictionary_form(text[head[0]:head[1]], "en"), start, end


_CYR_FUNCTION = frozenset("до на по за от від с з із у в во при для".split())
_CYR_SKIP_POS = frozenset({"ADJF", "PRTF", "ADJS", "NUMR"})
_CYR_STOP_POS = frozenset({"VERB", "INFN", "GRND", "PRED", "PREP", "CONJ", "PRCL", "INTJ",
                           "COMP", "PRTS", "NPRO"})


@lru_cache(maxsize=100_000)
def noun_lemma(word: str, lang: str) -> str | None:
    """The lemma of ``word`` read as a noun, if any parse is one.

    A substantivised adjective ("военнослужащий", "раненый", "військовий") has a
    NOUN parse or a Subx mark; a plain adjective ("дополнительных") or an adverb
    ("дополнительно", "додатково") has neither and cannot be the counted noun.
    """
    for p in analyzer(lang).parse(word):
        if p.tag.POS == "NOUN" or "Subx" in p.tag.grammemes:
            return _adjective_lemma(p) if p.tag.POS == "PRTF" else str(p.normal_form)
    return None


def _adjective_lemma(p: Any) -> str:
    """A participle's lemma as the adjective it is ("погибших" → "погибший"), not its
    verb ("погибнуть")."""
    form = p.inflect({"sing", "nomn", "masc"})
    return str(form.word if form is not None else p.normal_form)


# adjectives that qualify a noun but are not used as one ("6 тысяч дополнительных")
_NOT_SUBSTANTIVE = frozenset("""дополнительный новый другой иной такой весь каждый
    последний первый следующий очередной додатковий новий інший такий кожний кожен
    останній перший наступний черговий""".split())


@lru_cache(maxsize=100_000)
def elliptic_lemma(word: str, lang: str) -> str | None:
    """An adjective or participle standing for its noun at the end of the phrase
    ("12 гражданских", "300 погибших", "5 цивільних")."""
    p = analyzer(lang).parse(word)[0]
    if p.tag.POS not in ("ADJF", "PRTF") or p.tag.number != "plur":
        return None
    lemma = _adjective_lemma(p)
    return None if lemma in _NOT_SUBSTANTIVE else lemma


def _find_cyr(text: str, pos: int, lang: str) -> tuple[str | None, int | None, int | None]:
    start: int | None = None
    last_adj: tuple[int, int, str] | None = None
    last_bare: tuple[int, int, str] | None = None  # an adjective no noun followed (yet)
    i = pos
    for _ in range(5):  # up to five words
        m = _GAP_WORD.match(text, i)
        if m is None:
            break
        a, b = m.span(1)
        i = b
        w = text[a:b]
        if w.isupper() and len(w) >= 2:  # "3 САУ", "5 РСЗО": an abbreviation is the noun
            if last_adj is not None:  # "10 тысяч военных КНДР": whose, not what
                break
            return w, (a if start is None else start), b
        lw = w.lower()
        if lw in _CYR_FUNCTION:  # "до" also parses as a noun (the note)
            break
        tag, lem, _case = parse_word(lw, lang)
        if tag == "ADVB":  # "6 тысяч дополнительно": skipped, never the noun
            continue
        if tag in _CYR_STOP_POS or not tag:
            break
        if start is None:
            start = a
        if tag == "NOUN":
            end = b
            end = _extend_genitive(text, end, lang)
            return lem, start, end
        if tag in _CYR_SKIP_POS:
            noun = noun_lemma(lw, lang)
            last_adj = (a, b, noun) if noun else None
            bare = None if noun else elliptic_lemma(lw, lang)
            last_bare = (a, b, bare) if bare else None
            continue
        break
    if last_adj is not None and start is not None:
        # "10 000 военнослужащих": a substantivised adjective ends the phrase
        return last_adj[2], start, last_adj[1]
    if last_bare is not None and start is not None:
        # "12 гражданских,": no noun came, so the adjective stands for it
        return last_bare[2], start, last_bare[1]
    return None, None, None


def _extend_genitive(text: str, end: int, lang: str) -> int:
    """Cover a genitive noun that completes the phrase ("единиц техники")."""
    i = end
    for _ in range(3):  # up to three words
        m = _GAP_WORD.match(text, i)
        if m is None:
            break
        a, b = m.span(1)
        i = b
        word = text[a:b].lower()
        if len(word) < 3 or parse_word(word, lang)[0] in _CYR_STOP_POS:
            break
        tags = _tags(word, lang)
        if ("NOUN", "gent") in tags:
            return b
        if ("ADJF", "gent") in tags or ("PRTF", "gent") in tags:
            continue
        break
    return end


_SHARE_OF = re.compile(r"\s+of\s+(?:the\s+|its\s+|their\s+|all\s+)?")


def percent_scope(text: str, pos: int, lang: str) -> tuple[int | None, int | None]:
    """Span of what a percentage is a share of ("40% боеприпасов", "40% of the shells")."""
    if lang == "en":
        m = _SHARE_OF.match(text, pos)
        if not m:
            return None, None
        lem, a, b = _find_en(text, m.end())
        return (a, b) if lem else (None, None)
    lem, a, b = _find_cyr(text, pos, lang)
    return (a, b) if lem else (None, None)
