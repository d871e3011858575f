"""Atom feeds (RFC 4287) of figure events: one builder for `figmon serve`'s
/events.atom and the archive's reports/events.atom.

Entry ids are derived from the database's instance id and the event id, so the
live feed and the static one name each event the same way and a reader that
follows both sees it once.
"""

from __future__ import annotations

import uuid
import xml.etree.ElementTree as ET
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .context import RuleSet, figures_of
from .models import Value, track_kind
from .pages import file_slug, safe_href, write_text
from .words import change_words

if TYPE_CHECKING:
    from .context import Context

ATOM = "http://www.w3.org/2005/Atom"
FEED_SIZE = 100  # entries in a feed: the newest events
KIND_SCHEME = "urn:figmon:kind"
FIGURE_SCHEME = "urn:figmon:figure"

# (title, kind) of a figure id, e.g. ("North Korean troops in Russia", "count")
Describe = Callable[[str], tuple[str, str]]


def describer(rules: RuleSet | None) -> Describe:
    """Figure titles and kinds from a RuleSet; the id stands in for a figure without a rule."""
    figures = figures_of(rules)

    def describe(fid: str) -> tuple[str, str]:
        fig = figures.get(fid)
        return (str(getattr(fig, "title", "") or fid),
                str(getattr(fig, "kind", "") or "count"))

    return describe


def entry_id(instance_id: str, event_id: int) -> str:
    return f"urn:uuid:{uuid.uuid5(uuid.UUID(instance_id), f'event:{event_id}')}"


def feed_id(instance_id: str, name: str) -> str:
    return f"urn:uuid:{uuid.uuid5(uuid.UUID(instance_id), f'feed:{name}')}"


def rfc3339(text: str | None) -> str:
    """A stored date or datetime as an Atom date ("2025-08-15" → midnight UTC)."""
    t = (text or "").strip()
    try:
        dt = datetime.fromisoformat(t.replace("Z", "+00:00"))
    except ValueError:
        dt = datetime.now(UTC)
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def entry_title(event: Mapping[str, Any], describe: Describe) -> str:
    """ "CHANGED North Korean troops in Russia: more than 10,000 → 11,000–12,000"."""
    title, kind = describe(event["figure"])

    def value(d: Mapping[str, Any] | None) -> Value | None:
        return Value(d["low"], d["high"], d["qualifier"]) if d else None

    new = value(event["new"])
    kind = track_kind(kind, str(event.get("track") or ""))  # shares a count figure keeps
    words = change_words(value(event["old"]), new, kind) if new is not None else "?"
    who = f" [{event['claimant']}]" if event.get("track") and event.get("claimant") else ""
    return f"{str(event['kind']).upper()} {title}{who}: {words}"


def render_feed(events: Sequence[Mapping[str, Any]], *, instance_id: str, name: str,
                title: str, self_url: str, home_url: str, figure_url: Callable[[str], str],
                describe: Describe) -> str:
    """The feed of ``events`` (Store.events() rows, newest first) as Atom XML."""
    ET.register_namespace("", ATOM)

    def sub(parent: ET.Element, tag: str, text: str | None = None,
            **attrs: str) -> ET.Element:
        el = ET.SubElement(parent, f"{{{ATOM}}}{tag}", attrs)
        if text is not None:
            el.text = text
        return el

    feed = ET.Element(f"{{{ATOM}}}feed")
    sub(feed, "id", feed_id(instance_id, name))
    sub(feed, "title", title)
    stamps = [rfc3339(e.get("created_at")) for e in events]
    sub(feed, "updated", max(stamps) if stamps else rfc3339(None))
    sub(feed, "link", rel="self", type="application/atom+xml", href=self_url)
    sub(feed, "link", rel="alternate", type="text/html", href=home_url)
    sub(feed, "generator", "figmon")
    author = sub(feed, "author")
    sub(author, "name", "figmon")
    for e in events:
        entry = sub(feed, "entry")
        sub(entry, "id", entry_id(instance_id, int(e["id"])))
        sub(entry, "title", entry_title(e, describe))
        sub(entry, "updated", rfc3339(e.get("created_at")))
        sub(entry, "published", rfc3339(e.get("published") or e.get("created_at")))
        page = figure_url(e["figure"])
        article = safe_href(e.get("article") or "")
        sub(entry, "link", rel="alternate", type="text/html", href=article or page)
        sub(entry, "link", rel="related", type="text/html", href=page,
            title=describe(e["figure"])[0])
        fig_title = describe(e["figure"])[0]
        sub(entry, "category", term=e["figure"], scheme=FIGURE_SCHEME, label=fig_title)
        sub(entry, "category", term=e["kind"], scheme=KIND_SCHEME)
        outlet = e.get("outlet") or e.get("source") or ""
        if outlet:
            sub(sub(entry, "author"), "name", outlet)
        parts = [f"“{e['quote']}”" if e.get("quote") else "",
                 f"Claimed by {e['claimant']}." if e.get("claimant") else "",
                 f"{outlet}, {(e.get('published') or '')[:10]}.".strip(", ")
                 if outlet or e.get("published") else "",
                 "" if article else (e.get("article") or "")]
        sub(entry, "summary", " ".join(p for p in parts if p), type="text")
    body = ET.tostring(feed, encoding="unicode")
    return '<?xml version="1.0" encoding="utf-8"?>\n' + body + "\n"


def write_archive_feed(ctx: Context, root: Path) -> Path:
    """reports/events.atom: the newest events, linking the archive's figure pages
    (absolute when digest.reports_url says where reports/ is published)."""
    store = ctx.store
    base = str(ctx.settings.digest.get("reports_url") or "").rstrip("/")
    prefix = f"{base}/" if base else ""
    text = render_feed(
        store.events(newest_first=True, limit=FEED_SIZE),
        instance_id=store.meta("instance_id") or str(uuid.UUID(int=0)), name="archive",
        title="figmon: figure events", self_url=f"{prefix}events.atom",
        home_url=f"{prefix}index.html",
        figure_url=lambda fid: f"{prefix}figures/{file_slug(fid)}.html",
        describe=describer(ctx.rules))
    path = root / "events.atom"
    write_text(path, text)
    return path
