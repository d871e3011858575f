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


def index_text(title: str, text: str, lang: str | None) -> str:
    """The lemma column of one article: each distinct lemma once."""
    seen: set[str] = set()
    for w in words(f"{title}\n{text}"):
        if w not in seen:
            seen.add(w)
    lemmas: set[str] = set()
    for w in seen:
        lemmas.update(_candidates(w, _langs(w, lang)))
    return " ".join(sorted(lemmas))


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
