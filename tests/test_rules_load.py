"""Rule files: the shipped rules load and validate; broken files get located errors."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from monitor.errors import RuleError
from monitor.rules import load_rules

ROOT = Path(__file__).resolve().parent.parent
CASES = Path(__file__).resolve().parent / "cases"
BROKEN = CASES / "rules_broken"
EXPECTED = yaml.safe_load((CASES / "rules_broken_expect.yaml").read_text(encoding="utf-8"))


def test_shipped_rules_load_with_the_contract_ids() -> None:
    rules = load_rules(ROOT / "rules")
    for fid in ["dprk-troops", "dprk-troops-additional", "dprk-ammo-share", "dprk-equipment",
                "dprk-shells", "dprk-casualties"]:
        assert fid in rules.figures
    assert rules.figures["dprk-ammo-share"].kind == "percent"
    assert rules.figures["dprk-troops"].kind == "count"
    assert rules.figures["dprk-troops"].unit_label == "troops"
    assert rules.figures["dprk-troops"].min_relative == pytest.approx(0.05)
    assert rules.figures["dprk-casualties"].per_claimant is True
    assert rules.figures["dprk-troops"].per_claimant is False


def test_every_shipped_figure_has_examples_in_three_languages() -> None:
    for fig in load_rules(ROOT / "rules").figures.values():
        assert {ex.lang for ex in fig.examples} >= {"ru", "uk", "en"}, fig.id
        assert any(ex.expect == () for ex in fig.examples), f"{fig.id}: no negative example"


def test_aliased_term_lists_are_spliced_in() -> None:
    troops = load_rules(ROOT / "rules").figures["dprk-troops"]
    # exclude is [*additional, *casualty]: two lists joined into one
    assert "дополнительн*" in troops.exclude and "killed" in troops.exclude
    assert all(isinstance(t, str) for t in troops.exclude)


@pytest.fixture(scope="module")
def broken_problems() -> list[str]:
    with pytest.raises(RuleError) as info:
        load_rules(BROKEN)
    return [str(p) for p in info.value.problems]


@pytest.mark.parametrize("case", EXPECTED, ids=lambda c: f"{c['file']}:{c['line']}:{c['column']}")
def test_broken_rule_files_report_each_problem_located(broken_problems: list[str],
                                                      case: dict[str, object]) -> None:
    where = f"{BROKEN / str(case['file'])}:{case['line']}:{case['column']}: "
    hits = [p for p in broken_problems if p.startswith(where) and str(case["says"]) in p]
    assert hits, f"no problem at {where} saying {case['says']!r} in:\n" + "\n".join(
        broken_problems)
    if "hint" in case:
        assert str(case["hint"]) in hits[0]


def test_all_problems_of_all_files_are_reported_at_once(broken_problems: list[str]) -> None:
    assert len(broken_problems) == len(EXPECTED)
    files = {Path(p.split(":")[0]).name for p in broken_problems}
    assert files == {"examples.yaml", "keys.yaml", "reach.yaml", "syntax.yaml", "terms.yaml"}


def test_duplicate_figure_id_across_files_names_both_places() -> None:
    with pytest.raises(RuleError) as info:
        load_rules(CASES / "rules_dup")
    (problem,) = info.value.problems
    text = str(problem)
    assert text.startswith(f"{CASES / 'rules_dup' / 'b.yaml'}:6:5: duplicate figure id 'same-id'")
    assert f"{CASES / 'rules_dup' / 'a.yaml'}:2" in text


def test_missing_or_empty_directory_is_a_rule_error(tmp_path: Path) -> None:
    with pytest.raises(RuleError, match="rules directory not found"):
        load_rules(tmp_path / "nope")
    with pytest.raises(RuleError, match=r"no rule files \(\*\.yaml\)"):
        load_rules(tmp_path)


def test_a_single_file_can_be_loaded(tmp_path: Path) -> None:
    shutil.copy(CASES / "rules_dup" / "a.yaml", tmp_path / "one.yaml")
    rules = load_rules(tmp_path / "one.yaml")
    assert list(rules.figures) == ["same-id"]
    assert rules.figures["same-id"].unit_label == "troops"  # defaults to the first measure


def test_yaml_and_rule_problems_of_one_file_come_in_one_pass(tmp_path: Path) -> None:
    (tmp_path / "r.yaml").write_text(
        "figures:\n"
        "  - id: one\n"
        "    title: !!python/name:os.system \"\"\n"
        "    kind: count\n"
        "    mesure: [troops]\n"
        "  - id: two\n"
        "    title: Two\n"
        "    kind: count\n"
        "    measure: [troops]\n"
        "    examples:\n"
        "      - text: \"x\"\n"
        "        expect: {low: 2025-02-30, high: null, qualifier: exact}\n",
        encoding="utf-8")
    with pytest.raises(RuleError) as caught:
        load_rules(tmp_path)
    said = str(caught.value)
    assert "r.yaml:3:12: YAML tag '!!python/name:os.system' is not allowed" in said
    assert "r.yaml:5:5: unknown key 'mesure'" in said
    assert "r.yaml:12:23: invalid date '2025-02-30'" in said
