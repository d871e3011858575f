"""Plain data passed between pipeline stages (frozen dataclasses)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

Number = int | float
QUALIFIERS = ("exact", "approx", "more_than", "at_least", "up_to", "less_than", "range")
Qualifier = Literal["exact", "approx", "more_than", "at_least", "up_to", "less_than", "range"]
Lang = Literal["ru", "uk", "en"]
LANGS: tuple[str, ...] = ("ru", "uk", "en")
# A count figure that also records shares of what it counts ("half of the missiles")
# keeps them on a timeline of their own, whose track starts with this.
SHARE_TRACK = "share"


def track_kind(kind: str, track: str) -> str:
    """The kind of the values on one track of a figure of ``kind``."""
    return "percent" if track.startswith(SHARE_TRACK) else kind


def clean_number(x: float | int | None) -> Number | None:
    """Integral floats become ints so JSON shows 10000, not 10000.0."""
    if x is None:
        return None
    if isinstance(x, float) and x.is_integer() and abs(x) < 1e15:
        return int(x)
    return x


@dataclass(frozen=True, slots=True)
class Value:
    """A figure's value: an interval plus how it was qualified."""

    low: Number | None
    high: Number | None
    qualifier: str

    def to_json(self) -> dict[str, Any]:
        return {"low": self.low, "high": self.high, "qualifier": self.qualifier}


@dataclass(frozen=True, slots=True)
class Quantity:
    """One quantity found in text by the rule-free extractor.

    ``role`` and ``link`` describe a change written in one sentence, part by part
    (both None for any other number):

    - ``role="from"``: the value before ("rose from 10,000 to 12,000", "выросла с 10
      до 12 тысяч", "narrowed to 9,500 from 11,000");
    - ``role="to"``: the value reached: the 12,000 there, and "increased to 12,000",
      "увеличилась до 12 тысяч" (exact: "до" after a verb of change is not "up to";
      a hedge stays: "выросла почти до 12 тысяч" is less_than);
    - ``role="delta"``: the amount of change ("grew by 2,000 to 12,000", "вырос на
      2 тысячи до 12 тысяч"); its ``change`` is "up"/"down". A "from" or "to" has no
      ``change`` of its own.

    ``link`` is the ``start`` offset of the other part in the same ``extract()`` list:
    on a "to", its "from" (or, when there is none, its "delta"); on a "from" or
    "delta", its "to". None when the sentence names no other part ("rose to 12,000").
    """

    low: Number | None
    high: Number | None
    qualifier: str
    change: str | None  # "up" | "down" | None
    unit: str | None  # lemma of the counted noun ("солдат", "troop"), "%" for shares
    surface: str  # exact substring of the text
    start: int  # character offsets into the text
    end: int
    kind: str = "count"  # "count" | "percent" | "amount"
    vague: bool = False
    sentence_start: int = 0  # the sentence the quantity sits in
    sentence_end: int = 0
    unit_start: int | None = None  # where the counted noun sits in the text
    unit_end: int | None = None
    # For a range, the hedge in front of it ("about 2,000-2,500" → "approx"), else None.
    range_qualifier: str | None = None
    role: str | None = None  # "from" | "to" | "delta" (see the class docstring)
    link: int | None = None  # ``start`` of the other part of the change

    @property
    def value(self) -> Value:
        return Value(self.low, self.high, self.qualifier)

    def to_json(self) -> dict[str, Any]:
        """The stable public shape used by `figmon quantities`."""
        return {
            "low": self.low,
            "high": self.high,
            "qualifier": self.qualifier,
            "change": self.change,
            "unit": self.unit,
            "surface": self.surface,
            "start": self.start,
            "end": self.end,
            "kind": self.kind,
            "vague": self.vague,
            "role": self.role,
            "link": self.link,
        }


@dataclass(frozen=True, slots=True)
class Article:
    """One news article, whatever format or source it came from."""

    id: str  # stable id: hash of url (or path) — see articles.article_id
    title: str
    url: str  # the article's URL, or for a file its path
    source: str  # source name from config, or outlet
    published: str | None  # ISO date "YYYY-MM-DD" or datetime "YYYY-MM-DDTHH:MM:SS+00:00"
    lang: str | None  # "ru" | "uk" | "en" | None (detect)
    text: str
    meta: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)


@dataclass(frozen=True, slots=True)
class Observation:
    """A quantity in an article that a rule recognised as a tracked figure."""

    figure: str
    article: str  # the article's URL, or for a file its path
    published: str | None
    low: Number | None
    high: Number | None
    qualifier: str
    unit: str | None
    surface: str
    quote: str  # the sentence
    claimant: str | None
    relayed: str | None = None  # outlet the text says it relays ("citing Reuters")
    change: str | None = None
    start: int = 0
    end: int = 0
    article_id: str = ""
    source: str = ""
    track: str = ""  # per-claimant key when the rule tracks by claimant; "" otherwise
    previous: Value | None = None  # "grew from X to Y": X

    @property
    def value(self) -> Value:
        return Value(self.low, self.high, self.qualifier)

    def to_json(self) -> dict[str, Any]:
        d = asdict(self)
        d["previous"] = self.previous.to_json() if self.previous else None
        return d


@dataclass(frozen=True, slots=True)
class Event:
    """Something a subscriber should hear about: a new figure or a changed one."""

    figure: str
    kind: str  # "new" | "changed" | "restated" (recorded, never mailed)
    old: Value | None
    new: Value
    article: str
    published: str | None
    track: str = ""
    observation_id: int | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "figure": self.figure,
            "kind": self.kind,
            "old": self.old.to_json() if self.old else None,
            "new": self.new.to_json(),
            "article": self.article,
            "published": self.published,
            "track": self.track,
        }


@dataclass(frozen=True, slots=True)
class Verdict:
    """What became of one quantity: the figures that took it, or why none did."""

    quantity: Quantity
    figures: tuple[str, ...] = ()
    reason: str | None = None  # why no figure took it (a code of monitor.match.REASONS)
    detail: str = ""  # the reason in words, naming terms and figures
    subject_near: bool = False  # some figure's subject was within reach
    noun: str | None = None  # the counted noun as the text writes it
    quote: str = ""

    @property
    def near_miss(self) -> bool:
        """A number that names a tracked subject but went to no figure."""
        return not self.figures and self.subject_near and self.reason != "change_from"


class NearMissSink(list[Verdict]):
    """A verdict sink that keeps only near misses (what ingest stores): the matcher
    skips building every other verdict."""
