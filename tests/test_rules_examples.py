"""Every inline example of the shipped rules passes, and `figmon rules test` says so."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from monitor.cli import cli
from monitor.rules import ExampleResult, load_rules

ROOT = Path(__file__).resolve().parent.parent
RESULTS: list[ExampleResult] = load_rules(ROOT / "rules").run_examples()


@pytest.mark.parametrize("result", RESULTS,
                         ids=[f"{r.figure}:{r.example.line}" for r in RESULTS])
def test_shipped_example(result: ExampleResult) -> None:
    assert result.passed, (f"{result.example.text!r}: want {result.example.expect}, "
                           f"got {result.got}")


def test_rules_test_prints_a_table_and_exits_0() -> None:
    out = CliRunner().invoke(cli, ["rules", "test", str(ROOT / "rules")])
    assert out.exit_code == 0, out.output
    lines = out.output.splitlines()
    assert sum(line.startswith("PASS") for line in lines) == len(RESULTS)
    assert lines[-1] == f"{len(RESULTS)} passed, 0 failed"


def test_rules_test_fails_on_a_wrong_expectation(tmp_path: Path) -> None:
    (tmp_path / "r.yaml").write_text(
        "figures:\n"
        "  - id: t\n    title: T\n    kind: count\n    measure: [troops]\n"
        "    examples:\n"
        "      - text: \"North Korea sent 5,000 troops.\"\n"
        "        expect: {low: 5000, high: 5000, qualifier: exact}\n"
        "      - text: \"North Korea sent 5,000 troops.\"\n"
        "        expect: {low: 6000, high: 6000, qualifier: exact}\n"
        "      - text: \"North Korea sent 5,000 troops.\"\n"
        "        expect: none\n", encoding="utf-8")
    out = CliRunner().invoke(cli, ["rules", "test", str(tmp_path)])
    assert out.exit_code == 1
    lines = out.output.splitlines()
    assert [line[:4] for line in lines if line[:4] in ("PASS", "FAIL")] == [
        "PASS", "FAIL", "FAIL"]
    assert f"{tmp_path / 'r.yaml'}:9" in out.output  # where the failing example is
    assert "1 passed, 2 failed" in out.output


def test_rules_check_summarises_and_defaults_to_rules_dir() -> None:
    runner = CliRunner()
    cwd = os.getcwd()
    os.chdir(ROOT)
    try:
        out = runner.invoke(cli, ["rules", "check"])
    finally:
        os.chdir(cwd)
    assert out.exit_code == 0, out.output
    assert "dprk-ammo-share" in out.output and "percent" in out.output
    shipped = sum(line.startswith("  - id: ") for f in (ROOT / "rules").glob("*.yaml")
                  for line in f.read_text(encoding="utf-8").splitlines())
    assert shipped >= 8  # the six seed figures, missiles and workers
    assert out.output.splitlines()[-1].startswith(f"ok: {shipped} figures")


def test_rules_check_reports_broken_files_with_positions() -> None:
    broken = ROOT / "tests" / "cases" / "rules_broken"
    out = CliRunner().invoke(cli, ["rules", "check", str(broken)])
    assert out.exit_code == 1
    assert f"{broken / 'keys.yaml'}:6:5: unknown key 'mesure'" in str(out.exception)
