"""Hostile input: a lying local HTTP server, booby-trapped files and YAML.

Every case runs beside something good and asserts two things: the bad input
gets a clear error naming it, and nothing else was lost.  The server is a raw
socket server on 127.0.0.1 so it can break HTTP in ways a framework will not.
"""

from __future__ import annotations

import gc
import os
import shutil
import socket
import socketserver
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from sources_support import context, source_row, stored_urls

from monitor.cli import main
from monitor.config import load_config
from monitor.errors import ConfigError, RuleError
from monitor.http import HARD_MAX_BYTES, HttpClient
from monitor.pipeline import open_context, run_source
from monitor.sources import build_sources
from monitor.store import Store

# --- a hostile HTTP server -----------------------------------------------------------

FEED_HEAD = ('<rss version="2.0"><channel><title>Hostile wire</title>'
             "<link>http://127.0.0.1/</link><description>test</description>")


def item(title: str, link: str, text: str) -> str:
    return (f"<item><title>{title}</title><link>{link}</link><guid>{link}</guid>"
            f"<pubDate>Fri, 15 Aug 2025 09:30:00 +0000</pubDate>"
            f"<description>{text}</description></item>")


GOOD_FEED = ('<?xml version="1.0" encoding="utf-8"?>' + FEED_HEAD
             + item("Harbour reopens", "http://127.0.0.1/n/harbour",
                    "The northern harbour reopened on Friday after three weeks of repairs.")
             + "</channel></rss>").encode()

RU_TEXTS = [
    ("Мост открыт", "http://127.0.0.1/ru/most",
     "Старый мост через реку снова открыли для движения после ремонта опор."),
    ("Буданов о разведке", "http://127.0.0.1/ru/budanov",
     "Глава разведки рассказал журналистам о новых данных, сообщил представитель Буданова."),
    ("Порт работает", "http://127.0.0.1/ru/port",
     "Северный порт принял первые суда после шторма, рассказали в администрации."),
]


def ru_feed(decl: str) -> str:
    return decl + FEED_HEAD + "".join(item(*t) for t in RU_TEXTS) + "</channel></rss>"


class Hostile(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.routes: dict[str, Callable[[socket.socket], None]] = {}
        self.hits: list[str] = []
        self.other_port = 0  # a second server, "another port on the machine"

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client that hung up on a trickle is the point, not a failure

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}{path}"


class _Handler(socketserver.BaseRequestHandler):
    def handle(self) -> None:
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = self.request.recv(4096)
            if not chunk:
                return
            data += chunk
        path = data.split(b" ", 2)[1].decode()
        server: Hostile = self.server  # type: ignore[assignment]
        server.hits.append(path)
        route = server.routes.get(path)
        if route is None:
            self.request.sendall(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n"
                                 b"Connection: close\r\n\r\n")
            return
        route(self.request)


def answer(body: bytes, ctype: str = "application/rss+xml; charset=utf-8",
           extra: str = "") -> Callable[[socket.socket], None]:
    def send(sock: socket.socket) -> None:
        head = (f"HTTP/1.1 200 OK\r\nContent-Type: {ctype}\r\nContent-Length: {len(body)}\r\n"
                f"{extra}Connection: close\r\n\r\n")
        sock.sendall(head.encode() + body)
    return send


def redirect(location: str) -> Callable[[socket.socket], None]:
    def send(sock: socket.socket) -> None:
        sock.sendall(f"HTTP/1.1 302 Found\r\nLocation: {location}\r\nContent-Length: 0\r\n"
                     "Connection: close\r\n\r\n".encode())
    return send


def trickle(total: int, every: float) -> Callable[[socket.socket], None]:
    """A valid feed's length, announced, then sent one byte at a time."""
    def send(sock: socket.socket) -> None:
        sock.sendall(f"HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\n"
                     f"Content-Length: {total}\r\nConnection: close\r\n\r\n".encode())
        for _ in range(total):
            time.sleep(every)
            sock.sendall(b" ")
    return send


def trickled_headers(sock: socket.socket) -> None:
    """The status line and headers themselves, one byte at a time."""
    head = (f"HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\nX-Padding: {'p' * 60}"
            f"\r\nContent-Length: {len(GOOD_FEED)}\r\nConnection: close\r\n\r\n").encode()
    for i in range(len(head)):
        time.sleep(0.05)
        sock.sendall(head[i:i + 1])
    sock.sendall(GOOD_FEED)


def endless_chunks(size: int, every: float) -> Callable[[socket.socket], None]:
    """Chunked transfer that never ends (until the client hangs up)."""
    def send(sock: socket.socket) -> None:
        sock.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\n"
                     b"Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n")
        piece = f"{size:x}\r\n".encode() + b"x" * size + b"\r\n"
        while True:
            sock.sendall(piece)
            if every:
                time.sleep(every)
    return send


def lying_length(sock: socket.socket) -> None:
    """Announces far more than it sends, then hangs up."""
    sock.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\n"
                 b"Content-Length: 5000\r\nConnection: close\r\n\r\n" + GOOD_FEED[:300])
    sock.shutdown(socket.SHUT_RDWR)


@pytest.fixture(scope="module")
def hostile() -> Iterator[Hostile]:
    srv = Hostile()
    other = Hostile()
    other.routes["/good.xml"] = answer(GOOD_FEED)
    srv.other_port = other.server_address[1]
    threads = [threading.Thread(target=s.serve_forever, kwargs={"poll_interval": 0.05},
                                daemon=True) for s in (srv, other)]
    for t in threads:
        t.start()
    srv.routes["/good.xml"] = answer(GOOD_FEED)
    yield srv
    for s in (srv, other):
        s.shutdown()
        s.server_close()


def run_pair(tmp_path: Path, bad_url: str, good_url: str, **http: Any) -> Any:
    specs = [{"name": "bad", "kind": "feed", "url": bad_url},
             {"name": "good", "kind": "feed", "url": good_url}]
    settings, ctx = context(tmp_path, specs, **{"retries": 0, **http})
    for source in build_sources(settings):
        run_source(ctx, source)
    return ctx


def assert_good_kept(ctx: Any) -> None:
    assert stored_urls(ctx, "good") == ["http://127.0.0.1/n/harbour"]
    assert source_row(ctx, "good")["last_error"] is None


HTTP_CASES = [
    # (name, route, http settings, pieces of the recorded error)
    ("trickle", trickle(len(GOOD_FEED), 0.05), {"timeout": 1.0},
     ["no answer within 1 s", "whole request"]),
    ("trickled headers", trickled_headers, {"timeout": 1.0},
     ["no answer within 1 s", "whole request"]),
    ("endless trickle", endless_chunks(1, 0.1), {"timeout": 1.0},
     ["no answer within 1 s", "whole request"]),
    ("endless chunks", endless_chunks(65536, 0), {"timeout": 30.0, "max_bytes": 200_000},
     ["response larger than 200000 bytes"]),
    ("lying content-length", lying_length, {"timeout": 5.0},
     ["broke the HTTP protocol", "tried again on the next run"]),
    ("redirect to file://", redirect("file:///etc/passwd"), {},
     ["redirected to file://", "/etc/passwd: only http(s) redirects are followed"]),
]


@pytest.mark.parametrize("name,route,http,pieces", HTTP_CASES, ids=[c[0] for c in HTTP_CASES])
def test_a_hostile_server_is_an_error_on_its_source_only(
        name: str, route: Any, http: dict[str, Any], pieces: list[str], hostile: Hostile,
        tmp_path: Path) -> None:
    path = "/" + name.replace(" ", "-").replace(":", "").replace("/", "")
    hostile.routes[path] = route
    ctx = run_pair(tmp_path, hostile.url(path), hostile.url("/good.xml"), **http)
    try:
        assert_good_kept(ctx)
        row = source_row(ctx, "bad")
        assert row["last_new"] == 0 and row["last_error"]
        for piece in pieces:
            assert piece in row["last_error"], row["last_error"]
        assert stored_urls(ctx, "bad") == []
    finally:
        ctx.close()


def test_a_redirect_to_another_port_on_the_machine_needs_allow_private(
        hostile: Hostile, tmp_path: Path) -> None:
    target = f"http://127.0.0.1:{hostile.other_port}/good.xml"
    hostile.routes["/elsewhere"] = redirect(target)
    for sub in ("refused", "allowed"):
        (tmp_path / sub).mkdir()
    ctx = run_pair(tmp_path / "refused", hostile.url("/elsewhere"), hostile.url("/good.xml"))
    try:
        assert_good_kept(ctx)
        error = source_row(ctx, "bad")["last_error"]
        assert f"redirected to {target}, a private or loopback address: refused" in error
        assert "http.allow_private: true" in error
    finally:
        ctx.close()
    ctx = run_pair(tmp_path / "allowed", hostile.url("/elsewhere"), hostile.url("/good.xml"),
                   allow_private=True)
    try:  # the same feed twice: the second source's copy is a duplicate, not an error
        assert stored_urls(ctx, "bad") == ["http://127.0.0.1/n/harbour"]
        assert source_row(ctx, "bad")["last_error"] is None
    finally:
        ctx.close()


def test_a_redirect_within_the_same_host_and_port_is_followed(
        hostile: Hostile, tmp_path: Path) -> None:
    hostile.routes["/moved"] = redirect("/good.xml")
    ctx = run_pair(tmp_path, hostile.url("/moved"), hostile.url("/good.xml"))
    try:
        assert stored_urls(ctx, "bad") == ["http://127.0.0.1/n/harbour"]
        assert source_row(ctx, "bad")["last_error"] is None
    finally:
        ctx.close()


def stored_texts(ctx: Any, source: str) -> dict[str, tuple[str, str]]:
    return {r[0]: (r[1], r[2]) for r in ctx.store.db.execute(
        "SELECT url, title, text FROM articles WHERE source = ?", [source])}


def test_a_cp1251_feed_without_a_charset_is_stored_as_written(
        hostile: Hostile, tmp_path: Path) -> None:
    body = ru_feed('<?xml version="1.0"?>').encode("cp1251")
    hostile.routes["/cp1251.xml"] = answer(body, ctype="application/rss+xml")
    ctx = run_pair(tmp_path, hostile.url("/cp1251.xml"), hostile.url("/good.xml"))
    try:
        assert_good_kept(ctx)
        assert source_row(ctx, "bad")["last_error"] is None
        assert stored_texts(ctx, "bad") == {link: (title, text) for title, link, text in RU_TEXTS}
    finally:
        ctx.close()


def test_a_cp1251_feed_declared_in_its_xml_is_stored_as_written(
        hostile: Hostile, tmp_path: Path) -> None:
    body = ru_feed('<?xml version="1.0" encoding="windows-1251"?>').encode("cp1251")
    hostile.routes["/cp1251-decl.xml"] = answer(body, ctype="text/xml")
    ctx = run_pair(tmp_path, hostile.url("/cp1251-decl.xml"), hostile.url("/good.xml"))
    try:
        assert stored_texts(ctx, "bad") == {link: (title, text) for title, link, text in RU_TEXTS}
    finally:
        ctx.close()


def test_one_bad_byte_in_a_utf8_feed_quarantines_that_item_only(
        hostile: Hostile, tmp_path: Path) -> None:
    body = ru_feed('<?xml version="1.0" encoding="utf-8"?>').encode("utf-8")
    broken = "Северный порт".encode()
    body = body.replace(broken, broken[:5] + b"\xff" + broken[6:])  # one byte of 'в' broken
    hostile.routes["/badbyte.xml"] = answer(body)
    ctx = run_pair(tmp_path, hostile.url("/badbyte.xml"), hostile.url("/good.xml"))
    try:
        assert_good_kept(ctx)
        stored = stored_texts(ctx, "bad")
        assert stored == {link: (title, text) for title, link, text in RU_TEXTS[:2]}
        assert all("\ufffd" not in t + x for t, x in stored.values())
        [q] = ctx.store.quarantined()
        assert q["source"] == "bad" and q["item"] == "http://127.0.0.1/ru/port"
        assert "not valid UTF-8" in q["reason"] and "not stored" in q["reason"]
    finally:
        ctx.close()


def test_max_bytes_is_capped_whatever_the_config_says(tmp_path: Path) -> None:
    assert HttpClient({"max_bytes": 50_000_000}).max_bytes == HARD_MAX_BYTES
    cfg = tmp_path / "figmon.yaml"
    cfg.write_text("http:\n  max_bytes: 50000000\n", encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_config(cfg)
    assert f"{cfg}:2:3: 'http.max_bytes' must be at most 20,000,000" in str(info.value)


# --- hostile files ----------------------------------------------------------------

GOOD_ARTICLE = "---\ntitle: Harbour\ndate: 2025-08-15\n---\nThe harbour reopened on Friday.\n"

BAD_FILES = {
    # file name: (content, piece of its error)
    "bad-date.md": ("---\ntitle: A\ndate: 2025-02-30\n---\nThe ferry ran late.\n",
                    "bad-date.md:3:7: front matter: invalid date '2025-02-30'"),
    "python-tag.md": ("---\ntitle: !!python/name:os.system ''\n---\nThe tram stopped.\n",
                      "python-tag.md:2:8: front matter: YAML tag '!!python/name:os.system' "
                      "is not allowed"),
    "recursive.md": ("---\ntags: &a [*a]\n---\nThe bus was full.\n",
                     "recursive.md:2:11: front matter: YAML aliases (*name) are not allowed"),
    "bomb.md": ("---\na: &a [x, x, x, x, x, x, x, x, x]\n"
                + "".join(f"{c}: &{c} [{', '.join(['*' + p] * 9)}]\n"
                          for p, c in zip("abcdefgh", "bcdefghi", strict=True))
                + "---\nThe boat sailed.\n",
                "bomb.md:3:8: front matter: YAML aliases (*name) are not allowed"),
}


def folder_setup(tmp_path: Path, **spec: Any) -> tuple[Path, Any]:
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "good.md").write_text(GOOD_ARTICLE, encoding="utf-8")
    settings, ctx = context(tmp_path, [{"name": "files", "kind": "folder", "path": "articles",
                                        **spec}])
    return folder, ctx


def run_folder(ctx: Any) -> list[str]:
    [source] = build_sources(ctx.settings)
    return run_source(ctx, source).errors


def test_a_bad_article_is_quarantined_and_the_rest_of_the_folder_goes_on(
        tmp_path: Path) -> None:
    folder, ctx = folder_setup(tmp_path)
    for name, (content, _) in BAD_FILES.items():
        (folder / name).write_text(content, encoding="utf-8")
    (folder / os.fsdecode(b"caf\xe9-latin1.md")).write_text(GOOD_ARTICLE.replace(
        "harbour", "ferry"), encoding="utf-8")
    try:
        errors = run_folder(ctx)
        assert stored_urls(ctx, "files") == ["articles/good.md"]
        assert len(errors) == len(BAD_FILES) + 1
        for _, piece in BAD_FILES.values():
            assert any(piece in e for e in errors), (piece, errors)
        assert any("caf\\xe9-latin1.md: the file name is not valid UTF-8" in e
                   and "rename" in e for e in errors)
        quarantined = {q["item"]: q["reason"] for q in ctx.store.quarantined()}
        assert set(quarantined) == {*BAD_FILES, "caf\\xe9-latin1.md"}
        # nothing changed: not reported again, still quarantined
        assert run_folder(ctx) == []
        assert len(ctx.store.quarantined()) == len(BAD_FILES) + 1
        # a fixed file is read on the next run and leaves the quarantine
        (folder / "bad-date.md").write_text(BAD_FILES["bad-date.md"][0].replace(
            "2025-02-30", "2025-02-28"), encoding="utf-8")
        assert run_folder(ctx) == []
        assert stored_urls(ctx, "files") == ["articles/bad-date.md", "articles/good.md"]
        assert "bad-date.md" not in {q["item"] for q in ctx.store.quarantined()}
    finally:
        ctx.close()


def test_status_lists_quarantined_articles(tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    folder, ctx = folder_setup(tmp_path)
    (folder / "bad-date.md").write_text(BAD_FILES["bad-date.md"][0], encoding="utf-8")
    run_folder(ctx)
    ctx.close()
    code, out, _ = cli(capsys, "status", "--config", str(tmp_path / "figmon.yaml"))
    assert code == 0
    assert "Quarantined articles: 1" in out
    assert "files: bad-date.md" in out and "invalid date '2025-02-30'" in out


def test_symlinks_out_of_the_folder_are_not_followed_unless_asked(tmp_path: Path) -> None:
    secret = tmp_path / "outside" / "secret.txt"
    secret.parent.mkdir()
    secret.write_text("root:x:0:0 the private password file of this machine", encoding="utf-8")
    (tmp_path / "outside" / "more.md").write_text(GOOD_ARTICLE.replace("harbour", "dam"),
                                                  encoding="utf-8")
    folder, ctx = folder_setup(tmp_path)
    (folder / "passwd.txt").symlink_to(secret)
    (folder / "linked-dir").symlink_to(tmp_path / "outside", target_is_directory=True)
    (folder / "inside.md").symlink_to(folder / "good.md")  # inside: harmless, same article
    try:
        errors = run_folder(ctx)
        assert stored_urls(ctx, "files") == ["articles/good.md"]
        assert ctx.store.search("root") == []
        assert any("passwd.txt is a link to" in e and "outside the folder" in e
                   and "follow_symlinks: true" in e for e in errors), errors
        assert any("linked-dir is a link to" in e for e in errors), errors
    finally:
        ctx.close()
    (tmp_path / "figmon.db").unlink()
    settings, ctx = context(tmp_path, [{"name": "files", "kind": "folder", "path": "articles",
                                        "follow_symlinks": True}])
    try:
        assert run_folder(ctx) == []
        # the secret is read now (once: the link to it and the linked folder hold one text)
        [hit] = ctx.store.search("password")
        assert hit["url"] in ("articles/passwd.txt", "articles/linked-dir/secret.txt")
        assert "articles/linked-dir/more.md" in stored_urls(ctx, "files")
    finally:
        ctx.close()


def unprivileged() -> list[str]:
    """A command prefix under which file permissions hold.  Root reads 0000 files
    through CAP_DAC_OVERRIDE; setpriv starts the command without it."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("running as root and setpriv (util-linux) is missing: "
                    "root can read a chmod 000 file, so the read cannot be made to fail")
    return [setpriv, "--bounding-set", "-dac_override,-dac_read_search"]


def figmon(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*unprivileged(), sys.executable, "-m", "monitor", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=120)


def init_setup(tmp_path: Path) -> Path:
    from click.testing import CliRunner

    from monitor.cli import cli as group

    assert CliRunner().invoke(group, ["init", str(tmp_path)]).exit_code == 0
    cfg = tmp_path / "figmon.yaml"
    cfg.write_text(cfg.read_text(encoding="utf-8").replace(
        "subscribers:\n  - email: analyst@example.org\n    figures: [\"*\"]\n", ""),
        encoding="utf-8")
    return tmp_path / "articles"


def test_a_file_that_failed_to_read_is_read_once_it_can_be(tmp_path: Path) -> None:
    articles = init_setup(tmp_path)
    locked = articles / "locked.md"
    locked.write_text(GOOD_ARTICLE.replace("harbour", "lighthouse"), encoding="utf-8")
    sub = articles / "sub"
    sub.mkdir()
    (sub / "inner.md").write_text(GOOD_ARTICLE.replace("harbour", "canal"), encoding="utf-8")
    locked.chmod(0)
    sub.chmod(0)
    try:
        first = figmon("run", "--once", cwd=tmp_path)
    finally:
        sub.chmod(0o755)
    assert first.returncode == 3, first.stderr
    assert "locked.md: cannot read: Permission denied" in first.stderr
    assert "cannot list" in first.stderr and "sub: Permission denied" in first.stderr
    assert "Traceback" not in first.stderr
    with Store.open(tmp_path / "figmon.db") as store:
        assert [r[0] for r in store.db.execute("SELECT url FROM articles")] == \
            ["articles/example.md"]
    locked.chmod(0o644)  # size and time unchanged: only the permissions were fixed
    second = figmon("run", "--once", cwd=tmp_path)
    assert second.returncode == 0, second.stderr
    with Store.open(tmp_path / "figmon.db") as store:
        assert sorted(r[0] for r in store.db.execute("SELECT url FROM articles")) == \
            ["articles/example.md", "articles/locked.md", "articles/sub/inner.md"]
        assert store.quarantined() == []


# --- YAML: one loader for config, rules and front matter ------------------------------

def bomb(levels: int) -> str:
    text = "a: &a [x, x, x, x, x, x, x, x, x]\n"
    names = "abcdefghijklmnop"
    for i in range(1, levels):
        p, c = names[i - 1], names[i]
        text += f"{c}: &{c} [{', '.join(['*' + p] * 9)}]\n"
    return text


def test_an_alias_bomb_in_a_rule_file_is_refused_with_its_line(tmp_path: Path) -> None:
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "bomb.yaml").write_text(bomb(8) + "figures: []\n", encoding="utf-8")
    with pytest.raises(RuleError) as info:
        from monitor.rules import load_rules

        load_rules(rules)
    assert f"{rules / 'bomb.yaml'}:1:1: aliases expand to more than 100,000 values" \
        in str(info.value)


def test_aliases_in_rule_files_still_work() -> None:
    from monitor.rules import load_rules

    root = Path(__file__).resolve().parent.parent
    rules = load_rules(root / "rules")
    assert len(rules.figures) > 3  # rules/dprk.yaml shares its term lists by alias


CONFIG_CASES = [
    ("database: !!python/name:os.system ''\n",
     "figmon.yaml:1:11: YAML tag '!!python/name:os.system' is not allowed"),
    ("sources: &a [*a]\n", "figmon.yaml:1:10: recursive alias"),
    ("digest:\n  timezone: 2025-02-30\n", "figmon.yaml:2:13: invalid date '2025-02-30'"),
    (bomb(8), "figmon.yaml:1:1: aliases expand to more than 100,000 values"),
]


def cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as done:
        main(list(argv))
    out = capsys.readouterr()
    return int(done.value.code or 0), out.out, out.err


@pytest.mark.parametrize("text,piece", CONFIG_CASES, ids=["python tag", "recursive alias",
                                                          "bad date", "alias bomb"])
def test_a_hostile_config_is_a_clear_error(text: str, piece: str, tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    cfg = tmp_path / "figmon.yaml"
    cfg.write_text(text, encoding="utf-8")
    code, out, err = cli(capsys, "status", "--config", str(cfg))
    assert code == 1
    assert piece in err, err
    assert "Traceback" not in err + out


def test_the_yaml_loader_keeps_nothing_between_documents() -> None:
    from monitor.articles import parse_text

    for i in range(300):
        parse_text(f"---\ntitle: Item {i}\ndate: 2025-01-{i % 28 + 1:02d}\nscore: {i}.5\n"
                   "---\nThe canal froze.\n", f"a{i}.md")
    gc.collect()
    kept = sum(len(o.constructed_objects) for o in gc.get_objects()
               if isinstance(o, yaml.constructor.BaseConstructor))
    assert kept == 0


# --- CR/LF in titles and the subject prefix --------------------------------------------

def test_a_folded_title_and_prefix_become_one_line_and_the_digest_goes_out(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from click.testing import CliRunner

    from monitor.cli import cli as group

    assert CliRunner().invoke(group, ["init", str(tmp_path)]).exit_code == 0
    rule = tmp_path / "rules" / "example.yaml"
    rule.write_text(rule.read_text(encoding="utf-8").replace(
        "    title: Cost of repairing the river bridge\n",
        "    title: >\n      Cost of repairing\n      the river bridge\n"), encoding="utf-8")
    cfg = tmp_path / "figmon.yaml"
    cfg.write_text(cfg.read_text(encoding="utf-8") + 'digest:\n  subject_prefix: "[a]\\r\\n'
                   'Bcc: victim@example.org"\n', encoding="utf-8")
    code, out, err = cli(capsys, "run", "--once", "--config", str(cfg))
    assert code == 0, err
    [mail] = (tmp_path / "outbox").glob("*.eml")
    headers = mail.read_text(encoding="utf-8").split("\n\n", 1)[0]
    subject = [h for h in headers.splitlines() if h.startswith("Subject:")]
    assert subject and subject[0].startswith("Subject: [a] Bcc: victim@example.org")
    assert "Bcc:" not in headers.replace(subject[0], "")
    from monitor.rules import load_rules

    title = load_rules(tmp_path / "rules").figures["bridge-repair-cost"].title
    assert title == "Cost of repairing the river bridge"


# --- invalid UTF-8 inside the database --------------------------------------------------

def test_bad_bytes_in_stored_text_do_not_stop_status_events_or_digest(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    articles = init_setup(tmp_path)
    assert articles.is_dir()
    cfg = str(tmp_path / "figmon.yaml")
    assert cli(capsys, "run", "--once", "--config", cfg)[0] == 0
    with Store.open(tmp_path / "figmon.db") as store, store.atomic():
        store.db.execute("UPDATE articles SET title = CAST(x'4272ff6467652063c3' AS TEXT),"
                         " url = CAST(x'61727469636c65732fff2e6d64' AS TEXT)")
        store.db.execute("UPDATE sources SET last_error = CAST(x'6261641f80ff' AS TEXT)")
        store.db.execute("UPDATE events SET article = CAST(x'61727469636c65732fff2e6d64' AS TEXT)")
    for command in (["status"], ["events"], ["digest", "--dry-run"], ["timeline",
                    "bridge-repair-cost"], ["search", "bridge"]):
        code, out, err = cli(capsys, *command, "--config", cfg)
        assert code == 0, (command, err)
        assert "Traceback" not in out + err
    code, out, err = cli(capsys, "events", "--config", cfg)
    assert "articles/\ufffd.md" in out


# --- the command line -------------------------------------------------------------------

def test_run_once_exit_codes_and_printed_events(tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    init_setup(tmp_path)
    cfg = tmp_path / "figmon.yaml"
    code, out, err = cli(capsys, "run", "--once", "--config", str(cfg))
    assert code == 0, err
    assert "  new: bridge-repair-cost: about 12,000,000  articles/example.md" in out
    # a dead feed beside the folder: its error once, the folder's work kept, exit 3
    text = cfg.read_text(encoding="utf-8").replace(
        "sources:\n", "sources:\n  - name: dead\n    kind: feed\n"
        "    url: http://127.0.0.1:1/feed.xml\n", 1)
    cfg.write_text(text + "http:\n  retries: 0\n", encoding="utf-8")
    (tmp_path / "articles" / "second.md").write_text(
        "---\ntitle: Bridge again\ndate: 2025-08-20\n---\nRepairing the bridge will now cost "
        "15 million dollars, the council said.\n", encoding="utf-8")
    code, out, err = cli(capsys, "run", "--once", "--config", str(cfg))
    assert code == 3
    assert err.count("http://127.0.0.1:1/feed.xml: cannot connect") == 1
    assert "  error: dead: http://127.0.0.1:1/feed.xml" in err
    assert "source 'dead'" not in err.split("error: the run finished")[0]
    assert "changed: bridge-repair-cost: about 12,000,000 → 15,000,000" in out
    assert "error: the run finished, but source(s) dead had errors" in err
    # a config error: 1
    cfg.write_text("sources: 3\n", encoding="utf-8")
    assert cli(capsys, "run", "--once", "--config", str(cfg))[0] == 1


def test_run_once_exits_3_when_delivery_fails_and_status_lists_it(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from digest_support import free_port

    init_setup(tmp_path)
    cfg = tmp_path / "figmon.yaml"
    cfg.write_text(cfg.read_text(encoding="utf-8")
                   + "subscribers:\n  - email: desk@example.org\n"
                   f"smtp:\n  host: 127.0.0.1\n  port: {free_port()}\n  timeout: 2\n"
                   "  sender: figmon@example.org\n", encoding="utf-8")
    code, out, err = cli(capsys, "run", "--once", "--config", str(cfg))
    assert code == 3
    assert "cannot reach SMTP server 127.0.0.1" in err
    with Store.open(tmp_path / "figmon.db") as store:  # the run's own work is kept
        assert store.counts()["events"] == 1
    code, out, err = cli(capsys, "status", "--config", str(cfg))
    assert code == 0
    assert "Failed deliveries: 1" in out
    assert "desk@example.org:" in out and "cannot reach SMTP server" in out


@pytest.mark.parametrize("argv,piece", [
    (["search", ""], "the search query is empty"),
    (["search", "   "], "the search query is empty"),
    (["search", "--raw", 'AND "('], "is not valid FTS5 syntax"),
    (["timeline", "x", "--json", "--csv"], "--json and --csv cannot be used together"),
    (["subscribers", "add", "ops@localhost"], "has no dot in its domain"),
])
def test_usage_errors_are_clear_and_exit_1(argv: list[str], piece: str, tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    init_setup(tmp_path)
    cfg = str(tmp_path / "figmon.yaml")
    assert cli(capsys, "run", "--once", "--config", cfg)[0] == 0
    code, out, err = cli(capsys, *argv, "--config", cfg)
    assert code == 1 and piece in err, err
    assert "Traceback" not in out + err


def test_search_takes_any_input_and_matches_word_forms(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    articles = init_setup(tmp_path)
    (articles / "ru.md").write_text("---\ntitle: Разведка\ndate: 2025-08-01\n---\n"
                                    "Об этом рассказал представитель Буданова.\n",
                                    encoding="utf-8")
    cfg = str(tmp_path / "figmon.yaml")
    assert cli(capsys, "run", "--once", "--config", cfg)[0] == 0
    code, out, err = cli(capsys, "search", "Буданов", "--config", cfg)
    assert code == 0 and "articles/ru.md" in out and "[Буданова]" in out
    code, out, err = cli(capsys, "search", "bridges", "--config", cfg)
    assert "articles/example.md" in out
    for odd in ['"', "(", "AND", "NEAR(", "*", "-", "a:b"]:
        code, out, err = cli(capsys, "search", odd, "--config", cfg)
        assert code == 0 and "Traceback" not in out + err, (odd, err)


def test_with_no_config_every_command_says_how_to_start(
        tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    for argv in (["run", "--once"], ["status"], ["events"], ["search", "x"], ["digest"],
                 ["timeline", "x"], ["subscribers", "list"]):
        code, out, err = cli(capsys, *argv)
        assert code == 1 and "no figmon.yaml in this folder" in err and "figmon init" in err
    assert not (tmp_path / "figmon.db").exists()
    code, out, err = cli(capsys, "init")
    assert code == 0 and (tmp_path / "figmon.yaml").exists()
    code, out, err = cli(capsys, "rules", "test")
    assert code == 0, out + err
    code, out, err = cli(capsys, "run", "--once")
    assert code == 0 and "1 new article(s), 1 event(s)" in out
    code, out, err = cli(capsys, "init")
    assert code == 1 and "not overwriting" in err


def test_scan_takes_a_url_and_says_when_it_found_nothing(
        hostile: Hostile, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    init_setup(tmp_path)
    page = (b"<html><head><title>Bridge</title></head><body><article><h1>Bridge</h1><p>"
            b"Repairing the bridge will cost 12 million dollars, the city council said on "
            b"Friday after a long debate about the budget for the coming year.</p></article>"
            b"</body></html>")
    hostile.routes["/bridge.html"] = answer(page, ctype="text/html; charset=utf-8")
    cfg = str(tmp_path / "figmon.yaml")
    code, out, err = cli(capsys, "scan", hostile.url("/bridge.html"), "--config", cfg)
    assert code == 0 and "bridge-repair-cost" in out, err
    empty = tmp_path / "nothing.txt"
    empty.write_text("The weather was mild all week.", encoding="utf-8")
    code, out, err = cli(capsys, "scan", str(empty), "--config", cfg)
    assert code == 0 and out == "" and "no figures found" in err


# --- SIGTERM during delivery ------------------------------------------------------------

def test_a_stop_during_slow_delivery_leaves_the_rest_pending(tmp_path: Path) -> None:
    """The daemon's SIGTERM handler stops the shared HTTP client; delivery sees that
    before each message, so the one in flight finishes and the rest wait."""
    import asyncio

    from digest_support import Recorder, SmtpServer

    from monitor import digest
    from monitor.deliver import deliver_pending
    from monitor.rules import load_rules

    class Slow(Recorder):
        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
            await asyncio.sleep(0.3)
            answer = await super().handle_DATA(server, session, envelope)
            if len(self.received) == 1:
                ctx.client().stop()  # as SIGTERM does, while the server is still slow
            return answer

    server = SmtpServer()
    server.handler = Slow()
    server.start()
    try:
        init_setup(tmp_path)
        cfg = tmp_path / "figmon.yaml"
        cfg.write_text(cfg.read_text(encoding="utf-8") + "subscribers:\n"
                       + "".join(f"  - email: reader{i}@example.org\n" for i in range(5))
                       + f"smtp:\n  host: 127.0.0.1\n  port: {server.port}\n"
                       "  sender: figmon@example.org\n", encoding="utf-8")
        settings = load_config(cfg)
        ctx = open_context(settings, rules=load_rules(settings.rules))
        try:
            for source in build_sources(settings):
                run_source(ctx, source)
            digest.build(ctx)
            report = deliver_pending(ctx)
            # the first message, and at most the one already in flight when it stopped
            assert 1 <= len(report.sent) <= 2 and not report.retry and not report.failed
            pending = ctx.store.db.execute(
                "SELECT count(*) FROM deliveries WHERE status = 'pending'").fetchone()[0]
            assert pending == 5 - len(report.sent)
        finally:
            ctx.close()
        ctx = open_context(settings, rules=load_rules(settings.rules))  # the next start
        try:
            assert len(deliver_pending(ctx).sent) == 5 - len(report.sent)
        finally:
            ctx.close()
        assert sorted(m["To"] for m in server.handler.messages()) == \
            [f"reader{i}@example.org" for i in range(5)]
    finally:
        server.stop()


def test_subscribers_add_warns_about_a_glob_that_matches_no_figure(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    init_setup(tmp_path)
    cfg = str(tmp_path / "figmon.yaml")
    code, out, err = cli(capsys, "subscribers", "add", "desk@example.org", "--figures",
                         "brigde-*", "--figures", "bridge-*", "--config", cfg)
    assert code == 0 and "Subscribed desk@example.org" in out
    assert "warning: --figures 'brigde-*' matches no figure yet" in err
    assert "bridge-repair-cost" in err and "'bridge-*'" not in err


def test_broken_utf8_in_a_file_is_refused_not_garbled(tmp_path: Path) -> None:
    folder, ctx = folder_setup(tmp_path)
    text = ("Старый мост через реку снова открыли.\nДвижение по мосту пустили после "
            "ремонта опор, сообщили в мэрии.\n").encode()
    cut = text.index("пустили".encode())
    (folder / "broken.txt").write_bytes(text[:cut] + b"\xff" + text[cut + 1:])
    lines = ['{"url": "http://127.0.0.1/j/1", "text": "Паром снова ходит по расписанию."}',
             '{"url": "http://127.0.0.1/j/2", "text": "Порт принял первые суда."}',
             '{"url": "http://127.0.0.1/j/3", "text": "Мост закрыли на ночь."}']
    raw = "\n".join(lines).encode() + b"\n"
    mid = raw.index("Порт".encode())
    (folder / "wire.jsonl").write_bytes(raw[:mid] + b"\xff" + raw[mid + 1:])
    try:
        errors = run_folder(ctx)
        stored = stored_texts(ctx, "files")
        assert sorted(stored) == ["articles/good.md", "http://127.0.0.1/j/1",
                                  "http://127.0.0.1/j/3"]
        assert stored["http://127.0.0.1/j/1"][1] == "Паром снова ходит по расписанию."
        assert all("\ufffd" not in t + x for t, x in stored.values())
        assert any("broken.txt:2:" in e and "not valid UTF-8 (byte 0xff" in e for e in errors)
        assert any("wire.jsonl:2: not valid UTF-8" in e for e in errors), errors
        assert {q["item"] for q in ctx.store.quarantined()} == {"broken.txt", "wire.jsonl:2"}
    finally:
        ctx.close()
