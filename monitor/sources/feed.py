"""RSS 0.9x/1.0/2.0 and Atom feeds (feedparser), optionally with each item's full page."""

from __future__ import annotations

import calendar
import codecs
import re
from dataclasses import replace
from datetime import UTC, datetime
from html import unescape
from pathlib import Path
from typing import TYPE_CHECKING, Any

import feedparser

from ..articles import article_id, decode_bytes, mostly_utf8, parse_html
from ..errors import ArticleError, FetchError
from ..extract.lang import detect_lang
from ..http import charset_from_header
from ..models import LANGS, Article
from .base import FetchResult, Finding, Source, url_finding

if TYPE_CHECKING:
    from ..http import HttpClient

SEEN_KEEP = 2000  # links remembered so full_text never re-fetches an item page
ACCEPT = ("application/rss+xml, application/atom+xml, application/rdf+xml;q=0.9, "
          "application/xml;q=0.8, text/xml;q=0.8, */*;q=0.5")


class FeedSource(Source):
    """``url`` of an RSS/Atom feed; ``full_text`` fetches each item's page; ``limit``
    keeps only the first N items of each poll."""

    kind = "feed"
    keys = {"url": str, "full_text": bool, "limit": int}
    required = frozenset({"url"})

    def __init__(self, spec: dict[str, Any], *, base: Path | None = None,
                 every: str | None = None) -> None:
        super().__init__(spec, base=base, every=every)
        self.url = str(spec["url"])
        self.full_text = bool(spec.get("full_text", False))
        self.limit: int | None = spec.get("limit")

    @classmethod
    def check(cls, spec: dict[str, Any], base: Path) -> list[Finding]:
        out = [f for f in [url_finding("url", spec.get("url"))] if f]
        limit = spec.get("limit")
        if isinstance(limit, int) and limit < 1:
            out.append(("limit", f"'limit: {limit}' must be at least 1",
                        "leave it out to take every item"))
        return out

    def fetch(self, state: dict[str, Any], client: HttpClient) -> FetchResult:
        new_state = dict(state)
        resp = client.get(self.url, validators=state.get("http"), accept=ACCEPT)
        if resp.not_modified:
            return FetchResult([], new_state, [])
        new_state["http"] = resp.validators
        text, repaired = decode_feed(resp.content, resp.headers.get("content-type", ""),
                                     self.url)
        # feedparser gets UTF-8 it can trust, declared as such, never its own guess
        parsed = feedparser.parse(_as_utf8_xml(text), response_headers={
            "content-type": "application/xml; charset=utf-8",
            "content-location": resp.url})
        entries = list(parsed.entries)
        if parsed.bozo and not entries:
            reason = getattr(parsed, "bozo_exception", "no items found")
            raise FetchError(f"{self.url}: not a readable RSS or Atom feed ({reason})",
                             "open the URL and check it serves a feed; fix 'url' in "
                             "figmon.yaml", url=self.url)
        if self.limit:
            entries = entries[: self.limit]
        feed_lang = _lang(parsed.feed.get("language", ""))
        seen: list[str] = list(state.get("seen", []))
        seen_set = set(seen)
        articles: list[Article] = []
        errors: list[str] = []
        quarantined: dict[str, str] = {}
        cleared: list[str] = []
        for entry in entries:
            link = str(entry.get("link") or entry.get("id") or "")
            key = link or str(entry.get("title", ""))
            if self.full_text and key in seen_set:
                continue  # page already fetched on an earlier poll
            if repaired and _garbled(entry):
                quarantined[key or self.url] = (
                    f"{self.url}: item {key or '(no link)'} has bytes that are not valid "
                    f"{repaired}: not stored (the feed's other items were); it is read again "
                    "when the publisher fixes it")
                continue
            try:
                try:
                    art = self._article(entry, link, feed_lang, resp.url, client,
                                        self.full_text)
                except FetchError as exc:
                    if client.stopping:
                        break  # shutting down: leave the rest for the next run
                    errors.append(f"{exc.message} (kept the feed's own text)")
                    art = self._article(entry, link, feed_lang, resp.url, client, False)
            except ArticleError as exc:
                quarantined[key or self.url] = str(exc)
            else:
                if art is not None:
                    articles.append(art)
                    cleared.append(key or self.url)
            if key and key not in seen_set:
                seen.append(key)
                seen_set.add(key)
        if self.full_text:
            new_state["seen"] = seen[-SEEN_KEEP:]
        return FetchResult(articles, new_state, errors, quarantined=quarantined,
                           cleared=cleared)

    def _article(self, entry: Any, link: str, feed_lang: str | None, feed_url: str,
                 client: HttpClient, full: bool) -> Article | None:
        title = html_to_text(str(entry.get("title", "")))
        published = _published(entry)
        summary = _entry_text(entry)
        if full and link.startswith(("http://", "https://")):
            page = client.get(link)
            try:
                art = parse_html(page.text, link, self.name)
            except ArticleError:
                if not summary:
                    raise
            else:
                return self.with_lang(replace(
                    art, source=self.name, title=art.title or title,
                    published=published or art.published,
                    lang=art.lang or feed_lang,
                    meta={**art.meta, "feed": self.url, "full_text": True}))
        if not summary:
            return None  # a title-only item has no text to read figures from
        url = link or f"{feed_url}#{entry.get('id') or title}"

        return self.with_lang(Article(
            id=article_id(url), title=title or summary[:80], url=url, source=self.name,
            published=published, lang=self.lang or feed_lang or detect_lang(summary),
            text=summary, meta={"feed": self.url, "format": "feed"}))


_XML_DECL = re.compile(
    rb"""\A(?:\xef\xbb\xbf)?\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._:-]+)""")
_XML_DECL_TEXT = re.compile(
    r"""\A(\ufeff?\s*<\?xml[^>]*?encoding\s*=\s*["'])([A-Za-z0-9._:-]+)""")


def decode_feed(raw: bytes, content_type: str, url: str) -> tuple[str, str | None]:
    """A feed's bytes as text, the way pages are decoded: the header's charset, then
    the XML declaration, then detection (``articles.decode_bytes``).

    Returns (text, repaired): ``repaired`` names the encoding when the feed is that
    encoding with a few broken bytes, replaced by U+FFFD so the items carrying them
    can be left out (and only those).  A feed that cannot be decoded raises
    FetchError on its source.
    """


    declared: list[str] = []
    header = charset_from_header(content_type)
    if header:
        declared.append(header)
    m = _XML_DECL.match(raw[:512])
    if m:
        try:
            declared.append(codecs.lookup(m[1].decode("ascii")).name)
        except LookupError:
            pass  # an unknown name: detect instead
    for charset in declared:
        try:
            return raw.decode(charset), None
        except UnicodeDecodeError:
            continue
    if raw.startswith(codecs.BOM_UTF8):
        raw = raw[len(codecs.BOM_UTF8):]
    try:
        return raw.decode("utf-8"), None
    except UnicodeDecodeError:
        pass
    if mostly_utf8(raw):
        return raw.decode("utf-8", errors="replace"), "UTF-8"
    try:
        return decode_bytes(raw, url, html=False)[0], None
    except ArticleError:
        raise FetchError(f"{url}: the feed's bytes cannot be decoded as text",
                         "check that the URL serves an RSS or Atom feed; it is tried "
                         "again on the next run", url=url) from None


def _as_utf8_xml(text: str) -> bytes:
    """The feed as UTF-8 bytes with its XML declaration saying so."""
    return _XML_DECL_TEXT.sub(r"\1utf-8", text.lstrip("\ufeff"), count=1).encode("utf-8")


def _garbled(entry: Any) -> bool:
    fields = [entry.get("title", ""), entry.get("summary", ""), entry.get("link", "")]
    fields += [str(part.get("value", "")) for part in entry.get("content", []) or []]
    return any("\ufffd" in str(f) for f in fields)


def _lang(value: str) -> str | None:
    code = str(value or "").strip().lower()[:2]
    return code if code in LANGS else None


def _published(entry: Any) -> str | None:
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        t = entry.get(key)
        if t:
            dt = datetime.fromtimestamp(calendar.timegm(t), UTC)
            return dt.isoformat()
    return None


def _entry_text(entry: Any) -> str:
    """The fullest text the feed carries: content:encoded / Atom content, else summary."""
    best = ""
    for part in entry.get("content", []) or []:
        value = str(part.get("value", ""))
        if len(value) > len(best):
            best = value
    summary = str(entry.get("summary", "") or "")
    if len(summary) > len(best):
        best = summary
    return html_to_text(best)


_BLOCK = re.compile(r"<\s*(?:br|/p|/div|/li|/h\d|/blockquote|/tr)\b[^>]*>", re.I)
_TAG = re.compile(r"<[^>]+>")
_SCRIPT = re.compile(r"<(script|style)\b.*?</\1\s*>", re.I | re.S)


def html_to_text(fragment: str) -> str:
    """Plain text of a feed's HTML snippet (summaries are short: no trafilatura)."""
    text = _SCRIPT.sub(" ", fragment)
    text = re.sub(r"[ \t\r\n]+", " ", text)  # as in a browser: source line breaks are spaces
    text = _BLOCK.sub("\n", text)
    text = unescape(_TAG.sub("", text))
    lines = (re.sub(r"[ \t]+", " ", line).strip() for line in text.splitlines())
    return "\n".join(line for line in lines if line)
