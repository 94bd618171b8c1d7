"""Every number and date a person can type in the CLI is bounded: understood, or refused
in one sentence with exit 2, never an OverflowError and never silently read as another
day. The options are found by walking the commands, so a new one is covered too."""

from __future__ import annotations

import click
import pytest

from attunement.cli import cli

from .test_cli_reference import all_commands

HUGE = "999999999999999999999"
BAD_DATES = ["99999-01-01", "0001-01-01", "9999-12-31", "2026-13-01", HUGE + " days ago"]


def typed_options():
    for name, command in all_commands(cli):
        for param in command.params:
            if not isinstance(param, click.Option):
                continue
            if isinstance(param.type, click.types.IntParamType | click.types.FloatParamType):
                yield name, command, param, "number"
            elif param.metavar == "DATE":
                yield name, command, param, "date"


OPTIONS = list(typed_options())


def _invocation(name: str, command: click.Command, option: click.Option, value: str):
    args = name.split()
    for param in command.params:
        if isinstance(param, click.Argument) and param.required:
            args.append("x")
    return [*args, option.opts[0], value]


def test_the_walk_finds_the_options_people_type():
    found = {(name, param.opts[-1]) for name, _, param, _ in OPTIONS}
    for expected in [
        ("list", "--limit"),
        ("search", "--limit"),
        ("checkins", "--limit"),
        ("history", "--revision"),
        ("list", "--since"),
        ("checkins", "--until"),
        ("checkin", "--ease"),
    ]:
        assert expected in found


@pytest.mark.parametrize(
    "name,command,option,kind",
    OPTIONS,
    ids=[f"{name} {param.opts[-1]}" for name, _, param, _ in OPTIONS],
)
def test_every_number_and_date_option_is_bounded(attune, name, command, option, kind):
    if kind == "number":
        assert isinstance(option.type, click.IntRange | click.FloatRange)
        assert option.type.min is not None and option.type.max is not None
        values = [HUGE, "-" + HUGE]
    else:
        values = BAD_DATES
    attune("write", "one entry so that every command has something to read")
    for value in values:
        result = attune(*_invocation(name, command, option, value), ok=False)
        said = result.stderr.strip()
        assert result.exit_code == 2, (value, result.output)
        assert "Traceback" not in result.output and "Overflow" not in result.output
        # click's own refusal adds a usage line above its one sentence
        assert said and len(said.splitlines()) <= 4, said
        assert said.splitlines()[-1].count(". ") == 0, said
        if kind == "date":
            assert value.split()[0] in said and "YYYY-MM-DD" in said, said
