"""Digest rendering without a database: words, subject, escaping, the e-mail's shape."""

from __future__ import annotations

import email
import email.policy
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml

from monitor.digest import (
    DigestItem,
    build_message,
    change_words,
    difference,
    highlight,
    message_id,
    render,
    serialize,
    value_words,
)
from monitor.models import Event, Value

CASES = Path(__file__).parent / "cases"


@pytest.mark.parametrize("case", yaml.safe_load((CASES / "digest_words.yaml").read_text()))
def test_value_words(case: dict) -> None:
    v = Value(case["low"], case["high"], case["qualifier"])
    assert value_words(v, case["kind"], case["unit"]) == case["words"]


@pytest.mark.parametrize("case", yaml.safe_load((CASES / "digest_difference.yaml").read_text()))
def test_difference(case: dict) -> None:
    assert difference(Value(*case["old"]), Value(*case["new"]), case["kind"]) == case["diff"]


def test_change_words_puts_the_unit_once_at_the_end() -> None:
    old, new = Value(10000, None, "more_than"), Value(12000, 12000, "approx")
    assert change_words(old, new, "count", "troops") == "more than 10,000 → about 12,000 troops"
    assert change_words(None, new, "count", "troops") == "about 12,000 troops"


def troops_item(**kw: object) -> DigestItem:
    base: dict = dict(
        event=Event("dprk-troops", "changed", Value(10000, None, "more_than"),
                    Value(12000, 12000, "approx"), "https://news.example.org/b", "2025-09-01"),
        title="North Korean troops in Russia", unit_label="troops",
        quote="Officials now put the contingent at about 12,000 soldiers.",
        surface="about 12,000", outlet="Example Daily", claimant="NIS",
        url="https://news.example.org/b", agree=2,
        trend=(Value(10000, None, "more_than"), Value(12000, 12000, "approx")))
    base.update(kw)
    return DigestItem(**base)


def new_share_item() -> DigestItem:
    return DigestItem(event=Event("dprk-ammo-share", "new", None, Value(None, 40, "up_to"),
                                  "https://kyiv.example.org/s", "2025-08-13"),
                      title="Share of shells from North Korea", figure_kind="percent",
                      quote="Up to 40% of the shells come from the North.",
                      surface="Up to 40%", outlet="Kyiv Herald",
                      url="https://kyiv.example.org/s")


def test_subject_says_what_moved_then_counts_new_figures() -> None:
    r = render([troops_item(), new_share_item()])
    assert r.subject == ("North Korean troops in Russia: more than 10,000 → about 12,000; "
                         "1 new figure")
    only_new = render([new_share_item()], prefix="[figmon]")
    assert only_new.subject == "[figmon] 1 new figure: Share of shells from North Korea up to 40%"


def test_a_figure_first_seen_in_this_digest_is_new_even_if_it_moved() -> None:
    first = troops_item(event=Event("dprk-troops", "new", None, Value(3000, 3000, "approx"),
                                    "https://news.example.org/a", "2024-10-23"))
    r = render([first, troops_item()])
    assert r.subject == "1 new figure: North Korean troops in Russia about 12,000"
    assert "[NEW] North Korean troops in Russia" in r.text
    assert "[CHANGED]" not in r.text
    # Both steps are listed, the newer first; the older value stays in the history.
    assert r.text.index("1 Sep 2025: about 12,000 troops") \
        < r.text.index("23 Oct 2024: about 3,000 troops")
    assert "(was more than 10,000)" in r.text


def test_subject_is_capped() -> None:
    items = [troops_item(event=Event(f"f{i}", "new", None, Value(i, i, "exact"), "", None),
                         title=f"A rather long figure title number {i}") for i in range(20)]
    subject = render(items).subject
    assert len(subject) <= 200 and subject.startswith("20 new figures: ")
    shown = subject.count("A rather long figure title")
    assert subject.endswith(f", +{20 - shown} more") and 0 < shown < 20


def test_text_part_has_everything_a_reader_needs() -> None:
    text = render([troops_item(), new_share_item()]).text
    for piece in ["1 figure changed, 1 new",
                  "[CHANGED] North Korean troops in Russia",
                  "  about 12,000 troops\n",  # the current value heads the figure
                  "now about 12,000 (NIS, 1 Sep 2025) — was more than 10,000",
                  "- 1 Sep 2025: about 12,000 troops (was more than 10,000)",
                  '"Officials now put the contingent at about 12,000 soldiers."',
                  "Claimed by NIS · Example Daily", "https://news.example.org/b",
                  "2 other sources agree", "[NEW] Share of shells from North Korea",
                  "up to 40%", "No other source yet"]:
        assert piece in text
    # no arithmetic between an open bound and a value
    assert "+2,000" not in text and "%)" not in text


def test_who_said_the_old_value_and_when() -> None:
    item = troops_item(old_claimant="Kyrylo Budanov", old_published="2025-08-15",
                       event=Event("dprk-troops", "changed", Value(10000, 12000, "range"),
                                   Value(12000, 12000, "approx"), "https://n.example.org/b",
                                   "2025-09-02"), claimant="Seoul")
    text = render([item]).text
    assert ("now about 12,000 (Seoul, 2 Sep 2025) — was 10,000–12,000 (Kyrylo Budanov, "
            "15 Aug 2025) · +1,000 (+9.1%, range midpoint)") in text


def test_restated_events_are_never_mailed() -> None:
    restated = troops_item(event=Event("dprk-troops", "restated", Value(10000, 10000, "approx"),
                                       Value(10000, None, "more_than"),
                                       "https://n.example.org/r", "2025-09-03"))
    r = render([restated, new_share_item()])
    assert "North Korean troops" not in r.text and "North Korean troops" not in r.email_html
    assert r.subject.startswith("1 new figure: Share of shells")


def test_an_article_without_a_web_address_is_named_by_its_title() -> None:
    item = troops_item(url="examples/articles/12-2025-08-15-ru-budanov-6000.txt",
                       article_title="Буданов: КНДР готовит ещё один контингент",
                       outlet="samples")
    r = render([item])
    for part in (r.text, r.html, r.email_html):
        assert "examples/articles" not in part and ".txt" not in part
        assert "Буданов: КНДР готовит ещё один контингент" in part


def test_view_online_only_with_a_reports_url() -> None:
    created = datetime(2025, 9, 2, 7, 0, tzinfo=UTC)
    with_url = render([troops_item()], key="abcdef0123456789", created=created, archive=False,
                      reports_url="https://figmon.example.org/reports/")
    page = "https://figmon.example.org/reports/digests/2025-09-02-immediate-abcdef012345.html"
    assert f'href="{page}"' in with_url.email_html and "View online" in with_url.email_html
    assert f"View online: {page}" in with_url.text
    without = render([troops_item()], key="abcdef0123456789", created=created, archive=False)
    assert "View online" not in without.email_html and "View online" not in without.text


def test_mail_layout_is_tables_with_no_svg_and_a_short_heading() -> None:
    r = render([troops_item(), new_share_item()], archive=False)
    t = parse(r.email_html)
    names = [tag for tag, _ in t.tags]
    assert "svg" not in names and "<svg" not in r.email_html
    assert names.count("table") >= 4  # outer card, entries, the trend's bars
    assert "<!--[if mso]>" in r.email_html  # Outlook's fixed-width frame
    h1 = r.email_html.split("<h1", 1)[1].split("</h1>", 1)[0]
    assert h1.split(">", 1)[1] == "1 figure changed, 1 new"
    # the trend survives without SVG: one bar cell per value, the higher value taller
    bars = [int(a["height"] or 0) for tag, a in t.tags if tag == "td" and a.get("bgcolor")]
    assert len(bars) == 2 and bars[1] > bars[0]


def test_highlight_marks_the_number_inside_the_escaped_quote() -> None:
    h = highlight("Sent <b>about 12,000</b> & more", "about 12,000")
    assert str(h) == "Sent &lt;b&gt;<mark>about 12,000</mark>&lt;/b&gt; &amp; more"
    assert str(highlight("no number here", "40%")) == "no number here"


class Tags(HTMLParser):
    """Every start tag with its attributes, and the text outside tags."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parse(html: str) -> Tags:
    t = Tags()
    t.feed(html)
    return t


EVIL = '<script>alert("x")</script><img src=x onerror="alert(1)">'


def test_article_text_comes_out_inert() -> None:
    item = troops_item(quote=f"About 12,000 {EVIL} troops.", surface="About 12,000",
                       outlet=f"Evil {EVIL}", claimant=f"Mr {EVIL}", title=f"Title {EVIL}",
                       url="javascript:alert(1)")
    r = render([item])
    for html in (r.html, r.email_html):
        t = parse(html)
        names = [tag for tag, _ in t.tags]
        assert "script" not in names and "img" not in names
        assert not [a for _, attrs in t.tags for a in attrs if a.startswith("on")]
        assert not [v for _, attrs in t.tags for v in attrs.values()
                    if v and v.strip().lower().startswith("javascript:")]
        # the hostile text is still shown, as text
        assert any("<script>alert(\"x\")</script>" in chunk for chunk in t.text)
        assert "<mark" in html
    assert EVIL in r.text  # plain text needs no escaping, and loses nothing


def test_no_remote_resources() -> None:
    r = render([troops_item(), new_share_item()])
    for html in (r.html, r.email_html):
        t = parse(html)
        for tag, attrs in t.tags:
            assert tag not in ("link", "script", "img", "iframe", "object")
            if tag != "a":
                assert not [v for k, v in attrs.items() if k in ("src", "href")
                            and v and v.lower().startswith(("http:", "https:", "//"))]
        assert "@import" not in html and "url(" not in html


def test_message_is_multipart_alternative_with_inlined_css() -> None:
    r = render([troops_item(), new_share_item()], prefix="[figmon]", key="k1")
    mid = message_id("k1", "Analyst@Example.org", "example.org")
    assert mid == message_id("k1", "analyst@example.org", "example.org")  # stable
    assert mid != message_id("k2", "analyst@example.org", "example.org")
    msg = build_message(r, sender="figmon@example.org", to="analyst@example.org", msg_id=mid)
    parsed = email.message_from_string(serialize(msg), policy=email.policy.default)
    assert parsed.get_content_type() == "multipart/alternative"
    assert parsed["Subject"] == r.subject  # no doubled spaces around the arrow
    assert parsed["Message-ID"] == mid
    assert parsed["List-Unsubscribe"].startswith("<mailto:figmon@example.org?subject=unsubscribe")
    parts = [p.get_content_type() for p in parsed.iter_parts()]
    assert parts == ["text/plain", "text/html"]
    text = parsed.get_body(("plain",)).get_content()
    html = parsed.get_body(("html",)).get_content()
    assert "about 12,000 troops (was more than 10,000)" in text
    assert "<style" not in html and 'style="' in html
    assert "<mark" in html and "about 12,000</mark>" in html


def test_one_trend_per_claimant_track_under_its_latest_entry() -> None:
    def step(track: str, old: Value | None, new: Value, day: str, who: str) -> DigestItem:
        return troops_item(
            event=Event("dprk-casualties", "changed" if old else "new", old, new,
                        f"https://news.example.org/{track}-{day}", day, track=track),
            claimant=who, trend=tuple(v for v in (old, new) if v is not None))

    seoul = [step("nis", None, Value(1000, 1000, "approx"), "2025-01-05", "NIS"),
             step("nis", Value(1000, 1000, "approx"), Value(3000, 3000, "approx"),
                  "2025-02-05", "NIS")]
    kyiv = [step("zelensky", None, Value(2000, None, "more_than"), "2025-01-10", "Zelensky"),
            step("zelensky", Value(2000, None, "more_than"), Value(4000, 4000, "approx"),
                 "2025-03-01", "Zelensky")]
    text = render([*seoul, *kyiv]).text
    assert text.count("Recent values:") == 2
    lines = text.splitlines()
    trends = [i for i, line in enumerate(lines) if "Recent values:" in line]
    # newest first: Kyiv's latest step, then Seoul's; each trend follows its own track's
    # latest step, and covers that track only
    assert "more than 2,000 → about 4,000" in lines[trends[0]]
    assert "about 1,000 → about 3,000" in lines[trends[1]]
    seoul_step = next(i for i, line in enumerate(lines)
                      if "5 Feb 2025: about 3,000 troops (was about 1,000)" in line)
    assert trends[0] < seoul_step < trends[1]
