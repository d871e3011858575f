"""The dependency picture of monitor/ (scripts/imports.py): no circles, at most one
arrow back up the house, no import hidden in a function body, no SQL outside
monitor/store/."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "imports.py"


def _load():
    spec = importlib.util.spec_from_file_location("figmon_imports", SCRIPT)
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    sys.modules["figmon_imports"] = mod
    spec.loader.exec_module(mod)
    return mod


def test_the_house_has_no_circles_and_nothing_hidden() -> None:
    imports = _load()
    pic = imports.draw()
    assert imports.problems(pic) == []
    assert pic.circles() == [] and len(pic.upward()) <= 1 and pic.hidden == []


def test_the_checks_see_a_circle_an_upward_arrow_and_a_hidden_import(tmp_path: Path) -> None:
    imports = _load()
    root = tmp_path / "monitor"
    root.mkdir()
    (root / "__init__.py").write_text("")
    (root / "errors.py").write_text("from .models import Thing\n")
    (root / "models.py").write_text("from .errors import Oops\n\n\ndef f():\n"
                                    "    from . import digest\n    import trafilatura\n")
    (root / "digest.py").write_text('ROWS = "SELECT id FROM events"\n')
    pic = imports.draw(root)
    assert pic.circles() == [["errors", "models"]]
    assert ("models", "digest") in pic.upward()
    assert [h.split(" ", 1)[1] for h in pic.hidden] == ["from . import digest"]
    found = imports.problems(pic)
    assert any("import circle: errors ↔ models" in p for p in found)
    assert any("import inside a function" in p for p in found)
    assert imports.sql_outside_store(root) == ['monitor/digest.py:1 ROWS = "SELECT id FROM events"']
