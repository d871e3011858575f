"""Helpers for the `figmon serve` tests: a database filled by a real `run --once` of
the bundled examples, `figmon serve` as a subprocess on a free port, and the system
Chromium driven by Playwright (tests skip cleanly where there is none)."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM_FLAGS = ["--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--no-sandbox"]

# An article written to try the escaping: markup in its title and text must show as text.
HOSTILE = """---
title: "<script>window.figmonPwned = 1</script> Кулеба о переговорах"
date: 2025-03-03
url: https://hostile.example.org/2025/03/03/kuleba
source: "<b>Bold Outlet</b>"
lang: ru
---
Кулеба заявил, что переговоры <img src=x onerror="window.figmonPwned=2"> продолжатся.
"""


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def env() -> dict[str, str]:
    e = dict(os.environ)
    e["PYTHONPATH"] = str(ROOT) + os.pathsep + e.get("PYTHONPATH", "")
    return e


def figmon(*args: str, cwd: Path, check: bool = True) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run([sys.executable, "-m", "monitor", *args], cwd=cwd, env=env(),
                          capture_output=True, text=True, timeout=120)
    if check:
        assert proc.returncode == 0, f"figmon {' '.join(args)}: {proc.stderr}"
    return proc


def json_lines(text: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def cli_json(cwd: Path, *args: str) -> list[dict[str, Any]]:
    """A `figmon ... --json` command's lines, run in this process (the same code as the
    installed command, without starting an interpreter each time)."""
    from click.testing import CliRunner

    from monitor.cli import cli

    result = CliRunner().invoke(cli, [*args, "--config", str(cwd / "figmon.yaml")])
    assert result.exit_code == 0, result.output
    return json_lines(result.stdout)


def write_site(tmp: Path, *, port: int, extra: str = "") -> Path:
    """figmon.yaml over the bundled examples (plus the hostile article in extra/)."""
    (tmp / "extra").mkdir(exist_ok=True)
    (tmp / "extra" / "hostile.md").write_text(HOSTILE, encoding="utf-8")
    config = tmp / "figmon.yaml"
    config.write_text(f"""database: figmon.db
rules: {ROOT / 'rules'}
sources:
  - name: samples
    kind: folder
    path: {ROOT / 'examples' / 'articles'}
  - name: extra
    kind: folder
    path: extra
serve:
  port: {port}
  public_url: http://127.0.0.1:{port}
{extra}""", encoding="utf-8")
    return config


class Served:
    """`figmon serve` running as a subprocess."""

    def __init__(self, cwd: Path, port: int) -> None:
        self.cwd = cwd
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self.proc: subprocess.Popen[str] | None = None

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "monitor", "serve", "--config", "figmon.yaml"],
            cwd=self.cwd, env=env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            text=True)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                pytest.fail(f"figmon serve exited: {self.proc.communicate()[1]}")
            try:
                if httpx.get(self.url + "/", timeout=2).status_code == 200:
                    return
            except httpx.TransportError:
                time.sleep(0.1)
        pytest.fail("figmon serve did not answer within 30 s")

    def stop(self, sig: int = signal.SIGTERM) -> str:
        """SIGTERM, as systemd would (or ``sig``); returns what it wrote on stderr."""
        assert self.proc is not None
        self.proc.send_signal(sig)
        try:
            _, err = self.proc.communicate(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            _, err = self.proc.communicate()
        return err


@contextmanager
def serving(cwd: Path, port: int) -> Iterator[Served]:
    srv = Served(cwd, port)
    srv.start()
    try:
        yield srv
    finally:
        err = srv.stop()
        assert "Traceback" not in err, err
        assert srv.proc is not None and srv.proc.returncode == 0, err


def filled_and_served(factory: pytest.TempPathFactory, name: str
                      ) -> Iterator[tuple[Served, Path]]:
    """For a module fixture: a real `run --once` of the examples, then `figmon serve`."""
    tmp = factory.mktemp(name)
    port = free_port()
    write_site(tmp, port=port)
    figmon("run", "--once", "--config", "figmon.yaml", cwd=tmp)
    with serving(tmp, port) as srv:
        yield srv, tmp


def chromium_path() -> str:
    for cand in ("/usr/bin/chromium", shutil.which("chromium"),
                 shutil.which("chromium-browser")):
        if cand and Path(cand).exists():
            return cand
    pytest.skip("no Chromium on this machine (CI installs it with apt-get)")


@contextmanager
def browser() -> Iterator[Any]:
    """One headless Chromium (the system one) for a test module."""
    path = chromium_path()
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=path, headless=True, args=CHROMIUM_FLAGS)
        try:
            yield b
        finally:
            b.close()


def no_sideways_scroll(page: Any) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    inner = page.evaluate("window.innerWidth")
    assert width <= inner, f"{page.url}: {width} px wide in a {inner} px window"
