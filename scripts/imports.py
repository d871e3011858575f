"""The dependency picture of monitor/: which module imports which, drawn floor by
floor, and checked.

    python3 scripts/imports.py            # the picture, then the checks
    python3 scripts/imports.py --dot      # Graphviz, for `dot -Tsvg`

Checks (tests/test_imports.py runs them): no import circles; at most one arrow
that runs back up the floors of ``FLOORS``; no import inside a function body
except of an optional heavy dependency (``HEAVY``); no SQL and no commit outside
monitor/store/.  Imports under
``if TYPE_CHECKING:`` are for the type checker only and are not arrows.
"""

from __future__ import annotations

import ast
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent / "monitor"

# The house, bottom floor first.  A module may import from its own floor or below;
# a package counts as one module.
FLOORS: list[tuple[str, ...]] = [
    ("errors", "models", "defaults", "schedule", "metrics", "lock", "yamlio"),
    ("words", "extract", "search"),
    ("charts", "pages", "claimants", "articles"),
    ("http", "store", "match"),
    ("rules", "changes", "context", "channels", "sources", "atom", "workers"),
    ("aliases", "subscribers", "delivery_settings", "config"),
    ("archive", "deliver"),
    ("digest",),
    ("pipeline", "web"),
    ("run",),
    ("daemon",),
    ("cli", "__main__", "__init__"),
]
# optional or heavy third-party imports that may wait until they are needed
HEAVY = frozenset({"trafilatura", "pymorphy3", "uvicorn", "apprise", "playwright"})


@dataclass
class Picture:
    root: Path = ROOT
    arrows: dict[str, set[str]] = field(default_factory=dict)
    hidden: list[str] = field(default_factory=list)  # "file:line module"

    def floor(self, unit: str) -> int:
        for i, names in enumerate(FLOORS):
            if unit in names:
                return i
        raise KeyError(f"monitor/{unit} is on no floor: add it to FLOORS in scripts/imports.py")

    def upward(self) -> list[tuple[str, str]]:
        return sorted((a, b) for a, bs in self.arrows.items() for b in bs
                      if self.floor(b) > self.floor(a))

    def circles(self) -> list[list[str]]:
        """Strongly connected groups of more than one unit (Tarjan)."""
        index: dict[str, int] = {}
        low: dict[str, int] = {}
        stack: list[str] = []
        out: list[list[str]] = []

        def visit(v: str) -> None:
            index[v] = low[v] = len(index)
            stack.append(v)
            for w in sorted(self.arrows.get(v, ())):
                if w not in index:
                    visit(w)
                    low[v] = min(low[v], low[w])
                elif w in stack:
                    low[v] = min(low[v], index[w])
            if low[v] == index[v]:
                group = []
                while True:
                    w = stack.pop()
                    group.append(w)
                    if w == v:
                        break
                if len(group) > 1:
                    out.append(sorted(group))

        for v in sorted(self.arrows):
            if v not in index:
                visit(v)
        return out


def unit_of(path: Path, root: Path = ROOT) -> str:
    """monitor/sources/feed.py → "sources"; monitor/digest.py → "digest"."""
    rel = path.relative_to(root).with_suffix("")
    return rel.parts[0]


def _module_parts(path: Path, root: Path) -> list[str]:
    parts = list(path.relative_to(root.parent).with_suffix("").parts)
    return parts[:-1] if parts[-1] == "__init__" else parts


def _targets(path: Path, node: ast.ImportFrom | ast.Import, root: Path) -> Iterator[str]:
    """The monitor units an import statement names."""
    if isinstance(node, ast.Import):
        for a in node.names:
            if a.name.split(".")[0] == "monitor" and "." in a.name:
                yield a.name.split(".")[1]
        return
    if node.level == 0:
        mod = (node.module or "").split(".")
        if mod[0] == "monitor":
            yield from ([mod[1]] if len(mod) > 1 else [a.name for a in node.names])
        return
    base = _module_parts(path, root)
    if path.name != "__init__.py":
        base = base[:-1]
    base = base[: len(base) - (node.level - 1)]
    full = base + (node.module.split(".") if node.module else [])
    if len(full) > 1:
        yield full[1]
    else:  # from . import x, y
        yield from (a.name for a in node.names)


def _is_type_checking(node: ast.If) -> bool:
    return "TYPE_CHECKING" in ast.unparse(node.test)


def _third_party_root(node: ast.ImportFrom | ast.Import) -> str | None:
    if isinstance(node, ast.ImportFrom):
        return None if node.level else (node.module or "").split(".")[0]
    return node.names[0].name.split(".")[0]


def draw(root: Path = ROOT) -> Picture:
    pic = Picture(root)
    for path in sorted(root.rglob("*.py")):
        me = unit_of(path, root)
        pic.arrows.setdefault(me, set())
        tree = ast.parse(path.read_text(encoding="utf-8"))

        def walk(node: ast.AST, in_function: bool, path: Path = path, me: str = me) -> None:
            for child in ast.iter_child_nodes(node):
                if isinstance(child, ast.If) and _is_type_checking(child):
                    continue
                if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
                    walk(child, True)
                    continue
                if isinstance(child, ast.Import | ast.ImportFrom):
                    if in_function and _third_party_root(child) not in HEAVY:
                        where = path.relative_to(root.parent)
                        pic.hidden.append(f"{where}:{child.lineno} {ast.unparse(child)}")
                    for unit in _targets(path, child, root):
                        known = (root / unit).is_dir() or (root / f"{unit}.py").exists()
                        if known and unit != me:
                            pic.arrows[me].add(unit)
                walk(child, in_function)

        walk(tree, False)
    return pic


_SQL = re.compile(r"\.db\.|\.conn\.|\.commit\(\)|\b(SELECT|UPDATE|INSERT INTO|DELETE FROM)\s")


def sql_outside_store(root: Path = ROOT) -> list[str]:
    """Lines outside monitor/store/ that write SQL or reach into the connection."""
    out = []
    for path in sorted(root.rglob("*.py")):
        if unit_of(path, root) == "store":
            continue
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if _SQL.search(line):
                out.append(f"{path.relative_to(root.parent)}:{n} {line.strip()}")
    return out


def problems(pic: Picture) -> list[str]:
    out = [f"import circle: {' ↔ '.join(c)}" for c in pic.circles()]
    up = pic.upward()
    if len(up) > 1:
        out += [f"arrow up the house: {a} → {b}" for a, b in up]
    out += [f"import inside a function: {h}" for h in pic.hidden]
    out += [f"SQL outside monitor/store/: {h}" for h in sql_outside_store(pic.root)]
    for unit in pic.arrows:
        try:
            pic.floor(unit)
        except KeyError as exc:
            out.append(str(exc.args[0]))
    return out


def show(pic: Picture) -> str:
    lines = []
    for i in reversed(range(len(FLOORS))):
        for unit in FLOORS[i]:
            if unit in pic.arrows:
                below = sorted(pic.arrows[unit], key=lambda u: (-pic.floor(u), u))
                lines.append(f"{i:>2} {unit:<18} → {', '.join(below) or '-'}")
    return "\n".join(lines)


def dot(pic: Picture) -> str:
    edges = "\n".join(f'  "{a}" -> "{b}";' for a, bs in sorted(pic.arrows.items())
                      for b in sorted(bs))
    ranks = "\n".join("  {rank=same; " + " ".join(f'"{u}";' for u in names
                                                  if u in pic.arrows) + "}"
                      for names in FLOORS)
    return f"digraph monitor {{\n  rankdir=BT;\n{ranks}\n{edges}\n}}\n"


def main(argv: list[str]) -> int:
    pic = draw()
    if "--dot" in argv:
        print(dot(pic), end="")
        return 0
    print(show(pic))
    found = problems(pic)
    up = pic.upward()
    print(f"\n{sum(len(b) for b in pic.arrows.values())} arrows, {len(pic.circles())} "
          f"circles, {len(up)} upward ({', '.join(f'{a}→{b}' for a, b in up) or 'none'}), "
          f"{len(pic.hidden)} imports inside functions")
    for p in found:
        print(p)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
