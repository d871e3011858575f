"""Canonical claimant names: the rules' `claimants:` table plus automatic folding, and
per-claimant tracks keyed on the canonical name through a real ingest."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from store_fakes import article, context, obs_line

from monitor.aliases import aliases_for
from monitor.claimants import Aliases, fold
from monitor.errors import RuleError
from monitor.pipeline import ingest
from monitor.rules import load_claimants, load_rules

ROOT = Path(__file__).resolve().parent.parent
CASES: dict[str, list[dict[str, Any]]] = yaml.safe_load(
    (Path(__file__).parent / "cases" / "claimant_names.yaml").read_text(encoding="utf-8"))
SHIPPED = Aliases(load_claimants(ROOT / "rules"))


@pytest.mark.parametrize("case", CASES["with_table"], ids=lambda c: c["name"])
def test_canonical_with_the_shipped_table(case: dict[str, str]) -> None:
    assert SHIPPED.canonical(case["name"]) == case["canonical"]


@pytest.mark.parametrize("case", CASES["without_table"], ids=lambda c: c["name"])
def test_canonical_without_a_table(case: dict[str, str]) -> None:
    assert Aliases().canonical(case["name"]) == case["canonical"]


def test_fold_ignores_script_case_and_spelling() -> None:
    assert fold("Кирило Буданов") == fold("KYRYLO BUDANOV") == fold("Kyrylo  Budanov")
    assert fold("Зеленський") == fold("Zelenskyy") == fold("Зеленский")
    assert fold("The Pentagon") == fold("pentagon")
    assert fold("Буданов") != fold("Белоусов")


def test_the_shipped_rules_load_with_the_claimant_file() -> None:
    rules = load_rules(ROOT / "rules")
    assert "dprk-troops" in rules.figures  # the alias file is not read as figures
    assert load_claimants(ROOT / "rules")["Кирилл Буданов"] == "Kyrylo Budanov"


def test_a_bad_claimant_table_names_its_file_and_line(tmp_path: Path) -> None:
    shutil.copy(ROOT / "rules" / "dprk.yaml", tmp_path / "dprk.yaml")
    (tmp_path / "claimants.yaml").write_text(
        "claimants:\n  - name: Kyrylo Budanov\n    alias: [Буданов]\n  - aliases: [x]\n",
        encoding="utf-8")
    with pytest.raises(RuleError) as err:
        load_rules(tmp_path)
    text = str(err.value)
    assert "claimants.yaml:3" in text and "unknown key 'alias'" in text
    assert "did you mean 'aliases'" in text
    assert "claimants.yaml:4" in text and "needs a 'name:'" in text


def test_per_claimant_tracks_are_keyed_on_the_canonical_name(tmp_path: Path) -> None:
    (tmp_path / "rules").mkdir()
    shutil.copy(ROOT / "rules" / "claimants.yaml", tmp_path / "rules" / "claimants.yaml")
    ctx = context(tmp_path, [{"id": "losses", "per_claimant": True}])
    spelt = [("k1", "2025-01-01", "Кирилл Буданов", 3000),
             ("k2", "2025-02-01", "Буданов", 4000),
             ("k3", "2025-03-01", "Kyrylo Budanov", 5000),
             ("p1", "2025-01-05", "the Pentagon", 100),
             ("p2", "2025-02-05", "The Pentagon", 200)]
    try:
        result = ingest(ctx, "test", [article(
            f"https://n.example.org/{u}", day,
            obs_line("losses", [n, n, "approx"], claimant=who)) for u, day, who, n in spelt])
        assert sorted({e.track for e in result.events}) == ["Kyrylo Budanov", "Pentagon"]
        kinds = [(e.track, e.kind) for e in result.events]
        # one timeline per person: the later spellings change it, none starts a new one
        assert kinds.count(("Kyrylo Budanov", "new")) == 1
        assert kinds.count(("Kyrylo Budanov", "changed")) == 2
        assert kinds.count(("Pentagon", "new")) == 1
        # the article's own spelling is kept on the observation
        spellings = {r["claimant"] for r in ctx.store.track_observations("losses",
                                                                         "Kyrylo Budanov")}
        assert spellings == {"Кирилл Буданов", "Буданов", "Kyrylo Budanov"}
    finally:
        ctx.close()


def test_aliases_are_reread_when_the_file_changes(tmp_path: Path) -> None:
    f = tmp_path / "claimants.yaml"
    f.write_text("claimants:\n  - name: Seoul\n    aliases: [Сеул]\n", encoding="utf-8")
    assert aliases_for(tmp_path).canonical("Сеул") == "Seoul"
    f.write_text("claimants:\n  - name: South Korea\n    aliases: [Сеул]\n", encoding="utf-8")
    os.utime(f, (1, 1))  # a new mtime even within the same clock tick
    assert aliases_for(tmp_path).canonical("Сеул") == "South Korea"


def test_tracks_stored_under_an_older_spelling_are_renamed_and_continue(
        tmp_path: Path) -> None:
    """A database whose per-claimant tracks were keyed before the table knew the name
    ("зеленский", lower case) joins them to the canonical track on the next ingest."""
    from monitor.models import Observation

    ctx = context(tmp_path, [{"id": "losses", "per_claimant": True}])
    try:
        with ctx.store.atomic():
            row, _ = ctx.store.add_article(article("https://old.example.org/1", "2024-12-23",
                                                   "old"), source="old")
            assert row is not None
            ctx.store.add_observation(row, Observation(
                figure="losses", article="https://old.example.org/1", published="2024-12-23",
                low=3000, high=None, qualifier="more_than", unit=None, surface="3000",
                quote="", claimant="Зеленский"), track="зеленский", dated="2024-12-23")
        (tmp_path / "rules").mkdir()
        shutil.copy(ROOT / "rules" / "claimants.yaml", tmp_path / "rules" / "claimants.yaml")
        result = ingest(ctx, "test", [article(
            "https://n.example.org/z", "2025-02-27",
            obs_line("losses", [4000, 4000, "approx"], claimant="Zelenskyy"))])
        assert [(e.track, e.kind) for e in result.events] == [("Volodymyr Zelensky", "changed")]
        assert ctx.store.tracks() == [("losses", "Volodymyr Zelensky")]
    finally:
        ctx.close()
