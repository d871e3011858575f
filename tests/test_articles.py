"""Article readers: every format, the bad cases, and that a bad file never stops the walk."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from monitor import articles
from monitor.articles import (
    article_id,
    content_hash,
    iter_paths,
    normalize_date,
    parse_html,
    read_path,
)
from monitor.errors import ArticleError

FRONT = """---
title: Пхеньян готовит новую отправку
date: 2025-08-20
url: https://news.example.org/ru/2025/08/20/dprk
source: Example News
lang: ru
---
# Пхеньян готовит новую отправку

По словам аналитиков, КНДР может направить **ещё 6 тысяч** военных.
"""


def write(path: Path, data: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, bytes):
        path.write_bytes(data)
    else:
        path.write_text(data, encoding="utf-8")
    return path


# --- formats -------------------------------------------------------------------

def test_seed_format_date_on_first_line_with_text(tmp_path: Path) -> None:
    p = write(tmp_path / "s.txt", " date 2024-11-05 Пхеньян направил войска в Курскую область.\n"
                                  "Второе предложение статьи.\n")
    [a] = read_path(p)
    assert a.published == "2024-11-05"
    assert a.text == "Пхеньян направил войска в Курскую область.\nВторое предложение статьи."
    assert a.title == "Пхеньян направил войска в Курскую область."
    assert a.url == str(p)
    assert a.id == article_id(str(p))
    assert a.lang == "ru"
    assert a.meta["format"] == "seed"


def test_seed_format_date_alone_on_first_line(tmp_path: Path) -> None:
    p = write(tmp_path / "s.txt", " date 2025-01-03\nHeadline here\nNorth Korea sent troops.\n")
    [a] = read_path(p, source="folder")
    assert a.published == "2025-01-03"
    assert a.title == "Headline here"
    assert a.text == "Headline here\nNorth Korea sent troops."
    assert a.source == "folder"
    assert a.lang == "en"


def test_seed_files_from_shared(shared_dir: Path) -> None:
    seeds = sorted((shared_dir / "seeds").glob("*.txt"))
    arts = {p.name[:3]: read_path(p)[0] for p in seeds}
    assert arts["000"].published == "2025-08-15"
    assert arts["002"].published == "2025-08-13"
    assert arts["000"].text.startswith("Российский диктатор Владимир Путин")
    assert arts["002"].title == ("Путин и Ким Чен Ын во время телефонного разговора "
                                 "подтвердили свое единство в войне против Украины")
    assert "до 40% боеприпасов" in arts["002"].text
    assert all(a.lang == "ru" for a in arts.values())


def test_front_matter_markdown(tmp_path: Path) -> None:
    p = write(tmp_path / "a.md", FRONT)
    [a] = read_path(p, source="samples")
    assert a.title == "Пхеньян готовит новую отправку"
    assert a.published == "2025-08-20"
    assert a.url == "https://news.example.org/ru/2025/08/20/dprk"
    assert a.id == article_id("https://news.example.org/ru/2025/08/20/dprk")
    assert a.source == "Example News"  # the outlet named in the file wins
    assert a.meta["outlet"] == "Example News"
    assert a.lang == "ru"
    # Markdown marks are gone, the words stay
    assert "КНДР может направить ещё 6 тысяч военных." in a.text
    assert "**" not in a.text and "#" not in a.text


def test_front_matter_optional_fields_and_other_date_forms(tmp_path: Path) -> None:
    p = write(tmp_path / "b.txt", "---\ndate: 15.08.2025\nlang: UA\nauthor: Олена\n---\n"
                                  "Північна Корея передала Росії понад 100 ракет.\n")
    [a] = read_path(p, source="samples")
    assert a.published == "2025-08-15"
    assert a.lang == "uk"
    assert a.source == "samples"
    assert a.url == str(p)
    assert a.title == "Північна Корея передала Росії понад 100 ракет."
    assert a.meta["author"] == "Олена"


def test_plain_text_without_date(tmp_path: Path) -> None:
    p = write(tmp_path / "plain.txt", "Pyongyang sent shells.\n")
    [a] = read_path(p)
    assert a.published is None
    assert a.text == "Pyongyang sent shells."
    assert "outlet" not in a.meta
    # a first line that merely starts with the word "date" is prose, not the seed format
    p = write(tmp_path / "prose.txt", "date night in Pyongyang\nA story.\n")
    [a] = read_path(p)
    assert (a.published, a.title) == (None, "date night in Pyongyang")


def test_html_file_uses_main_text_and_metadata(tmp_path: Path) -> None:
    html = """<!doctype html><html lang="uk"><head>
<title>Розвідка: КНДР | Приклад</title>
<meta property="article:published_time" content="2025-03-10T09:30:00+02:00">
<meta property="og:site_name" content="Приклад Медіа">
</head><body>
<nav><a href="/">Головна</a> <a href="/news">Новини</a></nav>
<article><h1>Розвідка: КНДР відправила нові снаряди</h1>
<p>Північна Корея передала Росії понад 12 тисяч контейнерів з боєприпасами, заявили в розвідці.</p>
<p>За оцінками аналітиків, це мільйони снарядів для артилерії.</p></article>
<footer>Усі права захищені</footer></body></html>"""
    p = write(tmp_path / "page.html", html)
    [a] = read_path(p)
    assert "понад 12 тисяч контейнерів" in a.text
    assert "Усі права захищені" not in a.text
    assert "Головна" not in a.text
    assert a.published == "2025-03-10T07:30:00+00:00"
    assert a.lang == "uk"
    assert a.source == "Приклад Медіа"
    assert a.title.startswith("Розвідка")


def test_parse_html_for_fetched_pages() -> None:
    html = ("<html><head><title>Seoul update</title></head><body><article>"
            "<p>South Korean intelligence said North Korea has sent about 3,000 troops "
            "to Russia so far, and more are expected.</p></article></body></html>")
    a = parse_html(html, url="https://example.com/seoul#top", source="feed")
    assert a.url == "https://example.com/seoul#top"
    assert a.id == article_id("https://example.com/seoul")  # fragment ignored
    assert "about 3,000 troops" in a.text
    assert a.source == "feed"
    assert a.lang == "en"


def test_parse_html_without_text_is_an_error() -> None:
    with pytest.raises(ArticleError, match="no article text"):
        parse_html("<html><head><script>var x=1;</script></head><body></body></html>",
                   url="https://example.com/empty")


def test_jsonl_reads_each_line(tmp_path: Path) -> None:
    lines = [
        {"id": "a1", "url": "https://e.org/1", "title": "One",
         "text": "North Korea sent 50 howitzers.",
         "published": "2025-02-01T08:00:00Z", "source": "Wire"},
        {"text": "Пхеньян передал ракеты.", "date": "Tue, 04 Feb 2025 12:00:00 +0300",
         "lang": "ru"},
    ]
    p = write(tmp_path / "batch.jsonl", "\n".join(json.dumps(x, ensure_ascii=False)
                                                  for x in lines) + "\n\n")
    a, b = read_path(p, source="samples")
    assert (a.id, a.url, a.title, a.source) == ("a1", "https://e.org/1", "One", "Wire")
    assert a.published == "2025-02-01T08:00:00+00:00"
    assert b.url == f"{p}#2"
    assert b.published == "2025-02-04T09:00:00+00:00"
    assert (b.lang, b.source) == ("ru", "samples")


# --- bad input -------------------------------------------------------------------

def test_bad_json_line_is_reported_and_other_lines_kept(tmp_path: Path) -> None:
    p = write(tmp_path / "b.jsonl", '{"text": "first"}\n{"text": oops}\n[1]\n{"url": "x"}\n'
                                    '{"text": "fifth"}\n')
    errors: list[ArticleError] = []
    arts = read_path(p, errors=errors)
    assert [a.text for a in arts] == ["first", "fifth"]
    assert [e.message.split(": ")[0] for e in errors] == [f"{p}:2", f"{p}:3", f"{p}:4"]
    assert "not valid JSON" in errors[0].message
    assert "no \"text\"" in errors[2].message
    # without an error list, read_path refuses loudly instead of dropping lines silently
    with pytest.raises(ArticleError, match="3 bad line"):
        read_path(p)
    # the walk yields the good articles, then one error per bad line
    out = list(iter_paths([p]))
    assert [type(r).__name__ for _, r in out] == ["list", "ArticleError", "ArticleError",
                                                   "ArticleError"]


PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4

BAD_FILES = [
    # (file name, content, what the message must say)
    ("broken.md", "---\ntitle: \"unclosed\ndate: 2025-01-01\n---\ntext\n",
     "front matter: invalid YAML"),
    ("open.md", "---\ntitle: x\ndate: 2025-01-01\ntext never closed\n", "never closed"),
    ("list.md", "---\n- a\n- b\n---\ntext\n", "not a list of 'key: value'"),
    ("date.md", "---\ndate: 31.02.2025\n---\ntext\n", "not a real date"),
    ("lang.md", "---\nlang: de\n---\ntext\n", "unknown lang 'de'"),
    ("seed.txt", " date 2025-13-45\ntext\n", "line 1: '2025-13-45' is not a real date"),
    ("img.txt", PNG, "binary"),
    ("noise.txt", bytes(range(1, 32)) * 50 + bytes(range(128, 256)) * 5, "binary"),
    ("empty.md", "", "the file is empty"),
    ("blank.txt", "\n \n\t\n", "the file is empty"),
    ("front-only.md", "---\ntitle: t\n---\n\n", "no text"),
    ("page.html", "<html><body><script>var a = 1;</script></body></html>", "no article text"),
]


@pytest.mark.parametrize(("name", "content", "says"), BAD_FILES,
                         ids=[b[0] for b in BAD_FILES])
def test_bad_file_gets_a_clear_error(tmp_path: Path, name: str, content: str | bytes,
                                     says: str) -> None:
    p = write(tmp_path / name, content)
    with pytest.raises(ArticleError) as e:
        read_path(p)
    assert e.value.message.startswith(str(p))  # names the file
    assert says in e.value.message
    assert e.value.hint  # and says what to do


def test_huge_file_is_refused_before_reading(tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(articles, "MAX_FILE_BYTES", 1000)
    p = write(tmp_path / "big.txt", "North Korea. " * 200)
    with pytest.raises(ArticleError, match="over the"):
        read_path(p)


RU = "Северная Корея поставляет до 40% боеприпасов, заявил глава разведки Буданов."
UK = "Північна Корея відправила понад 10 тисяч військових, повідомляє розвідка. Це їхні дані."


@pytest.mark.parametrize(("text", "encoding", "name"), [
    (RU, "cp1251", "cp1251"),
    (RU, "koi8-r", "koi8-r"),
    (UK, "cp1251", "cp1251"),
    (UK, "koi8-u", "koi8-u"),
    (RU, "utf-16", "utf-16"),
    (RU, "utf-8-sig", "utf-8"),
])
def test_legacy_encodings_read_as_cyrillic(tmp_path: Path, text: str, encoding: str,
                                           name: str) -> None:
    p = write(tmp_path / "old.txt", (" date 2025-08-13\n" + text).encode(encoding))
    [a] = read_path(p)
    assert a.text == text
    assert a.published == "2025-08-13"
    assert a.meta["encoding"] == name


def test_cp1251_html_with_meta_charset(tmp_path: Path) -> None:
    html = ('<html><head><meta charset="windows-1251"><title>КНДР</title></head><body>'
            "<article><p>Пхеньян отправил в Россию около 3000 военных, сообщила разведка "
            "Южной Кореи.</p></article></body></html>")
    p = write(tmp_path / "old.htm", html.encode("cp1251"))
    [a] = read_path(p)
    assert "около 3000 военных" in a.text
    assert a.lang == "ru"


# --- walking ---------------------------------------------------------------------

def test_iter_paths_walks_sorted_skips_hidden_and_goes_on(tmp_path: Path) -> None:
    root = tmp_path / "in"
    write(root / "b.md", FRONT)
    write(root / "a.txt", " date 2025-01-01 First.\n")
    write(root / "sub" / "c.txt", "Third file.\n")
    write(root / "bad.txt", b"\x00\x01\x02binary")
    write(root / "empty.txt", "")
    write(root / ".hidden.txt", "hidden\n")
    write(root / ".git" / "x.txt", "inside a hidden folder\n")
    write(root / "notes.pdf", "not an article format\n")
    write(root / "~backup.xyz", "other extension\n")
    out = list(iter_paths([root, root / "a.txt", tmp_path / "missing"]))
    names = [(p.relative_to(tmp_path).as_posix() if p.is_relative_to(tmp_path) else str(p),
              isinstance(r, ArticleError)) for p, r in out]
    assert names == [
        ("in/a.txt", False),
        ("in/b.md", False),
        ("in/bad.txt", True),
        ("in/empty.txt", True),
        ("in/sub/c.txt", False),
        ("missing", True),  # a.txt is not read twice
    ]
    err = out[-1][1]
    assert isinstance(err, ArticleError) and "no such file or folder" in err.message


def test_explicit_file_with_other_extension_is_sniffed(tmp_path: Path) -> None:
    p = write(tmp_path / "page.php", "<!DOCTYPE html><html><body><article><p>Pyongyang "
                                     "shipped about 100 artillery systems.</p></article>"
                                     "</body></html>")
    [(path, result)] = list(iter_paths([p]))
    assert isinstance(result, list) and "about 100 artillery systems" in result[0].text


# --- ids, hashes, dates ------------------------------------------------------------

def test_article_id_is_stable_and_short() -> None:
    a = article_id("https://Example.org/a?x=1#frag")
    assert a == article_id("https://example.org/a?x=1")
    assert a != article_id("https://example.org/a?x=2")
    assert len(a) == 16 and int(a, 16) >= 0
    assert article_id("examples/articles/a.md") == article_id(" examples/articles/a.md ")


def test_content_hash_ignores_case_space_punctuation() -> None:
    a = "Пхеньян отправил «более 10 000» солдат.\nИсточник: РБК."
    b = 'пхеньян  отправил "более 10 000" солдат\r\n источник — РБК'
    assert content_hash(a) == content_hash(b)
    assert content_hash("Ещё 6 тысяч") == content_hash("еще 6 тысяч")
    assert content_hash(a) != content_hash(a.replace("10 000", "12 000"))


@pytest.mark.parametrize(("given", "expected"), [
    ("2025-08-15", "2025-08-15"),
    ("15.08.2025", "2025-08-15"),
    ("5/8/2025", "2025-08-05"),
    ("2025/08/15", "2025-08-15"),
    ("2025-08-15T10:20:00Z", "2025-08-15T10:20:00+00:00"),
    ("2025-08-15T13:20:00+03:00", "2025-08-15T10:20:00+00:00"),
    ("2025-08-15 10:20", "2025-08-15T10:20:00"),
    ("Fri, 15 Aug 2025 10:20:00 +0300", "2025-08-15T07:20:00+00:00"),
    ("15 August 2025", "2025-08-15"),
    ("August 15, 2025", "2025-08-15"),
    ("Aug. 15, 2025", "2025-08-15"),
    ("15 августа 2025 г.", "2025-08-15"),
    ("15 серпня 2025", "2025-08-15"),
    ("", None),
])
def test_normalize_date(given: str, expected: str | None) -> None:
    assert normalize_date(given) == expected


@pytest.mark.parametrize("bad", ["yesterday", "2025-13-01", "32.01.2025", "15 Smarch 2025"])
def test_normalize_date_rejects(bad: str) -> None:
    with pytest.raises(ValueError):
        normalize_date(bad)
