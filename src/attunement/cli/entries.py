"""Entry commands: write, list, show, edit, history, delete, restore, trash, search, drafts."""

from __future__ import annotations

import sys

import click

from attunement.cli.context import AppContext
from attunement.cli.output import (
    COUNT,
    emit_json,
    highlight,
    hint,
    json_option,
    ok,
    read_stdin,
    tags_text,
    when,
)

pass_app = click.make_pass_decorator(AppContext)


def _filter_options(func):
    options = [
        click.option(
            "--since",
            metavar="DATE",
            help="From this date: 2026-11-01, 'yesterday', 'last week', '3 days ago'.",
        ),
        click.option("--until", metavar="DATE", help="Up to and including this date."),
        click.option(
            "--tag",
            "tags",
            multiple=True,
            metavar="TAG",
            help="Only entries with this tag (repeat: entries with all of them).",
        ),
        click.option("--prompt", "prompt_id", metavar="ID", help="Only answers to this prompt."),
        click.option("--starred", is_flag=True, default=None, help="Only starred entries."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def _make_filter(since, until, tags, prompt_id, starred):
    from attunement.core.models import EntryFilter

    return EntryFilter.from_words(since, until, tags, prompt_id, True if starred else None)


def _entry_line(entry) -> str:
    from attunement.core.journal import label_of

    star = click.style("★ ", fg="yellow") if entry.starred else ""
    tags = f"  {tags_text(entry.tags)}" if entry.tags else ""
    return (
        f"{click.style(entry.id, fg='green')}  {when(entry.created_at)}  "
        f"{star}{label_of(entry)}{tags}"
    )


def _print_entry(view) -> None:
    entry = view.entry
    click.echo(click.style(view.heading, bold=True))
    meta = [f"id {entry.id}", f"written {when(entry.created_at)}"]
    if entry.revision > 1:
        meta.append(f"edited {when(entry.updated_at)} (version {entry.revision})")
    if entry.in_trash:
        meta.append(click.style("in the trash", fg="red"))
    click.echo(click.style(" · ".join(meta), dim=True))
    if view.recorded:
        click.echo(click.style(view.recorded, dim=True))
    if view.prompt:
        click.echo(click.style(f"Prompt “{view.prompt.title}”: {view.prompt.text}", italic=True))
    elif view.prompt_removed:
        click.echo(
            click.style(
                f"Written on the prompt {entry.prompt_id}, from a deck that was removed "
                "(add the deck again to see the prompt).",
                italic=True,
            )
        )
    for transcript in view.transcripts:
        click.echo(click.style(f"Session transcript: {transcript['title']}", dim=True))
    if entry.tags:
        click.echo(tags_text(entry.tags))
    click.echo()
    click.echo(entry.body)


def _text_from(text: str | None, *, what: str) -> str | None:
    """The text argument, '-' for stdin, piped stdin, or None when a person should edit."""
    if text == "-":
        return read_stdin()
    if text is not None:
        return text
    if not AppContext.stdin_is_terminal():
        piped = read_stdin()
        if piped.strip():
            return piped
        from attunement.errors import InvalidInput

        raise InvalidInput(
            f"No text to {what}: give it as an argument, pipe it in with '-', "
            "or run in a terminal to use your editor."
        )
    return None


def review_details(journal, body: str, title: str | None, redact: bool):
    """Before saving: name any identifying details found, and replace them with
    placeholders when asked (--redact, or yes at the terminal)."""
    from attunement.core.review import review

    found = review(journal, body, title)
    if not found.found:
        return body, title
    if not redact:
        listing = ", ".join(f"{f.type} “{f.text}”" for f in found.findings[:8])
        hint(
            f"Identifying details found: {listing}. Add --redact to replace them with placeholders."
        )
        redact = AppContext.interactive() and click.confirm(
            "Replace them with placeholders before saving?", default=False, err=True
        )
    if not redact:
        return body, title
    return found.apply(body, title)


def _keep_as_draft(journal, body, editor_file, status, **fields) -> None:
    """The editor failed: keep what it wrote as a draft, then say so."""
    from attunement.errors import InvalidInput

    kept = journal.save_draft(body, **fields)
    editor_file.unlink(missing_ok=True)
    raise InvalidInput(
        f"The editor exited with status {status}; your text is kept as draft {kept.id} "
        f"(continue with `attune write --draft {kept.id}`)."
    )


@click.command()
@click.argument("text", required=False)
@click.option(
    "--prompt",
    "prompt_id",
    metavar="ID",
    help="The prompt this entry answers (see `attune prompts`).",
)
@click.option("--title", help="A title for the entry.")
@click.option(
    "--tag",
    "tags",
    multiple=True,
    metavar="TAG",
    help="Add a tag (repeatable); #tags and @tags in the text count too.",
)
@click.option("--star", is_flag=True, help="Star the entry.")
@click.option(
    "--redact",
    is_flag=True,
    help="Replace identifying details (names, dates, phone numbers…) with placeholders "
    "before saving.",
)
@click.option("--draft", "draft_id", metavar="ID", help="Continue a saved draft.")
@json_option
@pass_app
def write(app: AppContext, text, prompt_id, title, tags, star, redact, draft_id, as_json) -> None:
    """Write a journal entry.

    TEXT is the entry; use '-' to read it from standard input. With no TEXT at a
    terminal, your $EDITOR opens (showing the prompt, if you chose one). Unfinished
    writing is kept as a draft, so nothing is lost if the editor or the machine crashes.
    """
    from attunement.cli.editor import edit_text, guide
    from attunement.errors import AttuneError
    from attunement.paths import private_temp_dir

    journal = app.journal
    temp_dir = private_temp_dir(app.data_dir)
    for recovered in journal.recover_editor_files(temp_dir):
        hint(
            f"Recovered unsaved writing from an earlier editor session as draft "
            f"{recovered.id} (`attune write --draft {recovered.id}` to continue)."
        )
    draft = journal.draft(draft_id) if draft_id else None
    if draft is not None:
        prompt_id = prompt_id or draft.prompt_id
        title = title if title is not None else draft.title
        tags = (*draft.tags, *tags)
    prompt = journal.decks.prompt(prompt_id) if prompt_id else None
    body = _text_from(text, what="save")
    editor_file = None
    if body is None:
        lines = [f"Prompt {prompt.id}: {prompt.text}"] if prompt else []
        lines.append("Write in Markdown. Save and close the editor to keep the entry.")
        body, editor_file, status = edit_text(
            guide(lines) + (draft.body if draft else ""), temp_dir
        )
        if status != 0:
            _keep_as_draft(
                journal,
                body,
                editor_file,
                status,
                title=title or "",
                prompt_id=prompt_id,
                draft_id=draft_id,
            )
        if not body.strip():
            editor_file.unlink(missing_ok=True)
            ok("Nothing was written, so no entry was saved.")
            sys.exit(1)
    try:
        # What the save would refuse (a tag or title too long, an unknown prompt) is
        # refused before the identifying details are asked about.
        journal.new_entry(body, title=title, prompt_id=prompt_id, tags=tags)
        body, title = review_details(journal, body, title, redact)
        if draft is not None:
            entry = journal.publish_draft(draft.id, body=body, title=title or "", tags=tags)
        else:
            entry = journal.write(body, title=title, prompt_id=prompt_id, tags=tags, starred=star)
    except AttuneError:
        if editor_file is not None:  # keep the words before reporting the problem
            kept = journal.save_draft(body, title=title or "", prompt_id=prompt_id)
            editor_file.unlink(missing_ok=True)
            hint(f"Your text is kept as draft {kept.id}.")
        raise
    if editor_file is not None:
        editor_file.unlink(missing_ok=True)
    if as_json:
        emit_json(entry.to_dict())
    elif sys.stdout.isatty():  # a person reading: say what was saved
        from attunement.core.journal import label_of

        click.echo(f"Saved '{label_of(entry)}' ({entry.id})")
    else:  # a pipe or a script: the bare id
        click.echo(entry.id)


@click.command(name="list")
@_filter_options
@click.option(
    "-n",
    "--limit",
    type=COUNT,
    default=20,
    show_default=True,
    help="How many entries to show, newest first.",
)
@click.option("--all", "show_all", is_flag=True, help="Show every matching entry.")
@json_option
@pass_app
def list_(
    app: AppContext, since, until, tags, prompt_id, starred, limit, show_all, as_json
) -> None:
    """List entries, newest first."""
    from attunement.core.browse import entry_list

    flt = _make_filter(since, until, tags, prompt_id, starred)
    found = entry_list(app.journal, flt, limit=None if show_all else limit)
    entries = found.entries
    if as_json:
        emit_json({"entries": [e.to_dict() for e in entries]})
        return
    if not entries:
        ok(
            "No entries match."
            if (since or until or tags or prompt_id or starred)
            else "No entries yet. Start with `attune today` or `attune write`."
        )
        return
    for entry in entries:
        click.echo(_entry_line(entry))
    if found.total > len(entries):
        hint(f"Showing {len(entries)} of {found.total}; use -n N or --all for more.")


@click.command()
@click.argument("entry_id")
@json_option
@pass_app
def show(app: AppContext, entry_id: str, as_json: bool) -> None:
    """Show one entry in full, with what your supervisor said about it (after
    `attune server sync`)."""
    from attunement.cli.share import print_from_supervisor
    from attunement.core.entry_view import entry_view

    view = entry_view(app.journal, entry_id)  # what the entry page shows beside it, too
    if as_json:
        emit_json(view.to_dict())
    else:
        _print_entry(view)
        print_from_supervisor(view.shared)


@click.command()
@click.argument("entry_id")
@click.option(
    "--text",
    help="The new text; '-' reads it from standard input. Without it, "
    "your editor opens at a terminal.",
)
@click.option("--title", help="A new title.")
@click.option("--tag", "add_tags", multiple=True, metavar="TAG", help="Add a tag.")
@click.option("--untag", "remove_tags", multiple=True, metavar="TAG", help="Remove a tag.")
@click.option("--prompt", "prompt_id", metavar="ID", help="Link the entry to a prompt.")
@click.option("--no-prompt", is_flag=True, help="Unlink the entry from its prompt.")
@click.option("--star/--unstar", default=None, help="Star or unstar the entry.")
@pass_app
def edit(
    app: AppContext, entry_id, text, title, add_tags, remove_tags, prompt_id, no_prompt, star
) -> None:
    """Edit an entry. The previous version is kept (see `attune history`)."""
    from attunement.cli.editor import edit_text, guide
    from attunement.paths import private_temp_dir

    journal = app.journal
    entry = journal.get(entry_id)
    body = read_stdin() if text == "-" else text
    editor_file = None
    metadata_only = any(
        [title is not None, add_tags, remove_tags, prompt_id, no_prompt, star is not None]
    )
    if body is None and not metadata_only:
        if not AppContext.interactive():
            from attunement.errors import InvalidInput

            raise InvalidInput(
                "Nothing to change: give --text (or '-' with piped text), "
                "another option, or run in a terminal to use your editor."
            )
        temp_dir = private_temp_dir(app.data_dir)
        body, editor_file, status = edit_text(
            guide([f"Editing entry {entry.id}."]) + entry.body, temp_dir
        )
        if status != 0:
            _keep_as_draft(journal, body, editor_file, status, entry_id=entry.id)
    updated, changed = journal.edit(
        entry.id,
        body=body,
        title=title,
        add_tags=add_tags,
        remove_tags=remove_tags,
        prompt_id=prompt_id,
        clear_prompt=no_prompt,
        starred=star,
    )
    if editor_file is not None:
        editor_file.unlink(missing_ok=True)
    if changed:
        ok(
            f"Saved {updated.id} (version {updated.revision}; earlier versions are in "
            f"`attune history {updated.id}`)."
        )
    else:
        ok(f"Nothing changed in {updated.id}.")


@click.command()
@click.argument("entry_id")
@click.option(
    "--revision", type=click.IntRange(1, 1_000_000), metavar="N", help="Print version N in full."
)
@json_option
@pass_app
def history(app: AppContext, entry_id: str, revision: int | None, as_json: bool) -> None:
    """Show the earlier versions of an entry."""
    entry, revisions = app.journal.history(entry_id)
    if revision is not None:
        if revision == entry.revision:
            click.echo(entry.body)
            return
        for rev in revisions:
            if rev.revision == revision:
                click.echo(rev.body)
                return
        from attunement.errors import NotFound

        raise NotFound(
            f"Entry {entry.id} has versions 1 to {entry.revision}; there is no version {revision}.",
            field="revision",
        )
    if as_json:
        emit_json({"entry": entry.to_dict(), "revisions": [r.to_dict() for r in revisions]})
        return
    for rev in revisions:
        click.echo(
            f"version {rev.revision}  written {when(rev.saved_at)}  replaced "
            f"{when(rev.replaced_at)}  {len(rev.body.split())} words"
        )
    click.echo(
        f"version {entry.revision}  written {when(entry.updated_at)}  (current)  "
        f"{len(entry.body.split())} words"
    )
    if not revisions:
        hint("This entry has not been edited.")


@click.command()
@click.argument("entry_id")
@pass_app
def delete(app: AppContext, entry_id: str) -> None:
    """Move an entry to the trash (it can be restored)."""
    entry = app.journal.delete(entry_id)
    ok(f"Moved {entry.id} to the trash; `attune restore {entry.id}` brings it back.")


@click.command()
@click.argument("target", metavar="ID|BACKUP")
@click.option(
    "--yes",
    is_flag=True,
    help="With a backup file: replace the journal already "
    "in the data folder (it is moved aside, not deleted).",
)
@pass_app
def restore(app: AppContext, target: str, yes: bool) -> None:
    """Bring an entry back from the trash (give its ID), or restore a backup made with
    `attune backup` (give the file), checking its integrity and counts."""
    from pathlib import Path

    if Path(target).is_file():
        from attunement.cli.privacy import restore_backup

        restore_backup(app, Path(target), yes)
        return
    entry = app.journal.restore(target)
    ok(f"Restored {entry.id}.")


@click.command()
@click.option("--purge", is_flag=True, help="Delete everything in the trash for good.")
@click.option("--yes", is_flag=True, help="Do not ask before purging.")
@json_option
@pass_app
def trash(app: AppContext, purge: bool, yes: bool, as_json: bool) -> None:
    """List the entries in the trash, or purge them for good."""
    journal = app.journal
    entries = journal.trash()
    if purge:
        if not entries:
            ok("The trash is empty.")
            return
        if not yes:
            if not AppContext.interactive():
                from attunement.errors import InvalidInput

                raise InvalidInput("Purging deletes entries for good; add --yes to confirm.")
            click.confirm(f"Delete {len(entries)} entries in the trash for good?", abort=True)
        count = journal.purge_trash()
        ok(f"Deleted {count} entries for good.")
        return
    if as_json:
        emit_json({"entries": [e.to_dict() for e in entries]})
        return
    if not entries:
        ok("The trash is empty.")
    for entry in entries:
        click.echo(_entry_line(entry))


@click.command()
@click.argument("query")
@_filter_options
@click.option(
    "-n",
    "--limit",
    type=COUNT,
    default=20,
    show_default=True,
    help="How many results to show, best first.",
)
@json_option
@pass_app
def search(app: AppContext, query, since, until, tags, prompt_id, starred, limit, as_json) -> None:
    """Search the text of your entries.

    Every word must match; "quoted words" match as a phrase and word* matches a prefix.
    OR (in any case) between two words finds either: "sad OR angry". Related word forms
    match too ("tightened" finds "tighten"). An emoji on its own finds the entries with it.
    """
    hits = app.journal.search(
        query, _make_filter(since, until, tags, prompt_id, starred), limit=limit
    )
    if as_json:
        emit_json(
            {
                "query": query,
                "results": [h.to_dict() for h in hits],
                "ranked_within": hits.ranked_within or None,
                "hint": hits.placeholder_hint or None,
            }
        )
        return
    if not hits:
        ok("Nothing found.")
        if hits.placeholder_hint:
            hint(f'{hits.placeholder_hint} Try: attune search "{hits.placeholder}"')
    for hit in hits:
        click.echo(_entry_line(hit.entry))
        click.echo("    " + highlight(hit.snippet.replace("\n", " "), hit.highlights))
    if hits.ranking_note:
        click.echo(click.style(hits.ranking_note, dim=True))


@click.command()
@click.option("--discard", metavar="ID", help="Throw a draft away.")
@json_option
@pass_app
def drafts(app: AppContext, discard: str | None, as_json: bool) -> None:
    """List unfinished drafts (continue one with `attune write --draft ID`)."""
    from attunement.core.journal import label_of

    journal = app.journal
    if discard:
        journal.discard_draft(discard)
        ok(f"Discarded draft {discard}.")
        return
    items = journal.drafts()
    if as_json:
        emit_json({"drafts": [d.to_dict() for d in items]})
        return
    if not items:
        ok("No drafts.")
    for draft in items:
        label = label_of(draft) if (draft.title or draft.body.strip()) else "(empty)"
        click.echo(f"{click.style(draft.id, fg='green')}  {when(draft.updated_at)}  {label}")


COMMANDS = [write, list_, show, edit, history, delete, restore, trash, search, drafts]
