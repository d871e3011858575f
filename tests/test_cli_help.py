"""Every CLI command has help text."""

from __future__ import annotations

import click
import pytest
from click.testing import CliRunner

from monitor.cli import cli


def _commands(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    out: list[tuple[str, ...]] = []
    for name, cmd in group.commands.items():
        out.append(prefix + (name,))
        if isinstance(cmd, click.Group):
            out.extend(_commands(cmd, prefix + (name,)))
    return out


@pytest.mark.parametrize("path", _commands(cli), ids=lambda p: " ".join(p))
def test_every_command_has_help(path: tuple[str, ...]) -> None:
    result = CliRunner().invoke(cli, [*path, "--help"])
    assert result.exit_code == 0, result.output
    cmd: click.Command = cli
    for name in path:
        assert isinstance(cmd, click.Group)
        cmd = cmd.commands[name]
    assert cmd.help and len(cmd.help.strip()) > 10
    assert cmd.help.strip().split("\n")[0] in result.output


def test_contract_commands_exist() -> None:
    names = {" ".join(p) for p in _commands(cli)}
    for required in ["run", "quantities", "scan", "events", "rules check", "rules test",
                     "timeline", "search", "digest", "test-email", "status",
                     "subscribers add", "subscribers list", "subscribers remove", "unmatched"]:
        assert required in names
