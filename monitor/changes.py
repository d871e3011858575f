"""Figure state → events.

A figure (per track, when its rule tracks claimants separately) has a timeline
of stored observations.  Its current value is the observation with the latest
publication date; ties go to the one that arrived later.  When an observation
arrives:

- nothing earlier in its track → ``new`` (or ``changed`` from X to Y when the
  sentence itself says "grew from X to Y");
- dated at or after the current value and different beyond the rule's
  thresholds from the value last reported in an event → ``changed`` (old = that
  value, or the X of "from X to Y").  Comparing with the last reported value
  means several small steps, each under the threshold, still add up to an alert;
- the same value again (within the thresholds) → corroboration: stored and
  counted, no event;
- dated before the current value → history: stored, no event;
- different, but only restating the value subscribers last heard → ``restated``
  (recorded and shown in the archive, never mailed on its own; see ``restates``).

Events are tied to their observation (unique), and observations to their
article, so re-ingesting or re-running can never fire twice.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Protocol

from .articles import document_url
from .models import SHARE_TRACK, Event, Observation, Value, clean_number
from .store import Store

if TYPE_CHECKING:
    from .claimants import Aliases

# Qualifiers with the same interval shape are compared by their bounds;
# a different shape ("about 10,000" vs "more than 10,000") is a change.
SHAPES = {"exact": "point", "approx": "point", "more_than": "lower", "at_least": "lower",
          "up_to": "upper", "less_than": "upper", "range": "range"}
_EPS = 1e-12


class FigureLike(Protocol):
    """What change detection needs from a rule's figure (monitor.rules.Figure)."""

    @property
    def id(self) -> str: ...
    @property
    def min_relative(self) -> float | None: ...
    @property
    def min_absolute(self) -> float | None: ...
    @property
    def per_claimant(self) -> bool: ...


def track_of(figure: FigureLike | None, obs: Observation, aliases: Aliases | None = None
             ) -> str:
    """The timeline an observation belongs to: per claimant only when the rule asks,
    keyed on the claimant's canonical name when ``aliases`` are given; the shares a
    count figure keeps go on tracks of their own."""
    share = SHARE_TRACK if getattr(figure, "shares", False) and (
        obs.track.startswith(SHARE_TRACK) or obs.unit == "%") else ""
    if not getattr(figure, "per_claimant", False):
        return share
    if aliases is not None and obs.claimant:
        claim = aliases.canonical(obs.claimant) or obs.claimant
    else:
        claim = obs.track.removeprefix(SHARE_TRACK).strip() or obs.claimant or ""
    return f"{share} {claim}".strip()


def rekey_tracks(store: Store, figures: Mapping[str, Any], aliases: Aliases) -> int:
    """Rename per-claimant tracks stored under another spelling ("зеленский", from before
    the claimant table knew the name) to their canonical name, merging tracks that turn
    out to be one claimant.  Returns how many tracks moved."""
    moved = 0
    for figure, track in store.tracks():
        if not track or track == "unattributed" \
                or not getattr(figures.get(figure), "per_claimant", False):
            continue
        canon = aliases.canonical(track)
        if canon and canon != track:
            store.rename_track(figure, track, canon)
            moved += 1
    return moved


def _bound_moved(old: float | None, new: float | None, min_relative: float,
                 min_absolute: float) -> bool:
    if old is None or new is None:
        return (old is None) != (new is None)
    diff = abs(new - old)
    if diff == 0:
        return False
    # Every threshold the rule sets must be reached ("at least 5% and at least 500").
    if min_absolute and diff < min_absolute - _EPS:
        return False
    if min_relative:
        base = abs(old)
        if base and diff / base < min_relative - _EPS:
            return False
    return True


def differs(old: Value, new: Value, figure: FigureLike | None = None) -> bool:
    """True when ``new`` is a change from ``old`` under the figure's thresholds."""
    if SHAPES.get(old.qualifier, old.qualifier) != SHAPES.get(new.qualifier, new.qualifier):
        return True
    rel = float(getattr(figure, "min_relative", None) or 0.0)
    absolute = float(getattr(figure, "min_absolute", None) or 0.0)
    return (_bound_moved(old.low, new.low, rel, absolute)
            or _bound_moved(old.high, new.high, rel, absolute))


def _stated(v: Value) -> list[float]:
    """The numbers a value actually names: its one number, its bound, or both range ends."""
    return [float(n) for n in dict.fromkeys((v.low, v.high)) if n is not None]


def _contains(outer: Value, inner: Value) -> bool:
    """Does the range ``outer`` hold every number ``inner`` names?"""
    if outer.low is None or outer.high is None or outer.low == outer.high:
        return False
    nums = _stated(inner)
    return bool(nums) and all(outer.low - _EPS <= n <= outer.high + _EPS for n in nums)


def restates(old: Value, new: Value, figure: FigureLike | None = None) -> bool:
    """True when ``new`` differs from ``old`` only in its wording.

    Two cases, both taken from how outlets retell a figure:

    - the same number(s) under another qualifier, within the rule's thresholds:
      "about 10,000" → "more than 10,000", "about 1.2 million" → "over 1.2 million";
    - a range that still contains the old value: "up to 13,000" → "12,000–14,000",
      "about 50" → "50–100", "11,000–12,000" → "10,000–13,000".

    A new point inside an old range ("11,000–12,000" → "about 11,500") is a
    refinement and stays a change, as does any number that moved.
    """
    if not differs(old, new, figure):
        return False
    a, b = _stated(old), _stated(new)
    rel = float(getattr(figure, "min_relative", None) or 0.0)
    absolute = float(getattr(figure, "min_absolute", None) or 0.0)
    if len(a) == len(b) and all(not _bound_moved(x, y, rel, absolute)
                                for x, y in zip(sorted(a), sorted(b), strict=True)):
        return True
    return _contains(new, old)


def _row_value(row: dict[str, Any], prefix: str = "") -> Value | None:
    qualifier = row[f"{prefix}qualifier"]
    if qualifier is None:
        return None
    return Value(clean_number(row[f"{prefix}low"]), clean_number(row[f"{prefix}high"]),
                 qualifier)


def detect_stored(store: Store, figure: FigureLike | None, obs_id: int, *, figure_id: str,
                  track: str, dated: str, published: str | None, article: str, new: Value,
                  previous: Value | None) -> Event | None:
    """The event that observation ``obs_id``, just stored by the ingest writer, raises
    (or None).  Only observations that arrived before it count as known, so the answer
    does not depend on what arrived later.  Worked out from what the writer wrote
    (values as the database gives them back) and the track state it keeps
    (``store.head``, ``store.last_heard``; inside ``store.writing()``), so nothing is
    read back.  Moves the track's current value on to this observation when due."""
    current = store.head(figure_id, track, obs_id)
    place = (dated, obs_id)

    def baseline() -> Value | None:
        heard = store.last_heard(figure_id, track)
        return heard if heard is not None else current[2] if current else None

    verdict = judge(figure, new, previous, place,
                    None if current is None else (current[0], current[1]), baseline)
    store.advance(figure_id, track, dated, obs_id, new)
    if verdict is None:
        return None
    return Event(figure=figure_id, kind=verdict[0], old=verdict[1], new=new, article=article,
                 published=published, track=track, observation_id=obs_id)


def judge(figure: FigureLike | None, new: Value, previous: Value | None,
          place: tuple[str, int], current: tuple[str, int] | None,
          baseline: Callable[[], Value | None]) -> tuple[str, Value | None] | None:
    """(kind, old value) of the event an observation raises, or None: ``place`` is its
    (dated, id), ``current`` that of its track's current value before it (None: the
    track was empty), ``baseline`` the value to compare with (asked only when needed)."""
    if current is None:
        return ("changed", previous) if previous else ("new", None)
    if place < current:
        return None  # older news: history only
    # Compare with the value subscribers last heard of, so that small steps
    # that each stay under the threshold still add up to an alert.
    base = baseline()
    assert base is not None
    if not differs(base, new, figure):
        return None  # corroboration
    if previous is None and restates(base, new, figure):
        return ("restated", base)
    return ("changed", previous or base)


def agreeing(rows: list[dict[str, Any]], figure: FigureLike | None = None) -> int:
    """How many distinct documents in a track's timeline (``rows`` ordered by date,
    then arrival) report the same value as its current one."""
    if not rows:
        return 0
    current = _row_value(rows[-1])
    assert current is not None
    return agreeing_with(rows, current, figure)


def agreeing_with(rows: list[dict[str, Any]], value: Value, figure: FigureLike | None = None,
                  besides: dict[str, Any] | None = None) -> int:
    """Distinct documents among ``rows`` whose value does not differ from ``value``,
    leaving out the one ``besides`` comes from.  Revisions of one watched page are
    one document: a page re-read is not a second source."""
    own = document_url(besides["article"]) if besides is not None else None
    return len({document_url(r["article"]) for r in rows if (v := _row_value(r)) is not None
                and not differs(value, v, figure)} - {own})
