"""Match quantities to figures through one term index.

Every rule term is expanded to its inflected forms at load time and put in a
single dict (surface form → entries), plus a dict of glob stems.  The words
that may start a term are found by one regex scan (a trie of those forms), and
only they are looked up, so the work per article grows with the number of
*hits*, not with the number of rules or words.

Only the text where a term can count is read: the sentences that hold a number,
and the sentences they may borrow a subject from when those name one.  Unless
every verdict is wanted (``scan --explain``), numbers themselves are read only
in the sentences a named subject can reach, and not at all in an article that
names none.  ``tests/test_match_reach.py`` checks that this gives what reading
everything gives.

Where a term counts for a number:
- measure: attached to the number — the counted noun's span, the few words
  right after the number (up to punctuation or the next number), the unit
  lemma, and — when the number has no noun of its own (a share, or an elided
  "about 6,000 more") — the words before it in its clause.  A number with no
  noun and no measure word inherits the measure of the previous number in
  its sentence ("10,000 soldiers ... and 6,000 more").
- exclude / require: the number's own clause — the stretch of its sentence
  between the clause breaks that separate it from its neighbouring numbers —
  plus the sentence's head before its first number, which speaks for all of
  them.  So "Pyongyang sent 10,000, and 6,000 more" gives "more" to 6,000 only.
  Words inside a number's own qualifier ("more than 10,000") never count.
- subject: anywhere in the rule's scope (sentence, paragraph, article).  With
  scope sentence and ``lookback`` N, a sentence that does not name the subject
  borrows it from the N sentences before it ("Pyongyang plans to send
  additional troops. According to him, about 6,000 ..."); those sentences then
  also count for exclude/require.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from .claimants import SOURCE_PHRASES, find_claimant, speech_word
from .extract import extract
from .extract.lang import detect_lang
from .extract.lemmas import analyzer, forms
from .extract.patterns import trie_regex
from .extract.sentences import sentences
from .models import (
    SHARE_TRACK,
    Article,
    NearMissSink,
    Observation,
    Quantity,
    Value,
    Verdict,
    clean_number,
)

if TYPE_CHECKING:
    from .rules import Figure

ROLES = ("subject", "measure", "exclude", "require", "rivals", "recipients")
MEASURE_AFTER = 6  # words after the number that may name what is counted
MIN_STEM = 3  # shortest glob stem accepted ("кнд*" is the limit)

_WORD = re.compile(r"\w+(?:['’-]\w+)*")
# where _WORD's left-to-right scan starts a word: not inside one, nor after "x-" / "x'"
_TOKEN_START = r"(?<!\w)(?<!\w['’-])"
_TOKEN = re.compile(_TOKEN_START + _WORD.pattern)  # the words at or after any offset
_HARD_BREAK = re.compile(r"[,;:()\[\]«»\"“”—–]|\s-\s")
_CLAUSE_WORDS = frozenset({
    "and", "while", "but", "whereas", "plus",
    "и", "а", "но", "также", "плюс",
    "і", "й", "та", "але", "також",
})


def _fold(text: str) -> str:
    return text.lower().replace("ё", "е").replace("’", "'")


def _drop_s(w: str) -> str:
    return w[:-2] if w.endswith("'s") else w


def norm(word: str) -> str:
    """The form words and terms are compared in ("Korea's" → "korea")."""
    return _drop_s(_fold(word))


def _langs_for(word: str) -> tuple[str, ...]:
    if not re.search(r"[а-яёіїєґ]", word):
        return ("en",)
    if re.search(r"[іїєґ]", word):
        return ("uk",)
    if re.search(r"[ыэъё]", word):
        return ("ru",)
    return ("ru", "uk")


@dataclass(frozen=True, slots=True)
class WordPattern:
    """One word of a term: a set of inflected forms, or a glob stem."""

    forms: frozenset[str] = frozenset()
    stem: str = ""

    def matches(self, token: str) -> bool:
        return token.startswith(self.stem) if self.stem else token in self.forms


def compile_word(word: str) -> WordPattern:
    """'солдат' → every case form; 'дополнительн*' → stem; '=ещё' → that form only."""
    if word.endswith("*"):
        return WordPattern(stem=norm(word[:-1]))
    if word.startswith("="):
        return WordPattern(forms=frozenset({norm(word[1:])}))
    out: set[str] = {norm(word)}
    for lang in _langs_for(norm(word)):
        out.update(norm(f) for f in forms(word, lang))
    return WordPattern(forms=frozenset(out))


def term_problem(term: str) -> str | None:
    """Why a term string cannot be used, or None."""
    words = term.split()
    if not words:
        return "empty term"
    for w in words:
        body = w[1:] if w.startswith("=") else w
        if "*" in body[:-1]:
            return f"'{w}': '*' may only end a word, as in дополнительн*"
        if w.startswith("=") and w.endswith("*"):
            return f"'{w}': a word is either exact (=word) or a stem (word*), not both"
        core = body.rstrip("*")
        if not _WORD.fullmatch(core):
            return f"'{w}' is not a word (letters, digits, - and ' only)"
        if body.endswith("*") and len(core) < MIN_STEM:
            return f"stem '{w}' is too short (at least {MIN_STEM} letters before '*')"
    return None


@dataclass(frozen=True, slots=True)
class Term:
    """One term shape in one role, shared by every rule that lists it."""

    role: str
    words: tuple[WordPattern, ...]
    rules: frozenset[int]


@dataclass
class _Bucket:
    """The terms sharing a first word, with longer terms keyed by their second word."""

    single: list[Term] = field(default_factory=list)
    by_second: dict[str, list[Term]] = field(default_factory=lambda: defaultdict(list))
    second_stem: list[Term] = field(default_factory=list)

    def terms(self) -> Iterator[Term]:
        yield from self.single
        for ts in self.by_second.values():
            yield from ts
        yield from self.second_stem

    def add(self, term: Term) -> None:
        if len(term.words) == 1:
            self.single.append(term)
        elif term.words[1].stem:
            self.second_stem.append(term)
        else:
            for f in term.words[1].forms:
                self.by_second[f].append(term)


@dataclass
class TermIndex:
    """surface form / stem of a term's first word → the terms that start with it."""

    by_form: dict[str, _Bucket] = field(default_factory=lambda: defaultdict(_Bucket))
    by_stem: dict[str, _Bucket] = field(default_factory=lambda: defaultdict(_Bucket))
    stem_lengths: list[int] = field(default_factory=list)
    longest: int = 1  # words in the longest term
    has_rivals: bool = False
    _memo: dict[str, tuple[_Bucket, ...]] = field(default_factory=dict, repr=False)
    _scanners: tuple[re.Pattern[str], re.Pattern[str]] | None = field(default=None,
                                                                       repr=False)
    _singles: dict[str, tuple[Term, ...] | None] = field(default_factory=dict, repr=False)

    def scan(self, low: str, lo: int, hi: int) -> Iterator[re.Match[str]]:
        """The words of folded ``low[lo:hi]`` that may start a term, whole: one C-level
        scan instead of a Python step per word (most words start none).  A superset:
        every form and stem is a prefix of the words it stands for; ``singles`` and
        ``lookup`` decide."""
        return self._compiled()[0].finditer(low, lo, hi)

    def scan_subjects(self, low: str, lo: int, hi: int) -> Iterator[re.Match[str]]:
        """As ``scan``, for the words that may start a subject term only.  Their forms
        are few and rare, so a bare search for them (also inside words) is quicker
        than checking for a word's start at every position; the few found are
        checked after."""
        for m in self._compiled()[1].finditer(low, lo, hi):
            word = _TOKEN.match(low, m.start(), hi)
            if word is not None:
                yield word

    def _compiled(self) -> tuple[re.Pattern[str], re.Pattern[str]]:
        """(every term's first words, at a word's start and read whole; subject terms'
        first words, bare), compiled on first use."""
        if self._scanners is None:
            every = self._trie(lambda b: True)
            subject = self._trie(lambda b: any(t.role == "subject" for t in b.terms()))
            self._scanners = (re.compile(f"{_TOKEN_START}(?={every}){_WORD.pattern}"),
                              re.compile(subject))
        return self._scanners

    def _trie(self, wanted: Callable[[_Bucket], bool]) -> str:
        keys = sorted({k for d in (self.by_form, self.by_stem) for k, b in d.items()
                       if k and wanted(b)})
        return f"(?:{trie_regex(keys)})" if keys else "(?!)"

    def singles(self, tok: str) -> tuple[Term, ...] | None:
        """The one-word terms ``tok`` is, or None when a longer term may start with it
        (then ``lookup`` reads the words after it)."""
        try:
            return self._singles[tok]
        except KeyError:
            pass
        buckets = self.starting(tok)
        got = (None if any(b.by_second or b.second_stem for b in buckets)
               else tuple(t for b in buckets for t in b.single))
        if len(self._singles) > 500_000:
            self._singles.clear()
        self._singles[tok] = got
        return got

    def add(self, term: Term) -> None:
        first = term.words[0]
        self.longest = max(self.longest, len(term.words))
        self.has_rivals |= term.role == "rivals"
        if first.stem:
            self.by_stem[first.stem].add(term)
            if len(first.stem) not in self.stem_lengths:
                self.stem_lengths.append(len(first.stem))
                self.stem_lengths.sort()
        else:
            for f in first.forms:
                self.by_form[f].add(term)

    def starting(self, tok: str) -> tuple[_Bucket, ...]:
        """Buckets whose first word matches ``tok`` (memoised: words repeat a lot)."""
        got = self._memo.get(tok)
        if got is None:
            found = [self.by_form[tok]] if tok in self.by_form else []
            for n in self.stem_lengths:
                if n > len(tok):
                    break
                if tok[:n] in self.by_stem:
                    found.append(self.by_stem[tok[:n]])
            got = tuple(found)
            if len(self._memo) > 500_000:
                self._memo.clear()
            self._memo[tok] = got
        return got

    def lookup(self, tokens: Sequence[str], i: int) -> list[tuple[Term, int]]:
        """Terms matching at token i, each with the index of its last token."""
        buckets = self.starting(tokens[i])
        if not buckets:
            return []
        out: list[tuple[Term, int]] = []
        nxt = tokens[i + 1] if i + 1 < len(tokens) else None
        for b in buckets:
            out.extend((t, i) for t in b.single)
            if nxt is None:
                continue
            for term in (*b.by_second.get(nxt, ()), *b.second_stem):
                last = i + len(term.words) - 1
                if last < len(tokens) and all(term.words[k].matches(tokens[i + k])
                                              for k in range(1, len(term.words))):
                    out.append((term, last))
        return out


def build_index(figures: Sequence[Figure]) -> TermIndex:
    """One entry per (role, term) however many rules share it."""
    compiled: dict[str, WordPattern] = {}
    shared: dict[tuple[str, tuple[WordPattern, ...]], set[int]] = defaultdict(set)
    for r, fig in enumerate(figures):
        for role in ROLES:
            for raw in getattr(fig, role):
                for w in raw.split():
                    if w not in compiled:
                        compiled[w] = compile_word(w)
                shared[(role, tuple(compiled[w] for w in raw.split()))].add(r)
    index = TermIndex()
    for (role, shape), rules in shared.items():
        index.add(Term(role, shape, frozenset(rules)))
    return index


@dataclass(slots=True)
class _Hit:
    rules: frozenset[int]
    role: str
    start: int  # char span of the matched words
    end: int
    source: str | None = None  # the headline, for a hit found there

    def words(self, text: str) -> str:
        return (text if self.source is None else self.source)[self.start:self.end]


def _category(q: Quantity) -> str:
    """Which kind of rule may take this quantity."""
    if q.kind == "percent" or q.unit == "%":
        return "percent"
    return "amount" if q.kind == "amount" else "count"


@lru_cache(maxsize=20_000)
def _is_noun(unit: str, lang: str) -> bool:
    """False for a "unit" that cannot be a counted noun ("6 тысяч дополнительно")."""
    if not re.search(r"[а-яёіїєґ]", unit) or " " in unit:
        return True

    parses = analyzer("uk" if lang == "uk" else "ru").parse(unit)
    return any(p.tag.POS in ("NOUN", None) for p in parses)


def _paragraphs(text: str) -> list[int]:
    """Start offsets of paragraphs (one per line)."""
    return [0] + [m.end() for m in re.finditer(r"\n", text)]


def _union(hits: Sequence[_Hit], role: str) -> set[int]:
    out: set[int] = set()
    for h in hits:
        if h.role == role:
            out |= h.rules
    return out


REASONS = {
    "change_from": "the value a change started from; kept as the new value's previous",
    "no_measure": "no measure term is attached to the number",
    "wrong_kind": "the figures that count this noun take another kind of number",
    "out_of_bounds": "outside the figure's bounds",
    "no_subject": "no subject within reach",
    "rival": "it counts another side's forces",
    "excluded": "excluded by a term",
    "not_required": "no required term",
}

def near_miss_groups(rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Stored near misses grouped by the noun they count (its lemma), shown as it is
    most often written, largest group first:
    {"noun", "lemma", "count", "reasons": {code: n}, "items": [...]}."""
    groups: dict[str, dict[str, Any]] = {}
    spelt: dict[str, Counter[str]] = defaultdict(Counter)
    for r in rows:
        noun = r.get("noun") or r.get("unit") or "(no noun)"
        key = _fold(r.get("unit") or noun)
        spelt[key][noun] += 1
        g = groups.setdefault(key, {"noun": noun, "lemma": r.get("unit"), "count": 0,
                                    "reasons": {}, "items": []})
        g["noun"] = spelt[key].most_common(1)[0][0]
        g["count"] += 1
        g["reasons"][r["reason"]] = g["reasons"].get(r["reason"], 0) + 1
        g["items"].append({k: r.get(k) for k in ("article", "title", "published", "surface",
                                                 "low", "high", "qualifier", "reason",
                                                 "detail", "quote")})
    return sorted(groups.values(), key=lambda g: (-g["count"], _fold(g["noun"])))


_FROM = re.compile(r"(?:from|с|со|з|із|зі|від|от)\s", re.IGNORECASE)
_TO = re.compile(r"(?:to|до)\s", re.IGNORECASE)
_FROM_BEFORE = re.compile(r"(?:^|\s)(?:from|с|со|з|із|від)\s+$", re.IGNORECASE)
_TO_BEFORE = re.compile(r"(?:^|\s)(?:to|до)\s+$", re.IGNORECASE)
_UP_FROM = re.compile(r"[,;(]?\s*(?:up|down|rising|falling|growing|compared)\s+(?:from|with)\s*$"
                      r"|[,;(]?\s*(?:против|проти|по сравнению с|порівняно з)\s*$",
                      re.IGNORECASE)
_JOINT = re.compile(
    r";|,\s*(?:while|whereas|but|and|yet|а|но|и|тогда как|в то время как|однако|"
    r"але|і|та|тоді як|проте|однак)\b|\s(?:while|whereas)\b", re.IGNORECASE)
# nouns that count pieces of something: when nothing after them says what, the clause
# before does ("поставки ракет выросли с 20 до 60 единиц")
_GENERIC_UNITS = frozenset({"единица", "одиниця", "штука", "unit", "piece", "item"})
_NOT_NOUNS = frozenset({"strong"})  # "a 12,000-strong contingent"
OF_THEM_REACH = 2  # sentences back that "half of them" may point to
_OF_THEM = re.compile(r"\s*(?:of\s+(?:them|those|these)|(?:из|от|з|із|від)\s+них)\b",
                      re.IGNORECASE)
_ARTICLES = frozenset({"the", "a", "an"})
# "Moscow has received …": a recipient taking delivery is not the side that counts
_RECEIVE_AFTER = re.compile(
    r"\s+(?:(?:has|had|have|already|уже|вже|также|також)\s+)*(?:receiv|got\b|obtain|"
    r"получ|отрима|одержа)", re.IGNORECASE)
# a country after these is a place or a partner, not the side doing the counting
_DEST = frozenset({"в", "во", "на", "до", "у", "по", "за", "с", "со", "з", "із", "для", "to",
                   "in", "into", "inside", "across", "at", "on", "for", "with", "alongside",
                   "toward", "towards"})


def change_pairs(text: str, qs: list[Quantity]) -> dict[int, tuple[int, Value]]:
    """A change written in one sentence: index of the new value → (index of the
    number it came from, the value before).  A new value read as "up to" ("выросло
    с 8 до 11 тысяч" where the extractor did not pair them) is made exact in ``qs``.

    "rose from 10,000 to 12,000", "зросла з 10 до 12 тисяч": the extractor gives the
    pair as two numbers.  "grew by 2,000 to 12,000": the step and the new value, so
    the value before is their difference.  "12,000, up from 10,000": the value before
    follows the new one.
    """
    out: dict[int, tuple[int, Value]] = {}
    at = {q.start: i for i, q in enumerate(qs)}
    for i, q in enumerate(qs):  # the extractor's own marks: role "to", linked to its start
        j = at.get(q.link) if q.role == "to" and q.link is not None else None
        if j is None:
            continue
        p = qs[j]
        if p.role == "from":
            out[i] = (j, p.value)
        elif p.role == "delta" and p.low is not None and q.low is not None \
                and q.low == q.high:
            before = clean_number(q.low - (p.low if p.change != "down" else -p.low))
            if before is not None and before >= 0:
                out[i] = (j, Value(before, before, "exact"))
    for i in range(len(qs) - 1):
        if i + 1 in out or i in out:
            continue
        a, b = qs[i], qs[i + 1]
        if a.sentence_end and (a.sentence_start, a.sentence_end) != (
                b.sentence_start, b.sentence_end):
            continue
        gap = text[a.end:b.start]
        # "з 8 тис. у листопаді до 11 тис. у грудні", "на 1200 — до 4700", "from about
        # 3,000 to roughly 4,700": a few words of time or a dash may stand between;
        # "до" there is the value reached
        short = len(gap) <= 25 and not any(c.isdigit() for c in gap)
        came = bool(_FROM.match(a.surface) or _FROM_BEFORE.search(text, max(0, a.start - 6),
                                                                   a.start))
        to = bool(_TO.match(b.surface) or _TO_BEFORE.search(gap))
        if short and to and b.qualifier in ("exact", "approx", "up_to") and (
                came or a.change in ("up", "down")) \
                and a.qualifier in ("exact", "approx") and (
                _TO_BEFORE.sub("", gap).strip() in ("", ",", "—", "–", "-") or came):
            if b.qualifier == "up_to":
                qs[i + 1] = b = replace(b, low=b.high, qualifier="exact")
            if came:
                out[i + 1] = (i, a.value)
            elif (a.change in ("up", "down") and a.kind == b.kind and b.low is not None
                  and a.low is not None):
                step = a.low if a.change == "up" else -a.low
                before = clean_number(b.low - step)
                if before is not None and before >= 0:
                    out[i + 1] = (i, Value(before, before, "exact"))
        elif (_UP_FROM.search(gap) and len(gap) < 40 and a.kind == b.kind
              and b.qualifier in ("exact", "approx") and i not in out):
            out[i] = (i + 1, b.value)
    return out


class Matcher:
    """Matches an article's quantities against the indexed figures.

    Rules are handled as sets of rule numbers throughout, so a number that
    1,000 rules could claim costs a few set operations, not 1,000 checks.
    """

    def __init__(self, figures: Sequence[Figure]) -> None:
        self.figures = list(figures)
        self.index = build_index(self.figures)
        self._unit_measures: dict[str, frozenset[int]] = {}
        by = self._rules_where
        self.kind_rules = {k: by("kind", k) for k in ("count", "percent", "amount")}
        self.kind_rules["percent"] |= frozenset(r for r, f in enumerate(self.figures)
                                                if f.shares)
        self.scope_rules = {s: by("scope", s) for s in ("sentence", "paragraph", "article")}
        self.no_subject = frozenset(r for r, f in enumerate(self.figures) if not f.subject)
        self.max_lookback = max((f.lookback for f in self.figures), default=0)
        self.lookback_at_least = [
            frozenset(r for r, f in enumerate(self.figures) if f.lookback >= k)
            for k in range(self.max_lookback + 1)]
        self.requiring = frozenset(r for r, f in enumerate(self.figures) if f.require)
        self.makers = frozenset(r for r, f in enumerate(self.figures) if f.maker)
        self.from_headline = frozenset(r for r, f in enumerate(self.figures) if f.headline)
        self.bounded = frozenset(r for r, f in enumerate(self.figures)
                                 if f.minimum is not None or f.maximum is not None)

    def unit_measures(self, unit: str) -> frozenset[int]:
        """The rules whose measure terms the counted noun ``unit`` holds (memoised:
        the same nouns come back in every article)."""
        got = self._unit_measures.get(unit)
        if got is None:
            tokens = [norm(t) for t in _WORD.findall(unit)]
            own: set[int] = set()
            for i in range(len(tokens)):
                for term, _ in self.index.lookup(tokens, i):
                    if term.role == "measure":
                        own |= term.rules
            if len(self._unit_measures) >= 50_000:
                self._unit_measures.clear()
            got = self._unit_measures[unit] = frozenset(own)
        return got

    def _rules_where(self, attr: str, value: str) -> frozenset[int]:
        return frozenset(r for r, f in enumerate(self.figures) if getattr(f, attr) == value)

    def match(self, article: Article, quantities: list[Quantity] | None = None,
              verdicts: list[Verdict] | None = None) -> list[Observation]:
        """Observations of the figures in ``article``.

        Pass a list as ``verdicts`` to learn, for every quantity, the figures it
        went to or why none took it (`figmon scan --explain`, near misses).
        """
        text = article.text
        lang = article.lang or detect_lang(text)
        if not self.figures:
            return []
        sents: list[tuple[int, int]] | None = None
        within: list[tuple[int, int]] | None = None
        named: list[int] | None = None
        words: _Words | None = None
        if (verdicts is None or isinstance(verdicts, NearMissSink)) and not self.no_subject \
                and quantities is None:
            # nobody asked why every number went nowhere: read only where a subject
            # is within reach, and nothing at all when none is named
            words = _Words(self.index, text)
            named = words.subjects()
            # a headline that names a subject may lend it to every sentence
            headlined = bool(_Words(self.index, article.title or "").subjects())
            if not named and not headlined:
                return []
            if not headlined and not (self.scope_rules["paragraph"]
                                      or self.scope_rules["article"]):
                sents = sentences(text) or [(0, len(text))]
                within = self._within(sents, named, len(text), 0)
        if quantities is None:
            quantities = extract(text, lang, within=within, sents=sents)
            if within is not None and sents is not None and named is not None \
                    and any(_OF_THEM.match(text, q.end) for q in quantities):
                # "half of them" may point to a number in the sentences before
                quantities = extract(text, lang, sents=sents, within=self._within(
                    sents, named, len(text), OF_THEM_REACH + 1))
        if not quantities:
            return []
        view = _View(self, article, text, lang, sorted(quantities, key=lambda q: q.start),
                     sents, named, words)
        if not view.measure_hits and verdicts is None:
            return []
        qs = view.qs
        pairs = change_pairs(text, qs)
        dropped = {i for i, _ in pairs.values()}

        claims: dict[int, tuple[str | None, str | None]] = {}
        out: list[Observation] = []
        seen: set[tuple[object, ...]] = set()
        prev_measured: tuple[int, set[int]] | None = None  # (sentence, rules) of last number
        last_measured: tuple[int, set[int]] | None = None  # (sentence no., rules) of last measured
        for qi, q in enumerate(qs):
            s0, s1 = view.sent_span(q)
            # a change's new value looks for its measure before the value it came from
            rules, nominal = view.measured(qi, prev_measured,
                                           pairs[qi][0] if qi in pairs else None, last_measured)
            prev_measured = (s0, rules)
            if rules:  # what "of them" in a later sentence may point back to
                last_measured = (view.sent_of(q.start), rules)
            verdict = _Why(view, qi, verdicts)
            if qi in dropped:
                verdict.done("change_from")
                continue
            if not rules:
                verdict.done("no_measure")
                continue
            kinded = rules & self.kind_rules[_category(q)]
            if not kinded:
                verdict.done("wrong_kind", self._names(rules))
                continue
            rules = kinded
            if rules & self.bounded:
                inside = {r for r in rules if self.figures[r].holds(q)}
                if not inside:
                    verdict.done("out_of_bounds", self._names(rules))
                    continue
                rules = inside
            groups = view.subject_groups(qi, rules)
            verdict.subject_near = any(g for g, _ in groups)
            if not verdict.subject_near:
                verdict.done("no_subject", self._names(rules))
                continue
            rival = view.rival_in_noun(qi, nominal)
            if rival:
                kept = [(g - rival, lent) for g, lent in groups]
                if not any(g for g, _ in kept):
                    verdict.done("rival", self._names(rules & rival))
                    continue
                groups = kept
            accepted = view.qualified(qi, groups, verdict)
            if not accepted:
                continue
            against = view.rivals_against(qi, accepted)
            if against:
                accepted -= against
                if not accepted:
                    verdict.done("rival", self._names(against))
                    continue
            verdict.figures = tuple(self.figures[r].id for r in sorted(accepted))
            verdict.done(None)
            previous = pairs[qi][1] if qi in pairs else None
            if qi not in claims:  # one claimant look-up per number, not per rule
                claims[qi] = find_claimant(text, (s0, s1), (q.start, q.end), lang)
            for r in sorted(accepted):
                fig = self.figures[r]
                obs = self._observation(article, fig, q, text, (s0, s1), claims[qi], previous)
                key = (fig.id, obs.track, q.low, q.high, q.qualifier)
                if key not in seen:  # the same figure and value again in one article
                    seen.add(key)
                    out.append(obs)
        return out

    def _within(self, sents: list[tuple[int, int]], named: list[int],
                size: int, back: int) -> list[tuple[int, int]]:
        """The stretches of text whose numbers can matter: the sentences that name a
        subject and the ``lookback`` sentences after them (numbers there may take a
        figure or be near misses), and ``back`` sentences before those.  A number
        elsewhere takes no figure and is no near miss: no subject is within its
        reach.  Only "half of them" reads numbers before (OF_THEM_REACH sentences,
        and one more for the context a number reads there)."""
        starts = [a for a, _ in sents]
        keep: set[int] = set()
        for k in {max(bisect_right(starts, a) - 1, 0) for a in named}:
            keep.update(range(max(0, k - back), min(len(sents), k + self.max_lookback + 1)))
        ends = [*starts[1:], size]
        out: list[tuple[int, int]] = []
        for k in sorted(keep):
            lo = 0 if k == 0 else starts[k]
            if out and out[-1][1] == lo:
                out[-1] = (out[-1][0], ends[k])
            else:
                out.append((lo, ends[k]))
        return out

    def _names(self, rules: set[int] | frozenset[int]) -> str:
        return ", ".join(self.figures[r].id for r in sorted(rules))

    @staticmethod
    def _after_window(text: str, start: int, limit: int) -> int:
        """End of the few words after a number, stopping at punctuation."""
        end = start
        for k, mt in enumerate(_TOKEN.finditer(text, start)):
            a, b = mt.span()
            if k == MEASURE_AFTER or a >= limit or _HARD_BREAK.search(text, end, a):
                break
            end = b
        return end

    @staticmethod
    def _clause_start(text: str, lo: int, hi: int) -> int:
        """Start of the clause that ends at ``hi`` (after the last hard break)."""
        last = lo
        for m in _HARD_BREAK.finditer(text, lo, hi):
            last = m.end()
        return last

    @staticmethod
    def _split(text: str, lo: int, hi: int) -> int:
        """Where the gap between two numbers changes clause: its last break, else its end."""
        cuts = [m.start() for m in _HARD_BREAK.finditer(text, lo, hi)]
        cuts += [m.start() for m in _WORD.finditer(text, lo, hi)
                 if norm(m.group()) in _CLAUSE_WORDS]
        return max(cuts) if cuts else hi

    @staticmethod
    def _observation(article: Article, fig: Figure, q: Quantity, text: str,
                     sent: tuple[int, int], claim: tuple[str | None, str | None],
                     previous: Value | None = None) -> Observation:
        claimant, relayed = claim
        track = ""
        if fig.per_claimant:
            track = norm(claimant).strip() if claimant else "unattributed"
        if fig.shares and _category(q) == "percent":
            track = f"{SHARE_TRACK} {track}".strip()
        return Observation(
            figure=fig.id, article=article.url, published=article.published,
            low=q.low, high=q.high, qualifier=q.qualifier, unit=q.unit, surface=q.surface,
            quote=" ".join(text[sent[0]:sent[1]].split()), claimant=claimant, relayed=relayed,
            change=q.change, start=q.start, end=q.end, article_id=article.id,
            source=article.source, track=track, previous=previous,
        )


class _Why:
    """Collects one quantity's verdict when the caller asked for verdicts."""

    __slots__ = ("view", "qi", "sink", "figures", "subject_near", "detail")

    def __init__(self, view: _View, qi: int, sink: list[Verdict] | None) -> None:
        self.view, self.qi, self.sink = view, qi, sink
        self.figures: tuple[str, ...] = ()
        self.subject_near = False
        self.detail = ""

    @property
    def wanted(self) -> bool:
        return self.sink is not None

    def done(self, reason: str | None, names: str = "") -> None:
        if self.sink is None:
            return
        near_only = isinstance(self.sink, NearMissSink)
        if near_only and (self.figures or reason == "change_from"):
            return
        q = self.view.qs[self.qi]
        if not self.subject_near and not self.figures:
            self.subject_near = self.view.any_subject(self.qi)
        if near_only and not self.subject_near:
            return
        detail = self.detail
        if reason and not detail:
            detail = REASONS[reason] + (f" ({names})" if names else "")
        noun = q.unit
        if q.unit_start is not None and q.unit_end:  # the head word as written
            words = _WORD.findall(self.view.text[q.unit_start:q.unit_end])
            stem = _fold(q.unit or "")[:3]
            noun = next((w for w in words if _fold(w).startswith(stem)),
                        words[-1] if words else noun)
        s0, s1 = self.view.sent_span(q)
        self.sink.append(Verdict(q, self.figures, reason, detail, self.subject_near,
                                 noun if noun != "%" else None,
                                 " ".join(self.view.text[s0:s1].split())))


class _Words:
    """A text's words, folded once, read only where asked."""

    def __init__(self, index: TermIndex, text: str) -> None:
        self.index, self.text = index, text
        low = _fold(text)
        # a letter whose lower case is longer ("İ") shifts offsets: fold word by word
        self.low: str | None = low if len(low) == len(text) else None

    def _norm(self, a: int, b: int) -> str:
        return _drop_s(self.low[a:b]) if self.low is not None else norm(self.text[a:b])

    def words_from(self, pos: int, n: int) -> list[tuple[int, int, str]]:
        """The first ``n`` words starting at or after ``pos``: (start, end, norm)."""
        out = []
        for mt in _TOKEN.finditer(self.text, pos):
            out.append((mt.start(), mt.end(), self._norm(mt.start(), mt.end())))
            if len(out) == n:
                break
        return out

    def words_before(self, pos: int, n: int) -> list[tuple[int, int, str]]:
        """The last ``n`` words ending before ``pos`` (a word's start), in text order."""
        reach = 64
        while True:
            lo = max(0, pos - reach)
            found = [(mt.start(), mt.end()) for mt in _TOKEN.finditer(self.text, lo, pos)]
            if len(found) >= n or lo == 0:
                return [(a, b, self._norm(a, b)) for a, b in found[-n:]]
            reach *= 4

    def terms_in(self, scan: Callable[[str, int, int], Iterator[re.Match[str]]],
                  lo: int, hi: int) -> Iterator[tuple[Term, int, int]]:
        """(term, start, end) for every term starting in text[lo:hi]."""
        index = self.index
        words = (scan(self.low, lo, hi) if self.low is not None
                 else _TOKEN.finditer(self.text, lo, hi))
        for word in words:
            a, e = word.span()
            tok = self._norm(a, e)
            singles = index.singles(tok)
            if singles is not None:  # one-word terms only: no need to read on
                for term in singles:
                    yield term, a, e
            else:
                got = self.words_from(a, index.longest)
                for term, last in index.lookup([w for _, _, w in got], 0):
                    yield term, a, got[last][1]

    def subjects(self) -> list[int]:
        """Where any figure's subject is named in the text."""
        return [a for term, a, _ in self.terms_in(self.index.scan_subjects, 0, len(self.text))
                if term.role == "subject"]


class _View(_Words):
    """One article made ready for matching: its sentences and the term hits where
    they can count (see ``_plan``)."""

    def __init__(self, m: Matcher, article: Article, text: str, lang: str,
                 qs: list[Quantity], sents: list[tuple[int, int]] | None = None,
                 named: list[int] | None = None, words: _Words | None = None) -> None:
        """``sents``, ``named`` (where subjects are named) and the text's ``words``,
        when the caller has them."""
        if words is None:
            super().__init__(m.index, text)
        else:  # the text is folded once
            self.index, self.text, self.low = words.index, words.text, words.low
        self.m, self.lang, self.qs = m, lang, qs
        self.sents = sents or sentences(text) or [(0, len(text))]
        self.sent_starts = [a for a, _ in self.sents]
        # paragraphs matter to paragraph-scoped figures only
        self.para_starts = _paragraphs(text) if m.scope_rules["paragraph"] else [0]
        self.q_starts = [q.start for q in qs]
        # the number and its qualifier, without the counted noun the surface may include
        self.q_cores = [(q.start, min(q.end, q.unit_start if q.unit_start is not None
                                      and q.unit_start > q.start else q.end)) for q in qs]
        self.measure_hits: list[_Hit] = []
        self.recipient_at: set[int] = set()  # where a recipient of the subject's figures stands
        self.qual_hits: list[_Hit] = []
        self.rival_hits: list[_Hit] = []
        self.subj_hits: list[_Hit] = []
        self.scanned: list[tuple[int, int]] = []  # where every term was looked for
        for lo, hi, full in self._plan():
            if not full and not self._names_subject(lo, hi, named):
                continue  # a sentence that names no subject lends nothing
            for term, a, end in self.terms_in(m.index.scan, lo, hi):
                self._add_hit(term, a, end)
            self.scanned.append((lo, hi))
        subj_hits = self.subj_hits
        self.subj_starts = [h.start for h in subj_hits]
        self.rival_starts = [h.start for h in self.rival_hits]
        self.subj_sent: dict[int, set[int]] = defaultdict(set)
        self.subj_para: dict[int, set[int]] = defaultdict(set)
        self.subj_art: set[int] = set()
        for h in subj_hits:
            self.subj_sent[self.sent_of(h.start)] |= h.rules
            self.subj_para[bisect_right(self.para_starts, h.start) - 1] |= h.rules
            self.subj_art |= h.rules
        # the headline: its subject counts for the whole article, its terms for
        # the numbers it lends the subject to
        self.title_subj: set[int] = set()
        self.title_quals: list[_Hit] = []
        title = article.title or ""
        if title:
            for term, a, end in _Words(m.index, title).terms_in(m.index.scan, 0, len(title)):
                if term.role == "subject":
                    self.title_subj |= term.rules
                elif term.role in ("exclude", "require"):
                    self.title_quals.append(_Hit(term.rules, term.role, a, end, title))
        self.subj_art |= self.title_subj
        self.measure_starts = [h.start for h in self.measure_hits]
        self.qual_starts = [h.start for h in self.qual_hits]
        self.first_in: dict[tuple[int, int], int] = {}
        for q in qs:
            self.first_in.setdefault(self.sent_span(q), q.start)

    def _plan(self) -> list[tuple[int, int, bool]]:
        """Where to look for terms, in text order: (start, end, whether every term
        counts there).  With sentence-scoped figures only, every term counts in a
        number's sentence, while a sentence it may borrow from counts only when it
        names a subject; other sentences never count.  A sentence runs to the next
        one's start, so whatever lies between is where ``sent_of`` puts it."""
        m, text, sents = self.m, self.text, self.sents
        if m.scope_rules["paragraph"] or m.scope_rules["article"]:
            return [(0, len(text), True)]
        own: set[int] = set()
        for q in self.qs:
            si = self.sent_of(q.start)
            if q.sentence_end > q.sentence_start and (q.sentence_start, q.sentence_end) \
                    != sents[si]:  # the extractor cut it otherwise: look everywhere
                return [(0, len(text), True)]
            own.add(si)
        near = {k for si in own for k in range(max(0, si - m.max_lookback), si)} - own
        ends = [*self.sent_starts[1:], len(text)]
        return [(0 if k == 0 else sents[k][0], ends[k], k in own)
                for k in sorted(own | near)]

    def _names_subject(self, lo: int, hi: int, named: list[int] | None) -> bool:
        if named is not None:
            return bisect_left(named, lo) < bisect_left(named, hi)
        return any(term.role == "subject" for term, _, _
                   in self.terms_in(self.m.index.scan_subjects, lo, hi))

    def _add_hit(self, term: Term, a: int, end: int) -> None:
        hit = _Hit(term.rules, term.role, a, end)
        role = term.role
        if role == "measure":
            self.measure_hits.append(hit)
        elif role == "subject":
            self.subj_hits.append(hit)
        elif role == "recipients":
            self.recipient_at.add(a)
        elif role == "rivals":
            if not self._after_dest(a):
                self.rival_hits.append(hit)
        elif not self._inside_quantity(a):  # "more than 10,000" is no term
            self.qual_hits.append(hit)

    def _after_dest(self, a: int) -> bool:
        """"sent to (the) Russian army": a place, not a side."""
        before = [w for _, _, w in self.words_before(a, 2)]
        return bool(before) and (before[-1] in _DEST or (
            before[-1] in _ARTICLES and len(before) > 1 and before[0] in _DEST))

    def _inside_quantity(self, a: int) -> bool:
        k = bisect_right(self.q_starts, a) - 1
        return k >= 0 and self.q_cores[k][1] > a

    def sent_of(self, pos: int) -> int:
        return max(bisect_right(self.sent_starts, pos) - 1, 0)

    def sent_span(self, q: Quantity) -> tuple[int, int]:
        if q.sentence_end > q.sentence_start:
            return q.sentence_start, q.sentence_end
        return self.sents[self.sent_of(q.start)]

    def measures_in(self, a: int, b: int) -> set[int]:
        lo, hi = bisect_left(self.measure_starts, a), bisect_left(self.measure_starts, b)
        out: set[int] = set()
        for h in self.measure_hits[lo:hi]:
            if h.end <= b:
                out |= h.rules
        return out

    def quals_in(self, a: int, b: int) -> list[_Hit]:
        lo, hi = bisect_left(self.qual_starts, a), bisect_left(self.qual_starts, b)
        return [h for h in self.qual_hits[lo:hi] if h.end <= b]

    def neighbours(self, qi: int) -> tuple[int, int]:
        """End of the number before and start of the number after, within the sentence."""
        qs = self.qs
        s0, s1 = span = self.sent_span(qs[qi])
        prev_end = qs[qi - 1].end if qi and self.sent_span(qs[qi - 1]) == span else s0
        next_start = (qs[qi + 1].start
                      if qi + 1 < len(qs) and self.sent_span(qs[qi + 1]) == span else s1)
        return prev_end, next_start

    def measured(self, qi: int, prev: tuple[int, set[int]] | None,
                 came_from: int | None = None,
                 anaphor: tuple[int, set[int]] | None = None) -> tuple[set[int], bool]:
        """The rules whose measure is attached to the number, and whether it has a noun.

        The counted noun decides when a rule names it ("2,000 North Korean workers"
        counts workers, whatever else the words nearby name); otherwise the words
        after the number, and for a number with no noun its clause, or the measure
        of the number before it in the sentence ("10,000 soldiers ... and 6,000 more").
        """
        q, text, m = self.qs[qi], self.text, self.m
        if q.unit and q.unit != "%":
            own = m.unit_measures(q.unit)
            if own:
                return set(own), True
        s0, s1 = self.sent_span(q)
        prev_end, next_start = self.neighbours(qi)
        after_end = Matcher._after_window(text, q.end,
                                          min(next_start, s1))
        rules = self.measures_in(q.end, after_end)
        if q.unit_start is not None and q.unit_end is not None:
            rules |= self.measures_in(q.unit_start, q.unit_end)
        no_noun = (not q.unit or q.unit == "%" or q.unit in _NOT_NOUNS
                   or not _is_noun(q.unit, self.lang))
        # a share or a bare number ("40%", "6,000 more") looks back in its clause; so do an
        # adjective standing for its noun and a generic noun, when nothing after them says
        # what is counted ("свыше 150 самоходных и буксируемых гаубиц" needs no look back)
        bare = not q.unit or q.unit == "%"
        if bare or ((no_noun or q.unit in _GENERIC_UNITS) and not rules):
            floor = prev_end if came_from is None else self.neighbours(came_from)[0]
            rules |= self.measures_in(Matcher._clause_start(text, floor, q.start), q.start)
            if not rules and bare:  # "чисельність військових …, за даними видання, —
                rules = self.measures_in(floor, q.start)  # 15 тисяч", "доля боеприпасов … 40%"
        if not rules and no_noun and prev and prev[0] == s0:
            rules = set(prev[1])  # elided noun: "and 6,000 more"
        if not rules and no_noun and anaphor and _OF_THEM.match(text, q.end) \
                and self.sent_of(q.start) - anaphor[0] <= OF_THEM_REACH:
            rules = set(anaphor[1])  # "roughly half of them", "треть из них"
        return rules, not no_noun

    def subject_groups(self, qi: int, rules: set[int]) -> list[tuple[set[int], list[_Hit]]]:
        """The rules whose subject is within reach, grouped by the sentence (or
        headline) that lends it, with that sentence's exclude/require hits."""
        m, q = self.m, self.qs[qi]
        si = self.sent_of(q.start)
        in_sentence = rules & m.scope_rules["sentence"]
        direct = ((rules & m.no_subject)
                  | (in_sentence & self.subj_sent.get(si, set()))
                  | (rules & m.scope_rules["paragraph"]
                     & self.subj_para.get(bisect_right(self.para_starts, q.start) - 1, set()))
                  | (rules & m.scope_rules["article"] & self.subj_art))
        groups: list[tuple[set[int], list[_Hit]]] = [(direct, [])]
        rest = in_sentence - direct
        for k in range(1, min(m.max_lookback, si) + 1):
            if not rest:
                break
            lean = rest & self.subj_sent.get(si - k, set()) & m.lookback_at_least[k]
            if lean:
                groups.append((lean, self.quals_in(*self.sents[si - k])))
                rest -= lean
        lean = rest & m.from_headline & self.title_subj
        if lean:
            groups.append((lean, self.title_quals))
        return groups

    def any_subject(self, qi: int) -> bool:
        """Whether any figure's subject is named in the headline, the number's
        sentence or the sentences it may borrow from."""
        if self.title_subj:
            return True
        si = self.sent_of(self.qs[qi].start)
        return any(self.subj_sent.get(k) for k in range(max(0, si - self.m.max_lookback),
                                                          si + 1))

    def rival_in_noun(self, qi: int, nominal: bool) -> set[int]:
        """Rules whose rival terms sit in the number's own noun phrase
        ("50,000 Russian soldiers", "військових ЗСУ")."""
        q = self.qs[qi]
        if not nominal or not self.m.index.has_rivals:
            return set()
        end = q.unit_end if q.unit_end is not None and q.unit_end > q.start else q.end
        nxt = _WORD.search(self.text, end)
        out: set[int] = set()
        if nxt and not self.text[end:nxt.start()].strip():
            end = nxt.end()  # a possessor right after the noun ("солдат ВСУ")
            if not any(lo <= nxt.start() < hi for lo, hi in self.scanned):
                # past the end of its sentence, where terms were not looked for
                for term, a, _ in self.terms_in(self.m.index.scan, nxt.start(), end):
                    if term.role == "rivals" and not self._after_dest(a):
                        out |= term.rules
        for h in self.rival_hits:
            if h.start < end and h.end > q.start:
                out |= h.rules
        return out

    def clause(self, qi: int) -> tuple[int, int]:
        """The number's own clause: the part of its sentence between the breaks that
        separate it from the numbers before and after it."""
        q, text = self.qs[qi], self.text
        s0, s1 = self.sent_span(q)
        prev_end, next_start = self.neighbours(qi)
        c0 = Matcher._split(text, prev_end, q.start) if prev_end != s0 else s0
        c1 = Matcher._split(text, q.end, next_start) if next_start != s1 else s1
        return c0, c1

    def rivals_against(self, qi: int, accepted: set[int]) -> set[int]:
        """The accepted rules whose rival is the actor of the number's clause: the
        clause names a rival (Russia, Ukrainian …) and not the rule's subject
        ("Russia has massed 50,000 troops, including 11,000 North Koreans": the
        50,000).  The sentence's head speaks for a list after it ("Russian losses:
        1,210 troops, 8 tanks") unless it names the subject.  Rival words that name
        who says it ("Ukrainian intelligence says", "по данным украинской разведки")
        or a place or partner ("sent to Russia") do not count."""
        q = self.qs[qi]
        s0, s1 = span = self.sent_span(q)
        lo, hi = bisect_left(self.rival_starts, s0), bisect_left(self.rival_starts, s1)
        if lo == hi:
            return set()
        c0, c1 = self.actor_clause(qi)
        head = min(self.first_in[span], c0)
        text = self.text
        hits = [h for h in self.rival_hits[lo:hi] if (c0 <= h.start < c1 or h.start < head)
                and not self.names_speaker(h)
                and not (h.start in self.recipient_at and _RECEIVE_AFTER.match(text, h.end))]
        if not _union(hits, "rivals") & accepted:
            return set()

        def subjects(a: int, b: int) -> set[int]:
            i, j = bisect_left(self.subj_starts, a), bisect_left(self.subj_starts, b)
            return _union(self.subj_hits[i:j], "subject")

        named = subjects(c0, c1)
        against = _union([h for h in hits if c0 <= h.start < c1], "rivals") - named
        if head > s0:
            against |= _union([h for h in hits if h.start < head], "rivals") \
                - named - subjects(s0, head)
        return against & accepted

    def names_speaker(self, hit: _Hit) -> bool:
        """Whether the words at ``hit`` name who says it rather than who acts: after a
        source phrase ("по данным украинской разведки", "according to Ukraine's HUR"),
        or beside a verb of saying ("Ukraine's General Staff says", "…, сообщила
        южнокорейская разведка"), within the hit's stretch of words.  The word lists
        are the claimant finder's."""
        text = self.text
        s0, s1 = self.sents[self.sent_of(hit.start)]
        # the words around the hit: six before it, its own, three after it
        ahead = self.words_from(hit.start, self.m.index.longest + 3)
        words = self.words_before(hit.start, 6) + ahead
        i = len(words) - len(ahead)
        j = i + sum(1 for a, _, _ in ahead if a < hit.end)
        spans = [(a, b) for a, b, _ in words]
        tokens = [w for _, _, w in words]

        def joined(k: int) -> bool:  # in the hit's sentence, no punctuation in between
            a, b = sorted((spans[k], spans[i]))
            return s0 <= spans[k][0] < s1 and not _HARD_BREAK.search(text, a[1], b[0])

        before = [k for k in range(i - 1, max(-1, i - 5), -1) if joined(k)]
        for skip in range(min(3, len(before) + 1)):  # "по данным [штаба] ВСУ"
            end = i - skip
            if any(end - n >= 0 and joined(end - n) and tuple(tokens[end - n:end])
                   in SOURCE_PHRASES for n in range(1, 5)):
                return True
        # the verb right before ("сообщила южнокорейская", "said a South Korean …") or
        # within three words after ("Ukraine's General Staff says")
        near = before[:2] if len(before) > 1 and tokens[before[0]] in _ARTICLES \
            else before[:1]
        near += [k for k in range(j, min(len(spans), j + 3)) if joined(k)]
        return any(speech_word(text[spans[k][0]:spans[k][1]], self.lang) for k in near)

    def actor_clause(self, qi: int) -> tuple[int, int]:
        """The stretch that tells whose number it is: from the joint of a compound
        sentence ("…, while …", "…, а …", or "and" after the number before) to the
        next joint or number.  Unlike ``clause`` it does not stop at a dash, which
        often stands for a verb left out ("а российские — больше 8 тысяч")."""
        q, text = self.qs[qi], self.text
        s0, _ = self.sent_span(q)
        prev_end, next_start = self.neighbours(qi)
        c0 = s0 if prev_end == s0 else prev_end
        for joint in _JOINT.finditer(text, c0, q.start):
            c0 = joint.end()
        if prev_end != s0:
            for w in _WORD.finditer(text, c0, q.start):
                if norm(w.group()) in _CLAUSE_WORDS:
                    c0 = w.end()
        after = _JOINT.search(text, q.end, next_start)
        return c0, (after.start() if after else next_start)

    def made_by(self, qi: int) -> set[int]:
        """The ``maker`` rules whose subject stands in the number's own noun phrase
        ("120 Koksan guns", "2 млн северокорейских снарядов"): their require terms
        are not needed."""
        q = self.qs[qi]
        if not self.m.makers or q.unit_end is None or q.unit_end <= q.start:
            return set()
        i, j = bisect_left(self.subj_starts, q.start), bisect_left(self.subj_starts, q.unit_end)
        return _union(self.subj_hits[i:j], "subject") & self.m.makers

    def qualified(self, qi: int, groups: list[tuple[set[int], list[_Hit]]],
                  why: _Why) -> set[int]:
        """The rules no exclude term rules out and whose require terms are met, in
        the number's own clause, the sentence head and the lending sentence."""
        m, q, text = self.m, self.qs[qi], self.text
        s0, s1 = span = self.sent_span(q)
        c0, c1 = self.clause(qi)
        local = self.quals_in(c0, c1) + self.quals_in(s0, min(self.first_in[span], c0))
        accepted: set[int] = set()
        excluded: dict[int, str] = {}
        unmet: set[int] = set()
        for group, lent in groups:
            if not group:
                continue
            hits = local + lent
            out = _union(hits, "exclude")
            ok = group - out
            missing = ok & m.requiring
            if missing:
                missing -= _union(hits, "require") | self.made_by(qi)
                ok -= missing
            accepted |= ok
            if why.wanted:
                for h in hits:
                    if h.role == "exclude":
                        for r in h.rules & group:
                            excluded.setdefault(r, h.words(text))
                unmet |= missing
        if not accepted and why.wanted:
            parts = [f"{m.figures[r].id} excluded by '{w}'" for r, w in sorted(excluded.items())]
            parts += [f"{m.figures[r].id} needs one of its require terms"
                      for r in sorted(unmet - set(excluded))]
            why.detail = "; ".join(parts)
            why.done("excluded" if excluded else "not_required")
        return accepted
