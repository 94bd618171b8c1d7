"""Prompt commands: today, prompts, prompt, deck."""

from __future__ import annotations

import textwrap
from pathlib import Path

import click

from attunement.cli.context import AppContext
from attunement.cli.output import emit_json, json_option, ok, printable, when
from attunement.core.dates import day_text

pass_app = click.make_pass_decorator(AppContext)
DEFAULT_DECK = "art-of-attunement"


def _wrap(text: str, indent: str = "  ") -> str:
    return textwrap.fill(text, width=78, initial_indent=indent, subsequent_indent=indent)


@click.command()
@click.option(
    "--deck",
    "deck_id",
    default=DEFAULT_DECK,
    show_default=True,
    help="Which deck today's prompt comes from.",
)
@json_option
@pass_app
def today(app: AppContext, deck_id: str, as_json: bool) -> None:
    """Today's prompt, your writing streak and your last check-in."""
    from attunement.core.journal import label_of

    view = app.journal.today(deck_id=deck_id)
    if as_json:
        emit_json(view.to_dict())
        return
    click.echo(click.style(f"Today, {view.date:%A} {day_text(view.date)}", bold=True))
    click.echo()
    done = click.style("  (answered today)", fg="green") if view.prompt_answered_today else ""
    click.echo(click.style(f"Prompt {view.prompt.id}: {view.prompt.title}", bold=True) + done)
    click.echo(_wrap(view.prompt.text))
    click.echo(click.style(f"  Write: attune write --prompt {view.prompt.id}", dim=True))
    click.echo()
    if view.streak:
        days = "day" if view.streak == 1 else "days"
        note = "" if view.wrote_today else " (write today to keep it going)"
        click.echo(f"Streak: {view.streak} {days} of writing{note}")
    else:
        click.echo("Streak: none yet. A few lines today starts one.")
    if view.last_checkin:
        c = view.last_checkin
        scales = ", ".join(
            f"{k.replace('_', ' ')} {v}" for k, v in c.scales().items() if v is not None
        )
        click.echo(f"Last check-in: {when(c.at)}" + (f" ({scales})" if scales else ""))
    else:
        click.echo("No check-ins yet: `attune checkin` takes 20 seconds.")
    if view.last_entry:
        click.echo(
            f"Last entry: {view.last_entry.id} {when(view.last_entry.created_at)} "
            f"{label_of(view.last_entry)}"
        )
    if view.deadlines:
        from attunement.server.syncing import overdue_line

        overdue = overdue_line(list(view.deadlines), view.date)
        if overdue:  # words from the team server: printed without control characters
            click.echo(click.style(printable(overdue), fg="yellow"))


@click.command()
@click.option("--deck", "deck_id", help="Only this deck's prompts.")
@json_option
@pass_app
def prompts(app: AppContext, deck_id: str | None, as_json: bool) -> None:
    """List the prompts, and how often you have answered each."""
    journal = app.journal
    decks = [journal.decks.deck(deck_id)] if deck_id else list(journal.decks.decks)
    used = journal.reader.prompt_history()
    if as_json:
        emit_json(
            {
                "decks": [
                    {
                        **d.to_dict(),
                        "prompts": [
                            {
                                **p.to_dict(),
                                "answered": used[p.id].count if p.id in used else 0,
                                "last_answered": used[p.id].last.isoformat()
                                if p.id in used
                                else None,
                            }
                            for p in d.prompts
                        ],
                    }
                    for d in decks
                ]
            }
        )
        return
    for deck in decks:
        click.echo(click.style(f"{deck.name} ({deck.id})", bold=True))
        if deck.quoted:
            click.echo(click.style(f"  Prompts quoted from “{deck.source_title}”.", dim=True))
        for prompt in deck.prompts:
            count = used[prompt.id].count if prompt.id in used else 0
            mark = click.style(f"  answered {count}×", fg="green") if count else ""
            click.echo(f"{click.style(prompt.id, fg='green')}  {prompt.title}{mark}")
            click.echo(_wrap(prompt.text, "    "))
        click.echo()


@click.command()
@click.argument("prompt_id", required=False)
@click.option("--next", "pick_next", is_flag=True, help="The next prompt you have not answered.")
@click.option("--random", "pick_random", is_flag=True, help="A prompt at random.")
@click.option(
    "--deck",
    "deck_id",
    default=DEFAULT_DECK,
    show_default=True,
    help="The deck for --next and --random.",
)
@json_option
@pass_app
def prompt(app: AppContext, prompt_id, pick_next, pick_random, deck_id, as_json) -> None:
    """Show one prompt: by ID, the --next one to answer, or one at --random."""
    from attunement.errors import InvalidInput

    if sum(bool(x) for x in (prompt_id, pick_next, pick_random)) > 1:
        raise InvalidInput("Choose one of: a prompt ID, --next or --random.")
    journal = app.journal
    if prompt_id:
        chosen = journal.decks.prompt(prompt_id)
    elif pick_random:
        chosen = journal.random_prompt(deck_id=deck_id)
    else:
        chosen = journal.next_prompt(deck_id=deck_id)
    if as_json:
        emit_json(chosen.to_dict())
        return
    click.echo(click.style(f"{chosen.id}: {chosen.title}", bold=True))
    click.echo(_wrap(chosen.text))
    click.echo(click.style(f"  Write: attune write --prompt {chosen.id}", dim=True))


@click.group()
def deck() -> None:
    """Prompt decks: list them, or add your own from a TOML or YAML file."""


@deck.command(name="list")
@json_option
@pass_app
def deck_list(app: AppContext, as_json: bool) -> None:
    """List the decks you can write from."""
    decks = app.journal.decks.decks
    if as_json:
        emit_json({"decks": [d.to_dict() for d in decks]})
        return
    for d in decks:
        origin = "built in" if d.builtin else "yours"
        click.echo(
            f"{click.style(d.id, fg='green')}  {d.name}  ({len(d.prompts)} prompts, {origin})"
        )


@deck.command(name="add")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--replace", is_flag=True, help="Replace your deck with the same id.")
@pass_app
def deck_add(app: AppContext, path: Path, replace: bool) -> None:
    """Add a deck from a TOML or YAML file (see docs/decks.md for the layout)."""
    added = app.journal.add_deck(path, replace=replace)
    ok(f"Added the deck '{added.id}' with {len(added.prompts)} prompts.")


@deck.command(name="remove")
@click.argument("deck_id")
@pass_app
def deck_remove(app: AppContext, deck_id: str) -> None:
    """Remove a deck you added (entries that answered its prompts are kept)."""
    app.journal.remove_deck(deck_id)
    ok(f"Removed the deck '{deck_id}'.")


COMMANDS = [today, prompts, prompt, deck]
