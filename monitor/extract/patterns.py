"""Regular expressions for the context around numbers: qualifiers, changes, dates."""

from __future__ import annotations

import re
from functools import lru_cache

from .numbers import EN_MULT, EN_WORDS, FOLD_WORDS, SOFT_MULT, tables

_CHAR_RX = {"е": "[её]", "Е": "[ЕЁ]", " ": r"[\s\u00a0]+"}


def _trie(alternation: str) -> str:
    """"a|b|c" (plain words, as written below) as a trie pattern."""
    return trie_regex(alternation.split("|"))


def trie_regex(words: list[str]) -> str:
    """A compact alternation for many words (a trie), faster than a flat list."""
    trie: dict[str, dict] = {}
    for w in words:
        node = trie
        for ch in w:
            node = node.setdefault(ch, {})
        node[""] = {}

    def build(node: dict[str, dict]) -> str:
        if list(node) == [""]:
            return ""
        alts = []
        optional = False
        for ch in sorted(node):
            if ch == "":
                optional = True
                continue
            # keys are written with е; texts may write ё
            alts.append(_CHAR_RX.get(ch, re.escape(ch)) + build(node[ch]))
        body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
        if optional:
            body = "(?:" + body + ")?"
        return body

    return build(trie)


# Characters with no case that texts often hold beside ASCII and Cyrillic.
_CASELESS = "\u00a0\u00ab\u00bb\u2009\u2013\u2014\u2018\u2019\u201c\u201d\u2026\u202f\u2116"
# Any other character: a string without one has IGNORECASE compare what lower() gives.
_OTHER_CASE = re.compile("[^\x00-\x7f\u0400-\u04ff" + _CASELESS + "]")


class TailSearch:
    """search() of an IGNORECASE pattern written in lower case whose every match ends
    at the end of the string and lies within its last ``tokens`` runs of non-spaces
    (and the spaces before them): the look-behind windows before a number.

    The same answer, found two ways faster: the search starts at those last runs (a
    look-behind still sees what comes before), and a string of ASCII, Cyrillic and
    caseless punctuation only is lower-cased and searched by the pattern without
    IGNORECASE (IGNORECASE compares those characters by their lower case; for any
    other character the pattern itself runs).  The match may be one on the lower-cased
    string: the same spans, its text in lower case.
    """

    def __init__(self, pattern: re.Pattern[str], tokens: int) -> None:
        source = pattern.pattern.replace("(?P", "(?p")  # group names are not letters read
        assert pattern.flags & re.IGNORECASE and source == source.lower()
        self.pattern = pattern
        self.tokens = tokens
        self._cased = re.compile(pattern.pattern, pattern.flags & ~re.IGNORECASE)

    def search(self, s: str) -> re.Match[str] | None:
        runs = s.rsplit(None, self.tokens)
        start = len(runs[0]) if len(runs) > self.tokens else 0
        if s.isascii() or _OTHER_CASE.search(s) is None:
            return self._cased.search(s.lower(), start)
        return self.pattern.search(s, start)


_FRACTION_WORDS = [
    "половина", "половины", "половине", "половину", "половиной", "половиною",
    "половини", "половині", "треть", "трети", "третью", "третина", "третини", "третину",
    "третиною", "третині", "четверть", "четверти", "четвертью", "чверть", "чверті", "чвертю",
    "half", "third", "thirds", "quarter", "quarters",
]
FRACTIONS: dict[str, float] = {}
for _w in _FRACTION_WORDS:
    if _w.startswith(("полов", "half")):
        FRACTIONS[_w] = 50.0
    elif _w.startswith(("тре", "third")):
        FRACTIONS[_w] = 100 / 3
    else:
        FRACTIONS[_w] = 25.0

def _anchor_variants() -> set[str]:
    t = tables()
    words = set(t.words) | set(t.mults) | set(t.vague_mult) | set(FRACTIONS)
    words |= set(EN_WORDS) | set(EN_MULT) | set(FOLD_WORDS) | set(SOFT_MULT)
    variants: set[str] = set()
    for w in words:
        spellings = {w}
        if "'" in w:
            spellings |= {w.replace("'", a) for a in "’ʼ"}
        # Case-sensitive matching of lower, Capitalised and UPPER spellings is
        # markedly faster than IGNORECASE over every character of the text.
        for v in spellings:
            variants |= {v, v[:1].upper() + v[1:], v.upper()}
    return variants


@lru_cache(maxsize=1)
def _anchor_trie() -> str:
    return trie_regex(sorted(_anchor_variants(), key=len, reverse=True))


def anchor_regex() -> re.Pattern[str]:
    """One pattern that finds every place a quantity may start (for matching at a
    known position; scanning a text uses anchor_scanners)."""
    return re.compile(r"(?P<d>\d+)|(?<![\w'’ʼ])(?P<w>" + _anchor_trie() + r")(?![\w'’ʼ])")


# Letters that can never be an anchor's first character nor stand right before a word
# anchor: letters of the three languages, apostrophes and the space.
_NOT_BEFORE_ANCHOR = "A-Za-zА-яЁёІіЇїЄєҐґ'’ʼ "


def anchor_scanners() -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    """The matches of anchor_regex, found by three patterns: digit runs and words after a
    character other than a space, words after a space, a word at the very start.

    anchor_regex cannot skip ahead: its first element is a group and a look-behind, so
    the regex engine tries it at every character.  These start with a character class
    or a literal, which the engine scans for in C.  The first tries only characters
    outside _NOT_BEFORE_ANCHOR (digits, punctuation, rare letters): a digit starts a
    run; after anything else but a word character comes a word or nothing (the word
    is group 1).  Every word is made of word characters and apostrophes only, so the
    words found are exactly those of anchor_regex, and no word overlaps a digit run.
    """
    variants = _anchor_variants()
    assert all(re.fullmatch(r"[\w'’ʼ]+", v) for v in variants)
    alt = _anchor_trie()
    tail = r")(?![\w'’ʼ])"
    # Most spaces and punctuation are followed by no number word: the characters each
    # word can have at its first three places (ё where the trie accepts it for е)
    # reject them cheaply.
    ahead = ""
    for k in range(min(3, *map(len, variants))):
        chars = {c for v in variants for c in v[k]} | {"ё" for v in variants if v[k] == "е"} \
            | {"Ё" for v in variants if v[k] == "Е"}
        ahead += "[" + "".join(sorted(map(re.escape, chars))) + "]"
    return (re.compile("[^" + _NOT_BEFORE_ANCHOR + r"](?:(?<=\d)\d*|(?<![\w'’ʼ])(?="
                       + ahead + ")(" + alt + tail + ")"),
            re.compile(r" (?=" + ahead + ")(" + alt + tail),
            re.compile(r"(" + alt + tail))


def _alts(phrases: list[str]) -> str:
    return trie_regex([p.lower() for p in phrases])


# Verbs that put a figure above a mark ("topped 10,000", "перевалило за миллион"); with
# "не" in front (ru/uk) or "not" they cap it instead ("не превышает 500" = up to 500).
_EXCEED_CYR = (
    "превысил превысила превысило превысили превышает превышают превысит превысят "
    "превышал превышала превышало превышали превышающий превышающая превышающее "
    "превышающие превышающего превышающей превышающих превышающую превышающим "
    "превышающем превышающими перевищив перевищила перевищило перевищили перевищує "
    "перевищують перевищить перевищать перевищував перевищувала перевищувало "
    "перевищували перевищуючи"
).split()
_OVER_CYR = [v + " за" for v in (
    "перевалил перевалила перевалило перевалили перевалит перевалят перевалив "
    "перевалить перевалять переваливает переваливают").split()]
_EXCEED_EN = ("exceeding exceeded exceeds exceed topped tops topping surpassed surpasses "
              "surpassing surpass").split()

QUALIFIERS: dict[str, list[str]] = {
    "more_than": [
        "более чем", "больше чем", "более", "свыше", "больше", "чуть более", "чуть больше",
        "понад", "більш ніж", "більше ніж", "більше", "трохи більше", "більш як", "більше як",
        *_EXCEED_CYR, *_OVER_CYR, *_EXCEED_EN,
        "more than", "over", "above", "upwards of", "in excess of",
        "just over", "well over", "over than", "north of", "higher than",
        "greater than", "larger than", "bigger than", "longer than", "older than",
    ],
    "at_least": [
        "не менее чем", "не менее", "не меньше чем", "не меньше", "как минимум", "минимум",
        "по меньшей мере", "по крайней мере", "не менш ніж", "не менше ніж", "не менше",
        "щонайменше", "принаймні", "як мінімум", "мінімум", "at least", "no fewer than",
        "not less than", "not fewer than", "не менш як", "не менше як", "not under",
        "no less than", "a minimum of", "at minimum",
    ],
    "approx": [
        "около", "примерно", "приблизительно", "порядка", "ориентировочно", "где-то",
        "близько", "приблизно", "орієнтовно", "порядку", "about", "around", "some",
        "roughly", "approximately", "an estimated", "estimated", "circa", "close to",
        "just about", "approx.", "approx",
    ],
    "up_to": [
        "не более чем", "не более", "не больше чем", "не больше", "не більш ніж",
        "не більше ніж", "не більше", "не більш як", "не більше як", "щонайбільше",
        "not more than", "not over", "максимум", "до", "up to",
        "as many as", "as much as", "no more than", "a maximum of", "at most",
        *("не " + v for v in _EXCEED_CYR + _OVER_CYR),
        *(neg + v for neg in ("not ", "not to ", "does not ", "did not ", "do not ",
                              "will not ", "would not ", "never ")
          for v in ("exceed", "exceeding", "surpass", "top")),
    ],
    "less_than": [
        "менее чем", "менее", "меньше чем", "меньше", "чуть менее", "чуть меньше",
        "менш ніж", "менше ніж", "менше", "менш як", "менше як", "fewer than", "less than",
        "under", "below",
        "almost", "nearly", "just under", "почти", "майже", "неполных", "less then",
        "just shy of", "short of", "lower than", "smaller than", "shorter than",
    ],
}
_QUAL_INDEX = {p: q for q, ps in QUALIFIERS.items() for p in ps}
QUALIFIER_RE = re.compile(
    r"(?:^|(?<=[^\w-]))(?P<q>" + _alts(list(_QUAL_INDEX)) + r")[\s\u00a0]+"
    r"(?:(?:о|об|в|во|на|у|з|із)\s+)?$"
    r"|(?P<sym>[~≈<>≤≥])[\s\u00a0]*$",
    re.IGNORECASE,
)
# a phrase of up to three words, then "о", "в", "на"... (or one symbol)
QUALIFIER_END = TailSearch(QUALIFIER_RE, 1 + max(len(p.split()) for p in _QUAL_INDEX))


_SYMBOLS = {"~": "approx", "≈": "approx", "<": "less_than", ">": "more_than",
            "≤": "up_to", "≥": "at_least"}


_SPACE_RUN = re.compile(r"\s+")


def qualifier_of(phrase: str) -> str:
    if phrase in _SYMBOLS:
        return _SYMBOLS[phrase]
    return _QUAL_INDEX[_SPACE_RUN.sub(" ", phrase.lower())]


# Openers of a range or a from-to pair: "от 50 до 100", "between 50 and 100".
OPENER_RE = re.compile(
    r"(?:^|(?<=[^\w-]))(?P<o>от|від|between|между|між|from|с|со|з|із|зі)[\s\u00a0]+$",
    re.IGNORECASE,
)

_EN_UP = (
    "rose|rise|rises|rising|risen|up|increased|increases|grew|grows|growing|"
    "gained|gains|climbed|climbs|jumped|jumps|surged|surges|soared|soars|advanced|advancing|"
    "spiked|rallied|rallying|climbing|jumping|surging|soaring|gaining|advancing|higher|"
    "added|adding|rise|increase|gain|climb|jump|grow|surge|soar|add|upward|upwards|swelled|"
    "swell|swells|ballooned|doubled|tripled"
)
_EN_DOWN = (
    "fell|falls|falling|fallen|dropped|drops|dropping|declined|declines|declining|"
    "decreased|decreases|down|lost|loses|losing|slipped|slid|slides|sliding|plunged|plunges|"
    "plunging|plummeted|plummeting|tumbled|tumbling|sank|sinking|slumped|dipped|eased|"
    "shed|sheds|lower|retreated|skidded|slumping|sagged|fall|drop|decrease|decline|slip|"
    "slide|plunge|lose|sink|dip|downward|downwards|dwindled|shrank|halved"
)
# Verbs that only mark a change with "by": "raised prices by 5%", "cut by 10%".
_EN_UP_BY = "raise|raised|boost|boosted|expand|expanded|widened|go up|hiked"
_EN_DOWN_BY = "cut|reduce|reduced|lowered|narrowed|shrank|contracted"
CHANGE_EN = re.compile(
    r"(?<![\w])(?:(?P<up>" + _trie(_EN_UP) + r")|(?P<down>" + _trie(_EN_DOWN) + r"))"
    r"(?:\s+by|\s+(?:[\w'’-]+\s+){1,3}?by)?\s*$"
    r"|(?<![\w])(?:(?P<up2>" + _trie(_EN_UP_BY) + r")|(?P<down2>" + _trie(_EN_DOWN_BY) + r"))"
    r"(?:\s+[\w'’-]+){0,3}?\s+by\s*$",
    re.IGNORECASE,
)
NOT_CHANGE_UP = re.compile(
    r"(?<![\w])(?:gave|give|gives|giving|given|picked|pick|set|signed|sign|made|make|took|"
    r"take|taking|put|shut|came|come|coming|back|stepped|step|ended|end|sum|summed|show|"
    r"showed|turned|turn|line|lined|lead|leading|bring|brought|open|opened)\s+up\s*$",
    re.IGNORECASE,
)
# a verb (two words: "go up"), up to three words, "by"; a verb and "up"
CHANGE_EN_END = TailSearch(CHANGE_EN, max(len(w.split()) for w in (
    _EN_UP + "|" + _EN_DOWN + "|" + _EN_UP_BY + "|" + _EN_DOWN_BY).split("|")) + 3 + 1)
NOT_CHANGE_UP_END = TailSearch(NOT_CHANGE_UP, 2)
_CYR_UP = (
    r"вырос|выросл|увеличи|повыси|подорожа|прибави|возрос|возросл|зріс|зросл|збільши|"
    r"підвищи|подорожча|рост|увеличени|повышени|зростанн|збільшенн|підвищенн|прирост|"
    r"приріс|прирост|додав|добави"
)
_CYR_DOWN = (
    r"снизи|сократи|уменьши|упал|упад|подешеве|знизи|скороти|зменши|впал|впав|падіння|"
    r"падени|снижени|сокращени|уменьшени|зниженн|скороченн|зменшенн|подешевша|обвали|"
    r"опусти|упав|упала|упали|упало"
)
CHANGE_CYR = re.compile(
    r"(?:^|[^\w])(?:(?P<up>" + _trie(_CYR_UP) + r")|(?P<down>" + _trie(_CYR_DOWN) + r"))[\w]*"
    r"(?:\s+[\w'’-]+){0,3}?\s+на[\s\u00a0]+$",
    re.IGNORECASE,
)
CHANGE_CYR_END = TailSearch(CHANGE_CYR, 1 + 3 + 1)  # a verb, up to three words, "на"
# Verbs of change that make "с X до Y"/"from X to Y" two values, not a range.
CHANGE_VERB_NEAR = re.compile(
    r"(?:" + _CYR_UP + "|" + _CYR_DOWN + r"|\b(?:" + _EN_UP + "|" + _EN_DOWN +
    r"|changed|moved|went|swung|revised|raised|lowered|increase|decrease)\b)",
    re.IGNORECASE,
)

# A verb of change, then at most a few words (the amount: "by 2,000", "на 2 тысячи"),
# then "to"/"до" before the number: that number is the value reached, not "up to".
_REACHED_GAP = r"(?:[\s\u00a0]+[\w$€£%'’-]+(?:[.,]\d+)*){0,5}?[\s\u00a0]+$"
_EN_REACHED = "|".join(w for w in (_EN_UP + "|" + _EN_DOWN + "|" + _EN_UP_BY + "|" + _EN_DOWN_BY
                                   ).split("|")
                       if w not in ("up", "down", "upward", "upwards", "downward",
                                    "downwards", "higher", "lower", "go up"))
REACHED_EN = re.compile(r"(?<![\w])(?:" + _trie(_EN_REACHED) + r"|revised)"
                        + _REACHED_GAP, re.IGNORECASE)
_CYR_REACHED = (
    r"вырос|выросл|выраст|увелич|повыси|повыша|возрос|возраст|подня|поднима|нарасти|"
    r"нараст|наращ|дорос|довед|довест|довод|сократ|сокращ|снизи|снижа|уменьш|упал|упад|"
    r"опусти|опуска|зріс|зросл|зрост|збільш|підвищ|підня|нарост|нарощ|скорот|скороч|"
    r"знизи|зниж|зменш|впал|впав|упав|опуст"
)
REACHED_CYR = re.compile(r"(?:^|[^\w])(?:" + _CYR_REACHED + r")\w*" + _REACHED_GAP,
                         re.IGNORECASE)
# a verb (one word), then up to five words
assert all(" " not in w for w in _EN_REACHED.split("|"))
REACHED_EN_END = TailSearch(REACHED_EN, 1 + 5)
REACHED_CYR_END = TailSearch(REACHED_CYR, 1 + 5)

_MONTHS_CYR = (
    "январ|феврал|март|апрел|ма[йя]|июн|июл|август|сентябр|октябр|ноябр|декабр|"
    "січ|лют|берез|квіт|травн|червн|черв|лип|серп|верес|жовт|листопад|груд"
)
_MONTHS_EN = (
    "january|february|march|april|may|june|july|august|september|october|november|"
    "december|jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec"
)
# Russian and Ukrainian months decline ("августа"); English ones are whole words.
_MONTH = (r"(?:(?:ма[йя]|" + _trie(_MONTHS_CYR.replace("ма[йя]|", "")) + r")[а-яіїє]{0,3}|(?:"
          + _trie(_MONTHS_EN) + r")(?![a-z]))")
MONTH_AFTER = re.compile(r"[\s\u00a0]+" + _MONTH + r"\.?(?![\w])", re.IGNORECASE)
MONTH_BEFORE = re.compile(
    r"(?<![\w])" + _MONTH + r"\.?,?[\s\u00a0]+(?:\d{1,2}(?:st|nd|rd|th)?,?"
    r"[\s\u00a0]+)?$",
    re.IGNORECASE,
)
MONTH_BEFORE_END = TailSearch(MONTH_BEFORE, 2)  # a month, a day
YEAR_AFTER = re.compile(
    r"[\s\u00a0]*(?:-?(?:го|й|м|х))?[\s\u00a0]*(?:год|года|году|годом|годах|годов|гг?\.|"
    r"рік|року|роках|роки|роком|р\.|рр\.|year|fiscal|season)(?![\w])",
    re.IGNORECASE,
)
YEAR_BEFORE = re.compile(
    r"(?<![\w])(?:in|since|by|from|of|until|till|through|during|before|after|the|"
    r"в|во|с|со|до|к|по|от|у|з|від|між|между|на|за|року|году|годом|and|и|і|та|to|"
    r"early|late|mid|spring|summer|autumn|fall|winter|осенью|весной|летом|зимой|"
    r"восени|навесні|влітку|взимку|fy|cy|q[1-4])[\s\u00a0]+$",
    re.IGNORECASE,
)
YEAR_BEFORE_END = TailSearch(YEAR_BEFORE, 1)
TIME_AFTER = re.compile(
    r"(?::\d\d)|[\s\u00a0]*(?:a\.m\.|p\.m\.|am\b|pm\b|gmt\b|utc\b|bst\b|est\b|edt\b|cet\b|"
    r"мск\b|ч\.\s*\d)",
    re.IGNORECASE,
)
PERCENT_AFTER = re.compile(
    r"[\s\u00a0\u202f]*(?:%|‰|per[\s\u00a0]*cent(?:age points?)?\b|percent(?:age points?)?\b|"
    r"pct\b|(?<=\d)pc\b|процент\w*|проц\.|відсот\w*|п\.[\s\u00a0]?п\.|pp\b)",
    re.IGNORECASE,
)
CURRENCY_BEFORE = re.compile(
    r"(?:(?<![\w])(?:US|A|AU|C|CA|NZ|HK|S|NT)[\s\u00a0]?)?(?P<c>[$€£₽₴¥])[\s\u00a0]*"
    r"(?:US|A|AU|C|NZ|HK)?[\s\u00a0]*$"
    r"|(?<![\w])(?P<code>USD|EUR|GBP|AUD|CAD|INR|JPY|CNY|RUB|UAH|CHF|RM|Rs\.?|PS|Y=)"
    r"[\s\u00a0]*$"
)
CURRENCY_LEMMAS = frozenset(
    "доллар рубль евро гривна гривня юань иена фунт цент копейка копійка долар "
    "dollar euro pound yuan yen ruble rouble hryvnia cent pence penny грн".split()
)


# Last words that can end a qualifier, change or opener: a set lookup before any regex.
QUAL_LAST = frozenset(
    [p.split()[-1].lower() for p in _QUAL_INDEX]
    + "о об в во на у з із".split())
QUAL_SYMBOLS = frozenset(_SYMBOLS)
CHANGE_EN_LAST = frozenset(
    w.split()[-1] for w in (_EN_UP + "|" + _EN_DOWN + "|" + _EN_UP_BY + "|" + _EN_DOWN_BY
                            ).split("|")) | {"by"}
OPENERS = frozenset("от від between между між from с со з із зі".split())
