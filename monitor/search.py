"""Word-form search: the lemmas an article is indexed under, and a query over them.

Articles are indexed by every lemma each of their words may have (pymorphy3
for ru/uk, the rules' suffix rules for en: ``extract.lemmas``, as rule terms
are), so "Буданов" finds "Буданова".  Queries are plain words, never FTS
syntax: each word is any of its lemmas, and every word must be present.
"""

from __future__ import annotations

import re

from .extract.lemmas import lemma_candidates

_WORD = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*", re.UNICODE)
_CYR = re.compile(r"[а-яёіїєґ]", re.IGNORECASE)


def words(text: str) -> list[str]:
    return [w.lower().replace("ё", "е") for w in _WORD.findall(text)]


def _candidates(word: str, langs: tuple[str, ...]) -> set[str]:
    out = {word}
    for lang in langs:
        out.update(x.replace("ё", "е") for x in lemma_candidates(word, lang))
    return out


def _langs(word: str, lang: str | None) -> tuple[str, ...]:
    if not _CYR.search(word):
        return ("en",)
    return (lang,) if lang in ("ru", "uk") else ("ru", "uk")


# A whitespace-separated chunk as written ("Буданова,") -> the lemmas of its words,
# per language setting (all _langs reads of it).  No word crosses whitespace, and
# chunks come back in article after article: most cost one dict look-up.
_MEMO: dict[str | None, dict[str, frozenset[str]]] = {"ru": {}, "uk": {}, None: {}}
_MEMO_MAX = 30_000  # chunks per language setting; emptied when full


def _chunk_lemmas(chunk: str, lang: str | None) -> frozenset[str]:
    found = words(chunk)
    if chunk.isascii() and all(map(str.isdigit, found)):
        # numbers ("1500.", "5,000"), new in most articles: no Cyrillic, so the lemmas
        # are the English ones, which leave digits as they are
        # (tests/test_search_numbers.py)
        return frozenset(found)
    out: set[str] = set()
    for w in found:
        out |= _candidates(w, _langs(w, lang))
    return frozenset(out)


def index_text(title: str, text: str, lang: str | None) -> str:
    """The lemma column of one article: each distinct lemma once."""
    key = lang if lang in ("ru", "uk") else None
    memo = _MEMO[key]
    chunks = set(f"{title}\n{text}".split())
    new = chunks.difference(memo)
    if new:
        if len(memo) + len(new) > _MEMO_MAX:
            memo.clear()
            new = chunks
        for chunk in new:
            memo[chunk] = _chunk_lemmas(chunk, key)
    return " ".join(sorted(set().union(*map(memo.__getitem__, chunks))))


def _quote(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


def lemma_query(query: str) -> str | None:
    """An FTS5 MATCH expression over the lemma column (None: no words in the query)."""
    parts = []
    for w in words(query):
        alternatives = sorted(_candidates(w, _langs(w, None)))
        parts.append("(" + " OR ".join(_quote(a) for a in alternatives) + ")")
    return " AND ".join(parts) or None


def snippet(text: str, query: str, width: int = 12,
            marks: tuple[str, str] = ("[", "]")) -> str:
    """Words around the first word of ``text`` that shares a lemma with the query,
    wrapped in ``marks`` as the FTS snippet wraps them."""
    wanted: set[str] = set()
    for w in words(query):
        wanted |= _candidates(w, _langs(w, None))
    tokens = list(_WORD.finditer(text))
    hit = None
    for i, m in enumerate(tokens):
        w = m.group().lower().replace("ё", "е")
        if w in wanted or _candidates(w, _langs(w, None)) & wanted:
            hit = i
            break
    if not tokens:
        return ""
    if hit is None:
        hit = 0
    lo, hi = max(0, hit - width // 2), min(len(tokens), hit + width // 2)
    m = tokens[hit]
    out = (text[tokens[lo].start():m.start()] + f"{marks[0]}{m.group()}{marks[1]}"
           + text[m.end():tokens[hi - 1].end()])
    out = " ".join(out.split())
    return ("…" if lo else "") + out + ("…" if hi < len(tokens) else "")
