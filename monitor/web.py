"""`figmon serve`: the archive live in a browser, an Atom feed, a JSON API, /metrics
and one-click unsubscribe.  A Starlette app run by uvicorn.

Read-only on the data: every request reads through a per-thread connection
opened with ``PRAGMA query_only``; only /unsubscribe opens a writable one.
Pages are the Jinja2 templates under templates/web/ (autoescaped, no scripts
needed); bad query parameters are answered 400 with a message, never 500.
"""

from __future__ import annotations

import json
import logging
import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlencode

from markupsafe import Markup, escape
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from . import atom
from .charts import ChartPoint, sparkline_svg, timeline_svg
from .context import RuleSet, figures_of
from .digest import change_words, env, highlight, value_words
from .match import near_miss_groups
from .metrics import CONTENT_TYPE, exposition
from .models import SHARE_TRACK, Value, clean_number, track_kind
from .pipeline import status_report
from .store import Store, date_key
from .subscribers import token_owner, unsubscribe_by_token

if TYPE_CHECKING:
    from .config import Settings

log = logging.getLogger("figmon.web")

PAGE_EVENTS = 50  # events on one /events page
MAX_LIMIT = 1000  # the most rows one request may ask for
TABLE_ROWS = 200  # observations listed on a figure page, newest first
CHART_POINTS = 400  # marks on a figure's chart; a longer timeline is thinned
SEARCH_PAGE = 20
MAX_QUERY = 300  # characters of a search query
MARKS = ("\x02", "\x03")  # snippet highlight markers: never in article text


class BadRequest(HTTPException):
    def __init__(self, detail: str) -> None:
        super().__init__(400, detail)


# --- query parameters -----------------------------------------------------------

def _day(request: Request, name: str) -> str | None:
    raw = request.query_params.get(name, "").strip()
    if not raw:
        return None
    try:
        if len(raw) != 10:
            raise ValueError(raw)
        return date.fromisoformat(raw).isoformat()
    except ValueError:
        raise BadRequest(f"'{name}={raw}' is not a date: write it as YYYY-MM-DD, "
                         "e.g. 2025-08-15") from None


def _int(request: Request, name: str, default: int | None, least: int,
         most: int | None = None) -> int | None:
    raw = request.query_params.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise BadRequest(f"'{name}={raw}' is not a whole number") from None
    if value < least or (most is not None and value > most):
        span = f"from {least} to {most}" if most is not None else f"{least} or more"
        raise BadRequest(f"'{name}={raw}' is out of range: use {span}")
    return value


def _globs(request: Request) -> list[str]:
    out = [g.strip() for g in request.query_params.getlist("figure") if g.strip()]
    for g in out:
        if len(g) > 200:
            raise BadRequest("'figure' is too long: give a figure id or a glob such as "
                             "dprk-troops*")
    return out


def _span(request: Request) -> tuple[str | None, str | None]:
    since, until = _day(request, "since"), _day(request, "until")
    if since and until and since > until:
        raise BadRequest(f"'since={since}' is after 'until={until}': swap them")
    return since, until


# --- the app ----------------------------------------------------------------------

class Web:
    """Shared state of the app: settings, rules and a read-only connection per thread."""

    def __init__(self, settings: Settings, rules: RuleSet | None) -> None:
        self.settings = settings
        self.rules = rules
        self.describe = atom.describer(rules)
        self._local = threading.local()  # each worker thread's read-only connection
        self._lock = threading.Lock()
        self.status_cache: tuple[str, str] = ("", "")  # (what it was built from, JSON)
        # Open (creating and migrating) once here, so a bad database fails at start.
        with self.writer() as store:
            self.instance_id = store.meta("instance_id") or ""

    def reader(self) -> Store:
        store: Store | None = getattr(self._local, "store", None)
        if store is None:
            store = Store.open(self.settings.database)
            store.read_only()  # this server only reads
            self._local.store = store
        return store

    @contextmanager
    def writer(self) -> Iterator[Store]:
        """A writable connection for the one write the server makes (unsubscribe)."""
        store = Store.open(self.settings.database)
        try:
            yield store
        finally:
            store.close()

    def figure_ids(self, store: Store) -> list[str]:
        return list(dict.fromkeys([*figures_of(self.rules).keys(),
                                   *store.figure_ids()]))

    def page(self, request: Request, template: str, status: int = 200,
             **ctx: Any) -> HTMLResponse:
        root = request.scope.get("root_path", "").rstrip("/")
        html = env().get_template(f"web/{template}").render(
            root=root, path=request.url.path,
            fig_url=lambda f: f"{root}/figures/{quote(f)}",
            **ctx)
        return HTMLResponse(html, status_code=status)


def _figure_of(request: Request, hint: str) -> tuple[Web, Store, str]:
    """The app, a reader and the figure the path names; 404 for an unknown figure."""
    web: Web = request.app.state.web
    store = web.reader()
    fid = request.path_params["fid"]
    if fid not in web.figure_ids(store):
        raise HTTPException(404, f"no figure '{fid}': {hint}")
    return web, store, fid


def _value(d: dict[str, Any] | None) -> Value | None:
    return Value(d["low"], d["high"], d["qualifier"]) if d else None


def _words(d: dict[str, Any] | None, kind: str) -> str:
    v = _value(d)
    return value_words(v, kind) if v else "—"


# --- pages ----------------------------------------------------------------------------

def index(request: Request) -> Response:
    web: Web = request.app.state.web
    store = web.reader()
    rows: list[dict[str, Any]] = []
    for fid in web.figure_ids(store):
        title, kind = web.describe(fid)
        s = store.figure_summary(fid)
        if s is None:  # a rule with no observation yet: listed, with nothing to show
            rows.append({"id": fid, "title": title, "current": None, "claimant": None,
                         "published": "", "articles": 0, "observations": 0, "tracks": 0,
                         "last": None, "spark": "", "sort": "", "last_id": 0})
            continue
        last = s["last_event"]
        trend = [v for v in (_value(t) for t in s["trend"]) if v is not None]
        rows.append({
            "id": fid, "title": title,
            "current": _words(s["value"], track_kind(kind, s["track"] or "")),
            "claimant": s["claimant"], "published": (s["published"] or "")[:10],
            "articles": s["articles"], "observations": s["observations"],
            "tracks": len(s["tracks"]),
            "last": None if last is None else {
                "kind": last["kind"], "published": (last["published"] or "")[:10],
                "words": change_words(_value(last["old"]), _value(last["new"]) or Value(
                    None, None, "exact"), kind)},
            "spark": sparkline_svg(trend) if len(trend) > 1 else "",
            "sort": date_key(last["published"]) if last else "",
            "last_id": last["id"] if last else 0,
        })
    rows.sort(key=lambda r: (r["sort"], r.get("last_id", 0)), reverse=True)
    return web.page(request, "index.html", figures=rows)


def figure(request: Request) -> Response:
    web, store, fid = _figure_of(request, "see the list of figures")
    title, kind = web.describe(fid)
    summary = store.figure_summary(fid)
    tracks = summary["tracks"] if summary else {}
    track = request.query_params.get("track")
    if track is not None and track != "" and track not in tracks:
        valid = ", ".join(sorted(tracks)) or "none (this figure is not tracked by claimant)"
        raise BadRequest(f"'track={track}' is not a claimant track of {fid}: valid tracks "
                         f"are {valid}")
    since, until = _span(request)
    # the shares a count figure keeps have an axis of their own: chart its counts
    chart_track = track or ("" if any(t.startswith(SHARE_TRACK) for t in tracks) else None)
    chart_kind = track_kind(kind, track or "")
    values = store.timeline_values(fid, track=chart_track, since=since, until=until)
    points = []
    for n, (published, low, high, qualifier, event) in enumerate(values):
        # a long timeline is thinned to about CHART_POINTS marks, keeping every event
        if len(values) > CHART_POINTS and not event and n != len(values) - 1 \
                and n % -(-len(values) // CHART_POINTS):
            continue
        try:
            day = date.fromisoformat((published or "")[:10])
        except ValueError:
            continue
        v = Value(clean_number(low), clean_number(high), qualifier)
        points.append(ChartPoint(day, v, f"{day.isoformat()}: {value_words(v, chart_kind)}"))
    shown = []
    for r in store.timeline(fid, track=track or None, since=since, until=until,
                            newest_first=True, limit=TABLE_ROWS):
        shown.append(dict(r, words=value_words(Value(r["low"], r["high"], r["qualifier"]),
                                               track_kind(kind, r["track"] or "")),
                          quote_html=highlight(r["quote"] or "", r["surface"] or ""),
                          day=(r["published"] or "")[:10]))
    current = None
    if values:
        _, low, high, qualifier, _ = values[-1]
        current = value_words(Value(clean_number(low), clean_number(high), qualifier),
                              chart_kind)
    return web.page(request, "figure.html", id=fid, title=title, kind=kind, rows=shown,
                    total=len(values), chart=timeline_svg(points, chart_kind), current=current,
                    charted=len(points),
                    tracks=sorted(tracks.items(), key=lambda t: t[1].lower()),
                    track=track or "", since=since or "", until=until or "",
                    filtered=bool(track or since or until))


def _event_rows(web: Web, events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for e in events:
        title, kind = web.describe(e["figure"])
        new = _value(e["new"]) or Value(None, None, "exact")
        outlet = e.get("outlet") or e.get("source") or ""
        kind = track_kind(kind, e.get("track") or "")
        out.append(dict(e, figure_title=title, words=change_words(_value(e["old"]), new, kind),
                        outlet=outlet, day=(e["published"] or "")[:10],
                        quote_html=highlight(e.get("quote") or "", e.get("surface") or "")))
    return out


def events_page(request: Request) -> Response:
    web: Web = request.app.state.web
    store = web.reader()
    globs = _globs(request)
    since, until = _span(request)
    before = _int(request, "before", None, 1)
    limit = _int(request, "limit", PAGE_EVENTS, 1, MAX_LIMIT) or PAGE_EVENTS
    rows = store.events(globs=globs, published_since=since, published_until=until,
                        before_id=before, newest_first=True, limit=limit + 1)
    more = len(rows) > limit
    rows = rows[:limit]
    query = {"figure": globs, "since": since or "", "until": until or ""}
    older = (urlencode({**query, "before": rows[-1]["id"]}, doseq=True)
             if more and rows else "")
    feed = urlencode({k: v for k, v in query.items() if v}, doseq=True)
    return web.page(request, "events.html", events=_event_rows(web, rows),
                    figures=[(f, web.describe(f)[0]) for f in web.figure_ids(store)],
                    chosen=globs[0] if len(globs) == 1 else "", since=since or "",
                    until=until or "", older=older, feed=feed)


def events_atom(request: Request) -> Response:
    web: Web = request.app.state.web
    store = web.reader()
    globs = _globs(request)
    since, until = _span(request)
    limit = _int(request, "limit", atom.FEED_SIZE, 1, MAX_LIMIT) or atom.FEED_SIZE
    rows = store.events(globs=globs, published_since=since, published_until=until,
                        newest_first=True, limit=limit)
    # behind a proxy the address people use is serve.public_url, not the one asked here
    public = str(web.settings.serve_options().get("public_url") or "").rstrip("/")
    base = public or str(request.base_url).rstrip("/")
    query = f"?{request.url.query}" if request.url.query else ""
    text = atom.render_feed(
        rows, instance_id=web.instance_id or "00000000-0000-0000-0000-000000000000",
        name=f"web{query}", title="figmon: figure events" + (
            f" ({', '.join(globs)})" if globs else ""),
        self_url=f"{base}/events.atom{query}", home_url=f"{base}/events{query}",
        figure_url=lambda f: f"{base}/figures/{quote(f)}", describe=web.describe)
    return Response(text, media_type="application/atom+xml; charset=utf-8")


def articles(request: Request) -> Response:
    web: Web = request.app.state.web
    store = web.reader()
    q = request.query_params.get("q", "").strip()
    if len(q) > MAX_QUERY:
        raise BadRequest(f"the search is {len(q)} characters long: use at most {MAX_QUERY}")
    page = _int(request, "page", 1, 1, 1000) or 1
    hits: list[dict[str, Any]] = []
    if q:
        hits = store.search(q, SEARCH_PAGE + 1, offset=(page - 1) * SEARCH_PAGE, marks=MARKS)
    more = len(hits) > SEARCH_PAGE
    hits = hits[:SEARCH_PAGE]
    figs = store.article_figures(h["id"] for h in hits)
    results = []
    for h in hits:
        snippet = escape(h["snippet"] or "")
        snippet = Markup(str(snippet).replace(MARKS[0], "<mark>").replace(MARKS[1], "</mark>"))
        results.append(dict(h, snippet_html=snippet, day=(h["published"] or "")[:10],
                            figures=[(f, web.describe(f)[0]) for f in figs.get(h["id"], [])]))
    return web.page(request, "articles.html", q=q, results=results, page=page,
                    next_page=urlencode({"q": q, "page": page + 1}) if more else "",
                    prev_page=urlencode({"q": q, "page": page - 1}) if page > 1 else "")


def unmatched(request: Request) -> Response:
    """Near misses, grouped by the noun they count, as `figmon unmatched` lists them."""
    web: Web = request.app.state.web
    since, _ = _span(request)
    groups = near_miss_groups(web.reader().near_misses(published_since=since))
    if request.url.path.startswith("/api/"):
        return JSONResponse(groups)
    return web.page(request, "unmatched.html", groups=groups, since=since or "", until="")


def unsubscribe(request: Request) -> Response:
    web: Web = request.app.state.web
    token = request.query_params.get("t", "").strip()
    if not token:
        raise BadRequest("this address needs the token from your digest's unsubscribe link "
                         "(…/unsubscribe?t=…): open the link from the mail")
    if request.method == "POST":
        with web.writer() as store:
            owner = unsubscribe_by_token(store, token)
        if owner is None:
            return web.page(request, "unsubscribe.html", state="invalid", status=400)
        log.info("unsubscribed %s (one-click)", owner.email)
        return web.page(request, "unsubscribe.html",
                        state="already" if owner.unsubscribed else "done", email=owner.email)
    owner = token_owner(web.reader(), token)
    if owner is None:
        return web.page(request, "unsubscribe.html", state="invalid", status=400)
    return web.page(request, "unsubscribe.html",
                    state="already" if owner.unsubscribed else "confirm", email=owner.email,
                    action=f"{request.url.path}?{urlencode({'t': token})}")


# --- JSON -------------------------------------------------------------------------------

def _json(data: Any, status: int = 200) -> Response:
    return Response(json.dumps(data, ensure_ascii=False), status_code=status,
                    media_type="application/json")


def api_figures(request: Request) -> Response:
    web: Web = request.app.state.web
    store = web.reader()
    out = []
    for fid in web.figure_ids(store):
        title, kind = web.describe(fid)
        s = store.figure_summary(fid) or {"figure": fid, "value": None, "observations": 0}
        out.append({**s, "title": title, "kind": kind})
    return _json(out)


def api_timeline(request: Request) -> Response:
    _, store, fid = _figure_of(request, "GET /api/figures lists them")
    since, until = _span(request)
    track = request.query_params.get("track")
    return _json(store.timeline(fid, track=track, since=since, until=until))


def api_events(request: Request) -> Response:
    store = request.app.state.web.reader()
    since, until = _span(request)
    rows = store.events(globs=_globs(request), published_since=since, published_until=until,
                        since_id=_int(request, "after", None, 0),
                        limit=_int(request, "limit", MAX_LIMIT, 1, MAX_LIMIT))
    return _json(rows)


def status(request: Request) -> Response:
    web: Web = request.app.state.web
    store = web.reader()
    # Agreement counts read every observation (seconds on a large database), so the
    # report is kept until a run changes what it is built from.
    key = json.dumps([store.counts(), store.health(), store.newest_observation()[0]],
                     sort_keys=True)
    with web._lock:
        cached = web.status_cache if web.status_cache[0] == key else None
    if cached is None:
        report = status_report(store, web.rules)
        for s in report["sources"]:
            s.pop("state", None)  # fetch bookkeeping, as in `figmon status --json`
        cached = (key, json.dumps(report, ensure_ascii=False))
        with web._lock:
            web.status_cache = cached
    return Response(cached[1], media_type="application/json")


def metrics(request: Request) -> Response:
    return Response(exposition(request.app.state.web.reader().health()),
                    media_type=CONTENT_TYPE)


# --- errors -------------------------------------------------------------------------------

def _wants_json(request: Request) -> bool:
    path = request.url.path
    return path.startswith("/api/") or path in ("/status", "/metrics")


async def http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    detail = exc.detail or "error"
    if exc.status_code == 404 and detail == "Not Found":
        detail = f"there is no page at {request.url.path}"
    if _wants_json(request):
        return JSONResponse({"error": detail, "status": exc.status_code},
                            status_code=exc.status_code, headers=exc.headers)
    web: Web = request.app.state.web
    return web.page(request, "error.html", status=exc.status_code, code=exc.status_code,
                    message=detail)


async def server_error(request: Request, exc: Exception) -> Response:
    log.error("%s %s failed: %s: %s", request.method, request.url.path,
              type(exc).__name__, exc, exc_info=log.isEnabledFor(logging.DEBUG))
    return Response("figmon: internal error; the server log has the details\n",
                    status_code=500, media_type="text/plain")


def create_app(settings: Settings, *, rules: RuleSet | None = None) -> Starlette:
    """The ASGI app over ``settings.database``; ``rules`` give titles and kinds
    (ids stand in when None)."""
    web = Web(settings, rules)
    get = ["GET", "HEAD"]
    routes = [
        Route("/", index, methods=get),
        Route("/index.html", lambda r: RedirectResponse(f"{r.scope.get('root_path', '')}/"),
              methods=get),
        Route("/figures/{fid:path}", figure, methods=get),
        Route("/events", events_page, methods=get),
        Route("/events.atom", events_atom, methods=get),
        Route("/articles", articles, methods=get),
        Route("/unmatched", unmatched, methods=get),
        Route("/api/unmatched", unmatched, methods=get),
        Route("/unsubscribe", unsubscribe, methods=["GET", "HEAD", "POST"]),
        Route("/api/figures", api_figures, methods=get),
        Route("/api/figures/{fid:path}/timeline", api_timeline, methods=get),
        Route("/api/events", api_events, methods=get),
        Route("/status", status, methods=get),
        Route("/metrics", metrics, methods=get),
    ]
    handlers: dict[Any, Callable[..., Any]] = {HTTPException: http_error, 500: server_error}
    app = Starlette(routes=routes, exception_handlers=handlers)
    app.state.web = web
    return app


def announce(host: str, port: int) -> list[str]:
    """What `figmon serve` prints on start: the address, and a warning off loopback."""
    shown = f"[{host}]" if ":" in host else host
    lines = [f"figmon serving http://{shown}:{port}/ (Ctrl-C stops it)"]
    if host not in ("127.0.0.1", "localhost", "::1"):
        lines.append(f"note: listening on {host}, not only this machine: the pages have no "
                     "authentication beyond the unsubscribe tokens; put a proxy with a "
                     "login in front if the data is private")
    return lines


def run_in_foreground(srv: Any) -> None:
    """Run until SIGINT/SIGTERM and return normally (exit 0), as the daemon does.

    uvicorn handles the signal, shuts down gracefully, then raises the same signal
    again against the handlers found before it started; no-op ones make that last
    step a plain return instead of a KeyboardInterrupt or a kill."""
    previous = {sig: signal.signal(sig, lambda *_: None)
                for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        srv.run()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def server(settings: Settings, *, host: str, port: int, rules: RuleSet | None = None
           ) -> Any:
    """A uvicorn Server for the app (``.run()`` blocks; ``.should_exit = True`` stops it)."""
    import uvicorn

    config = uvicorn.Config(create_app(settings, rules=rules), host=host, port=port,
                            log_level="warning", access_log=False, lifespan="off",
                            server_header=False)
    return uvicorn.Server(config)
