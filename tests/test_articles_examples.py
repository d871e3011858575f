"""The bundled examples read cleanly and tell the story that examples/README.md promises."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from monitor.articles import iter_paths
from monitor.errors import ArticleError
from monitor.models import Article

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples" / "articles"

# (date, figure, kind, old, new) as worked out in examples/README.md; values are
# (qualifier, low, high).
EXPECTED_EVENTS = [
    ("2024-10-23", "dprk-troops", "new", None, ("approx", 3000, 3000)),
    ("2024-11-05", "dprk-troops", "changed", ("approx", 3000, 3000), ("more_than", 10000, None)),
    ("2024-11-20", "dprk-equipment", "new", None, ("approx", 50, 50)),
    ("2024-12-23", "dprk-casualties", "new", None, ("more_than", 3000, None)),
    ("2024-12-27", "dprk-troops", "changed", ("more_than", 10000, None),
     ("range", 11000, 12000)),
    ("2025-01-14", "dprk-shells", "new", None, ("more_than", 12000, None)),
    ("2025-01-28", "dprk-casualties", "new", None, ("approx", 4000, 4000)),
    ("2025-02-27", "dprk-troops-additional", "new", None, ("approx", 3000, 3000)),
    ("2025-02-27", "dprk-casualties", "changed", ("more_than", 3000, None),
     ("approx", 4000, 4000)),
    ("2025-05-20", "dprk-ammo-share", "new", None, ("up_to", None, 40)),
    ("2025-06-18", "dprk-troops-additional", "changed", ("approx", 3000, 3000),
     ("approx", 6000, 6000)),
    # 50–100 still holds the 50 said before: a restatement, recorded but never mailed
    ("2025-08-15", "dprk-equipment", "restated", ("approx", 50, 50), ("range", 50, 100)),
    ("2025-09-04", "dprk-troops", "changed", ("range", 11000, 12000), ("approx", 14000, 14000)),
    ("2025-10-02", "dprk-ammo-share", "changed", ("up_to", None, 40), ("up_to", None, 50)),
    ("2025-10-02", "dprk-shells", "changed", ("more_than", 12000, None),
     ("more_than", 20000, None)),
]


def read_examples() -> list[Article]:
    out: list[Article] = []
    for _path, result in iter_paths([EXAMPLES]):
        assert not isinstance(result, ArticleError), str(result)
        out.extend(result)
    return out


def test_examples_read_cleanly_in_every_format_and_language() -> None:
    arts = read_examples()
    assert len(arts) == 14
    assert {a.lang for a in arts} == {"ru", "uk", "en"}
    assert {a.meta["format"] for a in arts} == {"front-matter", "seed", "html"}
    dates = [(a.published or "")[:10] for a in arts]
    assert all(dates), "every example has a date"
    assert len(set(a.url for a in arts)) == len(arts)
    outlets = [a.source for a in arts if a.meta["format"] != "seed"]
    assert len(set(outlets)) == len(outlets), "each outlet appears once"
    # exactly one article arrives out of date order (the late archive piece)
    late = [d for prev, d in zip(dates, dates[1:], strict=False) if d < prev]
    assert late == ["2024-02-27"]


def test_html_example_keeps_only_the_article() -> None:
    [page] = [a for a in read_examples() if a.meta["format"] == "html"]
    assert page.source == "Harbour Times"
    # htmldate takes the day from the canonical URL here, so no time of day
    assert page.published == "2024-12-27"
    assert "between 11,000 and 12,000 troops" in page.text
    for chrome in ("Subscribe", "Most read", "all rights reserved"):
        assert chrome not in page.text


def _figmon(cwd: Path, *args: str) -> str:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run([sys.executable, "-m", "monitor", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


@pytest.mark.skipif(not (ROOT / "rules").is_dir(), reason="no shipped rules")
def test_run_once_tells_the_story(tmp_path: Path) -> None:
    work = tmp_path / "clone"
    work.mkdir()
    shutil.copy(ROOT / "figmon.yaml", work / "figmon.yaml")
    shutil.copytree(ROOT / "rules", work / "rules")
    shutil.copytree(EXAMPLES, work / "examples" / "articles")
    _figmon(work, "run", "--once")

    def events() -> list[tuple[object, ...]]:
        out = []
        for line in _figmon(work, "events", "--json").splitlines():
            e = json.loads(line)
            val = [None if v is None else (v["qualifier"], v["low"], v["high"])
                   for v in (e["old"], e["new"])]
            out.append(((e["published"] or "")[:10], e["figure"], e["kind"], *val))
        return out

    got = events()
    assert sorted(got, key=str) == sorted(EXPECTED_EVENTS, key=str)
    # running again changes nothing
    _figmon(work, "run", "--once")
    assert events() == got
    # per-claimant tracks are keyed on the canonical name but shown as the article spells them
    status = _figmon(work, "status")
    assert "dprk-casualties [Зеленский]: about 4,000" in status
    assert "[зеленский]" not in status
    assert "dprk-casualties [Зеленский]: more than 3,000 → about 4,000" in _figmon(work, "events")
    report = json.loads(_figmon(work, "status", "--json"))
    [src] = report["sources"]
    assert (src["name"], src["articles_found"], src["last_error"]) == ("samples", 14, None)
    assert "state" not in src
    troops = next(f for f in report["figures"] if f["figure"] == "dprk-troops")
    assert troops["value"] == {"low": 14000, "high": 14000, "qualifier": "approx"}
    assert troops["published"][:10] == "2025-09-04"
    assert report["pending_deliveries"] == 0
    # filters: the troop figures (both ids) from 2025 on, and a glob that matches nothing
    since = [e for e in EXPECTED_EVENTS if e[1].startswith("dprk-troops") and e[0] >= "2025"]
    filtered = [json.loads(line) for line in _figmon(
        work, "events", "--json", "--figure", "dprk-troops*", "--since", "2025-01-01"
    ).splitlines()]
    assert [(e["published"][:10], e["figure"]) for e in filtered] == \
        sorted([(e[0], e[1]) for e in since])
    assert _figmon(work, "events", "--figure", "iran-*") == ""
    # search: JSON lines, capped
    hits = [json.loads(line) for line in _figmon(work, "search", "--json", "--limit", "2",
                                                 "Пхеньян").splitlines()]
    assert len(hits) == 2 and all("Пхеньян" in h["snippet"] or "Пхеньян" in h["title"]
                                  for h in hits)
    # timeline as CSV: the same observations as --json, readable by the csv module
    import csv
    import io

    as_json = [json.loads(line) for line in
               _figmon(work, "timeline", "dprk-troops", "--json").splitlines()]
    table = list(csv.DictReader(io.StringIO(_figmon(work, "timeline", "dprk-troops", "--csv"))))
    assert len(table) == len(as_json) >= 5
    assert [r["published"] for r in table] == [r["published"] for r in as_json]
    ranged = next(r for r in table if r["qualifier"] == "range")
    assert (ranged["low"], ranged["high"]) == ("11000", "12000")
    assert {r["event"] for r in table} >= {"new", "changed"}


def test_a_saved_page_keeps_its_own_address() -> None:
    """05 is an HTML file on disk whose <link rel="canonical"> names its web address:
    readers are linked there, never to the file."""
    [art] = [a for a in read_examples() if "harbour-times" in a.url]
    assert art.url == "https://harbour-times.example.org/asia/2024/12/27/seoul-estimate"
    assert art.source == "Harbour Times"
