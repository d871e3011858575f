"""Replay scenarios (tests/cases/replay_*.yaml): articles in arrival order with
their observations, and the events (and row counts) expected, worked out by
hand in each file.  Every scenario is ingested twice: the second pass must add
no row to any table and no event."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from store_fakes import article, context, obs_line

from monitor.pipeline import ingest, status_report

CASES = sorted((Path(__file__).parent / "cases").glob("replay_*.yaml"))


def _value(v: list[Any] | None) -> dict[str, Any] | None:
    return None if v is None else {"low": v[0], "high": v[1], "qualifier": v[2]}


def _articles(case: dict[str, Any]) -> list[Any]:
    out = []
    for a in case["articles"]:
        lines = [a.get("text") or f"A report filed as {a['url']}."]
        for o in a.get("obs", []):
            extra = {k: o[k] for k in ("claimant", "previous") if k in o}
            lines.append(obs_line(o["figure"], o["value"], **extra))
        out.append(article(a["url"], str(a["published"]), "\n".join(lines)))
    return out


@pytest.mark.parametrize("chunk", [1, 50])
@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_replay(path: Path, chunk: int, tmp_path: Path) -> None:
    case = yaml.safe_load(path.read_text(encoding="utf-8"))
    ctx = context(tmp_path, case["figures"])
    expect = case["expect"]
    want = [{"figure": e["figure"], "kind": e["kind"], "old": _value(e["old"]),
             "new": _value(e["new"]), "article": e["article"], "track": e.get("track", "")}
            for e in expect["events"]]
    try:
        first = ingest(ctx, "replay", _articles(case), chunk=chunk)
        got = [{k: e[k] for k in ("figure", "kind", "old", "new", "article", "track")}
               for e in ctx.store.events()]
        assert got == want
        assert [e.to_json()["new"] for e in first.events] == [w["new"] for w in want]
        counts = ctx.store.counts()
        for table, n in expect["counts"].items():
            assert counts[table] == n, table

        again = ingest(ctx, "replay", _articles(case), chunk=chunk)
        assert again.new == 0 and again.events == []
        assert ctx.store.counts() == counts

        if "current" in expect:
            report = status_report(ctx.store, ctx.rules)
            states = {(f["figure"], f["track"]): f for f in report["figures"]}
            for cur in expect["current"]:
                state = states[(cur["figure"], cur.get("track", ""))]
                assert state["value"] == _value(cur["value"])
                assert state["agreeing"] == cur["agreeing"]
    finally:
        ctx.close()


def test_every_scenario_is_present() -> None:
    names = {p.stem for p in CASES}
    assert {"replay_out_of_order", "replay_duplicates", "replay_corroboration",
            "replay_per_claimant", "replay_threshold", "replay_from_to"} <= names
