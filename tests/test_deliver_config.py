"""The smtp, subscribers, digest and delivery sections: every problem with file:line."""

from __future__ import annotations

from pathlib import Path

import pytest
from digest_support import (  # noqa: F401 - smtp_fixture is a fixture
    SmtpServer,
    context,
    seed_troops,
    smtp_fixture,
    write_config,
)

from monitor import digest
from monitor.config import load_config
from monitor.errors import ConfigError


def problems(tmp_path: Path, text: str) -> list[str]:
    path = tmp_path / "figmon.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_config(path)
    return [str(p) for p in info.value.problems]


def test_password_in_the_file_is_refused_with_where_to_put_it(tmp_path: Path) -> None:
    out = problems(tmp_path, "smtp:\n  host: mail.example.org\n  sender: f@example.org\n"
                             "  password: hunter2\n")
    assert len(out) == 1
    assert out[0].startswith(f"{tmp_path / 'figmon.yaml'}:4:")
    assert "FIGMON_SMTP_PASSWORD" in out[0] and "password_env" in out[0]


def test_every_problem_is_reported_with_its_line(tmp_path: Path) -> None:
    text = """smtp:
  host: mail.example.org
  prot: 25
  sender: not-an-address
  starttls: "yes"
subscribers:
  - email: analyst@example.org
    cadence: weekly
  - email: nobody
  - email: analyst@example.org
    figure: ["x"]
digest:
  cron: "every morning"
delivery:
  retries: -1
"""
    out = problems(tmp_path, text)
    f = str(tmp_path / "figmon.yaml")
    expect = {
        3: "unknown key 'smtp.prot'",
        4: "'smtp.sender' 'not-an-address' is not an e-mail address",
        5: "'smtp.starttls' must be true or false",
        8: "unknown cadence 'weekly'",
        9: "subscriber 2 needs a valid 'email'",
        10: "subscriber analyst@example.org is listed twice",
        11: "unknown key 'figure' in a subscriber",
        13: "'digest.cron' 'every morning' is not a cron expression",
        15: "'delivery.retries' must be a whole number ≥ 0",
    }
    assert len(out) == len(expect)
    for line, message in expect.items():
        assert any(p.startswith(f"{f}:{line}:") and message in p for p in out), (line, out)
    assert any("did you mean 'port'" in p for p in out)


def test_ssl_and_starttls_together_and_missing_host(tmp_path: Path) -> None:
    out = problems(tmp_path, "smtp:\n  sender: f@example.org\n  ssl: true\n  starttls: true\n")
    assert any("needs a 'host'" in p for p in out)
    assert any("both on" in p and ":3:" in p for p in out)


def test_a_good_config_loads_with_defaults_under_smtp(tmp_path: Path) -> None:
    path = tmp_path / "figmon.yaml"
    path.write_text("smtp:\n  host: 127.0.0.1\n  sender: f@example.org\n  user: figmon\n"
                    "  password_env: MY_SMTP_SECRET\nsubscribers:\n  - email: a@example.org\n"
                    "    figures: dprk-*\n    cadence: daily\ndigest:\n  cron: '30 6 * * 1-5'\n",
                    encoding="utf-8")
    from monitor.deliver import smtp_config

    settings = load_config(path)
    cfg = smtp_config(settings)
    assert cfg is not None and cfg["port"] == 25 and cfg["starttls"] is False
    assert settings.digest["cron"] == "30 6 * * 1-5"


def run_against(server: SmtpServer, tmp_path: Path, **smtp_keys: object) -> tuple[str, str]:
    """One digest through ``server`` with extra smtp keys; the delivery's (status, error)."""
    settings = write_config(tmp_path, smtp_port=server.port,
                            subscribers="subscribers:\n  - email: a@example.org")
    assert settings.smtp is not None
    settings.smtp.update(smtp_keys)
    ctx = context(settings)
    if not ctx.store.counts()["events"]:
        seed_troops(ctx.store)
    digest.after_run(ctx)
    row = ctx.store.db.execute("SELECT status, last_error FROM deliveries").fetchone()
    ctx.close()
    return row[0], row[1] or ""


def test_user_without_password_variable_keeps_deliveries_pending(
        tmp_path: Path, smtp: SmtpServer, monkeypatch) -> None:
    """Auth is set up but the secret is missing: a clear error, nothing marked failed."""
    monkeypatch.delenv("FIGMON_SMTP_PASSWORD", raising=False)
    status, error = run_against(smtp, tmp_path, user="figmon")
    assert status == "pending" and "FIGMON_SMTP_PASSWORD" in error
    assert smtp.handler.received == []


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
@pytest.mark.parametrize("variable", ["FIGMON_SMTP_PASSWORD", "OUR_MAIL_SECRET"])
def test_auth_password_comes_from_the_environment(tmp_path: Path, monkeypatch,
                                                  variable: str) -> None:
    server = SmtpServer(auth=("figmon", "s3cret"))
    server.start()
    try:
        monkeypatch.delenv("FIGMON_SMTP_PASSWORD", raising=False)
        keys: dict[str, object] = {"user": "figmon"}
        if variable != "FIGMON_SMTP_PASSWORD":
            keys["password_env"] = variable
        monkeypatch.setenv(variable, "wrong")
        status, error = run_against(server, tmp_path, **keys)
        assert status == "pending" and "login" in error and "535" in error
        monkeypatch.setenv(variable, "s3cret")
        assert run_against(server, tmp_path, **keys)[0] == "sent"
        assert len(server.handler.to("a@example.org")) == 1
    finally:
        server.stop()


@pytest.mark.parametrize("option", ["starttls", "ssl"])
def test_tls_asked_of_a_plain_server_keeps_deliveries_pending(
        tmp_path: Path, smtp: SmtpServer, option: str) -> None:
    """TLS is never silently dropped: a server that cannot do it gets nothing."""
    status, error = run_against(smtp, tmp_path, **{option: True})
    assert status == "pending" and "cannot reach SMTP server" in error
    assert smtp.handler.received == []


def test_the_daemon_fires_the_digest_in_the_configured_zone(tmp_path: Path) -> None:
    from datetime import UTC, datetime

    from monitor.daemon import digest_trigger

    (tmp_path / "figmon.yaml").write_text(
        "digest:\n  cron: '30 6 * * 1-5'\n  timezone: Asia/Seoul\n", encoding="utf-8")
    trigger = digest_trigger(load_config(tmp_path / "figmon.yaml"))
    # Friday 2030-01-04 06:30 in Seoul is Thursday 21:30 UTC
    fire = trigger.get_next_fire_time(None, datetime(2030, 1, 3, 12, 0, tzinfo=UTC))
    assert fire.astimezone(UTC) == datetime(2030, 1, 3, 21, 30, tzinfo=UTC)


# (section text, line:column of the problem, pieces of the message and its hint)
DELIVERY_KEY_PROBLEMS = [
    ("digest:\n  max_per_figure: 0\n", "2:3",
     ["'digest.max_per_figure' must be a whole number ≥ 1", "got 0"]),
    ("digest:\n  reports_url: reports/\n", "2:3",
     ["'digest.reports_url: reports/' is not an http(s) address",
      "https://figmon.example.org/reports/"]),
    ("digest:\n  timezone: Europe/Kiev-ish\n", "2:3",
     ["'digest.timezone' 'Europe/Kiev-ish' is not a known time zone", "IANA name"]),
    ("smtp:\n  host: mail.example.org\n  sender: f@example.org\n  ca_file: missing.pem\n",
     "4:3", ["'smtp.ca_file' 'missing.pem' is not a file", "PEM file of the CA"]),
]


@pytest.mark.parametrize("text,where,pieces", DELIVERY_KEY_PROBLEMS,
                         ids=["max_per_figure", "reports_url", "timezone", "ca_file"])
def test_bad_digest_and_smtp_values_are_named_with_their_line(
        tmp_path: Path, text: str, where: str, pieces: list[str]) -> None:
    [problem] = problems(tmp_path, text)
    assert problem.startswith(f"{tmp_path / 'figmon.yaml'}:{where}:"), problem
    for piece in pieces:
        assert piece in problem
