"""Canonical claimant names: folding, transliteration, the aliases table."""

from __future__ import annotations

import re

from .morphology import _is_name, _tags
from .tokens import _Tok

_TRANSLIT = dict(zip("абвгґдеєёжзиіїйклмнопрстуфхцчшщъыьэюя",
                     ["a", "b", "v", "g", "g", "d", "e", "e", "e", "zh", "z", "i", "i", "i", "i",
                      "k", "l", "m", "n", "o", "p", "r", "s", "t", "u", "f", "h", "ts", "ch",
                      "sh", "shch", "", "i", "", "e", "iu", "ia"], strict=True))


def fold(name: str) -> str:
    """A spelling-blind key for a name: case, "the", a possessive, punctuation, the
    script and the usual transliteration variants fold away, so "Кирило Буданов",
    "Kyrylo Budanov" and "KYRYLO BUDANOV" share one key."""
    s = name.strip().lower().replace("’", "'")
    s = re.sub(r"^(?:the|die|le)\s+", "", s)
    s = re.sub(r"'s\b", "", s)
    s = "".join(_TRANSLIT.get(c, c) for c in s)
    s = re.sub(r"[^a-z0-9]+", " ", s)
    # one sound, several Latin spellings: kh/h, y/i/j, ts/tz, doubled letters
    s = s.replace("kh", "h").replace("y", "i").replace("j", "i").replace("tz", "ts")
    return re.sub(r"(.)\1+", r"\1", s).strip()


def _display(name: str) -> str:
    """A name outside the table, shown the same way whatever its case: "the Pentagon" and
    "The Pentagon" both read "Pentagon"."""
    s = re.sub(r"(?i)^the\s+", "", " ".join(name.split()).strip(" «»\"“”,"))
    return s[:1].upper() + s[1:]


class Aliases:
    """Canonical claimant names: the rules' ``claimants:`` table plus automatic folding.

    ``canonical`` tries, in order: the table (by folded spelling); a surname alone,
    or a first name and surname whose first name is spelt another way, onto a person
    listed in the table; otherwise the name itself, with case and "the" folded.
    """

    def __init__(self, table: dict[str, str] | None = None) -> None:
        self.key = hash(tuple(sorted((table or {}).items())))  # same table, same key
        self._by_key: dict[str, str] = {}
        surnames: dict[str, set[str]] = {}
        for alias, name in (table or {}).items():
            self._by_key.setdefault(fold(alias), name)
            if self._person(alias):
                words = fold(alias).split()
                surnames.setdefault(words[-1], set()).add(f"{words[0][:1]}\0{name}")
        # surname → {(first initial, canonical)}; only unambiguous surnames fold
        self._surnames = {k: v for k, v in surnames.items()
                          if len({x.split("\0")[1] for x in v}) == 1}
        self._cache: dict[str, str] = {}

    @staticmethod
    def _person(alias: str) -> bool:
        """An alias of two or more words whose first is a given name (pymorphy3 says so)."""
        words = alias.split()
        if len(words) < 2 or not re.search(r"[а-яёіїєґ]", alias, re.I):
            return False
        tok = _Tok(0, len(words[0]), words[0])
        return any(_is_name(tok, lang) and "Name" in _tags(tok.text, lang)
                   for lang in ("ru", "uk"))

    def canonical(self, name: str | None) -> str | None:
        if not name or not name.strip():
            return None
        hit = self._cache.get(name)
        if hit is None:
            hit = self._cache[name] = self._lookup(name)
        return hit

    def _lookup(self, name: str) -> str:
        key = fold(name)
        if key in self._by_key:
            return self._by_key[key]
        words = key.split()
        if words and words[-1] in self._surnames and len(words) <= 3:
            initial, canon = next(iter(self._surnames[words[-1]])).split("\0")
            if len(words) == 1 or words[0][:1] == initial:
                return canon
        return _display(name)


def canonical_name(name: str | None, table: dict[str, str] | None = None) -> str | None:
    """``name`` as its canonical claimant (see ``Aliases``); a one-off helper."""
    return Aliases(table).canonical(name)
