"""Rule files: load, validate and run the figures analysts define in rules/*.yaml.

The format is described in rules/README.md.  Every file in a directory is
checked before anything runs, and every problem of every file is reported at
once with file:line:column.  Matching lives in monitor/match.py.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import Problem, RuleError
from .match import Matcher, term_problem
from .models import QUALIFIERS, Article, Observation, Quantity, Value, Verdict
from .words import value_words
from .yamlio import Located, did_you_mean, load_file, one_line

KINDS = ("count", "percent", "amount")
SCOPES = ("sentence", "paragraph", "article")
TERM_ROLES = ("subject", "measure", "exclude", "require", "rivals", "recipients")
FIGURE_KEYS = {
    "id": str, "title": str, "description": str, "kind": str, "unit_label": str,
    "subject": list, "scope": str, "lookback": int, "headline": bool, "measure": list,
    "exclude": list, "require": list, "rivals": list, "recipients": list, "bounds": dict,
    "change": dict,
    "per_claimant": bool, "shares": bool, "maker": bool, "examples": list,
}
BOUNDS_KEYS = ("min", "max")
REQUIRED = ("id", "title", "kind", "measure")
FILE_KEYS = ("figures", "claimants")
CHANGE_KEYS = ("min_relative", "min_absolute")
EXAMPLE_KEYS = {"text": str, "title": str, "lang": str, "expect": object, "note": str}
EXPECT_KEYS = ("low", "high", "qualifier", "previous")
_ID = re.compile(r"[a-z0-9][a-z0-9._-]*")
_TYPE_NAMES = {str: "a string", list: "a list", dict: "a mapping", int: "a whole number",
               bool: "true or false", object: "a value"}


@dataclass(frozen=True)
class Expect:
    low: float | int | None
    high: float | int | None
    qualifier: str
    previous: Expect | None = None  # "rose from X to Y": X

    def __str__(self) -> str:
        own = f"{self.qualifier} {self.low}..{self.high}"
        return f"{own} (from {self.previous})" if self.previous else own


@dataclass(frozen=True)
class Example:
    text: str
    lang: str | None
    expect: tuple[Expect, ...]  # () means: this figure must not be found
    file: str = ""
    line: int | None = None
    title: str = ""  # a headline, for rules that take the subject from it


@dataclass(frozen=True)
class Figure:
    """One tracked figure, as defined in a rule file."""

    id: str
    title: str
    kind: str  # count | percent | amount
    unit_label: str  # for display: "troops", "% of ammunition", "units"
    measure: tuple[str, ...]
    subject: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    require: tuple[str, ...] = ()
    rivals: tuple[str, ...] = ()
    recipients: tuple[str, ...] = ()  # rivals that take delivery ("Moscow received …")
    scope: str = "sentence"
    lookback: int = 1
    headline: bool = False  # the headline lends its subject to every sentence
    minimum: float | None = None  # bounds: values wholly outside them are not this figure
    maximum: float | None = None
    min_relative: float = 0.0
    min_absolute: float = 0.0
    per_claimant: bool = False
    shares: bool = False  # a count figure that also records shares of what it counts
    maker: bool = False  # the subject in a number's own noun phrase stands for `require`
    description: str = ""
    examples: tuple[Example, ...] = ()
    file: str = ""
    line: int | None = None
    column: int | None = None

    def holds(self, q: Quantity) -> bool:
        """Whether the quantity's interval reaches into the figure's bounds."""
        if self.maximum is not None and q.low is not None and q.low > self.maximum:
            return False
        return not (self.minimum is not None and q.high is not None and q.high < self.minimum)


@dataclass(frozen=True)
class ExampleResult:
    figure: str
    example: Example
    passed: bool
    got: tuple[Expect, ...]


@dataclass
class RuleSet:
    """Every figure of a rules directory, indexed for matching."""

    figures: dict[str, Figure]
    files: list[Path] = field(default_factory=list)
    _matcher: Matcher | None = field(default=None, repr=False)

    @property
    def matcher(self) -> Matcher:
        if self._matcher is None:
            self._matcher = Matcher(list(self.figures.values()))
        return self._matcher

    def match(self, article: Article, quantities: list[Quantity] | None = None,
              verdicts: list[Verdict] | None = None) -> list[Observation]:
        """Observations of tracked figures in ``article`` (extracts when not given);
        ``verdicts``, when given, receives what became of every quantity."""
        return self.matcher.match(article, quantities, verdicts)

    def run_examples(self) -> list[ExampleResult]:
        """Run every inline example through the whole rule set."""
        results: list[ExampleResult] = []
        for fig in self.figures.values():
            for ex in fig.examples:
                art = Article(id="example", title=ex.title, url=f"{ex.file}:{ex.line}",
                              source="", published=None, lang=ex.lang, text=ex.text)
                got = tuple(_expect_of(o) for o in self.match(art) if o.figure == fig.id)
                results.append(ExampleResult(fig.id, ex, _same(ex.expect, got), got))
        return results


def _expect_of(obs: Observation) -> Expect:
    prev = obs.previous
    return Expect(obs.low, obs.high, obs.qualifier,
                  Expect(prev.low, prev.high, prev.qualifier) if prev else None)


def _same(want: tuple[Expect, ...], got: tuple[Expect, ...]) -> bool:
    """Equal as multisets; an expectation without ``previous`` does not check it."""
    def own(e: Expect) -> str:
        nan = float("nan")
        return str((e.qualifier, nan if e.low is None else round(float(e.low), 1),
                    nan if e.high is None else round(float(e.high), 1)))

    rest = list(got)
    for w in want:
        for g in rest:
            if own(w) == own(g) and (w.previous is None or (
                    g.previous is not None and own(w.previous) == own(g.previous))):
                rest.remove(g)
                break
        else:
            return False
    return not rest


def rule_files(directory: str | Path) -> list[Path]:
    d = Path(directory)
    if d.is_file():
        return [d]
    return sorted([*d.glob("*.yaml"), *d.glob("*.yml")])


def load_rules(directory: str | Path) -> RuleSet:
    """Load and validate every rule file in ``directory`` (or one file).

    Raises RuleError listing every problem of every file.
    """
    d = Path(directory)
    if not d.exists():
        raise RuleError([Problem(str(d), None, None, "rules directory not found",
                                 "pass the folder holding your *.yaml rule files")], str(d))
    files = rule_files(d)
    if not files:
        raise RuleError([Problem(str(d), None, None, "no rule files (*.yaml) here",
                                 "add a rule file; see rules/README.md for the format")],
                        str(d))
    problems: list[Problem] = []
    figures: dict[str, Figure] = {}
    for f in files:
        located = load_file(f)
        problems.extend(located.problems)
        if located.problems and located.data is None:  # nothing to check further
            continue
        for fig in _figures(located, problems):
            if fig.id in figures:
                first = figures[fig.id]
                problems.append(Problem(fig.file, fig.line, fig.column,
                                        f"duplicate figure id '{fig.id}'",
                                        f"first defined at {first.file}:{first.line}; "
                                        "rename one"))
            else:
                figures[fig.id] = fig
    if problems:  # a term shared through a YAML alias is reported once, not per use
        raise RuleError(list(dict.fromkeys(problems)), str(d))
    return RuleSet(figures, files)


def _figures(loc: Located, problems: list[Problem]) -> list[Figure]:
    data = loc.data
    if data is None:
        problems.append(loc.problem((), "empty rule file", "add 'figures:' with a list"))
        return []
    if not isinstance(data, dict):
        problems.append(loc.problem((), "a rule file must be a mapping with 'figures:'",
                                    "start the file with 'figures:'"))
        return []
    for key in data:
        if key not in FILE_KEYS:
            problems.append(loc.problem((key,), f"unknown key '{key}'",
                                        did_you_mean(str(key), FILE_KEYS)))
    if "claimants" in data:
        problems.extend(_claimants(loc)[1])
        if "figures" not in data:
            return []  # a file of claimant aliases only
    items = data.get("figures")
    if not isinstance(items, list) or not items:
        problems.append(loc.problem(("figures",), "'figures' must be a non-empty list",
                                    "list one or more figures, each starting with '- id:'"))
        return []
    out: list[Figure] = []
    for i, item in enumerate(items):
        fig = _figure(loc, ("figures", i), item, problems)
        if fig is not None:
            out.append(fig)
    return out


def _figure(loc: Located, path: tuple[str | int, ...], item: Any,
            problems: list[Problem]) -> Figure | None:
    if not isinstance(item, dict):
        problems.append(loc.problem(path, "each figure must be a mapping",
                                    "start it with '- id: my-figure'"))
        return None
    before = len(problems)

    def bad(key: str | tuple[str | int, ...], message: str, hint: str = "") -> None:
        sub = (key,) if isinstance(key, str) else key
        problems.append(loc.problem(path + sub, message, hint))

    for key, value in item.items():
        if key not in FIGURE_KEYS:
            bad(str(key), f"unknown key '{key}'", did_you_mean(str(key), FIGURE_KEYS))
        elif not _is(value, FIGURE_KEYS[key]):
            bad(key, f"'{key}' must be {_TYPE_NAMES[FIGURE_KEYS[key]]}",
                f"got {_type_name(value)}")
    for key in REQUIRED:
        if key not in item:
            bad((), f"figure is missing '{key}'", _REQUIRED_HINTS[key])
    if len(problems) > before:
        return None

    fid = item["id"]
    if not _ID.fullmatch(fid):
        bad("id", f"figure id '{fid}' is not valid",
            "use lower-case letters, digits, '-', '_' or '.', e.g. dprk-troops")
    kind = item["kind"]
    if kind not in KINDS:
        bad("kind", f"unknown kind '{kind}'", did_you_mean(kind, KINDS))
    scope = item.get("scope", "sentence")
    if scope not in SCOPES:
        bad("scope", f"unknown scope '{scope}'", did_you_mean(scope, SCOPES))
    lookback = item.get("lookback", 1)
    if not 0 <= lookback <= 5:
        bad("lookback", "'lookback' must be between 0 and 5", "it counts earlier sentences")
    minimum, maximum = _bounds(loc, path, item.get("bounds"), problems)
    if item.get("shares") and kind != "count":
        bad("shares", "'shares' is for count figures",
            "a percent figure takes shares already; remove 'shares'")
    terms: dict[str, tuple[str, ...]] = {}
    for role in TERM_ROLES:
        terms[role] = _terms(loc, path, role, item.get(role), problems)
    min_rel, min_abs = _change(loc, path, item.get("change"), problems)
    examples = _examples(loc, path, item.get("examples") or [], problems)
    if len(problems) > before:
        return None
    line, column = loc.where(path + ("id",))
    default_label = "%" if kind == "percent" else terms["measure"][0]
    return Figure(
        id=fid, title=one_line(item["title"]), kind=kind,  # it goes into mail subjects
        unit_label=item.get("unit_label") or default_label,
        measure=terms["measure"], subject=terms["subject"], exclude=terms["exclude"],
        require=terms["require"], rivals=terms["rivals"], recipients=terms["recipients"],
        scope=scope, lookback=lookback,
        headline=bool(item.get("headline", False)), minimum=minimum, maximum=maximum,
        min_relative=min_rel, min_absolute=min_abs,
        per_claimant=bool(item.get("per_claimant", False)),
        shares=bool(item.get("shares", False)), maker=bool(item.get("maker", False)),
        description=item.get("description", ""), examples=examples,
        file=loc.file, line=line, column=column,
    )


_REQUIRED_HINTS = {
    "id": "add 'id: my-figure' (lower case, unique across files)",
    "title": "add 'title:' with a short human-readable name",
    "kind": "add 'kind: count', 'kind: percent' or 'kind: amount'",
    "measure": "add 'measure: [...]' listing the counted nouns, e.g. [солдат, troops]",
}


def _is(value: Any, want: type) -> bool:
    if want is object:
        return True
    if want is int:
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, want)


def _type_name(value: Any) -> str:
    return "nothing" if value is None else type(value).__name__


def _terms(loc: Located, path: tuple[str | int, ...], role: str, value: Any,
           problems: list[Problem]) -> tuple[str, ...]:
    if value is None:
        return ()
    if not value:
        problems.append(loc.problem(path + (role,), f"'{role}' is an empty list",
                                    "list at least one term, or remove the key"))
        return ()
    out: list[str] = []
    flat: list[tuple[tuple[int, ...], Any]] = []

    def splice(items: list[Any], at: tuple[int, ...]) -> None:
        for i, term in enumerate(items):  # a nested list (a YAML alias) is spliced in
            if isinstance(term, list):
                splice(term, at + (i,))
            else:
                flat.append((at + (i,), term))

    splice(value, ())
    for pos, term in flat:
        at = path + (role, *pos)
        if not isinstance(term, str | int) or isinstance(term, bool):
            problems.append(loc.problem(at, f"{role} term must be a word",
                                        f"got {_type_name(term)}; quote it"))
            continue
        why = term_problem(str(term))
        if why:
            problems.append(loc.problem(at, f"bad {role} term: {why}",
                                        "write a word or phrase, e.g. солдат or North Korea"))
            continue
        if str(term) not in out:
            out.append(str(term))
    return tuple(out)


def _change(loc: Located, path: tuple[str | int, ...], value: Any,
            problems: list[Problem]) -> tuple[float, float]:
    got = {"min_relative": 0.0, "min_absolute": 0.0}
    for key, v in (value or {}).items():
        p = path + ("change", str(key))
        if key not in CHANGE_KEYS:
            problems.append(loc.problem(p, f"unknown key '{key}' in change",
                                        did_you_mean(str(key), CHANGE_KEYS)))
        elif isinstance(v, bool) or not isinstance(v, int | float) or v < 0:
            problems.append(loc.problem(p, f"'{key}' must be a number ≥ 0",
                                        "e.g. min_relative: 0.05 for 5%"))
        else:
            got[key] = float(v)
    return got["min_relative"], got["min_absolute"]


def _bounds(loc: Located, path: tuple[str | int, ...], value: Any,
            problems: list[Problem]) -> tuple[float | None, float | None]:
    got: dict[str, float | None] = {"min": None, "max": None}
    for key, v in (value or {}).items():
        p = path + ("bounds", str(key))
        if key not in BOUNDS_KEYS:
            problems.append(loc.problem(p, f"unknown key '{key}' in bounds",
                                        did_you_mean(str(key), BOUNDS_KEYS)))
        elif isinstance(v, bool) or not isinstance(v, int | float):
            problems.append(loc.problem(p, f"bounds '{key}' must be a number",
                                        "e.g. bounds: {min: 100, max: 200000}"))
        else:
            got[key] = float(v)
    lo, hi = got["min"], got["max"]
    if lo is not None and hi is not None and lo > hi:
        problems.append(loc.problem(path + ("bounds",), "bounds 'min' is above 'max'",
                                    "swap them"))
    return lo, hi


def _examples(loc: Located, path: tuple[str | int, ...], items: list[Any],
              problems: list[Problem]) -> tuple[Example, ...]:
    out: list[Example] = []
    for i, ex in enumerate(items):
        p = path + ("examples", i)
        start = len(problems)
        if not isinstance(ex, dict):
            problems.append(loc.problem(p, "an example must be a mapping",
                                        "write '- text: ...' and 'expect: ...'"))
            continue
        for key, v in ex.items():
            if key not in EXAMPLE_KEYS:
                problems.append(loc.problem(p + (str(key),), f"unknown key '{key}' in example",
                                            did_you_mean(str(key), EXAMPLE_KEYS)))
            elif not _is(v, EXAMPLE_KEYS[key]):
                problems.append(loc.problem(p + (key,), f"example '{key}' must be a string",
                                            f"got {_type_name(v)}"))
        if not ex.get("text"):
            problems.append(loc.problem(p, "example has no 'text'", "add the sentence to test"))
        if ex.get("lang") not in (None, "ru", "uk", "en"):
            problems.append(loc.problem(p + ("lang",), f"unknown lang '{ex['lang']}'",
                                        "use ru, uk or en"))
        if "expect" not in ex:
            problems.append(loc.problem(p, "example has no 'expect'",
                                        "add 'expect: {low, high, qualifier}' or 'expect: none'"))
            continue
        expect = _expect(loc, p + ("expect",), ex["expect"], problems)
        if len(problems) == start:
            out.append(Example(ex["text"], ex.get("lang"), expect, loc.file, loc.where(p)[0],
                               ex.get("title") or ""))
    return tuple(out)


def _expect(loc: Located, path: tuple[str | int, ...], value: Any,
            problems: list[Problem]) -> tuple[Expect, ...]:
    if value is None or value == "none":
        return ()
    items = value if isinstance(value, list) else [value]
    out: list[Expect] = []
    for i, v in enumerate(items):
        p = path + (i,) if isinstance(value, list) else path
        if not isinstance(v, dict):
            problems.append(loc.problem(p, "expect must be {low, high, qualifier} or none",
                                        "e.g. expect: {low: 10000, high: null, "
                                        "qualifier: more_than}"))
            continue
        for key in v:
            if key not in EXPECT_KEYS:
                problems.append(loc.problem(p + (str(key),), f"unknown key '{key}' in expect",
                                            did_you_mean(str(key), EXPECT_KEYS)))
        for key in ("low", "high"):
            n = v.get(key)
            if n is not None and (isinstance(n, bool) or not isinstance(n, int | float)):
                problems.append(loc.problem(p + (key,), f"expect '{key}' must be a number or "
                                            "null", f"got {_type_name(n)}"))
        q = v.get("qualifier")
        if q not in QUALIFIERS:
            problems.append(loc.problem(p + ("qualifier",) if "qualifier" in v else p,
                                        f"bad or missing qualifier '{q}'",
                                        did_you_mean(str(q), QUALIFIERS)))
            continue
        previous = None
        if v.get("previous") is not None:
            if isinstance(v["previous"], list):
                problems.append(loc.problem(p + ("previous",), "expect 'previous' must be one "
                                            "value", "e.g. previous: {low: 10000, high: 10000, "
                                            "qualifier: exact}"))
                continue
            got = _expect(loc, p + ("previous",), v["previous"], problems)
            previous = got[0] if got else None
        out.append(Expect(v.get("low"), v.get("high"), q, previous))
    return tuple(out)


def summary(rules: RuleSet) -> list[str]:
    """One line per figure for `figmon rules check`."""
    lines = []
    for fig in rules.figures.values():
        lines.append(f"{fig.id:<26} {fig.kind:<8} {fig.unit_label:<20} "
                     f"{len(fig.examples):>2} examples  {fig.file}:{fig.line}")
    return lines


def example_table(results: Sequence[ExampleResult]) -> list[str]:
    """A pass/fail table for `figmon rules test`."""
    lines = []
    for r in results:
        want = ", ".join(map(str, r.example.expect)) or "none"
        got = ", ".join(map(str, r.got)) or "none"
        mark = "PASS" if r.passed else "FAIL"
        lang = r.example.lang or "-"
        text = r.example.text if len(r.example.text) <= 60 else r.example.text[:57] + "..."
        line = f"{mark}  {r.figure:<24} {lang:<2}  {text}"
        if not r.passed:
            line += f"\n      want {want}; got {got}  ({r.example.file}:{r.example.line})"
        lines.append(line)
    return lines


def verdict_row(v: Verdict, kind: str = "count") -> str:
    """One line of `figmon scan --explain`: the number, then its figures or the reason."""
    q = v.quantity
    value = value_words(Value(q.low, q.high, q.qualifier), "percent" if q.unit == "%" else kind)
    where = ("→ " + ", ".join(v.figures)) if v.figures else f"✗ {v.detail or v.reason}"
    noun = f" {v.noun}" if v.noun else ""
    return f"  {value:<20} [{q.surface}]{noun}\n      {where}"


def verdict_json(v: Verdict, article: str) -> dict[str, Any]:
    """The `figmon scan --explain --json` shape: the quantity and what became of it."""
    q = v.quantity
    return {"article": article, "surface": q.surface, "low": q.low, "high": q.high,
            "qualifier": q.qualifier, "unit": q.unit, "noun": v.noun, "start": q.start,
            "end": q.end, "figure": v.figures[0] if v.figures else None,
            "figures": list(v.figures), "reason": v.reason, "detail": v.detail,
            "near_miss": v.near_miss, "quote": v.quote}


def observation_row(obs: Observation, kind: str = "count") -> str:
    """One readable line of `figmon scan` output ("up to 40%" for a percent figure)."""
    who = obs.claimant or "-"
    if obs.relayed:
        who += f" (via {obs.relayed})"
    value = value_words(Value(obs.low, obs.high, obs.qualifier), kind)
    return (f"{obs.figure:<24} {value:<18} "
            f"{obs.published or '-':<10}  {who}  [{obs.surface}]  {obs.article}")


# --- claimant aliases -----------------------------------------------------------------

CLAIMANT_KEYS = ("name", "aliases")


def _claimants(loc: Located) -> tuple[dict[str, str], list[Problem]]:
    """A file's ``claimants:`` table as {spelling: canonical name}, and its problems."""
    table: dict[str, str] = {}
    problems: list[Problem] = []
    items = loc.data.get("claimants") if isinstance(loc.data, dict) else None
    hint = "write '- name: Kyrylo Budanov' with 'aliases: [Кирилл Буданов, ...]'"
    if not isinstance(items, list):
        return table, [loc.problem(("claimants",), "'claimants' must be a list", hint)]
    for i, item in enumerate(items):
        path: tuple[str | int, ...] = ("claimants", i)
        if not isinstance(item, dict) or not isinstance(item.get("name"), str) \
                or not item["name"].strip():
            problems.append(loc.problem(path, "each claimant needs a 'name:' string", hint))
            continue
        for key in item:
            if key not in CLAIMANT_KEYS:
                problems.append(loc.problem(path + (key,), f"unknown key '{key}'",
                                            did_you_mean(str(key), CLAIMANT_KEYS)))
        aliases = item.get("aliases", [])
        if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
            problems.append(loc.problem(path + ("aliases",),
                                        "'aliases' must be a list of names", hint))
            continue
        table[item["name"].strip()] = item["name"].strip()
        for alias in aliases:
            table.setdefault(alias.strip(), item["name"].strip())
    return table, problems


def load_claimants(directory: str | Path) -> dict[str, str]:
    """Every ``claimants:`` alias of the rule files in ``directory``: {spelling: canonical
    name}; {} when none is defined.  Problems are found by ``load_rules`` already."""
    d = Path(directory)
    table: dict[str, str] = {}
    if not d.exists():
        return table
    for f in rule_files(d):
        located = load_file(f)
        if not located.problems and isinstance(located.data, dict) \
                and "claimants" in located.data:
            table.update(_claimants(located)[0])
    return table
