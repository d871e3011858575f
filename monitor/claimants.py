"""Who a figure is attributed to, and which outlet the text relays.

Best effort and rule based, for ru, uk and en.  A claimant comes from

* a source phrase: "по словам X", "по данным X", "за даними X", "according to X";
* a speech verb with its subject: "X заявил", "заявил X", "X заявив", "X said",
  "said X", "в Пентагоне заявили";
* a pronoun ("По его данным", "за його словами", "he said"): the last speaker
  named in the sentences before.

A person's name is preferred over their title ("глава ГУР Кирилл Буданов" →
"Кирилл Буданов"), and genitive phrases are put back in the nominative where
pymorphy3 makes that easy ("по словам Зеленского" → "Зеленский").

The relayed outlet comes from "со ссылкой на X", "з посиланням на X", "citing
X", "as reported by X", "в интервью X", or, for the whole article, from a
"Источник:/Джерело:/Source:" line or "Об этом сообщает ... со ссылкой на X".
A news agency named as the claimant ("по данным Reuters") is reported as the
relayed outlet instead.

English subjects are read with a few general rules rather than word lists
alone: a passive ("Pyongyang was said to ...") names no speaker unless an
agent follows ("was estimated by X"); a relative clause is skipped ("The
airline, which ..., said" → "The airline"); a time ("on Monday") is trimmed;
a counted noun ("70% of small firms reported") is not a speaker; "said X" with
no comma needs a capitalised name; "added 15 cents" is not speech.

Speed: the rules engine asks once per matched number.  Everything that does
not depend on the number — tokens, candidates and relays of a sentence, the
speaker a pronoun points back to, the article's "Источник:" line — is worked
out once per text (a small cache keyed on the text), and morphology answers
are cached per word.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from .extract.lemmas import analyzer
from .extract.sentences import sentence_around

Span = tuple[int, int]


class _Tok:
    """A word or punctuation mark; its lower-cased form and flags are worked out once."""

    __slots__ = ("start", "end", "text", "low", "word", "cap")

    def __init__(self, start: int, end: int, text: str) -> None:
        self.start = start
        self.end = end
        self.text = text
        self.low = text.lower().replace("’", "'")
        self.word = text[0].isalnum()
        self.cap = text[0].isupper()

    def __repr__(self) -> str:
        return f"_Tok({self.start}, {self.end}, {self.text!r})"


_TOKEN = re.compile(r"\w+(?:[-'’]\w+)*|[^\w\s]")


def _tokens(text: str, start: int = 0, end: int | None = None) -> list[_Tok]:
    return [_Tok(m.start(), m.end(), m.group(0))
            for m in _TOKEN.finditer(text, start, len(text) if end is None else end)]


# --- vocabulary -------------------------------------------------------------------

SPEECH_VERBS = {
    "ru": frozenset("""заявить заявлять сообщить сообщать предупредить предупреждать
        оценить оценивать считать утверждать подтвердить подтверждать отметить отмечать
        сказать говорить рассказать рассказывать добавить добавлять написать писать
        уточнить уточнять признать признавать подсчитать полагать указать указывать
        доложить докладывать информировать проинформировать объявить объявлять
        констатировать предположить предполагать допустить допускать""".split()),
    "uk": frozenset("""заявити заявляти повідомити повідомляти попередити попереджати
        оцінити оцінювати вважати стверджувати підтвердити підтверджувати зазначити
        зазначати сказати казати говорити розповісти розповідати додати додавати
        написати писати уточнити уточнювати визнати визнавати підрахувати припускати
        припустити вказати вказувати доповісти оголосити оголошувати констатувати""".split()),
}
EN_VERBS = frozenset("""said says say told tells estimated estimates estimate reported reports
    claimed claims claim warned warns stated states believes believe believed assessed
    assesses assess confirmed confirms added adds noted notes wrote writes announced
    announces calculated calculates concluded concludes testified testifies
    alleged alleges""".split())

# source phrases: words after which the claimant follows, and the case it is in
_PHRASES: dict[str, list[tuple[tuple[str, ...], str]]] = {
    "ru": [
        (("по", "словам"), "gent"), (("по", "данным"), "gent"), (("по", "оценкам"), "gent"),
        (("по", "оценке"), "gent"), (("по", "информации"), "gent"),
        (("по", "сведениям"), "gent"), (("по", "мнению"), "gent"),
        (("по", "подсчетам"), "gent"), (("по", "подсчётам"), "gent"),
        (("по", "утверждению"), "gent"), (("по", "заявлению"), "gent"),
        (("по", "версии"), "gent"), (("со", "слов"), "gent"),
        (("согласно", "данным"), "gent"), (("согласно", "оценкам"), "gent"),
        (("согласно", "информации"), "gent"), (("согласно",), "datv"),
        (("со", "ссылкой", "на"), "accs"),
    ],
    "uk": [
        (("за", "словами"), "gent"), (("за", "даними"), "gent"), (("за", "оцінками"), "gent"),
        (("за", "оцінкою"), "gent"), (("за", "інформацією"), "gent"),
        (("за", "відомостями"), "gent"), (("за", "підрахунками"), "gent"),
        (("за", "версією"), "gent"), (("на", "думку"), "gent"), (("зі", "слів"), "gent"),
        (("із", "слів"), "gent"), (("з", "слів"), "gent"),
        (("згідно", "з", "даними"), "gent"), (("згідно", "з", "оцінками"), "gent"),
        (("згідно", "з", "інформацією"), "gent"), (("з", "посиланням", "на"), "accs"),
        (("згідно", "з"), "ablt"), (("згідно", "із"), "ablt"), (("відповідно", "до"), "gent"),
    ],
    "en": [(("according", "to"), ""), (("in", "the", "words", "of"), ""),
           (("estimates", "by"), ""), (("figures", "from"), ""), (("data", "from"), ""),
           (("citing",), "")],
}
# phrases that name an outlet or a source: an outlet there is relayed, not a claimant
_RELAY_PHRASES = frozenset({("со", "ссылкой", "на"), ("з", "посиланням", "на"), ("citing",)})
# "по его словам", "за їхніми даними": a possessive between the two words
_PRONOUN_PHRASE = {
    "ru": re.compile(r"\b(?:по|со)\s+(?:его|её|ее|их)\s+(?:словам|данным|оценкам|оценке|"
                     r"информации|сведениям|мнению|подсчетам|подсчётам)\b|"
                     r"\bсогласно\s+(?:его|её|ее|их)\s+(?:данным|оценкам)\b", re.I),
    "uk": re.compile(r"\bза\s+(?:його|її|їхніми|їхньою|їх)\s+(?:словами|даними|оцінками|"
                     r"оцінкою|інформацією|підрахунками)\b|\bна\s+(?:його|її|їхню)\s+думку\b",
                     re.I),
    "en": re.compile(r"\baccording\s+to\s+(?:him|her|them|it)\b|\b(?:his|her|their)\s+"
                     r"(?:estimate|estimates|assessment|figures|data)\b", re.I),
}
PRONOUNS = frozenset("""он она они оно его её ее их он вона вони воно його її їх
    he she they it we i him them this that""".split())
_BOUNDARY = frozenset("""что чтобы как который которая которое которые которых где когда
    если а но однако хотя же ли причем причём що щоб як який яка яке які де коли якщо
    але проте хоча та і й и that which who whom whose as and but while whereas when if
    because since so""".split())
_PREPS = frozenset("""в во на по с со из к ко от до о об обо при за над под для без у через
    про между перед после из-за среди вокруг около з із зі від між після серед біля для
    in on at by for with from of to into after before during since about over under""".split())
_EN_SKIP = frozenset("""has have had also reportedly previously earlier later recently
    repeatedly once again now then already separately meanwhile publicly officially
    has also have also""".split())
# words that end an English noun phrase: auxiliaries, common verbs, adverbs, conjunctions
_EN_STOP = frozenset("""is are was were be been being will would could can may might must shall
    should do does did dont don't doesn't didn't not no there here just only than very like
    although though because before after until unless since whether also still even
    to""".split())
_EN_LEAD = frozenset("""on in last this earlier later monday tuesday wednesday thursday
    friday saturday sunday week month year today yesterday meanwhile separately also
    however but and so then now""".split())
_EN_TITLES = frozenset("""chief secretary president minister director head general spokesman
    spokeswoman spokesperson adviser advisor commander official analyst leader envoy
    ambassador lawmaker legislator senator representative colonel lieutenant admiral
    gen gen. lt col sgt mr mrs ms dr premier governor mayor ceo cfo chairman chairwoman
    chair executive economist strategist founder professor chancellor prosecutor
    deputy""".split())
_EN_TRAIL = frozenset("""estimates estimate data figures figure assessment assessments
    report reports sources source statement""".split())
_NAME_TAGS = frozenset({"Name", "Surn", "Patr"})
_EN_AMBIGUOUS = frozenset("estimates reports claims notes states".split())
_EN_NOT_SPEAKER = frozenset("a an the was were is are be been being am i'm it's".split())
# "was said", "is widely believed", "had been estimated": a passive, whose subject is
# what is talked about, not who talks (the agent, if any, follows "by")
_EN_BE = frozenset("is are was were be been being am 's".split())
_EN_TIME = frozenset("""monday tuesday wednesday thursday friday saturday sunday today
    yesterday tonight week weekend month year morning afternoon evening night january
    february march april may june july august september october november
    december""".split())
_EN_TIME_LEAD = frozenset("on in at during last this next earlier early late".split())
# -ly words that are not adverbs
_EN_LY_NOUNS = frozenset("""family assembly supply ally rally italy july monopoly anomaly reply
    early only daily weekly monthly quarterly yearly""".split())
# verbs that are speech only when a clause or a pause follows: "Acme added 40 cents"
_EN_ADD = frozenset("added adds add".split())
_EN_CLAUSE_END = frozenset("in on at during after before who told".split())

def _outlet_key(name: str) -> str:
    s = name.strip(" «»\"“”'").lower()
    return s[4:] if s.startswith("the ") else s


_OUTLET_NAMES = frozenset({
    "reuters", "bloomberg", "guardian", "associated press", "ap", "afp", "bbc", "cnn",
    "new york times", "nyt", "wall street journal", "wsj", "washington post",
    "financial times", "ft", "yonhap", "yonhap news agency", "nk news", "nikkei",
    "politico", "axios", "cbs", "abc", "nbc", "al jazeera", "sky news", "kyiv independent",
    "ukrinform", "unian", "рбк", "рбк-украина", "рбк-україна", "тасс", "риа новости",
    "интерфакс", "интерфакс-украина", "укринформ", "укрінформ", "униан", "уніан",
    "українська правда", "украинская правда", "би-би-си", "бі-бі-сі", "коммерсант",
    "коммерсантъ", "медуза", "meduza", "reuters news agency", "bloomberg news",
})


_OUTLET_WORDS = re.compile(r"(?i)\b(?:times|post|journal|news|press|herald|telegraph|guardian|"
                           r"tribune|gazette|economist|wire|tv|radio|broadcaster|newspaper|magazine|"
                           r"outlet|агентство|агенція|"
                           r"газета|телеканал|издание|видання)\b")


def is_outlet(name: str) -> bool:
    """Whether ``name`` is a news outlet (which relays claims rather than makes them)."""
    key = _outlet_key(name)
    return key in _OUTLET_NAMES or bool(_OUTLET_WORDS.search(key))


def _outlet_like(name: str, lang: str) -> bool:
    """An outlet, or a Latin-script name inside Cyrillic text ("со ссылкой на The Sun")."""
    if is_outlet(name):
        return True
    return lang != "en" and not re.search(r"[а-яёіїєґ]", name, re.I) and name[:1].isupper()


# --- morphology ---------------------------------------------------------------------

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


def _is_verb(tok: _Tok, lang: str) -> bool:
    return _verb_word(tok.text, lang)


@lru_cache(maxsize=50_000)
def _verb_word(word: str, lang: str) -> bool:
    return any(str(p.tag.POS) == "VERB" and p.score >= 0.3 for p in _parses(word, lang))


def _speech_verb(tok: _Tok, lang: str) -> bool:
    if lang == "en":
        return tok.low in EN_VERBS
    return _speech_word(tok.text, lang)


@lru_cache(maxsize=50_000)
def _speech_word(word: str, lang: str) -> bool:
    return any(str(p.tag.POS) == "VERB" and p.normal_form in SPEECH_VERBS[lang]
               for p in _parses(word, lang))


def _can_head(tok: _Tok, lang: str) -> bool:
    """Can this token start a subject noun phrase (nominative noun, adjective, name)?"""
    return _head_word(tok.text, lang)


@lru_cache(maxsize=50_000)
def _head_word(text: str, lang: str) -> bool:
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


# --- noun phrases -----------------------------------------------------------------------

def _np_right(toks: list[_Tok], i: int, lang: str, limit: int = 10) -> list[_Tok]:
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
        if lang != "en" and out and _is_verb(t, lang) and not _can_head(t, lang):
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


def _name_follows(toks: list[_Tok], j: int) -> bool:
    """A capitalised word at toks[j], or after "the": "Institute for [the] Study of War"."""
    if j < len(toks) and toks[j].low == "the":
        j += 1
    return j < len(toks) and toks[j].cap


def _np_continues(t: _Tok, lang: str) -> bool:
    if lang == "en":
        return t.cap
    return bool({"ADJF", "NOUN"} & _pos(t.text, lang)) or t.cap


def _np_left(toks: list[_Tok], v: int, lang: str, limit: int = 12) -> list[_Tok]:
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
        if _is_verb(t, lang) and not _can_head(t, lang):
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
        if _can_head(t, lang) and not (after and (after.low in _PREPS or after.text.isdigit())):
            start = k
            break
    if start is None:
        return []
    out: list[_Tok] = []
    for t in run[start:]:
        if t.low in _PREPS or ("ADVB" in _pos(t.text, lang) and not _can_head(t, lang)
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


def _name_run(toks: list[_Tok], lang: str) -> list[_Tok]:
    """A person's name ending ``toks`` ("... Украины Кирилл Буданов" → "Кирилл Буданов")."""
    k = len(toks)
    while k > 0 and toks[k - 1].word and toks[k - 1].cap:
        k -= 1
    run = toks[k:]
    while run and not _name_like(run[0], lang) and not (
            len(run) > 1 and _has_tag(run[1], "Surn", lang)
            and not _has_tag(run[0], "Geox", lang) and not _has_tag(run[0], "Orgn", lang)
            and not run[0].text.isupper()):
        run = run[1:]  # titles, bodies and places before the name (a first name stays)
    if any(_is_name(t, lang) for t in run) or sum(_unknown(t, lang) for t in run) >= 2:
        return run
    return []


def _person_in(toks: list[_Tok], lang: str) -> str | None:
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


def _author_en(toks: list[_Tok], np: list[_Tok]) -> list[_Tok]:
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
    return any(p.normal_form.replace("ё", "е") in lemmas for p in _parses(tok.text, lang))


def _en_adverb(t: _Tok) -> bool:
    return (t.word and not t.cap and t.low.endswith("ly") and len(t.low) > 4
            and t.low not in _EN_LY_NOUNS)


def _skip_back_en(toks: list[_Tok], j: int) -> int:
    """From toks[j] leftwards, past auxiliaries and adverbs ("has also", "was widely")."""
    while j >= 0 and (toks[j].low in _EN_SKIP or _en_adverb(toks[j])):
        j -= 1
    return j


def _en_passive(toks: list[_Tok], v: int) -> bool:
    """Whether the verb at toks[v] is passive: "was said", "is widely believed"."""
    j = _skip_back_en(toks, v - 1)
    return j >= 0 and toks[j].low in _EN_BE


def _en_is_speech(toks: list[_Tok], i: int) -> bool:
    """A speech verb in use: not a noun ("intelligence estimates"), nor "Acme added 40"."""
    low = toks[i].low
    nxt = toks[i + 1] if i + 1 < len(toks) else None
    if low in _EN_AMBIGUOUS and not (nxt is not None and (
            nxt.low in ("that", "the", "a", "about") or nxt.text[0].isdigit())):
        return False  # "intelligence estimates" is a noun, "X estimates that" a verb
    if low in _EN_ADD and nxt is not None and nxt.word and nxt.low != "that":
        return False
    return not (i > 0 and toks[i - 1].low in _EN_NOT_SPEAKER and toks[i - 1].low not in _EN_BE)


def _np_left_en(toks: list[_Tok], v: int) -> tuple[list[_Tok], int]:
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


def _en_relative(toks: list[_Tok], stop: int) -> int | None:
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


def _en_subject(toks: list[_Tok], v: int) -> _Cand | None:
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


def _en_inverted(toks: list[_Tok], k: int, after_break: bool) -> list[_Tok]:
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


# --- candidates in one sentence --------------------------------------------------------

@dataclass(frozen=True)
class _Cand:
    start: int
    end: int
    claimant: str | None  # None: a pronoun, resolved from earlier sentences


# the source phrases by their first word, so that most tokens cost one dict look-up
_PHRASE_INDEX: dict[str, dict[str, list[tuple[tuple[str, ...], str]]]] = {}
for _lang, _entries in _PHRASES.items():
    for _words, _case in _entries:
        _PHRASE_INDEX.setdefault(_lang, {}).setdefault(_words[0], []).append((_words, _case))


def _phrase_at(toks: list[_Tok], i: int, lang: str) -> tuple[int, str, bool] | None:
    for words, case in _PHRASE_INDEX[lang].get(toks[i].low, ()):
        n = len(words)
        if tuple(t.low for t in toks[i:i + n]) == words:
            return i + n, case, words in _RELAY_PHRASES
    return None


def _candidates(text: str, span: Span, lang: str, toks: list[_Tok] | None = None
                ) -> list[_Cand]:
    a, b = span
    if toks is None:
        toks = _tokens(text, a, b)
    out: list[_Cand] = []
    for m in _PRONOUN_PHRASE[lang].finditer(text, a, b):
        out.append(_Cand(m.start(), m.end(), None))
    covered = -1  # end offset of the last source phrase: its words are not verbs
    for i, tok in enumerate(toks):
        if tok.start < covered:
            continue
        hit = _phrase_at(toks, i, lang)
        if hit is not None:
            k, case, relay = hit
            if k < len(toks) and toks[k].low in PRONOUNS:
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
        if not _speech_verb(tok, lang):
            continue
        if lang == "en":
            if not _en_is_speech(toks, i):
                continue  # "an estimated 5 million", "I'm told", "Acme added 40 cents"
            if _en_passive(toks, i):  # "was said (by X)": only an agent speaks
                if i + 2 < len(toks) and toks[i + 1].low == "by":
                    np = _clean_en(_np_right(toks, i + 2, lang))
                    if np:
                        out.append(_Cand(tok.start, np[-1].end, _join(_person(np, lang))))
                continue
        if lang != "en" and i > 0 and toks[i - 1].low in ("как", "як") and (
                i + 1 >= len(toks) or not toks[i + 1].word):
            continue  # "как сообщалось," — no speaker named
        cand = _verb_subject(toks, i, lang)
        if cand is not None:
            out.append(cand)
    return sorted(out, key=lambda c: c.start)


_BODIES = frozenset("""служба спецслужба разведка розвідка ведомство відомство власть влада
    орган штаб министерство міністерство агентство сми змі источник джерело""".split())


def _agrees(np: list[_Tok], verb: _Tok, lang: str) -> bool:
    """A plural verb needs a plural (or coordinated) subject.

    "Численность контингента оценивают в ..." has no subject: the phrase before
    the verb is its object, not a claimant.
    """
    if lang == "en" or any(t.low in ("и", "і", "та") for t in np):
        return True
    if not any("plur" in _grammemes(p) for p in _parses(verb.text, lang)
               if str(p.tag.POS) == "VERB"):
        return True
    for t in np:
        parses = [p for p in _parses(t.text, lang) if str(p.tag.POS) == "NOUN"]
        if parses:
            plural = [p for p in parses if {"plur", "nomn"} <= _grammemes(p)]
            # people, bodies and places speak; "потери", "цифры" do not
            return any("anim" in _grammemes(p) or {"Orgn", "Geox"} & _grammemes(p)
                       or p.normal_form in _BODIES for p in plural)
    return True


def _locative_before(toks: list[_Tok], v: int) -> list[int]:
    """Where "в"/"у" may stand in "вчера в Пентагоне заявили" (one word before the
    verb) or "В Минобороны Украины заявили" (up to four, opening the clause)."""
    out = []
    for k in range(v - 2, max(v - 6, -1), -1):
        if not toks[k + 1].word:
            break
        if toks[k].low in ("в", "во", "у") and (k == v - 2 or k == 0 or not toks[k - 1].word):
            out.append(k)
    return out


def _body_in(words: list[_Tok], lang: str) -> bool:
    """"в южнокорейской разведке": an institution noun among the words."""
    return any(_lemma_in(t, lang, _BODIES) for t in words)


def _verb_subject(toks: list[_Tok], v: int, lang: str) -> _Cand | None:
    if lang == "en":
        return _en_subject(toks, v)
    verb = toks[v]
    j = v - 1
    if j >= 0 and toks[j].low in PRONOUNS and toks[j].low not in ("this", "that"):
        return _Cand(toks[j].start, verb.end, None)  # "он сказал"
    # "В Пентагоне заявили" / "заявили в ГУР": an institution in the locative
    for k in (*_locative_before(toks, v), v + 1):
        if 0 <= k < len(toks) - 1 and toks[k].low in ("в", "во", "у") and (
                toks[k + 1].cap or (k < v and _body_in(toks[k + 1:v], lang))):
            np = _np_right(toks, k + 1, lang, limit=4)
            if np and (k < v or not _np_left(toks, v, lang)):
                return _Cand(min(verb.start, toks[k].start), max(verb.end, np[-1].end),
                             _nominative(np, "loct", lang))
    left = _np_left(toks, v, lang)
    if left and _agrees(left, verb, lang):
        return _Cand(left[0].start, verb.end, _join(_person(left, lang)))
    k = v + 1
    if k < len(toks) and toks[k].low in PRONOUNS:
        return _Cand(verb.start, toks[k].end, None)
    if k < len(toks) and _can_head(toks[k], lang):
        np = _np_right(toks, k, lang)
        if np:
            return _Cand(verb.start, np[-1].end, _join(_person(np, lang)))
    return None


# --- relayed outlets ------------------------------------------------------------------------

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
    m = _SOURCE_LINE.search(text)
    if m:
        value = m.group(1)
        cut = _CUT.search(value)
        value = value[: cut.start()] if cut else value
        names = re.findall(_NAME, value)
        if names:
            return _split_names(", ".join(names))
    m = _ABOUT.search(text)
    if m:
        return _split_names(m.group(1))
    return None


# --- the public function ------------------------------------------------------------------------

_CLAUSE = re.compile(r";|,\s+(?:а|но|однако|тогда\s+как|в\s+то\s+время\s+как|але|проте|тоді\s+як|"
                     r"натомість|while|whereas|but)\s", re.I)


def _clause(cuts: list[Span], span: Span, pos: int) -> Span:
    """The part of the sentence ``span`` around ``pos`` between two clause ``cuts``."""
    start, end = span
    for c0, c1 in cuts:
        if c1 <= pos:
            start = c1
        elif c0 >= pos:
            end = c0
            break
    return start, end


def _nearest(cands: list[_Cand], at: Span) -> _Cand | None:
    def dist(c: _Cand) -> int:
        if c.end <= at[0]:
            return at[0] - c.end
        if c.start >= at[1]:
            return c.start - at[1]
        return 0
    return min(cands, key=dist) if cands else None


_WORD_TOKEN = re.compile(r"\w+(?:[-'’]\w+)*")  # the word tokens of _TOKEN


def _may_claim(text: str, span: Span, lang: str) -> bool:
    """Whether a word in ``span`` may open a source phrase or be a speech verb."""
    first = _PHRASE_INDEX[lang]
    for word in _WORD_TOKEN.findall(text, *span):
        low = word.lower().replace("’", "'")
        if low in first or (low in EN_VERBS if lang == "en" else _speech_word(word, lang)):
            return True
    return False


@dataclass(frozen=True)
class _Sent:
    cands: list[_Cand]      # speakers and source phrases, in text order
    outlets: list[_Cand]    # ... those that name a news outlet
    cuts: list[Span]        # clause boundaries (_CLAUSE matches)


class _Doc:
    """The work find_claimant does on one text, kept for its other numbers.

    The rules engine asks once per matched number, in text order: tokens,
    candidates and relays of a sentence, the look-back speaker before it and
    the article-level source line are the same for every number there.
    """

    def __init__(self, text: str, lang: str) -> None:
        self.text = text
        self.lang = lang
        self._toks: dict[Span, list[_Tok]] = {}
        self._cands: dict[Span, list[_Cand]] = {}
        self._sents: dict[Span, _Sent] = {}
        self._relays: dict[Span, list[tuple[int, str]]] = {}
        self._lookback: dict[int, str | None] = {}
        self._article: tuple[str | None] | None = None

    def toks(self, span: Span) -> list[_Tok]:
        got = self._toks.get(span)
        if got is None:
            got = self._toks[span] = _tokens(self.text, *span)
        return got

    def cands(self, span: Span) -> list[_Cand]:
        got = self._cands.get(span)
        if got is None:
            if _may_claim(self.text, span, self.lang):
                got = _candidates(self.text, span, self.lang, self.toks(span))
            else:  # most sentences: no tokens needed
                got = [_Cand(m.start(), m.end(), None)
                       for m in _PRONOUN_PHRASE[self.lang].finditer(self.text, *span)]
            self._cands[span] = got
        return got

    def sentence(self, span: Span) -> _Sent:
        got = self._sents.get(span)
        if got is None:
            found = self.cands(span)
            outlets = [c for c in found if c.claimant and is_outlet(c.claimant)]
            cuts = [(m.start(), m.end()) for m in _CLAUSE.finditer(self.text, *span)]
            got = self._sents[span] = _Sent([c for c in found if c not in outlets], outlets,
                                            cuts)
        return got

    def relays(self, span: Span) -> list[tuple[int, str]]:
        got = self._relays.get(span)
        if got is None:
            got = self._relays[span] = _relays(self.text, *span, self.lang)
        return got

    def article_relay(self) -> str | None:
        if self._article is None:
            self._article = (article_relay(self.text),)
        return self._article[0]

    def lookback(self, before: int) -> str | None:
        if before not in self._lookback:
            self._lookback[before] = _lookback(self, before)
        return self._lookback[before]


@lru_cache(maxsize=8)
def _doc(text: str, lang: str) -> _Doc:
    # keyed on the text itself: a str caches its hash, and the same object compares
    # by identity, so a hit costs next to nothing however long the article is
    return _Doc(text, lang)


def _lookback(doc: _Doc, before: int, sentences: int = 3) -> str | None:
    """The last speaker named in the few sentences before ``before``."""
    text = doc.text
    pos = before
    for _ in range(sentences):
        while pos > 0 and text[pos - 1].isspace():
            pos -= 1
        if pos <= 0:
            return None
        span = sentence_around(text, pos - 1)
        named = [c for c in doc.cands(span) if c.claimant]
        if named:
            return named[-1].claimant
        person = _person_in(doc.toks(span), doc.lang)
        if person:
            return person
        pos = span[0]
    return None


def _words_after(text: str, pos: int, end: int) -> int:
    return len(re.findall(r"\w+", text[pos:end]))


def find_claimant(text: str, sentence: Span, at: Span, lang: str
                  ) -> tuple[str | None, str | None]:
    """(claimant, relayed outlet) for the quantity at ``at`` inside ``sentence``.

    Either may be None.  ``lang`` is "ru", "uk" or "en"; other values read as en.
    """
    if lang not in ("ru", "uk", "en"):
        lang = "en"
    a, b = sentence
    doc = _doc(text, lang)
    sent = doc.sentence(sentence)
    cands, outlets = sent.cands, sent.outlets
    clause = _clause(sent.cuts, sentence, at[0])
    # the quantity's own clause first; then a speaker from an earlier clause, or one
    # that closes the sentence ("..., а ещё 6 тысяч готовятся, заявил Буданов")
    chosen = _nearest([c for c in cands if clause[0] <= c.start < clause[1]], at) \
        or _nearest([c for c in cands if c.start < clause[0]
                     or _words_after(text, c.end, b) <= 3], at)
    claimant: str | None = None
    if chosen is not None:
        claimant = chosen.claimant if chosen.claimant else doc.lookback(a)
    relays = doc.relays(clause) or doc.relays(sentence) \
        or [(c.start, c.claimant) for c in outlets if c.claimant]
    relayed = min(relays, key=lambda r: abs(r[0] - at[0]))[1] if relays else None
    if claimant and is_outlet(claimant):
        claimant = None
    if relayed is None:
        relayed = doc.article_relay()
    if not claimant:  # "Генштаб ЗСУ: ...", "Seoul: ..." in the sentence or the headline
        claimant = headline_claimant(text, sentence)
    if claimant:
        claimant = claimant.strip(" «»\"“”,")
    if relayed:
        relayed = re.sub(r"^the\s+", "", relayed.strip(" «»\"“”,"))
    return claimant or None, relayed or None


# --- headline attributions ------------------------------------------------------------

_HEADLINE = re.compile(r"[ \t]*([A-ZА-ЯЁІЇЄҐ][^\W\d_]*(?:[ \t'’.\-]+[^\W\d_]+){0,3})"
                       r"[ \t]*:[ \t]+\S")
# lead words that end in a colon without naming anyone
_NOT_WHO = frozenset("""итог итоги важно обновлено обновление фото видео опрос цифра цифры факт
    факты источник источники главное коротко подробности мнение аналитика прогноз
    підсумок підсумки важливо оновлено відео опитування цифри факти джерело джерела
    головне коротко подробиці думка прогноз update updated breaking exclusive analysis
    opinion poll watch live explainer factbox source sources photo video note
    correction""".split())


def headline_claimant(text: str, sentence: Span) -> str | None:
    """The "X" of a headline-style attribution: "Генштаб ЗСУ: ...", "Seoul: ...",
    at the start of ``sentence`` or, failing that, of the text's first line
    (a headline that heads the whole article)."""
    for start in (sentence[0], 0):
        m = _HEADLINE.match(text, start)
        if m is None or "\n" in text[start:m.start(1)]:
            continue
        who = m.group(1).strip()
        if who.lower() in _NOT_WHO or is_outlet(who):
            continue
        if start == 0 and text.find("\n", 0, m.end()) >= 0:
            continue  # the colon is not on the first line
        return who
    return None


# --- canonical names --------------------------------------------------------------------

_TRANSLIT = dict(zip("абвгґдеєёжзиіїйклмнопрстуфхцчшщъыьэюя",
                     ["a", "b", "v", "g", "g", "d", "e", "e", "e", "zh", "z", "i", "i", "i", "i",
                      "k", "l", "m", "n", "o", "p", "r", "s", "t", "u", "f", "h", "ts", "ch",
                      "sh", "shch", "", "i", "", "e", "iu", "ia"], strict=True))


def fold(name: str) -> str:
    """A spelling-blind key for a name: case, "the", a possessive, punctuation, the
    script and the usual transliteration variants fold away, so "Кирило Буданов",
    "Kyrylo Budanov" and "KYRYLO BUDANOV" share one key."""
    s = name.strip().lower().replace("’", "'")
    s = re.sub(r"^(?:the|die|le)\s+", "", s)
    s = re.sub(r"'s\b", "", s)
    s = "".join(_TRANSLIT.get(c, c) for c in s)
    s = re.sub(r"[^a-z0-9]+", " ", s)
    # one sound, several Latin spellings: kh/h, y/i/j, ts/tz, doubled letters
    s = s.replace("kh", "h").replace("y", "i").replace("j", "i").replace("tz", "ts")
    return re.sub(r"(.)\1+", r"\1", s).strip()


def _display(name: str) -> str:
    """A name outside the table, shown the same way whatever its case: "the Pentagon" and
    "The Pentagon" both read "Pentagon"."""
    s = re.sub(r"(?i)^the\s+", "", " ".join(name.split()).strip(" «»\"“”,"))
    return s[:1].upper() + s[1:]


class Aliases:
    """Canonical claimant names: the rules' ``claimants:`` table plus automatic folding.

    ``canonical`` tries, in order: the table (by folded spelling); a surname alone,
    or a first name and surname whose first name is spelt another way, onto a person
    listed in the table; otherwise the name itself, with case and "the" folded.
    """

    def __init__(self, table: dict[str, str] | None = None) -> None:
        self.key = hash(tuple(sorted((table or {}).items())))  # same table, same key
        self._by_key: dict[str, str] = {}
        surnames: dict[str, set[str]] = {}
        for alias, name in (table or {}).items():
            self._by_key.setdefault(fold(alias), name)
            if self._person(alias):
                words = fold(alias).split()
                surnames.setdefault(words[-1], set()).add(f"{words[0][:1]}\0{name}")
        # surname → {(first initial, canonical)}; only unambiguous surnames fold
        self._surnames = {k: v for k, v in surnames.items()
                          if len({x.split("\0")[1] for x in v}) == 1}
        self._cache: dict[str, str] = {}

    @staticmethod
    def _person(alias: str) -> bool:
        """An alias of two or more words whose first is a given name (pymorphy3 says so)."""
        words = alias.split()
        if len(words) < 2 or not re.search(r"[а-яёіїєґ]", alias, re.I):
            return False
        tok = _Tok(0, len(words[0]), words[0])
        return any(_is_name(tok, lang) and "Name" in _tags(tok.text, lang)
                   for lang in ("ru", "uk"))

    def canonical(self, name: str | None) -> str | None:
        if not name or not name.strip():
            return None
        hit = self._cache.get(name)
        if hit is None:
            hit = self._cache[name] = self._lookup(name)
        return hit

    def _lookup(self, name: str) -> str:
        key = fold(name)
        if key in self._by_key:
            return self._by_key[key]
        words = key.split()
        if words and words[-1] in self._surnames and len(words) <= 3:
            initial, canon = next(iter(self._surnames[words[-1]])).split("\0")
            if len(words) == 1 or words[0][:1] == initial:
                return canon
        return _display(name)


def canonical_name(name: str | None, table: dict[str, str] | None = None) -> str | None:
    """``name`` as its canonical claimant (see ``Aliases``); a one-off helper."""
    return Aliases(table).canonical(name)
