"""`figmon subscribers add|list|remove`, config subscribers merged in, and the digest
commands end to end through the CLI."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from digest_support import SmtpServer, context, seed_troops, write_config

from monitor.cli import cli, main
from monitor.store import Store
from monitor.subscribers import active


def run(*args: str) -> tuple[int, str]:
    r = CliRunner().invoke(cli, list(args), standalone_mode=False, catch_exceptions=True)
    if r.exception is not None and not isinstance(r.exception, SystemExit):
        from monitor.errors import FigmonError

        assert isinstance(r.exception, FigmonError), r.exception
        return 1, r.output + str(r.exception)
    return 0, r.output


@pytest.fixture
def cfg(tmp_path: Path) -> Iterator[str]:
    write_config(tmp_path, subscribers="subscribers:\n  - email: team@example.org\n"
                                        "    figures: ['dprk-*']")
    old = os.getcwd()
    os.chdir(tmp_path)
    yield str(tmp_path / "figmon.yaml")
    os.chdir(old)


def test_add_list_remove(cfg: str) -> None:
    code, out = run("subscribers", "add", "Lead@Example.org", "--figures", "dprk-*",
                    "--figures", "iran-drones", "--cadence", "daily", "--config", cfg)
    assert code == 0 and "Subscribed lead@example.org (daily; figures: dprk-*, iran-drones)" in out
    code, out = run("subscribers", "list", "--config", cfg)
    assert out.splitlines() == ["lead@example.org\tdaily\tdprk-*, iran-drones",
                                "team@example.org\timmediate\tdprk-* (figmon.yaml)"]
    code, out = run("subscribers", "add", "lead@example.org", "--config", cfg)  # update
    code, out = run("subscribers", "list", "--config", cfg)
    assert "lead@example.org\timmediate\t*" in out
    code, out = run("subscribers", "remove", "LEAD@example.org", "--config", cfg)
    assert code == 0 and "Unsubscribed" in out
    code, out = run("subscribers", "remove", "lead@example.org", "--config", cfg)
    assert code == 1 and "is not subscribed" in out


def test_config_subscribers_cannot_be_removed_from_the_cli(cfg: str) -> None:
    code, out = run("subscribers", "remove", "team@example.org", "--config", cfg)
    assert code == 1 and "Remove it from the config file instead" in out


def test_bad_address_is_refused(cfg: str) -> None:
    code, out = run("subscribers", "add", "not an address", "--config", cfg)
    assert code == 1 and "is not an e-mail address" in out


def test_config_subscriber_leaving_the_file_stops_receiving(tmp_path: Path) -> None:
    settings = write_config(tmp_path, subscribers="subscribers:\n  - email: a@example.org")
    with Store.open(settings.database) as store:
        assert [s.email for s in active(store, settings)] == ["a@example.org"]
        settings.subscribers = []
        assert active(store, settings) == []


def test_digest_dry_run_prints_and_records_nothing(tmp_path: Path, capsys) -> None:
    settings = write_config(tmp_path, subscribers="subscribers:\n  - email: a@example.org")
    ctx = context(settings)
    seed_troops(ctx.store)
    before = ctx.store.counts()
    ctx.close()
    with pytest.raises(SystemExit) as ex:
        main(["digest", "--dry-run", "--config", str(tmp_path / "figmon.yaml")])
    out = capsys.readouterr().out
    assert ex.value.code == 0
    assert "Subject: [figmon] 2 new figures: dprk-troops more than 10,000" in out
    assert "To: a@example.org" in out and "nothing sent" in out
    with Store.open(settings.database) as store:
        assert store.counts() == before
    assert not (tmp_path / "outbox").exists()


def test_digest_and_test_email_through_smtp(tmp_path: Path, capsys) -> None:
    server = SmtpServer()
    server.start()
    try:
        settings = write_config(tmp_path, smtp_port=server.port,
                                subscribers="subscribers:\n  - email: a@example.org")
        ctx = context(settings)
        seed_troops(ctx.store)
        ctx.close()
        config = str(tmp_path / "figmon.yaml")
        with pytest.raises(SystemExit) as ex:
            main(["digest", "--config", config])
        assert ex.value.code == 0
        assert "Delivered 1, to retry 0, failed 0" in capsys.readouterr().out
        with pytest.raises(SystemExit) as ex:
            main(["digest", "--config", config])
        assert "Nothing to digest" in capsys.readouterr().out
        with pytest.raises(SystemExit) as ex:
            main(["test-email", "ops@example.org", "--config", config])
        assert ex.value.code == 0
        got = server.handler.to("ops@example.org")
        assert len(got) == 1 and got[0]["Subject"] == "[figmon] test message"
        assert got[0].get_content_type() == "multipart/alternative"
        assert len(server.handler.to("a@example.org")) == 1
        assert (tmp_path / "reports" / "index.html").exists()
        server.stop()
        with pytest.raises(SystemExit) as ex:  # server down: a clear error, exit 1
            main(["test-email", "ops@example.org", "--config", config])
        assert ex.value.code == 1
        assert "cannot reach SMTP server" in capsys.readouterr().err
    finally:
        server.stop()
