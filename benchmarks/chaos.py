"""SIGKILL `figmon run --once` at random moments; check that a restart ends where a clean run does.

    python benchmarks/chaos.py --kills 30
    python benchmarks/chaos.py --kills 5 --articles 120 --seed 7

Setup: a folder of generated articles (a figure whose value moves every few
articles, plus one article with an impossible date that must be quarantined),
the starter rule from `figmon init`, three subscribers and a real SMTP server on
127.0.0.1 that takes a moment per message (so kills also land mid-delivery).

First one clean run gives the reference and its duration.  Then, N times, in a
fresh copy: start `run --once`, SIGKILL it after a random delay within that
duration, start it again and let it finish.  The database (articles,
observations, events, digests, deliveries, quarantine, source state) and the
mailbox are compared with the reference.  A mail re-sent after a kill keeps its
Message-ID (the server cannot tell a delivery that was cut after its last byte
from one that was not), so the mailbox is compared by Message-ID and copies are
counted apart.

Prints one line per kill and the number left unchanged.
"""

from __future__ import annotations

import argparse
import asyncio
import email
import email.policy
import json
import os
import random
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SUBSCRIBERS = ["desk@example.org", "night@example.org", "editor@example.org"]


class Mailbox:
    """aiosmtpd handler: keeps each message; DATA takes ``delay`` seconds."""

    def __init__(self, delay: float) -> None:
        self.delay = delay
        self.lock = threading.Lock()
        self.raw: list[bytes] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        await asyncio.sleep(self.delay)
        with self.lock:
            self.raw.append(bytes(envelope.original_content or envelope.content))
        return "250 OK"

    def summary(self) -> tuple[list[tuple[str, str, str]], int]:
        """Unique (To, Subject, Message-ID) sorted, and how many extra copies came."""
        with self.lock:
            msgs = [email.message_from_bytes(b, policy=email.policy.default)
                    for b in self.raw]
        ids = Counter(str(m["Message-ID"]) for m in msgs)
        unique = sorted({(str(m["To"]), str(m["Subject"]), str(m["Message-ID"]))
                         for m in msgs})
        return unique, sum(n - 1 for n in ids.values())


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def write_articles(folder: Path, n: int, rng: random.Random) -> None:
    folder.mkdir(parents=True)
    value = 12
    for i in range(n):
        if i % 7 == 0:
            value += rng.choice([2, 3, 5])
        day = f"2025-{1 + i // 28:02d}-{1 + i % 28:02d}"
        (folder / f"a{i:04d}.md").write_text(
            f"---\ntitle: Bridge report {i}\ndate: {day}\n---\n"
            f"Report {i}: repairing the bridge will cost about {value} million dollars, "
            f"the council said after inspection number {i}.\n", encoding="utf-8")
    (folder / "broken.md").write_text("---\ntitle: Broken\ndate: 2025-02-30\n---\n"
                                      "The ferry ran late.\n", encoding="utf-8")


def setup(template: Path, work: Path, smtp_port: int) -> None:
    shutil.copytree(template, work, copy_function=shutil.copy2)  # same file times
    cfg = work / "figmon.yaml"
    cfg.write_text(
        "database: figmon.db\nrules: rules\nreports: reports\noutbox: outbox\n"
        "sources:\n  - name: files\n    kind: folder\n    path: articles\n"
        "subscribers:\n" + "".join(f"  - email: {e}\n" for e in SUBSCRIBERS)
        + f"smtp:\n  host: 127.0.0.1\n  port: {smtp_port}\n  sender: figmon@example.org\n"
        "  timeout: 10\ndelivery:\n  retries: 3\n  backoff: 0\n", encoding="utf-8")


def start(work: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen([sys.executable, "-m", "monitor", "run", "--once"], cwd=work,
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def finish(work: Path) -> int:
    p = start(work)
    _, err = p.communicate(timeout=600)
    if p.returncode not in (0, 3) or b"Traceback" in err:
        raise SystemExit(f"run --once in {work} failed ({p.returncode}):\n{err.decode()}")
    return p.returncode


def snapshot(work: Path) -> dict[str, Any]:
    """The database's content, with the trial's own folder name taken out."""
    con = sqlite3.connect(work / "figmon.db")
    try:
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        q = {
            "articles": "SELECT url, content_hash, title, published FROM articles",
            "observations": "SELECT o.figure, o.track, a.url, o.low, o.high, o.qualifier,"
                            " o.start FROM observations o JOIN articles a ON a.id = o.article_id",
            "events": "SELECT figure, track, kind, old_low, old_high, old_qualifier, new_low,"
                      " new_high, new_qualifier, article FROM events",
            "digested": "SELECT e.article, g.cadence FROM events e JOIN digests g"
                        " ON g.id = e.digest_id",
            "deliveries": "SELECT d.email, d.status, d.subject, g.cadence FROM deliveries d"
                          " JOIN digests g ON g.id = d.digest_id",
            "quarantine": "SELECT source, item, reason FROM quarantine",
            "sources": "SELECT name, state, runs > 0 FROM sources",
        }
        return {k: sorted(json.dumps(list(r)).replace(str(work), "<work>")
                          for r in con.execute(sql)) for k, sql in q.items()}
    finally:
        con.close()


def where(work: Path, box: Mailbox) -> str:
    """What the killed run had done: articles stored, mails the server took."""
    try:
        con = sqlite3.connect(f"file:{work / 'figmon.db'}?mode=ro", uri=True, timeout=5)
        try:
            n = int(con.execute("SELECT count(*) FROM articles").fetchone()[0])
        finally:
            con.close()
    except sqlite3.Error:
        n = 0  # killed before the database had its tables
    with box.lock:
        mails = len(box.raw)
    return f"{n} articles stored, {mails} mails sent"


def phase(moment: str, total: int) -> str:
    """'before ingest', 'mid-ingest', 'before mail' or 'mid-delivery', from where()."""
    stored = int(moment.split("(")[1].split(" articles")[0])
    mails = int(moment.split("stored, ")[1].split(" mails")[0])
    if mails:
        return "mid-delivery"
    if stored == 0:
        return "before ingest"
    return "mid-ingest" if stored < total else "before mail"


def diff(a: dict[str, Any], b: dict[str, Any]) -> list[str]:
    out = []
    for key in a:
        if a[key] != b[key]:
            missing, extra = set(a[key]) - set(b[key]), set(b[key]) - set(a[key])
            out.append(f"{key}: {len(missing)} row(s) missing, {len(extra)} extra, "
                       f"{len(b[key])} vs {len(a[key])} in all")
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("--kills", type=int, default=30)
    ap.add_argument("--articles", type=int, default=300)
    ap.add_argument("--smtp-delay", type=float, default=0.15,
                    help="seconds the SMTP server takes per message")
    ap.add_argument("--seed", type=int, default=13)
    args = ap.parse_args()

    from aiosmtpd.controller import Controller

    from monitor.cli import cli

    rng = random.Random(args.seed)
    base = Path(tempfile.mkdtemp(prefix="figmon-chaos-"))
    template = base / "template"
    from click.testing import CliRunner

    CliRunner().invoke(cli, ["init", str(template)], catch_exceptions=False)
    (template / "figmon.yaml").unlink()
    shutil.rmtree(template / "articles")
    write_articles(template / "articles", args.articles, rng)

    def timed_run(base: Path, template: Path) -> float:
        box = Mailbox(args.smtp_delay)
        port = free_port()
        ctl = Controller(box, hostname="127.0.0.1", port=port)
        ctl.start()
        try:
            setup(template, base / "timed", port)
            t0 = time.monotonic()
            finish(base / "timed")
            return time.monotonic() - t0
        finally:
            ctl.stop()

    def trial(name: str, kill_after: float | None) -> tuple[dict[str, Any], Any, float, str]:
        box = Mailbox(args.smtp_delay)
        port = free_port()
        ctl = Controller(box, hostname="127.0.0.1", port=port)
        ctl.start()
        try:
            work = base / name
            setup(template, work, port)
            moment = ""
            t0 = time.monotonic()
            if kill_after is not None:
                p = start(work)
                try:
                    p.wait(timeout=kill_after)
                except subprocess.TimeoutExpired:
                    p.send_signal(signal.SIGKILL)
                    p.wait()
                    moment = f"killed at {kill_after:.2f} s ({where(work, box)})"
                if p.stderr is not None:
                    p.stderr.close()
                if not moment:
                    return {}, ([], 0), 0.0, ""  # finished first: not a kill
            finish(work)
            took = time.monotonic() - t0
            return snapshot(work), box.summary(), took, moment
        finally:
            ctl.stop()

    ref, ref_mail, _, _ = trial("clean", None)
    # the run alone, without the copying, is what the kills must fall inside
    clean_s = timed_run(base, template)
    print(f"clean run: {clean_s:.2f} s, {len(ref['articles'])} articles, "
          f"{len(ref['events'])} events, {len(ref_mail[0])} mails, "
          f"{len(ref['quarantine'])} quarantined")
    unchanged = copies = 0
    upper = clean_s
    done = 0
    phases: Counter[str] = Counter()
    for i in range(args.kills):
        while True:  # a run that finished before its kill tested nothing: draw again
            delay = rng.uniform(0.2, upper)
            done += 1
            snap, (mail, extra), _, moment = trial(f"kill{done:03d}", delay)
            if moment:
                break
        problems = diff(ref, snap)
        same_mail = [(to, subj) for to, subj, _ in mail] == [(to, subj)
                                                             for to, subj, _ in ref_mail[0]]
        if not same_mail:
            problems.append(f"mailbox: {len(mail)} vs {len(ref_mail[0])} messages")
        copies += extra
        phases[phase(moment, len(ref["articles"]))] += 1
        ok = not problems
        unchanged += ok
        note = f"; {extra} re-sent copy(ies) with the same Message-ID" if extra else ""
        print(f"kill {i + 1:>2}: {moment:<52} {'unchanged' if ok else 'CHANGED: '}"
              f"{'; '.join(problems)}{note}", flush=True)
    print(f"{unchanged}/{args.kills} kills left the database and mailbox unchanged "
          f"({copies} duplicate copies by Message-ID in all; {done - args.kills} draws "
          "finished before their kill and were drawn again)")
    print("where the kills landed: " + ", ".join(f"{n} {k}" for k, n in phases.items()))
    shutil.rmtree(base, ignore_errors=True)
    if unchanged != args.kills:
        sys.exit(1)


if __name__ == "__main__":
    main()
