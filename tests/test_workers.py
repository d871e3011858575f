"""Parallel ingest: worker processes match, one writer stores; same database as serial."""

from __future__ import annotations

import json
import random
import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from monitor import run as runs
from monitor.cli import cli
from monitor.config import load_config
from monitor.workers import Pool, _split

ROOT = Path(__file__).resolve().parent.parent

# Sentences written for this test: figures the repository's rules track, near
# misses (a tracked subject, a number no figure takes) and plain prose.
SENTENCES = {
    "en": ["Officials said North Korea sent about {v} troops to Russia.",
           "South Korean intelligence said more than {v} North Korean soldiers were deployed.",
           "Pyongyang has shipped {v} containers of shells, the report added.",
           "The weather in the capital stayed cold for {d} days."],
    "ru": ["По данным источников, КНДР отправила около {v} военных в Россию.",
           "Разведка сообщила, что Пхеньян направил более {v} солдат.",
           "Северокорейские заводы выпустили {v} снарядов за год.",
           "Переговоры продолжались {d} дней."],
    "uk": ["За даними джерел, КНДР відправила близько {v} військових до Росії.",
           "Розвідка повідомила, що Пхеньян направив понад {v} солдатів.",
           "Північнокорейські заводи випустили {v} снарядів за рік.",
           "Переговори тривали {d} днів."],
}
CLAIMANTS = {"en": ["Seoul's NIS said", "Ukraine's HUR said", "The Pentagon said"],
             "ru": ["Как заявили в ГУР,", "По данным NIS,", "В Пентагоне считают, что"],
             "uk": ["Як заявили в ГУР,", "За даними NIS,", "У Пентагоні вважають, що"]}
TABLES = {  # what a run stores, without the columns that hold the time of writing
    "articles": "uid, url, content_hash, title, source, outlet, published, lang, text",
    "observations": "figure, track, article_id, published, low, high, qualifier, unit, "
                    "surface, quote, claimant, relayed, change, start, end, prev_low, "
                    "prev_high, prev_qualifier",
    "events": "figure, track, kind, old_low, old_high, old_qualifier, new_low, new_high, "
              "new_qualifier, article, article_id, published, observation_id",
    "near_misses": "article_id, noun, unit, surface, low, high, qualifier, reason, detail, "
                   "quote, published",
}


def _articles(n: int, seed: int) -> list[dict[str, Any]]:
    rnd = random.Random(seed)
    out = []
    for i in range(n):
        lang = ("en", "ru", "uk")[i % 3]
        value = 10000 + (i // 20) * 500 + rnd.choice((0, 0, 300, 2000))
        parts = [rnd.choice(CLAIMANTS[lang]) + " " + rnd.choice(SENTENCES[lang][:2]).format(
            v=value, d=3)]
        parts += [rnd.choice(SENTENCES[lang]).format(v=rnd.randint(50, 90000),
                                                     d=rnd.randint(2, 9))
                  for _ in range(rnd.randint(1, 4))]
        item = {"url": f"https://news.example/{i}", "lang": lang, "title": f"Report {i}",
                "date": f"2025-{1 + i % 12:02d}-{1 + i % 27:02d}", "text": " ".join(parts)}
        out.append(item)
        if i % 37 == 5:  # the same story again under another URL: a duplicate
            out.append({**item, "url": f"https://mirror.example/{i}"})
    return out


def _setup(tmp_path: Path, items: list[dict[str, Any]]) -> Path:
    (tmp_path / "news").mkdir(parents=True)
    (tmp_path / "news" / "feed.jsonl").write_text(
        "".join(json.dumps(i, ensure_ascii=False) + "\n" for i in items), encoding="utf-8")
    shutil.copytree(ROOT / "rules", tmp_path / "rules")
    cfg = tmp_path / "figmon.yaml"
    cfg.write_text("database: figmon.db\nrules: rules\nsources:\n"
                   "  - {name: news, kind: folder, path: news}\n", encoding="utf-8")
    return cfg


def _dump(db: Path) -> dict[str, list[tuple[Any, ...]]]:
    con = sqlite3.connect(db)
    try:
        out = {t: con.execute(f"SELECT id, {cols} FROM {t} ORDER BY id").fetchall()
               for t, cols in TABLES.items()}
        # the search index (its lemmas are worked out in the worker processes)
        out["search"] = con.execute("SELECT rowid, lemmas FROM articles_lemma_fts "
                                    "ORDER BY rowid").fetchall()
        return out
    finally:
        con.close()


@pytest.fixture(autouse=True)
def _no_digest(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(runs, "after_run", lambda ctx: None)


def test_parallel_run_stores_the_same_database_as_a_serial_run(tmp_path: Path) -> None:
    items = _articles(320, seed=5)  # several chunks of CHUNK articles
    dumps = []
    for workers in (1, 2, 3):
        cfg = _setup(tmp_path / f"w{workers}", items)
        summary = runs.run_once(load_config(cfg), workers=workers)
        assert summary.ok, summary.sources
        assert (summary.found, summary.new) == (len(items), 320)
        dumps.append(_dump(tmp_path / f"w{workers}" / "figmon.db"))
    serial = dumps[0]
    # the run found something of every kind, so the comparison means something
    assert len(serial["articles"]) == 320
    assert len(serial["observations"]) > 200
    assert len(serial["events"]) > 5
    assert len(serial["near_misses"]) > 50
    assert len(serial["search"]) == 320 and "направить" in serial["search"][1][1]
    assert dumps[1] == serial
    assert dumps[2] == serial


def test_run_once_workers_option_reaches_the_pipeline(tmp_path: Path) -> None:
    items = _articles(60, seed=9)
    cfg = _setup(tmp_path / "cli", items)
    got = CliRunner().invoke(cli, ["run", "--once", "--workers", "2", "--config", str(cfg)])
    assert got.exit_code == 0, got.output
    assert "60 new article(s)" in got.output
    assert len(_dump(tmp_path / "cli" / "figmon.db")["articles"]) == 60


def test_a_failing_article_is_reported_and_left_out_in_parallel(tmp_path: Path) -> None:
    from monitor.models import Article

    class Rules:
        figures: dict[str, Any] = {}

        def match(self, article: Article, verdicts: Any = None) -> list[Any]:
            if article.id == "bad":
                raise ValueError("no parse")
            return []

    rules = Rules()
    arts = [Article(id=i, title="", url=f"https://x.example/{i}", source="s",
                    published=None, lang="en", text=f"text {i}")
            for i in ("a", "bad", "c", "d")]
    with Pool(2, rules) as pool:
        got = pool.match(arts)
    assert [m.error for m in got] == [None, "matching failed (ValueError: no parse)", None, None]


def test_map_keeps_input_order_across_batches() -> None:
    with Pool(2) as pool:
        assert list(pool.map(abs, range(-500, 0), batch=64)) == list(range(500, 0, -1))
    assert [len(p) for p in _split(list(range(10)), 4)] == [3, 3, 2, 2]
    assert _split([], 4) == [[]]


def test_scan_and_quantities_print_the_same_with_workers(tmp_path: Path) -> None:
    items = _articles(40, seed=3)
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "feed.jsonl").write_text(
        "".join(json.dumps(i, ensure_ascii=False) + "\n" for i in items), encoding="utf-8")
    runner = CliRunner()
    outs = [runner.invoke(cli, ["scan", str(folder), "--rules", str(ROOT / "rules"),
                                "--json", "--workers", w]) for w in ("1", "2")]
    assert outs[0].exit_code == outs[1].exit_code == 0
    assert outs[0].output.count("\n") > 30
    assert outs[0].output == outs[1].output
    lines = "".join(json.dumps({"id": i["url"], "text": i["text"], "lang": i["lang"]},
                               ensure_ascii=False) + "\n" for i in items)
    qs = [runner.invoke(cli, ["quantities", "--jsonl", "--workers", w], input=lines)
          for w in ("1", "2")]
    assert qs[0].exit_code == qs[1].exit_code == 0
    assert qs[0].output.count("\n") == len(items) == 41  # one story sent twice
    assert qs[0].output == qs[1].output


def test_quantities_answers_each_line_of_a_pipe_at_once_with_workers() -> None:
    import subprocess
    import sys

    proc = subprocess.Popen([sys.executable, "-m", "monitor", "quantities", "--jsonl",
                             "--workers", "2"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            cwd=ROOT)
    assert proc.stdin is not None and proc.stdout is not None
    try:
        for i, text in enumerate(["About 12,000 troops arrived.", "Пришли 300 человек."]):
            proc.stdin.write(json.dumps({"id": i, "text": text}).encode() + b"\n")
            proc.stdin.flush()
            # answered before the next line is written, though no batch has filled
            answer = json.loads(proc.stdout.readline())
            assert answer["id"] == i
            assert answer["quantities"][0]["low"] == (12000, 300)[i]
    finally:
        proc.stdin.close()
        assert proc.wait(timeout=60) == 0
