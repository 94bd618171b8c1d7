"""A member's home page: what was shared with them and by them (a page of each), their
notices and deadlines, and the courses they lead; read over one connection.

The page's sections are drawn once and kept by each worker, per member, page of each
list and day, until something they show changes (:func:`sections`). What they show is
read from the member's courses (every course they belong to, and every course of a
share they own or read) and from their own comment notices; the stamp kept with them
is, in one statement:

- each of those courses and its weight in ``course_changes`` (rows written by triggers
  in the same transaction as any change to a course's shares, revisions, comments,
  sign-offs, deadlines, memberships, or its members' names and suspensions; see
  server/cohort.py): a course joining or leaving the set, or any change in one, moves it;
- how many unread comment notices the member has, their summed counts and the highest
  notice number: a new notice raises the last, a notice read lowers the first, one more
  comment on an unread notice raises the second (a notice is deleted only with its share,
  which moves its course's weight);
- whether any item the kept sections show as "not opened yet" has been opened since, or
  any they show as "new version" has had its newest version opened (an open is the only
  thing the page shows that no trigger records; once opened, an item never shows "not
  opened yet" again, and a version newer still is a new revision, which a trigger
  records).

The stamp is read before the sections' figures, so a change committed in between shows in
them and moves the stamp past the one kept. Kept sections also end when a share of those
courses reaches its expiry (nothing is written then), and at midnight UTC (deadlines are
judged by the day). The page shows nothing else: the list entries' "last opened" time is
not on it (if it ever is, opens must move the stamp). Admins, whose home page lists every
course, are drawn afresh every time. Who is asking, their name and their session's CSRF
token are never kept: the sections are drawn with a stand-in for the token.
"""

from __future__ import annotations

import secrets
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, func, literal_column, select, union, union_all
from sqlalchemy.engine import Connection, Engine

from attunement.server import cohort, deadlines, notices, sharing
from attunement.server.db import now, reading
from attunement.server.schema import course_changes, memberships, opens, shares
from attunement.server.schema import notices as notice_rows
from attunement.server.sessions import Actor

CSRF = secrets.token_hex(16)  # the token's stand-in in kept sections (unguessable)
KEEP = 512  # sections kept per worker (member, pages, day), the least recent dropped
NOT_OPENED = "not opened yet"


def home(engine: Engine, actor: Actor, inbox: sharing.Page, mine: sharing.Page) -> dict[str, Any]:
    with reading(engine) as conn:
        return _view(conn, actor, inbox, mine)


def _view(
    conn: Connection, actor: Actor, inbox: sharing.Page, mine: sharing.Page
) -> dict[str, Any]:
    return {
        "inbox": sharing.inbox_page(conn, actor, inbox),
        "mine": sharing.mine_page(conn, actor, mine),
        "notices": _few_per_deadline(notices.of_member(conn, actor)),
        "deadlines": notices.my_deadlines(conn, actor),
        "leads": cohort.led_by(conn, actor),
        "admin": actor.is_admin,
    }


@dataclass(frozen=True)
class _Kept:
    stamp: tuple[Any, ...]
    until: datetime | None  # the first expiry among the courses' live shares
    unopened: tuple[str, ...]  # the items shown as not opened yet
    behind: tuple[str, ...]  # the items shown as having a new version
    drawn: str


_kept: OrderedDict[tuple[Any, ...], _Kept] = OrderedDict()
_kept_lock = threading.Lock()


def sections(
    engine: Engine,
    actor: Actor,
    inbox: sharing.Page,
    mine: sharing.Page,
    draw: Callable[[dict[str, Any]], str],
) -> str:
    """The home page's sections as ``draw`` makes them of :func:`home`'s view (with
    :data:`CSRF` for the session's token), kept until anything they show changes."""
    if actor.is_admin:
        return draw(home(engine, actor, inbox, mine))
    on, moment = deadlines.today(), now()
    key = (actor.id, inbox, mine, on.isoformat())
    with _kept_lock:
        kept = _kept.get(key)
        if kept is not None:
            _kept.move_to_end(key)
    with reading(engine) as conn:
        stamp, opened = _stamp(
            conn, actor.id, kept.unopened if kept else (), kept.behind if kept else ()
        )
        if (
            kept is not None
            and not opened
            and kept.stamp == stamp
            and (kept.until is None or moment < kept.until)
        ):
            return kept.drawn
        view = _view(conn, actor, inbox, mine)
        courses = [course for course, _ in stamp[0]]
        until = conn.execute(_UNTIL, {"courses": courses, "moment": moment}).scalar()
    drawn = draw(view)
    shown = [s for listing in (view["inbox"], view["mine"]) for s in listing.items]
    unopened = tuple(s["id"] for s in shown if s["status"] == NOT_OPENED)
    behind = tuple(s["id"] for s in shown if s["status"] == sharing.NEW_VERSION)
    with _kept_lock:
        _kept[key] = _Kept(stamp, until, unopened, behind, drawn)
        _kept.move_to_end(key)
        while len(_kept) > KEEP:
            _kept.popitem(last=False)
    return drawn


def _stamp(
    conn: Connection, me: str, unopened: tuple[str, ...], behind: tuple[str, ...] = ()
) -> tuple[tuple[Any, ...], bool]:
    """((each of the member's courses and its weight, sorted), the unread comment
    notices' figures), and whether any of ``unopened`` has been opened, or any of
    ``behind`` opened at its newest version."""
    weights: dict[str, int] = {}
    unread, opened = (0, 0, 0), False
    values = {"me": me, "unopened": list(unopened), "behind": list(behind)}
    for what, key, a, b, c in conn.execute(_STAMP, values):
        if what == "course":  # listed even before its first change (weight 0)
            weights[key] = int(a)
        elif what == "notices":
            unread = (int(a), int(b), int(c))
        else:
            opened = bool(a)
    return (tuple(sorted(weights.items())), unread), opened


def _stamp_statement() -> Any:
    me: Any = bindparam("me")
    theirs = union(
        select(memberships.c.course_id).where(memberships.c.user_id == me),
        select(shares.c.course_id).where(shares.c.owner_id == me),
        select(shares.c.course_id).where(shares.c.reader_id == me),
    ).subquery("theirs")
    zero: Any = literal_column("0")
    blank: Any = literal_column("''")
    weight = (
        select(func.coalesce(func.sum(course_changes.c.weight), 0))
        .where(course_changes.c.course_id == theirs.c.course_id)
        .scalar_subquery()
    )
    each_course = select(literal_column("'course'"), theirs.c.course_id, weight, zero, zero)
    unread = select(
        literal_column("'notices'"),
        blank,
        func.count(),
        func.coalesce(func.sum(notice_rows.c.times), 0),
        func.coalesce(func.max(notice_rows.c.pk), 0),
    ).where(
        notice_rows.c.user_id == me,
        notice_rows.c.kind == "comment",
        notice_rows.c.seen_at.is_(None),
    )
    newest = select(shares.c.latest).where(shares.c.id == opens.c.share_id).scalar_subquery()
    first_open = (
        select(opens.c.pk)
        .where(
            opens.c.share_id.in_(bindparam("unopened", expanding=True))
            | (
                opens.c.share_id.in_(bindparam("behind", expanding=True))
                & (opens.c.revision >= newest)
            )
        )
        .limit(1)
        .subquery()
    )
    opened = select(literal_column("'opened'"), blank, func.count(), zero, zero).select_from(
        first_open
    )
    return union_all(each_course, unread, opened)


# Built once: a look binds only the member, the items not opened yet (or not at their
# newest version), the courses.
_STAMP = _stamp_statement()
_UNTIL = select(func.min(shares.c.expires_at)).where(
    shares.c.course_id.in_(bindparam("courses", expanding=True)),
    shares.c.expires_at > bindparam("moment"),
)


SIGNOFFS_SHOWN = 5  # "awaiting your sign-off" notices listed per deadline on the page


def _few_per_deadline(found: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The home page's notices: each item awaiting the reader's sign-off is listed for the
    first few of each deadline, then one line says how many more wait (they are all in
    "Shared with me"); a supervisor with a whole cohort overdue reads a short list."""
    shown: list[dict[str, Any]] = []
    more: dict[str, dict[str, Any]] = {}
    seen: dict[str, int] = {}
    for n in found:
        if n["kind"] != "signoff":
            shown.append(n)
            continue
        key = n["deadline"]
        seen[key] = seen.get(key, 0) + 1
        if seen[key] <= SIGNOFFS_SHOWN:
            shown.append(n)
        elif key in more:
            more[key]["count"] += 1
        else:
            title = n["subject"].split(": ", 1)[-1]
            more[key] = {"kind": "signoff_more", "deadline": key, "count": 1, "title": title}
            shown.append(more[key])
    for m in more.values():
        items = "item awaits" if m["count"] == 1 else "items await"
        m["text"] = (
            f"and {m['count']} more {items} your sign-off for {m['title']}; "
            "each is in Shared with me below."
        )
    return shown
