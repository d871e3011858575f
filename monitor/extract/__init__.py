"""Rule-free extraction of quantities from ru/uk/en text.

    extract(text, lang=None) -> list[Quantity]
    sentences(text) -> list[tuple[int, int]]
"""

from __future__ import annotations

from .engine import extract
from .sentences import sentences

__all__ = ["extract", "sentences"]
