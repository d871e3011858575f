"""Digests through channels by kind: a webhook and an Apprise json:// target on real
local HTTP servers, e-mail on a real local SMTP server.  Exactly once per run with
events, nothing after a second run, a server down then up gives one delivery, and a
refusal fails only its own recipient."""

from __future__ import annotations

import hashlib
import hmac
import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlite_utils
from click.testing import CliRunner
from digest_support import (  # noqa: F401 - smtp is a fixture
    SmtpServer,
    add_event,
    context,
    free_port,
    seed_troops,
    smtp_fixture,
    write_config,
)
from pytest_httpserver import HTTPServer

from monitor import digest
from monitor.cli import cli
from monitor.config import load_config
from monitor.errors import ValidationError
from monitor.models import Value
from monitor.store import MIGRATIONS, Store

SECRET_ENV = "FIGMON_TEST_HOOK_SECRET"


@pytest.fixture
def web() -> Iterator[HTTPServer]:
    server = HTTPServer(host="127.0.0.1", port=free_port())
    server.start()
    yield server
    server.clear()
    if server.is_running():
        server.stop()


def posts(server: HTTPServer, path: str) -> list[dict]:
    return [json.loads(req.get_data(as_text=True)) for req, _ in server.log
            if req.path == path and req.method == "POST"]


def statuses(ctx) -> dict[str, str]:
    return {r[0]: r[1] for r in ctx.store.db.execute("SELECT email, status FROM deliveries")}


def subs_yaml(port: int, *, email: bool = False) -> str:
    text = ["subscribers:",
            f"  - webhook: http://127.0.0.1:{port}/hook",
            f"    secret_env: {SECRET_ENV}",
            f"  - apprise: json://127.0.0.1:{port}/apprise",
            "    figures: ['dprk-*']"]
    if email:
        text.append("  - email: analyst@example.org")
    return "\n".join(text)


def test_each_channel_gets_one_digest_per_run_with_events(
        tmp_path: Path, web: HTTPServer, smtp: SmtpServer,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(SECRET_ENV, "s3cret-for-tests")
    web.expect_request("/hook", method="POST").respond_with_data("ok")
    web.expect_request("/apprise", method="POST").respond_with_data("ok")
    ctx = context(write_config(
        tmp_path, smtp_port=smtp.port, subscribers=subs_yaml(web.port, email=True),
        extra="digest:\n  reports_url: https://figmon.example.org/reports/"))
    seed_troops(ctx.store)
    digest.after_run(ctx)

    hooks = posts(web, "/hook")
    assert len(hooks) == 1
    body = hooks[0]
    assert set(body) == {"digest", "subject", "events", "url"}
    digest_id = ctx.store.db.execute("SELECT id FROM digests").fetchone()[0]
    assert body["digest"] == digest_id
    assert body["url"].startswith("https://figmon.example.org/reports/digests/")
    assert body["subject"].startswith("[figmon]") or body["subject"]
    troops = next(e for e in body["events"] if e["figure"] == "dprk-troops")
    assert set(troops) == {"figure", "title", "kind", "old", "new", "article", "published",
                           "claimant", "quote"}
    assert troops["new"] == {"low": 10000, "high": None, "qualifier": "more_than"}
    assert troops["old"] is None and troops["kind"] == "new"
    assert troops["article"] == "https://news.example.org/a1"
    assert troops["quote"] == "Seoul says Pyongyang sent more than 10,000 soldiers in 2024."
    assert troops["claimant"] == "South Korean intelligence"
    assert {e["figure"] for e in body["events"]} == {"dprk-troops", "dprk-ammo-share"}

    req = next(r for r, _ in web.log if r.path == "/hook")
    raw = req.get_data()
    want = hmac.new(b"s3cret-for-tests", raw, hashlib.sha256).hexdigest()
    assert req.headers["X-Figmon-Signature"] == f"sha256={want}"
    assert req.headers["Content-Type"] == "application/json"
    key = req.headers["Idempotency-Key"]
    assert key.startswith("figmon-")

    notes = posts(web, "/apprise")
    assert len(notes) == 1
    assert notes[0]["title"] == body["subject"]
    assert "10,000" in notes[0]["message"] and body["url"] in notes[0]["message"]
    assert len(smtp.handler.to("analyst@example.org")) == 1
    assert set(statuses(ctx).values()) == {"sent"}

    digest.after_run(ctx)  # a second run with nothing new sends nothing
    assert len(posts(web, "/hook")) == 1 and len(posts(web, "/apprise")) == 1
    assert len(smtp.handler.to("analyst@example.org")) == 1

    add_event(ctx.store, figure="dprk-troops", url="https://news.example.org/a3",
              published="2025-09-01", new=Value(12000, 12000, "approx"),
              old=Value(10000, None, "more_than"), quote="About 12,000 soldiers now.")
    digest.after_run(ctx)
    hooks = posts(web, "/hook")
    assert len(hooks) == 2 and hooks[1]["digest"] != digest_id
    second = [r for r, _ in web.log if r.path == "/hook"][1]
    assert second.headers["Idempotency-Key"] != key  # one key per digest and recipient
    assert len(posts(web, "/apprise")) == 2
    assert len(smtp.handler.to("analyst@example.org")) == 2


def test_down_then_up_gives_one_delivery(tmp_path: Path,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(SECRET_ENV, "x")
    port = free_port()
    ctx = context(write_config(tmp_path, subscribers=subs_yaml(port)))
    seed_troops(ctx.store)
    digest.after_run(ctx)  # nobody listens yet
    rows = list(ctx.store.db.query("SELECT channel, status, attempts, last_error"
                                   " FROM deliveries ORDER BY channel"))
    assert [(r["channel"], r["status"], r["attempts"]) for r in rows] == [
        ("apprise", "pending", 1), ("webhook", "pending", 1)]
    assert "cannot connect" in rows[1]["last_error"]
    server = HTTPServer(host="127.0.0.1", port=port)
    server.expect_request("/hook", method="POST").respond_with_data("ok")
    server.expect_request("/apprise", method="POST").respond_with_data("ok")
    server.start()
    try:
        digest.after_run(ctx)
        digest.after_run(ctx)
        assert len(posts(server, "/hook")) == 1
        assert len(posts(server, "/apprise")) == 1
        assert set(statuses(ctx).values()) == {"sent"}
    finally:
        server.stop()


def test_a_refusal_fails_only_its_own_recipient(tmp_path: Path, web: HTTPServer,
                                                smtp: SmtpServer) -> None:
    web.expect_request("/gone", method="POST").respond_with_data("no such hook", status=410)
    web.expect_request("/busy", method="POST").respond_with_data("later", status=503)
    web.expect_request("/slow", method="POST").respond_with_data("", status=429)
    web.expect_request("/fine", method="POST").respond_with_data("ok")
    subs = "subscribers:\n" + "".join(
        f"  - webhook: http://127.0.0.1:{web.port}/{p}\n" for p in ("gone", "busy", "slow",
                                                                     "fine"))
    subs += "  - email: analyst@example.org\n"
    ctx = context(write_config(tmp_path, smtp_port=smtp.port, subscribers=subs))
    seed_troops(ctx.store)
    digest.after_run(ctx)
    base = f"http://127.0.0.1:{web.port}/"
    st = statuses(ctx)
    assert st == {base + "gone": "failed", base + "busy": "pending", base + "slow": "pending",
                  base + "fine": "sent", "analyst@example.org": "sent"}
    err = ctx.store.db.execute("SELECT last_error FROM deliveries WHERE email = ?",
                               [base + "gone"]).fetchone()[0]
    assert "410" in err and "no such hook" in err
    digest.after_run(ctx)  # the failed one is not tried again; the others are
    assert sum(1 for r, _ in web.log if r.path == "/gone") == 1
    assert sum(1 for r, _ in web.log if r.path == "/busy") == 2
    assert len(posts(web, "/fine")) == 1


def test_missing_secret_keeps_the_delivery_pending(tmp_path: Path, web: HTTPServer,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(SECRET_ENV, raising=False)
    web.expect_request("/hook", method="POST").respond_with_data("ok")
    subs = f"subscribers:\n  - webhook: http://127.0.0.1:{web.port}/hook\n" \
           f"    secret_env: {SECRET_ENV}\n"
    ctx = context(write_config(tmp_path, subscribers=subs))
    seed_troops(ctx.store)
    digest.after_run(ctx)
    assert posts(web, "/hook") == []  # never sent unsigned
    row = ctx.store.db.execute("SELECT status, last_error FROM deliveries").fetchone()
    assert row[0] == "pending" and SECRET_ENV in row[1]
    monkeypatch.setenv(SECRET_ENV, "now-set")
    digest.after_run(ctx)
    assert len(posts(web, "/hook")) == 1


def _cli(*args: str) -> tuple[int, str]:
    r = CliRunner().invoke(cli, list(args), standalone_mode=False, catch_exceptions=True)
    return (1 if r.exception and not isinstance(r.exception, SystemExit) else 0,
            r.output + (str(r.exception) if r.exception else ""))


def test_subscribers_add_says_which_channel_it_took(tmp_path: Path) -> None:
    write_config(tmp_path)
    cfg = str(tmp_path / "figmon.yaml")
    old = os.getcwd()
    os.chdir(tmp_path)
    try:
        code, out = _cli("subscribers", "add", "Ana@Example.org", "--config", cfg)
        assert code == 0 and "Subscribed ana@example.org" in out and "e-mail address" in out
        code, out = _cli("subscribers", "add", "https://hooks.example.org/Fig", "--config", cfg)
        assert code == 0 and "webhook" in out and "https://hooks.example.org/Fig" in out
        code, out = _cli("subscribers", "add", "ntfy://ntfy.example.org/figmon",
                         "--cadence", "daily", "--config", cfg)
        assert code == 0 and "Apprise URL" in out
        code, out = _cli("subscribers", "add", "nowhere://x", "--config", cfg)
        assert code == 1 and "Apprise does not know" in out
        code, out = _cli("subscribers", "add", "not an address", "--config", cfg)
        assert code == 1 and "is not an e-mail address" in out
        code, out = _cli("subscribers", "list", "--config", cfg)
        assert out.splitlines() == [
            "ana@example.org\timmediate\t*",
            "https://hooks.example.org/Fig\timmediate\t* [webhook]",
            "ntfy://ntfy.example.org/figmon\tdaily\t* [apprise]"]
        code, out = _cli("subscribers", "remove", "https://hooks.example.org/Fig",
                         "--config", cfg)
        assert code == 0 and "Unsubscribed" in out
    finally:
        os.chdir(old)


@pytest.mark.parametrize("entry, needle", [
    ("  - email: a@example.org\n    webhook: https://h.example.org/x", "exactly one of"),
    ("  - email: a@example.org\n    secret_env: X", "'secret_env' does not apply"),
    ("  - webhook: ftp://h.example.org/x", "is not an http(s) URL"),
    ("  - apprise: nowhere://x", "Apprise does not know"),
    ("  - figures: ['x']", "needs a valid 'email'"),
    ("  - webhook: https://h.example.org/x\n    secret_env: ''", "must name an environment"),
    ("  - webhook: https://h.example.org/x\n  - webhook: https://h.example.org/x",
     "listed twice"),
    ("  - webhook: https://h.example.org/x\n    secretenv: X", "unknown key 'secretenv'"),
])
def test_subscriber_entries_are_checked_against_their_channel(tmp_path: Path, entry: str,
                                                              needle: str) -> None:
    path = tmp_path / "figmon.yaml"
    path.write_text(f"database: figmon.db\nsubscribers:\n{entry}\n", encoding="utf-8")
    with pytest.raises(ValidationError) as err:
        load_config(path)
    assert needle in str(err.value), str(err.value)
    assert "figmon.yaml" in str(err.value)


def test_old_database_keeps_its_email_subscribers_and_deliveries(
        tmp_path: Path, smtp: SmtpServer) -> None:
    path = tmp_path / "figmon.db"
    db = sqlite_utils.Database(path)
    before = len(MIGRATIONS) - 1  # the database as the release before channels left it
    for m in MIGRATIONS[:before]:
        m(db)
    db.execute(f"PRAGMA user_version = {before}")
    db.execute("INSERT INTO subscribers (email, figures, cadence, origin, created_at)"
               " VALUES ('old@example.org', '[]', 'immediate', 'cli', '2030-01-01T00:00:00')")
    db.conn.commit()
    db.close()
    with Store.open(path) as store:
        row = store.db.execute("SELECT channel FROM subscribers").fetchone()
        assert row[0] == "email"
    with Store.open(path) as store:  # opening again changes nothing
        assert store.db.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
    settings = write_config(tmp_path, smtp_port=smtp.port)
    ctx = context(settings)
    seed_troops(ctx.store)
    digest.after_run(ctx)
    assert len(smtp.handler.to("old@example.org")) == 1
    assert ctx.store.db.execute("SELECT channel FROM deliveries").fetchone()[0] == "email"


WEBHOOK_CHILD = """
import os, signal, sys
sys.path.insert(0, {tests!r})
from digest_support import context
from monitor import deliver
from monitor.channels import webhook
from monitor.config import load_config

ctx = context(load_config({config!r}))
real_send = webhook._WebhookSender.send

def send(self, row):
    real_send(self, row)
    os.kill(os.getpid(), signal.SIGKILL)  # the receiver has it; figmon has not recorded it

webhook._WebhookSender.send = send
deliver.deliver_pending(ctx)
"""


def test_a_kill_in_the_window_resends_with_the_same_idempotency_key(
        tmp_path: Path, web: HTTPServer) -> None:
    import signal
    import subprocess
    import sys

    web.expect_request("/hook", method="POST").respond_with_data("ok")
    subs = f"subscribers:\n  - webhook: http://127.0.0.1:{web.port}/hook\n"
    ctx = context(write_config(tmp_path, subscribers=subs))
    seed_troops(ctx.store)
    assert digest.build(ctx) is not None
    tests = str(Path(__file__).resolve().parent)
    script = WEBHOOK_CHILD.format(tests=tests, config=str(tmp_path / "figmon.yaml"))
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=120, cwd=Path(tests).parent)
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    assert statuses(ctx) == {f"http://127.0.0.1:{web.port}/hook": "sending"}
    digest.after_run(ctx)  # the dead process's claim is taken over and sent again
    digest.after_run(ctx)
    sent = [r for r, _ in web.log if r.path == "/hook"]
    assert len(sent) == 2  # the documented window: twice, recognisably the same
    assert sent[0].headers["Idempotency-Key"] == sent[1].headers["Idempotency-Key"]
    assert sent[0].get_data() == sent[1].get_data()
    assert set(statuses(ctx).values()) == {"sent"}


def test_a_redirecting_webhook_is_not_followed(tmp_path: Path, web: HTTPServer) -> None:
    web.expect_request("/moved", method="POST").respond_with_data(
        "", status=301, headers={"Location": f"http://127.0.0.1:{web.port}/elsewhere"})
    web.expect_request("/elsewhere").respond_with_data("ok")
    subs = f"subscribers:\n  - webhook: http://127.0.0.1:{web.port}/moved\n"
    ctx = context(write_config(tmp_path, subscribers=subs))
    seed_troops(ctx.store)
    digest.after_run(ctx)
    assert [r.path for r, _ in web.log] == ["/moved"]
    status, error = ctx.store.db.execute("SELECT status, last_error FROM deliveries").fetchone()
    assert status == "failed" and "301" in error
