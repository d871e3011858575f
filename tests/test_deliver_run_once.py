"""The whole cycle: `run --once` on articles, digests over real SMTP, a re-run sends
nothing, a new article sends one more digest."""

from __future__ import annotations

from pathlib import Path

from digest_support import SmtpServer

from monitor.config import load_config
from monitor.run import run_once
from monitor.store import Store

ROOT = Path(__file__).resolve().parent.parent

FIRST = """---
title: Pyongyang's contingent
date: 2025-08-15
url: https://news.example.org/contingent
source: Example Daily
lang: en
---
South Korean intelligence said Pyongyang has sent more than 10,000 troops to Russia.
"""
SECOND = """---
title: A larger contingent
date: 2025-09-20
url: https://news.example.org/larger
source: Example Daily
lang: en
---
Officials in Seoul now believe North Korea has deployed about 15,000 troops to Russia.
"""


def test_run_once_twice_sends_once_and_a_new_article_sends_again(tmp_path: Path) -> None:
    server = SmtpServer()
    server.start()
    try:
        arts = tmp_path / "articles"
        arts.mkdir()
        (arts / "one.md").write_text(FIRST, encoding="utf-8")
        (tmp_path / "figmon.yaml").write_text(f"""rules: {ROOT / 'rules'}
sources:
  - name: local
    kind: folder
    path: articles
smtp:
  host: 127.0.0.1
  port: {server.port}
  sender: figmon@example.org
subscribers:
  - email: troops@example.org
    figures: ["dprk-troops"]
  - email: drones@example.org
    figures: ["iran-*"]
""", encoding="utf-8")
        settings = load_config(tmp_path / "figmon.yaml")
        run_once(settings)
        first = server.handler.to("troops@example.org")
        assert len(first) == 1
        assert "more than 10,000" in first[0].get_body(("plain",)).get_content()
        run_once(settings)
        assert len(server.handler.received) == 1
        with Store.open(settings.database) as store:
            assert store.counts()["deliveries"] == 1
        (arts / "two.md").write_text(SECOND, encoding="utf-8")
        run_once(settings)
        got = server.handler.to("troops@example.org")
        assert len(got) == 2
        assert "more than 10,000 → about 15,000" in got[1]["Subject"]
        assert server.handler.to("drones@example.org") == []
        assert (tmp_path / "reports" / "figures" / "dprk-troops.html").exists()
    finally:
        server.stop()
