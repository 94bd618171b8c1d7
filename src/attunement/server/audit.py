"""The server's append-only audit log: who did what to which object, when, and whether it
was allowed. Never a word of content: a revision number or a digest at most.

Every read of someone else's content, every share, revoke, comment, sign-off, sign-in
and administrative change is recorded by the service that did it, in the same
transaction, so an action and its record stand or fall together. Admins read all of it;
a member reads the part about their own content and their own actions.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import or_, select
from sqlalchemy.engine import Connection, Engine

from attunement.server.db import now, reading
from attunement.server.schema import audit, memberships, users

if TYPE_CHECKING:
    from attunement.server.sessions import Actor

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


def shown(engine: Engine, actor: Actor, limit: int = MAX_ROWS) -> list[dict[str, Any]]:
    """The log as the Activity page shows it to ``actor`` (all of it to an admin): each
    record with ``who`` said in words, the person's name and their role in the courses
    the reader shares with them ("Sam Okafor (supervisor)"), never a bare id."""
    from attunement.server.accounts import ROLE_NAMES

    with reading(engine) as conn:
        rows = everything(conn, limit) if actor.is_admin else part_of(conn, actor.id, limit)
        ids = {r["actor"] for r in rows if r["actor"]} - {actor.id}
        people = {
            p.id: p
            for p in conn.execute(
                select(users.c.id, users.c.name, users.c.is_admin).where(users.c.id.in_(ids))
            )
        }
        mine = select(memberships.c.course_id).where(memberships.c.user_id == actor.id)
        query = select(memberships.c.user_id, memberships.c.role).where(
            memberships.c.user_id.in_(ids)
        )
        roles: dict[str, set[str]] = {}
        for m in conn.execute(
            query if actor.is_admin else query.where(memberships.c.course_id.in_(mine))
        ):
            roles.setdefault(m.user_id, set()).add(ROLE_NAMES.get(m.role, m.role))

    def who(actor_id: str | None) -> str:
        if actor_id is None:
            return "someone not signed in"
        if actor_id == actor.id:
            return "you"
        person = people.get(actor_id)
        if person is None:
            return "someone no longer on this server"
        said = sorted(roles.get(actor_id, ())) + (["admin"] if person.is_admin else [])
        return f"{person.name} ({', '.join(said)})" if said else person.name

    return [{**r, "who": who(r["actor"])} for r in rows]
