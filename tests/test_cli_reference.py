"""Every command explains itself, and the CLI reference documents every command."""

from __future__ import annotations

import click
import pytest

from attunement import __version__
from attunement.cli import COMMAND_MODULES, load_all_commands

from .conftest import REPO


def all_commands(group: click.Group, prefix: str = ""):
    for name, command in group.commands.items():
        yield f"{prefix}{name}", command
        if isinstance(command, click.Group):
            yield from all_commands(command, f"{prefix}{name} ")


COMMANDS = list(all_commands(load_all_commands()))


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


def test_each_command_is_found_in_the_module_that_holds_it():
    """Commands load on first use from the module COMMAND_MODULES names: every command
    of every module is there, under its own module, and nothing else is."""
    import importlib

    found = {}
    for module in set(COMMAND_MODULES.values()):
        for command in importlib.import_module(f"attunement.cli.{module}").COMMANDS:
            found[command.name] = module
    assert found == COMMAND_MODULES
