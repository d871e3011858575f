"""figmon.yaml validation of sources, http, every and secrets (table: cases/sources_config.yaml)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from monitor.config import load_config, parse_every
from monitor.errors import ConfigError
from monitor.sources import REGISTRY, FeedSource, FolderSource, build_sources

CASES = yaml.safe_load((Path(__file__).parent / "cases" / "sources_config.yaml").read_text())


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_config_case(case: dict[str, Any], tmp_path: Path) -> None:
    (tmp_path / "articles").mkdir()
    cfg = tmp_path / "figmon.yaml"
    cfg.write_text(case["config"], encoding="utf-8")
    if not case["problems"]:
        settings = load_config(cfg)
        assert len(build_sources(settings)) == len(settings.sources)
        return
    with pytest.raises(ConfigError) as info:
        load_config(cfg)
    problems = info.value.problems
    for want in case["problems"]:
        hits = [p for p in problems if p.line == want["line"] and want["has"] in str(p)]
        assert hits, f"no problem at line {want['line']} with {want['has']!r} in {problems}"
    if not case.get("others_allowed"):
        wanted_lines = {w["line"] for w in case["problems"]}
        assert {p.line for p in problems} <= wanted_lines, problems
    assert all(p.file == str(cfg) for p in problems)


@pytest.mark.parametrize("text,seconds", [("30s", 30), ("15m", 900), ("6h", 21600),
                                          ("1d", 86400), (" 2m ", 120)])
def test_parse_every(text: str, seconds: int) -> None:
    assert parse_every(text) == seconds


@pytest.mark.parametrize("text", ["0s", "15", "m", "1w", "1.5h", "-1m", ""])
def test_parse_every_refuses(text: str) -> None:
    with pytest.raises(ValueError):
        parse_every(text)


def test_registry_and_declared_keys() -> None:
    assert set(REGISTRY) == {"folder", "feed", "page", "jsonl"}
    assert FeedSource.required == frozenset({"url"})
    assert FeedSource.keys["full_text"] is bool


def test_build_sources_applies_defaults_and_resolves_paths(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    cfg = tmp_path / "figmon.yaml"
    cfg.write_text("every: 2h\nsources:\n  - {name: a, kind: folder, path: in}\n"
                   "  - {name: b, kind: feed, url: 'http://127.0.0.1:9/f', every: 5m}\n")
    a, b = build_sources(load_config(cfg))
    assert isinstance(a, FolderSource) and a.path == tmp_path / "in" and a.every == "2h"
    assert b.every == "5m" and b.name == "b"
