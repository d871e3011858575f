"""Words and punctuation of a text (``_Tok``), and a claimant candidate (``_Cand``)."""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from itertools import accumulate, chain
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


_new_tok = object.__new__

_TOKEN = re.compile(r"\w+(?:[-'’]\w+)*|[^\w\s]")


# A space-separated chunk ("границы,") -> its tokens, and their offsets in it.  No token
# holds a space and _TOKEN looks at nothing around a match, so a text's tokens are its
# chunks' tokens; and chunks come back in text after text.  Emptied together when full.
_CHUNKS: dict[str, tuple[str, ...]] = {}
_OFFSETS: dict[str, tuple[int, ...]] = {}
# ... and its length and token count in one int: len + (tokens << _SHIFT)
_PACKED: dict[str, int] = {}
_SHIFT = 32  # a sentence has fewer than 2**32 characters
_LOW = (1 << _SHIFT) - 1


def _chunk(chunk: str) -> tuple[tuple[str, ...], tuple[int, ...]]:
    found = list(_TOKEN.finditer(chunk))
    return tuple(m.group() for m in found), tuple(m.start() for m in found)


# lows, word flags and cap flags of a sentence's tokens
_Arrays = tuple[tuple[str, ...], tuple[bool, ...], tuple[bool, ...]]


class _Toks(Sequence[_Tok]):
    """The tokens of a stretch of text, a ``_Tok`` made only when first looked at.

    A long sentence has hundreds of words and the claimant rules read a few
    around each speech verb or source phrase; ``words`` (the token strings) is
    all a scan for those needs.  ``chunks`` is the text split at spaces.
    """

    __slots__ = ("words", "chunks", "_start", "_sums", "_made", "_where", "_arrays")

    def __init__(self, text: str, start: int, end: int) -> None:
        self.chunks: list[str] = text[start:end].split(" ")
        chunks = self.chunks
        try:  # most often every chunk is known
            self.words: list[str] = list(chain.from_iterable(map(_CHUNKS.__getitem__, chunks)))
        except KeyError:
            new = set(chunks).difference(_CHUNKS)
            if len(_CHUNKS) + len(new) > 50_000:
                _CHUNKS.clear()
                _OFFSETS.clear()
                _PACKED.clear()
                new = set(chunks)
            for c in new:
                _CHUNKS[c], _OFFSETS[c] = _chunk(c)
                _PACKED[c] = len(c) + (len(_CHUNKS[c]) << _SHIFT)
            self.words = list(chain.from_iterable(map(_CHUNKS.__getitem__, chunks)))
        self._start = start
        # per chunk, the characters (less the spaces between) and tokens before it, as
        # _PACKED: worked out when a first _Tok is made (many sentences make none)
        self._sums: list[int] = []
        self._made: list[_Tok | None] = [None] * len(self.words)
        self._where: dict[int, int] = {}
        self._arrays: _Arrays | None = None

    def arrays(self) -> _Arrays:
        """Every token's ``low``, ``word`` and ``cap``, as _Tok has them: the scans
        around a speech verb read many tokens and keep few, so they read these lists
        and make a _Tok only of what they keep."""
        got = self._arrays
        if got is None:
            try:
                flags = list(map(_FLAGS.__getitem__, self.words))
            except KeyError:
                flags = [_FLAGS.get(w) or _flags(w) for w in self.words]
            if flags:
                lows, words, caps = zip(*flags, strict=True)
                got = self._arrays = (lows, words, caps)
            else:
                got = self._arrays = ((), (), ())
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
        return self.take([i])[0]

    def take(self, indices: list[int]) -> list[_Tok]:
        """[self[i] for i in indices] (indices from 0 up), the _Tok made in one loop."""
        made = self._made
        sums = self._sums
        if not sums:
            self._locate()
            sums = self._sums
        out = []
        for i in indices:
            tok = made[i]
            if tok is None:
                k = bisect_left(sums, (i + 1) << _SHIFT) - 1  # the last chunk with i tokens before
                chunk = self.chunks[k]
                offsets = _OFFSETS.get(chunk)
                if offsets is None:  # emptied since
                    offsets = _chunk(chunk)[1]
                at = self._start + k + (sums[k] & _LOW) + offsets[i - (sums[k] >> _SHIFT)]
                word = self.words[i]
                tok = made[i] = _new_tok(_Tok)  # _Tok(at, at + len(word), word), without the call
                tok.start = at
                tok.end = at + len(word)
                tok.text = word
                tok.low, tok.word, tok.cap = _FLAGS.get(word) or _flags(word)
                self._where[at] = i
            out.append(tok)
        return out

    def _locate(self) -> None:
        try:
            packed = list(map(_PACKED.__getitem__, self.chunks))
        except KeyError:  # emptied since
            packed = [len(c) + (len(_chunk(c)[0]) << _SHIFT) for c in self.chunks]
        self._sums = list(accumulate(packed, initial=0))

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
