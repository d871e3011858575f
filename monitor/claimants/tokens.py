"""Words and punctuation of a text (``_Tok``), and a claimant candidate (``_Cand``)."""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from itertools import accumulate, chain
from operator import itemgetter
from typing import overload

Span = tuple[int, int]


# token string -> (low, word, cap) of _Tok: the same words come back in every text
_FLAGS: dict[str, tuple[str, bool, bool]] = {}


def _flags(text: str) -> tuple[str, bool, bool]:
    if len(_FLAGS) >= 50_000:
        _FLAGS.clear()
    flags = _FLAGS[text] = (text.lower().replace("’", "'"), text[0].isalnum(),
                            text[0].isupper())
    return flags


class _Tok:
    """A word or punctuation mark; its lower-cased form and flags are worked out once."""

    __slots__ = ("start", "end", "text", "low", "word", "cap")

    def __init__(self, start: int, end: int, text: str) -> None:
        self.start = start
        self.end = end
        self.text = text
        self.low, self.word, self.cap = _FLAGS.get(text) or _flags(text)

    def __repr__(self) -> str:
        return f"_Tok({self.start}, {self.end}, {self.text!r})"


_TOKEN = re.compile(r"\w+(?:[-'’]\w+)*|[^\w\s]")


# A space-separated chunk ("границы,") -> its tokens and their offsets in it.  No token
# holds a space and _TOKEN looks at nothing around a match, so a text's tokens are its
# chunks' tokens; and chunks come back in text after text.
_CHUNKS: dict[str, tuple[tuple[str, ...], tuple[int, ...]]] = {}
_FIRST = itemgetter(0)


def _chunk(chunk: str) -> tuple[tuple[str, ...], tuple[int, ...]]:
    found = list(_TOKEN.finditer(chunk))
    return tuple(m.group() for m in found), tuple(m.start() for m in found)


class _Toks(Sequence[_Tok]):
    """The tokens of a stretch of text, a ``_Tok`` made only when first looked at.

    A long sentence has hundreds of words and the claimant rules read a few
    around each speech verb or source phrase; ``words`` (the token strings) is
    all a scan for those needs.
    """

    __slots__ = ("words", "_start", "_chunks", "_before", "_count", "_made", "_where",
                 "_arrays")

    def __init__(self, text: str, start: int, end: int) -> None:
        chunks = text[start:end].split(" ")
        try:  # most often every chunk is known
            self._chunks = list(map(_CHUNKS.__getitem__, chunks))
        except KeyError:
            new = set(chunks).difference(_CHUNKS)
            if len(_CHUNKS) + len(new) > 50_000:
                _CHUNKS.clear()
                new = set(chunks)
            for c in new:
                _CHUNKS[c] = _chunk(c)
            self._chunks = list(map(_CHUNKS.__getitem__, chunks))
        self.words: list[str] = list(chain.from_iterable(map(_FIRST, self._chunks)))
        self._start = start
        # characters before each chunk, less the spaces between; tokens up to each chunk
        self._before = list(accumulate(map(len, chunks), initial=0))
        self._count = list(accumulate(map(len, map(_FIRST, self._chunks))))
        self._made: list[_Tok | None] = [None] * len(self.words)
        self._where: dict[int, int] = {}
        self._arrays: tuple[list[str], list[bool], list[bool]] | None = None

    def arrays(self) -> tuple[list[str], list[bool], list[bool]]:
        """Every token's ``low``, ``word`` and ``cap``, as _Tok has them: the scans
        around a speech verb read many tokens and keep few, so they read these lists
        and make a _Tok only of what they keep."""
        got = self._arrays
        if got is None:
            flags = [_FLAGS.get(w) or _flags(w) for w in self.words]
            lows = [f[0] for f in flags]
            got = self._arrays = (lows, [f[1] for f in flags], [f[2] for f in flags])
        return got

    def __len__(self) -> int:
        return len(self.words)

    @overload
    def __getitem__(self, i: int) -> _Tok: ...
    @overload
    def __getitem__(self, i: slice) -> list[_Tok]: ...

    def __getitem__(self, i: int | slice) -> _Tok | list[_Tok]:
        got = self._made[i]  # a slice gives a list, not a _Tok
        if isinstance(got, _Tok):
            return got
        if isinstance(i, slice):
            return [self[k] for k in range(*i.indices(len(self.words)))]
        if i < 0:
            i += len(self.words)
        k = bisect_right(self._count, i)  # the chunk of token i
        j = i - (self._count[k - 1] if k else 0)
        at = self._start + k + self._before[k] + self._chunks[k][1][j]
        word = self.words[i]
        tok = self._made[i] = _Tok(at, at + len(word), word)
        self._where[at] = i
        return tok

    def __iter__(self) -> Iterator[_Tok]:
        for i in range(len(self.words)):
            yield self[i]

    def index(self, tok: object, start: int = 0, stop: int | None = None) -> int:
        # a token is equal only to itself: find it by its offset
        if isinstance(tok, _Tok):
            i = self._where.get(tok.start)
            if i is not None and self._made[i] is tok and max(0, start) <= i \
                    and (stop is None or i < stop):
                return i
        raise ValueError("not a token of this text")


Toks = Sequence[_Tok]


def _tokens(text: str, start: int = 0, end: int | None = None) -> _Toks:
    return _Toks(text, start, len(text) if end is None else end)


@dataclass(frozen=True)
class _Cand:
    start: int
    end: int
    claimant: str | None  # None: a pronoun, resolved from earlier sentences
