"""Practice commands: practice (a session), practice list, respond, progress."""

from __future__ import annotations

import textwrap

import click

from attunement.cli.context import AppContext
from attunement.cli.output import emit_json, empathy_lines, hint, json_option, read_stdin
from attunement.core.dates import day_text
from attunement.practice.dimensions import DIMENSION_NAMES, LEVEL_KEY, figure_text
from attunement.wording import plural

SHOWN_WEEKS = 4  # the latest weeks of progress a terminal shows (all of them: --json)
CELL = 18  # "strong (1.5 of 2)" and a space

pass_app = click.make_pass_decorator(AppContext)


def _wrap(text: str, indent: str = "  ") -> str:
    return textwrap.fill(text, width=78, initial_indent=indent, subsequent_indent=indent)


def _show_statement(v) -> None:
    click.echo(
        click.style(
            f"{v.id} · {v.setting.replace('-', ' ')} · "
            f"{', '.join(v.themes)} · difficulty {v.difficulty}",
            dim=True,
        )
    )
    click.echo(_wrap(f"“{v.statement}”"))


def _show_feedback(fb, v) -> None:
    from attunement.practice.feedback import READINGS_NOTE

    mi = fb.mi
    click.echo(
        click.style("What your response does", bold=True)
        + f": {mi.code}{f' ({mi.subtype})' if mi.subtype else ''}"
    )
    for line in empathy_lines(fb.empathy, fb.response):
        click.echo(line)
    for sign in fb.power_signs:
        click.echo(
            click.style(f"  {sign.name}: ", fg="yellow")
            + ", ".join(f"“{e}”" for e in sign.evidence(fb.response))
        )
    click.echo(click.style(_wrap(READINGS_NOTE, "  "), dim=True))
    if len(fb.moves) > 1 or fb.unsure:
        for move in fb.moves:
            unsure = " (not sure)" if move["unsure"] else ""
            click.echo(f"  “{move['text']}”: {move['name']}{unsure}")
    if fb.did_well:
        click.echo(click.style("Done well: ", fg="green") + fb.did_well)
    click.echo(click.style("To try: ", fg="cyan") + fb.try_next)
    click.echo(click.style("Attuned responses others might give:", dim=True))
    for example in v.responses:
        click.echo(click.style(_wrap(f"– {example}", "  "), dim=True))


@click.group(invoke_without_command=True)
@click.option("--theme", help="Only statements on this theme (see `attune practice list`).")
@click.option(
    "-n",
    "count",
    type=click.IntRange(1, 1000),
    default=5,
    show_default=True,
    help="How many statements in the session.",
)
@click.pass_context
def practice(ctx: click.Context, theme: str | None, count: int) -> None:
    """Practise attuned responses to client statements, with feedback on each.

    With no subcommand, runs a session at the terminal: an optional check-in, then N
    statements; weak themes come back more often. Feedback always comes with practice.
    """
    if ctx.invoked_subcommand is not None:
        return
    from attunement.errors import InvalidInput
    from attunement.practice import service

    app: AppContext = ctx.obj
    if not AppContext.interactive():
        raise InvalidInput(
            "A practice session needs a terminal; use `attune practice "
            "respond ID --text T` from scripts."
        )
    chosen = service.choose(app.journal, n=count, theme=theme)
    ease = click.prompt(
        "Before you start: how at ease are you right now? (0-10, Enter to skip)",
        default="",
        show_default=False,
    ).strip()
    value = int(ease) if ease.isdigit() and 0 <= int(ease) <= 10 else None
    checkin_id = service.ease_before(app.journal, value)
    for number, v in enumerate(chosen, start=1):
        click.echo()
        click.echo(click.style(f"Statement {number} of {len(chosen)}", bold=True))
        _show_statement(v)
        response = click.prompt(
            "Your response (Enter to skip)", default="", show_default=False
        ).strip()
        if not response:
            continue
        fb, _ = service.respond(app.journal, v.id, response, checkin_id=checkin_id)
        _show_feedback(fb, v)
    click.echo()
    hint("See how you are doing over time with `attune practice progress`.")


@practice.command(name="list")
@click.option("--theme", help="Only statements on this theme.")
@json_option
def list_(theme: str | None, as_json: bool) -> None:
    """List the practice statements."""
    from attunement.practice.vignettes import by_theme

    items = by_theme(theme)
    if as_json:
        emit_json({"vignettes": [v.to_dict(with_examples=False) for v in items]})
        return
    for v in items:
        _show_statement(v)


@practice.command()
@click.argument("vignette_id")
@click.argument("stdin_marker", metavar="[-]", required=False)
@click.option("--text", help="Your response; '-' reads it from standard input.")
@json_option
@pass_app
def respond(
    app: AppContext,
    vignette_id: str,
    stdin_marker: str | None,
    text: str | None,
    as_json: bool,
) -> None:
    """Respond to one statement and get feedback (the attempt is kept). Give the response
    with --text, or '-' to read it from standard input."""
    from attunement.errors import InvalidInput
    from attunement.practice.views import answer

    if stdin_marker is not None:
        if stdin_marker != "-" or text is not None:
            raise InvalidInput(
                "Give the response either with --text or as '-' for standard input, not both.",
                field="text",
            )
        text = "-"
    if text is None:
        raise InvalidInput(
            "Give your response with --text, or '-' to read it from standard input.", field="text"
        )
    response = read_stdin() if text == "-" else text
    done = answer(app.journal, vignette_id, response)  # what the API answers, too
    if as_json:
        emit_json(done.to_dict(examples=False))
        return
    _show_statement(done.vignette)
    _show_feedback(done.feedback, done.vignette)


@practice.command()
@json_option
@pass_app
def progress(app: AppContext, as_json: bool) -> None:
    """How your responses have developed, per dimension, week by week."""
    from attunement.practice import service

    result = service.progress(app.journal)
    if as_json:
        emit_json(result.to_dict())
        return
    if not result.attempts:
        click.echo("No practice yet: `attune practice` starts a session.")
        return
    click.echo(f"{plural(result.attempts, 'response')} over {plural(len(result.weeks), 'week')}.")
    width = max(len(name) for name in DIMENSION_NAMES.values()) + 2
    weeks = result.weeks[-SHOWN_WEEKS:]
    click.echo(f"{'week of':<{width}}" + "".join(f"{day_text(w):>{CELL}}" for w in weeks))
    for dimension, values in result.per_week.items():
        name = DIMENSION_NAMES.get(dimension, dimension)
        cells = (figure_text(dimension, v) for v in values[-SHOWN_WEEKS:])
        click.echo(f"{name:<{width}}" + "".join(f"{c:>{CELL}}" for c in cells))
    click.echo(
        _wrap(
            f"Each week's average: the feedback reads each response as {LEVEL_KEY} on "
            "the first three; the other two are a share of the week's responses.",
            indent="",
        )
    )
    weakest = sorted(result.themes.items(), key=lambda kv: kv[1])[:3]
    if weakest:
        click.echo("Themes to practise more: " + ", ".join(f"{t} ({s:.2f})" for t, s in weakest))


COMMANDS = [practice]
