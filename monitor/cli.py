"""Command line: parses arguments, calls the pipeline modules, prints.

This is the only place where exceptions become exit codes:
0 success, 1 a figmon error (message on stderr), 2 usage error.
Imports of pipeline modules are done inside commands to keep start-up fast.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any, TypeVar

import click

from . import __version__
from .errors import FigmonError

F = TypeVar("F", bound=Callable[..., Any])


def config_option(f: F) -> F:
    return click.option(
        "--config", "config_path", type=click.Path(dir_okay=False), default=None,
        help="Config file (default: ./figmon.yaml, or built-in defaults if absent).",
    )(f)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="figmon")
def cli() -> None:
    """figmon: track figures in ru/uk/en news and report when they change."""


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
def quantities(lang: str | None, jsonl: bool) -> None:
    """Extract every quantity from text on stdin (rule-free), as JSON."""
    _todo("quantities")


# --- rules and scanning -----------------------------------------------------

@cli.group()
def rules() -> None:
    """Check rule files and run their inline examples."""


@rules.command("check")
@click.argument("directory", required=False, type=click.Path(file_okay=True))
def rules_check(directory: str | None) -> None:
    """Validate every rule file in DIRECTORY (default: ./rules)."""
    _todo("rules check")


@rules.command("test")
@click.argument("directory", required=False, type=click.Path(file_okay=True))
def rules_test(directory: str | None) -> None:
    """Run every inline example in DIRECTORY's rules; print a pass/fail table."""
    _todo("rules test")


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("--rules", "rules_dir", type=click.Path(), default=None,
              help="Rules directory (default: ./rules).")
@click.option("--json", "as_json", is_flag=True, help="One JSON line per observation.")
def scan(paths: tuple[str, ...], rules_dir: str | None, as_json: bool) -> None:
    """Run article files or folders through the rules and print observations."""
    _todo("scan")


# --- pipeline and state ------------------------------------------------------

@cli.command()
@click.option("--once", is_flag=True, help="Do one full cycle and exit.")
@config_option
def run(once: bool, config_path: str | None) -> None:
    """Run the monitor: fetch sources, detect changes, send digests."""
    _todo("run")


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="One JSON line per event.")
@config_option
def events(as_json: bool, config_path: str | None) -> None:
    """List detected events (new and changed figures)."""
    _todo("events")


@cli.command()
@click.argument("figure")
@click.option("--json", "as_json", is_flag=True, help="One JSON line per observation.")
@config_option
def timeline(figure: str, as_json: bool, config_path: str | None) -> None:
    """Show FIGURE's dated history with sources and claimants."""
    _todo("timeline")


@cli.command()
@click.argument("query")
@config_option
def search(query: str, config_path: str | None) -> None:
    """Full-text search over stored articles."""
    _todo("search")


@cli.command()
@config_option
def status(config_path: str | None) -> None:
    """Show sources, current figure values and pending deliveries."""
    _todo("status")


# --- digest and delivery ------------------------------------------------------

@cli.command()
@click.option("--dry-run", is_flag=True, help="Build and print the digest; send nothing.")
@config_option
def digest(dry_run: bool, config_path: str | None) -> None:
    """Build a digest of pending events now and deliver it."""
    _todo("digest")


@cli.command("test-email")
@click.argument("address")
@config_option
def test_email(address: str, config_path: str | None) -> None:
    """Send a test message to ADDRESS through the configured delivery."""
    _todo("test-email")


@cli.group()
def subscribers() -> None:
    """Manage digest subscribers."""


@subscribers.command("add")
@click.argument("email")
@click.option("--figures", multiple=True, help="Figure id or glob (repeatable; default: all).")
@click.option("--cadence", type=click.Choice(["immediate", "daily"]), default="immediate",
              show_default=True, help="When to send.")
@config_option
def subscribers_add(email: str, figures: tuple[str, ...], cadence: str,
                    config_path: str | None) -> None:
    """Subscribe EMAIL to digests."""
    _todo("subscribers add")


@subscribers.command("list")
@config_option
def subscribers_list(config_path: str | None) -> None:
    """List subscribers."""
    _todo("subscribers list")


@subscribers.command("remove")
@click.argument("email")
@config_option
def subscribers_remove(email: str, config_path: str | None) -> None:
    """Unsubscribe EMAIL."""
    _todo("subscribers remove")


def main(argv: list[str] | None = None) -> None:
    """Entry point: run the CLI and map figmon errors to exit codes."""
    try:
        cli.main(args=argv, prog_name="figmon", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(130)
    except click.exceptions.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except FigmonError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(exc.exit_code)
    except BrokenPipeError:
        sys.exit(0)
    sys.exit(0)
