"""Article readers: seed text, front-matter Markdown/text, HTML and JSON lines.

Every reader produces :class:`monitor.models.Article`.  ``read_path`` reads one
file, ``iter_paths`` walks files and folders and never stops at a bad file: it
yields that file's :class:`ArticleError` and goes on.

Formats, chosen by extension (an explicitly named file with another extension
is sniffed):

* ``.txt``/``.text``: the seed format, a first line `` date YYYY-MM-DD`` that
  may carry the first words of the text; or front matter; or plain text.
* ``.md``/``.markdown``: YAML front matter between ``---`` lines (title, date,
  url, source, lang), then the body; or plain Markdown.
* ``.html``/``.htm``: main text by trafilatura (see :func:`parse_html`).
* ``.jsonl``/``.ndjson``: one JSON object per line; a bad line is reported with
  its line number and the other lines are kept.

``Article.url`` is the URL when known, else the file path as given;
``Article.source`` is the outlet when the file names one, else the ``source``
argument (the config's source name).
"""

from __future__ import annotations

import email.utils
import hashlib
import json
import os
import re
import unicodedata
from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from charset_normalizer import from_bytes

from .errors import ArticleError, EncodingError, ReadError
from .extract.lang import detect_lang
from .models import LANGS, Article
from .yamlio import load_text

MAX_FILE_BYTES = 20_000_000  # larger files are refused: no news article is this big
FRONT_MATTER_BYTES = 64_000  # title, date, url, source, lang: a few hundred bytes

TEXT_EXTS = frozenset({".txt", ".text"})
MARKDOWN_EXTS = frozenset({".md", ".markdown"})
HTML_EXTS = frozenset({".html", ".htm"})
JSONL_EXTS = frozenset({".jsonl", ".ndjson"})
EXTENSIONS = TEXT_EXTS | MARKDOWN_EXTS | HTML_EXTS | JSONL_EXTS

_SUPPORTED = ", ".join(sorted(EXTENSIONS))


# --- ids and hashes -----------------------------------------------------------

def article_id(url_or_path: str) -> str:
    """A stable 16-hex-digit id for a URL or file path.

    URLs are compared without their fragment and with scheme and host in lower
    case, so trivially different spellings of one link share an id.
    """
    key = url_or_path.strip()
    if re.match(r"(?i)https?://", key):
        parts = urlsplit(key)
        key = urlunsplit((parts.scheme.lower(), parts.netloc.lower(), parts.path or "/",
                          parts.query, ""))
    return hashlib.sha1(key.encode("utf-8")).hexdigest()[:16]


_NOT_WORD = re.compile(r"[\W_]+", re.UNICODE)
# The ASCII characters _NOT_WORD removes, as UTF-8 bytes: bytes.translate drops them
# far faster than the regex, which then only runs when other ones are left.
_ASCII_NOT_WORD = bytes(b for b in range(128) if not chr(b).isalnum())


REVISION_MARK = "#figmon-rev-"


def revision_url(url: str, digest: str) -> str:
    """The address of one revision of a watched page; the fragment keeps it a working link."""
    return f"{document_url(url)}{REVISION_MARK}{digest[:12]}"


def document_url(url: str) -> str:
    """The page a revision belongs to (the address itself for anything else)."""
    return url.split(REVISION_MARK, 1)[0]


def content_hash(text: str) -> str:
    """Hash of the text ignoring case, whitespace, punctuation and ё/е spelling.

    The same story saved under another name or URL, re-wrapped or with other
    quote marks, gets the same hash.
    """
    norm = unicodedata.normalize("NFKC", text).casefold().replace("ё", "е")
    # surrogatepass: lone surrogates (undecodable input bytes) survive to the regex
    data = norm.encode("utf-8", "surrogatepass").translate(None, _ASCII_NOT_WORD)
    rest = data.decode("utf-8", "surrogatepass")
    if not rest.isalnum():  # non-ASCII punctuation or spaces left (« », —, NBSP)
        data = _NOT_WORD.sub("", rest).encode("utf-8")
    return hashlib.sha256(data).hexdigest()[:32]


# --- dates --------------------------------------------------------------------

_MONTHS = {
    # en
    "jan": 1, "january": 1, "feb": 2, "february": 2, "mar": 3, "march": 3, "apr": 4,
    "april": 4, "may": 5, "jun": 6, "june": 6, "jul": 7, "july": 7, "aug": 8, "august": 8,
    "sep": 9, "sept": 9, "september": 9, "oct": 10, "october": 10, "nov": 11,
    "november": 11, "dec": 12, "december": 12,
    # ru (genitive, as written after a day number)
    "января": 1, "февраля": 2, "марта": 3, "апреля": 4, "мая": 5, "июня": 6, "июля": 7,
    "августа": 8, "сентября": 9, "октября": 10, "ноября": 11, "декабря": 12,
    # uk
    "січня": 1, "лютого": 2, "березня": 3, "квітня": 4, "травня": 5, "червня": 6,
    "липня": 7, "серпня": 8, "вересня": 9, "жовтня": 10, "листопада": 11, "грудня": 12,
}
_DMY = re.compile(r"^(\d{1,2})[./](\d{1,2})[./](\d{4})$")
_YMD_SLASH = re.compile(r"^(\d{4})[/.](\d{1,2})[/.](\d{1,2})$")
_DAY_MONTH_YEAR = re.compile(r"^(\d{1,2})\.?\s+([^\W\d_]+)\.?,?\s+(\d{4})(?:\s*(?:г\.?|р\.?))?$")
_MONTH_DAY_YEAR = re.compile(r"^([A-Za-z]+)\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})$")


def _fmt_datetime(dt: datetime) -> str:
    if dt.tzinfo is not None:
        dt = dt.astimezone(UTC)
    return dt.replace(microsecond=0).isoformat()


def normalize_date(value: Any) -> str | None:
    """ISO "YYYY-MM-DD", or a full ISO datetime (UTC when zoned) when a time is known.

    Accepts date/datetime objects, ISO dates and datetimes ("2025-08-15",
    "2025-08-15T10:00:00Z"), "15.08.2025", "2025/08/15", RFC 2822 ("Fri, 15 Aug
    2025 10:00:00 +0000"), "15 August 2025", "August 15, 2025", "15 августа
    2025", "15 серпня 2025".  None or "" gives None; anything else raises
    ValueError.
    """
    if value is None:
        return None
    if isinstance(value, datetime):
        return _fmt_datetime(value)
    if isinstance(value, date):
        return value.isoformat()
    s = str(value).strip()
    if not s:
        return None
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", s):
            return date.fromisoformat(s).isoformat()
        if re.match(r"\d{4}-\d{2}-\d{2}[T ]\d", s):
            return _fmt_datetime(datetime.fromisoformat(s))
        m = _DMY.match(s)
        if m:
            return date(int(m[3]), int(m[2]), int(m[1])).isoformat()
        m = _YMD_SLASH.match(s)
        if m:
            return date(int(m[1]), int(m[2]), int(m[3])).isoformat()
        m = _DAY_MONTH_YEAR.match(s)
        if m and m[2].lower() in _MONTHS:
            return date(int(m[3]), _MONTHS[m[2].lower()], int(m[1])).isoformat()
        m = _MONTH_DAY_YEAR.match(s)
        if m and m[1].lower() in _MONTHS:
            return date(int(m[3]), _MONTHS[m[1].lower()], int(m[2])).isoformat()
    except ValueError as exc:  # e.g. 31.02.2025
        raise ValueError(f"'{s}' is not a real date ({exc})") from None
    try:
        return _fmt_datetime(email.utils.parsedate_to_datetime(s))
    except (TypeError, ValueError, IndexError):
        pass
    raise ValueError(f"cannot read the date '{s}'")


# --- bytes to text --------------------------------------------------------------

_BOMS = ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe\x00\x00", "utf-32"),
         (b"\x00\x00\xfe\xff", "utf-32"), (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16"))
_CYR_LETTER = re.compile(r"(?<=[а-яёіїєґА-ЯЁІЇЄҐ])[а-яёіїєґА-ЯЁІЇЄҐ]")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_.:-]+)""", re.I)


def _cyrillic_score(text: str) -> tuple[int, float]:
    """(letters seen, share in lower case) for letters inside Cyrillic words.

    Real text is mostly lower case inside words; cp1251 read as koi8 (or the
    reverse) swaps the cases, which is how the two are told apart.
    """
    inner = _CYR_LETTER.findall(text)
    if not inner:
        return 0, 0.0
    lower = sum(1 for ch in inner if ch.islower())
    return len(inner), lower / len(inner)


def mostly_utf8(raw: bytes) -> bool:
    """UTF-8 with a few broken bytes (not another code page, whose letters are
    almost all invalid as UTF-8)."""
    text = raw.decode("utf-8", errors="replace")
    bad = text.count("\ufffd")
    good = sum(1 for ch in text if ord(ch) > 127 and ch != "\ufffd")
    return good >= 10 and bad * 20 <= good


def decode_bytes(raw: bytes, name: str = "<bytes>", html: bool = False) -> tuple[str, str]:
    """Decode ``raw`` to text, returning (text, encoding name).

    UTF-8 (with or without BOM) and UTF-16/32 with BOM first; then, for HTML, a
    declared <meta charset>; then the single-byte Cyrillic code pages (cp1251,
    koi8-r/koi8-u) chosen by letter case; then charset_normalizer.  Binary data
    raises ArticleError.
    """
    for bom, enc in _BOMS:
        if raw.startswith(bom):
            try:
                return raw.decode(enc), enc.replace("-sig", "")
            except UnicodeDecodeError:
                break
    if b"\x00" in raw[:8192]:
        raise _binary(name)
    try:
        return _check_text(raw.decode("utf-8"), name), "utf-8"
    except UnicodeDecodeError as exc:
        if mostly_utf8(raw):  # not another code page: UTF-8 with broken bytes
            line = raw[: exc.start].count(b"\n") + 1
            col = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
            raise EncodingError(f"{name}:{line}:{col}: not valid UTF-8 (byte 0x{raw[exc.start]:02x}"
                               "; the rest of the file is UTF-8)",
                               "fix that character or save the file again as UTF-8; it is "
                               "read again when it changes") from None
    if html:
        m = _META_CHARSET.search(raw[:4096])
        if m:
            try:
                return _check_text(raw.decode(m[1].decode("ascii")), name), m[1].decode().lower()
            except (LookupError, UnicodeDecodeError):
                pass  # a wrong declaration is common: fall through to detection
    best: tuple[float, str, str] | None = None
    for enc in ("cp1251", "koi8_u"):
        text = raw.decode(enc, errors="replace")
        n, share = _cyrillic_score(text)
        if n >= 3 and share >= 0.7 and (best is None or share > best[0]):
            best = (share, text, enc)
    if best is not None:
        enc = best[2]
        if enc == "koi8_u" and raw.decode("koi8_r", errors="replace") == best[1]:
            enc = "koi8_r"  # no Ukrainian letters: name the Russian variant
        return _check_text(best[1], name), enc.replace("_", "-")
    match = from_bytes(raw).best()
    if match is None:
        raise _binary(name)
    return _check_text(str(match), name), match.encoding


def _check_text(text: str, name: str) -> str:
    # Random bytes can decode "successfully"; real text has few control characters.
    sample = text[:20000]
    if sample and len(_CONTROL.findall(sample)) > max(2, len(sample) // 100):
        raise _binary(name)
    return text


def _binary(name: str) -> ArticleError:
    return ArticleError(f"{name}: looks like a binary file, not text",
                        "articles must be text (.txt/.md), HTML or JSON lines; "
                        "remove this file from the folder or convert it")


# --- front matter, seed, plain text ---------------------------------------------

_SEED_LINE = re.compile(r"\A[ \t]*date[ \t]+(\d\S*)[ \t]*(.*)")  # "date night…" is prose
_FRONT_OPEN = re.compile(r"\A---[ \t]*\r?\n")
_FRONT_CLOSE = re.compile(r"^(?:---|\.\.\.)[ \t]*$", re.M)
_FRONT_KEYS = ("title", "date", "published", "url", "source", "lang", "id")


def _norm_lang(value: Any, name: str) -> str:
    s = str(value).strip().lower().replace("_", "-").split("-")[0]
    s = {"ua": "uk", "ukr": "uk", "rus": "ru", "eng": "en"}.get(s, s)
    if s not in LANGS:
        raise ArticleError(f"{name}: unknown lang '{value}'",
                           f"use one of {', '.join(LANGS)}, or leave lang out to detect it")
    return s


def _first_line(text: str, limit: int = 200) -> str:
    for line in text.splitlines():
        line = line.strip().lstrip("#").strip()
        if line:
            return line if len(line) <= limit else line[: limit - 1].rstrip() + "…"
    return ""


def _make(*, name: str, text: str, title: str = "", url: str = "", source: str = "",
          published: str | None = None, lang: str | None = None, given_id: str = "",
          outlet: str = "", meta: dict[str, Any] | None = None) -> Article:
    text = text.strip()
    meta = dict(meta or {})
    if outlet:
        # kept apart from `source`, which callers may overwrite with the config's name
        meta["outlet"] = outlet
    if not text:
        raise ArticleError(f"{name}: the article has no text",
                           "add the article text, or remove the file")
    url = url or name
    return Article(
        id=given_id or article_id(url),
        title=title or _first_line(text),
        url=url,
        source=source,
        published=published,
        lang=lang or detect_lang(text),
        text=text,
        meta=meta,
    )


def _date_or_error(value: Any, name: str, where: str) -> str | None:
    try:
        return normalize_date(value)
    except ValueError as exc:
        raise ArticleError(f"{name}: {where}: {exc}",
                           "write the date as YYYY-MM-DD (e.g. 2025-08-15)") from None


_MD_IMAGE = re.compile(r"!\[([^\]]*)\]\([^)]*\)")
_MD_LINK = re.compile(r"\[([^\]]+)\]\([^)]*\)")
_MD_EMPH = re.compile(r"(\*\*|__|\*|`)(?=\S)(.+?)(?<=\S)\1")
_MD_LINE = re.compile(r"^[ \t]*(?:#{1,6}[ \t]+|>[ \t]?)", re.M)


def markdown_to_text(md: str) -> str:
    """Plain text from light Markdown: headings, quotes, emphasis, links, images."""
    text = _MD_IMAGE.sub(r"\1", md)
    text = _MD_LINK.sub(r"\1", text)
    text = _MD_EMPH.sub(r"\2", text)
    return _MD_LINE.sub("", text)


def parse_front_matter(text: str, name: str) -> tuple[dict[str, Any], str, int]:
    """Split ``---`` YAML front matter from the body: (fields, body, body's first line).

    Text without front matter gives ({}, text, 1).  A front matter block that is
    not closed, not valid YAML or not a mapping raises ArticleError with a line.
    """
    m = _FRONT_OPEN.match(text)
    if not m:
        return {}, text, 1
    close = _FRONT_CLOSE.search(text, m.end())
    if close is None:
        raise ArticleError(f"{name}:1: the front matter opened by '---' is never closed",
                           "add a line '---' after the title/date/url/source/lang fields")
    # front matter is a few fields: aliases are refused, not expanded
    located = load_text(text[m.end():close.start()], name, aliases=False,
                        max_bytes=FRONT_MATTER_BYTES)
    if located.problems:
        p = located.problems[0]
        line = (p.line or 0) + 1  # the block starts on the file's second line
        col = f":{p.column}" if p.column else ""
        raise ArticleError(f"{name}:{line}{col}: front matter: {p.message}",
                           p.hint or "fix the YAML between the '---' lines")
    data = located.data if located.data is not None else {}
    if not isinstance(data, dict):
        raise ArticleError(f"{name}:2: the front matter is not a list of 'key: value' fields",
                           "write e.g. 'title: ...' and 'date: 2025-08-15' on their own lines")
    body_line = text.count("\n", 0, close.end()) + 2
    return data, text[close.end():].lstrip("\r\n"), body_line


def parse_text(text: str, name: str, source: str = "", markdown: bool = False) -> Article:
    """One article from text: seed format, front matter, or plain text."""
    text = text.lstrip("\ufeff")
    seed = _SEED_LINE.match(text)
    if seed and not _FRONT_OPEN.match(text):
        published = _date_or_error(seed[1], name, "line 1")
        rest = text[seed.end():]
        title = _first_line(seed[2]) or _first_line(rest)
        body = (seed[2].strip() + rest) if seed[2].strip() else rest
        return _make(name=name, text=body, title=title, source=source, published=published,
                     meta={"format": "seed"})
    fields, body, _ = parse_front_matter(text, name)
    meta: dict[str, Any] = {"format": "front-matter" if fields else "plain"}
    if markdown or fields:
        body = markdown_to_text(body)
    if not fields:
        return _make(name=name, text=body, source=source, meta=meta)
    published = _date_or_error(fields.get("date", fields.get("published")), name,
                               "front matter 'date'")
    lang = _norm_lang(fields["lang"], name) if fields.get("lang") else None
    meta.update({k: v for k, v in fields.items() if k not in _FRONT_KEYS})
    outlet = str(fields.get("source") or "")
    return _make(name=name, text=body, title=str(fields.get("title") or ""),
                 url=str(fields.get("url") or ""), source=outlet or source,
                 published=published, lang=lang, given_id=str(fields.get("id") or ""),
                 outlet=outlet, meta=meta)


# --- HTML -----------------------------------------------------------------------

_HTML_LANG = re.compile(r"<html[^>]*\blang\s*=\s*[\"']?([A-Za-z]{2})", re.I)
_HTML_TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.I | re.S)


def parse_html(html: str, url: str = "", source: str = "") -> Article:
    """An Article from an HTML page: main text, title, date and site by trafilatura.

    ``url`` is the page's address (or file path); ``source`` is used when the page
    does not name its site.  A page with no readable text raises ArticleError.
    """
    import trafilatura

    name = url or "<html>"
    date_params = {"original_date": True, "extensive_search": False,
                   "outputformat": "%Y-%m-%dT%H:%M:%S%z",
                   "max_date": datetime.now(UTC).strftime("%Y-%m-%d")}
    doc: Any
    try:
        doc = trafilatura.bare_extraction(html, url=url or None, with_metadata=True,
                                          include_comments=False, include_tables=True,
                                          date_extraction_params=date_params)
    except Exception as exc:  # noqa: BLE001 - a broken page must not stop the run
        raise ArticleError(f"{name}: cannot parse the HTML ({exc})",
                           "check that the file or page is HTML") from None
    if doc is None or not isinstance(getattr(doc, "text", None), str) or not doc.text.strip():
        raise ArticleError(f"{name}: no article text found in the HTML",
                           "the page may be empty, a login wall or script-only; "
                           "use the article's own page")
    published = None
    if doc.date:
        raw = str(doc.date)
        if raw.endswith("T00:00:00"):  # htmldate had no time: keep the plain date
            raw = raw[:10]
        try:
            published = normalize_date(re.sub(r"([+-]\d{2})(\d{2})$", r"\1:\2", raw))
        except ValueError:
            published = None
    m = _HTML_TITLE.search(html)
    title = doc.title or (unicodedata.normalize("NFKC", m[1]).strip() if m else "")
    lang_m = _HTML_LANG.search(html[:4096])
    lang = lang_m[1].lower() if lang_m and lang_m[1].lower() in LANGS else None
    site = str(doc.sitename or "")
    host = urlsplit(url).hostname or ""
    if site and site.lower().removeprefix("www.") == host.lower().removeprefix("www."):
        site = ""  # trafilatura fell back to the host name: the caller's name is better
    own = str(getattr(doc, "url", "") or "")
    if not url.lower().startswith(("http://", "https://")) \
            and own.lower().startswith(("http://", "https://")):
        url = own  # a saved page names its own address (canonical link): readers get that
    return _make(name=name, text=doc.text, title=title, url=url,
                 source=site or source or host, published=published, lang=lang,
                 outlet=site or host, meta={"format": "html"})


# --- JSON lines -------------------------------------------------------------------

def parse_jsonl(text: str, name: str, source: str = "",
                errors: list[ArticleError] | None = None) -> list[Article]:
    """One article per JSON line; bad lines go to ``errors`` (or raise when None)."""
    out: list[Article] = []
    bad: list[ArticleError] = []
    for no, line in enumerate(text.lstrip("\ufeff").splitlines(), 1):
        if not line.strip():
            continue
        where = f"{name}:{no}"
        try:
            out.append(_jsonl_article(line, where, name, no, source))
        except ArticleError as exc:
            bad.append(exc)
    if bad and errors is None:
        lines = "; ".join(e.message for e in bad[:5]) + (" …" if len(bad) > 5 else "")
        raise ArticleError(f"{name}: {len(bad)} bad line(s): {lines}",
                           "fix or delete those lines; the other lines are fine")
    if errors is not None:
        errors.extend(bad)
    return out


_BROKEN = re.compile("[\udc80-\udcff]")  # bytes kept by surrogateescape: not UTF-8


def _jsonl_article(line: str, where: str, name: str, no: int, source: str) -> Article:
    broken = _BROKEN.search(line)
    if broken:
        raise EncodingError(f"{where}: not valid UTF-8 at column {broken.start() + 1}",
                            "fix that line or save the file again as UTF-8; the other "
                            "lines were read")
    try:
        obj = json.loads(line)
    except json.JSONDecodeError as exc:
        raise ArticleError(f"{where}: not valid JSON ({exc.msg} at column {exc.colno})",
                           "each line must be one JSON object, e.g. "
                           '{"url": "...", "date": "2025-08-15", "text": "..."}') from None
    if not isinstance(obj, dict):
        raise ArticleError(f"{where}: the line is not a JSON object",
                           'write {"text": "...", ...} on each line')
    text = obj.get("text")
    if not isinstance(text, str) or not text.strip():
        raise ArticleError(f"{where}: the object has no \"text\"",
                           'add "text": "the article text" to this line')
    published = _date_or_error(obj.get("published", obj.get("date")), where, "date")
    lang = _norm_lang(obj["lang"], where) if obj.get("lang") else None
    given = str(obj["id"]) if obj.get("id") not in (None, "") else ""
    url = str(obj.get("url") or "") or f"{name}#{given or no}"
    meta = {k: v for k, v in obj.items()
            if k not in ("id", "url", "title", "text", "published", "date", "lang", "source")}
    meta.update({"format": "jsonl", "line": no})
    outlet = str(obj.get("source") or "")
    return _make(name=where, text=text, title=str(obj.get("title") or ""), url=url,
                 source=outlet or source, published=published, lang=lang,
                 given_id=given, outlet=outlet, meta=meta)


# --- files and folders --------------------------------------------------------------

def _read_text(path: Path, html: bool = False, jsonl: bool = False) -> tuple[str, str]:
    name = str(path)
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise ReadError(f"{name}: cannot read: {exc.strerror or exc}",
                        "check that the file exists and is readable; it is tried again "
                        "on the next run") from None
    if size > MAX_FILE_BYTES:
        raise ArticleError(f"{name}: file is {size / 1e6:.1f} MB, over the "
                           f"{MAX_FILE_BYTES / 1e6:.0f} MB limit for one article file",
                           "split it (JSON lines: into several .jsonl files) "
                           "or move it out of the folder")
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ReadError(f"{name}: cannot read: {exc.strerror or exc}",
                        "check that the file exists and is readable; it is tried again "
                        "on the next run") from None
    if not raw.strip():
        raise ArticleError(f"{name}: the file is empty",
                           "write the article into it, or remove it")
    try:
        return decode_bytes(raw, name, html=html)
    except EncodingError:
        if not jsonl:
            raise
        # JSON lines: the broken bytes stay marked, and only their lines are refused
        return raw.decode("utf-8-sig", "surrogateescape"), "utf-8"


def shown_path(path: str | Path) -> str:
    """A path as text that can always be printed and stored: bytes that are not
    UTF-8 are shown as \\xNN escapes."""
    return os.fsencode(path).decode("utf-8", "backslashreplace")


def _read(path: Path, source: str, errors: list[ArticleError] | None) -> list[Article]:
    name = str(path)
    if shown_path(path) != name:
        raise ArticleError(f"{shown_path(path)}: the file name is not valid UTF-8",
                           "rename the file to a UTF-8 name; it is read when renamed")
    ext = path.suffix.lower()
    if path.is_dir():
        raise ArticleError(f"{name}: is a folder, not a file",
                           "pass folders to iter_paths (or `figmon scan`), files to read_path")
    text, encoding = _read_text(path, html=ext in HTML_EXTS, jsonl=ext in JSONL_EXTS)
    if ext in JSONL_EXTS:
        return parse_jsonl(text, name, source, errors)
    if ext in HTML_EXTS or (ext not in EXTENSIONS
                            and re.match(r"\s*<(?:!doctype|html)", text, re.I)):
        art = parse_html(text, name, source)
    else:
        art = parse_text(text, name, source, markdown=ext in MARKDOWN_EXTS)
    art.meta["encoding"] = encoding
    return [art]


def read_path(path: str | Path, source: str = "",
              errors: list[ArticleError] | None = None) -> list[Article]:
    """The articles in one file (one, or many for JSON lines).

    Raises ArticleError naming the file when it cannot be read.  Bad JSON lines
    are appended to ``errors`` when a list is given (the good lines are
    returned); with ``errors=None`` they raise.
    """
    return _read(Path(path), source, errors)


def _walk(root: Path) -> Iterator[Path]:
    """Article files under ``root``, sorted, skipping hidden entries and other extensions."""
    found: list[tuple[str, Path]] = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if not d.startswith(".")]
        for f in filenames:
            p = Path(dirpath) / f
            if f.startswith(".") or p.suffix.lower() not in EXTENSIONS:
                continue
            found.append((p.relative_to(root).as_posix(), p))
    for _, p in sorted(found):
        yield p


def iter_paths(paths: Iterable[str | Path], source: str = ""
               ) -> Iterator[tuple[Path, list[Article] | ArticleError]]:
    """Read every file and folder (recursively, sorted) and yield (file, articles or error).

    A file that cannot be read yields its ArticleError and the walk goes on.  A
    JSON lines file with bad lines yields its good articles first, then one
    ArticleError per bad line.  Each file is read once even if named twice.
    """
    seen: set[Path] = set()
    for given in paths:
        p = Path(given)
        if p.is_dir():
            files: Iterable[Path] = _walk(p)
        elif p.exists():
            files = [p]
        else:
            yield p, ArticleError(f"{p}: no such file or folder",
                                  "check the path (it is relative to the current folder)")
            continue
        for f in files:
            key = f.resolve()
            if key in seen:
                continue
            seen.add(key)
            bad: list[ArticleError] = []
            try:
                arts = _read(f, source, bad)
            except ArticleError as exc:
                yield f, exc
                continue
            if arts or not bad:
                yield f, arts
            for line_error in bad:
                yield f, line_error
