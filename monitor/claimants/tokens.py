"""Words and punctuation of a text (``_Tok``), and a claimant candidate (``_Cand``)."""

from __future__ import annotations

import re
from dataclasses import dataclass

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


def _tokens(text: str, start: int = 0, end: int | None = None) -> list[_Tok]:
    return [_Tok(m.start(), m.end(), m.group(0))
            for m in _TOKEN.finditer(text, start, len(text) if end is None else end)]


@dataclass(frozen=True)
class _Cand:
    start: int
    end: int
    claimant: str | None  # None: a pronoun, resolved from earlier sentences
