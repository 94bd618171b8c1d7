"""The server's append-only audit log: who did what to which object, when, and whether it
was allowed. Never a word of content: a revision number or a digest at most.

Every read of someone else's content, every share, revoke, comment, sign-off, sign-in
and administrative change is recorded by the service that did it, in the same
transaction, so an action and its record stand or fall together. Admins read all of it;
a member reads the part about their own content and their own actions.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.engine import Connection

from attunement.server.db import now
from attunement.server.schema import audit

MAX_ROWS = 500


_INSERT = audit.insert()  # one statement object: its compiled form is cached once


def record(
    conn: Connection,
    actor_id: str | None,
    action: str,
    object_type: str,
    object_id: str | None = None,
    *,
    owner_id: str | None = None,
    outcome: str = "ok",
    detail: str | None = None,
) -> None:
    conn.execute(
        _INSERT,
        {
            "at": now(),
            "actor_id": actor_id,
            "action": action,
            "object_type": object_type,
            "object_id": object_id,
            "owner_id": owner_id,
            "outcome": outcome,
            "detail": detail[:200] if detail else None,
        },
    )


def _rows(conn: Connection, query: Any, limit: int) -> list[dict[str, Any]]:
    result = conn.execute(query.order_by(audit.c.pk.desc()).limit(min(limit, MAX_ROWS)))
    return [
        {
            "at": row.at.isoformat(),
            "actor": row.actor_id,
            "action": row.action,
            "object": {"type": row.object_type, "id": row.object_id},
            "owner": row.owner_id,
            "outcome": row.outcome,
            "detail": row.detail,
        }
        for row in result
    ]


def everything(conn: Connection, limit: int = MAX_ROWS) -> list[dict[str, Any]]:
    """The whole log, newest first (admins)."""
    return _rows(conn, select(audit), limit)


def part_of(conn: Connection, user_id: str, limit: int = MAX_ROWS) -> list[dict[str, Any]]:
    """What concerns one member: actions on their content and actions they took."""
    query = select(audit).where(or_(audit.c.owner_id == user_id, audit.c.actor_id == user_id))
    return _rows(conn, query, limit)
