"""The local app's dealings with its team server, for `attune server login`, `attune
share …` and the Server and Share pages of `attune serve` alike: signing in and out,
whom one can share with, what exactly would be sent, sending it, one's shares, revoking.

What is shared is built on this computer (:mod:`attunement.server.outgoing`), redacted by
default; nothing leaves until its owner has seen the text and confirmed. A push names its
share by an id made from the server, the item and the reader, so re-running a share that
was interrupted (a lost answer, a killed process) sends nothing twice.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from attunement.core.journal import Journal
from attunement.errors import AttuneError, InvalidInput
from attunement.server import client, outgoing
from attunement.server.outgoing import Outgoing

KINDS = ("entry", "packet", "practice", "transcript")


@dataclass(frozen=True)
class What:
    """What to share: an entry or a transcript by id, practice progress, or a packet."""

    kind: str
    id: str = ""
    packet: Any = None  # a supervision.packet.Selection, without its redact flag

    @classmethod
    def of(cls, kind: str, id: str = "", packet: Any = None) -> What:
        if kind not in KINDS:
            raise InvalidInput(f"Choose what to share: one of {', '.join(KINDS)}.", field="kind")
        if kind in ("entry", "transcript") and not id.strip():
            raise InvalidInput(f"Say which {kind} to share.", field="id")
        return cls(kind, id.strip(), packet)


def build(journal: Journal, what: What, *, redact: bool = True) -> Outgoing:
    """The exact title and text that would be sent (redacted unless ``redact`` is off)."""
    if what.kind == "entry":
        return outgoing.entry(journal, what.id, redact=redact)
    if what.kind == "transcript":
        return outgoing.transcript(journal, what.id, redact=redact)
    if what.kind == "practice":
        return outgoing.practice(journal, redact=redact)
    from dataclasses import replace

    from attunement.supervision import packet as supervision

    chosen = what.packet or supervision.Selection()
    return outgoing.packet(journal, replace(chosen, redact=redact))


def fingerprint(out: Outgoing) -> str:
    """The SHA-256 of what was shown, so a confirmation sends only what was read."""
    return hashlib.sha256(f"{out.title}\n{out.body}".encode()).hexdigest()


def expiry(text: str | None) -> datetime | None:
    """An expiry typed as a date or words ("2027-03-31", "in 3 months"), to the end of
    that day; none when empty."""
    if not text or not text.strip():
        return None
    from attunement.core.dates import parse_when

    return parse_when(text, end_of_day=True, ahead=True)


def reader(readers: list[dict[str, Any]], who: str | None) -> dict[str, Any]:
    """One of the people one can share with: by id (the Share page's choice), e-mail
    address, full name, or a first name only one of them has (case does not matter).
    Nobody is ever chosen by default: no name, no reader."""
    if not who or not who.strip():
        raise InvalidInput("Choose whom to share it with; nothing was sent.", field="to")
    said = who.strip()
    wanted = said.casefold()

    def first(r: dict[str, Any]) -> str:
        return (str(r["name"]).split() or [""])[0].casefold()

    for match in (
        lambda r: r["id"] == said or str(r["email"]).casefold() == wanted,
        lambda r: str(r["name"]).casefold() == wanted,
        lambda r: first(r) == wanted,
    ):
        found = [r for r in readers if match(r)]
        if len({r["id"] for r in found}) == 1:
            return found[0]
        if found:
            break  # two people answer to it: asked which, below
    named = found or [
        r
        for r in readers
        if wanted in str(r["name"]).casefold() or wanted in str(r["email"]).casefold()
    ]
    people = sorted({f"{r['name']} <{r['email']}>" for r in named or readers})
    if named:
        raise InvalidInput(
            f"No reader is called exactly '{said}'; did you mean {_or(people)}? "
            "Give their full name or e-mail address.",
            field="to",
        )
    raise InvalidInput(
        f"No reader is called '{said}'; you can share with: {', '.join(people) or 'nobody yet'}.",
        field="to",
    )


def _or(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]


# -- signing in -------------------------------------------------------------------------


def sign_in(
    data_dir: Path,
    url: str,
    email: str,
    password: str,
    label: str,
    code: str | None = None,
    then: Callable[[], None] | None = None,
) -> client.Login:
    """Exchange an e-mail address and password (and, when the server asks, the code from
    the person's authenticator app) for a revocable token, kept in the data folder
    (never the password); ``then`` is called once signed in (the app's syncer wakes)."""
    url = client.normal_url(url)
    if not email.strip() or "@" not in email:
        raise InvalidInput("Give the e-mail address you use on the team server.", field="email")
    if not password:
        raise InvalidInput("Give your password on the team server.", field="password")
    # The protocol first: a server that speaks another version never sees the password.
    client.Client(url).call("GET", "/api/v1/health")
    made = client.login(data_dir, url, email, password, label=label, code=code)
    try:
        readers(data_dir)  # remembered, so a share can be confirmed (and queued) offline
    except AttuneError:
        pass
    if then is not None:
        then()
    return made


def sign_out(data_dir: Path) -> bool:
    """End this computer's session on the server (if it can be reached) and forget the
    token; False when it was not signed in."""
    try:
        client.Client.signed_in(data_dir).call("DELETE", "/api/v1/token")
    except AttuneError:
        pass  # already ended on the server, or unreachable: forget it here anyway
    return client.forget(data_dir)


def signed_in(data_dir: Path) -> client.Login | None:
    try:
        return client.saved(data_dir)
    except InvalidInput as exc:
        if exc.field == "server" and not (data_dir / client.CREDENTIALS).exists():
            return None
        raise


READERS_CACHE = "server-readers.json"


def readers(data_dir: Path) -> list[dict[str, Any]]:
    """Whom one can share with, from the server; while it cannot be reached, as it last
    said (kept beside the token), so a share can be confirmed and queued offline."""
    import json

    cache = data_dir / READERS_CACHE
    try:
        found: list[dict[str, Any]] = client.Client.signed_in(data_dir).call("GET", "/api/v1/me")[
            "readers"
        ]
    except client.Unreachable as unreachable:
        try:
            remembered: list[dict[str, Any]] = json.loads(cache.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            raise unreachable from None  # never asked before: it cannot be reached
        return remembered
    try:
        client.write_private(cache, json.dumps(found))
    except OSError:
        pass  # only a convenience for working offline
    return found


# -- sharing ----------------------------------------------------------------------------


def send(
    data_dir: Path,
    out: Outgoing,
    to: dict[str, Any],
    expires_at: datetime | None,
    journal: Journal | None = None,
) -> dict[str, Any]:
    """Push one item to one reader; the same item again is the same share (a new version
    only when its text changed). With the journal, the share is recorded there (so what
    comes back can be shown beside it), and kept to send later when the server cannot
    be reached (server/syncing.py)."""
    if journal is not None:
        from attunement.server import syncing

        return syncing.share(journal, data_dir, out, to, expires_at)
    api = client.Client.signed_in(data_dir)
    share_id = outgoing.share_id(api.url, out.kind, out.item, to["id"])
    sent: dict[str, Any] = api.call(
        "PUT", f"/api/v1/shares/{share_id}", out.payload(to["id"], expires_at, to["course_id"])
    )
    return {**sent, "reader": {"id": to["id"], "name": to["name"]}, "title": out.title}


@dataclass(frozen=True)
class Draft:
    """A share as its owner reviews it: the exact text, and whom it can go to."""

    out: Outgoing
    login: client.Login | None
    readers: list[dict[str, Any]] = field(default_factory=list)

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.out)


def draft(journal: Journal, data_dir: Path, what: What, *, redact: bool = True) -> Draft:
    """What the Share page shows: the text built here, and the server's readers (none
    when this computer is not signed in)."""
    out = build(journal, what, redact=redact)
    login = signed_in(data_dir)
    return Draft(out, login, readers(data_dir) if login else [])


def confirm(
    journal: Journal,
    data_dir: Path,
    what: What,
    *,
    redact: bool,
    to: str,
    expires: str | None,
    seen: str,
) -> dict[str, Any]:
    """Send what its owner reviewed: rebuilt here, and refused if it is no longer exactly
    the text they saw (``seen`` is its :func:`fingerprint`)."""
    expires_at = expiry(expires)
    out = build(journal, what, redact=redact)
    if fingerprint(out) != seen:
        raise InvalidInput(
            "The text changed since you read it (the entry was edited, or the choices "
            "changed); nothing was sent. Read it again below, then send.",
            field="seen",
        )
    return send(data_dir, out, reader(readers(data_dir), to), expires_at, journal)


# -- the Server page --------------------------------------------------------------------


@dataclass(frozen=True)
class Overview:
    login: client.Login | None
    name: str = ""
    shares: list[dict[str, Any]] = field(default_factory=list)
    problem: str = ""  # the server could not be asked; what was saved is still shown
    sync: Any = None  # storage.shared.SyncState: when it last synced, the last failure
    signed_out: bool = False  # the server no longer knows this computer: sign in again
    deadlines: list[dict[str, Any]] | None = None  # as the last sync said; None: not said


def overview(data_dir: Path, journal: Journal | None = None) -> Overview:
    """Whether this computer is signed in, as whom, and what it has shared (each share's
    reader, version, status, expiry and when its reader last opened it); with the
    journal, also what waits to be sent, what changed since it was shared, and how the
    background sync stands."""
    login = signed_in(data_dir)
    if login is None:
        return Overview(None)
    sync, told = None, None
    if journal is not None:
        from datetime import date

        from attunement.server import syncing
        from attunement.storage import shared

        sync = shared.sync_state(journal.reader, login.url)
        told = syncing.deadline_rows(sync, date.today())
    known_name = (sync.member_name if sync else None) or ""  # as the last sync said it
    api = client.Client(login.url, login.token)
    try:
        me = api.call("GET", "/api/v1/me")
        mine = api.call("GET", "/api/v1/shares")
    except AttuneError as exc:
        kept = with_local_records(journal, [], reachable=False) if journal else []
        return Overview(
            login,
            name=known_name,
            # said once, on a page that sent nothing
            problem=exc.message.replace(" (nothing was sent)", ""),
            shares=kept,
            sync=sync,
            signed_out=isinstance(exc, client.SignedOut),
            deadlines=told,
        )
    if journal is not None:
        mine = with_local_records(journal, mine)
    return Overview(login, str(me.get("name", "")) or known_name, mine, sync=sync, deadlines=told)


@dataclass(frozen=True)
class Listing:
    """One's shares for `attune share list`: the server's list with what this journal
    knows of each, or, when the server cannot be asked, what this computer knows, with
    the one sentence saying why."""

    shares: list[dict[str, Any]]
    problem: str = ""


def listing(data_dir: Path, journal: Journal) -> Listing:
    try:
        found: list[dict[str, Any]] = client.Client.signed_in(data_dir).call(
            "GET", "/api/v1/shares"
        )
    except (client.Unreachable, client.ServerRefused, client.ProtocolMismatch) as exc:
        return Listing(with_local_records(journal, [], reachable=False), exc.message)
    return Listing(with_local_records(journal, found))


@dataclass(frozen=True)
class Revoked:
    """What taking a share back did: ``waiting`` when it had never left this computer
    (taken out of the queue; nothing was sent), else deleted on the server."""

    share_id: str
    title: str
    waiting: bool

    @property
    def message(self) -> str:
        """What the page and the command line say it did."""
        if self.waiting:
            return (
                f"Taken back: “{self.title}” was still waiting on this computer; nothing was sent."
            )
        return "Revoked: it is deleted from the server, with its comments and sign-offs."


def revoke(data_dir: Path, share_id: str, journal: Journal | None = None) -> Revoked:
    """Take a share back. What still waits to be sent leaves the queue first, on this
    computer alone, so it is never sent, whether or not the server can be reached. A
    share the server has is deleted there, with its versions, comments, openings and
    sign-offs (what came home stays in the journal, marked revoked)."""
    from attunement.storage import shared

    known, unsent = None, False
    if journal is not None:
        known = next((i for i in shared.items(journal.reader) if i.share_id == share_id), None)
        unsent = shared.forget_queued(journal.reader, share_id)
    if known is not None and known.state == "queued":
        try:  # an answer lost on its way back may have left it on the server after all
            client.Client.signed_in(data_dir).call("DELETE", f"/api/v1/shares/{share_id}")
        except AttuneError:
            pass  # not there, not reachable, or signed out: it never left this computer
        return Revoked(share_id, known.title, waiting=True)
    api = client.Client.signed_in(data_dir)
    try:
        api.call("DELETE", f"/api/v1/shares/{share_id}")
    except client.Unreachable:
        if known is None or not unsent:
            raise
        raise client.Unreachable(
            f"The new version of “{known.title}” that waited is taken back and will not be "
            f"sent, but {known.reader_name} still has the earlier one, because the team "
            f"server cannot be reached; revoke it again when you are online: "
            f"`attune share revoke {share_id}`."
        ) from None
    if journal is not None:
        shared.mark_deleted(journal.reader, share_id, "revoked")
    return Revoked(share_id, known.title if known else "", waiting=False)


def with_local_records(
    journal: Journal, found: list[dict[str, Any]], *, reachable: bool = True
) -> list[dict[str, Any]]:
    """The server's list of one's shares, each with what this journal knows of it (a
    newer version waiting to be sent; changed here since it was shared), then what only
    this journal knows: shares waiting to be sent, and shares deleted on the server."""
    from attunement.server import syncing
    from attunement.storage import shared

    login = signed_in(journal.data_dir) if journal.data_dir else None
    local = {
        i.share_id: i
        for i in shared.items(journal.reader)
        if login is None or i.server_url == login.url
    }
    out = []
    for listed in found:
        item = local.pop(listed["id"], None)
        out.append(
            {
                **listed,
                "item": item.item if item else None,
                "waiting": item.queued if item else 0,
                "changed_since_shared": bool(item and syncing.is_changed(journal, item)),
                "reshare": syncing.reshare_hint(item) if item else "",
            }
        )
    for item in local.values():
        if item.state == "queued":
            status = "waiting to be sent"
        elif item.deleted:
            status = f"deleted on the server ({item.state})"
        elif reachable:
            status = "deleted on the server"
        else:
            status = "shared (as last synced)"
        out.append(
            {
                "id": item.share_id,
                "item": item.item,
                "kind": item.kind,
                "title": item.title,
                "revision": item.revision,
                "expires_at": item.expires_at.isoformat() if item.expires_at else None,
                "reader": {"id": item.reader_id, "name": item.reader_name},
                "status": status,
                "comments": len([f for f in item.said if f.kind != "signoff"]),
                "last_opened": item.last_opened.at.isoformat() if item.last_opened else None,
                "waiting": item.queued,
                "changed_since_shared": syncing.is_changed(journal, item),
                "reshare": syncing.reshare_hint(item),
            }
        )
    return out
