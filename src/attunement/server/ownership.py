"""A member's own data: export everything of theirs, or erase it from the server.

Erasing deletes the account with its sessions and memberships, every share it made
(with their revisions, comments and sign-offs), every share made to it, and every comment
it wrote. What stays: the audit log's lines (an opaque account id, actions and times,
never content) and sign-offs it gave on others' work (a name, a time and a digest), which
are the other person's record. The last admin cannot erase themselves.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.engine import Engine

from attunement.errors import InvalidInput
from attunement.server import accounts, audit, sharing
from attunement.server.db import now, reading, writing
from attunement.server.schema import comments, shares, users
from attunement.server.sessions import Actor


def export(engine: Engine, actor: Actor) -> dict[str, Any]:
    mine = [s["id"] for s in sharing.mine(engine, actor)]
    with reading(engine) as conn:
        written = [
            {
                "share": c.share_id,
                "revision": c.revision,
                "kind": c.kind,
                "quote": c.quote,
                "body": c.body,
                "created_at": c.created_at.isoformat(),
            }
            for c in conn.execute(select(comments).where(comments.c.author_id == actor.id))
        ]
    out = {
        "exported_at": now().isoformat(),
        "account": accounts.account(engine, actor),
        "shares": [sharing.view(engine, actor, share_id, reading_it=False) for share_id in mine],
        "comments_written": written,
    }
    with writing(engine) as conn:
        out["audit"] = audit.part_of(conn, actor.id)
        audit.record(conn, actor.id, "account.export", "user", actor.id, owner_id=actor.id)
    return out


def erase(engine: Engine, actor: Actor, confirm_email: str) -> dict[str, int]:
    if confirm_email.strip().lower() != actor.email:
        raise InvalidInput(
            "To erase your account, type its e-mail address exactly.", field="confirm"
        )
    with writing(engine) as conn:
        if actor.is_admin:
            admins = conn.execute(
                select(func.count()).select_from(users).where(users.c.is_admin.is_(True))
            ).scalar()
            if (admins or 0) <= 1:
                raise InvalidInput(
                    "You are this server's only admin; make someone else an admin first.",
                    field="confirm",
                )
        made = conn.execute(delete(shares).where(shares.c.owner_id == actor.id)).rowcount
        received = conn.execute(delete(shares).where(shares.c.reader_id == actor.id)).rowcount
        written = conn.execute(delete(comments).where(comments.c.author_id == actor.id)).rowcount
        conn.execute(delete(users).where(users.c.id == actor.id))
        audit.record(conn, actor.id, "account.erase", "user", actor.id, owner_id=actor.id)
    return {"shares": made, "shares_received": received, "comments": written}
