"""The ``attune`` command.

Commands are thin: they parse options, call the services in ``attunement.core`` and print.
Only click is imported at start-up; a command imports what it needs when it runs, so
``attune --version`` answers without touching the database.

Exit codes: 0 done; 1 not found or already so; 2 bad input; 3 the data folder cannot be
used. Expected failures print one sentence on stderr (a JSON error object with --json).
"""

from __future__ import annotations

import json
import sys
from typing import Any

import click

from attunement import __version__
from attunement.cli.context import AppContext
from attunement.cli.output import JSON_MODE
from attunement.errors import AttuneError


class AttuneGroup(click.Group):
    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except AttuneError as exc:
            if ctx.meta.get(JSON_MODE):
                click.echo(json.dumps(exc.to_dict(), ensure_ascii=False), err=True)
            else:
                click.echo(f"Error: {exc.message}", err=True)
            ctx.exit(exc.exit_code)


@click.group(cls=AttuneGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(
    __version__, "--version", "-V", prog_name="attune", message="%(prog)s %(version)s"
)
@click.option(
    "--data-dir",
    type=click.Path(file_okay=False),
    envvar=None,
    help="Folder that holds the journal (default: $ATTUNE_HOME, else your user data folder).",
)
@click.option(
    "--passphrase-file",
    type=click.Path(dir_okay=False),
    help="Read an encrypted journal's passphrase from the first line of this file "
    "(or set ATTUNE_PASSPHRASE); otherwise you are asked.",
)
@click.pass_context
def cli(ctx: click.Context, data_dir: str | None, passphrase_file: str | None) -> None:
    """Attunement: a private practice companion for caregivers.

    Write reflections on the attunement prompts, check in on your posture of ease, and
    find any entry again. Everything stays on this machine.

    Start with `attune serve` (the app in your browser) or `attune today`.
    """
    ctx.obj = AppContext(data_dir, passphrase_file)
    ctx.call_on_close(ctx.obj.close)


def _register() -> None:
    from attunement.cli import (
        analyze,
        checkins,
        deid,
        entries,
        practice,
        privacy,
        prompts,
        serve,
        server,
        share,
        supervision,
        transcripts,
        transfer,
    )

    for module in (
        prompts,
        entries,
        checkins,
        transfer,
        analyze,
        practice,
        transcripts,
        deid,
        supervision,
        privacy,
        serve,
        server,
        share,
    ):
        for command in module.COMMANDS:
            cli.add_command(command)


_register()


def main() -> None:
    try:
        cli.main(prog_name="attune")
    except BrokenPipeError:  # e.g. `attune list | head`: stop quietly
        sys.stderr.close()
        sys.exit(0)
