"""Practice commands: practice (a session), practice list, respond, progress."""

from __future__ import annotations

import click

from attunement.cli.context import AppContext
from attunement.cli.output import (
    Terms,
    emit_json,
    empathy_lines,
    hint,
    json_option,
    read_stdin,
    wrapped,
)
from attunement.core.dates import day_text
from attunement.practice.dimensions import DIMENSION_NAMES, LEVEL_KEY, figure_text
from attunement.wording import name_of, part_said, plural, reply_said

SHOWN_WEEKS = 4  # the latest weeks of progress a terminal shows (all of them: --json)
CELL = 18  # "strong (1.5 of 2)" and a space

pass_app = click.make_pass_decorator(AppContext)


def _wrap(text: str, indent: str = "  ") -> str:
    return wrapped(text, indent)


def _show_statement(v, terms: Terms) -> None:
    """A statement as the practice page heads it: its setting and themes by name."""
    themes = ", ".join(terms.named(t) for t in v.themes)
    click.echo(
        click.style(
            f"{v.id} · {name_of(v.setting)} · {themes} · difficulty {v.difficulty} of 3",
            dim=True,
        )
    )
    click.echo(_wrap(f"“{v.statement}”"))


def _show_feedback(fb, v, terms: Terms) -> None:
    """The feedback page's words (``attunement.wording``), each MI term once in brackets."""
    from attunement.practice.feedback import READINGS_NOTE

    words, term = reply_said(fb.mi.code, fb.mi.subtype)
    click.echo(
        click.style("What your response does", bold=True)
        + f": {terms(words, f'MI term: {term}' if term else '')}"
    )
    for line in empathy_lines(fb.empathy, fb.response):
        click.echo(line)
    for sign in fb.power_signs:
        click.echo(
            click.style(f"  {sign.name}: ", fg="yellow")
            + ", ".join(f"“{e}”" for e in sign.evidence(fb.response))
        )
    if len(fb.moves) > 1 or fb.unsure:
        click.echo("  Part by part:")
        for move in fb.moves:
            unsure = " (not sure)" if move["unsure"] else ""
            click.echo(f"    “{move['text']}”: {terms(*part_said(move['code']))}{unsure}")
    click.echo(click.style(_wrap(READINGS_NOTE, "  "), dim=True))
    if fb.did_well:
        click.echo(click.style("Done well: ", fg="green") + fb.did_well)
    click.echo(click.style("To try: ", fg="cyan") + fb.try_next)
    click.echo(click.style("Attuned responses others might give:", dim=True))
    for example in v.responses:
        click.echo(click.style(_wrap(f"– {example}", "  "), dim=True))


def _theme_id(_ctx: click.Context, _param: click.Parameter, theme: str | None) -> str | None:
    """A theme given by its id or by the name `attune practice list` shows ("Being
    overridden" is intrusive); anything else goes on as given, to be refused by name."""
    if theme is None:
        return None
    from attunement.practice.vignettes import themes

    by_name = {name_of(t).casefold(): t for t in themes()}
    return theme if theme in themes() else by_name.get(theme.strip().casefold(), theme)


@click.group(invoke_without_command=True)
@click.option(
    "--theme",
    callback=_theme_id,
    help="Only statements on this theme, by its id or its name (see `attune practice list`).",
)
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
    terms = Terms()  # each term in brackets once in the session
    for number, v in enumerate(chosen, start=1):
        click.echo()
        click.echo(click.style(f"Statement {number} of {len(chosen)}", bold=True))
        _show_statement(v, terms)
        response = click.prompt(
            "Your response (Enter to skip)", default="", show_default=False
        ).strip()
        if not response:
            continue
        fb, _ = service.respond(app.journal, v.id, response, checkin_id=checkin_id)
        _show_feedback(fb, v, terms)
    click.echo()
    hint("See how you are doing over time with `attune practice progress`.")


@practice.command(name="list")
@click.option(
    "--theme", callback=_theme_id, help="Only statements on this theme, by its id or its name."
)
@json_option
def list_(theme: str | None, as_json: bool) -> None:
    """List the practice statements."""
    from attunement.practice.vignettes import by_theme

    items = by_theme(theme)
    if as_json:
        emit_json({"vignettes": [v.to_dict(with_examples=False) for v in items]})
        return
    terms = Terms()
    for v in items:
        _show_statement(v, terms)


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
    terms = Terms()
    _show_statement(done.vignette, terms)
    _show_feedback(done.feedback, done.vignette, terms)


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
        click.echo(
            "Themes to practise more: " + ", ".join(f"{name_of(t)} ({s:.2f})" for t, s in weakest)
        )


COMMANDS = [practice]
