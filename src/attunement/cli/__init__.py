"""The ``attune`` command.

Commands are thin: they parse options, call the services in ``attunement.core`` and print.
Only click is imported at start-up; a command imports what it needs when it runs, so
``attune --version`` answers without touching the database.

Exit codes: 0 done; 1 not found or already so; 2 bad input; 3 the data folder cannot be
used. Expected failures print one sentence on stderr (a JSON error object with --json).
"""

from __future__ import annotations

import sys
from typing import Any

import click

from attunement import __version__
from attunement.cli.context import AppContext
from attunement.cli.output import JSON_MODE, json_text, printable
from attunement.errors import AttuneError

# Which module holds each command: a command's module is imported only when it is run
# (or when help lists them all), so `attune list` does not load `attune serve`.
COMMAND_MODULES = {
    **dict.fromkeys(("today", "prompts", "prompt", "deck"), "prompts"),
    **dict.fromkeys(
        ("write", "list", "show", "edit", "history", "delete", "restore", "trash", "search"),
        "entries",
    ),
    "drafts": "entries",
    **dict.fromkeys(("checkin", "checkins"), "checkins"),
    **dict.fromkeys(("export", "import"), "transfer"),
    **dict.fromkeys(("analyze", "eval"), "analyze"),
    "practice": "practice",
    "transcript": "transcripts",
    **dict.fromkeys(("deid", "people"), "deid"),
    "packet": "supervision",
    **dict.fromkeys(
        ("init", "encrypt", "decrypt", "passphrase", "backup", "check", "audit"), "privacy"
    ),
    **dict.fromkeys(("serve", "lock"), "serve"),
    "server": "server",
    "share": "share",
}


class AttuneGroup(click.Group):
    def load_module(self, module: str) -> None:
        from importlib import import_module

        for command in import_module(f"attunement.cli.{module}").COMMANDS:
            self.add_command(command)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in COMMAND_MODULES:
            self.load_module(COMMAND_MODULES[cmd_name])
        return self.commands.get(cmd_name)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*self.commands, *COMMAND_MODULES})

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except AttuneError as exc:
            # A message can carry a team server's words: printed without its controls.
            if ctx.meta.get(JSON_MODE):
                click.echo(json_text(exc.to_dict(), indent=None), err=True)
            else:
                click.echo(f"Error: {printable(exc.message)}", err=True)
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


def load_all_commands() -> click.Group:
    """Every command registered (for help over all of them, and the CLI reference)."""
    for module in dict.fromkeys(COMMAND_MODULES.values()):
        cli.load_module(module)
    return cli


def main() -> None:
    try:
        cli.main(prog_name="attune")
    except BrokenPipeError:  # e.g. `attune list | head`: stop quietly
        sys.stderr.close()
        sys.exit(0)
