"""Sentence boundaries, computed lazily around a position or for a whole text."""

from __future__ import annotations

import re

# A terminator followed by space and something that can start a sentence.  Every
# alternative starts with a literal character, so the regex engine skips ahead to
# the next terminator in C instead of trying the pattern at every position.
_CLOSE = r"[.!?…]*[\"'»”)\]]*(?=\s+[\"'«“(\[—–-]?\s*[A-ZА-ЯЁІЇЄҐ0-9])"
_END = re.compile("|".join(re.escape(c) + _CLOSE for c in ".!?…") + r"|\n\n*")
# Its first alternative alone, for a text with no other terminator: the engine finds
# a single character faster than any of a set of them.
_END_DOT = re.compile(re.escape(".") + _CLOSE)
# Words after which a dot does not end a sentence.
_ABBREV = frozenset(
    "тыс млн млрд трлн г гг ул см руб грн долл т.е им ок тис р млн. св ст "
    "mr mrs ms dr st jr sr vs no gen col lt sgt prof inc corp co ltd u.s u.k "
    "jan feb mar apr jun jul aug sep sept oct nov dec e.g i.e etc approx".split()
)


# The word before a dot, read backwards: up to 20 letters, digits and dots.
_HEAD_RUN = re.compile(r"[\w.]*")


def _is_end(text: str, m: re.Match[str]) -> bool:
    s, e = m.span()
    if e - s != 1 or text[s] != ".":
        return True
    return _dot_ends(text, s)


def _dot_ends(text: str, i: int) -> bool:
    """Does the lone dot at ``i`` end a sentence (not an abbreviation or an initial)?"""
    if i >= 7 and text[i - 7:i].isalnum():  # a word longer than any abbreviation
        return True
    rev = text[max(0, i - 20):i][::-1]
    n = _HEAD_RUN.match(rev).end()  # type: ignore[union-attr]  # "*" always matches
    if not n:
        return True
    word = text[i - n:i].lower().rstrip(".")
    if not word:
        return True
    if word in _ABBREV:
        return False
    # An initial ("J. Smith") or a single letter.
    return not (len(word) == 1 and word.isalpha())


def _trim(text: str, a: int, b: int) -> tuple[int, int]:
    """[a, b) without the whitespace at either end (str.strip's, as isspace() has it)."""
    while a < b and text[a].isspace():
        a += 1
    while b > a and text[b - 1].isspace():
        b -= 1
    return a, b


def sentences(text: str) -> list[tuple[int, int]]:
    """Spans (start, end) of the sentences of ``text``, whitespace trimmed."""
    out: list[tuple[int, int]] = []
    start = 0
    end = _END if "!" in text or "?" in text or "…" in text or "\n" in text else _END_DOT
    for m in end.finditer(text):
        s, e = m.span()
        c = text[s]
        if c == "." and e - s == 1 and not _dot_ends(text, s):
            continue
        a, b = _trim(text, start, s if c == "\n" else e)
        if b > a:
            out.append((a, b))
        start = e
    a, b = _trim(text, start, len(text))
    if b > a:
        out.append((a, b))
    return out


def _boundary_at(text: str, j: int) -> re.Match[str] | None:
    """The sentence boundary whose terminator run contains ``j``, if it is one."""
    while j > 0 and text[j - 1] in ".!?…" and text[j] != "\n":
        j -= 1
    m = _END.match(text, j)
    if m and _is_end(text, m):
        return m
    return None


_LAST_TERM = re.compile(r".*[.!?…\n]", re.DOTALL)


def sentence_at(text: str, pos: int, window: int = 3000,
                floor: int = 0) -> tuple[int, int]:
    """The sentence containing ``pos``, found by looking only around it.

    ``floor`` is a position known to be at or before the sentence's start (the
    end of the sentence before, when the caller walks the text in order): the
    backward scan stops there.
    """
    lo = max(0, pos - window, floor)
    start = lo
    i = pos
    while i > lo:
        t = _LAST_TERM.match(text, lo, i)  # greedy: the last terminator before i
        if t is None:
            break
        j = t.end() - 1
        m = _boundary_at(text, j)
        if m is not None and m.end() <= pos:
            start = m.end()
            break
        i = j
    n = len(text)
    hi = pos + window if pos + window < n else n
    end = hi
    i = pos
    # the lookahead of _END needs a few characters past the window
    stop = hi + 40 if hi + 40 < n else n
    while i < hi:
        m = _END.search(text, i, stop)
        if m is None:
            break
        s, e = m.span()
        if s >= hi:
            break
        # _is_end, inlined: a lone dot is asked about, every other terminator ends
        if e > pos and (e - s != 1 or text[s] != "." or _dot_ends(text, s)):
            end = s if text[s] == "\n" else e
            break
        i = e
    return _trim(text, start, end)


def sentence_around(text: str, pos: int, window: int = 2000) -> tuple[int, int]:
    """The sentence containing ``pos`` (used by claimants.py); see sentence_at."""
    return sentence_at(text, pos, window)
