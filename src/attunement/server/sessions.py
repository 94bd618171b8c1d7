"""Server-side sessions. The browser holds only a random token in an HttpOnly cookie; the
local app holds one made by `attune server login`. The database keeps the token's
SHA-256, never the token, so a copy of the database signs nobody in.

A session is created only by signing in (a fresh id every time, and the one the browser
brought is ended), so a session id planted before sign-in is worthless. Each session
carries its own CSRF token. Sessions end when idle too long, when old, at sign-out, when
revoked from the account page, all at once when the account is suspended or its password
is set from a link, and all but the one used when a second factor is turned on.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import bindparam, delete, select, update
from sqlalchemy.engine import Connection

from attunement.errors import NotFound
from attunement.server.config import ServerConfig
from attunement.server.db import now
from attunement.server.schema import sessions, settings, users

TOUCH_EVERY = timedelta(minutes=1)


@dataclass(frozen=True)
class Actor:
    """The signed-in person making a request, and the session they made it through."""

    id: str
    name: str
    email: str
    is_admin: bool
    session_id: str  # the public id, to name it for revoking
    kind: str  # "web" or "token"
    csrf: str
    stale: bool = False  # last seen over TOUCH_EVERY ago: the request should touch it


def digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def start(
    conn: Connection, config: ServerConfig, user_id: str, kind: str, label: str
) -> tuple[str, str]:
    """A new session for a person who just proved who they are: (token, csrf token)."""
    token = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(24)
    moment = now()
    days = config.token_days if kind == "token" else config.session_days
    conn.execute(
        sessions.insert().values(
            id_hash=digest(token),
            public_id=str(uuid.uuid4()),
            user_id=user_id,
            kind=kind,
            csrf=csrf,
            label=label[:120],
            created_at=moment,
            seen_at=moment,
            expires_at=moment + timedelta(days=days),
        )
    )
    return token, csrf


# Asked on every request: built once, so a request only binds the token's digest. The
# organisation's name comes along: every page shows it.
_BY_TOKEN = (
    select(
        sessions,
        users.c.name,
        users.c.email,
        users.c.is_admin,
        users.c.suspended_at,
        select(settings.c.value)
        .where(settings.c.key == "organisation")
        .scalar_subquery()
        .label("organisation"),
    )
    .join(users, users.c.id == sessions.c.user_id)
    .where(sessions.c.id_hash == bindparam("id_hash"))
)


def resolve(conn: Connection, config: ServerConfig, token: str | None) -> Actor | None:
    """The person behind a token, or None: unknown, ended, idle too long, or suspended."""
    found = signed_in(conn, config, token)
    return found[0] if found is not None else None


def signed_in(
    conn: Connection, config: ServerConfig, token: str | None
) -> tuple[Actor, str] | None:
    """:func:`resolve`, and the organisation's name (as ``accounts.organisation``), in
    one statement."""
    if not token or len(token) > 200:
        return None
    row = conn.execute(_BY_TOKEN, {"id_hash": digest(token)}).first()
    if row is None or row.suspended_at is not None:
        return None
    moment = now()
    idle_limit = timedelta(minutes=config.idle_minutes)
    if row.expires_at <= moment or (row.kind == "web" and row.seen_at + idle_limit <= moment):
        return None
    actor = Actor(
        id=row.user_id,
        name=row.name,
        email=row.email,
        is_admin=bool(row.is_admin),
        session_id=row.public_id,
        kind=row.kind,
        csrf=row.csrf,
        stale=moment - row.seen_at >= TOUCH_EVERY,
    )
    return actor, row.organisation or "Attunement"


def touch(conn: Connection, token: str) -> None:
    conn.execute(update(sessions).where(sessions.c.id_hash == digest(token)).values(seen_at=now()))


def end(conn: Connection, token: str | None) -> bool:
    if not token:
        return False
    return conn.execute(delete(sessions).where(sessions.c.id_hash == digest(token))).rowcount > 0


def revoke(conn: Connection, user_id: str, public_id: str) -> None:
    gone = conn.execute(
        delete(sessions).where(sessions.c.public_id == public_id, sessions.c.user_id == user_id)
    ).rowcount
    if not gone:
        raise NotFound("There is no such session of yours; it may have ended already.")


def revoke_all(conn: Connection, user_id: str) -> int:
    return conn.execute(delete(sessions).where(sessions.c.user_id == user_id)).rowcount


def revoke_others(conn: Connection, user_id: str, keep: str | None) -> int:
    """End every session of a person but the one named ``keep`` (a public id): after a
    change to how they sign in, someone who only knew the old way is signed out."""
    query = delete(sessions).where(sessions.c.user_id == user_id)
    if keep is not None:
        query = query.where(sessions.c.public_id != keep)
    return conn.execute(query).rowcount


def of_user(conn: Connection, user_id: str) -> list[dict[str, Any]]:
    rows = conn.execute(
        select(sessions).where(sessions.c.user_id == user_id).order_by(sessions.c.created_at)
    )
    return [
        {
            "id": r.public_id,
            "kind": r.kind,
            "label": r.label,
            "created_at": r.created_at.isoformat(),
            "seen_at": r.seen_at.isoformat(),
            "expires_at": r.expires_at.isoformat(),
        }
        for r in rows
    ]
