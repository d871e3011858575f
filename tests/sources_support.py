"""Test data and helpers shared by tests/test_sources_*.py and tests/test_daemon*.py.

Every feed item and page sentence here is written for these tests.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from pytest_httpserver import HTTPServer

from monitor.config import Settings, load_config
from monitor.http import HttpClient
from monitor.models import Article, Observation
from monitor.pipeline import Context, open_context


def rss2(items: list[tuple[str, str, str, str]], lang: str = "en") -> str:
    """RSS 2.0 from (title, link, RFC 822 date, description) tuples."""
    body = "".join(
        f"<item><title>{t}</title><link>{link}</link><guid>{link}</guid>"
        f"<pubDate>{d}</pubDate><description>{desc}</description></item>"
        for t, link, d, desc in items)
    return ('<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
            f"<title>Test wire</title><link>http://127.0.0.1/</link>"
            f"<description>Items for tests</description><language>{lang}</language>"
            f"{body}</channel></rss>")


GOOD_ITEMS = [
    ("Harbour reopens", "http://127.0.0.1/news/harbour", "Fri, 15 Aug 2025 09:30:00 +0000",
     "The northern harbour reopened on Friday after storm repairs that took three weeks."),
    ("Bridge closed", "http://127.0.0.1/news/bridge", "Sat, 16 Aug 2025 14:00:00 +0200",
     "Engineers closed the old river bridge for an inspection of its supports."),
]

ARTICLE_PAGE = """<!doctype html>
<html lang="{lang}"><head><meta charset="{charset}"><title>{title}</title></head>
<body><header><nav><a href="/">Home</a> | <a href="/world">World</a></nav></header>
<article><h1>{title}</h1>
<p>{p1}</p>
<p>{p2}</p>
<p>{p3}</p>
</article>
<footer>Contact the newsroom. All rights reserved.</footer></body></html>
"""

EN_PARAS = (
    "The city council approved a new budget for road repairs on Tuesday evening.",
    "Officials said the work on the ring road will begin in early September and run "
    "through the autumn, with night shifts to keep traffic moving during the day.",
    "Residents who live near the construction zone will receive letters explaining "
    "the detours, the council spokesperson added after the vote.",
)

RU_PARAS = (
    "Городской совет во вторник утвердил новый бюджет на ремонт дорог.",
    "По словам чиновников, работы на кольцевой дороге начнутся в начале сентября и "
    "продлятся всю осень, а ночные смены помогут не останавливать движение днём.",
    "Жители домов рядом со стройкой получат письма с объяснением объездов, добавил "
    "представитель совета после голосования.",
)


def page(title: str, paras: tuple[str, str, str], lang: str = "en",
         charset: str = "utf-8") -> str:
    return ARTICLE_PAGE.format(title=title, p1=paras[0], p2=paras[1], p3=paras[2],
                               lang=lang, charset=charset)


class NoRules:
    """Rules that match nothing: these tests are about fetching and recording."""

    figures: dict[str, Any] = {}

    def match(self, article: Article, quantities: Any = None,
              verdicts: Any = None) -> list[Observation]:
        return []


@pytest.fixture(scope="module", name="server")
def server_fixture() -> Iterator[HTTPServer]:
    """A threaded server on 127.0.0.1, so one slow answer does not hold up the others."""
    srv = HTTPServer(host="127.0.0.1", port=0, threaded=True)
    srv.start()
    yield srv
    srv.clear()
    srv.stop()


@pytest.fixture(name="http")
def http_fixture(server: HTTPServer) -> Iterator[HTTPServer]:
    server.clear()
    yield server
    server.clear()


def write_config(tmp_path: Path, sources: list[dict[str, Any]], **top: Any) -> Path:
    cfg = tmp_path / "figmon.yaml"
    data = {"database": str(tmp_path / "figmon.db"), "rules": str(tmp_path / "rules"),
            "reports": str(tmp_path / "reports"), "outbox": str(tmp_path / "outbox"),
            **top, "sources": sources}
    cfg.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return cfg


def context(tmp_path: Path, sources: list[dict[str, Any]], waits: list[float] | None = None,
            **http: Any) -> tuple[Settings, Context]:
    """Settings and an open pipeline context whose client records its back-off waits."""
    conf = {"timeout": 2.0, "retries": 1, "backoff": 0.5, **http}
    settings = load_config(write_config(tmp_path, sources, http=conf))
    ctx = open_context(settings, rules=NoRules())
    ctx.http = HttpClient(settings.http, sleep=(waits.append if waits is not None
                                                else lambda s: None))
    return settings, ctx


def source_row(ctx: Context, name: str) -> dict[str, Any]:
    row = ctx.store.db.execute("SELECT * FROM sources WHERE name = ?", [name]).fetchone()
    assert row is not None, f"no run recorded for {name}"
    cols = [d[0] for d in ctx.store.db.execute("SELECT * FROM sources LIMIT 0").description]
    return dict(zip(cols, row, strict=True))


def stored_urls(ctx: Context, source: str) -> list[str]:
    return [r[0] for r in ctx.store.db.execute(
        "SELECT url FROM articles WHERE source = ? ORDER BY url", [source])]
