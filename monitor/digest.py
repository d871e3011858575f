"""Digests: which figures are new or moved, rendered as a plain-text part and HTML.

A digest reads newest first: a one-line summary ("2 figures changed, 1 new"), then
each figure that moved — the figure that moved last first — with its current value
as the headline, a sentence saying what it is now and what it was, who said each
and when, and its events newest first.  ``restated`` events are never mailed.  The
HTML is a table layout with a fixed-width frame for Outlook and the CSS inlined;
the trend is drawn in HTML table cells, since mail clients drop SVG.

Rendering works on plain ``DigestItem`` objects, so it can be used and tested
without a database.  The store-facing half (collecting undigested events,
attaching them to a digest exactly once) is at the end; the reports/ archive is
monitor/archive.py.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from . import changes, subscribers
from .archive import (
    aliases,
    archive_stale,
    digest_page,
    env,
    figure_info,
    file_slug,
    highlight,
    inline_css,
    old_source,
    row_value,
    safe_href,
    source_link,
    write_archive,
)
from .channels import Compose, Outgoing, channel
from .channels.email import (
    build_message,
    message_id,
    sender_domain,
    sender_of,
    serialize,
    test_message,
    unsubscribe_token,
)
from .charts import spark_text, trend_bars
from .deliver import deliver_pending
from .errors import FigmonError
from .models import Event, Value
from .schedule import daily_due
from .store import digests as stored_digests
from .store import subscribers as subscriber_rows
from .subscribers import unsubscribe_link
from .words import (
    QUALIFIER_WORDS,
    change_sentence,
    change_words,
    difference,
    fmt_number,
    short_date,
    value_words,
)

if TYPE_CHECKING:
    from .context import Context
    from .subscribers import UnsubscribeLink

log = logging.getLogger(__name__)

# the words and page helpers live in words.py and archive.py; re-exported for callers
__all__ = ["QUALIFIER_WORDS", "change_words", "difference", "fmt_number", "highlight",
           "safe_href", "file_slug", "value_words", "write_archive", "build_message",
           "message_id", "sender_domain", "serialize", "unsubscribe_token", "daily_due",
           "Outgoing", "inline_css", "test_message"]


# --- rendering ----------------------------------------------------------------

@dataclass(frozen=True)
class DigestItem:
    """One event with everything the digest shows about it."""

    event: Event
    title: str
    figure_kind: str = "count"
    unit_label: str = ""
    quote: str = ""
    surface: str = ""
    outlet: str = ""
    claimant: str | None = None  # canonical name
    url: str = ""
    agree: int = 0  # other sources stating the same value
    trend: tuple[Value, ...] = ()
    event_id: int | None = None
    article_title: str = ""  # shown, unlinked, when the article has no web address
    old_claimant: str | None = None  # who stated the old value, and when
    old_published: str | None = None


@dataclass(frozen=True)
class Rendered:
    """A rendered digest: the subject, the plain-text part and two HTML forms."""

    subject: str
    text: str
    html: str  # a standalone page with a <style> block (the archive copy)
    email_html: str  # the same with the CSS inlined for mail clients


@dataclass
class FigureGroup:
    id: str
    title: str
    badge: str  # "NEW" | "CHANGED"
    summary: str  # old → new in words, for the subject line
    headline: str = ""  # the current value, with its unit
    sentence: str = ""  # "now X (who, when) — was Y (who, when)"
    difference: str = ""
    newest: str = ""  # the newest event's date, for ordering
    entries: list[dict[str, Any]] = field(default_factory=list)
    omitted: int = 0  # earlier events of this figure left out of the message


def _order(it: DigestItem) -> tuple[str, int]:
    return (it.event.published or "", it.event_id or 0)


def group(items: Sequence[DigestItem], max_per_figure: int | None = None
          ) -> list[FigureGroup]:
    """Events grouped by figure, the figure that moved last first; each group opens with
    its current value and lists its events newest first.  With ``max_per_figure`` only
    the latest that many are kept as entries.  ``restated`` events are never mailed."""
    by_fig: dict[str, list[DigestItem]] = {}
    for it in items:
        if it.event.kind != "restated":
            by_fig.setdefault(it.event.figure, []).append(it)
    groups = []
    for fig, its in by_fig.items():
        its.sort(key=_order, reverse=True)
        last, first = its[0], its[-1]
        kind, unit = last.figure_kind, last.unit_label
        # A figure first seen in this digest is news as a whole, even if it also
        # moved within it; only figures the reader already knew are "CHANGED".
        is_new = any(i.event.kind == "new" for i in its)
        old = None if is_new else first.event.old
        g = FigureGroup(
            id=fig, title=first.title, badge="NEW" if is_new else "CHANGED",
            summary=change_words(old, last.event.new, kind),
            headline=value_words(last.event.new, kind, unit),
            sentence=change_sentence(
                value_words(last.event.new, kind), last.claimant, last.event.published,
                value_words(old, kind) if old else None, first.old_claimant,
                first.old_published),
            difference=difference(old, last.event.new, kind), newest=_order(last)[0])
        if max_per_figure and len(its) > max_per_figure:
            g.omitted = len(its) - max_per_figure
            its = its[:max_per_figure]
        shown_trend: set[str] = set()
        for it in its:
            ev = it.event
            # one trend per track, under its latest entry: it already covers the earlier ones
            trend = it.trend if ev.track not in shown_trend else ()
            shown_trend.add(ev.track)
            href, link = source_link(it.url, it.article_title, it.outlet)
            g.entries.append({
                "kind": ev.kind,
                "badge": "CHANGED" if ev.kind == "changed" else "NEW",
                "now": value_words(ev.new, kind, unit),
                "was": value_words(ev.old, kind) if ev.old else "",
                "change": change_words(ev.old, ev.new, kind, unit),
                "sentence": change_sentence(
                    value_words(ev.new, kind, unit), it.claimant, ev.published,
                    value_words(ev.old, kind) if ev.old else None, it.old_claimant,
                    it.old_published),
                "difference": difference(ev.old, ev.new, kind),
                "quote": it.quote,
                "quote_html": highlight(it.quote, it.surface),
                "outlet": it.outlet,
                "href": href,
                "link": link,
                "published": short_date(ev.published),
                "iso": (ev.published or "")[:10],
                "claimant": it.claimant,
                "agree": it.agree,
                "bars": trend_bars(trend, kind) if len(trend) > 1 else "",
                "spark_text": spark_text(trend) if len(trend) > 1 else "",
                "trend_words": " → ".join(value_words(v, kind) for v in trend),
            })
        groups.append(g)
    groups.sort(key=lambda g: g.newest, reverse=True)
    return groups


def summary_line(groups: Sequence[FigureGroup]) -> str:
    """ "2 figures changed, 1 new" — the digest's one-line opening."""
    changed = sum(g.badge == "CHANGED" for g in groups)
    new = sum(g.badge == "NEW" for g in groups)
    parts = []
    if changed:
        parts.append(f"{changed} figure{'s' if changed != 1 else ''} changed")
    if new:
        parts.append(f"{new} new" if changed else f"{new} new figure{'s' if new != 1 else ''}")
    return ", ".join(parts) or "No changes"


def subject_line(groups: Sequence[FigureGroup], prefix: str = "", limit: int = 200) -> str:
    """What moved, then how many figures are new:
    "North Korean troops in Russia: more than 10,000 → about 12,000; 1 new figure"."""
    room = limit - len(prefix) - 1
    changed = [f"{g.title}: {g.summary}" for g in groups if g.badge == "CHANGED"]
    new = [g for g in groups if g.badge == "NEW"]
    n = len(new)
    tail = f"{n} new figure{'s' if n != 1 else ''}" if n else ""
    if changed:
        text = _fit(changed, "; ", room - len(tail) - 2, "more changed")
        text = f"{text}; {tail}" if tail else text
    elif new:
        text = f"{tail}: " + _fit([f"{g.title} {g.summary}" for g in new], ", ",
                                  room - len(tail) - 2, "more")
    else:
        text = "no changes"
    if len(text) > room:
        text = text[: room - 1].rstrip() + "…"
    return f"{prefix} {text}".strip() if prefix else text


def _fit(parts: list[str], sep: str, room: int, more: str) -> str:
    """As many parts as fit in ``room`` characters, then "+N more"."""
    out: list[str] = []
    for i, p in enumerate(parts):
        rest = len(parts) - i - 1
        extra = f"{sep}+{rest} {more}" if rest else ""
        if out and len(sep.join([*out, p])) + len(extra) > room:
            return sep.join(out) + f"{sep}+{len(parts) - i} {more}"
        out.append(p)
    return sep.join(out)


def render(items: Sequence[DigestItem], *, prefix: str = "", created: datetime | None = None,
           key: str = "", cadence: str = "immediate", archive: bool = True,
           max_per_figure: int | None = None, reports_url: str = "",
           unsubscribe: UnsubscribeLink | None = None) -> Rendered:
    """Render a digest of ``items``.  The archive copy links the figure pages
    relatively; the e-mail links them, and itself ("view online"), only when
    ``reports_url`` says where the reports folder is published."""
    groups = group(items, max_per_figure)
    created = created or datetime.now(UTC)
    subject = subject_line(groups, prefix)
    published = reports_url.rstrip("/") + "/" if reports_url else ""
    online = published + digest_page(created, cadence, key) if published and key else ""
    ctx = {"groups": groups, "subject": subject, "summary": summary_line(groups),
           "created": created.strftime("%Y-%m-%d %H:%M UTC"), "day": short_date(
               created.date().isoformat()), "key": key, "cadence": cadence,
           "base": "../" if archive else "", "text_base": published, "slug": file_slug,
           "count": sum(len(g.entries) + g.omitted for g in groups), "online": "",
           "email": False,
           "unsubscribe": unsubscribe}
    e = env()
    text = e.get_template("digest.txt").render(dict(ctx, online=online))
    html = e.get_template("digest.html").render(ctx)
    email_ctx = dict(ctx, base=published, online=online, email=True)
    email_html = inline_css(e.get_template("digest.html").render(email_ctx))
    return Rendered(subject, text, html, email_html)


# --- from the store -----------------------------------------------------------------

def digest_key(cadence: str, event_ids: Iterable[int]) -> str:
    """Same events + cadence → same key, so a re-run builds nothing new."""
    ids = ",".join(str(i) for i in sorted(set(event_ids)))
    return hashlib.sha256(f"{cadence}:{ids}".encode()).hexdigest()[:24]


def _value(d: Mapping[str, Any] | None) -> Value | None:
    return Value(d["low"], d["high"], d["qualifier"]) if d else None


def items_for(ctx: Context, rows: Sequence[Mapping[str, Any]], trend_len: int = 8
              ) -> list[DigestItem]:
    """Store.events() rows → DigestItems with quote, source, agreement and trend."""
    figures = ctx.rules.figures
    names = aliases(ctx)
    tracks: dict[tuple[str, str], list[dict[str, Any]]] = {}
    out = []
    for r in rows:
        new = _value(r["new"])
        assert new is not None
        ev = Event(figure=r["figure"], kind=r["kind"], old=_value(r["old"]), new=new,
                   article=r["article"] or "", published=r["published"], track=r["track"] or "",
                   observation_id=r["observation_id"])
        key = (ev.figure, ev.track)
        if key not in tracks:
            tracks[key] = [dict(o, value=row_value(o)) for o in
                           ctx.store.track_observations(*key)]
        obs = tracks[key]
        idx = next((i for i, o in enumerate(obs) if o["id"] == ev.observation_id), len(obs) - 1)
        agree = changes.agreeing_with(obs, new, figures.get(ev.figure),
                                      besides=obs[idx] if obs else None)
        before = old_source(obs, obs[idx], ev.old) if obs else None
        title, kind, label = figure_info(ctx, ev.figure, ev.track)
        outlet = r.get("outlet") or r.get("source") or ""
        if r.get("relayed"):
            outlet = f"{outlet} (citing {r['relayed']})" if outlet else str(r["relayed"])
        out.append(DigestItem(
            event=ev, title=title, figure_kind=kind, unit_label=label,
            quote=r.get("quote") or "", surface=r.get("surface") or "", outlet=outlet,
            claimant=names.canonical(r.get("claimant")), url=r["article"] or "", agree=agree,
            trend=tuple(o["value"] for o in obs[max(0, idx + 1 - trend_len): idx + 1]),
            event_id=r["id"], article_title=r.get("title") or "",
            old_claimant=names.canonical(before["claimant"]) if before else None,
            old_published=before["published"] if before else None))
    return out


@dataclass
class Built:
    """A digest built (and, unless a dry run, recorded with its deliveries)."""

    key: str
    cadence: str
    event_ids: list[int]
    rendered: Rendered
    outgoing: list[Outgoing]
    digest_id: int | None = None
    created: bool = False  # False when the key was already recorded


def _outgoing(ctx: Context, items: Sequence[DigestItem], subs: Iterable[Any], key: str,
              cadence: str, created: datetime) -> list[Outgoing]:
    """Each subscriber's message, composed by their channel."""
    sender = sender_of(ctx.settings)
    prefix = str(ctx.settings.digest.get("subject_prefix") or "")
    reports_url = str(ctx.settings.digest.get("reports_url") or "")
    url = reports_url.rstrip("/") + "/" + digest_page(created, cadence, key) if reports_url \
        else None
    out = []
    for sub in subs:
        picked = [items[i] for i, it in enumerate(items) if sub.wants(it.event.figure)]
        if not picked:
            continue
        kind = channel(sub.channel)
        link = (unsubscribe_link(ctx.store, ctx.settings, sub.email, sender)
                if kind.kind == "email" else None)
        # the footer names the subscriber and their own link: one render each
        r = render(picked, prefix=prefix, created=created, key=key,
                   cadence=cadence, archive=False,
                   max_per_figure=int(ctx.settings.digest["max_per_figure"]),
                   reports_url=reports_url, unsubscribe=link)
        out.append(kind.compose(Compose(
            key=key, cadence=cadence, created=created, address=sub.email, rendered=r,
            items=picked, sender=sender, url=url, options=dict(sub.options),
            unsubscribe=link)))
    return out


def _record(ctx: Context, built: Built, created: datetime,
            cursor: Mapping[str, int] | None = None) -> None:
    """Digest row, event attachment, delivery rows (and daily cursors): one transaction."""
    stamp = created.replace(microsecond=0).isoformat()
    row = stored_digests.DigestRow(
        key=built.key, created_at=stamp, subject=built.rendered.subject,
        html=built.rendered.html, text=built.rendered.text, cadence=built.cadence,
        event_ids=built.event_ids, path=digest_page(created, built.cadence, built.key))

    def deliveries(digest_id: int) -> list[tuple[Any, ...]]:
        for o in built.outgoing:
            if o.finish is not None:  # the body names the digest's id
                o.body = o.finish(digest_id)
        return [(digest_id, o.email, o.message_id, o.body, o.subject, stamp, o.channel,
                 o.options or None) for o in built.outgoing]

    built.digest_id, built.created = stored_digests.save(ctx.store, row, deliveries, cursor)


def build(ctx: Context, *, dry_run: bool = False, now: datetime | None = None) -> Built | None:
    """The immediate digest of every event not yet in one; None when there is none.

    Immediate subscribers whose figures match get a delivery each. With
    ``dry_run`` nothing is written."""
    # a restatement is recorded and shown in the archive, never mailed
    rows = [r for r in ctx.store.events(undigested=True) if r["kind"] != "restated"]
    if not rows:
        return None
    created = now or datetime.now(UTC)
    items = items_for(ctx, rows)
    ids = [int(r["id"]) for r in rows]
    key = digest_key("immediate", ids)
    prefix = str(ctx.settings.digest.get("subject_prefix") or "")
    rendered = render(items, prefix=prefix, created=created, key=key, cadence="immediate")
    subs = [s for s in subscribers.active(ctx.store, ctx.settings, sync=not dry_run)
            if s.cadence == "immediate"]
    built = Built(key, "immediate", ids, rendered,
                  _outgoing(ctx, items, subs, key, "immediate", created))
    if not dry_run:
        try:
            _record(ctx, built, created)
        except stored_digests.Raced:
            return build(ctx, now=now)  # only the events still undigested
        write_archive(ctx)
    return built


def build_daily(ctx: Context, *, force: bool = False, dry_run: bool = False,
                now: datetime | None = None) -> list[Built]:
    """Daily subscribers whose cron time has come get everything digested since their
    last daily digest. Subscribers with the same pending events share one digest."""
    store = ctx.store
    now = now or datetime.now(UTC)
    expr = str(ctx.settings.digest.get("cron") or "0 7 * * *")
    tz = str(ctx.settings.digest.get("timezone") or "UTC")
    subs = [s for s in subscribers.active(store, ctx.settings, sync=not dry_run)
            if s.cadence == "daily"]
    if not subs:
        return []
    top = stored_digests.top_digested_event(store)
    groups: dict[tuple[int, ...], list[Any]] = {}
    cursor: dict[str, int] = {}
    rows_by_id: dict[int, dict[str, Any]] = {}
    for sub in subs:
        anchor = subscriber_rows.daily_anchor(store, sub.email)
        if not force and not daily_due(expr, anchor, now, tz):
            continue
        start = sub.last_event_id or 0
        rows = [r for r in store.events(since_id=start) if r["digest_id"] is not None
                and r["id"] <= top and sub.wants(r["figure"])]
        for r in rows:
            rows_by_id[r["id"]] = r
        cursor[sub.email] = top
        groups.setdefault(tuple(r["id"] for r in rows), []).append(sub)
    out = []
    created = now
    prefix = str(ctx.settings.digest.get("subject_prefix") or "")
    for ids, members in groups.items():
        if not ids:
            continue
        items = items_for(ctx, [rows_by_id[i] for i in ids])
        key = digest_key("daily", ids)
        rendered = render(items, prefix=prefix, created=created, key=key, cadence="daily")
        built = Built(key, "daily", list(ids), rendered,
                      _outgoing(ctx, items, members, key, "daily", created))
        if not dry_run:
            _record(ctx, built, created, {m.email: cursor.pop(m.email) for m in members})
        out.append(built)
    if cursor and not dry_run:  # due subscribers with nothing new: just move their clock
        stored_digests.move_cursors(store, cursor, created.replace(microsecond=0).isoformat())
    if out and not dry_run:
        write_archive(ctx)
    return out


def after_run(ctx: Context) -> None:
    """Called by the pipeline after every run: the immediate digest, any daily digests
    whose time has come, the archive, then every due delivery (retries included)."""
    _cycle(ctx, force_daily=False)


def run_daily(ctx: Context) -> None:
    """The daemon's digest.cron job: every daily subscriber's digest now, then delivery."""
    _cycle(ctx, force_daily=True)


def _cycle(ctx: Context, *, force_daily: bool) -> None:
    try:
        built = build(ctx)
        daily = build_daily(ctx, force=force_daily)
        # restatements, corroborations and history are shown in the archive too,
        # though no digest is built for them
        if built is None and not daily and archive_stale(ctx):
            write_archive(ctx)
        report = deliver_pending(ctx)
        if report.sent or report.retry or report.failed:
            log.info("delivery: %d sent, %d to retry, %d failed", len(report.sent),
                     len(report.retry), len(report.failed))
    except FigmonError as exc:  # the run's data is committed; delivery resumes next run
        log.error("digest: %s", exc)
