"""Threshold arithmetic of change detection, worked out by hand."""

from __future__ import annotations

from typing import Any

import pytest

from monitor.changes import differs
from monitor.models import Value
from monitor.rules import Figure


def fig(**kw: Any) -> Figure:
    return Figure(id="f", title="f", kind="count", unit_label="troops", measure=("x",), **kw)


@pytest.mark.parametrize("old, new, thresholds, changed", [
    # no thresholds: any difference
    ((100, 100, "exact"), (101, 101, "exact"), {}, True),
    ((100, 100, "exact"), (100, 100, "exact"), {}, False),
    # exact and approx are both points: compared by value only
    ((100, 100, "exact"), (100, 100, "approx"), {}, False),
    # 5 % of 10,000 is 500: 499 is under, 500 reaches it
    ((10000, 10000, "approx"), (10499, 10499, "approx"), {"min_relative": 0.05}, False),
    ((10000, 10000, "approx"), (10500, 10500, "approx"), {"min_relative": 0.05}, True),
    ((10000, 10000, "approx"), (9500, 9500, "approx"), {"min_relative": 0.05}, True),
    # absolute: 40 → 44 moves 4 < 5; 40 → 45 moves 5
    ((None, 40, "up_to"), (None, 44, "up_to"), {"min_absolute": 5}, False),
    ((None, 40, "up_to"), (None, 45, "up_to"), {"min_absolute": 5}, True),
    # both set: both must be reached (600 ≥ 500 but 600/20000 = 3 % < 5 %)
    ((20000, 20000, "exact"), (20600, 20600, "exact"),
     {"min_relative": 0.05, "min_absolute": 500}, False),
    ((20000, 20000, "exact"), (21000, 21000, "exact"),
     {"min_relative": 0.05, "min_absolute": 500}, True),
    # another interval shape is a change whatever the numbers
    ((10000, 10000, "approx"), (10000, None, "more_than"), {"min_relative": 0.5}, True),
    ((10000, None, "more_than"), (10000, None, "at_least"), {}, False),
    ((50, 100, "range"), (50, 100, "range"), {}, False),
    # a range whose upper end moves
    ((50, 100, "range"), (50, 120, "range"), {"min_relative": 0.1}, True),
    ((50, 100, "range"), (50, 105, "range"), {"min_relative": 0.1}, False),
    # from zero any rise counts (no relative base)
    ((0, 0, "exact"), (1, 1, "exact"), {"min_relative": 0.05}, True),
])
def test_differs(old: tuple[Any, ...], new: tuple[Any, ...], thresholds: dict[str, float],
                 changed: bool) -> None:
    assert differs(Value(*old), Value(*new), fig(**thresholds)) is changed
