"""De-identification commands: deid, people."""

from __future__ import annotations

from pathlib import Path

import click

from attunement.cli.context import AppContext
from attunement.cli.output import emit_json, highlight, json_option, ok, read_stdin

pass_app = click.make_pass_decorator(AppContext)


@click.command()
@click.argument("stdin_marker", metavar="[-]", required=False)
@click.option("--text", help="The text to check.")
@click.option(
    "--batch",
    type=click.Path(dir_okay=False, path_type=Path),
    help='A JSON-lines file of {"id", "text"}; writes {"id", "findings"} per line (with'
    ' "redacted" under --redact).',
)
@click.option(
    "--redact",
    "show_redacted",
    is_flag=True,
    help="Print the text with each detail replaced by a placeholder.",
)
@json_option
@pass_app
def deid(app: AppContext, stdin_marker, text, batch, show_redacted, as_json) -> None:
    """Find identifying details (names, dates, ages over 89, places, addresses, postcodes,
    phone numbers, e-mails, record numbers, URLs, social-media handles, UK number plates),
    including the people on your list. Give --text, '-' for standard input, or --batch."""
    from attunement.analysis.deid import find, redact
    from attunement.errors import BATCH_LINE, InvalidInput

    people = app.journal.store.people()
    if batch is not None:
        from attunement.cli.batch import run_batch

        def handle(item: object) -> dict:
            if not isinstance(item, dict) or not isinstance(item.get("text"), str):
                raise InvalidInput(BATCH_LINE)
            findings = find(item["text"], people)
            return {
                "id": item.get("id"),
                "findings": [
                    {k: f.to_dict()[k] for k in ("type", "start", "end", "text")} for f in findings
                ],
                **({"redacted": redact(item["text"], findings)} if show_redacted else {}),
            }

        run_batch(batch, handle, "Checking")
        return
    if stdin_marker == "-":
        text = read_stdin()
    if not text or not text.strip():
        raise InvalidInput("Give the text with --text, '-' for standard input, or --batch.")
    findings = find(text, people)
    if as_json:
        emit_json(
            {
                "findings": [f.to_dict() for f in findings],
                **({"redacted": redact(text, findings)} if show_redacted else {}),
            }
        )
        return
    if show_redacted:
        click.echo(redact(text, findings))
        return
    click.echo(highlight(text, [(f.start, f.end) for f in findings]))
    for f in findings:
        click.echo(f"  {f.type:<9} “{f.text}”  ({f.confidence:.2f})")
    if not findings:
        ok("No identifying details found.")


@click.group()
def people() -> None:
    """The people in your care whose names should always be caught (kept in the journal,
    encrypted with it when it is encrypted)."""


@people.command(name="add")
@click.argument("name")
@pass_app
def people_add(app: AppContext, name: str) -> None:
    """Add a name (first names and full names both work)."""
    ok(f"Added {app.journal.add_person(name)}.")


@people.command(name="list")
@json_option
@pass_app
def people_list(app: AppContext, as_json: bool) -> None:
    """List the names."""
    names = app.journal.store.people()
    if as_json:
        emit_json({"people": names})
    else:
        for name in names:
            click.echo(name)


@people.command(name="remove")
@click.argument("name")
@pass_app
def people_remove(app: AppContext, name: str) -> None:
    """Remove a name."""
    app.journal.store.remove_person(name.strip())
    ok(f"Removed {name.strip()}.")


COMMANDS = [deid, people]
