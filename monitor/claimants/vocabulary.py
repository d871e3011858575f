"""The word lists: speech verbs, source phrases, pronouns, boundaries, outlet names."""

from __future__ import annotations

import re
from functools import lru_cache
from itertools import product

from .tokens import Span

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
# every source phrase's words, whatever the language ("по данным", "according to")
SOURCE_PHRASES = frozenset(words for entries in _PHRASES.values() for words, _ in entries)
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
# a part of every _PRONOUN_PHRASE match that a scan finds quickly: when it is missing,
# the whole pattern need not be tried
_PRONOUN_HINT = {
    "ru": re.compile(r"\s(?:его|её|ее|их)\s", re.I),
    "uk": re.compile(r"\s(?:його|її|їхніми|їхньою|їх|їхню)\s", re.I),
    "en": re.compile(r"\s(?:him|her|them|it)\b|(?:his|her|their)\s", re.I),
}


# Every spelling that _PRONOUN_HINT (ru, uk) matches between two spaces: each letter in
# each case that re.I reads as it ("ᲂ" is an "о"; tests/test_claimants_tokens.py
# checks the list against every character)
_LETTER_CASES = {"е": "еЕ", "г": "гГ", "о": "оОᲂ", "ё": "ёЁ", "и": "иИ", "х": "хХ", "й": "йЙ",
                 "ї": "їЇ", "н": "нН", "м": "мМ", "ь": "ьЬ", "ю": "юЮ", "і": "іІ"}


def _spellings(word: str) -> set[str]:
    return {"".join(p) for p in product(*(_LETTER_CASES[c] for c in word))}


_HINT_WORDS = {
    "ru": frozenset().union(*map(_spellings, ("его", "её", "ее", "их"))),
    "uk": frozenset().union(*map(_spellings, ("його", "її", "їхніми", "їхньою", "їх", "їхню"))),
}


def pronoun_phrases(text: str, start: int, end: int, lang: str,
                    chunks: list[str] | None = None) -> list[Span]:
    """The spans of _PRONOUN_PHRASE[lang] matches in text[start:end].

    ``chunks``, text[start:end].split(" ") when the caller has it, makes the common
    answer (none) cheaper: with no whitespace but spaces, a _PRONOUN_HINT match is a
    chunk.
    """
    words = _HINT_WORDS.get(lang)
    if chunks is not None and words is not None and text[start:end].isprintable() \
            and words.isdisjoint(chunks):
        return []
    if _PRONOUN_HINT[lang].search(text, start, end) is None:
        return []
    return [m.span() for m in _PRONOUN_PHRASE[lang].finditer(text, start, end)]


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


@lru_cache(maxsize=20_000)
def is_outlet(name: str) -> bool:
    """Whether ``name`` is a news outlet (which relays claims rather than makes them)."""
    key = _outlet_key(name)
    return key in _OUTLET_NAMES or bool(_OUTLET_WORDS.search(key))


def _outlet_like(name: str, lang: str) -> bool:
    """An outlet, or a Latin-script name inside Cyrillic text ("со ссылкой на The Sun")."""
    if is_outlet(name):
        return True
    return lang != "en" and not re.search(r"[а-яёіїєґ]", name, re.I) and name[:1].isupper()
