"""Check-in commands: checkin, checkins."""

from __future__ import annotations

import click

from attunement.cli.context import AppContext
from attunement.cli.output import COUNT, emit_json, json_option, ok, when

pass_app = click.make_pass_decorator(AppContext)
SCALE_OPTIONS = ("ease", "presence", "curiosity", "urge_to_fix", "fatigue")


def _scale_option(name: str):
    flag = "--" + name.replace("_", "-")
    return click.option(
        flag,
        name,
        type=click.IntRange(0, 10),
        metavar="0-10",
        help=f"{name.replace('_', ' ').capitalize()}, 0 to 10.",
    )


def _checkin_options(func):
    for name in reversed(SCALE_OPTIONS):
        func = _scale_option(name)(func)
    return func


def _ask_scale(question: str) -> int | None:
    """Ask for 0-10; Enter skips; anything else is asked again."""
    while True:
        answer = click.prompt(question, default="", show_default=False).strip()
        if not answer:
            return None
        if answer.isdigit() and 0 <= int(answer) <= 10:
            return int(answer)
        click.echo("Please answer with a whole number from 0 to 10, or press Enter to skip.")


def _ask_regions(known: tuple[str, ...]) -> list[str]:
    """Ask where in the body; unknown region names are asked again, not lost later."""
    question = f"Where do you notice it in your body? ({', '.join(known)}; comma-separated)"
    while True:
        answer = click.prompt(question, default="", show_default=False)
        regions = [r.strip().lower() for r in answer.split(",") if r.strip()]
        unknown = [r for r in regions if r not in known]
        if not unknown:
            return regions
        click.echo(f"'{unknown[0]}' is not a body region; choose from the list, or press Enter.")


def _ask(
    app: AppContext, values: dict, body: list[str], note: str | None, moment: str | None
) -> tuple[dict, list[str], str, str]:
    from attunement.framework import concepts

    framework = concepts()
    click.echo(click.style("A short check-in. Press Enter to skip a question.", dim=True))
    for scale in framework.scales:
        if values.get(scale.id) is None:
            values[scale.id] = _ask_scale(f"{scale.question} (0 = {scale.low}, 10 = {scale.high})")
    if not body:
        body = _ask_regions(framework.body_region_ids)
    if note is None:
        note = click.prompt("A note (optional)", default="", show_default=False)
    if moment is None:
        moment = click.prompt(
            "Is this before or after an encounter?",
            type=click.Choice(["before", "after", "other"]),
            default="other",
        )
    return values, body, note, moment


@click.command()
@_checkin_options
@click.option(
    "--body",
    "body",
    multiple=True,
    metavar="REGION",
    help="Where in your body you notice something (repeatable): head, face-jaw, "
    "throat, neck-shoulders, chest, upper-back, arms, hands, stomach, "
    "lower-back, pelvis, legs, feet, whole-body.",
)
@click.option("--note", help="A short note, with no client identifiers.")
@click.option(
    "--moment",
    type=click.Choice(["before", "after", "other"]),
    help="Before or after an encounter, or other.",
)
@json_option
@pass_app
def checkin(
    app: AppContext, ease, presence, curiosity, urge_to_fix, fatigue, body, note, moment, as_json
) -> None:
    """Check in on your posture of ease: five scales from 0 to 10 and your body.

    At a terminal, questions you did not answer with options are asked in turn.
    """
    values = {
        "ease": ease,
        "presence": presence,
        "curiosity": curiosity,
        "urge_to_fix": urge_to_fix,
        "fatigue": fatigue,
    }
    body = list(body)
    if AppContext.interactive() and not as_json:
        values, body, note, moment = _ask(app, values, body, note, moment)
    saved = app.journal.checkin(body=body, note=note or "", moment=moment or "other", **values)
    if as_json:
        emit_json(saved.to_dict())
    else:
        ok(f"Checked in ({saved.id}). Thank you for pausing.")


@click.command()
@click.option("--since", metavar="DATE", help="From this date.")
@click.option("--until", metavar="DATE", help="Up to and including this date.")
@click.option(
    "-n", "--limit", type=COUNT, default=20, show_default=True, help="How many check-ins to show."
)
@json_option
@pass_app
def checkins(app: AppContext, since, until, limit, as_json) -> None:
    """List your check-ins, newest first."""
    from attunement.core.checkins import between

    found = between(app.journal, since, until, limit=limit)  # what the API lists, too
    if as_json:
        emit_json(found.to_dict())
        return
    items = found.checkins
    if not items:
        ok("No check-ins yet: `attune checkin` takes 20 seconds.")
    for c in items:
        scales = "  ".join(
            f"{k.replace('_', ' ')} {v}" for k, v in c.scales().items() if v is not None
        )
        body = f"  body: {', '.join(c.body)}" if c.body else ""
        click.echo(f"{click.style(c.id, fg='green')}  {when(c.at)}  {c.moment:<6}  {scales}{body}")
        if c.note:
            click.echo(f"    {c.note}")


COMMANDS = [checkin, checkins]
