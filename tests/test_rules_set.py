"""The labelled DPRK set (tests/cases/dprk_set_*.yaml): its labels are consistent, and
the shipped rules keep the recall and precision measured on it.

The floors sit just under the figures `python3 benchmarks/accuracy.py --only set`
prints, so a change that loses North Korea figures, or lets other sides' numbers
in, fails here.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from test_extract_corpus import _accuracy

from monitor.models import QUALIFIERS
from monitor.rules import load_rules

ROOT = Path(__file__).resolve().parent.parent
CASES = ROOT / "tests" / "cases"
FLOOR_PRECISION = 94.0
FLOOR_RECALL = 91.0


def _cases() -> list[dict[str, object]]:
    out: list[dict[str, object]] = []
    for name in _accuracy().SET_FILES:
        out.extend(yaml.safe_load((CASES / name).read_text(encoding="utf-8")))
    return out


def _check_value(v: dict[str, object], where: str) -> None:
    q = v["qualifier"]
    assert q in QUALIFIERS, where
    low, high = v.get("low"), v.get("high")
    if q in ("exact", "approx") and not v.get("vague"):
        assert low == high and low is not None, where
    elif q in ("more_than", "at_least"):
        assert low is not None and high is None, where
    elif q in ("up_to", "less_than"):
        assert low is None and high is not None, where
    else:
        assert low is not None and high is not None, where


def test_the_set_is_labelled_consistently() -> None:
    cases = _cases()
    assert len(cases) >= 250
    ids = [c["id"] for c in cases]
    assert len(ids) == len(set(ids))
    figures = set(load_rules(ROOT / "rules").figures)
    langs = {c["lang"] for c in cases}
    assert langs == {"ru", "uk", "en"}
    for c in cases:
        assert isinstance(c["text"], str) and c["text"].strip()
        for g in c.get("figures") or []:  # type: ignore[attr-defined]
            where = f"{c['id']}: {g}"
            assert g["figure"] in figures, where
            _check_value(g, where)
            if g.get("previous"):
                _check_value(g["previous"], where)
    articles = [c for c in cases if len(str(c["text"]).split(". ")) > 1 or c.get("title")]
    assert len(articles) >= 60  # short articles whose subject sits earlier or above


@pytest.fixture(scope="module")
def scores() -> dict[tuple[str, str], tuple[int, int, int, int]]:
    return _accuracy().rules_set_scores(CASES, ROOT / "rules")  # type: ignore[no-any-return]


@pytest.mark.parametrize("lang", ["en", "ru", "uk"])
def test_the_shipped_rules_catch_dprk_figures_and_leave_the_rest(
        scores: dict[tuple[str, str], tuple[int, int, int, int]], lang: str) -> None:
    correct, predicted, found, gold = scores[(lang, "any")]
    precision = 100.0 * correct / predicted
    recall = 100.0 * found / gold
    assert precision >= FLOOR_PRECISION, (lang, precision)
    assert recall >= FLOOR_RECALL, (lang, recall)
