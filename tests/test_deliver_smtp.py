"""Delivery through a real SMTP server on 127.0.0.1 (aiosmtpd)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from digest_support import (  # noqa: F401 - smtp is a fixture
    SmtpServer,
    add_event,
    add_observation,
    context,
    seed_troops,
    smtp_fixture,
    write_config,
)

from monitor import digest
from monitor.deliver import deliver_pending
from monitor.models import Value

SUBS = """subscribers:
  - email: analyst@example.org
    figures: ["dprk-*"]
  - email: drones@example.org
    figures: ["iran-*"]
  - email: everything@example.org
"""


def statuses(ctx) -> dict[str, str]:
    return {r["email"]: r["status"] for r in ctx.store.db.query(
        "SELECT email, status FROM deliveries ORDER BY id")}


def test_messages_received_are_complete(tmp_path: Path, smtp: SmtpServer) -> None:
    ctx = context(write_config(tmp_path, smtp_port=smtp.port, subscribers=SUBS))
    seed_troops(ctx.store)
    add_observation(ctx.store, figure="dprk-troops", url="https://wire.example.net/1",
                    published="2025-08-16", value=Value(10000, None, "more_than"))
    digest.after_run(ctx)
    msgs = smtp.handler.to("analyst@example.org")
    assert len(msgs) == 1
    m = msgs[0]
    assert m.get_content_type() == "multipart/alternative"
    assert m["From"] == "figmon@example.org"
    assert m["Subject"] == ("[figmon] 2 new figures: North Korean troops in Russia more than "
                            "10,000, Share of Russian artillery shells from North Korea up to "
                            "40%")
    assert m["List-Unsubscribe"].startswith("<mailto:figmon@example.org?")
    text = m.get_body(("plain",)).get_content()
    html = m.get_body(("html",)).get_content()
    assert "more than 10,000 troops" in text
    assert "- 15 Aug 2025: more than 10,000 troops" in text
    assert "Claimed by South Korean intelligence · Example Daily" in text
    assert "1 other source agrees" in text  # the wire observation with the same value
    assert "up to 40% of shells" in text
    assert "<mark" in html and "more than 10,000</mark>" in html
    assert 'href="https://news.example.org/a1"' in html
    # envelope: one message per recipient, from the configured sender
    assert all(frm == "figmon@example.org" and len(rcpt) == 1
               for frm, rcpt, _ in smtp.handler.received)


def test_subscriber_filters_are_respected(tmp_path: Path, smtp: SmtpServer) -> None:
    ctx = context(write_config(tmp_path, smtp_port=smtp.port, subscribers=SUBS))
    seed_troops(ctx.store)
    digest.after_run(ctx)
    assert len(smtp.handler.to("analyst@example.org")) == 1
    assert len(smtp.handler.to("everything@example.org")) == 1
    assert smtp.handler.to("drones@example.org") == []  # no iran-* event
    add_event(ctx.store, figure="iran-drones", url="https://news.example.org/d1",
              published="2025-09-02", new=Value(1000, 1000, "approx"),
              quote="About 1,000 drones arrived.", surface="About 1,000")
    digest.after_run(ctx)
    drones = smtp.handler.to("drones@example.org")
    assert len(drones) == 1 and "Iranian drones delivered" in drones[0]["Subject"]
    assert "North Korean" not in drones[0].get_body(("plain",)).get_content()
    assert len(smtp.handler.to("analyst@example.org")) == 1  # nothing new for dprk-*
    assert len(smtp.handler.to("everything@example.org")) == 2


def test_second_run_sends_nothing_new(tmp_path: Path, smtp: SmtpServer) -> None:
    ctx = context(write_config(tmp_path, smtp_port=smtp.port, subscribers=SUBS))
    seed_troops(ctx.store)
    digest.after_run(ctx)
    before = (len(smtp.handler.received), ctx.store.counts())
    digest.after_run(ctx)
    digest.after_run(ctx)
    assert (len(smtp.handler.received), ctx.store.counts()) == before
    assert before[1]["digests"] == 1 and before[1]["deliveries"] == 2


def test_smtp_down_then_up_each_subscriber_gets_exactly_one(tmp_path: Path,
                                                            smtp: SmtpServer) -> None:
    ctx = context(write_config(tmp_path, smtp_port=smtp.port, subscribers=SUBS))
    seed_troops(ctx.store)
    smtp.stop()
    digest.after_run(ctx)  # server down: recorded, pending, nothing lost
    digest.after_run(ctx)
    assert set(statuses(ctx).values()) == {"pending"}
    attempts = [r[0] for r in ctx.store.db.execute("SELECT attempts FROM deliveries")]
    assert attempts == [2, 2]
    smtp.start()
    digest.after_run(ctx)
    digest.after_run(ctx)
    assert [len(smtp.handler.to(a)) for a in ("analyst@example.org",
                                              "everything@example.org")] == [1, 1]
    assert set(statuses(ctx).values()) == {"sent"}


def test_550_for_one_recipient_does_not_block_others(tmp_path: Path, smtp: SmtpServer) -> None:
    ctx = context(write_config(tmp_path, smtp_port=smtp.port, subscribers=SUBS))
    smtp.handler.reject.add("analyst@example.org")
    seed_troops(ctx.store)
    digest.after_run(ctx)
    assert statuses(ctx) == {"analyst@example.org": "failed", "everything@example.org": "sent"}
    err = ctx.store.db.execute("SELECT last_error FROM deliveries WHERE email = ?",
                               ["analyst@example.org"]).fetchone()[0]
    assert "550" in err
    assert len(smtp.handler.to("everything@example.org")) == 1
    smtp.handler.reject.clear()
    digest.after_run(ctx)  # a permanent failure is not retried
    assert smtp.handler.to("analyst@example.org") == []


def test_backoff_waits_then_retries_and_gives_up(tmp_path: Path, smtp: SmtpServer) -> None:
    settings = write_config(tmp_path, smtp_port=smtp.port, subscribers=SUBS)
    settings.delivery = {"retries": 2, "backoff": 60.0}
    ctx = context(settings)
    seed_troops(ctx.store)
    smtp.stop()
    t0 = datetime(2030, 1, 1, tzinfo=UTC)
    digest.build(ctx)
    deliver_pending(ctx, now=t0)  # attempt 1 fails → next in 60 s
    nxt = {r[0] for r in ctx.store.db.execute("SELECT next_attempt_at FROM deliveries")}
    assert nxt == {"2030-01-01T00:01:00+00:00"}
    assert deliver_pending(ctx, now=t0 + timedelta(seconds=30)).retry == []  # not due yet
    deliver_pending(ctx, now=t0 + timedelta(seconds=60))  # attempt 2 → next in 120 s
    nxt = {r[0] for r in ctx.store.db.execute("SELECT next_attempt_at FROM deliveries")}
    assert nxt == {"2030-01-01T00:03:00+00:00"}
    deliver_pending(ctx, now=t0 + timedelta(minutes=3))  # attempt 3 > 2 retries → failed
    assert set(statuses(ctx).values()) == {"failed"}


def test_daily_subscriber_gets_one_digest_per_cron_period(tmp_path: Path,
                                                          smtp: SmtpServer) -> None:
    subs = """subscribers:
  - email: morning@example.org
    cadence: daily
  - email: now@example.org
"""
    ctx = context(write_config(tmp_path, smtp_port=smtp.port, subscribers=subs,
                               extra="digest:\n  cron: '0 7 * * *'"))
    t0 = datetime(2030, 1, 1, 8, 0, tzinfo=UTC)
    ctx.store.db.execute("INSERT INTO subscribers (email, cadence, origin, created_at,"
                         " last_event_id) VALUES ('morning@example.org', 'daily', 'config',"
                         " '2030-01-01T07:30:00+00:00', 0)")
    ctx.store.db.conn.commit()
    seed_troops(ctx.store)
    digest.build(ctx, now=t0)
    assert digest.build_daily(ctx, now=t0) == []  # 07:00 next fires tomorrow
    add_event(ctx.store, figure="iran-drones", url="https://news.example.org/d1",
              published="2025-09-02", new=Value(1000, 1000, "approx"))
    digest.build(ctx, now=t0 + timedelta(hours=1))
    built = digest.build_daily(ctx, now=datetime(2030, 1, 2, 7, 0, 5, tzinfo=UTC))
    assert len(built) == 1 and len(built[0].event_ids) == 3
    deliver_pending(ctx)
    daily = smtp.handler.to("morning@example.org")
    assert len(daily) == 1
    assert "daily digest" in daily[0].get_body(("plain",)).get_content()
    assert len(smtp.handler.to("now@example.org")) == 2  # one per run with events
    # the same day again: nothing new
    assert digest.build_daily(ctx, now=datetime(2030, 1, 2, 9, 0, tzinfo=UTC)) == []


def test_outbox_eml_when_no_smtp(tmp_path: Path) -> None:
    import email
    import email.policy

    ctx = context(write_config(tmp_path, subscribers=SUBS))
    seed_troops(ctx.store)
    digest.after_run(ctx)
    digest.after_run(ctx)
    files = sorted((tmp_path / "outbox").glob("*.eml"))
    assert len(files) == 2
    assert not list((tmp_path / "outbox").glob(".tmp-*"))
    msgs = [email.message_from_bytes(f.read_bytes(), policy=email.policy.default) for f in files]
    assert sorted(m["To"] for m in msgs) == ["analyst@example.org", "everything@example.org"]
    assert all(m.get_content_type() == "multipart/alternative" for m in msgs)
    assert set(statuses(ctx).values()) == {"sent"}


def test_a_flood_of_changes_is_capped_per_figure_in_the_mail_not_the_archive(
        tmp_path: Path, smtp: SmtpServer) -> None:
    ctx = context(write_config(tmp_path, smtp_port=smtp.port, subscribers=SUBS,
                               extra="digest:\n  max_per_figure: 5"))
    old = None
    for i in range(40):
        new = Value(10_000 + 500 * i, 10_000 + 500 * i, "approx")
        add_event(ctx.store, figure="dprk-troops", url=f"https://news.example.org/t{i}",
                  published=f"2025-{1 + i // 28:02d}-{1 + i % 28:02d}", new=new, old=old,
                  quote=f"Officials now count about {new.low:,} soldiers in the region.",
                  surface=f"about {new.low:,}")
        old = new
    digest.after_run(ctx)
    [msg] = smtp.handler.to("analyst@example.org")
    text = msg.get_body(("plain",)).get_content()
    html = msg.get_body(("html",)).get_content()
    assert msg["Subject"] == "[figmon] 1 new figure: North Korean troops in Russia about 29,500"
    # the latest five steps are shown, the 35 before them are counted
    assert text.count("Officials now count") == 5
    assert "count about 29,500 soldiers" in text and "count about 27,500 soldiers" in text
    assert "count about 27,000 soldiers" not in text
    # one trend per figure, under its latest entry
    assert text.count("Recent values:") == 1
    assert text.index("Recent values:") > text.index("count about 29,500 soldiers")
    assert "… and 35 earlier events for this figure in this digest" in text
    assert "… and 35 earlier events" in html
    # the archive copy of the same digest keeps every step
    [page] = (ctx.settings.reports / "digests").glob("*.html")
    archived = page.read_text(encoding="utf-8")
    assert archived.count("Officials now count") == 40 and "earlier events" not in archived



def test_reports_url_links_each_figure_timeline_in_the_mail(tmp_path: Path,
                                                           smtp: SmtpServer) -> None:
    base = "https://figmon.example.org/reports"
    ctx = context(write_config(tmp_path, smtp_port=smtp.port, subscribers=SUBS,
                               extra=f"digest:\n  reports_url: {base}"))
    seed_troops(ctx.store)
    digest.after_run(ctx)
    [msg] = smtp.handler.to("analyst@example.org")
    html = msg.get_body(("html",)).get_content()
    text = msg.get_body(("plain",)).get_content()
    for fid in ("dprk-troops", "dprk-ammo-share"):
        assert f'href="{base}/figures/{fid}.html"' in html
        assert f"Timeline: {base}/figures/{fid}.html" in text
    assert f'href="{base}/index.html"' in html
    assert 'href="../' not in html  # relative links only make sense in the archive


def test_without_reports_url_the_mail_has_no_archive_links(tmp_path: Path,
                                                          smtp: SmtpServer) -> None:
    ctx = context(write_config(tmp_path, smtp_port=smtp.port, subscribers=SUBS))
    seed_troops(ctx.store)
    digest.after_run(ctx)
    [msg] = smtp.handler.to("analyst@example.org")
    html = msg.get_body(("html",)).get_content()
    assert "figures/" not in html and "index.html" not in html
    assert "Timeline:" not in msg.get_body(("plain",)).get_content()
    # the archive copy links its figure pages relatively
    [page] = (ctx.settings.reports / "digests").glob("*.html")
    assert 'href="../figures/dprk-troops.html"' in page.read_text(encoding="utf-8")



def test_daily_cron_is_read_in_the_configured_time_zone(tmp_path: Path,
                                                        smtp: SmtpServer) -> None:
    subs = "subscribers:\n  - email: kyiv@example.org\n    cadence: daily\n"
    ctx = context(write_config(tmp_path, smtp_port=smtp.port, subscribers=subs,
                               extra="digest:\n  cron: '0 7 * * *'\n  timezone: Europe/Kyiv"))
    ctx.store.db.execute("INSERT INTO subscribers (email, cadence, origin, created_at,"
                         " last_event_id) VALUES ('kyiv@example.org', 'daily', 'config',"
                         " '2030-01-01T06:00:00+00:00', 0)")
    ctx.store.db.conn.commit()
    seed_troops(ctx.store)
    digest.build(ctx, now=datetime(2030, 1, 1, 8, 0, tzinfo=UTC))
    # 07:00 in Kyiv (UTC+2 in winter) is 05:00 UTC: not yet at 04:59, due at 05:00
    assert digest.build_daily(ctx, now=datetime(2030, 1, 2, 4, 59, tzinfo=UTC)) == []
    [built] = digest.build_daily(ctx, now=datetime(2030, 1, 2, 5, 0, 1, tzinfo=UTC))
    assert len(built.event_ids) == 2


def test_daily_due_by_zone() -> None:
    last = "2030-07-01T08:00:00+00:00"  # summer: Kyiv UTC+3, Seoul UTC+9
    cases = [("UTC", datetime(2030, 7, 2, 6, 59, tzinfo=UTC), False),
             ("UTC", datetime(2030, 7, 2, 7, 0, tzinfo=UTC), True),
             ("Europe/Kyiv", datetime(2030, 7, 2, 3, 59, tzinfo=UTC), False),
             ("Europe/Kyiv", datetime(2030, 7, 2, 4, 0, tzinfo=UTC), True),
             ("Asia/Seoul", datetime(2030, 7, 1, 21, 59, tzinfo=UTC), False),
             ("Asia/Seoul", datetime(2030, 7, 1, 22, 0, tzinfo=UTC), True)]
    for tz, now, due in cases:
        assert digest.daily_due("0 7 * * *", last, now, tz) is due, (tz, now)
