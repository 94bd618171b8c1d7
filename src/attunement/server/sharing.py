"""Shares: what an owner chose to send to one named reader, as numbered revisions.

A push names its share by an id the client made, so sending the same thing twice (a
retry after a lost answer, or after the server was killed mid-push) changes nothing, and
sending a changed version adds a new revision while keeping the old ones. The owner can
set an expiry and can revoke; either way the share and everything hanging off it
(revisions, opens, comments, sign-offs) is deleted from the database, not hidden.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from sqlalchemy import bindparam, case, delete, func, select, update
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError

from attunement.core.validation import clean_text
from attunement.errors import InvalidInput, NotFound
from attunement.server import audit, authz, notices
from attunement.server.accounts import readers_for
from attunement.server.db import now, reading, writing
from attunement.server.errors import NotAllowed
from attunement.server.schema import (
    KINDS,
    comments,
    opens,
    revisions,
    shares,
    signoffs,
    users,
)
from attunement.server.sessions import Actor

MAX_TITLE = 300
MAX_BODY = 400_000
MAX_EXPIRY = timedelta(days=2 * 366)
PAGE_SIZE = 25  # shares on one page of the home page's lists
NEW_VERSION = "new version"  # a reader's entry: a version newer than any they opened


def digest(title: str, body: str) -> str:
    """The SHA-256 of a version: of the JSON array ``[title, body]`` in UTF-8."""
    canonical = json.dumps([title, body], ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def share_id_of(text: str) -> str:
    try:
        return str(uuid.UUID(text))
    except (ValueError, AttributeError, TypeError):
        raise NotFound(authz.NO_SUCH_SHARE) from None


def _checked(kind: str, title: str, body: str, expires_at: datetime | None) -> None:
    clean_text(title, field="title", what="title")
    clean_text(body, field="body", what="shared text")
    if kind not in KINDS:
        raise InvalidInput(f"The kind must be one of {', '.join(KINDS)}.", field="kind")
    if len(title) > MAX_TITLE:
        raise InvalidInput(f"A title can be at most {MAX_TITLE} characters.", field="title")
    if not body.strip():
        raise InvalidInput("There is nothing to share: the text is empty.", field="body")
    if len(body) > MAX_BODY:
        raise InvalidInput(
            f"A shared item can be at most {MAX_BODY:,} characters; share less.", field="body"
        )
    if expires_at is not None:
        if expires_at.tzinfo is None:
            raise InvalidInput("Give the expiry with its time zone.", field="expires_at")
        if expires_at <= now():
            raise InvalidInput("The expiry must be in the future.", field="expires_at")
        if expires_at > now() + MAX_EXPIRY:
            raise InvalidInput("An expiry can be at most two years away.", field="expires_at")


def push(
    engine: Engine,
    actor: Actor,
    share_id: str,
    *,
    kind: str,
    reader_id: str,
    title: str,
    body: str,
    redacted: bool,
    expires_at: datetime | None = None,
    course_id: str | None = None,
) -> dict[str, Any]:
    """Create a share or add a revision; idempotent for the same content."""
    share_id = share_id_of(share_id)
    _checked(kind, title, body, expires_at)
    sha = digest(title, body)
    with authz.recording_refusals(engine, "share.push"), writing(engine) as conn:
        existing = conn.execute(_PUSHED, {"id": share_id}).first()
        if existing is not None and authz.expired(existing):  # the sweep has not come by yet
            _expire(conn, existing)
            existing = None
        if existing is None:
            course_id = _course_for(conn, actor, reader_id, course_id)
            conn.execute(
                _NEW_SHARE,
                {
                    "id": share_id,
                    "owner_id": actor.id,
                    "reader_id": reader_id,
                    "course_id": course_id,
                    "kind": kind,
                    "created_at": now(),
                    "expires_at": expires_at,
                    "latest": 0,
                },
            )
            audit.record(
                conn, actor.id, "share.create", "share", share_id, owner_id=actor.id, detail=kind
            )
            latest, latest_sha = 0, None
        else:
            if existing.owner_id != actor.id:  # its reader, or anyone else: as share_for
                raise authz.Refused(actor.id, share_id, existing.owner_id)
            if existing.reader_id != reader_id or existing.kind != kind:
                raise InvalidInput(
                    "This share was made for another reader or kind; share it again as a "
                    "new item to send it to someone else.",
                    field="reader",
                )
            latest, latest_sha = existing.latest, existing.latest_sha
        if latest_sha == sha:
            if existing is not None and expires_at != existing.expires_at:
                conn.execute(_SET_EXPIRY, {"share": share_id, "expiry": expires_at})
            return {"id": share_id, "revision": latest, "sha256": sha, "created": False}
        number = latest + 1
        conn.execute(
            _NEW_REVISION,
            {
                "share_id": share_id,
                "number": number,
                "title": title,
                "body": body,
                "sha256": sha,
                "redacted": redacted,
                "created_at": now(),
            },
        )
        conn.execute(_SET_LATEST, {"share": share_id, "number": number, "expiry": expires_at})
        audit.record(
            conn,
            actor.id,
            "share.push",
            "share",
            share_id,
            owner_id=actor.id,
            detail=f"revision {number} {sha[:16]}",
        )
    return {"id": share_id, "revision": number, "sha256": sha, "created": True}


# A push's statements, built once (a push binds only its values).
_PUSHED = (
    select(shares, revisions.c.sha256.label("latest_sha"))
    .outerjoin(
        revisions,
        (revisions.c.share_id == shares.c.id) & (revisions.c.number == shares.c.latest),
    )
    .where(shares.c.id == bindparam("id"))
)
_NEW_SHARE = shares.insert()
_NEW_REVISION = revisions.insert()
_SET_LATEST = (
    update(shares)
    .where(shares.c.id == bindparam("share"))
    .values(latest=bindparam("number"), expires_at=bindparam("expiry"))
)
_SET_EXPIRY = (
    update(shares).where(shares.c.id == bindparam("share")).values(expires_at=bindparam("expiry"))
)


def push_retrying(engine: Engine, actor: Actor, share_id: str, **fields: Any) -> dict[str, Any]:
    """:func:`push`, once more if a simultaneous identical push won the race."""
    try:
        return push(engine, actor, share_id, **fields)
    except IntegrityError:
        return push(engine, actor, share_id, **fields)


def _course_for(conn: Connection, actor: Actor, reader_id: str, course_id: str | None) -> str:
    choices = [r for r in readers_for(conn, actor.id) if r["id"] == reader_id]
    if course_id is not None:
        choices = [r for r in choices if r["course_id"] == course_id]
    if not choices:
        raise InvalidInput(
            "You can share only with a supervisor or course lead of one of your courses; "
            "`attune share readers` lists them.",
            field="reader",
        )
    return str(choices[0]["course_id"])


def revoke(engine: Engine, actor: Actor, share_id: str) -> None:
    """Delete a share and everything it carried. Only its owner can."""
    share_id = share_id_of(share_id)
    with authz.recording_refusals(engine, "share.revoke"), writing(engine) as conn:
        access = authz.share_for(conn, actor, share_id)
        if access.role != "owner":
            raise authz.Refused(actor.id, share_id, access.share.owner_id)
        conn.execute(delete(shares).where(shares.c.id == share_id))
        audit.record(conn, actor.id, "share.revoke", "share", share_id, owner_id=actor.id)


def purge_expired(conn: Connection) -> int:
    """Delete every share past its expiry (every minute by each worker's sweep, and a
    share pushed to after it expired; reads never need it: an expired share is refused
    and left out of every listing as if it never existed). A share another worker
    deleted meanwhile is not logged twice."""
    moment = now()
    due = conn.execute(
        select(shares.c.id, shares.c.owner_id).where(shares.c.expires_at <= moment)
    ).all()
    return sum(_expire(conn, row) for row in due)


def _expire(conn: Connection, row: Any) -> int:
    """Delete this expired share (1), or nothing if another worker just did (0)."""
    if not conn.execute(delete(shares).where(shares.c.id == row.id)).rowcount:
        return 0
    audit.record(conn, None, "share.expire", "share", row.id, owner_id=row.owner_id)
    return 1


def purge_expired_now(engine: Engine) -> int:
    """The periodic sweep: expired shares go even when nobody uses the server. The write
    transaction is opened only when something has expired."""
    with reading(engine) as conn:
        due = conn.execute(select(shares.c.id).where(shares.c.expires_at <= now()).limit(1))
        if due.first() is None:
            return 0
    with writing(engine) as conn:
        return purge_expired(conn)


def _where(which: str) -> Any:
    """The shares of a list, for the person ``me`` at the time ``moment`` (bound)."""
    if which == "inbox":
        return authz.readable_by()
    live = shares.c.expires_at.is_(None) | (shares.c.expires_at > bindparam("moment"))
    return (shares.c.owner_id == bindparam("me")) & live


@cache
def _listing_statement(which: str, paged: bool) -> Any:
    """Shares of a list, newest first, each with what its list entry shows (latest title,
    latest revisions signed and sent back, last opened, comment count, the other
    person's name), in one statement whatever their number; a page of them (``size``
    rows from ``skip``) when ``paged``. Built once: a request only binds its values."""
    mine = shares.c.id
    role = _role(which)

    def latest(column: Any, *also: Any) -> Any:
        return select(func.max(column)).where(column.table.c.share_id == mine, *also)

    other = shares.c.reader_id if role == "owner" else shares.c.owner_id
    title = select(revisions.c.title).where(
        revisions.c.share_id == mine, revisions.c.number == shares.c.latest
    )
    count = select(func.count()).select_from(comments).where(comments.c.share_id == mine)
    query = (
        select(
            shares,
            title.scalar_subquery().label("latest_title"),
            latest(signoffs.c.revision).scalar_subquery().label("signed"),
            latest(comments.c.revision, comments.c.kind == "changes")
            .scalar_subquery()
            .label("changes"),
            latest(opens.c.at).scalar_subquery().label("opened"),
            latest(opens.c.revision).scalar_subquery().label("opened_revision"),
            count.scalar_subquery().label("comment_count"),
            users.c.name.label("person"),
        )
        .outerjoin(users, users.c.id == other)
        .where(_where(which))
        .order_by(shares.c.created_at.desc(), shares.c.id)
    )
    if paged:
        query = query.limit(bindparam("size")).offset(bindparam("skip"))
    return query


@cache
def _count_statement(which: str) -> Any:
    return select(func.count()).select_from(shares).where(_where(which))


def _listing(conn: Connection, which: str, actor: Actor, page: Page | None = None) -> list[Any]:
    values: dict[str, Any] = {"me": actor.id, "moment": now()}
    if page is not None:
        values |= {"size": page.size, "skip": page.offset}
    return list(conn.execute(_listing_statement(which, page is not None), values))


def _summary(row: Any, role: str) -> dict[str, Any]:
    """A share's list entry, from a row of :func:`_listing`."""
    return _summary_of(
        row,
        role,
        latest_title=row.latest_title,
        signed=row.signed,
        changes=row.changes,
        opened=row.opened,
        opened_revision=row.opened_revision,
        comment_count=row.comment_count,
        person=row.person,
    )


def _summary_of(
    row: Any,
    role: str,
    *,
    latest_title: str | None,
    signed: int | None,  # the latest revision signed off
    changes: int | None,  # the latest revision changes were asked for on
    opened: datetime | None,  # the reader's last look
    opened_revision: int | None,  # the newest revision the reader has opened
    comment_count: int,
    person: str | None,  # the other person's name
) -> dict[str, Any]:
    other = row.reader_id if role == "owner" else row.owner_id
    if signed == row.latest:
        status = "signed off"
    elif changes == row.latest:
        status = "changes requested"
    elif role == "reader" and opened_revision is not None and opened_revision < row.latest:
        status = NEW_VERSION  # the reader has not opened the newest one yet
    elif opened is not None:
        status = "opened"
    else:
        status = "not opened yet"
    return {
        "id": row.id,
        "kind": row.kind,
        "title": latest_title or "Untitled",
        "revision": row.latest,
        "created_at": row.created_at.isoformat(),
        "expires_at": row.expires_at.isoformat() if row.expires_at else None,
        "reader" if role == "owner" else "owner": {"id": other, "name": person},
        "status": status,
        "comments": comment_count,
        "last_opened": opened.isoformat() if opened else None,
    }


@dataclass(frozen=True)
class Page:
    """One page of a list: its number (from 1) and size."""

    number: int = 1
    size: int = PAGE_SIZE

    @property
    def offset(self) -> int:
        return (self.number - 1) * self.size


@dataclass(frozen=True)
class Listing:
    """One page of shares, with how many there are in all."""

    items: list[dict[str, Any]]
    total: int
    page: Page

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page.size))

    def to_dict(self) -> dict[str, Any]:
        return {"items": self.items, "total": self.total, "page": self.page.number}


def _role(which: str) -> str:
    return "owner" if which == "mine" else "reader"


def mine(engine: Engine, actor: Actor) -> list[dict[str, Any]]:
    """What I have shared, newest first."""
    with reading(engine) as conn:
        return [_summary(r, "owner") for r in _listing(conn, "mine", actor)]


def inbox(engine: Engine, actor: Actor) -> list[dict[str, Any]]:
    """What has been shared with me and I may still read, newest first."""
    with reading(engine) as conn:
        return [_summary(row, "reader") for row in _listing(conn, "inbox", actor)]


def _paged(conn: Connection, which: str, actor: Actor, page: Page) -> Listing:
    total = conn.execute(_count_statement(which), {"me": actor.id, "moment": now()}).scalar_one()
    # Nothing to list (a supervisor's own shares; a page past the last): not asked for.
    rows = _listing(conn, which, actor, page) if page.offset < total else []
    return Listing([_summary(row, _role(which)) for row in rows], int(total), page)


def inbox_page(conn: Connection, actor: Actor, page: Page) -> Listing:
    """One page of :func:`inbox` (the home page's list), and how many there are."""
    return _paged(conn, "inbox", actor, page)


def mine_page(conn: Connection, actor: Actor, page: Page) -> Listing:
    """One page of :func:`mine`, and how many there are."""
    return _paged(conn, "mine", actor, page)


def view(
    engine: Engine,
    actor: Actor,
    share_id: str,
    revision: int | None = None,
    *,
    reading_it: bool = True,  # False: an export; comment notices stay unread
) -> dict[str, Any]:
    """One share as its owner or reader sees it: a revision's text, the list of
    revisions, the comment thread and the sign-offs; the owner also sees who opened it.
    A reader's look is recorded (an open, and an audit line) in the same transaction as
    the reading; an owner's look writes nothing unless it reads comment notices."""
    share_id = share_id_of(share_id)
    with authz.recording_refusals(engine):
        with reading(engine) as conn:
            mine = authz.owned(conn, actor, share_id)
            out = None if mine is None else _view(conn, actor, mine, revision, reading_it)
        if out is None:  # anyone else: checked and their look recorded in one transaction
            with writing(engine) as conn:
                access = authz.share_for(conn, actor, share_id)
                return _view(conn, actor, access, revision, reading_it)
        if reading_it and out.pop("_unread"):
            with writing(engine) as conn:
                notices.read_share(conn, share_id, actor.id)
        return out


def _view(
    conn: Connection, actor: Actor, access: authz.Access, revision: int | None, reading_it: bool
) -> dict[str, Any]:
    row = access.share
    share_id = row.id
    number = row.latest if revision is None else revision
    # Every revision in one statement; the text only of the one shown, and the title of
    # the one shown and of the latest.
    on_share = {"share": share_id}
    versions = conn.execute(_VERSIONS, on_share | {"number": number, "latest": row.latest}).all()
    shown = next((v for v in versions if v.number == number), None)
    if shown is None:
        raise NotFound(f"This shared item has no revision {number}.", field="revision")
    on_latest = reading_it and shown.number == row.latest  # its comment notices are read
    unread = False
    if access.role == "reader":
        if on_latest:
            notices.read_share(conn, share_id, actor.id)
        conn.execute(
            _NEW_OPEN,
            {"share_id": share_id, "revision": number, "reader_id": actor.id, "at": now()},
        )
        audit.record(
            conn,
            actor.id,
            "share.read",
            "share",
            share_id,
            owner_id=row.owner_id,
            detail=f"revision {number}",
        )
    elif on_latest:
        unread = notices.unread_on(conn, share_id, actor.id)
    thread = conn.execute(_THREAD, on_share).all()
    looks = conn.execute(_LOOKS, on_share).all()
    signs = conn.execute(_SIGNS, on_share).all()
    names = {o.reader_id: o.reader_name for o in looks}
    names |= {c.author_id: c.author_name for c in thread}
    names |= {row.owner_id: row.owner_name, row.reader_id: row.reader_name}
    latest_title = next((v.title for v in versions if v.number == row.latest), None)
    other = row.reader_id if access.role == "owner" else row.owner_id
    out = _summary_of(
        row,
        access.role,
        latest_title=latest_title,
        signed=max((x.revision for x in signs), default=None),
        changes=max((c.revision for c in thread if c.kind == "changes"), default=None),
        opened=max((o.at for o in looks), default=None),
        opened_revision=max((o.revision for o in looks), default=None),
        comment_count=len(thread),
        person=names.get(other),
    )
    out.update(
        role=access.role,
        owner={"id": row.owner_id, "name": names.get(row.owner_id)},
        reader={"id": row.reader_id, "name": names.get(row.reader_id)},
        shown={
            "number": shown.number,
            "title": shown.title,
            "body": shown.body,
            "sha256": shown.sha256,
            "redacted": bool(shown.redacted),
            "created_at": shown.created_at.isoformat(),
        },
        revisions=[
            {"number": v.number, "sha256": v.sha256, "created_at": v.created_at.isoformat()}
            for v in versions
        ],
        comments=[
            {
                "id": c.id,
                "revision": c.revision,
                "parent": c.parent_id,
                "author": {"id": c.author_id, "name": names.get(c.author_id)},
                "kind": c.kind,
                "quote": c.quote,
                "body": c.body,
                "created_at": c.created_at.isoformat(),
            }
            for c in thread
        ],
        signoffs=[
            {
                "revision": x.revision,
                "sha256": x.sha256,
                "signer": {"id": x.signer_id, "name": x.signer_name},
                "signed_at": x.signed_at.isoformat(),
            }
            for x in signs
        ],
    )
    if access.role == "owner":
        out["opens"] = [
            {"reader": names.get(o.reader_id), "revision": o.revision, "at": o.at.isoformat()}
            for o in looks
        ]
        out["_unread"] = unread
    return out


# A look at a share's statements, built once (a look binds only its values). Every
# revision in one statement; the text only of the one shown, and the title of the one
# shown and of the latest.
_SHOWN: Any = bindparam("number")
_VERSIONS = (
    select(
        revisions.c.number,
        revisions.c.sha256,
        revisions.c.redacted,
        revisions.c.created_at,
        case(
            (
                (revisions.c.number == _SHOWN) | (revisions.c.number == bindparam("latest")),
                revisions.c.title,
            ),
            else_=None,
        ).label("title"),
        case((revisions.c.number == _SHOWN, revisions.c.body), else_=None).label("body"),
    )
    .where(revisions.c.share_id == bindparam("share"))
    .order_by(revisions.c.number)
)
# Each comment and open with its person's name (the owner's and reader's come with the
# share's row: authz).
_THREAD = (
    select(comments, users.c.name.label("author_name"))
    .outerjoin(users, users.c.id == comments.c.author_id)
    .where(comments.c.share_id == bindparam("share"))
    .order_by(comments.c.created_at, comments.c.id)
)
_LOOKS = (
    select(opens, users.c.name.label("reader_name"))
    .outerjoin(users, users.c.id == opens.c.reader_id)
    .where(opens.c.share_id == bindparam("share"))
    .order_by(opens.c.pk)
)
_SIGNS = select(signoffs).where(signoffs.c.share_id == bindparam("share")).order_by(signoffs.c.pk)
_NEW_OPEN = opens.insert()


def require_owner_or_reader(access: authz.Access, wanted: str) -> None:
    if access.role != wanted:
        who = "the person it was shared with" if wanted == "reader" else "its owner"
        raise NotAllowed(f"Only {who} can do that.")
