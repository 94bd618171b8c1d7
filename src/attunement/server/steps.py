"""A sign-in half done, kept in the database so any worker can finish it.

After a right password, when a code is still to be given (``code``), or while the
browser is away at the organisation's identity provider (``oidc``). The browser holds a
random token in a short-lived cookie; the database keeps its SHA-256. A step is not a
session: no route but the next step of signing in reads it, it is used once (taken and
deleted in the same transaction that finishes it), and it ends after
``ServerConfig.step_minutes``.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, select
from sqlalchemy.engine import Connection

from attunement.errors import NotFound
from attunement.server.config import ServerConfig
from attunement.server.db import now
from attunement.server.schema import signin_steps
from attunement.server.sessions import digest

COOKIE = "attune_step"
GONE = "This sign-in has expired or was already used; sign in again."


@dataclass(frozen=True)
class Step:
    kind: str
    user_id: str | None
    state: str | None
    nonce: str | None
    verifier: str | None
    invitation: str | None  # the SHA-256 of a welcome link, when joining through the provider
    label: str


def start(
    conn: Connection,
    config: ServerConfig,
    kind: str,
    *,
    user_id: str | None = None,
    state: str | None = None,
    nonce: str | None = None,
    verifier: str | None = None,
    invitation: str | None = None,
    label: str = "",
) -> str:
    """A new step; returns the token for the browser's cookie. Old steps are swept."""
    moment = now()
    conn.execute(delete(signin_steps).where(signin_steps.c.expires_at <= moment))
    token = secrets.token_urlsafe(32)
    conn.execute(
        signin_steps.insert().values(
            id_hash=digest(token),
            kind=kind,
            user_id=user_id,
            state=state,
            nonce=nonce,
            verifier=verifier,
            invitation=invitation,
            label=label[:120],
            created_at=moment,
            expires_at=moment + timedelta(minutes=config.step_minutes),
        )
    )
    return token


def peek(conn: Connection, token: str | None, kind: str) -> Step:
    """The step behind a cookie, left in place (to show its page), or NotFound."""
    if not token or len(token) > 200:
        raise NotFound(GONE)
    row = conn.execute(
        select(signin_steps).where(
            signin_steps.c.id_hash == digest(token),
            signin_steps.c.kind == kind,
            signin_steps.c.expires_at > now(),
        )
    ).first()
    if row is None:
        raise NotFound(GONE)
    return Step(
        row.kind, row.user_id, row.state, row.nonce, row.verifier, row.invitation, row.label
    )


def take(conn: Connection, token: str | None, kind: str) -> Step:
    """The step behind a cookie, deleted: it cannot be used again, whatever follows."""
    step = peek(conn, token, kind)
    gone = conn.execute(
        delete(signin_steps).where(signin_steps.c.id_hash == digest(token or ""))
    ).rowcount
    if not gone:
        raise NotFound(GONE)
    return step


def end(conn: Connection, token: str | None) -> None:
    if token and len(token) <= 200:
        conn.execute(delete(signin_steps).where(signin_steps.c.id_hash == digest(token)))
