"""One-click unsubscribe end to end: digests received by a real SMTP server (aiosmtpd)
carry RFC 8058 headers; the link from a received mail, clicked in Chromium, stops the
digests; a replayed or wrong token changes nothing and says so."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from digest_support import SmtpServer
from web_support import Served, browser, figmon, free_port, serving, write_site

from monitor.store import Store

LATER = """---
title: Seoul revises its count again
date: 2025-11-20
url: https://news.example.org/2025/11/20/revised
source: Example Daily
lang: en
---
Officials in Seoul now believe North Korea has deployed about 16,500 troops to Russia.
"""


@pytest.fixture(scope="module")
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, smtp: SmtpServer
         ) -> Iterator[tuple[Served, Path]]:
    tmp = tmp_path_factory.mktemp("web-unsub")
    port = free_port()
    write_site(tmp, port=port, extra=f"""smtp:
  host: 127.0.0.1
  port: {smtp.port}
  sender: figmon@example.org
subscribers:
  - email: analyst@example.org
    figures: ["dprk-*"]
  - email: keep@example.org
""")
    figmon("subscribers", "add", "desk@example.org", "--config", "figmon.yaml", cwd=tmp)
    figmon("run", "--once", "--config", "figmon.yaml", cwd=tmp)
    with serving(tmp, port) as srv:
        yield srv, tmp


def link_in(message: Any) -> str:
    """The one-click URL from a received digest's List-Unsubscribe header."""
    header = str(message["List-Unsubscribe"])
    urls = re.findall(r"<(https?://[^>]+)>", header)
    assert len(urls) == 1, header
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "<mailto:figmon@example.org?subject=unsubscribe" in header
    return urls[0]


def test_click_unsubscribe_from_a_received_digest(site: tuple[Served, Path],
                                                  smtp: SmtpServer) -> None:
    srv, tmp = site
    (mail,) = smtp.handler.to("analyst@example.org")
    url = link_in(mail)
    assert url.startswith(srv.url + "/unsubscribe?t=")
    html = mail.get_body(("html",)).get_content()
    assert f'href="{url}"' in html.replace("&amp;", "&")
    assert url in mail.get_body(("plain",)).get_content()

    with browser() as chromium:
        page = chromium.new_page(viewport={"width": 390, "height": 800})
        page.goto(url)  # what a mail client opens: a confirm page, nothing changed yet
        assert "Stop sending figmon digests to analyst@example.org?" in page.inner_text("body")
        with Store.open(tmp / "figmon.db") as store:
            gone = store.db.execute("SELECT unsubscribed_at FROM subscribers WHERE email ="
                                    " 'analyst@example.org'").fetchone()[0]
        assert gone is None
        page.click("button:has-text('Unsubscribe')")
        assert "analyst@example.org is unsubscribed" in page.inner_text("body")
        page.close()

    # replayed: says so and changes nothing
    again = httpx.post(url)
    assert again.status_code == 200 and "already unsubscribed" in again.text
    assert "Nothing was changed" in again.text
    wrong = httpx.post(re.sub(r"t=\w+", "t=" + "0" * 32, url))
    assert wrong.status_code == 400 and "Nothing was changed" in wrong.text

    # the next run sends that subscriber nothing, and the others their digest
    (tmp / "extra" / "later.md").write_text(LATER, encoding="utf-8")
    figmon("run", "--once", "--config", "figmon.yaml", cwd=tmp)
    assert len(smtp.handler.to("keep@example.org")) == 2
    assert len(smtp.handler.to("analyst@example.org")) == 1
    listed = figmon("subscribers", "list", "--config", "figmon.yaml", cwd=tmp).stdout
    assert "analyst@example.org" not in listed and "keep@example.org" in listed
    # /status keeps no stale report across runs and unsubscribes
    status = figmon("status", "--json", "--config", "figmon.yaml", cwd=tmp).stdout
    assert httpx.get(srv.url + "/status").json() == json.loads(status)


def test_one_click_post_removes_a_cli_subscriber(site: tuple[Served, Path],
                                                 smtp: SmtpServer) -> None:
    srv, tmp = site
    url = link_in(smtp.handler.to("desk@example.org")[0])
    # RFC 8058: the mailbox provider POSTs this body, with no cookie and no login
    r = httpx.post(url, data={"List-Unsubscribe": "One-Click"})
    assert r.status_code == 200 and "desk@example.org</strong> is unsubscribed" in r.text
    listed = figmon("subscribers", "list", "--config", "figmon.yaml", cwd=tmp).stdout
    assert "desk@example.org" not in listed
    replay = httpx.post(url, data={"List-Unsubscribe": "One-Click"})
    assert replay.status_code == 400 and "already used" in replay.text
    # subscribing again starts afresh: the old link does not unsubscribe the new subscription
    figmon("subscribers", "add", "desk@example.org", "--config", "figmon.yaml", cwd=tmp)
    assert httpx.get(url).status_code == 400
    assert httpx.post(url).status_code == 400
    listed = figmon("subscribers", "list", "--config", "figmon.yaml", cwd=tmp).stdout
    assert "desk@example.org" in listed
