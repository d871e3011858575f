"""The observations table: figure timelines and their tracks."""

from __future__ import annotations

from typing import Any

from ..models import Observation, Value, clean_number
from .base import StoreBase
from .rows import _timeline_where, _value_json, now_iso


class Observations(StoreBase):
    """The observations table: figure timelines and their tracks."""

    def add_observation(self, article_row: int, obs: Observation, *, track: str,
                        dated: str, created_at: str | None = None) -> int | None:
        """Insert an observation; None when (figure, article, start) is already stored."""
        prev = obs.previous
        cur = self._run(
            "INSERT OR IGNORE INTO observations (figure, track, article_id, published,"
            " dated, low, high, qualifier, unit, surface, quote, claimant, relayed, change,"
            " start, [end], prev_low, prev_high, prev_qualifier, created_at)"
            " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (obs.figure, track, article_row, obs.published, dated, obs.low, obs.high,
             obs.qualifier, obs.unit, obs.surface, obs.quote, obs.claimant, obs.relayed,
             obs.change, obs.start, obs.end,
             prev.low if prev else None, prev.high if prev else None,
             prev.qualifier if prev else None, created_at or now_iso()))
        return int(cur.lastrowid or 0) if cur.rowcount else None

    def head(self, figure: str, track: str, obs_id: int) -> tuple[str, int, Value] | None:
        """(dated, id, value) of the track's current value as it stood before ``obs_id``
        arrived (latest by date, ties by arrival), for the ingest writer inside
        ``writing()``: from memory when known (``obs_id`` must
        then be newer than every observation of the track), else from the database."""
        key = (figure, track)
        if key in self.heads:
            return self.heads[key]
        row = self.db.conn.execute(
            "SELECT dated, id, low, high, qualifier FROM observations WHERE figure = ?"
            " AND track = ? AND id < ? ORDER BY dated DESC, id DESC LIMIT 1",
            (figure, track, obs_id)).fetchone()
        found = None if row is None else (row[0], row[1], Value(
            clean_number(row[2]), clean_number(row[3]), row[4]))
        self.heads[key] = found
        return found

    def advance(self, figure: str, track: str, dated: str, obs_id: int, value: Value) -> None:
        """The writer stored observation ``obs_id``: it is the track's current value
        when it is the latest by date (ties: arrival)."""
        key = (figure, track)
        if key not in self.heads:  # not known: read from the database when asked
            return
        now = self.heads[key]
        if now is None or (dated, obs_id) > (now[0], now[1]):
            self.heads[key] = (dated, obs_id, value)

    def track_observations(self, figure: str, track: str) -> list[dict[str, Any]]:
        return list(self.db.query(
            "SELECT o.*, a.url AS article FROM observations o"
            " JOIN articles a ON a.id = o.article_id"
            " WHERE o.figure = ? AND o.track = ? ORDER BY o.dated, o.id", [figure, track]))

    def rename_track(self, figure: str, old: str, new: str) -> None:
        """Move every observation and event of (figure, old) to the track ``new``."""
        with self.atomic():
            for table in ("observations", "events"):
                self.db.execute(f"UPDATE {table} SET track = ? WHERE figure = ? AND track = ?",
                                [new, figure, old])

    def tracks(self) -> list[tuple[str, str]]:
        return [(r[0], r[1]) for r in self.db.execute(
            "SELECT DISTINCT figure, track FROM observations ORDER BY figure, track")]

    def timeline(self, figure: str, *, track: str | None = None, since: str | None = None,
                 until: str | None = None, newest_first: bool = False,
                 limit: int | None = None) -> list[dict[str, Any]]:
        """Every observation of ``figure`` by date (ties: arrival), with its article,
        source, claimant and the event it raised (if any); optionally only one claimant
        ``track``, dates from ``since`` to ``until`` ("YYYY-MM-DD", inclusive), the
        newest first, and at most ``limit`` of them."""
        where, args = _timeline_where(figure, track, since, until)
        order = "o.dated DESC, o.id DESC" if newest_first else "o.dated, o.id"
        if limit is not None:  # pick the ids first: joining every article to sort is slow
            where = (f"o.id IN (SELECT o.id FROM observations o WHERE {where}"
                     f" ORDER BY {order} LIMIT {int(limit)})")
        out = []
        for r in self.db.query(
                "SELECT o.*, a.url AS article, a.title, a.source, a.outlet,"
                " e.kind AS event, e.id AS event_id FROM observations o"
                " JOIN articles a ON a.id = o.article_id"
                " LEFT JOIN events e ON e.observation_id = o.id"
                f" WHERE {where} ORDER BY {order}", args):
            out.append({
                "id": r["id"], "figure": r["figure"], "track": r["track"],
                "published": r["published"], "low": clean_number(r["low"]),
                "high": clean_number(r["high"]), "qualifier": r["qualifier"],
                "previous": _value_json(r["prev_low"], r["prev_high"], r["prev_qualifier"]),
                "unit": r["unit"], "surface": r["surface"], "quote": r["quote"],
                "claimant": r["claimant"], "relayed": r["relayed"],
                "source": r["outlet"] or r["source"], "article": r["article"],
                "title": r["title"], "event": r["event"], "event_id": r["event_id"],
            })
        return out

    def figure_ids(self) -> list[str]:
        """Observed figure ids, sorted.  Walked through the index one id at a time:
        a DISTINCT over every observation would read them all."""
        out: list[str] = []
        row = self.db.execute("SELECT min(figure) FROM observations").fetchone()
        while row is not None and row[0] is not None:
            out.append(row[0])
            row = self.db.execute("SELECT min(figure) FROM observations WHERE figure > ?",
                                  [row[0]]).fetchone()
        return out

    def timeline_values(self, figure: str, *, track: str | None = None,
                        since: str | None = None, until: str | None = None
                        ) -> list[tuple[str | None, Any, Any, str, str | None]]:
        """(published, low, high, qualifier, event kind) of each observation, by date:
        the chart's data, without the article columns `timeline` adds.  Bounds are as
        stored (floats; ``models.clean_number`` makes them ints where whole)."""
        where, args = _timeline_where(figure, track, since, until)
        kinds = dict(self.db.execute(
            "SELECT observation_id, kind FROM events WHERE figure = ?", [figure]).fetchall())
        return [(r[0], r[1], r[2], r[3], kinds.get(r[4])) for r in self.db.execute(
            "SELECT o.published, o.low, o.high, o.qualifier, o.id FROM observations o"
            f" WHERE {where} ORDER BY o.dated, o.id", args)]

    def newest_observation(self) -> tuple[int | None, str | None]:
        """(id, created_at) of the newest observation: whether pages are stale."""
        row = self.db.execute("SELECT max(id), max(created_at) FROM observations").fetchone()
        return row[0], row[1]

    def figure_summary(self, figure: str, trend: int = 8) -> dict[str, Any] | None:
        """One figure at a glance: its latest observation (any track), how many
        observations and distinct articles state it, its claimant tracks (key → the
        claimant as last written), its last event, and the last ``trend`` values of the
        latest observation's track (oldest first).  None when the figure has no
        observation.  Every query here is an index lookup, so the cost does not grow
        with the number of observations."""
        # each claimant track's newest observation, walking the (figure, track) index
        heads: dict[str, tuple[str, int, str | None]] = {}
        key = self.db.execute("SELECT min(track) FROM observations WHERE figure = ?",
                              [figure]).fetchone()[0]
        while key is not None:
            dated, obs_id, who = self.db.execute(
                "SELECT dated, id, claimant FROM observations WHERE figure = ? AND track = ?"
                " ORDER BY dated DESC, id DESC LIMIT 1", [figure, key]).fetchone()
            heads[key] = (dated or "", obs_id, who)
            key = self.db.execute("SELECT min(track) FROM observations WHERE figure = ?"
                                  " AND track > ?", [figure, key]).fetchone()[0]
        if not heads:
            return None
        top = max(heads.values())[1]
        latest = next(self.db.query(
            "SELECT o.*, a.url AS article, a.title, a.outlet, a.source FROM observations o"
            " JOIN articles a ON a.id = o.article_id WHERE o.id = ?", [top]))
        n_obs, n_articles = self.db.execute(
            "SELECT count(*), (SELECT count(*) FROM (SELECT DISTINCT article_id FROM"
            " observations WHERE figure = ?1)) FROM observations WHERE figure = ?1",
            [figure]).fetchone()
        tracks = {k: h[2] or k for k, h in heads.items() if k}
        last = next(self.db.query(
            "SELECT id, kind, published, old_low, old_high, old_qualifier, new_low, new_high,"
            " new_qualifier, article FROM events WHERE figure = ? ORDER BY id DESC LIMIT 1",
            [figure]), None)
        values = [_value_json(r[0], r[1], r[2]) for r in self.db.execute(
            "SELECT low, high, qualifier FROM observations WHERE figure = ? AND track = ?"
            " ORDER BY dated DESC, id DESC LIMIT ?", [figure, latest["track"], trend])]
        return {
            "figure": figure, "track": latest["track"],
            "value": _value_json(latest["low"], latest["high"], latest["qualifier"]),
            "published": latest["published"], "article": latest["article"],
            "claimant": latest["claimant"], "source": latest["outlet"] or latest["source"],
            "observations": int(n_obs), "articles": int(n_articles), "tracks": tracks,
            "last_event": None if last is None else {
                "id": last["id"], "kind": last["kind"], "published": last["published"],
                "old": _value_json(last["old_low"], last["old_high"], last["old_qualifier"]),
                "new": _value_json(last["new_low"], last["new_high"], last["new_qualifier"]),
                "article": last["article"]},
            "trend": [v for v in reversed(values) if v is not None],
        }
