"""The quick checks that let extraction skip a regex give the regex's own answer."""

from __future__ import annotations

import dataclasses
import importlib
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from monitor.extract import base, context, digits, filters, make, parse, patterns, ranges
from monitor.models import Quantity

CASES = Path(__file__).parent / "cases"

# Windows written for this test: each ends where a number would start.
WINDOWS = [
    "the S&P ", "rose on the S & P ", "Hang Seng ", "the hang  seng\u00a0", "Model ",
    "in category ", "категории ", "снаряды калибра ", "калібру ", "в возрасте от ",
    "No. ", "статья ", "частини ", "уровень с ", "leveled ", "a model", "flight\n",
    "Model X ", "supermodel ", "x-model ", "Dow ", "shadow ", "пункт з ", "розпункт ",
]


def _texts() -> list[str]:
    out = list(WINDOWS)
    for path in sorted(CASES.rglob("*.yaml")):
        out.extend(re.findall(r"text: ?\"?(.+)", path.read_text(encoding="utf-8")))
    return out


def test_the_index_name_check_agrees_with_its_regex_on_every_window() -> None:
    checked = hits = 0
    for text in _texts():
        for end in range(len(text) + 1):
            before = text[max(0, end - 30):end]
            want = filters._INDEX_BEFORE.search(before) is not None
            assert filters._index_before(before) is want, before
            checked += 1
            hits += want
    assert checked > 10_000 and hits >= 15  # both answers were exercised


@pytest.mark.parametrize("end", ["p", "seng", "no.", "model", "от", "віці"])
def test_the_index_word_endings_come_from_the_regex(end: str) -> None:
    assert end in filters._INDEX_ENDS


# Strings written for this test: number words after spaces, punctuation, apostrophes,
# digits and letters; other scripts' digits; ё for е.
ANCHOR_TEXTS = [
    "два", " два,три(четыре)", "п'ять п’ять пʼять", "x'два", "аДВА два5 5два", "١٢ ٣",
    "12,500 and twenty-one", "Сёмь сёмь ШЕСТЬ\u00a0шесть\nсемь", "_5 é5 ²5", "(тысячи)",
    "«сто»", "one—two–three", "ONE Two tHREE", "mil'йон", "", "5", "-", "дваа два",
]


def test_the_anchor_scanners_find_what_the_anchor_regex_finds() -> None:
    pattern = base._anchor()
    for text in ANCHOR_TEXTS + _texts():
        want = [(m.start(), m.end(), m.group("d") is not None) for m in pattern.finditer(text)]
        assert base._anchors(text) == want, text


def test_a_quantity_built_slot_by_slot_equals_the_constructed_one() -> None:
    fields = dict(low=1, high=None, qualifier="more_than", change="up", unit="troop",
                  surface="more than 1 troop", start=3, end=20, kind="count", vague=False,
                  unit_start=12, unit_end=20)
    # the quick path is in use: a change to Quantity's fields must update base._FIELDS
    assert base._FAST
    made = base._quantity(*fields.values())
    assert made == Quantity(**fields)
    assert repr(made) == repr(Quantity(**fields))
    changed = base._replace(made, role="to", link=7, low=2)
    assert changed == dataclasses.replace(made, role="to", link=7, low=2)
    assert made.role is None  # the original is left as it was


def test_a_plain_character_after_a_number_rules_out_what_its_check_skips() -> None:
    rests = ["", ".m.", "m.", "m", "mt", "tc", "st", "dt", "et", "ск", ". 5", "10", "10^3",
             "10−3", "undred", ":30", " 10"]
    for c in base._PLAIN_AFTER:
        for gap in ("", " "):
            for rest in rests:
                text = "5" + gap + c + rest
                assert base._plain_after(text, 1)
                assert not patterns.TIME_AFTER.match(text, 1), text
                assert not digits._SCIENTIFIC.match(text, 1), text
                assert not parse._HUNDRED_AFTER.match(text, 1), text


# Each quick check's characters, the pattern it spares, and texts that pattern matches
# right after a number: the first character of each (after any spaces) is the one the
# check looks at.
QUICK_CHECKS = [
    ("_NO_PERCENT", lambda: (parse._NO_PERCENT, patterns.PERCENT_AFTER),
     ["%", "‰", "per cent", "percent", "percentage points", "pct", "pc", "pp", "процентов",
      "проц.", "п.п.", "п. п.", "відсотків"]),
    ("_NO_SEP", lambda: (ranges._NO_SEP, ranges._RANGE_SEP), [" - ", " – 7", " — 7"]),
    ("_NO_SEP", lambda: (ranges._NO_SEP, ranges._WORD_SEP),
     ["to ", "up to ", "до ", "по ", "and ", "и ", "і ", "та ", "й "]),
    ("_NO_POSTFIX", lambda: (context._NO_POSTFIX, context._POSTFIX),
     ["+", "-plus", "plus", "or more", "and more", "и более", "и больше", "і більше",
      "або більше", "или более", "or so"]),
    ("_NO_NAME", lambda: (base._NO_NAME, base._NAME_AFTER),
     ["Pro", "Max", "GT", "family", "series", "variant", "model", "models", "class",
      "jetliner", "Main St", "5th Avenue", "Baker Street", "A B Road", "9 Downing Street"]),
]
# Characters a quick check is asked about: ASCII, Cyrillic (both cases, ё), the
# characters IGNORECASE folds in from elsewhere, spaces and dashes.
ASKED = sorted({*map(chr, range(0x80)), *map(chr, range(0x400, 0x500)), "ſ", "K", "ı", "İ",
                "\u1c80", "\u1c81", "\u1c82", "\u1c83", "\u1c84", "\u1c85", "µ", "\u00a0",
                "\u202f", "–", "—", "‒", "…", "’", "١"})


@pytest.mark.parametrize("name, parts, words", QUICK_CHECKS)
def test_a_quick_check_rules_out_only_what_its_pattern_cannot_match(name, parts, words):
    safe, pattern = parts()
    assert safe <= set(ASKED)
    for w in words:  # the pattern's own words are found, in any case, after 0-2 spaces
        for gap in ("", " ", "  "):
            for form in {w, w.upper(), w.capitalize()}:
                text = "5" + gap + form
                if pattern.match(text, 1):
                    first = text[1:].lstrip()[:1]
                    assert first not in safe, (name, text)
                    assert base._char_after(text, 1) not in safe or gap == "  ", (name, text)
    hits = 0
    for c in ASKED:
        for w in words:
            for gap in ("", " "):
                text = "5" + gap + c + w.lstrip()[1:]
                m = pattern.match(text, 1)
                hits += m is not None
                if c in safe:
                    assert base._char_after(text, 1) == c
                    assert m is None, (name, text)
    assert hits  # the words put after other characters were matched too


def test_a_word_after_a_number_that_no_multiplier_starts_with_is_left_alone() -> None:
    words, safe = parse._mult_words()
    for c in ASKED:
        for w in sorted(words) + ["", "x", "ый"]:
            for gap in ("", " "):
                for form in (w, w.upper(), w.capitalize()):
                    text = "5" + gap + c + form[1:]
                    m = base._MULT_AFTER.match(text, 1)
                    if c in safe:
                        assert base._char_after(text, 1) == c
                        assert m is None or base._norm_word(m.group(1)) not in words, text


def test_a_run_of_digits_read_alone_is_what_the_digits_pattern_reads() -> None:
    after = ASKED + ["", "0", "5", "٣", "\u2009", ",5", ".5", " 5", " 500", "\u00a0500",
                     "’500", "'500", " 5000", " 50", " x"]
    checked = 0
    for run in ("5", "12", "123", "1234", "12345", "١٢٣"):
        for a in after:
            for b in ("", "0", "123", " ", "x"):
                text = run + a + b
                if digits._run_alone(text, 0, len(run)):
                    m = digits._DIGITS_RE.match(text)
                    assert m is not None and m.span() == (0, len(run)), text
                    assert m.group(1) is None
                    checked += 1
    assert checked > 1000


def test_a_currency_match_ends_with_one_of_the_listed_characters() -> None:
    signs = ["$", "€", "£", "₽", "₴", "¥"]
    befores = ["", "US", "A", "AU", "C", "CA", "NZ", "HK", "S", "NT", "x", "5 "]
    afters = ["", "US", "A", "AU", "C", "NZ", "HK"]
    codes = ["USD", "EUR", "GBP", "AUD", "CAD", "INR", "JPY", "CNY", "RUB", "UAH", "CHF", "RM",
             "Rs", "Rs.", "PS", "Y="]
    windows = [b + g + s + g2 + a + g3 for b in befores for s in signs for a in afters
               for g in ("", " ") for g2 in ("", " ") for g3 in ("", " ", "\u00a0 ")]
    windows += [p + c + g for p in ("", " ", "in ", "x") for c in codes
                for g in ("", " ", "\u00a0")]
    found = 0
    for w in windows:
        for cut in range(len(w)):
            window = w[cut:][-8:]
            if patterns.CURRENCY_BEFORE.search(window):
                found += 1
                assert window.rstrip()[-1:] in base._CURRENCY_LAST, window
    assert found > 500


TAILS = {
    "QUALIFIER": patterns.QUALIFIER_END, "CHANGE_EN": patterns.CHANGE_EN_END,
    "NOT_CHANGE_UP": patterns.NOT_CHANGE_UP_END, "CHANGE_CYR": patterns.CHANGE_CYR_END,
    "REACHED_EN": patterns.REACHED_EN_END, "REACHED_CYR": patterns.REACHED_CYR_END,
    "MONTH_BEFORE": patterns.MONTH_BEFORE_END, "YEAR_BEFORE": patterns.YEAR_BEFORE_END,
    "INDEX_BEFORE": filters._INDEX_BEFORE_END,
}
PLAIN = [c for c in map(chr, range(0x110000))
         if patterns._OTHER_CASE.match(c) is None]


@pytest.mark.parametrize("name", sorted(TAILS))
def test_ignorecase_compares_the_plain_characters_by_their_lower_case(name: str) -> None:
    # every character of the pattern and every class in it answers alike for a plain
    # character in any case and for its lower case without IGNORECASE
    source = TAILS[name].pattern.pattern.replace("(?P", "(?")  # group names
    atoms = set(re.findall(r"\[(?:\\.|[^\]\\])*\]", source)) | {r"\w", r"\s", r"\d"}
    atoms |= {re.escape(c) for c in source if c.isalpha()}
    for c in PLAIN:
        low = c.lower()
        assert len(low) == 1 and patterns._OTHER_CASE.match(low) is None
        for atom in atoms:
            folded = re.fullmatch(atom, c, re.IGNORECASE) is not None
            assert folded == (re.fullmatch(atom, low) is not None), (name, atom, c)


def _windows() -> list[str]:
    out = []
    for text in _texts():
        for m in re.finditer(r"(?<=\s)[\w$€£~≈<>≤≥]", text):
            for n in (12, 30, 40, 60, 80):
                out.append(text[max(0, m.start() - n):m.start()])
    phrases = [*patterns._QUAL_INDEX, "rose", "go up", "cut prices", "вырос", "зросла",
               "picked", "set", "rose from 5 and", "повышение цен", "снизилась",
               "march 5,", "august", "in", "s & p", "hang seng", "категории от"]
    for p in phrases:
        for pre in ("", "x ", "(", "a b c ", "-", "a-"):
            for post in (" ", " в ", " на ", " by ", " up ", " a b c by ", " a b c d by ",
                         " за год почти на ", " 5, ", " 1 2 3 4 5 to ", " 1 2 3 4 5 6 to "):
                out.append(pre + p + post)
    # other cases and characters IGNORECASE folds in from outside ASCII and Cyrillic
    more = []
    for k, w in enumerate(out):
        if k % 3 == 0:
            more.append(w.upper())
        if k % 7 == 0:
            more.append(w.swapcase())
        if k % 11 == 0:
            more.append(w.replace("s", "ſ").replace("k", "\u212a").replace("в", "\u1c80"))
        if k % 13 == 0:
            more.append("İ" + w.replace("i", "ı"))
    return out + more


WINDOWS_CACHE: list[str] = []


@pytest.mark.parametrize("name", sorted(TAILS))
def test_a_tail_search_finds_what_its_pattern_finds(name: str) -> None:
    if not WINDOWS_CACHE:
        WINDOWS_CACHE.extend(_windows())
    tail = TAILS[name]
    found = 0
    for w in WINDOWS_CACHE:
        want, got = tail.pattern.search(w), tail.search(w)
        assert (want is None) == (got is None), (name, w)
        if want is not None and got is not None:
            found += 1
            groups = range(tail.pattern.groups + 1)
            assert [want.span(g) for g in groups] == [got.span(g) for g in groups], (name, w)
    assert found >= 20


def test_the_gap_checks_rule_out_only_gaps_their_patterns_cannot_match() -> None:
    conj = ["и", "і", "та", "й", "and", "or", "или", "либо", "або", "чи", ","]
    gaps = [p + c + s for p in ("", " ", ", ", " ,  ") for c in conj for s in (" ", "\u00a0 ")]
    gaps += [g.upper() for g in gaps] + [g.capitalize() for g in gaps]
    for g in gaps:
        assert context._CONJ_GAP.match(g), g
        assert g.rstrip()[-1:] not in context._NO_CONJ, g
    for c in ASKED:
        for w in conj:
            g = " " + w[:-1] + c + " "
            if c in context._NO_CONJ:
                assert not context._CONJ_GAP.match(g), g
    for g in (", Burlington by ", "and Apple by\u00a0", ", X Y Z BY  ", "and a By "):
        assert context._ELIDED_BY_GAP.match(g) and g.rstrip()[-2:].lower() == "by", g
    for g in ("Jamie Armstrong, ", "aged ", "ages\u00a0", "age "):
        assert filters._AGE_BEFORE.search(g) and g.rstrip().endswith(filters._AGE_ENDS), g
    assert all(stem.startswith("ка") for stem in filters._INDEX_STEMS.pattern.split("|"))


# (the package's "sentences" is the function)
sentences = importlib.import_module("monitor.extract.sentences")


def _sentences_as_before(text: str) -> list[tuple[int, int]]:
    """sentences() as first written: every terminator through _END, trimmed by strip()."""
    out = []
    start = 0
    for m in sentences._END.finditer(text):
        s, e = m.span()
        if text[s] == "." and e - s == 1 and not sentences._dot_ends(text, s):
            continue
        seg = text[start:s if text[s] == "\n" else e]
        a = start + len(seg) - len(seg.lstrip())
        b = a + len(seg.strip())
        if b > a:
            out.append((a, b))
        start = e
    seg = text[start:]
    a = start + len(seg) - len(seg.lstrip())
    b = a + len(seg.strip())
    if b > a:
        out.append((a, b))
    return out


def test_sentences_split_as_before_with_and_without_other_terminators() -> None:
    texts = _texts()
    texts += [t.replace(". ", "! ") for t in texts[::5]] + [t.replace(". ", "…\n ") for t in
                                                            texts[::7]]
    texts += ["", " ", "\n", "A. B", "  Hi.  There  ", "x.\u2003Y", "1. 2. 3.", "Mr. Smith. Ok.",
              "a\u00a0. B.\u3000", "Why? Yes! No… Ok.\n\nNext", "end.\t", " . . ."]
    for text in texts:
        assert sentences.sentences(text) == _sentences_as_before(text), text


def _digits_outcome(text: str, run_end: int) -> object:
    try:
        return dataclasses.astuple(digits._parse_digits_at(text, 0, "en", run_end))
    except base._Skip as skip:
        return ("skip", skip.end)


def test_a_number_read_from_its_known_run_is_the_number_read_by_the_pattern() -> None:
    # _parse_digits_at has _run_alone inlined: with the run's end it reads what it reads
    # without it (through _DIGITS_RE)
    after = ASKED + ["", "0", "\u2009", ",5", ".5", " 5", " 500", "\u00a0500", "’500",
                     " 5000", " 50", " x", " million", "% ", "m people"]
    checked = 0
    for run in ("5", "12", "123", "1234", "12345"):
        for a in after:
            for b in ("", "0", "123", " ", "x"):
                text = run + a + b
                assert _digits_outcome(text, len(run)) == _digits_outcome(text, -1), text
                checked += 1
    assert checked > 1000


def _skip_capitalised_as_before(text: str, num: base.Num, lang: str) -> bool:
    """filters._skip_capitalised as it was, with _skip_name_number a call of its own."""
    def name_number() -> bool:
        if not num.digits or num.percent or num.currency or num.mult != 1:
            return False
        before = base._before(text, num.start, 30)
        if filters._index_before(before):
            return True
        if lang != "en":
            return False
        if base._name_after(text, num.end):
            return True
        if not (num.value == int(num.value) and 12 <= num.value <= 110):
            return False
        a = (filters._AGE_BEFORE.search(before)
             if before.rstrip().endswith(filters._AGE_ENDS) else None)
        if a:
            return a.group(0)[:1].islower() or text[num.end:num.end + 1] == ","
        return False

    if name_number():
        return True
    if lang != "en" or not num.digits or num.percent or num.currency or num.mult != 1:
        return False
    nx = text[num.end:num.end + 1]
    if nx.isascii() and nx.isalpha():
        return False
    before = base._before(text, num.start, 40)
    tail = before.rstrip()
    if not tail or len(tail) == len(before):
        return False
    last = tail.rsplit(None, 1)[-1]
    if not filters._HAS_CAPITAL.search(last):
        return False
    m = filters._CAP_WORD_BEFORE.search(before, len(tail) - len(last))
    if not m:
        return False
    word = m.group(1)
    if word in filters._CAP_EXEMPT:
        return False
    if len(word) == 1 or any(c.isupper() for c in word[1:]):
        return True
    if base._PREV_CHAR_SENT.search(base._before(text, m.start(1), 3)):
        return word in ("Game", "Section", "Part", "Article", "Chapter", "Model",
                        "Round", "Stage", "Level", "Season", "Episode", "Page", "Week")
    nm = base._NEXT_WORD.match(text, num.end)
    if nm:
        w = nm.group(1)
        if w.islower() and w not in base._FUNCTION_WORDS:
            return False
    return True


def _numbers(text: str, langs: tuple[str, ...]) -> Iterator[tuple[str, base.Num]]:
    """(lang, Num) for every digit run of ``text`` that reads as a number, in each of
    ``langs`` (what the engine's anchor scan hands to _parse_at)."""
    for m in re.finditer(r"\d+", text):
        for lang in langs:
            try:
                yield lang, parse._parse_at(text, m.start(), True, lang, m.end())
            except base._Skip:
                continue


def test_the_name_checks_in_one_function_skip_what_the_two_skipped() -> None:
    texts = _texts()
    texts += [w + n + t for w in WINDOWS + ["aged ", "Jamie Armstrong, ", "Section ",
                                             "iPhone ", "Big ", "the Boeing ", ". Game "]
              for n in ("5", "25", "427", "2024") for t in ("", ",", " said", " troops",
                                                           " Pro", " Street", " was")]
    checked = 0
    for text in texts:
        for lang, num in _numbers(text, ("en", "ru")):
            got = filters._skip_capitalised(text, dataclasses.replace(num), lang)
            want = _skip_capitalised_as_before(text, dataclasses.replace(num), lang)
            assert got == want, (text, num.start, lang)
            checked += 1
    assert checked > 1000


def test_the_currency_and_postfix_checks_made_by_their_callers_change_nothing() -> None:
    # parse._parse_at looks at _currency_before's first condition itself, and make._make
    # has _postfix_qualifier inlined: both give what the functions give
    signs = ["$", "€", "£", "₽", "₴", "¥", "US$", "USD ", "Rs. ", "EUR", "x", "", "in "]
    posts = ["", "+", "-plus", " plus", " or more", " and more", " и более", " або більше",
             " or so", " people", "-fold", " Plus"]
    checked = 0
    for text in _texts()[:400] + [g + s + "5" + p for g in ("", "a ", "the ")
                                   for s in signs for p in posts]:
        for lang, num in _numbers(text, ("en", "uk")):
            if not num.currency:
                assert base._currency_before(text, num.start) is None, text
            post, end = context._postfix_qualifier(text, num)
            q = make._make(text, dataclasses.replace(num), None, None, num.start, lang)
            assert q.end == end, text
            if post and num.low is None:
                assert q.qualifier == post, text
            checked += 1
    assert checked > 500


def test_the_context_checks_made_by_the_engine_rule_out_only_what_they_skip() -> None:
    # engine._quantities_at calls _qualifier and _reached, and make._make calls _change,
    # only when the word before the number could start them: otherwise they say nothing
    from monitor.extract import units
    texts = _texts() + [p + "5 troops" for p in (
        "rose to ", "up to ", "more than ", "rose by ", "fell to more than ", "до ",
        "увеличилась до ", "выросла на ", "около ", "~", ">", "≈", "зросла на ", "to")]
    checked = 0
    for text in texts:
        for m in re.finditer(r"\d+", text):
            s = m.start()
            pw = context._prev_word(text, s)
            for lang in ("en", "ru", "uk"):
                if not (pw[0] in patterns.QUAL_LAST or pw[1] in patterns.QUAL_SYMBOLS):
                    assert context._qualifier(text, s, pw) == (None, s), text
                    if not (lang == "en" and text[max(0, s - 4):s].rstrip()[-2:].lower()
                            == "to"):
                        assert not context._reached(text, s, lang, None, s), text
                if not ((pw[0] in patterns.CHANGE_EN_LAST) if lang == "en"
                        else (pw[0] == "на")):
                    assert context._change(text, s, lang, pw) is None, text
                checked += 1
    assert checked > 1000
    for w in ("Troops", "troops", "bus", "men", "additional", "years", "quickly", "ly"):
        assert units._plural(w) == units._plural.__wrapped__(w)
        assert units._not_head(w) == units._not_head.__wrapped__(w)


def test_a_plain_number_s_unit_is_what_find_unit_finds() -> None:
    # make._make calls find_unit itself for a number with no percent sign or currency
    from monitor.extract import units
    checked = 0
    for text in _texts()[:600]:
        for lang, num in _numbers(text, ("en", "ru")):
            if not num.percent and not num.currency:
                assert make._unit(text, num, num.end, lang) == units.find_unit(
                    text, num.end, lang), text
                checked += 1
    assert checked > 300
