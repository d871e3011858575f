"""The `serve:` section, the unsubscribe headers and footer of a digest with and without
serve.public_url, tokens, and the web server inside the daemon."""

from __future__ import annotations

import signal
import threading
import time
from pathlib import Path

import httpx
import pytest
from digest_support import context, seed_troops, write_config
from test_deliver_config import problems
from web_support import ROOT, Served, free_port

from monitor import digest, subscribers
from monitor.config import DEFAULTS, load_config
from monitor.daemon import Daemon, start_web
from monitor.errors import InputError
from monitor.sources import build_sources
from monitor.store import Store
from monitor.web import announce

BAD_SERVE = [
    ("serve:\n  prot: 8750\n", 2, "unknown key 'serve.prot'", "port"),
    ("serve:\n  port: 70000\n", 2, "is not a port", "1–65535"),
    ("serve:\n  port: '8750'\n", 2, "is not a port", "8750"),
    ("serve:\n  port: true\n", 2, "is not a port", "1–65535"),
    ("serve:\n  host: ''\n", 2, "'serve.host' is empty", "127.0.0.1"),
    ("serve:\n  host: [a]\n", 2, "'serve.host' must be a string", "127.0.0.1"),
    ("serve:\n  public_url: figmon.example.org\n", 2, "not an http(s) address",
     "https://figmon.example.org"),
    ("serve:\n  public_url: https://x.example.org/?a=1\n", 2, "not an http(s) address", ""),
    ("serve: 8750\n", 1, "'serve' must be a mapping", ""),
]


@pytest.mark.parametrize(("text", "line", "message", "hint"), BAD_SERVE)
def test_bad_serve_values_name_their_line(tmp_path: Path, text: str, line: int, message: str,
                                          hint: str) -> None:
    (out,) = problems(tmp_path, text)
    assert out.startswith(f"{tmp_path / 'figmon.yaml'}:{line}:"), out
    assert message in out and hint in out


def test_serve_section_and_defaults(tmp_path: Path) -> None:
    plain = write_config(tmp_path)
    assert plain.serve is None  # no section: the daemon runs no web server
    assert plain.serve_options() == DEFAULTS["serve"]
    given = write_config(tmp_path, extra="serve:\n  port: 9000\n")
    assert given.serve == {"host": "127.0.0.1", "port": 9000, "public_url": ""}
    empty = write_config(tmp_path, extra="serve:\n")
    assert empty.serve == DEFAULTS["serve"]


def test_binding_beyond_loopback_prints_a_note() -> None:
    assert len(announce("127.0.0.1", 8750)) == 1
    out = announce("0.0.0.0", 8750)
    assert out[0] == "figmon serving http://0.0.0.0:8750/ (Ctrl-C stops it)"
    assert out[1].startswith("note:") and "no authentication" in out[1]


def _digest_for(tmp_path: Path, extra: str = "") -> tuple[str, object]:
    settings = write_config(tmp_path, subscribers="subscribers:\n"
                            "  - email: analyst@example.org\n", extra=extra)
    ctx = context(settings)
    try:
        seed_troops(ctx.store)
        built = digest.build(ctx)
        assert built is not None
        (out,) = built.outgoing
        with_token = subscribers.unsubscribe_token(ctx.store, "analyst@example.org")
    finally:
        ctx.close()
    import email
    import email.policy

    return str(with_token), email.message_from_string(out.body, policy=email.policy.default)


def test_without_public_url_mails_say_how_to_be_removed(tmp_path: Path) -> None:
    token, msg = _digest_for(tmp_path)
    assert msg["List-Unsubscribe"] == (  # type: ignore[index]
        f"<mailto:figmon@localhost?subject=unsubscribe%20{token}>")
    assert msg["List-Unsubscribe-Post"] is None  # type: ignore[index]
    text = msg.get_body(("plain",)).get_content()  # type: ignore[attr-defined]
    assert "To stop these digests, write to figmon@localhost and ask to be removed." in text


def test_with_public_url_mails_carry_one_click_links(tmp_path: Path) -> None:
    token, msg = _digest_for(tmp_path, "serve:\n  public_url: https://figmon.example.org/\n")
    link = f"https://figmon.example.org/unsubscribe?t={token}"
    assert msg["List-Unsubscribe"].startswith(f"<{link}>, <mailto:")  # type: ignore[index]
    assert msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"  # type: ignore[index]
    assert f"Unsubscribe with one click: {link}" in \
        msg.get_body(("plain",)).get_content()  # type: ignore[attr-defined]


def test_tokens_are_keyed_by_the_database_secret(tmp_path: Path) -> None:
    one = Store.open(tmp_path / "one.db")
    two = Store.open(tmp_path / "two.db")
    try:
        for s in (one, two):
            subscribers.add(s, "analyst@example.org")
        t1 = subscribers.unsubscribe_token(one, "analyst@example.org")
        t2 = subscribers.unsubscribe_token(two, "analyst@example.org")
        assert t1 and t2 and t1 != t2  # each database made its own secret
        assert one.meta("unsubscribe_secret") != two.meta("unsubscribe_secret")
        assert subscribers.unsubscribe_by_token(one, str(t2)) is None  # not this database's
        assert subscribers.unsubscribe_by_token(one, "not a token") is None
        assert subscribers.get(one, "analyst@example.org") is not None
        assert subscribers.unsubscribe_by_token(one, str(t1)) is not None
        assert subscribers.get(one, "analyst@example.org") is None
    finally:
        one.close()
        two.close()


def _config(tmp_path: Path, port: int) -> Path:
    path = tmp_path / "figmon.yaml"
    path.write_text(f"""rules: {ROOT / 'rules'}
sources:
  - name: samples
    kind: folder
    path: {ROOT / 'examples' / 'articles'}
serve:
  port: {port}
""", encoding="utf-8")
    return path


def test_the_daemon_serves_the_pages_when_configured(tmp_path: Path) -> None:
    port = free_port()
    settings = load_config(_config(tmp_path, port))
    daemon = Daemon(settings, build_sources(settings))
    thread = threading.Thread(target=daemon.run)
    thread.start()
    try:
        deadline = time.monotonic() + 30
        events: list[object] = []
        while time.monotonic() < deadline and not events:
            try:
                events = httpx.get(f"http://127.0.0.1:{port}/api/events", timeout=2).json()
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        assert events, "the daemon's web server never showed the ingested events"
    finally:
        daemon.stop()
        thread.join(timeout=20)
    assert not thread.is_alive()
    time.sleep(0.5)
    with pytest.raises(httpx.TransportError):
        httpx.get(f"http://127.0.0.1:{port}/", timeout=2)


def test_a_port_in_use_stops_the_daemon_start(tmp_path: Path) -> None:
    import socket

    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        held.listen()
        port = held.getsockname()[1]
        settings = load_config(_config(tmp_path, port))
        with pytest.raises(InputError, match=f"cannot listen on 127.0.0.1:{port}"):
            start_web(settings, None)


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_serve_on_a_new_folder_then_stop_with_a_signal(tmp_path: Path, sig: int) -> None:
    port = free_port()
    (tmp_path / "figmon.yaml").write_text(f"database: figmon.db\nserve: {{port: {port}}}\n",
                                          encoding="utf-8")
    srv = Served(tmp_path, port)
    srv.start()
    page = httpx.get(srv.url + "/").text
    assert "No figures yet" in page
    err = srv.stop(sig)
    assert srv.proc is not None and srv.proc.returncode == 0, err
    assert "figmon serve stopped" in err and "Traceback" not in err
    assert "no database at" in err  # said at start: run `figmon run --once` first
