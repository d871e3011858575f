"""The matcher looks for terms only where they can count (a number's sentence, and
the sentences before it that name a subject).  That is a shortcut, so it must give
what looking everywhere gives: every observation and every verdict, on the labelled
sets and on articles written to probe the edges of the shortcut."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from monitor import match
from monitor.models import Article, NearMissSink, Verdict
from monitor.rules import load_rules

ROOT = Path(__file__).resolve().parent.parent
CASES = ROOT / "tests" / "cases"

# Edges: a borrowed subject three sentences back, a sentence between that names
# none, a possessor after a line break, a term split over a sentence end.
EDGES = [
    ("en", "Pyongyang has sent more troops. Officials met on Tuesday. The talks went on.\n"
           "About 3,000 more soldiers arrived, the ministry said."),
    ("en", "North Korea's army is large.\nThe weather was cold. Roads were icy. "
           "Traffic slowed. Some 2,000 soldiers arrived."),
    ("ru", "КНДР направила в Россию войска.\nПо данным разведки, речь идёт о 12 тысячах "
           "военнослужащих\nВСУ сообщили о потерях."),
    ("uk", "Північна Корея надіслала снаряди. Про це повідомили у вівторок. За даними "
           "розвідки, йдеться про 2 млн снарядів, а ЗСУ отримали 300 тисяч."),
    ("en", "Some 40,000 Russian troops and 11,000 North Korean soldiers took part.\n"
           "Russian\nofficials said 5,000 more would follow."),
    # "of them" two sentences after the number it points to, which lies outside
    # the subject's reach: those sentences are read only then
    ("ru", "Под Курском в ноябре находились 12 тысяч военных. Цифры оспаривались. Около "
           "8 тысяч из них предоставила КНДР."),
    ("uk", "На Курщині восени перебували 12 тисяч військових. Ці дані оскаржували. "
           "Близько 8 тисяч із них надала КНДР."),
    ("en", "Russia massed 50,000 soldiers near Kursk. The build-up took weeks. Pyongyang "
           "supplied roughly 11,000 of those."),
]


def _articles() -> list[Article]:
    out = []
    for name in sorted(CASES.glob("dprk_*.yaml")):
        for c in yaml.safe_load(name.read_text(encoding="utf-8")):
            out.append(Article(id=c["id"], title=c.get("title") or "", url=c["id"],
                               source="t", published=None, lang=c["lang"], text=c["text"]))
    for i, (lang, text) in enumerate(EDGES):
        out.append(Article(id=f"edge{i}", title="", url=f"edge{i}", source="t",
                           published=None, lang=lang, text=text))
    return out


def _run(rules: Any, art: Article) -> tuple[list[Any], list[Verdict], list[Verdict]]:
    every: list[Verdict] = []
    obs = rules.match(art, verdicts=every)
    near = NearMissSink()
    # the quicker paths (no verdicts, near misses only) take the same figures
    assert rules.match(art, verdicts=near) == obs, art.id
    assert rules.match(art) == obs, art.id
    return obs, every, list(near)


@pytest.fixture(scope="module")
def rules() -> Any:
    return load_rules(ROOT / "rules")


def test_looking_only_within_reach_finds_what_looking_everywhere_finds(
        rules: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    arts = _articles()
    assert len(arts) > 600
    short = [_run(rules, a) for a in arts]
    monkeypatch.setattr(match._View, "_plan",
                        lambda self: [(0, len(self.text), True)])
    everywhere = [_run(rules, a) for a in arts]
    found = 0
    for art, (o1, v1, n1), (o2, v2, n2) in zip(arts, short, everywhere, strict=True):
        assert o1 == o2, art.id
        assert v1 == v2, art.id
        assert n1 == n2, art.id
        found += len(o1)
    assert found > 400  # the sets hold hundreds of figures: this compared real matches


def test_near_misses_sink_keeps_exactly_the_near_misses(rules: Any) -> None:
    for art in _articles():
        _obs, every, near = _run(rules, art)
        assert near == [v for v in every if v.near_miss], art.id


def test_of_them_reads_the_sentences_before_the_subject_when_it_must(rules: Any) -> None:
    """A number followed by "of them" takes the measure of a number up to
    OF_THEM_REACH sentences back, even in sentences no subject reaches."""
    for lang, text in EDGES[-3:-1]:
        art = Article(id="of-them", title="", url="of-them", source="t", published=None,
                      lang=lang, text=text)
        assert [(o.figure, o.low) for o in rules.match(art)] == [("dprk-troops", 8000)]
        # the numbers it could point to are read only because of "из них" / "із них"
        bare = Article(id="bare", title="", url="bare", source="t", published=None,
                       lang=lang, text=text.replace(" из них", "").replace(" із них", ""))
        assert rules.match(bare) == []
