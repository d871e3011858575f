"""Accuracy of monitor.extract on the shared corpus and on NewsQuant.

    python3 benchmarks/accuracy.py [--shared ../shared] [--errors]

Corpus: a prediction is correct when low, high and qualifier equal a gold
figure of the same sentence. NewsQuant (as its README says): a prediction is
correct when its value equals a gold value of the same sentence (a range only
equals a range with both ends equal); value+change also needs the mark to
agree (= exact/range, ~ approx, > more_than/at_least, < up_to/less_than, or
up/down when the quantity is a change).

Mappings between the two conventions, all applied the same way to every sentence:
- a gold range may be written "low-high" or "low - high" (one is); both parse;
- shares written as words ("half", "a third") are percent in figmon and fractions
  in NewsQuant: 50 equals 0.5 when the surface has no "%"/"cent";
- a from-to change ("rose from 240 to 273") is two values in figmon and one range
  in NewsQuant: both scorings are printed, the second without any merging.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from monitor.extract import extract  # noqa: E402
from monitor.models import Quantity  # noqa: E402

MARK = {"exact": "=", "range": "=", "approx": "~", "more_than": ">", "at_least": ">",
        "up_to": "<", "less_than": "<"}


def _close(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return abs(a - b) <= max(0.051, abs(b) * 1e-6)


def prf(correct: int, predicted: int, gold: int) -> tuple[float, float, float]:
    p = 100.0 * correct / predicted if predicted else 100.0
    r = 100.0 * correct / gold if gold else 100.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def _match(preds: list[Any], golds: list[Any], same: Any, used: set[int] | None = None) -> int:
    """How many predictions pair one-to-one with a gold item (``used``: gold
    indices already paired, shared between calls)."""
    used = set() if used is None else used
    n = 0
    for p in preds:
        for i, g in enumerate(golds):
            if i not in used and same(p, g):
                used.add(i)
                n += 1
                break
    return n


def _same_bounds(x: Any, g: dict[str, Any]) -> bool:
    return (x.qualifier == g["qualifier"] and _close(x.low, g["low"])
            and _close(x.high, g["high"]))


def _show(case: dict[str, Any], golds: list[dict[str, Any]], got: list[Any],
          gold_tag: Any, got_tag: Any) -> None:
    """Print a corpus sentence whose figures were not all matched."""
    print(f"--- {case['id']}: {case['text']}")
    for g in golds:
        print(f"    gold {g['low']} {g['high']} {g['qualifier']}  {gold_tag(g)}")
    for x in got:
        print(f"    got  {x.low} {x.high} {x.qualifier}  {got_tag(x)}")


def corpus_scores(path: Path, show: bool = False) -> dict[str, tuple[float, float, float]]:
    cases = yaml.safe_load(path.read_text(encoding="utf-8"))
    tally: dict[str, list[int]] = {}
    for case in cases:
        lang = case["lang"]
        preds = extract(case["text"], lang)
        golds = case.get("figures") or []
        c = _match(preds, golds, _same_bounds)
        t = tally.setdefault(lang, [0, 0, 0])
        t[0] += c
        t[1] += len(preds)
        t[2] += len(golds)
        if show and (c != len(preds) or c != len(golds)):
            _show(case, golds, preds, lambda g: f"«{g['surface']}»",
                  lambda p: f"«{p.surface}»")
    return {lang: prf(*t) for lang, t in tally.items()}


def _nq_value(v: str) -> tuple[float, float]:
    m = re.fullmatch(r"\s*(-?[\d.]+(?:[eE][-+]?\d+)?)(?:\s*-\s*(-?[\d.]+(?:[eE][-+]?\d+)?))?\s*", v)
    if not m:
        return float("nan"), float("nan")
    lo = float(m.group(1))
    hi = float(m.group(2)) if m.group(2) else lo
    return min(lo, hi), max(lo, hi)  # "from 208 to 193" is written high-low


def _pred_value(q: Quantity) -> tuple[float, float]:
    if q.qualifier == "range" or q.vague:
        return float(q.low or 0), float(q.high or 0)
    v = q.low if q.low is not None else q.high
    return float(v or 0), float(v or 0)


def _pred_mark(q: Quantity) -> str:
    if q.change and q.qualifier in ("exact", "range"):
        return q.change
    if q.vague:
        return "="
    if q.qualifier == "range" and q.range_qualifier:  # "about 2,000-2,500"
        return MARK[q.range_qualifier]
    return MARK[q.qualifier]


def _same_value(q: Quantity, gv: tuple[float, float]) -> bool:
    pv = _pred_value(q)
    if _close(pv[0], gv[0]) and _close(pv[1], gv[1]):
        return True
    # NewsQuant writes shares ("half", "a third", "one in four") as fractions.
    if q.kind == "percent" and gv[1] <= 1 and "%" not in q.surface and "cent" not in q.surface:
        return _close(pv[0] / 100, gv[0]) and _close(pv[1] / 100, gv[1])
    return False


def _as_newsquant(preds: list[Quantity]) -> list[Quantity]:
    """NewsQuant writes a from-to change ("rose from 240 to 273") as one range 240-273;
    figmon reports the two values. Merge such a pair for comparison."""
    out: list[Quantity] = []
    for q in preds:
        prev = out[-1] if out else None
        if (prev is not None and prev.qualifier == "exact" and q.qualifier == "exact"
                and prev.surface.lower().startswith("from ") and q.surface.lower().startswith("to ")
                and 0 <= q.start - prev.end <= 20 and prev.low is not None and q.low is not None):
            lo, hi = sorted((float(prev.low), float(q.low)))
            out[-1] = replace(q, low=lo, high=hi, qualifier="range", start=prev.start,
                              surface=prev.surface + " " + q.surface)
            continue
        out.append(q)
    return out


def newsquant_scores(path: Path, show: bool = False,
                     merge_pairs: bool = True) -> dict[str, tuple[float, float, float]]:
    data = json.loads(path.read_text(encoding="utf-8"))
    tv = [0, 0, 0]
    tc = [0, 0, 0]
    for item in data:
        preds = extract(item["text"], "en")
        if merge_pairs:
            preds = _as_newsquant(preds)
        golds = [(_nq_value(g["value"]), g["change"]) for g in item["quantities"]]
        cv = _match(preds, golds, lambda p, g: _same_value(p, g[0]))
        cc = _match(preds, golds, lambda p, g: _same_value(p, g[0]) and _pred_mark(p) == g[1])
        for t, c in ((tv, cv), (tc, cc)):
            t[0] += c
            t[1] += len(preds)
            t[2] += len(golds)
        if show and (cc != len(preds) or cc != len(golds)):
            print("--- " + item["text"])
            print("    gold", [(g["change"], g["value"]) for g in item["quantities"]])
            print("    got ", [(_pred_mark(p), _pred_value(p), p.surface) for p in preds])
    return {"value": prf(*tv), "value+change": prf(*tc)}


# corpus topics the shipped figures report
# (the corpus predates dprk-missiles and dprk-workers: it files missiles under
# equipment and calls workers "other", so its worker figures are read as dprk_workers)
TOPIC = {"dprk-troops": "dprk_troops", "dprk-troops-additional": "dprk_troops",
         "dprk-ammo-share": "dprk_ammo", "dprk-shells": "dprk_ammo",
         "dprk-equipment": "dprk_equipment", "dprk-missiles": "dprk_equipment",
         "dprk-missiles-share": "dprk_equipment", "dprk-casualties": "dprk_casualties",
         "dprk-workers": "dprk_workers"}


def _topic(gold: dict[str, Any]) -> str:
    if gold["topic"] == "other" and gold.get("unit") == "workers":
        return "dprk_workers"
    return str(gold["topic"])


def _carried(obs: list[Any]) -> list[Any]:
    """The value each observation carries as its previous one ("rose from 8,000 to
    11,000" is one observation of 11,000 that knows 8,000)."""
    return [replace(o, low=o.previous.low, high=o.previous.high,
                    qualifier=o.previous.qualifier) for o in obs if o.previous]


def _article(case: dict[str, Any]) -> Any:
    from monitor.models import Article

    return Article(id=case["id"], title=case.get("title") or "", url=case["id"],
                   source="corpus", published=None, lang=case["lang"], text=case["text"])


def rules_scores(path: Path, rules_dir: Path, show: bool = False) -> tuple[float, float, float]:
    """The shipped rules on the corpus, each sentence read as an article of its own: an
    observation is correct when its bounds, qualifier and topic equal a gold figure's
    (figures of topic "other" are not tracked and must not be reported).  The corpus
    lists both numbers of a change written in one sentence; the earlier one is found
    when the observation of the later one carries it as its previous value."""
    from monitor.rules import load_rules

    rules = load_rules(rules_dir)
    correct = predicted = found = gold_n = 0
    for case in yaml.safe_load(path.read_text(encoding="utf-8")):
        obs = rules.match(_article(case))
        golds = [g for g in case.get("figures") or [] if _topic(g) != "other"]

        def same(o: Any, g: dict[str, Any]) -> bool:
            return TOPIC.get(o.figure) == _topic(g) and _same_bounds(o, g)

        used: set[int] = set()
        c = _match(obs, golds, same, used)
        f = c + _match(_carried(obs), golds, same, used)
        correct, predicted, found = correct + c, predicted + len(obs), found + f
        gold_n += len(golds)
        if show and (c != len(obs) or f != len(golds)):
            _show(case, golds, obs, lambda g: g["topic"], lambda o: o.figure)
    p = prf(correct, predicted, gold_n)[0]
    r = prf(found, predicted, gold_n)[1]
    return p, r, 2 * p * r / (p + r) if p + r else 0.0


SET_FILES = ("dprk_set_en.yaml", "dprk_set_ru.yaml", "dprk_set_uk.yaml")
# written apart from the rules' tuning and never used to tune them: an honest estimate
BLIND_FILES = ("dprk_blind_en.yaml", "dprk_blind_ru.yaml", "dprk_blind_uk.yaml")


def rules_set_scores(folder: Path, rules_dir: Path, show: bool = False,
                     files: tuple[str, ...] = SET_FILES
                     ) -> dict[tuple[str, str], tuple[int, int, int, int]]:
    """The shipped rules on the labelled rule set (tests/cases/dprk_set_*.yaml).

    Returns, per (language, figure) and per (language, "any"), the counts
    (correct observations, observations, gold figures found, gold figures).  A
    figure-level pair needs the same figure id, bounds and qualifier; "any" asks only
    for some North Korea figure with the same bounds and qualifier, as a reader who
    wants every DPRK figure caught would.  A gold ``previous`` must be carried too.
    """
    from monitor.rules import load_rules

    rules = load_rules(rules_dir)
    tally: dict[tuple[str, str], list[int]] = {}

    def add(key: tuple[str, str], c: int, n: int, f: int, g: int) -> None:
        t = tally.setdefault(key, [0, 0, 0, 0])
        for i, v in enumerate((c, n, f, g)):
            t[i] += v

    for name in files:
        if not (folder / name).exists():
            continue
        for case in yaml.safe_load((folder / name).read_text(encoding="utf-8")):
            lang = case["lang"]
            obs = rules.match(_article(case))
            golds = case.get("figures") or []

            def same(o: Any, g: dict[str, Any]) -> bool:
                if not (o.figure == g["figure"] and _same_bounds(o, g)):
                    return False
                want = g.get("previous")
                return want is None or (o.previous is not None and _same_bounds(o.previous,
                                                                                want))

            for fig in {o.figure for o in obs} | {g["figure"] for g in golds}:
                mine = [o for o in obs if o.figure == fig]
                theirs = [g for g in golds if g["figure"] == fig]
                c = _match(mine, theirs, same)
                add((lang, fig), c, len(mine), c, len(theirs))
            c = _match(obs, golds, _same_bounds)
            add((lang, "any"), c, len(obs), c, len(golds))
            if show and (c != len(obs) or c != len(golds)):
                print(f"--- {case['id']} [{case.get('family', '')}]"
                      + (f" title: {case['title']}" if case.get("title") else ""))
                print("    " + case["text"].replace("\n", "\n    "))
                for g in golds:
                    prev = f" from {g['previous']}" if g.get("previous") else ""
                    print(f"    gold {g['figure']:<22} {g['low']} {g['high']} "
                          f"{g['qualifier']}{prev}")
                for o in obs:
                    prev = f" from {o.previous.to_json()}" if o.previous else ""
                    print(f"    got  {o.figure:<22} {o.low} {o.high} {o.qualifier}{prev}"
                          f"  [{o.surface}]")
    return {k: (v[0], v[1], v[2], v[3]) for k, v in tally.items()}


def print_set_scores(scores: dict[tuple[str, str], tuple[int, int, int, int]],
                     name: str = "labelled set") -> None:
    print(f"rules on the {name} (figure+bounds+qual.)".ljust(48)
          + "P      R      F1   (obs/gold)")
    figures = sorted({f for _, f in scores if f != "any"}) + ["any"]
    for fig in figures:
        for lang in ("en", "ru", "uk", "all"):
            keys = [k for k in scores if k[1] == fig and (lang == "all" or k[0] == lang)]
            if not keys:
                continue
            c, n, f, g = (sum(scores[k][i] for k in keys) for i in range(4))
            p, r = prf(c, n, g)[0], prf(f, n, g)[1]
            f1 = 2 * p * r / (p + r) if p + r else 0.0
            label = f"{fig} ({lang})" if fig != "any" else f"any DPRK figure ({lang})"
            print(f"  {label:<44} {p:6.1f} {r:6.1f} {f1:6.1f}   ({n}/{g})")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--shared", default=str(ROOT.parent / "shared"))
    ap.add_argument("--errors", action="store_true", help="print every mismatched sentence")
    ap.add_argument("--only", choices=["corpus", "rules", "set", "blind", "newsquant"],
                    default=None)
    a = ap.parse_args()
    shared = Path(a.shared)
    if a.only in (None, "corpus"):
        print("corpus (value+bounds+qualifier)".ljust(42) + "P      R      F1")
        for lang, (p, r, f) in sorted(corpus_scores(shared / "corpus" / "figures.yaml",
                                                    a.errors).items()):
            print(f"  {lang:<38} {p:6.1f} {r:6.1f} {f:6.1f}")
    if a.only in (None, "rules"):
        print("rules on the corpus (topic+bounds+qual.)".ljust(42) + "P      R      F1")
        p, r, f = rules_scores(shared / "corpus" / "figures.yaml", ROOT / "rules", a.errors)
        print(f"  {'all languages':<38} {p:6.1f} {r:6.1f} {f:6.1f}")
    if a.only in (None, "set"):
        print_set_scores(rules_set_scores(ROOT / "tests" / "cases", ROOT / "rules", a.errors))
    if a.only in (None, "blind"):
        print_set_scores(rules_set_scores(ROOT / "tests" / "cases", ROOT / "rules", a.errors,
                                          BLIND_FILES), "blind set")
    if a.only in (None, "newsquant"):
        nq = shared / "benchmarks" / "newsquant" / "NewsQuant.json"
        for merge in (True, False):
            how = "from-to pairs as ranges" if merge else "from-to pairs as two values"
            print(f"NewsQuant ({how})".ljust(42) + "P      R      F1")
            for name, (p, r, f) in newsquant_scores(nq, a.errors and merge, merge).items():
                print(f"  {name:<38} {p:6.1f} {r:6.1f} {f:6.1f}")


if __name__ == "__main__":
    main()
