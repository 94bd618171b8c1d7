"""What changed about a member's own shares since their computer last asked: the delta
behind `GET /api/v1/sync?since=CURSOR`; with it, on every answer, the member's name and
their deadlines that matter now (:func:`deadlines_now`), as their home page has them.

Triggers write a row to ``changes`` in the same transaction as each new revision,
comment (or change request), sign-off, open and deleted share (schema.py). The cursor is
opaque to the client; inside it is a pair ``(tx, seq)`` meaning "everything up to here
has been handed out".

Why not just the row's sequence number: on PostgreSQL a sequence value is taken when a
row is inserted, not when its transaction commits. Transaction A can take seq 10, B take
seq 11 and commit first; a sync in between sees 11 and not 10, and a cursor of 11 would
skip 10 for ever once A commits. So on PostgreSQL each row also records the id of the
transaction that wrote it (``pg_current_xact_id()``), and a sync hands out only rows
whose transaction is older than the oldest transaction still running when it looked
(``pg_snapshot_xmin(pg_current_snapshot())``, the *horizon*). Every transaction below the
horizon has finished, so every row it committed is visible; nothing below it can ever
appear later. The cursor then moves to the horizon, and the next sync asks for
transactions from there on. A long-running writer only delays delivery; it never loses a
change. Transaction ids are 64-bit (``xid8``): they do not wrap around.

On SQLite writers are serialised (one write lock, taken before the first write), so a
row's sequence number is also its commit order: ``tx`` is 0 and the cursor is the last
sequence number handed out.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from sqlalchemy import and_, bindparam, or_, select, text
from sqlalchemy.engine import Connection, Engine

from attunement.errors import InvalidInput
from attunement.server import notices
from attunement.server.db import now, reading
from attunement.server.schema import changes, comments, opens, revisions, shares, signoffs, users
from attunement.server.sessions import Actor

PAGE = 500
CURSOR_VERSION = "1"


def encode(tx: int, seq: int) -> str:
    return f"{CURSOR_VERSION}.{tx}.{seq}"


def decode(cursor: str | None) -> tuple[int, int]:
    """The (tx, seq) inside a cursor; the beginning when there is none."""
    if not cursor:
        return (0, 0)
    parts = cursor.strip().split(".")
    if len(parts) == 3 and parts[0] == CURSOR_VERSION and all(p.isdigit() for p in parts[1:]):
        return (int(parts[1]), int(parts[2]))
    raise InvalidInput(
        "The sync cursor is not one this server gave; sync again from the beginning "
        "(leave out since=).",
        field="since",
    )


def horizon(conn: Connection) -> int | None:
    """The oldest transaction still running (PostgreSQL); None on SQLite."""
    if conn.dialect.name != "postgresql":
        return None
    xmin = "SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint"
    return int(conn.execute(text(xmin)).scalar_one())


def since(
    engine: Engine,
    actor: Actor,
    cursor: str | None,
    limit: int = PAGE,
    *,
    with_deadlines: bool = False,
) -> dict[str, Any]:
    """The changes to the actor's own shares after ``cursor``, oldest first, at most
    ``limit``; ``more`` says whether to ask again at once with the new cursor. Asked
    ``with_deadlines``, the last page also says the member's name and deadlines (three
    statements more: a client asks when it will show them, not on every delta)."""
    tx, seq = decode(cursor)
    with reading(engine) as conn:
        top = horizon(conn)  # first, so every row below it is visible to what follows
        values = {"me": actor.id, "tx": tx, "seq": seq, "moment": now(), "top": top}
        rows = conn.execute(_after(top is not None), values | {"rows": limit + 1}).all()
        more = len(rows) > limit
        rows = rows[:limit]
        if rows:
            tx, seq = rows[-1].tx, rows[-1].seq
        if not more and top is not None and (top, 0) > (tx, seq):
            tx, seq = top, 0  # every transaction before the horizon (seq starts at 1)
        out = {
            "cursor": encode(tx, seq),
            "more": more,
            "changes": [c for c in (_described(conn, row) for row in rows) if c is not None],
            "shares": _shares(conn, {row.share_id for row in rows}),
        }
        if with_deadlines and not more:
            # Added within protocol 1 (optional fields: an older client ignores them).
            out["member"] = {"id": actor.id, "name": actor.name}
            out["deadlines"] = deadlines_now(conn, actor)
        return out


def deadlines_now(conn: Connection, actor: Actor) -> list[dict[str, Any]]:
    """The member's deadlines that matter now, as their home page works them out
    (server/notices.py): overdue, or due within the week, and not yet met; overdue first.
    Empty for a member who is no course's trainee."""
    out = []
    for n in notices.upcoming(conn, actor):
        d = n["_deadline"]
        out.append(
            {
                "id": d.id,
                "title": d.title,
                "course": n["_course"],
                "kind": d.kind,
                "counts": d.counts,
                "due_on": d.due_on.isoformat(),
                "status": n["kind"],  # "overdue" or "due_soon"
                "waiting": bool(n["_waiting"]),  # an item of theirs awaits its sign-off
            }
        )
    return sorted(out, key=lambda d: (d["status"] != "overdue", d["due_on"], d["title"]))


@cache
def _after(below_horizon: bool) -> Any:
    """The changes to the shares of ``me`` after (``tx``, ``seq``), oldest first, at most
    ``rows`` (below the horizon ``top`` on PostgreSQL); built once, bound per request."""
    lapsed = select(shares.c.id).where(shares.c.expires_at <= bindparam("moment"))
    tx: Any = bindparam("tx")
    seq: Any = bindparam("seq")
    query = select(changes).where(
        changes.c.owner_id == bindparam("me"),
        or_(changes.c.tx > tx, and_(changes.c.tx == tx, changes.c.seq > seq)),
        # An expired share not yet swept is already gone: its deletion comes next.
        changes.c.share_id.not_in(lapsed),
    )
    if below_horizon:
        query = query.where(changes.c.tx < bindparam("top"))
    return query.order_by(changes.c.tx, changes.c.seq).limit(bindparam("rows"))


def _iso(moment: Any) -> str:
    return str(moment.isoformat())


def _name(conn: Connection, user_id: str) -> str | None:
    found = conn.execute(select(users.c.name).where(users.c.id == user_id)).scalar()
    return None if found is None else str(found)


def _described(conn: Connection, row: Any) -> dict[str, Any] | None:
    """One change as the client reads it; None when what it was about has since been
    deleted (its share revoked or expired: that is a change of its own, later)."""
    base = {"seq": row.seq, "type": row.kind, "share": row.share_id, "at": _iso(row.at)}
    if row.kind in ("revoked", "expired"):
        return {**base, "type": "deleted", "reason": row.kind}
    if row.kind == "revision":
        found = conn.execute(
            select(revisions.c.number, revisions.c.sha256, revisions.c.created_at).where(
                revisions.c.share_id == row.share_id,
                revisions.c.number == int(row.object_id),
            )
        ).first()
        if found is None:
            return None
        return {**base, "revision": found.number, "sha256": found.sha256}
    if row.kind == "comment":
        c = conn.execute(select(comments).where(comments.c.id == row.object_id)).first()
        if c is None:
            return None
        return {
            **base,
            "id": c.id,
            "revision": c.revision,
            "parent": c.parent_id,
            "kind": c.kind,
            "author": {"id": c.author_id, "name": _name(conn, c.author_id)},
            "by_owner": c.author_id == row.owner_id,
            "quote": c.quote,
            "body": c.body,
            "at": _iso(c.created_at),
        }
    if row.kind == "signoff":
        s = conn.execute(select(signoffs).where(signoffs.c.pk == int(row.object_id))).first()
        if s is None:
            return None
        return {
            **base,
            "id": f"signoff-{s.pk}",
            "revision": s.revision,
            "sha256": s.sha256,
            "signer": {"id": s.signer_id, "name": s.signer_name},
            "at": _iso(s.signed_at),
        }
    if row.kind == "open":
        o = conn.execute(select(opens).where(opens.c.pk == int(row.object_id))).first()
        if o is None:
            return None
        return {
            **base,
            "id": f"open-{o.pk}",
            "revision": o.revision,
            "reader": {"id": o.reader_id, "name": _name(conn, o.reader_id)},
            "at": _iso(o.at),
        }
    return None


def _shares(conn: Connection, ids: set[str]) -> dict[str, Any]:
    """What the client needs to know of each share a change is about (so a computer
    that did not record a share, e.g. one made before it kept them, can place it)."""
    out: dict[str, Any] = {}
    if not ids:
        return out
    for row in conn.execute(select(shares).where(shares.c.id.in_(sorted(ids)))):
        latest = conn.execute(
            select(revisions.c.title, revisions.c.sha256, revisions.c.redacted).where(
                revisions.c.share_id == row.id, revisions.c.number == row.latest
            )
        ).first()
        out[row.id] = {
            "kind": row.kind,
            "title": latest.title if latest else "",
            "sha256": latest.sha256 if latest else "",
            "redacted": bool(latest.redacted) if latest else True,
            "reader": {"id": row.reader_id, "name": _name(conn, row.reader_id)},
            "revision": row.latest,
            "expires_at": _iso(row.expires_at) if row.expires_at else None,
        }
    return out
