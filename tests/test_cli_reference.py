"""Every command explains itself, and the CLI reference documents every command."""

from __future__ import annotations

import click
import pytest

from attunement import __version__
from attunement.cli import cli

from .conftest import REPO


def all_commands(group: click.Group, prefix: str = ""):
    for name, command in group.commands.items():
        yield f"{prefix}{name}", command
        if isinstance(command, click.Group):
            yield from all_commands(command, f"{prefix}{name} ")


COMMANDS = list(all_commands(cli))


@pytest.mark.parametrize("name,command", COMMANDS, ids=[n for n, _ in COMMANDS])
def test_every_command_and_option_has_help(name, command):
    assert command.help, f"`attune {name}` has no help text"
    for param in command.params:
        if isinstance(param, click.Option):
            assert param.help, f"`attune {name} {param.opts[0]}` has no help"


def test_the_cli_reference_mentions_every_command():
    reference = (REPO / "docs" / "cli.md").read_text(encoding="utf-8")
    for name, _ in COMMANDS:
        assert f"attune {name}" in reference, f"docs/cli.md does not document `attune {name}`"


def test_version(attune):
    assert attune("--version").stdout.strip() == f"attune {__version__}"


def test_the_cli_reference_is_current():
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "cli_reference", REPO / "tools" / "cli_reference.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    current = (REPO / "docs" / "cli.md").read_text(encoding="utf-8")
    assert current == module.render(), "run: python tools/cli_reference.py > docs/cli.md"
