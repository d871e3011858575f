"""kill -9 around the send: exactly once, and the same Message-ID if the one message in
flight has to go again."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from digest_support import (  # noqa: F401 - smtp is a fixture
    SmtpServer,
    context,
    seed_troops,
    smtp_fixture,
    write_config,
)

from monitor import digest
from monitor.deliver import deliver_pending

SUBS = """subscribers:
  - email: one@example.org
  - email: two@example.org
"""
ROOT = Path(__file__).resolve().parent.parent

# Runs deliver_pending in a child process that SIGKILLs itself at a chosen point.
CHILD = textwrap.dedent("""
    import os, signal, sys
    sys.path.insert(0, {tests!r})
    from digest_support import context
    from monitor import deliver
    from monitor.config import load_config

    point = sys.argv[1]
    ctx = context(load_config({config!r}))

    def die():
        os.kill(os.getpid(), signal.SIGKILL)

    if point == "before-send":  # claimed ('sending' committed), nothing on the wire yet
        deliver.SmtpTransport.send = lambda self, *a: die()
    elif point == "after-accept":  # the server has it, figmon has not recorded it
        real_send = deliver.SmtpTransport.send
        def send(self, *a):
            real_send(self, *a)
            die()
        deliver.SmtpTransport.send = send
    elif point == "after-record":  # 'sent' committed
        real_mark = deliver._mark_sent
        def mark(*a):
            real_mark(*a)
            die()
        deliver._mark_sent = mark
    deliver.deliver_pending(ctx)
""")


def crash(tmp_path: Path, point: str) -> None:
    script = CHILD.format(tests=str(ROOT / "tests"), config=str(tmp_path / "figmon.yaml"))
    proc = subprocess.run([sys.executable, "-c", script, point], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == -signal.SIGKILL, proc.stderr


def prepare(tmp_path: Path, smtp: SmtpServer):
    ctx = context(write_config(tmp_path, smtp_port=smtp.port, subscribers=SUBS))
    seed_troops(ctx.store)
    built = digest.build(ctx)
    assert built is not None
    return ctx, {o.email: o.message_id for o in built.outgoing}


def rows(ctx) -> list[tuple[str, str]]:
    return [(r[0], r[1]) for r in ctx.store.db.execute(
        "SELECT email, status FROM deliveries ORDER BY email")]


@pytest.mark.parametrize("point", ["before-send", "after-record"])
def test_kill_before_send_or_after_record_delivers_exactly_once(
        tmp_path: Path, smtp: SmtpServer, point: str) -> None:
    ctx, ids = prepare(tmp_path, smtp)
    crash(tmp_path, point)
    after_crash = rows(ctx)
    if point == "before-send":
        assert after_crash == [("one@example.org", "sending"), ("two@example.org", "pending")]
        assert smtp.handler.received == []
    else:
        assert after_crash == [("one@example.org", "sent"), ("two@example.org", "pending")]
    deliver_pending(ctx)  # the next run: the dead process's claim is taken over
    deliver_pending(ctx)
    assert rows(ctx) == [("one@example.org", "sent"), ("two@example.org", "sent")]
    for address in ("one@example.org", "two@example.org"):
        got = smtp.handler.to(address)
        assert [m["Message-ID"] for m in got] == [ids[address]]


def test_kill_in_the_window_resends_with_the_same_message_id(tmp_path: Path,
                                                             smtp: SmtpServer) -> None:
    ctx, ids = prepare(tmp_path, smtp)
    crash(tmp_path, "after-accept")
    deliver_pending(ctx)
    got = smtp.handler.to("one@example.org")
    # the documented window: the one message in flight arrives twice, recognisably
    assert [m["Message-ID"] for m in got] == [ids["one@example.org"]] * 2
    assert got[0].as_bytes() == got[1].as_bytes()
    assert [m["Message-ID"] for m in smtp.handler.to("two@example.org")] == [
        ids["two@example.org"]]


def test_live_claim_is_not_taken_over(tmp_path: Path, smtp: SmtpServer) -> None:
    """A row another live process is sending stays with it."""
    ctx, _ = prepare(tmp_path, smtp)
    import socket

    ctx.store.db.execute("UPDATE deliveries SET status = 'sending', claimed_by = ?"
                         " WHERE email = 'one@example.org'",
                         [f"{socket.gethostname()}:{os.getppid()}"])
    ctx.store.db.conn.commit()
    deliver_pending(ctx)
    assert rows(ctx) == [("one@example.org", "sending"), ("two@example.org", "sent")]
    assert smtp.handler.to("one@example.org") == []


def test_two_processes_building_at_once_attach_each_event_once(tmp_path: Path, smtp: SmtpServer,
                                                              monkeypatch) -> None:
    settings = write_config(tmp_path, smtp_port=smtp.port, subscribers=SUBS)
    ctx, other = context(settings), context(settings)
    e1, _ = seed_troops(ctx.store)
    real = digest.items_for
    calls = []

    def racing(c, rows, *a):  # the other process digests event e1 while we render
        if not calls:
            calls.append(1)
            other.store.db.execute("INSERT INTO digests (key, created_at, cadence)"
                                   " VALUES ('other', '2030-01-01', 'immediate')")
            other.store.db.execute("UPDATE events SET digest_id = last_insert_rowid()"
                                   " WHERE id = ?", [e1])
            other.store.db.conn.commit()
        return real(c, rows, *a)

    monkeypatch.setattr(digest, "items_for", racing)
    built = digest.build(ctx)
    assert built is not None and e1 not in built.event_ids and len(built.event_ids) == 1
    owners = dict(ctx.store.db.execute("SELECT id, digest_id FROM events").fetchall())
    assert owners[e1] != built.digest_id and len(set(owners.values())) == 2
