"""Numbers that are not figures: years and days, index and product names, ages,
capitalised names."""

from __future__ import annotations

import re

from . import patterns as P
from .base import _FUNCTION_WORDS, _NEXT_WORD, _PREV_CHAR_SENT, Num, _before, _name_after
from .units import parse_word

_HAS_CAPITAL = re.compile(r"[A-Z]")
_CAP_WORD_BEFORE = re.compile(r"(?<![\w.])([A-Za-z]*[A-Z][\w'’.&-]*)[\s\u00a0]+$")
_CAP_EXEMPT = frozenset(
    "About Around Some Over Under Nearly Almost Roughly Approximately More Less Fewer Up "
    "At Just Only By From To Between And Or The A An In On Of For With Since Another "
    "Total Totally Estimated Than Least Most Nearly Exactly Precisely".split()
)


_LEVEL_AFTER = re.compile(
    r"[\s\u00a0]*(?:-?(?:го|х))?[\s\u00a0]+(?:levels?|highs?|lows?|totals?|figures?|peaks?|"
    r"уровн\w*|рівн\w*|рівень|показател\w*|показник\w*)(?![\w])", re.IGNORECASE)


def _is_year(text: str, num: Num, lang: str) -> bool:
    """A bare four-digit year or a day of a month."""
    if num.mult != 1 or num.percent or num.currency or not num.digits:
        return False
    raw = text[num.start:num.end]
    v = num.value
    if v > 31 and not (1000 <= v <= 2199 and raw.isdigit()):
        return False  # neither a day nor a year, whatever month stands before it
    day = v <= 31 and raw.isdigit()
    if day and P.MONTH_AFTER.match(text, num.end):
        return True  # a day: a month before it would say the same (matched first: cheaper)
    # (the pattern ends in spaces: without one right before the number, no search)
    if text[num.start - 1:num.start].isspace() and P.MONTH_BEFORE_END.search(
            _before(text, num.start, 30)):
        return v <= 31 or (1000 <= v <= 2100 and raw.isdigit())
    if not (raw.isdigit() and len(raw) == 4 and 1800 <= v <= 2199):
        return False
    if P.YEAR_AFTER.match(text, num.end) or _LEVEL_AFTER.match(text, num.end):
        return True  # "в 2024 году", "topped 2023 levels", "превысил уровень"
    before = _before(text, num.start, 40)
    qm = P.QUALIFIER_END.search(before)
    if qm and (qm.group("sym") or qm.group("q").lower() not in ("до", "по")):
        return False  # "more than 2000 shells", "up to 1805 shells"
    if lang == "en":  # English writes counts this large with a comma: "2,000 troops"
        return 1900 <= v <= 2100 or bool(P.YEAR_BEFORE_END.search(before))
    # A four-digit number followed by a counted noun is a count: "2000 солдат".
    nm = _NEXT_WORD.match(text, num.end)
    if nm and nm.group(1).islower():
        tag, lem, _case = parse_word(nm.group(1).lower(), lang)
        if tag == "NOUN" and lem not in ("год", "рік"):
            return False
    return True


_INDEX_BEFORE = re.compile(
    r"(?<![\w&])(?:s\s?&?\s?p|nasdaq|ftse|stoxx|russell|fortune|dow|nikkei|cac|dax|asx|"
    r"kospi|hang\s+seng|sensex|nifty|ibex|aex|smi|mib|model|category|level|grade|stage|"
    r"phase|tier|type|class|version|route|highway|channel|no\.|unit|suite|room|"
    r"flight|gate|platform|article|section|clause|paragraph|chapter|page|пункт|статья|"
    r"статті|статьи|стаття|частина|часть|части|рівень|уровень|категор\w+|номер|"
    r"калибр\w*|калібр\w*|calibre|caliber|"
    r"возрасте|віці)(?:[\s\u00a0]+(?:от|від|с|з))?[\s\u00a0]+$", re.IGNORECASE)
# a word (three for "s & p"), then "от", "від", "с" or "з"
_INDEX_BEFORE_END = P.TailSearch(_INDEX_BEFORE, 3 + 1)
_AGE_BEFORE = re.compile(r"(?:\baged|\bages|\bage|[A-Z][a-z]+,)[\s\u00a0]+$")
_AGE_ENDS = ("age", "aged", "ages", ",")

# _INDEX_BEFORE ends in spaces right after one of its words (or after от/від/с/з):
# a window whose last word ends in none of these cannot match, and the regex,
# which tries every position of the window, is skipped.  Words matched with \w*
# ("калибр\w*", "категор\w+") can end in anything: their stems are looked for.
_INDEX_ALTS = _INDEX_BEFORE.pattern.split("(?:", 1)[1].split(")(?:", 1)[0].split("|")
_INDEX_STEMS = re.compile("|".join(a[:-3] for a in _INDEX_ALTS if a.endswith(("\\w*", "\\w+"))))
_INDEX_ENDS = tuple({re.split(r"\\s[+?]?&?\??", a)[-1].replace("\\.", ".")
                     for a in _INDEX_ALTS if not a.endswith(("\\w*", "\\w+"))}
                    | {"от", "від", "с", "з"})


# The same endings by their last character: one short endswith() instead of 64.
_INDEX_ENDS_BY_LAST: dict[str, tuple[str, ...]] = {}
for _end in sorted(_INDEX_ENDS):
    _INDEX_ENDS_BY_LAST[_end[-1]] = (*_INDEX_ENDS_BY_LAST.get(_end[-1], ()), _end)


def _index_before(before: str) -> bool:
    tail = before.rstrip()
    if len(tail) == len(before):
        return False  # no space before the number
    low = tail.lower()
    if (not low.endswith(_INDEX_ENDS_BY_LAST.get(low[-1:], ()))
            and not ("ка" in low and _INDEX_STEMS.search(low))):  # every stem starts "ка"
        return False
    return _INDEX_BEFORE_END.search(before) is not None


def _year_like(text: str, num: Num) -> bool:
    raw = text[num.start:num.end]
    return raw.isdigit() and len(raw) == 4 and 1000 <= num.value <= 2199 and num.mult == 1


def _skip_capitalised(text: str, num: Num, lang: str) -> bool:
    """"Section 427", "iPhone 11", "Big 12": a name with a number, not a figure."""
    if not num.digits or num.percent or num.currency or num.mult != 1:
        return False
    # Index names, categories, addresses, products and ages are not figures.
    # (one function with the capitalised-name check below: it runs for every number)
    s = num.start
    before = text[s - 30 if s > 30 else 0:s]  # (_before and _index_before, inlined)
    tail = before.rstrip()
    if len(tail) != len(before):  # a space before the number
        low = tail.lower()
        if ((low.endswith(_INDEX_ENDS_BY_LAST.get(low[-1:], ()))
             or ("ка" in low and _INDEX_STEMS.search(low)))
                and _INDEX_BEFORE_END.search(before) is not None):
            return True
    if lang != "en":
        return False
    if _name_after(text, num.end):
        return True
    # (the pattern's words end in "age", "aged", "ages" or ",": looked for first)
    if (num.value == int(num.value) and 12 <= num.value <= 110
            and before.rstrip().endswith(_AGE_ENDS)
            and (a := _AGE_BEFORE.search(before))):
        # "aged 18 to 34", "Jamie Armstrong, 25, said": ages
        return a.group(0)[:1].islower() or text[num.end:num.end + 1] == ","
    nx = text[num.end:num.end + 1]
    if nx.isascii() and nx.isalpha():  # "640bhp": a unit, not a name
        return False
    before = text[s - 40 if s > 40 else 0:s]
    tail = before.rstrip()  # the capitalised word is the last one, right before spaces
    if not tail or len(tail) == len(before):
        return False
    last = tail.rsplit(None, 1)[-1]
    if not _HAS_CAPITAL.search(last):
        return False
    # the word matched is the last one: the search starts there
    m = _CAP_WORD_BEFORE.search(before, len(tail) - len(last))
    if not m:
        return False
    word = m.group(1)
    if word in _CAP_EXEMPT:
        return False
    if len(word) == 1 or any(c.isupper() for c in word[1:]):  # "S&P 500", "iPhone 11"
        return True
    # Sentence-initial capitals are ordinary words.
    if _PREV_CHAR_SENT.search(_before(text, m.start(1), 3)):
        return word in ("Game", "Section", "Part", "Article", "Chapter", "Model",
                            "Round", "Stage", "Level", "Season", "Episode", "Page", "Week")
    nm = _NEXT_WORD.match(text, num.end)
    if nm:  # "Energy's 550 megawatt": a count; "Game 2 was", "Watch 5 to": a name
        w = nm.group(1)
        if w.islower() and w not in _FUNCTION_WORDS:
            return False
    return True
