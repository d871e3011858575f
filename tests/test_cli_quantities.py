"""`figmon quantities`: text or JSON lines on stdin, quantities as JSON on stdout."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run(args: list[str], data: bytes) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([sys.executable, "-m", "monitor", "quantities", *args],
                          input=data, capture_output=True, cwd=ROOT, timeout=120)


def test_text_gives_json_array() -> None:
    text = "Пхеньян направил более 10 000 солдат и около 6 тысяч военных строителей."
    res = run(["--lang", "ru"], text.encode())
    assert res.returncode == 0, res.stderr
    got = json.loads(res.stdout)
    assert [(q["low"], q["high"], q["qualifier"]) for q in got] == [
        (10000, None, "more_than"), (6000, 6000, "approx")]
    first = got[0]
    assert first["unit"] == "солдат"
    assert text[first["start"]:first["end"]] == first["surface"] == "более 10 000"
    assert set(first) >= {"low", "high", "qualifier", "change", "unit", "surface", "start",
                          "end"}


def test_non_ascii_is_not_escaped() -> None:
    res = run([], "Україна отримала 120 гармат.".encode())
    assert "гармат" in res.stdout.decode() or "гармата" in res.stdout.decode()


def test_jsonl_one_line_per_input_and_lang_per_line() -> None:
    lines = [
        {"id": "a", "text": "Up to 40% of the shells came from North Korea.", "lang": "en"},
        {"id": "b", "text": "від 50 до 100 одиниць техніки"},
        {"id": "c", "text": "Nothing to count here."},
    ]
    data = "\n".join(json.dumps(x, ensure_ascii=False) for x in lines).encode() + b"\n"
    res = run(["--jsonl"], data)
    assert res.returncode == 0, res.stderr
    out = [json.loads(x) for x in res.stdout.decode().splitlines()]
    assert [o["id"] for o in out] == ["a", "b", "c"]
    assert [(q["high"], q["qualifier"]) for q in out[0]["quantities"]] == [(40, "up_to")]
    assert [(q["low"], q["high"], q["qualifier"]) for q in out[1]["quantities"]] == [
        (50, 100, "range")]
    assert out[2]["quantities"] == []


def test_bad_json_line_names_its_number_and_keeps_earlier_output() -> None:
    data = b'{"id": 1, "text": "7 drones"}\n{"id": 2, "text": "8 drones"}\n{oops\n' \
           b'{"id": 4, "text": "9 drones"}\n'
    res = run(["--jsonl"], data)
    assert res.returncode == 1
    assert "line 3" in res.stderr.decode()
    out = [json.loads(x) for x in res.stdout.decode().splitlines()]
    assert [o["id"] for o in out] == [1, 2]
    assert out[1]["quantities"][0]["low"] == 8


def test_invalid_utf8_is_replaced_not_fatal() -> None:
    res = run(["--lang", "en"], b"about 300 soldiers \xff\xfe arrived")
    assert res.returncode == 0, res.stderr
    got = json.loads(res.stdout)
    assert [(q["low"], q["qualifier"]) for q in got] == [(300, "approx")]


def test_empty_input_prints_nothing() -> None:
    res = run([], b"")
    assert res.returncode == 0
    assert res.stdout == b""
    res = run(["--jsonl"], b"")
    assert res.returncode == 0
    assert res.stdout == b""


def test_ten_megabytes_of_text() -> None:
    sentence = "Officials said 1,200 soldiers arrived in the region on Monday. "
    data = (sentence * (10_000_000 // len(sentence) + 1)).encode()
    res = run(["--lang", "en"], data)
    assert res.returncode == 0, res.stderr
    got = json.loads(res.stdout)
    assert len(got) == data.count(b"1,200")
    assert all(q["low"] == 1200 for q in got)


def test_change_in_one_sentence_gives_roles_and_links() -> None:
    text = "Контингент КНДР вырос на 2 тысячи до 13 тысяч человек, а потом с 13 до 15 тысяч."
    res = run(["--lang", "ru"], text.encode())
    assert res.returncode == 0, res.stderr
    got = json.loads(res.stdout)
    assert [(q["low"], q["qualifier"], q["role"], q["change"]) for q in got] == [
        (2000, "exact", "delta", "up"), (13000, "exact", "to", None),
        (13000, "exact", "from", None), (15000, "exact", "to", None)]
    # each part names the other by its start offset
    assert got[0]["link"] == got[1]["start"] and got[1]["link"] == got[0]["start"]
    assert got[2]["link"] == got[3]["start"] and got[3]["link"] == got[2]["start"]
