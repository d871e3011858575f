"""`figmon scan` on the seed articles and on folders with a bad file."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from monitor.cli import cli

ROOT = Path(__file__).resolve().parent.parent
RULES = str(ROOT / "rules")
JSON_KEYS = {"figure", "article", "published", "low", "high", "qualifier", "unit", "surface",
             "quote", "claimant", "relayed", "track", "previous"}


def _scan(*args: str) -> list[dict[str, object]]:
    out = CliRunner().invoke(cli, ["scan", *args, "--rules", RULES, "--json"])
    assert out.exit_code == 0, out.output
    return [json.loads(line) for line in out.stdout.splitlines()]


def test_seed_articles_give_exactly_the_expected_figures(shared_dir: Path) -> None:
    rows = _scan(str(shared_dir / "seeds"))
    got = {(Path(str(r["article"])).name[:4], r["figure"], r["qualifier"], r["low"], r["high"])
           for r in rows if str(r["figure"]).startswith("dprk-")}
    assert got == {
        ("000_", "dprk-troops", "more_than", 10000, None),
        ("000_", "dprk-troops-additional", "approx", 6000, 6000),
        ("000_", "dprk-equipment", "range", 50, 100),
        ("002_", "dprk-ammo-share", "up_to", None, 40),
    }
    assert len(rows) == 4
    for r in rows:
        assert set(r) == JSON_KEYS
    by_fig = {r["figure"]: r for r in rows}
    troops = by_fig["dprk-troops"]
    assert troops["published"] == "2025-08-15"
    assert "10 000" in str(troops["surface"])
    assert str(troops["quote"]).startswith("Южнокорейские и западные разведывательные службы")
    assert str(troops["quote"]).endswith("ракетные системы большой дальности.")
    assert by_fig["dprk-ammo-share"]["published"] == "2025-08-13"
    assert "до 40%" in str(by_fig["dprk-ammo-share"]["quote"])
    # the 6,000 is in a sentence of its own; the quote is that sentence
    assert str(by_fig["dprk-troops-additional"]["quote"]).startswith("По его данным")


def test_bad_file_is_named_and_the_others_go_on(shared_dir: Path, tmp_path: Path) -> None:
    seed = next((shared_dir / "seeds").glob("002_*"))
    shutil.copy(seed, tmp_path / "good.txt")
    (tmp_path / "broken.txt").write_bytes(b"\x00\x01\x02binary\xff\xfe" * 50)
    proc = subprocess.run([sys.executable, "-m", "monitor", "scan", str(tmp_path),
                           "--rules", RULES, "--json"], capture_output=True, text=True,
                          cwd=ROOT, timeout=120)
    assert proc.returncode == 1
    assert "broken.txt" in proc.stderr
    assert "1 file(s) could not be read" in proc.stderr
    rows = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [(r["figure"], r["high"]) for r in rows] == [("dprk-ammo-share", 40)]
    assert str(rows[0]["article"]).endswith("good.txt")


def test_table_output_is_readable(shared_dir: Path) -> None:
    out = CliRunner().invoke(cli, ["scan", str(shared_dir / "seeds"), "--rules", RULES])
    assert out.exit_code == 0, out.output
    lines = out.stdout.splitlines()
    assert len(lines) == 4
    troops = next(line for line in lines if line.startswith("dprk-troops "))
    assert "more than 10,000" in troops and "2025-08-15" in troops
    equipment = next(line for line in lines if line.startswith("dprk-equipment"))
    assert "50–100" in equipment
    share = next(line for line in lines if line.startswith("dprk-ammo-share"))
    assert "up to 40%" in share  # a percent figure reads as one


def test_missing_path_is_an_error_not_a_crash(tmp_path: Path) -> None:
    out = CliRunner().invoke(cli, ["scan", str(tmp_path / "nope.txt"), "--rules", RULES])
    assert out.exit_code == 1
    assert "nope.txt" in out.stderr


def test_articles_in_front_matter_and_jsonl_use_their_url(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text(
        "---\ntitle: Troops\ndate: 2025-09-01\nurl: https://example.org/a\nlang: en\n---\n"
        "Seoul says North Korea has sent about 11,000 troops to Russia.\n", encoding="utf-8")
    (tmp_path / "b.jsonl").write_text(json.dumps({
        "url": "https://example.org/b", "published": "2025-09-02", "lang": "uk",
        "text": "За даними розвідки, КНДР передала Росії понад 100 ракет."},
        ensure_ascii=False) + "\n", encoding="utf-8")
    rows = _scan(str(tmp_path))
    got = {(r["article"], r["figure"], r["qualifier"], r["low"]) for r in rows}
    assert got == {("https://example.org/a", "dprk-troops", "approx", 11000),
                   ("https://example.org/b", "dprk-missiles", "more_than", 100)}
