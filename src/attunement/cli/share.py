"""Sharing with a supervisor on the team server: `attune share entry|packet|practice|
transcript|list|revoke|readers`. Everything is built and redacted on this computer
(``server.team``, which the web app's Share page calls too); you see exactly what will
be sent, and nothing is sent until you say so (or pass --yes)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import click

from attunement.cli.context import AppContext
from attunement.cli.entries import _filter_options, _make_filter
from attunement.cli.output import emit_json, hint, json_option, ok, printable

pass_app = click.make_pass_decorator(AppContext)


@click.group()
def share() -> None:
    """Share chosen entries, a supervision packet, practice progress or a transcript
    report with a named supervisor on your programme's team server (sign in first with
    `attune server login URL`).

    Redacted by default; you see the exact text before it is sent; you can set an
    expiry and revoke at any time (the server then deletes it)."""


def _expiry(text: str | None, to: str | None) -> datetime | None:
    """The expiry, read first (so a bad date is refused before anything else happens),
    and the reader's name checked for."""
    from attunement.errors import InvalidInput
    from attunement.server import team

    expires = team.expiry(text)
    if not to or not to.strip():
        raise InvalidInput(
            "Say whom to share with: --to SUPERVISOR (`attune share readers` lists them).",
            field="to",
        )
    return expires


def _send(
    app: AppContext,
    out: Any,
    to: str,
    expires_at: datetime | None,
    yes: bool,
    as_json: bool,
) -> None:
    from attunement.errors import InvalidInput
    from attunement.server import team

    reader = team.reader(team.readers(app.data_dir), to)
    name = printable(reader["name"])  # what the server says is printed without its controls
    if not as_json:
        click.echo(click.style(f"This is exactly what {name} will see:", bold=True))
        click.echo(f"\n# {out.title}\n\n{out.body}")
        if out.redacted:
            hint(
                f"Redacted on this computer: {out.replaced} identifying details replaced; "
                "the detector can miss things, so read it through."
            )
        else:
            hint("NOT redacted: this may name people in your care.")
    if not yes:
        if not app.interactive():
            raise InvalidInput(
                "Nothing was sent: read the text above, then add --yes to send it.",
                field="yes",
            )
        if not click.confirm(f"Send this to {name}?", default=False):
            hint("Nothing was sent.")
            return
    sent = team.send(app.data_dir, out, reader, expires_at, app.journal)
    if as_json:
        emit_json(sent)
        return
    for earlier in sent.get("sent_from_queue", []):
        ok(printable(f"Sent “{earlier['title']}” to {earlier['reader']}, which waited to be sent."))
    if sent.get("queued"):
        ok(
            f"The team server cannot be reached, so this is kept on this computer, exactly "
            f"as you read it, and sent to {name} by the next `attune server sync` "
            f"or share ({sent['waiting']} waiting; `attune share revoke {sent['id']}` takes "
            "it back)."
        )
    elif sent["created"]:
        ok(printable(f"Shared with {name} as version {sent['revision']} (share {sent['id']})."))
    else:
        ok(
            printable(
                f"{name} already has this exact version ({sent['revision']}); nothing new was sent."
            )
        )


def _options(command: Any) -> Any:
    """--to, --expires, --no-redact, --yes and --json, the same on every share command."""
    for option in reversed(
        [
            click.option(
                "--to",
                "to",
                metavar="SUPERVISOR",
                help="Their e-mail address, full name, or first name if only one of them "
                "has it (`attune share readers` lists them).",
            ),
            click.option(
                "--expires", metavar="DATE", help="Delete it from the server after this day."
            ),
            click.option(
                "--no-redact",
                is_flag=True,
                help="Send names, dates and places as written (think twice).",
            ),
            click.option(
                "--yes", is_flag=True, help="Send without asking (the text is still shown)."
            ),
            json_option,
        ]
    ):
        command = option(command)
    return command


@share.command("entry")
@click.argument("entry_id")
@_options
@pass_app
def share_entry(app: AppContext, entry_id, to, expires, no_redact, yes, as_json) -> None:
    """Share one entry. Sharing it again after editing adds a new version."""
    from attunement.server import outgoing

    expires_at = _expiry(expires, to)
    out = outgoing.entry(app.journal, entry_id, redact=not no_redact)
    _send(app, out, to, expires_at, yes, as_json)


@share.command("packet")
@click.argument("entry_ids", nargs=-1, metavar="[ENTRY_ID]...")
@_filter_options
@click.option(
    "--question",
    "questions",
    multiple=True,
    metavar="TEXT",
    help="A question you are bringing to supervision (repeat for more).",
)
@_options
@pass_app
def share_packet(
    app: AppContext,
    entry_ids,
    since,
    until,
    tags,
    prompt_id,
    starred,
    questions,
    to,
    expires,
    no_redact,
    yes,
    as_json,
) -> None:
    """Share a supervision packet (the same one `attune packet` makes)."""
    from attunement.server import outgoing
    from attunement.supervision import packet as supervision

    filtering = since or until or tags or prompt_id or starred
    flt = _make_filter(since, until, tags, prompt_id, starred) if filtering else None
    expires_at = _expiry(expires, to)
    chosen = supervision.Selection(
        entry_ids=tuple(entry_ids),
        filter=flt,
        questions=tuple(questions),
        redact=not no_redact,
    )
    out = outgoing.packet(app.journal, chosen)
    _send(app, out, to, expires_at, yes, as_json)


@share.command("practice")
@_options
@pass_app
def share_practice(app: AppContext, to, expires, no_redact, yes, as_json) -> None:
    """Share your practice progress (as `attune practice progress` shows it). Sharing it
    again later adds a new version of the same share."""
    from attunement.server import outgoing

    expires_at = _expiry(expires, to)
    out = outgoing.practice(app.journal, redact=not no_redact)
    _send(app, out, to, expires_at, yes, as_json)


@share.command("transcript")
@click.argument("transcript_id")
@_options
@pass_app
def share_transcript(app: AppContext, transcript_id, to, expires, no_redact, yes, as_json) -> None:
    """Share a transcript's report: its figures and every coded turn (as `attune
    transcript report` makes it), redacted, speakers' names included."""
    from attunement.server import outgoing

    expires_at = _expiry(expires, to)
    out = outgoing.transcript(app.journal, transcript_id, redact=not no_redact)
    _send(app, out, to, expires_at, yes, as_json)


@share.command("readers")
@json_option
@pass_app
def readers(app: AppContext, as_json) -> None:
    """Whom you can share with: the supervisors and leads of your courses."""
    from attunement.server import team

    found = team.readers(app.data_dir)
    if as_json:
        emit_json(found)
        return
    for r in found:
        click.echo(printable(f"{r['name']} <{r['email']}>  {r['role']}, {r['course']}"))
    if not found:
        hint("Nobody yet: ask your programme's admin to add a supervisor to your course.")


@share.command("list")
@json_option
@pass_app
def list_shares(app: AppContext, as_json) -> None:
    """What you have shared, with its status (opened, changes requested, signed off),
    what waits to be sent, and what changed here since you shared it."""
    from attunement.server import team

    listed = team.listing(app.data_dir, app.journal)
    found = listed.shares
    if as_json:
        emit_json(found)
        return
    if listed.problem:
        hint(printable(f"{listed.problem} Showing what this computer knows."))
    for s in found:
        expiry = f", expires {s['expires_at'][:10]}" if s.get("expires_at") else ""
        if s["status"] == "waiting to be sent":
            click.echo(
                printable(f"{s['id']}  {s['title']}  to {s['reader']['name']}: waiting to be sent")
            )
            continue
        line = (
            f"{s['id']}  {s['title']}  to {s['reader']['name']}: {s['status']}, "
            f"version {s['revision']}, {s['comments']} comments{expiry}"
        )
        if s.get("waiting"):
            line += "; a new version is waiting to be sent"
        click.echo(printable(line))
        if s.get("changed_since_shared"):
            click.echo(
                click.style(
                    printable("    changed since you shared it: " + s["reshare"]), fg="yellow"
                )
            )
    if not found:
        hint("You have not shared anything.")


@share.command("revoke")
@click.argument("share_id")
@pass_app
def revoke(app: AppContext, share_id: str) -> None:
    """Take something back: the server deletes it, with its comments and sign-offs. A
    share still waiting to be sent is taken back on this computer, even offline, and
    never sent."""
    from attunement.server import team

    ok(printable(team.revoke(app.data_dir, share_id, app.journal).message))


def print_from_supervisor(found: list[dict[str, Any]]) -> None:
    """The "From your supervisor" section under an entry."""
    if not found:
        return
    click.echo()
    click.echo(click.style("From your supervisor", bold=True))
    for s in found:
        reader = printable(s["reader"]["name"])
        state = {
            "queued": "waiting to be sent (the team server could not be reached)",
            "revoked": "deleted on the server (revoked); what came home is kept here",
            "expired": "deleted on the server (expired); what came home is kept here",
        }.get(s["state"], s.get("version_text") or f"version {s['revision']} on the server")
        click.echo(click.style(f"Shared with {reader}: {state}", dim=True))
        if s["last_opened"]:
            click.echo(click.style(f"Last opened {s['last_opened_when']}", dim=True))
        if s["changed_since_shared"]:
            click.echo(
                click.style(
                    printable(
                        f"Changed since you shared it: {s['reshare']} sends the new version."
                    ),
                    fg="yellow",
                )
            )
        for f in s["feedback"]:
            stamp = f["when"]
            who = "You" if f["mine"] else printable(f["author"])
            # the server's versions, named apart from the entry's own (syncing.version_words)
            version = f.get("version_text") or f"version {f['revision']} on the server"
            if f["kind"] == "signoff":
                click.echo(click.style(f"✓ Signed off by {who}, {stamp}: {version}", fg="green"))
                continue
            said = "asked for changes" if f["kind"] == "changes" else "wrote"
            click.echo(f"{who} {said}, {stamp}, on {version}:")
            if f["quote"]:
                click.echo(click.style(f"  > {printable(f['quote'])}", italic=True))
            for line in printable(f["body"]).splitlines():
                click.echo(f"  {line}")


COMMANDS = [share]
