"""Sharing with a supervisor on the team server: `attune share entry|packet|list|revoke|
readers`. Everything is built and redacted on this computer; you see exactly what will
be sent, and nothing is sent until you say so (or pass --yes)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import click

from attunement.cli.context import AppContext
from attunement.cli.entries import _filter_options, _make_filter
from attunement.cli.output import emit_json, hint, json_option, ok

pass_app = click.make_pass_decorator(AppContext)


@click.group()
def share() -> None:
    """Share chosen entries or a supervision packet with a named supervisor on your
    programme's team server (sign in first with `attune server login URL`).

    Redacted by default; you see the exact text before it is sent; you can set an
    expiry and revoke at any time (the server then deletes it)."""


def _reader(readers: list[dict[str, Any]], who: str) -> dict[str, Any]:
    from attunement.errors import InvalidInput

    wanted = who.strip().lower()
    found = [r for r in readers if r["email"] == wanted] or [
        r for r in readers if r["name"].lower() == wanted
    ]
    if not found:
        names = ", ".join(sorted({f"{r['name']} <{r['email']}>" for r in readers})) or "nobody"
        raise InvalidInput(
            f"{who} is not a supervisor or course lead of your courses; you can share with: "
            f"{names}.",
            field="to",
        )
    if len({r["id"] for r in found}) > 1:
        raise InvalidInput(
            f"More than one person is called {who}; give their e-mail address instead.",
            field="to",
        )
    return found[0]


def _expiry(text: str | None, to: str | None) -> datetime | None:
    """The expiry, read first (so a bad date is refused before anything else happens),
    and the reader's name checked for."""
    from attunement.errors import InvalidInput

    if not text:
        expires = None
    else:
        from attunement.core.dates import parse_when

        expires = parse_when(text, end_of_day=True)
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
    item: str,
    yes: bool,
    as_json: bool,
) -> None:
    from attunement.errors import InvalidInput
    from attunement.server import client, outgoing

    api = client.Client.signed_in(app.data_dir)
    reader = _reader(api.call("GET", "/api/v1/me")["readers"], to)
    if not as_json:
        click.echo(click.style(f"This is exactly what {reader['name']} will see:", bold=True))
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
        if not click.confirm(f"Send this to {reader['name']}?", default=False):
            hint("Nothing was sent.")
            return
    share_id = outgoing.share_id(api.url, out.kind, item, reader["id"])
    sent = api.call(
        "PUT",
        f"/api/v1/shares/{share_id}",
        out.payload(reader["id"], expires_at, reader["course_id"]),
    )
    if as_json:
        emit_json(sent)
        return
    if sent["created"]:
        ok(f"Shared with {reader['name']} as version {sent['revision']} (share {share_id}).")
    else:
        ok(
            f"{reader['name']} already has this exact version ({sent['revision']}); "
            "nothing new was sent."
        )


@share.command("entry")
@click.argument("entry_id")
@click.option(
    "--to",
    "to",
    metavar="SUPERVISOR",
    help="Their e-mail address or name (`attune share readers` lists them).",
)
@click.option("--expires", metavar="DATE", help="Delete it from the server after this day.")
@click.option(
    "--no-redact", is_flag=True, help="Send names, dates and places as written (think twice)."
)
@click.option("--yes", is_flag=True, help="Send without asking (the text is still shown).")
@json_option
@pass_app
def share_entry(app: AppContext, entry_id, to, expires, no_redact, yes, as_json) -> None:
    """Share one entry. Sharing it again after editing adds a new version."""
    from attunement.server import outgoing

    expires_at = _expiry(expires, to)
    out = outgoing.entry(app.journal, entry_id, redact=not no_redact)
    _send(app, out, to, expires_at, entry_id, yes, as_json)


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
@click.option("--to", "to", metavar="SUPERVISOR", help="Their e-mail address or name.")
@click.option("--expires", metavar="DATE", help="Delete it from the server after this day.")
@click.option("--no-redact", is_flag=True, help="Send names, dates and places as written.")
@click.option("--yes", is_flag=True, help="Send without asking (the text is still shown).")
@json_option
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
    _send(app, out, to, expires_at, outgoing.packet_item(out), yes, as_json)


@share.command("readers")
@json_option
@pass_app
def readers(app: AppContext, as_json) -> None:
    """Whom you can share with: the supervisors and leads of your courses."""
    from attunement.server import client

    found = client.Client.signed_in(app.data_dir).call("GET", "/api/v1/me")["readers"]
    if as_json:
        emit_json(found)
        return
    for r in found:
        click.echo(f"{r['name']} <{r['email']}>  {r['role']}, {r['course']}")
    if not found:
        hint("Nobody yet: ask your programme's admin to add a supervisor to your course.")


@share.command("list")
@json_option
@pass_app
def list_shares(app: AppContext, as_json) -> None:
    """What you have shared, with its status (opened, changes requested, signed off)."""
    from attunement.server import client

    found = client.Client.signed_in(app.data_dir).call("GET", "/api/v1/shares")
    if as_json:
        emit_json(found)
        return
    for s in found:
        expiry = f", expires {s['expires_at'][:10]}" if s["expires_at"] else ""
        click.echo(
            f"{s['id']}  {s['title']}  to {s['reader']['name']}: {s['status']}, "
            f"version {s['revision']}, {s['comments']} comments{expiry}"
        )
    if not found:
        hint("You have not shared anything.")


@share.command("revoke")
@click.argument("share_id")
@pass_app
def revoke(app: AppContext, share_id: str) -> None:
    """Take something back: the server deletes it, with its comments and sign-offs."""
    from attunement.server import client

    client.Client.signed_in(app.data_dir).call("DELETE", f"/api/v1/shares/{share_id}")
    ok("Revoked: it is deleted from the server.")


COMMANDS = [share]
