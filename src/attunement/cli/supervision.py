"""Taking your practice to supervision: packet."""

from __future__ import annotations

from pathlib import Path

import click

from attunement.cli.context import AppContext
from attunement.cli.entries import _filter_options, _make_filter
from attunement.cli.output import emit_json, hint, json_option, ok

pass_app = click.make_pass_decorator(AppContext)


@click.command()
@click.argument("entry_ids", nargs=-1, metavar="[ENTRY_ID]...")
@_filter_options
@click.option(
    "--question",
    "questions",
    multiple=True,
    metavar="TEXT",
    help="A question you are bringing to supervision (repeat for more).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["md", "html"]),
    default="md",
    show_default=True,
    help="Markdown, or a self-contained HTML page (print it to PDF from a browser).",
)
@click.option("--out", type=click.Path(path_type=Path), help="Write to this new file.")
@click.option(
    "--no-redact",
    is_flag=True,
    help="Keep names, dates, places and numbers as written (only for your own eyes).",
)
@json_option
@pass_app
def packet(
    app: AppContext,
    entry_ids,
    since,
    until,
    tags,
    prompt_id,
    starred,
    questions,
    fmt,
    out,
    no_redact,
    as_json,
) -> None:
    """Make a supervision packet: chosen entries, your check-in and practice figures for
    the period, and the questions you are bringing.

    Choose entries by id, or by --since/--until/--tag/--prompt/--starred. The packet is
    meant for someone else, so names, dates, places, contact details and record numbers
    are replaced by placeholders ([Client A], [Date 1]) that stay the same across the
    whole packet; read it through before you share it.
    """
    from attunement.paths import new_file
    from attunement.supervision import packet as supervision

    filtering = since or until or tags or prompt_id or starred
    chosen = supervision.Selection(
        entry_ids=tuple(entry_ids),
        filter=_make_filter(since, until, tags, prompt_id, starred) if filtering else None,
        questions=tuple(questions),
        redact=not no_redact,
    )
    made, document = supervision.export(app.journal, chosen, fmt)
    if as_json:
        emit_json({**made.to_dict(), "document": document})
        return
    if out is None:
        click.echo(document, nl=False)
    else:
        with new_file(out) as part:
            part.write_text(document, encoding="utf-8")
    if not made.redacted:
        hint("Not redacted: this packet may name people in your care.")
    if out is not None:
        replaced = sum(made.replaced.values())
        ok(
            f"Wrote a supervision packet of {len(made.entries)} entries to {out}"
            + (f"; {replaced} identifying details replaced." if made.redacted else ".")
        )


COMMANDS = [packet]
