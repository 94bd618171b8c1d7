"""Who may see a share: the one place a share is looked up on a person's behalf.

A share is visible to its owner, and to its named reader while that reader is still a
supervisor or course lead of the share's course. Everyone else, and everyone once the
share is revoked or expired, gets the same :class:`NotFound` as for an id that never
existed: no answer hints that something is there. A refused look at a share that does
exist is written to the audit log (its owner can see the attempt).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.engine import Connection, Engine

from attunement.errors import NotFound
from attunement.server import audit
from attunement.server.db import now, writing
from attunement.server.schema import READER_ROLES, memberships, shares, users
from attunement.server.sessions import Actor

NO_SUCH_SHARE = "There is no such shared item; it may have been revoked or have expired."


@dataclass(frozen=True)
class Access:
    share: Any  # the shares row
    role: str  # "owner" or "reader"


def _by_id() -> Any:
    """A share's row, with whether its reader may still read it (:func:`_still_reader`)
    and its owner's and reader's names: one statement for every look at a share."""
    reader_reads = (
        select(memberships.c.role)
        .where(
            memberships.c.course_id == shares.c.course_id,
            memberships.c.user_id == shares.c.reader_id,
            memberships.c.role.in_(READER_ROLES),
        )
        .exists()
    )
    owner_active = (
        select(users.c.id)
        .where(users.c.id == shares.c.owner_id, users.c.suspended_at.is_(None))
        .exists()
    )

    def name(of: Any) -> Any:
        return select(users.c.name).where(users.c.id == of).scalar_subquery()

    return select(
        shares,
        (reader_reads & owner_active).label("reader_reads"),
        name(shares.c.owner_id).label("owner_name"),
        name(shares.c.reader_id).label("reader_name"),
    ).where(shares.c.id == bindparam("id"))


_BY_ID = _by_id()


def _live(conn: Connection, share_id: str) -> Any:
    """The share's row, or None: no such share, or it has expired."""
    if len(share_id) > 64:
        return None
    row = conn.execute(_BY_ID, {"id": share_id}).first()
    if row is None or expired(row):
        return None
    return row


def expired(share: Any) -> bool:
    """Whether a share's row is past its expiry (gone for everyone, swept soon)."""
    return share.expires_at is not None and share.expires_at <= now()


def owned(conn: Connection, actor: Actor, share_id: str) -> Access | None:
    """The actor's own share, or None for anything else (ask :func:`share_for`, which
    refuses and records)."""
    row = _live(conn, share_id)
    return Access(row, "owner") if row is not None and row.owner_id == actor.id else None


def share_for(conn: Connection, actor: Actor, share_id: str) -> Access:
    row = _live(conn, share_id)
    if row is None:
        raise NotFound(NO_SUCH_SHARE)
    if row.owner_id == actor.id:
        return Access(row, "owner")
    if row.reader_id == actor.id and row.reader_reads:
        return Access(row, "reader")
    raise Refused(actor.id, share_id, row.owner_id)


class Refused(NotFound):
    """A look at a share that exists, by someone who may not see it."""

    def __init__(self, actor_id: str, share_id: str, owner_id: str) -> None:
        super().__init__(NO_SUCH_SHARE)
        self.actor_id, self.share_id, self.owner_id = actor_id, share_id, owner_id


@contextmanager
def recording_refusals(engine: Engine, action: str = "share.read") -> Iterator[None]:
    """Around a service's transaction: a refusal is recorded after its rollback, and
    leaves as the same NotFound as a share that never existed."""
    try:
        yield
    except Refused as exc:
        with writing(engine) as conn:
            audit.record(
                conn,
                exc.actor_id,
                action,
                "share",
                exc.share_id,
                owner_id=exc.owner_id,
                outcome="refused",
            )
        raise NotFound(NO_SUCH_SHARE) from None


def readable_by() -> Any:
    """A WHERE clause for the shares a reader may read (the inbox), the rule of
    :func:`share_for` in SQL: named to them, not expired, in a course where they are still
    a supervisor or course lead, from an owner who is not suspended. The reader is the
    bound parameter ``me``, the time ``moment`` (so a statement built on it once serves
    every request)."""
    me: Any = bindparam("me")
    moment: Any = bindparam("moment")
    reader_of = select(memberships.c.course_id).where(
        memberships.c.user_id == me, memberships.c.role.in_(READER_ROLES)
    )
    owner = users.alias("owner")
    owner_active = (
        select(owner.c.id)
        .where(owner.c.id == shares.c.owner_id, owner.c.suspended_at.is_(None))
        .correlate(shares)
        .exists()
    )
    return (
        (shares.c.reader_id == me)
        & (shares.c.expires_at.is_(None) | (shares.c.expires_at > moment))
        & shares.c.course_id.in_(reader_of)
        & owner_active
    )
