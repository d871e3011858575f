"""Command line: parses arguments, calls the pipeline modules, prints.

This is the only place where exceptions become exit codes: 0 success, 1 a figmon
error or a usage error (message on stderr), 3 `run --once` did all it could but a
source, the digest or a delivery failed.  No command shows a traceback unless
FIGMON_DEBUG=1 is set.
Imports of pipeline modules are done inside commands to keep start-up fast.
"""

from __future__ import annotations

import csv
import json
import os
import sys
import traceback
from collections.abc import Callable, Iterator
from fnmatch import fnmatchcase
from importlib.resources import files
from pathlib import Path
from typing import Any, TypeVar

import click

from . import __version__
from . import digest as dg
from . import subscribers as subs
from .articles import iter_paths, parse_html
from .channels import guess
from .config import load_config
from .context import Context, NoRules, RuleSet, figures_of
from .daemon import run_daemon
from .deliver import deliver_pending, send_test
from .errors import FigmonError, InputError, RunFailed, TemporaryDeliveryError
from .extract import extract
from .http import HttpClient
from .match import near_miss_groups
from .models import track_kind
from .pipeline import figure_kind, status_report, value_text
from .rules import example_table, load_rules, observation_row, summary, verdict_json, verdict_row
from .run import run_once
from .store import Store
from .web import announce, run_in_foreground, server
from .workers import Pool, input_waiting, quantities_line

F = TypeVar("F", bound=Callable[..., Any])


def config_option(f: F) -> F:
    return click.option(
        "--config", "config_path", type=click.Path(dir_okay=False), default=None,
        help="Config file (default: ./figmon.yaml, or built-in defaults if absent).",
    )(f)


def workers_option(f: F) -> F:
    return click.option(
        "--workers", type=click.IntRange(min=1), default=None, metavar="N",
        help="Processes for extraction and matching (default: one per core); "
             "one writer keeps the database, output order is the same for any N.",
    )(f)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="figmon")
def cli() -> None:
    """figmon: track figures in ru/uk/en news and report when they change."""


@cli.command()
@click.argument("directory", required=False, default=".", type=click.Path(file_okay=False))
def init(directory: str) -> None:
    """Write a commented starter figmon.yaml, a rules folder and one example article."""


    root = Path(directory)
    starter = files("monitor") / "starter"
    targets = {root / "figmon.yaml": "figmon.yaml", root / "rules" / "example.yaml":
               "rules.yaml", root / "articles" / "example.md": "article.md"}
    present = [str(t) for t in targets if t.exists()]
    if present:
        raise InputError(f"not overwriting {', '.join(present)}",
                         "Run `figmon init` in an empty folder, or move those files away.")
    for target, name in targets.items():
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text((starter / name).read_text(encoding="utf-8"), encoding="utf-8")
        click.echo(f"wrote {target}")
    click.echo("Next: `figmon rules test`, then `figmon run --once` and `figmon status`.")


def _todo(name: str) -> None:
    raise FigmonError(f"'{name}' is not available in this build yet",
                      "Update figmon to a newer version.")


# --- extraction -----------------------------------------------------------

@cli.command()
@click.option("--lang", type=click.Choice(["ru", "uk", "en"]), default=None,
              help="Language of the text (default: detected).")
@click.option("--jsonl", is_flag=True,
              help='Read one {"id","text","lang"?} per line; '
              'write one {"id","quantities"} per line.')
@workers_option
def quantities(lang: str | None, jsonl: bool, workers: int | None) -> None:
    """Extract every quantity from text on stdin (rule-free), as JSON."""
    out = sys.stdout
    if not jsonl:
        text = sys.stdin.buffer.read().decode("utf-8", errors="replace")
        if not text.strip():
            return
        found = [q.to_json() for q in extract(text, lang)]
        out.write(json.dumps(found, ensure_ascii=False) + "\n")
        return
    # Streamed: each line is answered (and flushed) before the next is read, so
    # a bad line later on never loses the lines already done.  With workers,
    # lines go out in batches, still in input order and still all printed
    # before the error a bad line raises.

    def items() -> Iterator[tuple[Any, str, str | None] | InputError]:
        for number, raw in enumerate(sys.stdin.buffer, start=1):
            line = raw.decode("utf-8", errors="replace").strip()
            if not line:
                continue
            try:
                item = json.loads(line)
            except json.JSONDecodeError as exc:
                yield InputError(f"stdin line {number}: not valid JSON ({exc.msg})",
                                 "Fix that line (one JSON object per line) and run again "
                                 "from it; the lines before it were printed.")
                return
            if not isinstance(item, dict) or not isinstance(item.get("text"), str):
                yield InputError(f'stdin line {number}: expected an object with a "text" '
                                 'string', 'Write each line as {"id": ..., "text": "...", '
                                 '"lang": "ru"}.')
                return
            item_lang = item.get("lang") or lang
            if item_lang not in (None, "ru", "uk", "en"):
                yield InputError(f"stdin line {number}: unknown lang {item_lang!r}",
                                 'Use "ru", "uk" or "en", or leave "lang" out to detect it.')
                return
            yield item.get("id"), item["text"], item_lang

    with Pool(workers) as pool:
        for got in pool.map(_answer, items(), waiting=input_waiting(sys.stdin.buffer)):
            if isinstance(got, InputError):
                raise got
            out.write(got)
            out.flush()


def _answer(item: Any) -> Any:
    """A `quantities --jsonl` line's answer; a bad line's error is passed through."""

    return item if isinstance(item, Exception) else quantities_line(item)


# --- rules and scanning -----------------------------------------------------

@cli.group()
def rules() -> None:
    """Check rule files and run their inline examples."""


@rules.command("check")
@click.argument("directory", required=False, type=click.Path(file_okay=True))
def rules_check(directory: str | None) -> None:
    """Validate every rule file in DIRECTORY (default: ./rules)."""
    ruleset = load_rules(directory or "rules")
    for line in summary(ruleset):
        click.echo(line)
    n_ex = sum(len(f.examples) for f in ruleset.figures.values())
    click.echo(f"ok: {len(ruleset.figures)} figures, {n_ex} examples in "
               f"{len(ruleset.files)} file(s)")


@rules.command("test")
@click.argument("directory", required=False, type=click.Path(file_okay=True))
def rules_test(directory: str | None) -> None:
    """Run every inline example in DIRECTORY's rules; print a pass/fail table."""
    results = load_rules(directory or "rules").run_examples()
    for line in example_table(results):
        click.echo(line)
    failed = sum(not r.passed for r in results)
    click.echo(f"{len(results) - failed} passed, {failed} failed")
    if failed:
        raise FigmonError(f"{failed} rule example(s) failed",
                          "Fix the rule terms or the expected values named above.")


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("--rules", "rules_dir", type=click.Path(), default=None,
              help="Rules directory (default: ./rules).")
@click.option("--json", "as_json", is_flag=True,
              help="One JSON line per observation (with --explain: per quantity).")
@click.option("--explain", is_flag=True,
              help="List every quantity with the figure it went to, or why it went to none.")
@workers_option
@config_option
def scan(paths: tuple[str, ...], rules_dir: str | None, as_json: bool, explain: bool,
         workers: int | None, config_path: str | None) -> None:
    """Run article files, folders or URLs through the rules and print observations."""
    settings = None
    if config_path is not None:
        settings = load_config(config_path)
    ruleset = load_rules(rules_dir or (settings.rules if settings else "rules"))
    failed: set[str] = set()
    shown = 0

    pool = Pool(workers, ruleset)
    for path, got in scan_inputs(paths, settings):
        if isinstance(got, FigmonError):  # named on stderr; the other files go on
            failed.add(str(path))
            click.echo(f"error: {got}", err=True)
            continue
        for article, matched in zip(got, pool.match(got, all_verdicts=explain), strict=True):
            if matched.error is not None:
                pool.close()
                raise InputError(f"{article.url or path}: {matched.error}",
                                 "Report this article with the command that failed.")
            verdicts = matched.verdicts
            found = matched.observations
            if verdicts is not None:
                name = article.url or str(path)
                if not as_json:
                    click.echo(f"{name}: {len(verdicts)} quantit"
                               f"{'y' if len(verdicts) == 1 else 'ies'}, "
                               f"{len(found)} observation(s)")
                for v in verdicts:
                    kind = next((ruleset.figures[f].kind for f in v.figures), "count")
                    click.echo(json.dumps(verdict_json(v, name), ensure_ascii=False)
                               if as_json else verdict_row(v, kind))
                shown += len(found)
                continue
            for obs in found:
                shown += 1
                if as_json:
                    click.echo(json.dumps(obs_json(obs), ensure_ascii=False))
                else:
                    click.echo(observation_row(obs, ruleset.figures[obs.figure].kind))
    pool.close()
    if not shown:
        click.echo(f"no figures found (rules: {', '.join(sorted(ruleset.figures))})", err=True)
    if failed:
        raise InputError(f"{len(failed)} file(s) could not be read (named above)",
                         "Fix or remove those files; the others were scanned.")


def scan_inputs(paths: tuple[str, ...], settings: Any) -> Any:
    """(name, articles or error) for each file, folder or http(s) URL given to scan;
    URLs are fetched through the shared HTTP client (the config's http: section)."""
    for given in paths:
        if not given.startswith(("http://", "https://")):
            yield from iter_paths([given])
            continue

        try:
            with HttpClient(settings.http if settings else None) as client:
                resp = client.get(given, accept="text/html, */*;q=0.5")
                yield given, [parse_html(resp.text, resp.url)]
        except FigmonError as exc:
            yield given, exc


def obs_json(obs: Any) -> dict[str, Any]:
    """The stable `figmon scan --json` shape of an observation."""
    keys = ("figure", "article", "published", "low", "high", "qualifier", "unit",
            "surface", "quote", "claimant", "relayed", "track")
    out = {k: getattr(obs, k) for k in keys}
    out["previous"] = obs.previous.to_json() if obs.previous else None
    return out


# --- pipeline and state ------------------------------------------------------

@cli.command()
@click.option("--once", is_flag=True, help="Do one full cycle and exit.")
@workers_option
@config_option
def run(once: bool, workers: int | None, config_path: str | None) -> None:
    """Run the monitor: fetch sources, detect changes, send digests."""
    if not once:
        _run_daemon(config_path, workers)
        return

    settings = _settings(config_path)
    rules = load_rules(settings.rules)
    summary = run_once(settings, rules=rules, workers=workers)
    for s in summary.sources:
        line = f"{s.name} ({s.kind}): {s.found} found, {s.new} new, {s.events} events"
        click.echo(line + (f" — {len(s.errors)} error(s)" if s.errors else ""))
        prefix = f"source '{s.name}': "
        for err in s.errors:  # once each, under one prefix
            click.echo(f"  error: {s.name}: {err.removeprefix(prefix)}", err=True)
    for e in summary.events_raised:
        kind = figure_kind(rules, e.figure, e.track)
        new = value_text(e.new.to_json(), kind)
        change = new if e.old is None else f"{value_text(e.old.to_json(), kind)} → {new}"
        who = f" [{e.track}]" if e.track else ""
        click.echo(f"  {e.kind}: {e.figure}{who}: {change}  {e.article}")
    for err in summary.digest_errors:
        click.echo(f"  error: {err}", err=True)
    click.echo(f"{len(summary.sources)} source(s), {summary.new} new article(s), "
               f"{summary.events} event(s)")
    if not summary.ok:
        failed = [s.name for s in summary.failed]
        what = [f"source(s) {', '.join(failed)}"] if failed else []
        what += ["the digest or a delivery"] if summary.digest_errors else []
        raise RunFailed(f"the run finished, but {' and '.join(what)} had errors (above)",
                        "Everything else was stored. See `figmon status`; failed sources "
                        "and deliveries are tried again on the next run.")


def _run_daemon(config_path: str | None, workers: int | None = None) -> None:
    """The daemon branch of `run`: the whole config and every rule file are checked
    before the scheduler starts; SIGTERM/SIGINT end it with exit code 0."""
    settings = _settings(config_path)
    rules = load_rules(settings.rules)
    run_daemon(settings, rules=rules, workers=workers)


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="One JSON line per event.")
@click.option("--figure", "figures", multiple=True, metavar="GLOB",
              help="Only figures matching GLOB (e.g. 'dprk-troops*'); may be repeated.")
@click.option("--since", type=click.DateTime(["%Y-%m-%d"]), metavar="YYYY-MM-DD",
              help="Only events published on or after this day.")
@config_option
def events(as_json: bool, figures: tuple[str, ...], since: Any,
           config_path: str | None) -> None:
    """List detected events (new and changed figures)."""
    store = _open_store(config_path)
    if store is None:
        return
    with store:
        rows = store.events(globs=figures,
                            published_since=since.date().isoformat() if since else None)
    rules = None if as_json else _rules_or_none(config_path)
    for e in rows:
        if as_json:
            click.echo(json.dumps(e, ensure_ascii=False))
            continue
        who = f" [{e['claimant'] or e['track']}]" if e["track"] else ""
        kind = figure_kind(rules, e["figure"], e["track"])
        change = value_text(e["new"], kind) if e["old"] is None else \
            f"{value_text(e['old'], kind)} → {value_text(e['new'], kind)}"
        click.echo(f"{e['id']:>5}  {e['published'] or '?':<10.10}  {e['kind']:<7}  "
                   f"{e['figure']}{who}: {change}  {e['article']}")


TIMELINE_CSV = ["published", "low", "high", "qualifier", "unit", "claimant", "relayed", "track",
                "source", "article", "event", "surface", "quote"]


@cli.command()
@click.argument("figure")
@click.option("--json", "as_json", is_flag=True, help="One JSON line per observation.")
@click.option("--csv", "as_csv", is_flag=True,
              help="CSV with a header row, for a spreadsheet or pandas.")
@config_option
def timeline(figure: str, as_json: bool, as_csv: bool, config_path: str | None) -> None:
    """Show FIGURE's dated history with sources and claimants."""
    if as_json and as_csv:
        raise click.UsageError("--json and --csv cannot be used together: choose one")
    store = _open_store(config_path)
    if store is None:
        return
    with store:
        rows = store.timeline(figure)
        known = store.figure_ids()
    if not rows:
        raise FigmonError(f"no observations of figure '{figure}' in the database",
                          "known figures: " + (", ".join(known) or "none yet — run "
                                               "`figmon run --once` first"))
    if as_csv:
        out = csv.DictWriter(sys.stdout, TIMELINE_CSV, extrasaction="ignore",
                             lineterminator="\n")
        out.writeheader()
        out.writerows(rows)
        return
    kind = "count" if as_json else figure_kind(_rules_or_none(config_path), figure)
    for r in rows:
        if as_json:
            click.echo(json.dumps(r, ensure_ascii=False))
            continue
        value = value_text({k: r[k] for k in ("low", "high", "qualifier")},
                           track_kind(kind, r["track"]))
        who = r["claimant"] or "—"
        mark = f"  [{r['event'].upper()}]" if r["event"] else ""
        track = f" (track {r['claimant'] or r['track']})" if r["track"] else ""
        click.echo(f"{r['published'] or '?':<10.10}  {value:<22}{track}  claimant: {who}  "
                   f"source: {r['source'] or '?'}{mark}\n            {r['article']}")


@cli.command()
@click.argument("query")
@click.option("--limit", type=click.IntRange(1), default=20, show_default=True,
              help="Most articles to show, best matches first.")
@click.option("--json", "as_json", is_flag=True, help="One JSON line per article.")
@click.option("--raw", is_flag=True,
              help="Pass QUERY to SQLite FTS5 as it is (AND, OR, NEAR, \"phrases\", prefix*).")
@config_option
def search(query: str, limit: int, as_json: bool, raw: bool, config_path: str | None) -> None:
    """Full-text search over stored articles; words match any of their forms."""
    if not query.strip():
        raise click.UsageError("the search query is empty: give one or more words")
    store = _open_store(config_path)
    if store is None:
        return
    with store:
        hits = store.search(query, limit, raw=raw)
    for h in hits:
        if as_json:
            click.echo(json.dumps(h, ensure_ascii=False))
            continue
        click.echo(f"{h['published'] or '?':<10.10}  {h['outlet'] or h['source'] or '?'}  "
                   f"{h['title']}\n  {h['url']}\n  {h['snippet']}")
    if not hits:
        click.echo("no matching articles", err=True)


@cli.command()
@click.option("--json", "as_json", is_flag=True,
              help="One JSON object: sources, figures, pending_deliveries, counts.")
@config_option
def status(as_json: bool, config_path: str | None) -> None:
    """Show sources, current figure values and pending deliveries."""
    store = _open_store(config_path)
    if store is None:
        return
    rules = _rules_or_none(config_path)
    with store:
        report = status_report(store, rules)
    if as_json:
        for s in report["sources"]:
            s.pop("state", None)  # fetch bookkeeping (validators, files seen), not status
        click.echo(json.dumps(report, ensure_ascii=False))
        return
    click.echo("Sources:")
    for s in report["sources"]:
        click.echo(f"  {s['name']} ({s['kind']}): last run {s['last_run'] or 'never'}, "
                   f"{s['articles_new']} new of {s['articles_found']} found in {s['runs']} "
                   f"run(s); last error: {s['last_error'] or 'none'}")
    if not report["sources"]:
        click.echo("  none run yet")
    click.echo("Figures:")
    for f in report["figures"]:
        track = f" [{f['claimant'] or f['track']}]" if f["track"] else ""
        click.echo(f"  {f['figure']}{track}: "
                   f"{value_text(f['value'], figure_kind(rules, f['figure'], f['track']))} "
                   f"as of {f['published'] or '?'} ({f['agreeing']} agreeing of "
                   f"{f['observations']} report(s))")
    if not report["figures"]:
        click.echo("  none observed yet")
    click.echo(f"Pending deliveries: {report['pending_deliveries']}")
    failed = report.get("failed_deliveries") or []
    click.echo(f"Failed deliveries: {len(failed)}")
    for d in failed:
        retry = "refused for good" if d["status"] == "failed" else \
            f"retried after {d['next_attempt_at'] or 'now'}"
        click.echo(f"  {d['email']}: {d['subject'] or '?'} — {d['attempts']} attempt(s), "
                   f"{retry}: {d['last_error'] or '?'}")
    quarantined = report.get("quarantined") or []
    click.echo(f"Quarantined articles: {len(quarantined)}")
    for q in quarantined:
        click.echo(f"  {q['source']}: {q['item']} (since {q['first_seen']}): {q['reason']}")

    click.echo(f"Near misses: {report['near_misses']}"
               + (" (see `figmon unmatched`)" if report["near_misses"] else ""))


@cli.command()
@click.option("--since", type=click.DateTime(["%Y-%m-%d"]), metavar="YYYY-MM-DD",
              help="Only articles published on or after this day.")
@click.option("--json", "as_json", is_flag=True,
              help="One JSON line per noun: count, reasons and every near miss.")
@click.option("--examples", type=click.IntRange(0), default=2, show_default=True,
              help="Sentences shown under each noun in the table.")
@config_option
def unmatched(since: Any, as_json: bool, examples: int, config_path: str | None) -> None:
    """List near misses: numbers that name a tracked subject but matched no figure,
    grouped by the noun they count, so a missing rule term stands out."""
    store = _open_store(config_path)
    if store is None:
        return
    with store:
        rows = store.near_misses(published_since=since.date().isoformat() if since else None)
    groups = near_miss_groups(rows)
    for g in groups:
        if as_json:
            click.echo(json.dumps(g, ensure_ascii=False))
            continue
        reasons = ", ".join(f"{why} ×{n}" for why, n in g["reasons"].items())
        click.echo(f"{g['count']:>4} × {g['noun']}   ({reasons})")
        for item in g["items"][:examples]:
            click.echo(f"         [{item['surface']}] {item['quote']}\n"
                       f"           {item['article']}")
    if not groups and not as_json:
        click.echo("no near misses" + (" since then" if since else ""), err=True)

def _settings(config_path: str | None) -> Any:
    """The validated config; with no figmon.yaml here, a ConfigError that says how
    to start (`figmon init`)."""
    return load_config(config_path, required=True)


def _open_store(config_path: str | None) -> Any:
    """The configured database, or None (with a note) when it does not exist yet."""
    settings = _settings(config_path)
    if not settings.database.exists():
        click.echo(f"no database at {settings.database} yet: run `figmon run --once` "
                   "first", err=True)
        return None
    return Store.open(settings.database)


def _rules_or_none(config_path: str | None) -> RuleSet | None:
    """The rules when they load; status still works without them (exact comparison)."""
    try:
        return load_rules(load_config(config_path).rules)
    except FigmonError:
        return None


# --- digest and delivery ------------------------------------------------------

@cli.command()
@click.option("--dry-run", is_flag=True, help="Build and print the digest; send nothing.")
@config_option
def digest(dry_run: bool, config_path: str | None) -> None:
    """Build a digest of pending events now and deliver it."""
    settings = _settings(config_path)
    if dry_run and not settings.database.exists():
        click.echo("Nothing to digest: no database yet (run `figmon run --once` first).")
        return
    ctx = _digest_context(settings)
    try:
        built = [b for b in [dg.build(ctx, dry_run=dry_run)] if b is not None]
        built += dg.build_daily(ctx, force=True, dry_run=dry_run)
        if not dry_run:
            dg.write_archive(ctx)
            report = deliver_pending(ctx)
    finally:
        ctx.close()
    if not built:
        click.echo("Nothing to digest: no new events since the last digest.")
    for b in built:
        to = ", ".join(o.email for o in b.outgoing) or "no subscriber (archive only)"
        if dry_run:
            click.echo(f"Subject: {b.rendered.subject}\nTo: {to}\n\n{b.rendered.text}")
        else:
            click.echo(f"{b.cadence} digest: {b.rendered.subject} → {to}")
    if dry_run:
        click.echo("(dry run: nothing sent, nothing recorded)")
        return
    click.echo(f"Delivered {len(report.sent)}, to retry {len(report.retry)}, "
               f"failed {len(report.failed)}; archive: {settings.reports / 'index.html'}")
    for err in report.errors:
        click.echo(f"  {err}", err=True)
    if report.retry or report.failed:
        raise TemporaryDeliveryError(
            f"{len(report.retry) + len(report.failed)} deliveries were not sent",
            "Pending ones are retried with back-off on the next run or `figmon digest`; "
            "failed ones were refused by the server (see the reasons above).")


def _digest_context(settings: Any) -> Any:
    """Store + rules for digest commands; titles fall back to figure ids without rules."""
    try:
        rules: RuleSet = load_rules(settings.rules)
    except FigmonError:
        rules = NoRules()
    return Context(settings=settings, store=Store.open(settings.database), rules=rules)


@cli.command("test-email")
@click.argument("address")
@config_option
def test_email(address: str, config_path: str | None) -> None:
    """Send a test message to ADDRESS through the configured delivery."""
    where = send_test(_settings(config_path), address)
    click.echo(f"Test message to {address} sent via {where}")


@cli.group()
def subscribers() -> None:
    """Manage digest subscribers."""


@subscribers.command("add")
@click.argument("address")
@click.option("--figures", multiple=True, help="Figure id or glob (repeatable; default: all).")
@click.option("--cadence", type=click.Choice(["immediate", "daily"]), default="immediate",
              show_default=True, help="When to send.")
@config_option
def subscribers_add(address: str, figures: tuple[str, ...], cadence: str,
                    config_path: str | None) -> None:
    """Subscribe ADDRESS to digests: an e-mail address, an http(s):// URL (a webhook
    receiving JSON) or an Apprise URL (tgram://, slack://, ntfy://, json:// ...)."""


    kind, normal = guess(address)  # a non-address is refused first
    if kind == "email":
        domain = normal.rpartition("@")[2]
        if "." not in domain.strip(".") or domain.startswith(".") or domain.endswith("."):
            raise InputError(f"'{address}' has no dot in its domain ('{domain}'), so mail to "
                             "it cannot be delivered",
                             "Give a full address like analyst@example.org.")
    settings = _settings(config_path)
    with Store.open(settings.database) as store:
        sub = subs.add(store, address, figures, cadence, channel=kind)
        known = set(store.figure_ids())
    rules = _rules_or_none(config_path)
    known |= set(figures_of(rules))
    for glob in figures:
        if not any(fnmatchcase(f, glob) for f in known):
            click.echo(f"warning: --figures '{glob}' matches no figure yet (known: "
                       f"{', '.join(sorted(known)) or 'none'}); check the spelling", err=True)
    taken = {"email": "an e-mail address", "webhook": "a webhook (JSON POST)",
             "apprise": "an Apprise URL"}[kind]
    click.echo(f"Subscribed {sub.email} ({sub.cadence}; figures: "
               f"{', '.join(sub.figures) or 'all'}), taken as {taken}")


@subscribers.command("list")
@config_option
def subscribers_list(config_path: str | None) -> None:
    """List subscribers."""
    settings = _settings(config_path)
    with Store.open(settings.database) as store:
        rows = subs.active(store, settings, sync=False)
    for s in rows:
        origin = " (figmon.yaml)" if s.origin == "config" else ""
        kind = "" if s.channel == "email" else f" [{s.channel}]"
        click.echo(f"{s.email}\t{s.cadence}\t{', '.join(s.figures) or '*'}{origin}{kind}")
    if not rows:
        click.echo("No subscribers: add one with `figmon subscribers add ADDRESS`.")


@subscribers.command("remove")
@click.argument("email", metavar="ADDRESS")
@config_option
def subscribers_remove(email: str, config_path: str | None) -> None:
    """Unsubscribe ADDRESS (an e-mail address, webhook URL or Apprise URL)."""
    settings = _settings(config_path)
    with Store.open(settings.database) as store:
        removed = subs.remove(store, email, settings)
    if not removed:
        raise InputError(f"{email} is not subscribed",
                         "See `figmon subscribers list` for the addresses.")
    click.echo(f"Unsubscribed {email}")


# --- web --------------------------------------------------------------------------

@cli.command()
@click.option("--host", default=None, metavar="ADDRESS",
              help="Address to listen on (default: serve.host, 127.0.0.1: this machine only).")
@click.option("--port", type=click.IntRange(1, 65535), default=None,
              help="Port to listen on (default: serve.port, 8750).")
@config_option
def serve(host: str | None, port: int | None, config_path: str | None) -> None:
    """Serve the archive live: figures, events, an Atom feed, search, a JSON API,
    /status, Prometheus /metrics and one-click /unsubscribe.  Read-only on the data
    except for unsubscribing."""
    settings = load_config(config_path)
    options = settings.serve_options()
    host = host or str(options["host"])
    port = port or int(options["port"])
    if not settings.database.exists():
        click.echo(f"no database at {settings.database} yet: the pages stay empty until "
                   "`figmon run --once` fills it", err=True)
    srv = server(settings, host=host, port=port, rules=_rules_or_none(config_path))
    for line in announce(host, port):
        click.echo(line, err=line.startswith("note:"))
    try:
        run_in_foreground(srv)
    except SystemExit:  # uvicorn's answer to a port it cannot bind (reason logged above)
        raise InputError(f"cannot listen on {host}:{port} (in use, or not an address of "
                         "this machine)", "Choose another --port or --host.") from None
    click.echo("figmon serve stopped", err=True)


def main(argv: list[str] | None = None) -> None:
    """Entry point: run the CLI and map figmon errors to exit codes."""
    try:
        cli.main(args=argv, prog_name="figmon", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(130)
    except click.exceptions.UsageError as exc:
        exc.show()
        sys.exit(1)
    except click.exceptions.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except FigmonError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(exc.exit_code)
    except BrokenPipeError:
        sys.exit(0)
    except Exception as exc:  # noqa: BLE001 - a bug still gets a message, not a traceback

        if os.environ.get("FIGMON_DEBUG"):
            traceback.print_exc()
        click.echo(f"error: unexpected {type(exc).__name__}: {exc}\n  This is a figmon bug: "
                   "please report it with FIGMON_DEBUG=1 set to include the details.",
                   err=True)
        sys.exit(1)
    sys.exit(0)
