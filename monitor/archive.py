"""The reports/ archive: the index, one page per figure, and the digest pages.

The pieces every rendered page shares (the Jinja2 environment, quote
highlighting, links, file names, whole-file writes) are in monitor/pages.py and
re-exported here.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import atom
from .aliases import aliases_for
from .charts import NARROW, WIDE, ChartPoint, sparkline_svg, timeline_svg, track_legend
from .claimants import Aliases
from .errors import StoreError
from .models import Value, clean_number, track_kind
from .pages import (
    env,
    file_slug,
    highlight,
    inline_css,
    safe_href,
    source_link,
    write_text,
)
from .store import digests as stored_digests
from .words import change_sentence, difference, short_date, value_words

__all__ = ["env", "file_slug", "highlight", "inline_css", "safe_href", "source_link",
           "write_text"]

if TYPE_CHECKING:
    from .context import Context

def figure_info(ctx: Context, fig_id: str, track: str = "") -> tuple[str, str, str]:
    """(title, kind, unit label) of a figure's track; the id stands in when the rule
    is gone.  The shares a count figure keeps are percent, "% of the missiles"."""
    fig = ctx.rules.figures.get(fig_id)
    if fig is None:
        return fig_id, "count", ""
    kind = track_kind(str(getattr(fig, "kind", "count") or "count"), track)
    label = str(getattr(fig, "unit_label", "") or "")
    if kind != getattr(fig, "kind", kind):
        label = f"of the {label}" if label else ""
    if kind == "percent":
        label = label.lstrip("%").strip()  # "% of ammunition" → "40% of ammunition"
    return str(getattr(fig, "title", fig_id) or fig_id), kind, label


def aliases(ctx: Context) -> Aliases:
    """The canonical claimant names of the context's rules folder."""
    rules_dir = getattr(ctx.settings, "rules", None)
    return aliases_for(rules_dir) if rules_dir is not None else Aliases()


def digest_page(created: datetime, cadence: str, key: str) -> str:
    """A digest's page, relative to reports/ (also its "view online" address)."""
    stamp = created.replace(microsecond=0).isoformat()
    return f"digests/{stamp[:10]}-{cadence}-{key[:12]}.html"


# --- the archive --------------------------------------------------------------------

def _day(text: str | None) -> date | None:
    try:
        return date.fromisoformat((text or "")[:10])
    except ValueError:
        return None


def row_value(r: Mapping[str, Any]) -> Value:
    """A stored observation row's value."""
    return Value(clean_number(r["low"]), clean_number(r["high"]), r["qualifier"])


def write_archive(ctx: Context) -> Path:
    """(Re)write reports/: any missing digest page, one page per figure, the index and
    the Atom feed of events."""
    root = ctx.settings.reports
    store = ctx.store
    e = env()
    try:
        digests = stored_digests.for_archive(store)
        for d in digests:
            page = root / (d["path"] or f"digests/{d['key']}.html")
            if not page.exists():
                write_text(page, d["html"] or "")
        figure_ids = list(dict.fromkeys(
            [*ctx.rules.figures.keys(), *store.figure_ids()]))
        figures = []
        for fid in figure_ids:
            info = figure_page(ctx, fid)
            write_text(root / "figures" / f"{file_slug(fid)}.html",
                       e.get_template("figure.html").render(info))
            figures.append(info)
        # the figures that moved most recently first; figures never seen last
        figures.sort(key=lambda f: (f["changed_on"] or "", f["last"] or ""), reverse=True)
        write_text(root / "index.html", e.get_template("index.html").render(
            digests=[dict(d, n_events=len(json.loads(d["events"] or "[]"))) for d in digests],
            figures=figures, slug=file_slug,
            generated=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")))
        atom.write_archive_feed(ctx, root)  # reports/events.atom
    except OSError as exc:
        raise StoreError(f"cannot write the reports archive under {root}: {exc}",
                         "check 'reports:' in figmon.yaml and the folder's permissions"
                         ) from exc
    return root / "index.html"


def archive_stale(ctx: Context) -> bool:
    """Has an observation arrived since reports/index.html was written (or is it missing)?"""
    index = ctx.settings.reports / "index.html"
    try:
        written = datetime.fromtimestamp(index.stat().st_mtime, UTC).replace(microsecond=0)
    except OSError:
        return True
    newest = ctx.store.newest_observation()[1]
    return bool(newest) and str(newest) >= written.isoformat()


def figure_page(ctx: Context, fid: str) -> dict[str, Any]:
    """Everything figure.html (and the index row) shows about one figure."""
    title, kind, label = figure_info(ctx, fid)
    names = aliases(ctx)
    rows = ctx.store.timeline(fid)  # oldest first
    events = {ev["observation_id"]: ev for ev in ctx.store.events(figures=[fid])}
    obs: list[dict[str, Any]] = []
    points = []
    for r in rows:
        v = row_value(r)
        own = track_kind(kind, r["track"] or "")  # shares a count figure keeps are percent
        words = value_words(v, own)
        who = names.canonical(r["claimant"])
        href, link = source_link(r["article"], r["title"], r["source"])
        obs.append(dict(r, value=v, words=words, who=who, href=href, link=link, kind=own,
                        quote_html=highlight(r["quote"] or "", r["surface"] or ""),
                        day=short_date(r["published"]) or "undated",
                        track_name=r["track"] and (names.canonical(r["track"]) or r["track"])))
        d = _day(r["published"])
        if d is not None and own == kind:  # a share does not belong on a count's axis
            said = ", ".join(p for p in (who, r["source"]) if p)
            points.append(ChartPoint(d, v, f"{short_date(r['published'])}: {words}"
                                     + (f" — {said}" if said else ""), r["track"] or ""))
    current = None
    changed = None
    main = [o for o in obs if o["kind"] == kind] or obs
    if rows:
        latest = max(main, key=lambda r: ((r["published"] or ""), r["id"]))
        current = {"words": value_words(latest["value"], kind, label), "who": latest["who"],
                   "day": short_date(latest["published"])}
        changed = last_change(main, events, kind, label)
    tracks = {p.track for p in points}
    return {"id": fid, "title": title, "kind": kind, "unit_label": label,
            "rows": list(reversed(obs)), "current": current, "changed": changed,
            "changed_on": changed["published"] if changed else None,
            "chart": timeline_svg(points, kind, WIDE, "chart chart-wide"),
            "chart_narrow": timeline_svg(points, kind, NARROW, "chart chart-narrow"),
            "legend": [(names.canonical(t) or t, c, s) for t, c, s in track_legend(points)]
            if len(tracks) > 1 or "" not in tracks else [],
            "spark": sparkline_svg([o["value"] for o in main[-10:]], kind=kind),
            "count": len(rows), "last": rows[-1]["published"] if rows else None,
            "slug": file_slug}


def last_change(obs: Sequence[dict[str, Any]], events: Mapping[Any, dict[str, Any]],
                kind: str, label: str) -> dict[str, Any] | None:
    """The figure's most recent new/changed event as a sentence: "now X (who, when) —
    was Y (who, when)", with a difference where the two values are comparable."""
    alerts = [(o, events[o["id"]]) for o in obs
              if o["id"] in events and events[o["id"]]["kind"] in ("new", "changed")]
    if not alerts:
        return None
    o, ev = max(alerts, key=lambda a: ((a[0]["published"] or ""), a[0]["id"]))
    old = Value(**ev["old"]) if ev["old"] else None
    before = old_source(obs, o, old)
    sentence = change_sentence(
        value_words(o["value"], kind, label), o["who"], o["published"],
        value_words(old, kind) if old else None,
        before["who"] if before else None, before["published"] if before else None)
    return {"kind": ev["kind"], "sentence": sentence, "published": o["published"],
            "difference": difference(old, o["value"], kind)}


def old_source(obs: Sequence[Mapping[str, Any]], at: Mapping[str, Any], old: Value | None
               ) -> Mapping[str, Any] | None:
    """The observation an event's old value came from: the latest one of its track
    dated before it that states that value."""
    if old is None:
        return None
    best = None
    for o in obs:
        if o["id"] == at["id"] or o["track"] != at["track"]:
            continue
        if (o["published"] or "") <= (at["published"] or "") and o["value"] == old:
            best = o
    return best
