"""The daemon: `figmon run` as a real process against a local feed, the one-daemon lock,
config checked before the scheduler starts, and a clean stop."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from sources_support import (  # noqa: F401 - fixtures
    GOOD_ITEMS,
    NoRules,
    http_fixture,
    rss2,
    server_fixture,
    write_config,
)
from werkzeug import Request, Response

from monitor.config import load_config
from monitor.daemon import Daemon
from monitor.errors import LockError
from monitor.lock import DatabaseLock
from monitor.sources import build_sources
from monitor.store import Store

ROOT = Path(__file__).resolve().parent.parent

RULE = """figures:
  - id: test-troops
    title: Troops sent abroad (test rule)
    kind: count
    unit_label: troops
    subject: [North Korea, Pyongyang]
    measure: [troops, soldiers]
"""

NEW_ITEM = ("Troops figure", "http://127.0.0.1/news/troops", "Mon, 18 Aug 2025 08:00:00 +0000",
            "North Korea has sent more than 10,000 troops to Russia, officials said on Monday.")


def wait_until(check: Callable[[], Any], seconds: float, what: str) -> Any:
    """Poll ``check`` until it returns something true; fail after ``seconds``."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        got = check()
        if got:
            return got
        time.sleep(0.2)
    pytest.fail(f"timed out after {seconds} s waiting for {what}")


def figmon(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "monitor", *args], cwd=cwd, env=_env(),
                          capture_output=True, text=True, timeout=60)


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    return env


def test_daemon_ingests_a_new_item_and_stops_cleanly(http: HTTPServer, tmp_path: Path) -> None:
    items = [GOOD_ITEMS[0]]

    def feed(request: Request) -> Response:
        return Response(rss2(items), content_type="application/rss+xml")

    http.expect_request("/wire.xml").respond_with_handler(feed)
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "test.yaml").write_text(RULE, encoding="utf-8")
    cfg = write_config(tmp_path, [{"name": "wire", "kind": "feed", "every": "1s",
                                   "url": http.url_for("/wire.xml")}],
                       http={"timeout": 5, "retries": 0})
    log = (tmp_path / "daemon.log").open("w")
    proc = subprocess.Popen([sys.executable, "-m", "monitor", "run", "--config", str(cfg)],
                            cwd=tmp_path, env=_env(), stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_until(lambda: len(http.log) >= 1, 60, "the first poll of the feed")
        items.append(NEW_ITEM)

        def troops_event() -> list[dict[str, Any]]:
            out = figmon("events", "--json", "--config", str(cfg), cwd=tmp_path)
            assert out.returncode == 0, out.stderr
            rows = [json.loads(x) for x in out.stdout.splitlines() if x.strip()]
            return [r for r in rows if r["figure"] == "test-troops"]

        (event,) = wait_until(troops_event, 60, "the new item's figure in `figmon events`")
        assert event["kind"] == "new"
        assert event["new"] == {"low": 10000, "high": None, "qualifier": "more_than"}
        assert event["article"] == NEW_ITEM[1]

        # a second daemon on the same database refuses, naming the first one's PID
        second = figmon("run", "--config", str(cfg), cwd=tmp_path)
        assert second.returncode == 1
        assert f"PID {proc.pid}" in second.stderr and "already running" in second.stderr

        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=20) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        log.close()
    text = (tmp_path / "daemon.log").read_text()
    assert "figmon daemon stopped" in text
    status = figmon("status", "--config", str(cfg), cwd=tmp_path)
    assert "wire (feed)" in status.stdout and "2 new of" in status.stdout  # two items
    assert "last error: none" in status.stdout
    with Store.open(tmp_path / "figmon.db") as store:
        (runs,) = store.db.execute("SELECT runs FROM sources WHERE name = 'wire'").fetchone()
        assert runs >= 2
    # the lock is free again: a new holder gets it
    with DatabaseLock(tmp_path / "figmon.db"):
        pass


def test_bad_config_is_refused_before_anything_starts(tmp_path: Path) -> None:
    cfg = tmp_path / "figmon.yaml"
    cfg.write_text(f"database: {tmp_path / 'figmon.db'}\nsources:\n"
                   "  - name: wire\n    kind: feed\n    url: http://127.0.0.1:9/f.xml\n"
                   "    every: sometimes\n", encoding="utf-8")
    out = figmon("run", "--config", str(cfg), cwd=tmp_path)
    assert out.returncode == 1
    assert f"{cfg}:6" in out.stderr and "'every: sometimes' is not an interval" in out.stderr
    assert not (tmp_path / "figmon.db").exists()


def test_second_lock_holder_is_refused_with_the_pid(tmp_path: Path) -> None:
    db = tmp_path / "figmon.db"
    with DatabaseLock(db) as held:
        assert held.path.read_text().strip() == str(os.getpid())
        with pytest.raises(LockError) as info:
            DatabaseLock(db).acquire()
        assert f"PID {os.getpid()}" in info.value.message
        assert str(db) in info.value.message and "kill" in info.value.hint
    assert held.path.read_text() == ""  # released, no stale PID
    DatabaseLock(db).acquire().release()


def test_daemon_in_process_runs_each_source_and_stops(http: HTTPServer, tmp_path: Path) -> None:
    http.expect_request("/a.xml").respond_with_data(rss2(GOOD_ITEMS),
                                                    content_type="application/rss+xml")
    http.expect_request("/b.xml").respond_with_data("nope", status=404)
    cfg = write_config(tmp_path, [
        {"name": "a", "kind": "feed", "every": "1s", "url": http.url_for("/a.xml")},
        {"name": "b", "kind": "feed", "every": "1h", "url": http.url_for("/b.xml")}],
        http={"timeout": 5, "retries": 0})
    settings = load_config(cfg)
    daemon = Daemon(settings, build_sources(settings), rules=NoRules())
    thread = threading.Thread(target=daemon.run)
    thread.start()
    try:
        def runs() -> dict[str, int]:
            hits = [r.path for r, _ in http.log]
            return {"a": hits.count("/a.xml"), "b": hits.count("/b.xml")}

        wait_until(lambda: runs()["a"] >= 3, 60, "three polls of the 1-second source")
        assert runs()["b"] == 1  # hourly: only the immediate first run
    finally:
        daemon.stop()
        thread.join(20)
    assert not thread.is_alive()
    with Store.open(settings.database) as store:
        rows = {r[0]: r[1:] for r in store.db.execute(
            "SELECT name, last_error, articles_new FROM sources")}
    assert rows["a"][0] is None and rows["a"][1] == 2
    assert "HTTP 404" in rows["b"][0]


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_a_signal_during_a_slow_fetch_exits_promptly_with_0(sig: signal.Signals,
                                                           http: HTTPServer,
                                                           tmp_path: Path) -> None:
    entered = threading.Event()
    release = threading.Event()

    def stall(request: Request) -> Response:
        entered.set()
        release.wait(60)  # a server that never answers while the test runs
        return Response("late")

    http.expect_request("/stall.xml").respond_with_handler(stall)
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "test.yaml").write_text(RULE, encoding="utf-8")
    cfg = write_config(tmp_path, [{"name": "stall", "kind": "feed", "every": "1h",
                                   "url": http.url_for("/stall.xml")}],
                       http={"timeout": 120, "retries": 0})
    proc = subprocess.Popen([sys.executable, "-m", "monitor", "run", "--config", str(cfg)],
                            cwd=tmp_path, env=_env(), stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)
    try:
        assert entered.wait(60), "the daemon never asked for the feed"
        proc.send_signal(sig)
        _, err = proc.communicate(timeout=30)  # far below the 120 s request timeout
        assert proc.returncode == 0, err
        assert "figmon daemon stopped" in err
    finally:
        release.set()
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    with Store.open(tmp_path / "figmon.db") as store:
        # the cut-off fetch is not recorded as a failure: it simply runs next time
        assert store.source_state("stall") == {}
        assert store.db.execute("SELECT count(*) FROM sources").fetchone()[0] == 0


def test_a_bad_digest_cron_stops_the_daemon_before_it_starts(tmp_path: Path) -> None:
    from monitor.daemon import digest_trigger
    from monitor.errors import ConfigError

    cfg = write_config(tmp_path, [], digest={"cron": "0 7 * *"})
    with pytest.raises(ConfigError) as info:  # config validation catches it first
        load_config(cfg)
    assert any("cron" in str(p) for p in info.value.problems)
    settings = load_config(write_config(tmp_path, []))
    settings.digest["cron"] = "every morning"  # settings built in code skip the file checks
    with pytest.raises(ConfigError, match="'digest.cron: every morning' is not valid"):
        digest_trigger(settings)
    assert not settings.database.exists()
