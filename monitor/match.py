"""Match quantities to figures through one term index.

Every rule term is expanded to its inflected forms at load time and put in a
single dict (surface form → entries), plus a dict of glob stems.  An article's
words are looked up once each, so the work per article grows with the number of
*hits*, not with the number of rules.

Where a term counts for a number:
- measure: attached to the number — the counted noun's span, the few words
  right after the number (up to punctuation or the next number), the unit
  lemma, and — when the number has no noun of its own (a share, or an elided
  "about 6,000 more") — the words before it in its clause.  A number with no
  noun and no measure word inherits the measure of the previous number in
  its sentence ("10,000 soldiers ... and 6,000 more").
- exclude / require: the number's own clause — the stretch of its sentence
  between the clause breaks that separate it from its neighbouring numbers —
  plus the sentence's head before its first number, which speaks for all of
  them.  So "Pyongyang sent 10,000, and 6,000 more" gives "more" to 6,000 only.
  Words inside a number's own qualifier ("more than 10,000") never count.
- subject: anywhere in the rule's scope (sentence, paragraph, article).  With
  scope sentence and ``lookback`` N, a sentence that does not name the subject
  borrows it from the N sentences before it ("Pyongyang plans to send
  additional troops. According to him, about 6,000 ..."); those sentences then
  also count for exclude/require.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING

from .models import Article, Observation, Quantity

if TYPE_CHECKING:
    from .rules import Figure

ROLES = ("subject", "measure", "exclude", "require")
MEASURE_AFTER = 6  # words after the number that may name what is counted
MIN_STEM = 3  # shortest glob stem accepted ("кнд*" is the limit)

_WORD = re.compile(r"\w+(?:['’-]\w+)*")
_HARD_BREAK = re.compile(r"[,;:()\[\]«»\"“”—–]|\s-\s")
_CLAUSE_WORDS = frozenset({
    "and", "while", "but", "whereas", "plus",
    "и", "а", "но", "также", "плюс",
    "і", "й", "та", "але", "також",
})


def _fold(text: str) -> str:
    return text.lower().replace("ё", "е").replace("’", "'")


def _drop_s(w: str) -> str:
    return w[:-2] if w.endswith("'s") else w


def norm(word: str) -> str:
    """The form words and terms are compared in ("Korea's" → "korea")."""
    return _drop_s(_fold(word))


def _norm_tokens(text: str, spans: Sequence[tuple[int, int]]) -> list[str]:
    """norm() of every token, with the case folding done once for the whole text."""
    low = _fold(text)
    if len(low) != len(text):  # a letter whose lower case is longer ("İ"): go word by word
        return [norm(text[a:b]) for a, b in spans]
    return [_drop_s(low[a:b]) for a, b in spans]


def _langs_for(word: str) -> tuple[str, ...]:
    if not re.search(r"[а-яёіїєґ]", word):
        return ("en",)
    if re.search(r"[іїєґ]", word):
        return ("uk",)
    if re.search(r"[ыэъё]", word):
        return ("ru",)
    return ("ru", "uk")


@dataclass(frozen=True, slots=True)
class WordPattern:
    """One word of a term: a set of inflected forms, or a glob stem."""

    forms: frozenset[str] = frozenset()
    stem: str = ""

    def matches(self, token: str) -> bool:
        return token.startswith(self.stem) if self.stem else token in self.forms


def compile_word(word: str) -> WordPattern:
    """'солдат' → every case form; 'дополнительн*' → stem; '=ещё' → that form only."""
    from .extract.lemmas import forms

    if word.endswith("*"):
        return WordPattern(stem=norm(word[:-1]))
    if word.startswith("="):
        return WordPattern(forms=frozenset({norm(word[1:])}))
    out: set[str] = {norm(word)}
    for lang in _langs_for(norm(word)):
        out.update(norm(f) for f in forms(word, lang))
    return WordPattern(forms=frozenset(out))


def term_problem(term: str) -> str | None:
    """Why a term string cannot be used, or None."""
    words = term.split()
    if not words:
        return "empty term"
    for w in words:
        body = w[1:] if w.startswith("=") else w
        if "*" in body[:-1]:
            return f"'{w}': '*' may only end a word, as in дополнительн*"
        if w.startswith("=") and w.endswith("*"):
            return f"'{w}': a word is either exact (=word) or a stem (word*), not both"
        core = body.rstrip("*")
        if not _WORD.fullmatch(core):
            return f"'{w}' is not a word (letters, digits, - and ' only)"
        if body.endswith("*") and len(core) < MIN_STEM:
            return f"stem '{w}' is too short (at least {MIN_STEM} letters before '*')"
    return None


@dataclass(frozen=True, slots=True)
class Term:
    """One term shape in one role, shared by every rule that lists it."""

    role: str
    words: tuple[WordPattern, ...]
    rules: frozenset[int]


@dataclass
class _Bucket:
    """The terms sharing a first word, with longer terms keyed by their second word."""

    single: list[Term] = field(default_factory=list)
    by_second: dict[str, list[Term]] = field(default_factory=lambda: defaultdict(list))
    second_stem: list[Term] = field(default_factory=list)

    def add(self, term: Term) -> None:
        if len(term.words) == 1:
            self.single.append(term)
        elif term.words[1].stem:
            self.second_stem.append(term)
        else:
            for f in term.words[1].forms:
                self.by_second[f].append(term)


@dataclass
class TermIndex:
    """surface form / stem of a term's first word → the terms that start with it."""

    by_form: dict[str, _Bucket] = field(default_factory=lambda: defaultdict(_Bucket))
    by_stem: dict[str, _Bucket] = field(default_factory=lambda: defaultdict(_Bucket))
    stem_lengths: list[int] = field(default_factory=list)
    _memo: dict[str, tuple[_Bucket, ...]] = field(default_factory=dict, repr=False)

    def add(self, term: Term) -> None:
        first = term.words[0]
        if first.stem:
            self.by_stem[first.stem].add(term)
            if len(first.stem) not in self.stem_lengths:
                self.stem_lengths.append(len(first.stem))
                self.stem_lengths.sort()
        else:
            for f in first.forms:
                self.by_form[f].add(term)

    def starting(self, tok: str) -> tuple[_Bucket, ...]:
        """Buckets whose first word matches ``tok`` (memoised: words repeat a lot)."""
        got = self._memo.get(tok)
        if got is None:
            found = [self.by_form[tok]] if tok in self.by_form else []
            for n in self.stem_lengths:
                if n > len(tok):
                    break
                if tok[:n] in self.by_stem:
                    found.append(self.by_stem[tok[:n]])
            got = tuple(found)
            if len(self._memo) > 500_000:
                self._memo.clear()
            self._memo[tok] = got
        return got

    def lookup(self, tokens: Sequence[str], i: int) -> list[tuple[Term, int]]:
        """Terms matching at token i, each with the index of its last token."""
        buckets = self.starting(tokens[i])
        if not buckets:
            return []
        out: list[tuple[Term, int]] = []
        nxt = tokens[i + 1] if i + 1 < len(tokens) else None
        for b in buckets:
            out.extend((t, i) for t in b.single)
            if nxt is None:
                continue
            for term in (*b.by_second.get(nxt, ()), *b.second_stem):
                last = i + len(term.words) - 1
                if last < len(tokens) and all(term.words[k].matches(tokens[i + k])
                                              for k in range(1, len(term.words))):
                    out.append((term, last))
        return out


def build_index(figures: Sequence[Figure]) -> TermIndex:
    """One entry per (role, term) however many rules share it."""
    compiled: dict[str, WordPattern] = {}
    shared: dict[tuple[str, tuple[WordPattern, ...]], set[int]] = defaultdict(set)
    for r, fig in enumerate(figures):
        for role in ROLES:
            for raw in getattr(fig, role):
                for w in raw.split():
                    if w not in compiled:
                        compiled[w] = compile_word(w)
                shared[(role, tuple(compiled[w] for w in raw.split()))].add(r)
    index = TermIndex()
    for (role, shape), rules in shared.items():
        index.add(Term(role, shape, frozenset(rules)))
    return index


@dataclass(slots=True)
class _Hit:
    rules: frozenset[int]
    role: str
    start: int  # char span of the matched words
    end: int


def _category(q: Quantity) -> str:
    """Which kind of rule may take this quantity."""
    if q.kind == "percent" or q.unit == "%":
        return "percent"
    return "amount" if q.kind == "amount" else "count"


@lru_cache(maxsize=20_000)
def _is_noun(unit: str, lang: str) -> bool:
    """False for a "unit" that cannot be a counted noun ("6 тысяч дополнительно")."""
    if not re.search(r"[а-яёіїєґ]", unit) or " " in unit:
        return True
    from .extract.lemmas import analyzer

    parses = analyzer("uk" if lang == "uk" else "ru").parse(unit)
    return any(p.tag.POS in ("NOUN", None) for p in parses)


def _paragraphs(text: str) -> list[int]:
    """Start offsets of paragraphs (one per line)."""
    return [0] + [m.end() for m in re.finditer(r"\n", text)]


def _union(hits: Sequence[_Hit], role: str) -> set[int]:
    out: set[int] = set()
    for h in hits:
        if h.role == role:
            out |= h.rules
    return out


class Matcher:
    """Matches an article's quantities against the indexed figures.

    Rules are handled as sets of rule numbers throughout, so a number that
    1,000 rules could claim costs a few set operations, not 1,000 checks.
    """

    def __init__(self, figures: Sequence[Figure]) -> None:
        self.figures = list(figures)
        self.index = build_index(self.figures)
        by = self._rules_where
        self.kind_rules = {k: by("kind", k) for k in ("count", "percent", "amount")}
        self.scope_rules = {s: by("scope", s) for s in ("sentence", "paragraph", "article")}
        self.no_subject = frozenset(r for r, f in enumerate(self.figures) if not f.subject)
        self.max_lookback = max((f.lookback for f in self.figures), default=0)
        self.lookback_at_least = [
            frozenset(r for r, f in enumerate(self.figures) if f.lookback >= k)
            for k in range(self.max_lookback + 1)]
        self.requiring = frozenset(r for r, f in enumerate(self.figures) if f.require)

    def _rules_where(self, attr: str, value: str) -> frozenset[int]:
        return frozenset(r for r, f in enumerate(self.figures) if getattr(f, attr) == value)

    def match(self, article: Article, quantities: list[Quantity] | None = None
              ) -> list[Observation]:
        from .claimants import find_claimant
        from .extract.lang import detect_lang
        from .extract.sentences import sentences

        text = article.text
        lang = article.lang or detect_lang(text)
        if quantities is None:
            from .extract import extract

            quantities = extract(text, lang)
        if not quantities or not self.figures:
            return []
        qs = sorted(quantities, key=lambda q: q.start)
        sents = sentences(text) or [(0, len(text))]
        sent_starts = [a for a, _ in sents]
        para_starts = _paragraphs(text)

        tok_spans = [(m.start(), m.end()) for m in _WORD.finditer(text)]
        tokens = _norm_tokens(text, tok_spans)
        tok_starts = [a for a, _ in tok_spans]
        q_starts = [q.start for q in qs]
        # the number and its qualifier, without the counted noun the surface may include
        q_cores = [(q.start, min(q.end, q.unit_start if q.unit_start is not None
                                 and q.unit_start > q.start else q.end)) for q in qs]

        def inside_quantity(a: int) -> bool:
            k = bisect_right(q_starts, a) - 1
            return k >= 0 and q_cores[k][1] > a

        # every term hit in the article, found by one lookup per word
        measure_hits: list[_Hit] = []
        qual_hits: list[_Hit] = []
        subj_hits: list[_Hit] = []
        starting = self.index.starting
        for i, tok in enumerate(tokens):
            if not starting(tok):  # most words start no term: skip the lookup
                continue
            for term, last in self.index.lookup(tokens, i):
                hit = _Hit(term.rules, term.role, tok_spans[i][0], tok_spans[last][1])
                if term.role == "measure":
                    measure_hits.append(hit)
                elif term.role == "subject":
                    subj_hits.append(hit)
                elif not inside_quantity(hit.start):  # "more than 10,000" is no term
                    qual_hits.append(hit)
        if not measure_hits:
            return []

        def sent_of(pos: int) -> int:
            return max(bisect_right(sent_starts, pos) - 1, 0)

        subj_sent: dict[int, set[int]] = defaultdict(set)
        subj_para: dict[int, set[int]] = defaultdict(set)
        subj_art: set[int] = set()
        for h in subj_hits:
            subj_sent[sent_of(h.start)] |= h.rules
            subj_para[bisect_right(para_starts, h.start) - 1] |= h.rules
            subj_art |= h.rules
        title_tokens = [norm(t) for t in _WORD.findall(article.title or "")]
        for i in range(len(title_tokens)):
            for term, _ in self.index.lookup(title_tokens, i):
                if term.role == "subject":
                    subj_art |= term.rules

        measure_starts = [h.start for h in measure_hits]
        qual_starts = [h.start for h in qual_hits]

        def measures_in(a: int, b: int) -> set[int]:
            lo, hi = bisect_left(measure_starts, a), bisect_left(measure_starts, b)
            out: set[int] = set()
            for h in measure_hits[lo:hi]:
                if h.end <= b:
                    out |= h.rules
            return out

        def quals_in(a: int, b: int) -> list[_Hit]:
            lo, hi = bisect_left(qual_starts, a), bisect_left(qual_starts, b)
            return [h for h in qual_hits[lo:hi] if h.end <= b]

        def sent_span(q: Quantity) -> tuple[int, int]:
            if q.sentence_end > q.sentence_start:
                return q.sentence_start, q.sentence_end
            return sents[sent_of(q.start)]

        first_in: dict[tuple[int, int], int] = {}
        for q in qs:
            first_in.setdefault(sent_span(q), q.start)

        claims: dict[int, tuple[str | None, str | None]] = {}
        out: list[Observation] = []
        seen: set[tuple[object, ...]] = set()
        prev_measured: tuple[int, set[int]] | None = None  # (sentence, rules) of last number
        for qi, q in enumerate(qs):
            si = sent_of(q.start)
            s0, s1 = sent_span(q)
            prev_end = qs[qi - 1].end if qi and sent_span(qs[qi - 1]) == (s0, s1) else s0
            next_start = (qs[qi + 1].start
                          if qi + 1 < len(qs) and sent_span(qs[qi + 1]) == (s0, s1) else s1)

            # what is counted: the noun phrase, the words after, the unit lemma
            after_end = self._after_window(text, tok_starts, tok_spans, q.end,
                                           min(next_start, s1))
            rules = measures_in(q.end, after_end)
            if q.unit_start is not None and q.unit_end is not None:
                rules |= measures_in(q.unit_start, q.unit_end)
            if q.unit and q.unit != "%":
                unit_tokens = [norm(t) for t in _WORD.findall(q.unit)]
                for i in range(len(unit_tokens)):
                    for term, _ in self.index.lookup(unit_tokens, i):
                        if term.role == "measure":
                            rules |= term.rules
            no_noun = not q.unit or q.unit == "%" or not _is_noun(q.unit, lang)
            if no_noun:
                rules |= measures_in(self._clause_start(text, prev_end, q.start), q.start)
            if not rules and no_noun and prev_measured and prev_measured[0] == s0:
                rules = set(prev_measured[1])  # elided noun: "and 6,000 more"
            prev_measured = (s0, rules)
            rules &= self.kind_rules[_category(q)]
            if not rules:
                continue

            # the subject: in scope, or (sentence scope) in one of the sentences before
            # (each "&" starts from the candidates, so its cost is theirs, not the rules')
            in_sentence = rules & self.scope_rules["sentence"]
            direct = ((rules & self.no_subject)
                      | (in_sentence & subj_sent.get(si, set()))
                      | (rules & self.scope_rules["paragraph"]
                         & subj_para.get(bisect_right(para_starts, q.start) - 1, set()))
                      | (rules & self.scope_rules["article"] & subj_art))
            groups: list[tuple[set[int], range]] = [(direct, range(0))]
            rest = in_sentence - direct
            for k in range(1, min(self.max_lookback, si) + 1):
                if not rest:
                    break
                lean = rest & subj_sent.get(si - k, set()) & self.lookback_at_least[k]
                if lean:
                    groups.append((lean, range(si - k, si)))
                    rest -= lean

            # exclude/require: the number's own clause, the sentence head, lent sentences
            c0 = self._split(text, prev_end, q.start) if prev_end != s0 else s0
            c1 = self._split(text, q.end, next_start) if next_start != s1 else s1
            local = quals_in(c0, c1) + quals_in(s0, min(first_in[(s0, s1)], c0))
            accepted: set[int] = set()
            for group, lent in groups:
                if not group:
                    continue
                hits = local + [h for k in lent for h in quals_in(*sents[k])]
                ok = group - _union(hits, "exclude")
                ok -= (ok & self.requiring) - _union(hits, "require")
                accepted |= ok
            for r in sorted(accepted):
                fig = self.figures[r]
                if qi not in claims:  # one claimant look-up per number, not per rule
                    claims[qi] = find_claimant(text, (s0, s1), (q.start, q.end), lang)
                obs = self._observation(article, fig, q, text, (s0, s1), claims[qi])
                key = (fig.id, obs.track, q.low, q.high, q.qualifier)
                if key not in seen:  # the same figure and value again in one article
                    seen.add(key)
                    out.append(obs)
        return out

    @staticmethod
    def _after_window(text: str, tok_starts: list[int], tok_spans: list[tuple[int, int]],
                      start: int, limit: int) -> int:
        """End of the few words after a number, stopping at punctuation."""
        i = bisect_left(tok_starts, start)
        end = start
        for k in range(i, min(i + MEASURE_AFTER, len(tok_spans))):
            a, b = tok_spans[k]
            if a >= limit or _HARD_BREAK.search(text, end, a):
                break
            end = b
        return end

    @staticmethod
    def _clause_start(text: str, lo: int, hi: int) -> int:
        """Start of the clause that ends at ``hi`` (after the last hard break)."""
        last = lo
        for m in _HARD_BREAK.finditer(text, lo, hi):
            last = m.end()
        return last

    @staticmethod
    def _split(text: str, lo: int, hi: int) -> int:
        """Where the gap between two numbers changes clause: its last break, else its end."""
        cuts = [m.start() for m in _HARD_BREAK.finditer(text, lo, hi)]
        cuts += [m.start() for m in _WORD.finditer(text, lo, hi)
                 if norm(m.group()) in _CLAUSE_WORDS]
        return max(cuts) if cuts else hi

    @staticmethod
    def _observation(article: Article, fig: Figure, q: Quantity, text: str,
                     sent: tuple[int, int], claim: tuple[str | None, str | None]
                     ) -> Observation:
        claimant, relayed = claim
        track = ""
        if fig.per_claimant:
            track = norm(claimant).strip() if claimant else "unattributed"
        return Observation(
            figure=fig.id, article=article.url, published=article.published,
            low=q.low, high=q.high, qualifier=q.qualifier, unit=q.unit, surface=q.surface,
            quote=" ".join(text[sent[0]:sent[1]].split()), claimant=claimant, relayed=relayed,
            change=q.change, start=q.start, end=q.end, article_id=article.id,
            source=article.source, track=track,
        )
