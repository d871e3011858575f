"""YAML loading that remembers where every value came from.

Config and rule validation both need "file:line:column" in their errors, so
this composes the node tree and keeps each node's position by its path.
"""

from __future__ import annotations

import difflib
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


def load_text(text: str, file: str) -> Located:
    """Parse YAML text; syntax errors come back as a single located problem."""
    positions: dict[PathKey, tuple[int, int]] = {}
    problems: list[Problem] = []
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

    def build(n: yaml.Node, path: PathKey) -> Any:
        positions[path] = (n.start_mark.line + 1, n.start_mark.column + 1)
        if isinstance(n, yaml.MappingNode):
            out: dict[Any, Any] = {}
            for knode, vnode in n.value:
                key = _scalar(knode) if isinstance(knode, yaml.ScalarNode) else None
                if not isinstance(key, str | int | float | bool):
                    key = str(key)
                if key in out:
                    problems.append(Problem(file, knode.start_mark.line + 1,
                                            knode.start_mark.column + 1,
                                            f"duplicate key '{key}'",
                                            "remove one of the two"))
                kpath = path + (str(key),)
                out[key] = build(vnode, kpath)
                positions[kpath] = (knode.start_mark.line + 1, knode.start_mark.column + 1)
            return out
        if isinstance(n, yaml.SequenceNode):
            return [build(item, path + (i,)) for i, item in enumerate(n.value)]
        return _scalar(n)

    data = build(node, ())
    return Located(file, data, positions, problems)


_CTOR = yaml.constructor.SafeConstructor()


def _scalar(n: yaml.Node) -> Any:
    if n.tag == "tag:yaml.org,2002:str":
        return n.value
    return _CTOR.construct_object(n, deep=True)


def load_file(path: str | Path) -> Located:
    """Read and parse a YAML file; an unreadable file is one located problem."""
    p = Path(path)
    try:
        raw = p.read_bytes()
    except OSError as exc:
        return Located(str(p), None, {}, [Problem(str(p), None, None,
                                                  f"cannot read file: {exc.strerror}",
                                                  "check the path and permissions")])
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        return Located(str(p), None, {}, [Problem(str(p), line, None,
                                                  "file is not valid UTF-8",
                                                  "save it as UTF-8")])
    return load_text(text, str(p))
