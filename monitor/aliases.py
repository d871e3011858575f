"""The canonical claimant names of a rules folder (its claimants: section), cached
until one of its files changes.  Above rules.py, which reads the files, and
claimants.py, which knows how names vary."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .claimants import Aliases
from .rules import load_claimants, rule_files

_ALIASES: dict[tuple[str, tuple[tuple[str, float], ...]], Aliases] = {}


def aliases_for(rules_dir: str | Any) -> Aliases:
    """The ``Aliases`` of a rules folder, re-read only when one of its files changes."""
    d = Path(rules_dir)
    files = rule_files(d) if d.exists() else []
    key = (str(d), tuple((str(f), f.stat().st_mtime) for f in files))
    if key not in _ALIASES:
        _ALIASES.clear()
        _ALIASES[key] = Aliases(load_claimants(d))
    return _ALIASES[key]
