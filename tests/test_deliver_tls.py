"""Delivery over TLS to a real aiosmtpd server on 127.0.0.1: STARTTLS with AUTH,
implicit TLS (smtp.ssl), and a certificate figmon must refuse to trust.

The server's certificate comes from a throw-away CA (trustme) that figmon is told
about with smtp.ca_file; certificates are always verified.
"""

from __future__ import annotations

import ssl
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import trustme
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from digest_support import Recorder, context, free_port, seed_troops, write_config

from monitor import digest

# aiosmtpd warns about AUTH without STARTTLS; under implicit TLS that is what we want
pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")

USER, PASSWORD = "figmon", "s3cret-for-tests"
SUBS = "subscribers:\n  - email: analyst@example.org\n"


class TlsServer:
    """aiosmtpd that insists on TLS (STARTTLS or implicit) and on AUTH over it."""

    def __init__(self, ca: Any, implicit: bool) -> None:
        self.port = free_port()
        self.handler = Recorder()
        self.logins: list[tuple[str, str]] = []
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ca.issue_cert("127.0.0.1", "localhost").configure_cert(ctx)
        # aiosmtpd only counts STARTTLS as TLS for AUTH; under implicit TLS the whole
        # socket is encrypted before the first byte, so AUTH is allowed outright there
        tls: dict[str, Any] = {"ssl_context": ctx, "auth_require_tls": False} if implicit \
            else {"tls_context": ctx, "require_starttls": True, "auth_require_tls": True}
        self.controller = Controller(
            self.handler, hostname="127.0.0.1", port=self.port, auth_required=True,
            authenticator=self._check, **tls)

    def _check(self, server: Any, session: Any, envelope: Any, mechanism: str,
               data: Any) -> AuthResult:
        if isinstance(data, LoginPassword):
            self.logins.append((data.login.decode(), data.password.decode()))
            ok = (data.login.decode(), data.password.decode()) == (USER, PASSWORD)
            return AuthResult(success=ok, handled=False)
        return AuthResult(success=False, handled=False)


@pytest.fixture(name="ca")
def ca_fixture() -> Any:
    return trustme.CA()


@pytest.fixture(name="tls_server", params=["starttls", "ssl"])
def tls_server_fixture(request: pytest.FixtureRequest, ca: Any) -> Iterator[TlsServer]:
    server = TlsServer(ca, implicit=request.param == "ssl")
    server.mode = request.param  # type: ignore[attr-defined]
    server.controller.start()
    yield server
    server.controller.stop()


def smtp_section(port: int, mode: str, ca_file: str | None) -> str:
    lines = ["smtp:", "  host: 127.0.0.1", f"  port: {port}", "  sender: figmon@example.org",
             "  timeout: 5", f"  user: {USER}", f"  {mode}: true"]
    if ca_file:
        lines.append(f"  ca_file: {ca_file}")
    return "\n".join(lines)


def settings_for(tmp_path: Path, server: TlsServer, ca: Any, *, trust: bool) -> Any:
    ca_file = None
    if trust:
        ca.cert_pem.write_to_path(str(tmp_path / "private-ca.pem"))
        ca_file = "private-ca.pem"  # relative to the config's folder
    return write_config(tmp_path, subscribers=SUBS,
                        extra=smtp_section(server.port, server.mode,  # type: ignore[attr-defined]
                                           ca_file))


def test_delivers_over_tls_with_login(tmp_path: Path, tls_server: TlsServer, ca: Any,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FIGMON_SMTP_PASSWORD", PASSWORD)
    ctx = context(settings_for(tmp_path, tls_server, ca, trust=True))
    seed_troops(ctx.store)
    digest.after_run(ctx)
    [msg] = tls_server.handler.to("analyst@example.org")
    assert "North Korean troops in Russia" in msg["Subject"]
    assert tls_server.logins == [(USER, PASSWORD)]  # AUTH happened, and only over TLS
    status = ctx.store.db.execute("SELECT status FROM deliveries").fetchone()[0]
    assert status == "sent"
    digest.after_run(ctx)
    assert len(tls_server.handler.to("analyst@example.org")) == 1  # and only once


def test_an_untrusted_certificate_is_refused_and_the_delivery_waits(
        tmp_path: Path, tls_server: TlsServer, ca: Any,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FIGMON_SMTP_PASSWORD", PASSWORD)
    ctx = context(settings_for(tmp_path, tls_server, ca, trust=False))
    seed_troops(ctx.store)
    digest.after_run(ctx)
    assert tls_server.handler.received == [] and tls_server.logins == []
    status, error = ctx.store.db.execute(
        "SELECT status, last_error FROM deliveries").fetchone()
    assert status == "pending"
    assert "could not be verified" in error and "smtp.ca_file" in error
    assert f"127.0.0.1:{tls_server.port}" in error
