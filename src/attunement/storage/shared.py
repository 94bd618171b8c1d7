"""What this journal shared on a team server, what waits to be sent, and what came home
(comments, change requests, sign-offs, openings): the tables of migration 0007; and the
member's name and deadlines that matter now, as the server last said them (0010).

Plain SQL on the journal's own connection (as ``storage.reader`` reads), so `attune
show` stays fast. Each function is one transaction; :func:`apply` takes a whole batch
from the server, with its cursor, in one, so a sync is never half applied, and the
server's ids make applying the same batch twice add nothing.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from attunement.core.dates import moment_text
from attunement.storage.reader import Reader, from_sql_time, sql_time

FEEDBACK_KINDS = ("comment", "changes", "signoff", "open")
COUNTED = {"comment": "comments", "changes": "changes", "signoff": "signoffs", "open": "opens"}


def _now() -> datetime:
    return datetime.now(UTC)


def _time(text: str | None) -> datetime | None:
    return from_sql_time(text) if text else None


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def _local(moment: datetime | None) -> str | None:
    """A moment as this computer's clock shows it, to the minute."""
    return moment.astimezone().strftime("%Y-%m-%d %H:%M") if moment else None


def _local_text(moment: datetime | None) -> str | None:
    """The same moment as pages write it: "5 Dec 2026, 13:56"."""
    return moment_text(moment.astimezone()) if moment else None


@dataclass(frozen=True)
class Feedback:
    server_id: str
    kind: str  # comment, changes, signoff, open
    revision: int
    author: str
    mine: bool
    quote: str | None
    body: str | None
    sha256: str | None
    at: datetime

    def to_dict(self) -> dict[str, Any]:
        return {
            **asdict(self),
            "at": self.at.isoformat(),
            "when": _local(self.at),
            "when_text": _local_text(self.at),
        }


@dataclass(frozen=True)
class SharedItem:
    share_id: str
    server_url: str
    kind: str
    item: str | None
    item_revision: int | None
    title: str
    redacted: bool
    fingerprint: str
    reader_id: str
    reader_name: str
    revision: int | None
    state: str  # queued, shared, revoked, expired
    expires_at: datetime | None
    shared_at: datetime
    changed_at: datetime
    queued: int = 0  # versions waiting to be sent
    feedback: list[Feedback] = field(default_factory=list)

    @property
    def deleted(self) -> bool:
        return self.state in ("revoked", "expired")

    @property
    def signed_off(self) -> Feedback | None:
        signed = [f for f in self.feedback if f.kind == "signoff" and f.revision == self.revision]
        return signed[-1] if signed else None

    @property
    def last_opened(self) -> Feedback | None:
        opened = [f for f in self.feedback if f.kind == "open"]
        return opened[-1] if opened else None

    @property
    def said(self) -> list[Feedback]:
        """Comments, change requests and sign-offs, oldest first (not the openings)."""
        return [f for f in self.feedback if f.kind != "open"]

    def to_dict(self) -> dict[str, Any]:
        return {
            "share_id": self.share_id,
            "server_url": self.server_url,
            "kind": self.kind,
            "item": self.item,
            "item_revision": self.item_revision,
            "title": self.title,
            "redacted": self.redacted,
            "fingerprint": self.fingerprint,
            "reader": {"id": self.reader_id, "name": self.reader_name},
            "revision": self.revision,
            "state": self.state,
            "queued": self.queued,
            "expires_at": _iso(self.expires_at),
            "shared_at": self.shared_at.isoformat(),
            "changed_at": self.changed_at.isoformat(),
            "last_opened": _iso(self.last_opened.at) if self.last_opened else None,
            "last_opened_when": _local(self.last_opened.at) if self.last_opened else None,
            "last_opened_text": _local_text(self.last_opened.at) if self.last_opened else None,
            "feedback": [f.to_dict() for f in self.said],
        }


@dataclass(frozen=True)
class Deadline:
    """A deadline of the member's that mattered at the last sync, as the server said it:
    overdue, or due within the week, and not yet met."""

    id: str
    title: str
    course: str
    counts: str  # what meets it: "a reflection, signed off"
    due_on: date
    status: str  # "overdue" or "due_soon", as the server judged it
    waiting: bool  # an item of theirs awaits its sign-off

    def overdue(self, today: date) -> bool:
        """Overdue as the server said, or since passed (not met when last heard)."""
        return self.status == "overdue" or self.due_on < today

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "due_on": self.due_on.isoformat()}


def _deadline(data: dict[str, Any]) -> Deadline:
    return Deadline(
        id=str(data["id"]),
        title=str(data.get("title") or "Untitled deadline"),
        course=str(data.get("course") or ""),
        counts=str(data.get("counts") or ""),
        due_on=date.fromisoformat(str(data["due_on"])[:10]),
        status="overdue" if data.get("status") == "overdue" else "due_soon",
        waiting=bool(data.get("waiting")),
    )


@dataclass(frozen=True)
class SyncState:
    server_url: str
    cursor: str | None
    synced_at: datetime | None
    tried_at: datetime | None
    problem: str | None
    member_name: str | None = None  # as the server last said it
    deadlines: list[Deadline] | None = None  # None: the server has not said


_ITEM_COLUMNS = (
    "share_id, server_url, kind, item, item_revision, title, redacted, fingerprint, "
    "reader_id, reader_name, revision, state, expires_at, shared_at, changed_at"
)
_FEEDBACK_COLUMNS = "share_id, server_id, kind, revision, author, mine, quote, body, sha256, at"


def _item(row: Any, queued: int, feedback: list[Feedback]) -> SharedItem:
    (share_id, url, kind, item, item_rev, title, redacted, fingerprint, reader_id,
     reader_name, revision, state, expires, shared, changed) = row  # fmt: skip
    return SharedItem(
        share_id=share_id,
        server_url=url,
        kind=kind,
        item=item,
        item_revision=item_rev,
        title=title,
        redacted=bool(redacted),
        fingerprint=fingerprint,
        reader_id=reader_id,
        reader_name=reader_name,
        revision=revision,
        state=state,
        expires_at=_time(expires),
        shared_at=from_sql_time(shared),
        changed_at=from_sql_time(changed),
        queued=queued,
        feedback=feedback,
    )


def _feedback(row: Any) -> Feedback:
    _share, server_id, kind, revision, author, mine, quote, body, sha256, at = row
    moment = from_sql_time(at)
    return Feedback(server_id, kind, revision, author, bool(mine), quote, body, sha256, moment)


# -- reading ------------------------------------------------------------------------------


def items(reader: Reader, *, kind: str | None = None, item: str | None = None) -> list[SharedItem]:
    """Shares this journal made (of one item, when given), newest first, each with what
    came home, oldest first."""
    where, params = "owner = ?", [reader.owner]
    if kind is not None:
        where += " AND kind = ?"
        params.append(kind)
    if item is not None:
        where += " AND item = ?"
        params.append(item)
    with reader._reading() as conn:
        rows = conn.execute(
            f"SELECT {_ITEM_COLUMNS} FROM shared_items WHERE {where} "
            "ORDER BY shared_at DESC, pk DESC",
            params,
        ).fetchall()
        ids = [r[0] for r in rows]
        feedback: dict[str, list[Feedback]] = {i: [] for i in ids}
        queued: dict[str, int] = {}
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            marks = ", ".join("?" * len(chunk))
            for row in conn.execute(
                f"SELECT {_FEEDBACK_COLUMNS} FROM share_feedback WHERE owner = ? AND "
                f"share_id IN ({marks}) ORDER BY at, pk",
                [reader.owner, *chunk],
            ):
                feedback[row[0]].append(_feedback(row))
            for share_id, count in conn.execute(
                f"SELECT share_id, count(*) FROM share_queue WHERE owner = ? AND "
                f"share_id IN ({marks}) GROUP BY share_id",
                [reader.owner, *chunk],
            ):
                queued[share_id] = count
    return [_item(r, queued.get(r[0], 0), feedback[r[0]]) for r in rows]


def queue(reader: Reader) -> list[tuple[int, str, dict[str, Any]]]:
    """What waits to be sent, in the order it was confirmed: (pk, share id, payload)."""
    with reader._reading() as conn:
        rows = conn.execute(
            "SELECT pk, share_id, payload FROM share_queue WHERE owner = ? ORDER BY pk",
            (reader.owner,),
        ).fetchall()
    return [(pk, share_id, json.loads(payload)) for pk, share_id, payload in rows]


_STATE_COLUMNS = "server_url, cursor, synced_at, tried_at, problem, member_name, deadlines"


def _state(row: Any) -> SyncState:
    url, cursor, synced, tried, problem, name, told = row
    return SyncState(
        url,
        cursor,
        _time(synced),
        _time(tried),
        problem,
        member_name=name,
        deadlines=None if told is None else [_deadline(d) for d in json.loads(told)],
    )


def sync_state(reader: Reader, server_url: str) -> SyncState:
    with reader._reading() as conn:
        row = conn.execute(
            f"SELECT {_STATE_COLUMNS} FROM sync_state WHERE owner = ? AND server_url = ?",
            (reader.owner, server_url),
        ).fetchone()
    if row is None:
        return SyncState(server_url, None, None, None, None)
    return _state(row)


def latest_sync(reader: Reader) -> SyncState | None:
    """The server this journal synced with last (for `attune today`), if any."""
    with reader._reading() as conn:
        row = conn.execute(
            f"SELECT {_STATE_COLUMNS} FROM sync_state WHERE owner = ? "
            "AND synced_at IS NOT NULL ORDER BY synced_at DESC LIMIT 1",
            (reader.owner,),
        ).fetchone()
    return None if row is None else _state(row)


def local_item_ids(reader: Reader) -> tuple[list[str], list[str]]:
    """The ids of every entry and transcript here, to recognise shares made of them."""
    with reader._reading() as conn:
        owner = (reader.owner,)
        entries = [r[0] for r in conn.execute("SELECT id FROM entries WHERE owner = ?", owner)]
        transcripts = [
            r[0] for r in conn.execute("SELECT id FROM transcripts WHERE owner = ?", owner)
        ]
    return entries, transcripts


def known_share_ids(reader: Reader) -> set[str]:
    with reader._reading() as conn:
        return {
            r[0]
            for r in conn.execute(
                "SELECT share_id FROM shared_items WHERE owner = ?", (reader.owner,)
            )
        }


# -- writing ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Sent:
    """A share as this journal sends (or queues) it."""

    share_id: str
    server_url: str
    kind: str
    item: str | None
    item_revision: int | None
    title: str
    redacted: bool
    fingerprint: str
    reader_id: str
    reader_name: str
    expires_at: datetime | None


def _upsert(conn: Any, owner: str, sent: Sent, revision: int | None, state: str) -> None:
    moment = sql_time(_now())
    expires = sql_time(sent.expires_at) if sent.expires_at else None
    found = conn.execute(
        "SELECT state FROM shared_items WHERE owner = ? AND share_id = ?",
        (owner, sent.share_id),
    ).fetchone()
    if found is None:
        conn.execute(
            f"INSERT INTO shared_items (owner, {_ITEM_COLUMNS}) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (owner, sent.share_id, sent.server_url, sent.kind, sent.item, sent.item_revision,
             sent.title, int(sent.redacted), sent.fingerprint, sent.reader_id,
             sent.reader_name, revision, state, expires, moment, moment),
        )  # fmt: skip
    elif state == "shared":
        conn.execute(
            "UPDATE shared_items SET item_revision = ?, title = ?, redacted = ?, "
            "fingerprint = ?, reader_name = ?, revision = ?, state = 'shared', "
            "expires_at = ?, changed_at = ? WHERE owner = ? AND share_id = ?",
            (sent.item_revision, sent.title, int(sent.redacted), sent.fingerprint,
             sent.reader_name, revision, expires, moment, owner, sent.share_id),
        )  # fmt: skip
    elif found[0] in ("revoked", "expired"):
        # Shared again after it was deleted on the server: waiting to be sent anew.
        conn.execute(
            "UPDATE shared_items SET state = 'queued', revision = NULL, changed_at = ? "
            "WHERE owner = ? AND share_id = ?",
            (moment, owner, sent.share_id),
        )


def record_sent(reader: Reader, sent: Sent, revision: int, *, queue_pk: int | None = None) -> None:
    """The server has this version (as revision ``revision``); a queued version that was
    just delivered leaves the queue in the same transaction."""
    with reader._writing() as conn:
        if queue_pk is not None:
            conn.execute(
                "DELETE FROM share_queue WHERE owner = ? AND pk = ?", (reader.owner, queue_pk)
            )
        _upsert(conn, reader.owner, sent, revision, "shared")


def enqueue(reader: Reader, sent: Sent, payload: dict[str, Any]) -> None:
    """Keep a confirmed share to send when the server can be reached again."""
    with reader._writing() as conn:
        kept = json.dumps({"sent": _sent_dict(sent), "payload": payload})
        conn.execute(
            "INSERT INTO share_queue (owner, share_id, payload, queued_at) VALUES (?, ?, ?, ?)",
            (reader.owner, sent.share_id, kept, sql_time(_now())),
        )
        _upsert(conn, reader.owner, sent, None, "queued")


def _sent_dict(sent: Sent) -> dict[str, Any]:
    return {**asdict(sent), "expires_at": _iso(sent.expires_at)}


def sent_from(data: dict[str, Any]) -> Sent:
    expires = data.get("expires_at")
    return Sent(**{**data, "expires_at": datetime.fromisoformat(expires) if expires else None})


def forget_queued(reader: Reader, share_id: str) -> bool:
    """Take back a share that was never sent: its waiting versions, and its record if it
    never reached the server. False when nothing of it was waiting."""
    with reader._writing() as conn:
        before = conn.total_changes
        conn.execute(
            "DELETE FROM share_queue WHERE owner = ? AND share_id = ?", (reader.owner, share_id)
        )
        if conn.total_changes == before:
            return False
        conn.execute(
            "DELETE FROM shared_items WHERE owner = ? AND share_id = ? AND state = 'queued'",
            (reader.owner, share_id),
        )
    return True


def mark_deleted(reader: Reader, share_id: str, reason: str) -> None:
    with reader._writing() as conn:
        _set_deleted(conn, reader.owner, share_id, reason, _now())


def _set_deleted(conn: Any, owner: str, share_id: str, reason: str, at: datetime) -> None:
    conn.execute(
        "UPDATE shared_items SET state = ?, changed_at = ? "
        "WHERE owner = ? AND share_id = ? AND state != 'queued'",
        (reason, sql_time(at), owner, share_id),
    )


@dataclass
class Applied:
    """What one batch brought: counts of new things, and the people and shares concerned."""

    comments: int = 0
    changes: int = 0
    signoffs: int = 0
    opens: int = 0
    deleted: int = 0
    people: set[str] = field(default_factory=set)
    shares: set[str] = field(default_factory=set)
    # The items (kind, local item) something was said about: two shares of one entry
    # (with two readers, or shared again after a revoke) are one entry.
    items: set[tuple[str, str]] = field(default_factory=set)

    def add(self, other: Applied) -> None:
        for name in ("comments", "changes", "signoffs", "opens", "deleted"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.people |= other.people
        self.shares |= other.shares
        self.items |= other.items


def apply(
    reader: Reader,
    server_url: str,
    cursor: str,
    changes: Iterable[dict[str, Any]],
    adopted: Iterable[Sent] = (),
    *,
    member_name: str | None = None,
    deadlines: list[dict[str, Any]] | None = None,
) -> Applied:
    """One batch from the server and its cursor, in one transaction. Changes about
    shares this journal does not know (made elsewhere) are skipped; ``adopted`` are
    shares made before this journal kept them, recognised by their id. The member's name
    and ``deadlines`` (the whole list that matters now), when the server said them,
    replace the ones kept; None keeps them."""
    done = Applied()
    moment = sql_time(_now())
    told = None if deadlines is None else json.dumps([_deadline(d).to_dict() for d in deadlines])
    with reader._writing() as conn:
        for sent in adopted:
            _upsert(conn, reader.owner, sent, None, "shared")
        known = {
            r[0]: (r[1], r[2] or r[0])
            for r in conn.execute(
                "SELECT share_id, kind, item FROM shared_items WHERE owner = ?", (reader.owner,)
            )
        }
        for change in changes:
            share_id = change["share"]
            if share_id not in known:
                continue
            if change["type"] == "revision":
                # A revision after a deletion: shared again (the same id: same item and
                # reader), so its numbers start again.
                conn.execute(
                    "UPDATE shared_items SET "
                    "revision = CASE WHEN state IN ('revoked', 'expired') THEN ? "
                    "ELSE max(coalesce(revision, 0), ?) END, "
                    "state = CASE WHEN state IN ('revoked', 'expired') THEN 'shared' "
                    "ELSE state END WHERE owner = ? AND share_id = ?",
                    (change["revision"], change["revision"], reader.owner, share_id),
                )
                continue
            if change["type"] == "deleted":
                at = datetime.fromisoformat(change["at"])
                before = conn.total_changes
                _set_deleted(conn, reader.owner, share_id, change["reason"], at)
                if conn.total_changes > before:
                    done.deleted += 1
                    done.shares.add(share_id)
                continue
            row = _feedback_row(change)
            if row is None:
                continue
            before = conn.total_changes
            conn.execute(
                "INSERT OR IGNORE INTO share_feedback (owner, share_id, server_id, kind, "
                "revision, author, mine, quote, body, sha256, at, received_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (reader.owner, share_id, *row, moment),
            )
            if conn.total_changes > before:
                kind, author, mine = row[1], row[3], row[4]
                setattr(done, COUNTED[kind], getattr(done, COUNTED[kind]) + 1)
                if kind != "open" and not mine:
                    done.people.add(author)
                    done.shares.add(share_id)
                    done.items.add(known[share_id])
        conn.execute(
            "INSERT INTO sync_state (owner, server_url, cursor, synced_at, tried_at, problem, "
            "member_name, deadlines) VALUES (?, ?, ?, ?, ?, NULL, ?, ?) "
            "ON CONFLICT (owner, server_url) DO UPDATE SET "
            "cursor = excluded.cursor, synced_at = excluded.synced_at, "
            "tried_at = excluded.tried_at, problem = NULL, "
            "member_name = coalesce(excluded.member_name, sync_state.member_name), "
            "deadlines = coalesce(excluded.deadlines, sync_state.deadlines)",
            (reader.owner, server_url, cursor, moment, moment, member_name, told),
        )
    return done


def _feedback_row(change: dict[str, Any]) -> tuple[Any, ...] | None:
    """(server_id, kind, revision, author, mine, quote, body, sha256, at) of a change."""
    at = sql_time(datetime.fromisoformat(change["at"]))
    kind = change["type"]
    if kind == "comment":
        comment_kind = "changes" if change.get("kind") == "changes" else "comment"
        author = (change.get("author") or {}).get("name") or "Someone who has left"
        mine = int(bool(change.get("by_owner")))
        return (change["id"], comment_kind, change["revision"], author, mine,
                change.get("quote"), change["body"], None, at)  # fmt: skip
    if kind == "signoff":
        signer = (change.get("signer") or {}).get("name") or "Someone who has left"
        return (change["id"], "signoff", change["revision"], signer, 0, None, None,
                change.get("sha256"), at)  # fmt: skip
    if kind == "open":
        opener = (change.get("reader") or {}).get("name") or "Someone who has left"
        return (change["id"], "open", change["revision"], opener, 0, None, None, None, at)
    return None  # a kind of change this version does not know: skipped, not misread


def note_problem(reader: Reader, server_url: str, problem: str) -> None:
    """A sync that could not happen: when, and why (the cursor stays)."""
    moment = sql_time(_now())
    with reader._writing() as conn:
        conn.execute(
            "INSERT INTO sync_state (owner, server_url, tried_at, problem) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (owner, server_url) DO UPDATE SET tried_at = excluded.tried_at, "
            "problem = excluded.problem",
            (reader.owner, server_url, moment, problem),
        )
