"""Words and punctuation of a text (``_Tok``), and a claimant candidate (``_Cand``)."""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from itertools import accumulate, chain
from operator import itemgetter
from typing import overload

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


# _TOKEN after the whitespace before it: every other character starts a token, so the
# matches are _TOKEN's and the lengths of the two groups give every offset
_SPACED = re.compile(r"(\s*)(\w+(?:[-'’]\w+)*|[^\w\s])")
_SECOND = itemgetter(1)


class _Toks(Sequence[_Tok]):
    """The tokens of a stretch of text, a ``_Tok`` made only when first looked at.

    A long sentence has hundreds of words and the claimant rules read a few
    around each speech verb or source phrase; ``words`` (the token strings) is
    all a scan for those needs.
    """

    __slots__ = ("words", "_at", "_made")

    def __init__(self, text: str, start: int, end: int) -> None:
        pairs = _SPACED.findall(text, start, end)
        self.words: list[str] = list(map(_SECOND, pairs))
        # [start, token 0 start, token 0 end, token 1 start, ...]
        self._at = list(accumulate(map(len, chain.from_iterable(pairs)), initial=start))
        self._made: list[_Tok | None] = [None] * len(self.words)

    def __len__(self) -> int:
        return len(self.words)

    @overload
    def __getitem__(self, i: int) -> _Tok: ...
    @overload
    def __getitem__(self, i: slice) -> list[_Tok]: ...

    def __getitem__(self, i: int | slice) -> _Tok | list[_Tok]:
        if isinstance(i, slice):
            return [self[k] for k in range(*i.indices(len(self.words)))]
        tok = self._made[i]
        if tok is None:
            if i < 0:
                i += len(self.words)
            tok = self._made[i] = _Tok(self._at[2 * i + 1], self._at[2 * i + 2], self.words[i])
        return tok

    def __iter__(self) -> Iterator[_Tok]:
        for i in range(len(self.words)):
            yield self[i]

    def index(self, tok: object, start: int = 0, stop: int | None = None) -> int:
        # a token is equal only to itself: find it by its offset
        if isinstance(tok, _Tok):
            i = bisect_left(self._at, tok.start, 1) // 2
            for k in (i - 1, i, i + 1):
                if max(0, start) <= k < len(self.words) and (stop is None or k < stop) \
                        and self._made[k] is tok:
                    return k
        raise ValueError("not a token of this text")


Toks = Sequence[_Tok]


def _tokens(text: str, start: int = 0, end: int | None = None) -> _Toks:
    return _Toks(text, start, len(text) if end is None else end)


@dataclass(frozen=True)
class _Cand:
    start: int
    end: int
    claimant: str | None  # None: a pronoun, resolved from earlier sentences
