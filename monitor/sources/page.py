"""HTML pages: one article per page, main text by trafilatura (articles.parse_html)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..articles import content_hash, parse_html, revision_url
from ..errors import ArticleError, FetchError
from ..models import Article
from .base import FetchResult, Finding, Source, url_finding

if TYPE_CHECKING:
    from ..http import HttpClient

ACCEPT = "text/html, application/xhtml+xml;q=0.9, */*;q=0.5"


class PageSource(Source):
    """``url`` (one page) or ``urls`` (a list of pages).

    A page is watched, not read once: when its text changes between polls the
    new text is stored as a revision of its own (the address gets a
    ``#figmon-rev-<hash>`` fragment), so a live tracker page that updates its
    figure raises a change like a new article would.
    """

    kind = "page"
    keys = {"url": str, "urls": list}
    one_of = (("url", "urls"),)

    def __init__(self, spec: dict[str, Any], *, base: Path | None = None,
                 every: str | None = None) -> None:
        super().__init__(spec, base=base, every=every)
        self.urls = [str(u) for u in spec.get("urls") or [spec["url"]]]

    @classmethod
    def check(cls, spec: dict[str, Any], base: Path) -> list[Finding]:
        out: list[Finding] = []
        if "url" in spec:
            f = url_finding("url", spec["url"])
            if f:
                out.append(f)
        urls = spec.get("urls")
        if isinstance(urls, list):
            if not urls:
                out.append(("urls", "'urls' is empty", "list at least one page address"))
            for u in urls:
                f = url_finding("urls", u)
                if f:
                    out.append(f)
        return out

    def fetch(self, state: dict[str, Any], client: HttpClient) -> FetchResult:
        validators: dict[str, Any] = dict(state.get("http", {}))
        last_text: dict[str, str] = dict(state.get("pages", {}))  # url -> hash last read
        articles: list[Article] = []
        errors: list[str] = []
        quarantined: dict[str, str] = {}
        for url in self.urls:
            try:
                resp = client.get(url, validators=validators.get(url), accept=ACCEPT)
                if resp.not_modified:
                    continue
                art = parse_html(resp.text, resp.url, self.name)
            except FetchError as exc:
                if client.stopping:
                    break
                errors.append(str(exc))
                continue
            except ArticleError as exc:
                quarantined[url] = str(exc)
                validators[url] = resp.validators  # same page next time: same failure
                continue
            validators[url] = resp.validators
            digest = content_hash(art.text)
            if last_text.get(url, digest) != digest:
                art = replace(art, url=revision_url(art.url or url, digest))
            last_text[url] = digest
            articles.append(self.with_lang(replace(art, source=self.name)))
        cleared = [u for u in self.urls if u in last_text and u not in quarantined]
        return FetchResult(articles, {**state, "http": validators, "pages": last_text}, errors,
                           quarantined=quarantined, cleared=cleared)
