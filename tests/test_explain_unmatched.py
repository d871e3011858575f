"""`figmon scan --explain`, near misses (`figmon unmatched`, `status`), and a change
written in one sentence followed from an article file to `figmon timeline`.

Everything runs through the CLI on real files, the shipped rules and a real SQLite
database; the articles are written here.
"""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from monitor.cli import cli

ROOT = Path(__file__).resolve().parent.parent
RULES = str(ROOT / "rules")

EXPLAINED = """---
title: Пхеньян посилює присутність
date: 2025-10-02
url: https://news.example/explained
lang: uk
---
Пхеньян відправив до Росії понад 11 тисяч військових і 300 медиків.
Того ж дня Росія втратила 40 танків на Покровському напрямку.
"""


def _invoke(*args: str) -> tuple[int, str]:
    out = CliRunner().invoke(cli, list(args))
    return out.exit_code, out.output


def test_explain_lists_every_quantity_with_its_figure_or_reason(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text(EXPLAINED, encoding="utf-8")
    code, table = _invoke("scan", str(tmp_path / "a.md"), "--rules", RULES, "--explain")
    assert code == 0, table
    assert "3 quantities, 1 observation(s)" in table
    lines = table.splitlines()
    troops = lines.index(next(x for x in lines if "[понад 11 тисяч]" in x))
    assert lines[troops + 1].strip() == "→ dprk-troops"
    medics = lines.index(next(x for x in lines if "[300]" in x))
    assert "медиків" in lines[medics] and "no measure term" in lines[medics + 1]
    tanks = lines.index(next(x for x in lines if "[40]" in x))
    # the subject is lent by the sentence before, but Russia's losses are Russia's
    assert "another side's forces (dprk-equipment)" in lines[tanks + 1]

    code, out = _invoke("scan", str(tmp_path / "a.md"), "--rules", RULES, "--explain",
                        "--json")
    rows = [json.loads(x) for x in out.splitlines()]
    assert [(r["surface"], r["figure"], r["reason"]) for r in rows] == [
        ("понад 11 тисяч", "dprk-troops", None),
        ("300", None, "no_measure"),
        ("40", None, "rival"),
    ]
    assert all(r["article"] == "https://news.example/explained" for r in rows)
    assert [r["near_miss"] for r in rows] == [False, True, True]
    assert rows[1]["noun"] == "медиків" and rows[1]["quote"].startswith("Пхеньян відправив")


NEAR = [
    ("a", "2025-09-01", "Пхеньян направил в Курскую область около 300 северокорейских "
                        "медиков."),
    ("b", "2025-09-20", "КНДР прислала в Россию ещё 150 медиков для полевых госпиталей."),
    ("c", "2025-10-05", "North Korea has sent 400 doctors to Russian field hospitals."),
    ("d", "2025-10-06", "North Korea has sent more than 10,000 troops to Russia."),
]


def _project(tmp_path: Path) -> Path:
    news = tmp_path / "news"
    news.mkdir()
    for name, date, text in NEAR:
        (news / f"{name}.md").write_text(
            f"---\ntitle: {name}\ndate: {date}\nurl: https://near.example/{name}\n---\n"
            f"{text}\n", encoding="utf-8")
    cfg = tmp_path / "figmon.yaml"
    cfg.write_text(f"database: figmon.db\nrules: {RULES}\nsources:\n"
                   "  - {name: news, kind: folder, path: news}\n", encoding="utf-8")
    code, out = _invoke("run", "--once", "--config", str(cfg))
    assert code == 0, out
    return cfg


def test_near_misses_are_stored_grouped_by_noun_and_counted_in_status(tmp_path: Path) -> None:
    cfg = _project(tmp_path)
    code, table = _invoke("unmatched", "--config", str(cfg))
    assert code == 0, table
    heads = [x for x in table.splitlines() if "×" in x]
    assert heads[0].split("(")[0].split() == ["2", "×", "медиков"]
    assert heads[1].split("(")[0].split() == ["1", "×", "doctors"]
    assert "no_measure ×2" in heads[0]
    assert "https://near.example/a" in table and "https://near.example/b" in table

    code, out = _invoke("unmatched", "--json", "--config", str(cfg))
    groups = [json.loads(x) for x in out.splitlines()]
    assert [(g["noun"], g["count"]) for g in groups] == [("медиков", 2), ("doctors", 1)]
    assert {i["article"] for i in groups[0]["items"]} == {"https://near.example/a",
                                                          "https://near.example/b"}

    code, out = _invoke("unmatched", "--json", "--since", "2025-10-01", "--config", str(cfg))
    assert [json.loads(x)["noun"] for x in out.splitlines()] == ["doctors"]

    code, out = _invoke("status", "--config", str(cfg))
    assert "Near misses: 3" in out
    code, out = _invoke("status", "--json", "--config", str(cfg))
    assert json.loads(out)["near_misses"] == 3

    # a second run stores nothing twice
    _invoke("run", "--once", "--config", str(cfg))
    code, out = _invoke("status", "--json", "--config", str(cfg))
    assert json.loads(out)["near_misses"] == 3


def test_a_change_in_one_sentence_reaches_the_timeline_with_its_previous_value(
        tmp_path: Path) -> None:
    news = tmp_path / "news"
    news.mkdir()
    (news / "rise.md").write_text(
        "---\ntitle: Рост контингента\ndate: 2025-11-03\nurl: https://rise.example/1\n---\n"
        "По оценке Сеула, число северокорейских военных в России выросло с 11 до 14 тысяч.\n",
        encoding="utf-8")
    cfg = tmp_path / "figmon.yaml"
    cfg.write_text(f"database: figmon.db\nrules: {RULES}\nsources:\n"
                   "  - {name: news, kind: folder, path: news}\n", encoding="utf-8")
    code, out = _invoke("run", "--once", "--config", str(cfg))
    assert code == 0, out

    code, out = _invoke("timeline", "dprk-troops", "--json", "--config", str(cfg))
    (row,) = [json.loads(x) for x in out.splitlines()]
    assert (row["low"], row["high"], row["qualifier"]) == (14000, 14000, "exact")
    assert row["previous"] == {"low": 11000, "high": 11000, "qualifier": "exact"}
    code, out = _invoke("events", "--json", "--config", str(cfg))
    (event,) = [json.loads(x) for x in out.splitlines()]
    assert event["kind"] == "changed"
    assert event["old"] == {"low": 11000, "high": 11000, "qualifier": "exact"}
    assert event["new"] == {"low": 14000, "high": 14000, "qualifier": "exact"}

    code, out = _invoke("scan", str(news), "--rules", RULES, "--json")
    (obs,) = [json.loads(x) for x in out.splitlines()]
    assert obs["previous"] == {"low": 11000, "high": 11000, "qualifier": "exact"}
