"""The public look-up: the claimant nearest a number, per text worked out once."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from ..extract.sentences import sentence_around
from .candidates import _candidates, _openers
from .headlines import headline_claimant
from .phrases import _person_in
from .relays import _relays, article_relay
from .tokens import Span, _Cand, _tokens, _Toks
from .vocabulary import is_outlet, pronoun_phrases

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


@dataclass(frozen=True)
class _Sent:
    """What a sentence offers, in offsets from the sentence's start."""

    cands: list[_Cand]      # speakers and source phrases, in text order
    outlets: list[_Cand]    # ... those that name a news outlet
    cuts: list[Span]        # clause boundaries (_CLAUSE matches)
    relays: list[tuple[int, str]]  # relayed outlets of the whole sentence


# (lang, the character before, sentence) -> _Sent: all a sentence's answer reads (a
# pattern's leading \b looks one character back), so a sentence met again in another
# article (wire copy, a re-sent story, a daily report with new numbers) costs one
# look-up.  The digits of a token of digits only ("1 234", "10-12") are read as 0: the
# rules ask of such a token only whether it is a digit (it has no Cyrillic, so no
# morphology), and its digits reach the answer only in a name, which the answer then
# shows: so a _Sent whose names hold no digit is stored under the zeroed sentence.
# Only sentences of up to _SENTS_LONGEST characters: longer ones seldom come back.
_SENTS: dict[tuple[str, str, str], _Sent] = {}
_SENTS_MAX = 4_096  # emptied when full
_SENTS_LONGEST = 600
# a _TOKEN of ASCII digits (other digits stay as written: fewer hits, same answers);
# it opens with [0-9], looking back after it, so the scan skips to digits quickly
_NUMBER = re.compile(r"[0-9](?<!\w[0-9])(?<!\w[-'’][0-9])[0-9]*(?:[-'’][0-9]+)*"
                     r"(?!\w)(?![-'’]\w)")
_DIGIT = re.compile(r"[0-9]")


_ZEROS = str.maketrans("123456789", "000000000")  # _DIGIT.sub("0", ...), quicker


def _zeroed(m: re.Match[str]) -> str:
    return m.group().translate(_ZEROS)


def _has_digit(sent: _Sent) -> bool:
    return any(_DIGIT.search(c.claimant) for c in (*sent.cands, *sent.outlets) if c.claimant) \
        or any(_DIGIT.search(name) for _, name in sent.relays)


class _Doc:
    """The work find_claimant does on one text, kept for its other numbers.

    The rules engine asks once per matched number, in text order: tokens,
    candidates and relays of a sentence, the look-back speaker before it and
    the article-level source line are the same for every number there.
    """

    def __init__(self, text: str, lang: str) -> None:
        self.text = text
        self.lang = lang
        self._toks: dict[Span, _Toks] = {}
        self._cands: dict[Span, list[_Cand]] = {}
        self._sents: dict[Span, _Sent] = {}
        self._relays: dict[Span, list[tuple[int, str]]] = {}
        self._lookback: dict[int, str | None] = {}
        self._article: tuple[str | None] | None = None

    def toks(self, span: Span) -> _Toks:
        got = self._toks.get(span)
        if got is None:
            got = self._toks[span] = _tokens(self.text, *span)
        return got

    def cands(self, span: Span) -> list[_Cand]:
        got = self._cands.get(span)
        if got is None:
            toks = self.toks(span)
            opens = _openers(toks, self.lang)
            if opens:
                got = _candidates(self.text, span, self.lang, toks, opens)
            else:  # most sentences: no source phrase, no speech verb
                got = [_Cand(m0, m1, None)
                       for m0, m1 in pronoun_phrases(self.text, *span, self.lang, toks.chunks)]
            self._cands[span] = got
        return got

    def sentence(self, span: Span) -> _Sent:
        got = self._sents.get(span)
        if got is None:
            a, b = span
            if b - a > _SENTS_LONGEST:
                got = self._sentence(span)
            else:
                written = self.text[a:b]
                zeroed = _NUMBER.sub(_zeroed, written)
                key = (self.lang, self.text[a - 1] if a > 0 else "", zeroed)
                got = _SENTS.get(key)
                if got is None:
                    got = self._sentence(span)
                    if zeroed == written or not _has_digit(got):
                        if len(_SENTS) >= _SENTS_MAX:
                            _SENTS.clear()
                        _SENTS[key] = got
            self._sents[span] = got
        return got

    def _sentence(self, span: Span) -> _Sent:
        a, _ = span
        found = self.cands(span)
        outlets = [c for c in found if c.claimant and is_outlet(c.claimant)]
        return _Sent([_Cand(c.start - a, c.end - a, c.claimant) for c in found
                      if c not in outlets],
                     [_Cand(c.start - a, c.end - a, c.claimant) for c in outlets],
                     [(m.start() - a, m.end() - a) for m in _CLAUSE.finditer(self.text, *span)],
                     [(r - a, name) for r, name in self.relays(span)])

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


_FOUR_WORDS = re.compile(r"\w+\W+\w+\W+\w+\W+\w")
_THE = re.compile(r"^the\s+")


def _few_words_after(text: str, pos: int, end: int) -> bool:
    """At most three words (runs of \\w) in text[pos:end]: found without counting all."""
    return _FOUR_WORDS.search(text, pos, end) is None


def find_claimant(text: str, sentence: Span, at: Span, lang: str
                  ) -> tuple[str | None, str | None]:
    """(claimant, relayed outlet) for the quantity at ``at`` inside ``sentence``.

    Either may be None.  ``lang`` is "ru", "uk" or "en"; other values read as en.
    """
    if lang not in ("ru", "uk", "en"):
        lang = "en"
    a, b = sentence
    doc = _doc(text, lang)
    sent = doc.sentence(sentence)  # offsets from a
    cands, outlets = sent.cands, sent.outlets
    rel = (at[0] - a, at[1] - a)
    clause = _clause(sent.cuts, (0, b - a), rel[0])
    # the quantity's own clause first; then a speaker from an earlier clause, or one
    # that closes the sentence ("..., а ещё 6 тысяч готовятся, заявил Буданов")
    chosen = _nearest([c for c in cands if clause[0] <= c.start < clause[1]], rel) \
        or _nearest([c for c in cands if c.start < clause[0]
                     or _few_words_after(text, c.end + a, b)], rel)
    claimant: str | None = None
    if chosen is not None:
        claimant = chosen.claimant if chosen.claimant else doc.lookback(a)
    relays = (sent.relays if clause == (0, b - a)
              else [(r - a, name) for r, name in doc.relays((clause[0] + a, clause[1] + a))]) \
        or sent.relays or [(c.start, c.claimant) for c in outlets if c.claimant]
    relayed = min(relays, key=lambda r: abs(r[0] - rel[0]))[1] if relays else None
    if claimant and is_outlet(claimant):
        claimant = None
    if relayed is None:
        relayed = doc.article_relay()
    if not claimant:  # "Генштаб ЗСУ: ...", "Seoul: ..." in the sentence or the headline
        claimant = headline_claimant(text, sentence)
    if claimant:
        claimant = claimant.strip(" «»\"“”,")
    if relayed:
        relayed = _THE.sub("", relayed.strip(" «»\"“”,"))
    return claimant or None, relayed or None
