"""Shared fixtures."""

from __future__ import annotations

from pathlib import Path

import pytest

from monitor.rules import RuleSet, load_rules

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"


@pytest.fixture
def shared_dir() -> Path:
    """../shared beside the checkout; tests that need it skip cleanly without it."""
    if not SHARED.is_dir():
        pytest.skip("../shared is not present")
    return SHARED


@pytest.fixture(scope="session")
def shipped() -> RuleSet:
    """The shipped rules folder, loaded once."""
    return load_rules(ROOT / "rules")
