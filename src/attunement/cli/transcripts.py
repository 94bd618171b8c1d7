"""Transcript commands: transcript import, analyze, report, list, delete."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from attunement.cli.context import AppContext
from attunement.cli.output import Terms, emit_json, hint, json_option, ok, wrapped

pass_app = click.make_pass_decorator(AppContext)
FORMAT_CHOICE = click.Choice(["text", "vtt", "srt", "csv", "annomi"])


@click.group()
def transcript() -> None:
    """De-identified transcripts: import, code each turn, report, delete."""


@transcript.command(name="import")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=FORMAT_CHOICE,
    help="The file's format (detected if "
    "not given): text `Speaker: words`, vtt, srt, csv `speaker,text[,start,end]`, "
    "annomi.",
)
@click.option("--caregiver", help="Which speaker is the caregiver (guessed if not given).")
@click.option(
    "--title",
    help="A title for the session (default: the file name; with --redact, the format and "
    "time of import, as a file's name often names the client).",
)
@click.option(
    "--entry",
    "entry_id",
    metavar="ID",
    help="Link it to the journal entry you wrote about this session.",
)
@click.option(
    "--redact",
    is_flag=True,
    help="Replace identifying details in the turns and the speakers' names with "
    "placeholders before storing.",
)
@pass_app
def import_(app: AppContext, path: Path, fmt, caregiver, title, entry_id, redact) -> None:
    """Import a de-identified session. A malformed file is refused whole, naming the line."""
    from attunement.transcripts import service

    parsed = service.read_file(path, fmt)
    turns = parsed.turns
    for note in parsed.notes:
        hint(note)
    chosen = service.choose_caregiver(turns, caregiver)
    if caregiver is None:
        speakers = list(dict.fromkeys(t.speaker for t in turns))
        if AppContext.interactive():
            if not click.confirm(f"Is '{chosen}' the caregiver?", default=True):
                chosen = click.prompt(
                    "Which speaker is the caregiver?", type=click.Choice(speakers)
                )
        elif service.guessed(turns, caregiver):
            hint(
                f"Caregiver taken to be '{chosen}' (of {', '.join(speakers)}), who asks the "
                "most questions, as no speaker is named by a role such as Counsellor; if that "
                "is wrong, use --caregiver, or every code is read the wrong way round."
            )
        else:
            hint(
                f"Caregiver taken to be '{chosen}' (of {', '.join(speakers)}); "
                "use --caregiver to choose another."
            )
    made = service.keep(
        app.journal,
        turns,
        fmt=parsed.fmt,
        caregiver=chosen,
        title=title,
        name=path.stem,
        entry_id=entry_id,
        redact=redact,
    )
    for note in made.notes:
        hint(note)
    if made.details and not made.redacted:
        hint(
            f"{made.details} identifying detail(s) found in the title, the speakers' names "
            "and the turns; use --redact to replace them with placeholders (this transcript "
            "should be de-identified)."
        )
    ok(f"{made.id}")
    from attunement.wording import plural

    hint(
        f"Imported {plural(len(turns), 'turn')}. `attune transcript analyze {made.id}` codes them."
    )


def _print_session(session, about_change: bool, terms: Terms) -> None:
    """A session's figures as its page says them (``transcripts.views.plain_figures``):
    plain words, the MI term in brackets once, MITI's fair and good marks beside; how the
    client spoke about a change only ``about_change``."""
    from attunement.transcripts.views import plain_figures

    for note in session.notes:
        hint(note)
    click.echo(click.style(session.title, bold=True) + f"  (caregiver: {session.caregiver})")
    for figure in plain_figures(session, about_change):
        guide = click.style(f"  {figure.guide}", dim=True) if figure.guide else ""
        click.echo(f"  {terms(figure.label, figure.term)}: {figure.value}{guide}")


def _print_sessions(sessions, about_change: bool) -> None:
    from attunement.transcripts.views import MITI_NOTE

    terms = Terms()
    for session in sessions:
        _print_session(session, about_change, terms)
    click.echo(click.style(wrapped(MITI_NOTE, ""), dim=True))
    if not about_change:
        hint(
            "How the client spoke about a change (MI's change and sustain talk) is left out; "
            "add --about-change for a session about a change the client is weighing."
        )


@transcript.command()
@click.argument("target")
@click.option("--format", "fmt", type=FORMAT_CHOICE, help="The file's format, for files.")
@click.option("--caregiver", help="Which speaker is the caregiver, for files.")
@click.option(
    "--about-change",
    is_flag=True,
    help="The session is about a change the client is weighing, as in motivational "
    "interviewing: also say how the client spoke about it (change and sustain talk). "
    "The JSON always has them.",
)
@json_option
@pass_app
def analyze(
    app: AppContext, target: str, fmt, caregiver, about_change: bool, as_json: bool
) -> None:
    """Code every turn of a transcript (a FILE, a stored ID, or a folder of files) and
    sum up what the caregiver did, in plain words, beside the fair and good marks of
    MITI 4.2.1 (a coding manual for motivational interviewing)."""
    from attunement.transcripts import service

    path = Path(target)
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.is_file() and not p.name.startswith("."))
        results = []
        read = [(p, service.read_file(p, fmt)) for p in files]
        total = sum(len(parsed.turns) for _, parsed in read)
        with click.progressbar(length=total, label="Coding turns", file=sys.stderr) as bar:
            for p, parsed in read:
                session = service.analyse(
                    p.stem,
                    parsed.turns,
                    service.choose_caregiver(parsed.turns, caregiver),
                    bar.update,
                    notes=parsed.notes,
                    caregiver_guessed=service.guessed(parsed.turns, caregiver),
                )
                results.append(session)
        if as_json:
            emit_json({"sessions": [s.to_dict() for s in results]})
        else:
            _print_sessions(results, about_change)
        return
    if path.is_file():
        session = service.analyse_file(path, fmt, caregiver)
    else:
        title, turns, stored_caregiver = service.load(app.journal, target)
        session = service.analyse(
            title,
            turns,
            caregiver and service.choose_caregiver(turns, caregiver) or stored_caregiver,
        )
    if as_json:
        emit_json(session.to_dict())
    else:
        _print_sessions([session], about_change)


@transcript.command()
@click.argument("transcript_id")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["html", "md"]),
    default="md",
    show_default=True,
    help="Markdown or a self-contained HTML page.",
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write to this file (default: standard output).",
)
@pass_app
def report(app: AppContext, transcript_id: str, fmt: str, out: Path | None) -> None:
    """A report of a stored transcript: the figures, a timeline and every coded turn."""
    from attunement.transcripts.views import report_file

    text = report_file(app.journal, transcript_id, fmt).text  # what the API sends, too
    if out is None:
        click.echo(text, nl=False)
        return
    from attunement.paths import new_file

    with new_file(out) as part:
        part.write_text(text, encoding="utf-8")
    ok(f"Wrote {out}.")


@transcript.command(name="list")
@json_option
@pass_app
def list_(app: AppContext, as_json: bool) -> None:
    """List stored transcripts."""
    items = app.journal.store.list_transcripts()
    if as_json:
        emit_json(
            {"transcripts": [{**t, "created_at": t["created_at"].isoformat()} for t in items]}
        )
        return
    if not items:
        ok("No transcripts yet: `attune transcript import FILE`.")
    for t in items:
        link = f"  (entry {t['entry_id']})" if t["entry_id"] else ""
        click.echo(
            f"{click.style(t['id'], fg='green')}  {t['title']}  caregiver: {t['caregiver']}{link}"
        )


@transcript.command()
@click.argument("transcript_id", metavar="ID")
@click.option("--yes", is_flag=True, help="Do not ask before deleting.")
@json_option
@pass_app
def delete(app: AppContext, transcript_id: str, yes: bool, as_json: bool) -> None:
    """Delete a stored transcript for good: the session, its turns and their codes. A
    journal entry linked to it stays, without the link. Asks first at a terminal; give
    --yes in scripts."""
    from attunement.transcripts import service
    from attunement.wording import plural

    if not yes:
        stored = app.journal.store.get_transcript(transcript_id)  # an unknown id stops here
        if not AppContext.interactive():
            from attunement.errors import InvalidInput

            raise InvalidInput(
                "Deleting a transcript is for good (it cannot be restored); add --yes to confirm."
            )
        kept = f"; entry {stored['entry_id']} stays" if stored["entry_id"] else ""
        click.confirm(
            f"Delete the transcript '{stored['title']}' "
            f"({plural(len(stored['turns']), 'turn')}) for good{kept}?",
            abort=True,
        )
    gone = service.delete(app.journal, transcript_id)
    if as_json:
        emit_json(gone.to_dict())
        return
    ok(f"Deleted the transcript '{gone.title}' ({plural(gone.turns, 'turn')}) for good.")
    if gone.entry_id:
        hint(f"Entry {gone.entry_id} stays; it no longer links to this session.")


COMMANDS = [transcript]
