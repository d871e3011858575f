"""The one YAML loader for config, rules and front matter.

It remembers where every value came from (errors say "file:line:column"),
takes only plain YAML (no Python or other custom tags), caps the document size
and the number of values aliases may expand to, refuses recursive aliases, and
keeps no state between calls.  Every problem comes back as a located
:class:`Problem`; nothing here raises on bad input.
"""

from __future__ import annotations

import difflib
import unicodedata
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml

from .errors import Problem

try:  # the C loader is much faster on big rule sets
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

PathKey = tuple[str | int, ...]

MAX_BYTES = 5_000_000  # a config or rule file is a few KB; this is far above any real one
# Values built from one document, aliases expanded: real rule sets use a few
# thousand; an alias bomb asks for billions.
MAX_NODES = 100_000

_CORE = "tag:yaml.org,2002:"
_SCALAR_TAGS = frozenset(_CORE + t for t in ("str", "int", "float", "bool", "null",
                                             "timestamp"))
_NO_TAG_HINT = "remove the tag: figmon reads plain YAML only (strings, numbers, dates, lists, " \
               "mappings)"


class Located:
    """Parsed YAML data plus the (line, column) of every node, 1-based."""

    def __init__(self, file: str, data: Any, positions: dict[PathKey, tuple[int, int]],
                 problems: list[Problem]) -> None:
        self.file = file
        self.data = data
        self.positions = positions
        self.problems = problems  # duplicate keys and the like, found while loading

    def where(self, path: PathKey) -> tuple[int | None, int | None]:
        """Position of the node at ``path``, or of its nearest located parent."""
        p = tuple(path)
        while p:
            if p in self.positions:
                return self.positions[p]
            p = p[:-1]
        return self.positions.get((), (None, None))

    def problem(self, path: PathKey, message: str, hint: str = "") -> Problem:
        line, col = self.where(path)
        return Problem(self.file, line, col, message, hint)


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """A hint naming the closest valid choice, and listing them all."""
    options = sorted(choices)
    close = difflib.get_close_matches(word, options, n=1, cutoff=0.6)
    listing = "valid: " + ", ".join(options)
    return f"did you mean '{close[0]}'? {listing}" if close else listing


def one_line(value: object) -> str:
    """Text folded to one line: line breaks (a folded ``>`` scalar ends with one)
    and other control characters become single spaces.  Used at load time for
    values that end up in mail headers (rule titles, the subject prefix)."""
    text = "".join(" " if unicodedata.category(ch) == "Cc" else ch for ch in str(value))
    return " ".join(text.split())


class _TooBig(Exception):
    """Alias expansion went over MAX_NODES."""


def load_text(text: str, file: str, *, aliases: bool = True,
              max_bytes: int = MAX_BYTES, max_nodes: int = MAX_NODES) -> Located:
    """Parse YAML text.  Every problem (syntax, tags, bad values, aliases) comes back
    in ``Located.problems`` with its position; ``aliases=False`` refuses them."""
    positions: dict[PathKey, tuple[int, int]] = {}
    problems: list[Problem] = []
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > max_bytes:
        problems.append(Problem(file, None, None,
                                f"YAML is {size:,} bytes, over the {max_bytes:,}-byte limit",
                                "split it into smaller files"))
        return Located(file, None, positions, problems)
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        col = mark.column + 1 if mark is not None else None
        reason = getattr(exc, "problem", None) or str(exc)
        problems.append(Problem(file, line, col, f"invalid YAML: {reason}",
                                "check indentation, quotes and colons on this line"))
        return Located(file, None, positions, problems)
    if node is None:
        return Located(file, None, {(): (1, 1)}, problems)
    if not aliases:
        alias = _first_alias(text)
        if alias is not None:
            problems.append(Problem(file, alias[0], alias[1],
                                    "YAML aliases (*name) are not allowed here",
                                    "write the value out in full"))
            return Located(file, None, {(): alias}, problems)

    # A fresh constructor per document: PyYAML's keeps every object it built.
    ctor = yaml.constructor.SafeConstructor()
    active: set[int] = set()  # collection nodes being built: seeing one again is a loop
    anchored: set[int] = set()  # nodes met before: the second meeting is an alias
    count = 0

    def at(n: yaml.Node) -> tuple[int, int]:
        return n.start_mark.line + 1, n.start_mark.column + 1

    def add(n: yaml.Node, message: str, hint: str) -> None:
        line, col = at(n)
        problems.append(Problem(file, line, col, message, hint))

    def scalar(n: yaml.Node) -> Any:
        if n.tag == _CORE + "str":
            return n.value
        if n.tag not in _SCALAR_TAGS:
            add(n, f"YAML tag '{_short(n.tag)}' is not allowed", _NO_TAG_HINT)
            return None
        try:
            return ctor.construct_object(n, deep=True)
        except (yaml.YAMLError, ValueError, OverflowError) as exc:
            reason = getattr(exc, "problem", None) or str(exc)
            kind = {"timestamp": "date"}.get(n.tag.removeprefix(_CORE), _short(n.tag))
            hint = ("write a real date as YYYY-MM-DD, or quote it to keep it as text"
                    if kind == "timestamp" else "quote the value to keep it as text")
            add(n, f"invalid {kind} '{n.value}': {reason}", hint)
            return None

    def build(n: yaml.Node, path: PathKey) -> Any:
        nonlocal count
        count += 1
        if count > max_nodes:
            raise _TooBig
        positions[path] = at(n)
        key = id(n)
        if key in anchored and not aliases:
            add(n, "YAML aliases (*name) are not allowed here", "write the value out in full")
            return None
        anchored.add(key)
        if isinstance(n, yaml.ScalarNode):
            return scalar(n)
        if key in active:
            add(n, "recursive alias: this value contains itself",
                "replace the alias (*name) with the values it should stand for")
            return None
        active.add(key)
        try:
            if isinstance(n, yaml.MappingNode):
                if n.tag != _CORE + "map":
                    add(n, f"YAML tag '{_short(n.tag)}' is not allowed", _NO_TAG_HINT)
                    return None
                out: dict[Any, Any] = {}
                for knode, vnode in n.value:
                    k = scalar(knode) if isinstance(knode, yaml.ScalarNode) else None
                    if not isinstance(k, str | int | float | bool):
                        k = str(k)
                    if k in out:
                        add(knode, f"duplicate key '{k}'", "remove one of the two")
                    kpath = path + (str(k),)
                    out[k] = build(vnode, kpath)
                    positions[kpath] = at(knode)
                return out
            if n.tag != _CORE + "seq":
                add(n, f"YAML tag '{_short(n.tag)}' is not allowed", _NO_TAG_HINT)
                return None
            return [build(item, path + (i,)) for i, item in enumerate(n.value)]
        finally:
            active.discard(key)

    try:
        data = build(node, ())
    except _TooBig:
        line, col = at(node)
        problems.append(Problem(file, line, col,
                                f"aliases expand to more than {max_nodes:,} values",
                                "an alias bomb? use fewer nested aliases (*name)"))
        return Located(file, None, {(): (line, col)}, problems)
    return Located(file, data, positions, problems)


def _first_alias(text: str) -> tuple[int, int] | None:
    """Where the first alias (*name) is used; the composed tree only shows the
    anchored value it stands for."""
    for token in yaml.scan(text, Loader=_Loader):
        if isinstance(token, yaml.AliasToken):
            return token.start_mark.line + 1, token.start_mark.column + 1
    return None


def _short(tag: str) -> str:
    return "!!" + tag.removeprefix(_CORE) if tag.startswith(_CORE) else tag


def load_file(path: str | Path, *, aliases: bool = True) -> Located:
    """Read and parse a YAML file; an unreadable file is one located problem."""
    p = Path(path)
    try:
        size = p.stat().st_size
        if size > MAX_BYTES:
            return Located(str(p), None, {}, [Problem(
                str(p), None, None, f"file is {size:,} bytes, over the {MAX_BYTES:,}-byte "
                "limit for a YAML file", "split it into smaller files")])
        raw = p.read_bytes()
    except OSError as exc:
        return Located(str(p), None, {}, [Problem(str(p), None, None,
                                                  f"cannot read file: {exc.strerror or exc}",
                                                  "check the path and permissions")])
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        return Located(str(p), None, {}, [Problem(str(p), line, None,
                                                  "file is not valid UTF-8",
                                                  "save it as UTF-8")])
    return load_text(text, str(p), aliases=aliases)
