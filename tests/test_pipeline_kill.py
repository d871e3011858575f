"""kill -9 in the middle of ingesting: the database stays consistent (every
stored article has all its observations and events), and a rerun ends with
exactly what one clean run produces — no lost article, no double event."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent

# Generates N articles with jittered (partly out-of-order) publication dates and a value that moves
# every 50 articles; every 10th article is re-sent under a second URL.
SCRIPT = r"""
import sys, time
from datetime import date, timedelta
from store_fakes import FakeRules, article, obs_line
from monitor.pipeline import Context, ingest
from monitor.store import Store

db, n, delay = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])

def gen():
    for i in range(n):
        if delay:
            time.sleep(delay)
        day = date(2024, 1, 1) + timedelta(days=i // 8 + (i * 37) % 11)
        value = 10000 + 1000 * ((i // 50) % 7)
        text = f"Story number {i} about the contingent.\n" + obs_line(
            "troops", [value, value, "approx"])
        yield article(f"https://gen.example/{i}", day.isoformat(), text)
        if i % 10 == 0:
            yield article(f"https://mirror.example/copy-{i}", day.isoformat(), text.upper())

store = Store.open(db)
ctx = Context(settings=None, store=store,
              rules=FakeRules([{"id": "troops", "min_relative": 0.05}]))
result = ingest(ctx, "gen", gen(), chunk=20)
print(result.found, result.new, len(result.events))
store.close()
"""

N = 3000


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(TESTS), str(ROOT), env.get("PYTHONPATH", "")])
    return env


def _run(db: Path, n: int, delay: float) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", SCRIPT, str(db), str(n), str(delay)],
                          env=_env(), capture_output=True, text=True, check=True,
                          timeout=300)


def _count(db: Path, table: str) -> int:
    try:
        con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)
        try:
            return int(con.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
        finally:
            con.close()
    except sqlite3.OperationalError:  # not created yet
        return 0


def _snapshot(db: Path) -> dict[str, Any]:
    con = sqlite3.connect(db)
    try:
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        urls = sorted(r[0] for r in con.execute("SELECT url FROM articles"))
        events = con.execute(
            "SELECT figure, track, kind, old_low, old_high, old_qualifier, new_low, new_high,"
            " new_qualifier, article, published FROM events ORDER BY id").fetchall()
        orphans = con.execute(
            "SELECT count(*) FROM articles a WHERE NOT EXISTS"
            " (SELECT 1 FROM observations o WHERE o.article_id = a.id)").fetchone()[0]
        counts = {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                  for t in ("articles", "observations", "events", "articles_fts")}
    finally:
        con.close()
    return {"urls": urls, "events": events, "orphans": orphans, "counts": counts}


def test_sigkill_mid_ingest_then_rerun_matches_clean_run(tmp_path: Path) -> None:
    clean_db = tmp_path / "clean.db"
    out = _run(clean_db, N, 0)
    # N originals stored; every 10th copy differs only in case: dropped as a duplicate
    assert out.stdout.split()[:2] == [str(N + N // 10), str(N)]
    clean = _snapshot(clean_db)
    assert clean["counts"] == {"articles": N, "observations": N,
                               "events": len(clean["events"]), "articles_fts": N}
    assert clean["orphans"] == 0

    crash_db = tmp_path / "crash.db"
    proc = subprocess.Popen([sys.executable, "-c", SCRIPT, str(crash_db), str(N), "0.002"],
                            env=_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 120
        while _count(crash_db, "articles") < 300 and time.monotonic() < deadline:
            assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
            time.sleep(0.05)
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait()
        for stream in (proc.stdout, proc.stderr):
            if stream:
                stream.close()
    assert proc.returncode == -signal.SIGKILL

    half = _snapshot(crash_db)
    stored = half["counts"]["articles"]
    assert 300 <= stored < N
    # whole articles only: each stored article has its observation, FTS row, and the
    # events so far are exactly the clean run's first events
    assert half["orphans"] == 0
    assert half["counts"]["observations"] == stored
    assert half["counts"]["articles_fts"] == stored
    assert half["events"] == clean["events"][:len(half["events"])]

    _run(crash_db, N, 0)
    assert _snapshot(crash_db) == clean



def test_two_processes_ingesting_at_once_store_everything_once(tmp_path: Path) -> None:
    """Overlapping runs (a cron job on top of a slow one) wait for each other's
    write lock instead of failing, and still store each article and event once."""
    clean_db = tmp_path / "clean.db"
    _run(clean_db, 1000, 0)
    shared = tmp_path / "shared.db"
    procs = [subprocess.Popen([sys.executable, "-c", SCRIPT, str(shared), "1000", "0"],
                              env=_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
             for _ in range(2)]
    for p in procs:
        _, err = p.communicate(timeout=300)
        assert p.returncode == 0, err.decode()
    assert _snapshot(shared) == _snapshot(clean_db)


RULE = """\
figures:
  - id: kill-troops
    title: Troops (kill test)
    kind: count
    unit_label: troops
    subject: [Pyongyang]
    measure: [troops]
    change: {min_relative: 0.05}
"""


def _project(root: Path, files: int, per_file: int) -> Path:
    """A figmon project: one rule, a folder of jsonl files, dates partly out of order,
    a value that moves every 100 articles."""
    (root / "rules").mkdir(parents=True)
    (root / "rules" / "kill.yaml").write_text(RULE, encoding="utf-8")
    news = root / "news"
    news.mkdir()
    for f in range(files):
        lines = []
        for j in range(per_file):
            i = f * per_file + j
            day = 1 + (i // 200) % 28 if i % 7 else 1 + (i // 50) % 28
            value = 10_000 + 1_000 * ((i // 100) % 6)
            lines.append(json.dumps({
                "url": f"https://kill.example/{i}", "date": f"2025-{1 + i // 5600:02d}-{day:02d}",
                "lang": "en", "title": f"Report {i}",
                "text": f"Report {i}: Pyongyang has sent about {value:,} troops to Russia."}))
        (news / f"batch-{f:04d}.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (root / "figmon.yaml").write_text(
        "database: figmon.db\nrules: rules\nsources:\n  - {name: news, kind: folder, path: news}\n",
        encoding="utf-8")
    return root


def _figmon(root: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "monitor", "run", "--once"], cwd=root,
                            env=_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def test_figmon_run_once_killed_and_rerun(tmp_path: Path) -> None:
    files, per_file = 150, 20
    clean = _project(tmp_path / "clean", files, per_file)
    p = _figmon(clean)
    out, err = p.communicate(timeout=600)
    assert p.returncode == 0, err.decode()
    want = _snapshot(clean / "figmon.db")
    assert len(want["urls"]) == files * per_file and want["orphans"] == 0
    assert len(want["events"]) > 10

    crash = _project(tmp_path / "crash", files, per_file)
    proc = _figmon(crash)
    try:
        deadline = time.monotonic() + 300
        while _count(crash / "figmon.db", "articles") < 200 and time.monotonic() < deadline:
            assert proc.poll() is None, "figmon finished before it could be killed"
            time.sleep(0.02)
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.communicate()
    assert proc.returncode == -signal.SIGKILL
    half = _snapshot(crash / "figmon.db")
    assert 200 <= len(half["urls"]) < files * per_file
    assert half["orphans"] == 0
    assert half["events"] == want["events"][:len(half["events"])]

    again = _figmon(crash)
    _, err = again.communicate(timeout=600)
    assert again.returncode == 0, err.decode()
    assert _snapshot(crash / "figmon.db") == want
