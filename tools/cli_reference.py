"""Write docs/cli.md from the commands' own --help, so the reference never drifts.

python tools/cli_reference.py > docs/cli.md
"""

from __future__ import annotations

import click

from attunement.cli import load_all_commands

INTRO = """\
# CLI reference

Generated from `attune --help` by `tools/cli_reference.py`; do not edit by hand.

Every read command takes `--json`; the shapes are in [json.md](json.md). Exit codes:
`0` done, `1` not found or already so, `2` bad input, `3` the data folder cannot be used.
Expected failures print one sentence on standard error (with `--json`, the object
`{"error": {"code", "message", "field"}}`).
"""


def _walk(group: click.Group, ctx: click.Context, path: list[str]):
    for name in sorted(group.commands):
        command = group.commands[name]
        sub = click.Context(command, info_name=name, parent=ctx)
        yield [*path, name], command, sub
        if isinstance(command, click.Group):
            yield from _walk(command, sub, [*path, name])


def render() -> str:
    cli = load_all_commands()
    root = click.Context(
        cli,
        info_name="attune",
        terminal_width=88,
        max_content_width=88,
        help_option_names=["-h", "--help"],
    )
    parts = [INTRO, "## attune\n", "```text", cli.get_help(root), "```\n"]
    for path, command, ctx in _walk(cli, root, []):
        parts += [f"## attune {' '.join(path)}\n", "```text", command.get_help(ctx), "```\n"]
    return "\n".join(parts)


if __name__ == "__main__":
    print(render(), end="")
