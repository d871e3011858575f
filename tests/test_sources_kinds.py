"""Each source kind's fetch on its own: feed formats, folder, jsonl (file and URL)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from sources_support import http_fixture, server_fixture  # noqa: F401 - fixtures

from monitor.http import HttpClient
from monitor.sources import FeedSource, FolderSource, JsonlSource
from monitor.sources.feed import html_to_text

RSS091 = """<?xml version="1.0" encoding="ISO-8859-1"?>
<rss version="0.91"><channel><title>Old wire</title><link>http://127.0.0.1/</link>
<description>Old format</description><language>en-gb</language>
<item><title>Ferry timetable</title><link>http://127.0.0.1/ferry</link>
<description>The winter ferry timetable starts in November with two sailings a day.</description>
</item></channel></rss>"""

RSS10 = """<?xml version="1.0" encoding="utf-8"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
 xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel rdf:about="http://127.0.0.1/"><title>RDF wire</title><link>http://127.0.0.1/</link>
<description>RSS 1.0</description>
<items><rdf:Seq><rdf:li rdf:resource="http://127.0.0.1/rdf/1"/></rdf:Seq></items></channel>
<item rdf:about="http://127.0.0.1/rdf/1"><title>Рынок открылся</title>
<link>http://127.0.0.1/rdf/1</link><dc:date>2025-08-14T08:15:00+03:00</dc:date>
<dc:language>ru</dc:language>
<description>Новый крытый рынок открылся в четверг у северного вокзала.</description></item>
</rdf:RDF>"""

RSS_CP1251 = """<?xml version="1.0" encoding="windows-1251"?>
<rss version="2.0"><channel><title>Лента</title><link>http://127.0.0.1/</link>
<description>Тест</description>
<item><title>Трамвай</title><link>http://127.0.0.1/tram</link>
<pubDate>Sun, 17 Aug 2025 07:00:00 +0300</pubDate>
<description>Трамвай пустили по новому маршруту через мост.</description></item>
</channel></rss>"""

ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="uk"><title>Atom wire</title>
<id>urn:test:atom</id><updated>2025-08-15T10:00:00Z</updated>
<entry><title>Міст відкрили</title><id>urn:test:atom:1</id>
<link rel="alternate" href="http://127.0.0.1/atom/1"/>
<published>2025-08-15T10:00:00Z</published><updated>2025-08-15T11:00:00Z</updated>
<summary>Короткий опис.</summary>
<content type="html">&lt;p&gt;Новий міст через річку відкрили для руху
&lt;b&gt;у п'ятницю&lt;/b&gt;.&lt;/p&gt;
&lt;p&gt;Роботи тривали два роки.&lt;/p&gt;</content>
</entry></feed>"""


def fetch(source: Any, state: dict[str, Any] | None = None) -> Any:
    with HttpClient({"timeout": 2.0, "retries": 0}) as client:
        return source.fetch(state or {}, client)


def feed(url: str, **extra: Any) -> FeedSource:
    return FeedSource({"name": "wire", "kind": "feed", "url": url, **extra})


@pytest.mark.parametrize("body,ctype,expect", [
    (RSS091, "text/xml", {"title": "Ferry timetable", "url": "http://127.0.0.1/ferry",
                          "published": None, "lang": "en",
                          "text": "The winter ferry timetable starts in November with two "
                                  "sailings a day."}),
    (RSS10, "application/rdf+xml", {
        "title": "Рынок открылся", "url": "http://127.0.0.1/rdf/1",
        "published": "2025-08-14T05:15:00+00:00", "lang": "ru",
        "text": "Новый крытый рынок открылся в четверг у северного вокзала."}),
    (ATOM, "application/atom+xml", {
        "title": "Міст відкрили", "url": "http://127.0.0.1/atom/1",
        "published": "2025-08-15T10:00:00+00:00", "lang": "uk",
        "text": "Новий міст через річку відкрили для руху у п'ятницю.\n"
                "Роботи тривали два роки."}),
    (RSS_CP1251, "application/rss+xml", {
        "title": "Трамвай", "url": "http://127.0.0.1/tram",
        "published": "2025-08-17T04:00:00+00:00", "lang": "ru",
        "text": "Трамвай пустили по новому маршруту через мост."}),
], ids=["rss-0.91", "rss-1.0", "atom", "rss-2.0-cp1251"])
def test_feed_formats(body: str, ctype: str, expect: dict[str, Any], http: HTTPServer) -> None:
    declared = body.split('encoding="', 1)[1].split('"', 1)[0]
    http.expect_request("/f").respond_with_data(body.encode(declared), content_type=ctype)
    result = fetch(feed(http.url_for("/f")))
    assert result.errors == []
    (art,) = result.articles
    got = {k: getattr(art, k) for k in expect}
    assert got == expect
    assert art.source == "wire"


def test_feed_limit_and_lang_hint(http: HTTPServer) -> None:
    from sources_support import GOOD_ITEMS, rss2

    http.expect_request("/f").respond_with_data(rss2(GOOD_ITEMS, lang=""),
                                                content_type="application/rss+xml")
    result = fetch(feed(http.url_for("/f"), limit=1, lang="en"))
    assert [a.title for a in result.articles] == ["Harbour reopens"]
    assert result.articles[0].lang == "en"
    assert result.articles[0].published == "2025-08-15T09:30:00+00:00"


def test_feed_with_some_broken_xml_keeps_its_items(http: HTTPServer) -> None:
    broken = ('<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>'
              "<item><title>Kept</title><link>http://127.0.0.1/kept</link>"
              "<description>The market opened at dawn &amp; closed at noon.</description>"
              "</item><item><title>Cut off")
    http.expect_request("/f").respond_with_data(broken, content_type="application/rss+xml")
    result = fetch(feed(http.url_for("/f")))
    assert [a.url for a in result.articles] == ["http://127.0.0.1/kept"]
    assert result.articles[0].text == "The market opened at dawn & closed at noon."


def test_html_to_text() -> None:
    assert html_to_text("<p>One&nbsp;two</p><p>three<br>four</p><script>x()</script>") == \
        "One\u00a0two\nthree\nfour"


# --- folder ------------------------------------------------------------------

def folder(path: Path, **extra: Any) -> FolderSource:
    return FolderSource({"name": "files", "kind": "folder", "path": str(path), **extra})


def test_folder_picks_each_file_up_once(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(" date 2025-08-15 The ferry runs twice a day now.\n",
                                    encoding="utf-8")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b.md").write_text("---\ntitle: Market\ndate: 2025-08-16\n---\n"
                                           "The market opens at dawn.\n", encoding="utf-8")
    (tmp_path / ".hidden.txt").write_text("secret draft", encoding="utf-8")
    (tmp_path / "notes.csv").write_text("a,b", encoding="utf-8")
    src = folder(tmp_path)
    first = fetch(src)
    assert sorted(a.published for a in first.articles) == ["2025-08-15", "2025-08-16"]
    assert first.errors == []
    assert fetch(src, first.state).articles == []  # nothing new
    (tmp_path / "c.txt").write_text("A third file about the bridge.", encoding="utf-8")
    third = fetch(src, first.state)
    assert [Path(a.url).name for a in third.articles] == ["c.txt"]


def test_folder_bad_file_is_reported_once_and_others_kept(tmp_path: Path) -> None:
    (tmp_path / "good.txt").write_text("The bridge reopened.", encoding="utf-8")
    (tmp_path / "empty.txt").write_bytes(b"")
    src = folder(tmp_path)
    first = fetch(src)
    assert [Path(a.url).name for a in first.articles] == ["good.txt"]
    assert len(first.errors) == 1 and "empty.txt" in first.errors[0]
    assert fetch(src, first.state).errors == []


def test_folder_glob(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("First text.", encoding="utf-8")
    (tmp_path / "b.md").write_text("Second text.", encoding="utf-8")
    result = fetch(folder(tmp_path, glob="*.md"))
    assert [Path(a.url).name for a in result.articles] == ["b.md"]


# --- jsonl -------------------------------------------------------------------

def line(**obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False) + "\n"


def test_jsonl_file_bad_lines_named_and_appends_read_once(tmp_path: Path) -> None:
    path = tmp_path / "dump.jsonl"
    path.write_text(line(id="1", url="http://127.0.0.1/j/1", text="The harbour reopened.")
                    + "{not json\n"
                    + line(id="3", title="No text here")
                    + line(id="4", text="Трамвай пустили по новому маршруту.", lang="ru",
                           published="2025-08-17"),
                    encoding="utf-8")
    src = JsonlSource({"name": "dump", "kind": "jsonl", "path": str(path)})
    first = fetch(src)
    assert [a.text for a in first.articles] == ["The harbour reopened.",
                                                "Трамвай пустили по новому маршруту."]
    assert first.articles[1].published == "2025-08-17" and first.articles[1].lang == "ru"
    assert len(first.errors) == 2
    assert f"{path}:2" in first.errors[0] and f"{path}:3" in first.errors[1]
    assert first.state["line"] == 5
    with path.open("a", encoding="utf-8") as f:
        f.write("oops\n" + line(id="6", text="A new bus line starts on Monday."))
    second = fetch(src, first.state)
    assert [a.text for a in second.articles] == ["A new bus line starts on Monday."]
    assert len(second.errors) == 1 and f"{path}:5" in second.errors[0]


def test_jsonl_last_line_without_newline(tmp_path: Path) -> None:
    path = tmp_path / "d.jsonl"
    path.write_text(line(text="First.") + '{"text": "Second."}', encoding="utf-8")
    src = JsonlSource({"name": "d", "kind": "jsonl", "path": str(path)})
    first = fetch(src)
    assert [a.text for a in first.articles] == ["First.", "Second."]
    with path.open("a", encoding="utf-8") as f:
        f.write("\n" + line(text="Third."))
    second = fetch(src, first.state)
    assert [a.text for a in second.articles] == ["Third."]
    assert second.errors == []


def test_jsonl_half_written_last_line_waits(tmp_path: Path) -> None:
    path = tmp_path / "d.jsonl"
    path.write_text(line(text="First.") + '{"text": "Sec', encoding="utf-8")
    src = JsonlSource({"name": "d", "kind": "jsonl", "path": str(path)})
    first = fetch(src)
    assert [a.text for a in first.articles] == ["First."] and first.errors == []
    with path.open("a", encoding="utf-8") as f:
        f.write('ond."}\n')
    assert [a.text for a in fetch(src, first.state).articles] == ["Second."]


def test_jsonl_url_with_conditional_get(http: HTTPServer) -> None:
    body = line(url="http://127.0.0.1/u/1", text="The tram depot was rebuilt.")
    http.expect_request("/d.jsonl", headers={"If-None-Match": '"j1"'}).respond_with_data(
        "", status=304)
    http.expect_request("/d.jsonl").respond_with_data(body, headers={"ETag": '"j1"'})
    src = JsonlSource({"name": "d", "kind": "jsonl", "url": http.url_for("/d.jsonl")})
    first = fetch(src)
    assert [a.url for a in first.articles] == ["http://127.0.0.1/u/1"]
    second = fetch(src, first.state)
    assert second.articles == [] and second.errors == []


def test_source_lang_overrides_detection(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("Новий міст відкрили в п'ятницю.", encoding="utf-8")
    (tmp_path / "b.txt").write_text("Новый мост открыли в пятницу.", encoding="utf-8")
    detected = {Path(a.url).name: a.lang for a in fetch(folder(tmp_path)).articles}
    assert detected == {"a.txt": "uk", "b.txt": "ru"}
    forced = {Path(a.url).name: a.lang for a in fetch(folder(tmp_path, lang="uk")).articles}
    assert forced == {"a.txt": "uk", "b.txt": "uk"}


def test_missing_folder_at_run_time_is_a_source_error(tmp_path: Path) -> None:
    from monitor.errors import SourceError

    gone = tmp_path / "gone"
    gone.mkdir()
    src = folder(gone)
    gone.rmdir()
    with pytest.raises(SourceError, match="folder .*gone is missing"):
        fetch(src)
