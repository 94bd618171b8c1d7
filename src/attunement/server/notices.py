"""What a member is told: a new comment on something they shared or were shown, a deadline
coming up, a deadline passed and not met.

Comment notices are recorded when the comment is written (one notice per share while
unread: three comments make "3 new comments", one mail). Deadline notices are worked
out from the deadlines themselves, so the home page always shows the current ones;
`attune server remind` (daily, from a timer) records each one once and mails it when the
server has SMTP. Without SMTP nothing is mailed and the home page, where every member
lands after signing in, shows the same notices. A notice's text names the item or the
deadline and says where to sign in; never a word of what was written.
"""

from __future__ import annotations

import logging
import uuid
from collections import defaultdict
from datetime import date
from functools import cache
from typing import Any

from sqlalchemy import and_, bindparam, func, select, update
from sqlalchemy.engine import Connection, Engine

from attunement.errors import NotFound
from attunement.server import audit, deadlines, mail
from attunement.server.config import ServerConfig
from attunement.server.db import now, reading, writing
from attunement.server.deadlines import OPEN, OVERDUE, WAITING, Deadline, Item
from attunement.server.schema import (
    READER_ROLES,
    courses,
    memberships,
    notices,
    revisions,
    shares,
    signoffs,
    users,
)
from attunement.server.schema import deadlines as deadline_rows
from attunement.server.sessions import Actor

log = logging.getLogger(__name__)
SOON_DAYS = 7  # the home page shows deadlines due within this many days
FAR = 5 * 366  # further than any deadline can be
NO_SUCH_NOTICE = "There is no such notice of yours."


# ---- recording ------------------------------------------------------------------------------


def on_comment(conn: Connection, share: Any, author_id: str) -> None:
    """Inside the comment's transaction: tell the other side of the share. An unread
    notice about the same share counts one more instead of making another."""
    recipient = share.reader_id if author_id == share.owner_id else share.owner_id
    if conn.execute(_ONE_MORE, {"user": recipient, "share": share.id}).rowcount:
        return
    conn.execute(
        _NEW_NOTICE,
        {
            "user_id": recipient,
            "kind": "comment",
            "share_id": share.id,
            "key": f"comment:{uuid.uuid4()}",
            "times": 1,
            "created_at": now(),
        },
    )


# A comment's notice: one more on the unread one about the share, else a new one.
_ONE_MORE = (
    update(notices)
    .where(
        notices.c.user_id == bindparam("user"),
        notices.c.share_id == bindparam("share"),
        notices.c.kind == "comment",
        notices.c.seen_at.is_(None),
    )
    .values(times=notices.c.times + 1)
)
_NEW_NOTICE = notices.insert()


def _record_deadline(conn: Connection, kind: str, deadline_id: str, user_id: str) -> bool:
    key = f"{kind}:{deadline_id}:{user_id}"
    if conn.execute(select(notices.c.pk).where(notices.c.key == key)).first() is not None:
        return False
    conn.execute(
        notices.insert().values(
            user_id=user_id,
            kind=kind,
            deadline_id=deadline_id,
            key=key,
            times=1,
            created_at=now(),
        )
    )
    return True


def _record_signoff(conn: Connection, n: dict[str, Any], user_id: str) -> bool:
    key = f"signoff:{n['deadline']}:{n['share']}"
    if conn.execute(select(notices.c.pk).where(notices.c.key == key)).first() is not None:
        return False
    conn.execute(
        notices.insert().values(
            user_id=user_id,
            kind="signoff",
            share_id=n["share"],
            deadline_id=n["deadline"],
            key=key,
            times=1,
            created_at=now(),
        )
    )
    return True


# ---- reading ---------------------------------------------------------------------------------


def _items(
    conn: Connection,
    course_ids: list[str],
    owner_ids: list[str] | None = None,
    *,
    signed_only: bool = False,
) -> Any:
    """(course, owner) -> the owner's live items in that course, for deadlines (of these
    owners only, when named; only those signed off, when ``signed_only``)."""
    values: dict[str, Any] = {"courses": course_ids, "moment": now()}
    if owner_ids is not None:
        values["owners"] = owner_ids
    out: dict[tuple[str, str], list[Item]] = defaultdict(list)
    for r in conn.execute(_items_statement(owner_ids is not None, signed_only), values):
        out[(r.course_id, r.owner_id)].append(Item(r.kind, r.created_at, r.signed_at))
    return out


@cache
def _items_statement(of_owners: bool, signed_only: bool) -> Any:
    """:func:`_items`'s statement, built once per variant: a call binds its values."""
    # Each share's first sign-off, looked up by the share (not grouped over them all).
    first_signed = (
        select(func.min(signoffs.c.signed_at))
        .where(signoffs.c.share_id == shares.c.id)
        .scalar_subquery()
    )
    query = select(
        shares.c.course_id,
        shares.c.owner_id,
        shares.c.kind,
        shares.c.created_at,
        first_signed.label("signed_at"),
    ).where(
        shares.c.course_id.in_(bindparam("courses", expanding=True)),
        shares.c.expires_at.is_(None) | (shares.c.expires_at > bindparam("moment")),
    )
    if of_owners:
        query = query.where(shares.c.owner_id.in_(bindparam("owners", expanding=True)))
    if signed_only:
        query = query.where(
            select(signoffs.c.pk).where(signoffs.c.share_id == shares.c.id).exists()
        )
    return query


def _deadline_text(kind: str, d: Deadline, course: str) -> tuple[str, str]:
    """(subject, sentence) for a deadline notice."""
    day = f"{d.due_on.day} {d.due_on:%B %Y}"
    if kind == "overdue":
        return (
            f"Overdue: “{d.title}”",
            f"“{d.title}” ({d.counts}) in {course} was due on {day} and is not met yet.",
        )
    return (
        f"Reminder: “{d.title}” is due on {day}",
        f"“{d.title}” ({d.counts}) in {course} is due on {day}.",
    )


def _comment_text(count: int, title: str) -> tuple[str, str]:
    what = "a new comment" if count == 1 else f"{count} new comments"
    return f"New comment on “{title}”", f"You have {what} on “{title}”."


def _standings(conn: Connection, user_id: str, on: date) -> list[tuple[str, Deadline, Any]]:
    """(course name, deadline, standing) for every deadline of this trainee's courses."""
    rows = conn.execute(_TRAINEE_OF, {"me": user_id}).all()
    if not rows:
        return []
    due: dict[str, list[Deadline]] = defaultdict(list)
    for d in conn.execute(_DEADLINES_OF, {"courses": [r.id for r in rows]}):
        due[d.course_id].append(deadlines.deadline_of(d))
    if not due:
        return []
    items = _items(conn, [r.id for r in rows if due[r.id]], [user_id])
    return [
        (r.name, d, deadlines.standing(d, items.get((r.id, user_id), []), on))
        for r in rows
        for d in due[r.id]
    ]


# The courses a member is a trainee in, and their deadlines: built once.
_TRAINEE_OF = (
    select(courses.c.id, courses.c.name)
    .join(memberships, memberships.c.course_id == courses.c.id)
    .where(memberships.c.user_id == bindparam("me"), memberships.c.role == "trainee")
    .order_by(courses.c.name)
)
_DEADLINES_OF = (
    select(deadline_rows)
    .where(deadline_rows.c.course_id.in_(bindparam("courses", expanding=True)))
    .order_by(deadline_rows.c.due_on, deadline_rows.c.title, deadline_rows.c.id)
)


def _upcoming(conn: Connection, user_id: str, on: date, within: int) -> list[dict[str, Any]]:
    """The deadlines of this trainee's courses that are due soon or overdue, unmet."""
    out = []
    for name, d, s in _standings(conn, user_id, on):
        kind = None
        if s.status == OVERDUE:
            kind = "overdue"
        elif s.status in (OPEN, WAITING) and (d.due_on - on).days <= within:
            kind = "due_soon"
        if kind is not None:
            subject, text = _deadline_text(kind, d, name)
            if s.waiting:
                text += " Your item awaits its sign-off."
            out.append(
                {
                    "kind": kind,
                    "deadline": d.id,
                    "course": d.course_id,
                    "due_on": d.due_on.isoformat(),
                    "subject": subject,
                    "text": text,
                    "_deadline": d,
                    "_course": name,
                    "_waiting": s.waiting,
                }
            )
    return out


def upcoming(conn: Connection, actor: Actor) -> list[dict[str, Any]]:
    """The deadline notices of this trainee's home page (overdue, or due within
    :data:`SOON_DAYS`, and not met), each with its deadline (``_deadline``), course name
    (``_course``) and whether an item of theirs awaits its sign-off (``_waiting``): what
    a sync brings home to their computer (server/changes.py)."""
    return _upcoming(conn, actor.id, deadlines.today(), SOON_DAYS)


def _awaiting_me(conn: Connection, reader_id: str, on: date, within: int) -> list[dict[str, Any]]:
    """Items shared with this supervisor or lead, not signed off, that a trainee needs
    signed off for a deadline due within ``within`` days or already passed.

    A waiting item counts for such a deadline when it is of the deadline's kind and
    shared from its start; the trainee then stands "awaiting sign-off" (or "overdue"),
    unless another of their items that counts for it was signed off already (then the
    deadline is met). So only deadlines met by a sign-off and due soon or passed are
    read, and of the trainees' other items only those signed off."""
    due: dict[str, list[Deadline]] = defaultdict(list)
    for row in conn.execute(_READS_DEADLINES, {"me": reader_id}):
        d = deadlines.deadline_of(row)
        if d.signoff and (on > d.due_on or (d.due_on - on).days <= within):
            due[d.course_id].append(d)
    if not due:
        return []
    moment = now()
    kinds = sorted({d.kind for ds in due.values() for d in ds})
    values = {"me": reader_id, "courses": sorted(due), "kinds": kinds, "moment": moment}
    waiting = conn.execute(_WAITING, values).all()
    if not waiting:
        return []
    values["courses"] = sorted({w.course_id for w in waiting})
    met = {  # (trainee, deadline) met by an item signed off
        (s.owner_id, d.id)
        for s in conn.execute(_SIGNED, values)
        for d in due[s.course_id]
        if _counts(d, s.kind, s.created_at)
    }
    out = []
    for w in waiting:
        for d in due[w.course_id]:
            if not _counts(d, w.kind, w.created_at) or (w.owner_id, d.id) in met:
                continue
            day = f"{d.due_on.day} {d.due_on:%B %Y}"
            late = "was due" if on > d.due_on else "is due"
            out.append(
                {
                    "kind": "signoff",
                    "deadline": d.id,
                    "share": w.id,
                    "course": w.course_id,
                    "due_on": d.due_on.isoformat(),
                    "subject": f"Awaiting your sign-off: “{d.title}”",
                    "text": f"An item {w.owner} shared with you awaits your sign-off for "
                    f"“{d.title}” in {w.course}, which {late} on {day}.",
                }
            )
    return out


def _counts(d: Deadline, kind: str, shared_at: Any) -> bool:
    """Whether an item of this kind shared then counts for the deadline."""
    return kind == d.kind and (d.starts_on is None or shared_at.date() >= d.starts_on)


# What _awaiting_me reads, built once: the deadlines of the courses this member reads for
# (supervisor or lead); the items of the deadlines' kinds shared with them in some of
# those courses that no one has signed off, from trainees not suspended; and the items
# of those kinds and courses signed off (by anyone), which meet their trainees' deadlines.
_SIGNED_OFF = select(signoffs.c.pk).where(signoffs.c.share_id == shares.c.id).exists()
_LIVE = shares.c.expires_at.is_(None) | (shares.c.expires_at > bindparam("moment"))
_READS_DEADLINES = (
    select(deadline_rows)
    .join(memberships, memberships.c.course_id == deadline_rows.c.course_id)
    .where(memberships.c.user_id == bindparam("me"), memberships.c.role.in_(READER_ROLES))
    .order_by(deadline_rows.c.due_on, deadline_rows.c.title, deadline_rows.c.id)
)
_WAITING = (
    select(
        shares.c.id,
        shares.c.owner_id,
        shares.c.course_id,
        shares.c.kind,
        shares.c.created_at,
        users.c.name.label("owner"),
        courses.c.name.label("course"),
    )
    .join(users, users.c.id == shares.c.owner_id)
    .join(courses, courses.c.id == shares.c.course_id)
    .where(
        shares.c.reader_id == bindparam("me"),
        shares.c.course_id.in_(bindparam("courses", expanding=True)),
        shares.c.kind.in_(bindparam("kinds", expanding=True)),
        ~_SIGNED_OFF,
        users.c.suspended_at.is_(None),
        _LIVE,
    )
    .order_by(shares.c.created_at)
)
# The items of those courses signed off (by anyone): each meets its trainee's deadlines.
_SIGNED = select(shares.c.course_id, shares.c.owner_id, shares.c.kind, shares.c.created_at).where(
    shares.c.course_id.in_(bindparam("courses", expanding=True)),
    shares.c.kind.in_(bindparam("kinds", expanding=True)),
    _SIGNED_OFF,
    _LIVE,
)


def my_deadlines(conn: Connection, actor: Actor) -> list[dict[str, Any]]:
    """Every deadline of the courses this member is a trainee in, and where they stand."""
    return [
        {**d.to_dict(), "course": name, "standing": s.to_dict()}
        for name, d, s in _standings(conn, actor.id, deadlines.today())
    ]


def for_member(engine: Engine, actor: Actor) -> list[dict[str, Any]]:
    """What the home page tells this member: unread comment notices, then deadlines due
    within a week or overdue."""
    with reading(engine) as conn:
        return of_member(conn, actor)


def of_member(conn: Connection, actor: Actor) -> list[dict[str, Any]]:
    """:func:`for_member` on a connection already open."""
    rows = conn.execute(_UNREAD_COMMENTS, {"me": actor.id, "moment": now()}).all()
    out = []
    for r in rows:
        subject, text = _comment_text(r.times, r.title or "Untitled")
        out.append(
            {
                "id": str(r.pk),
                "kind": "comment",
                "share": r.share_id,
                "count": r.times,
                "subject": subject,
                "text": text,
            }
        )
    on = deadlines.today()
    for n in _upcoming(conn, actor.id, on, SOON_DAYS):
        out.append({k: v for k, v in n.items() if not k.startswith("_")})
    out.extend(_awaiting_me(conn, actor.id, on, SOON_DAYS))
    return out


# The member's unread comment notices on live shares, with each share's latest title.
_UNREAD_COMMENTS = (
    select(notices.c.pk, notices.c.share_id, notices.c.times, revisions.c.title)
    .join(shares, shares.c.id == notices.c.share_id)
    .join(
        revisions,
        and_(revisions.c.share_id == shares.c.id, revisions.c.number == shares.c.latest),
    )
    .where(
        notices.c.user_id == bindparam("me"),
        notices.c.kind == "comment",
        notices.c.seen_at.is_(None),
        shares.c.expires_at.is_(None) | (shares.c.expires_at > bindparam("moment")),
    )
    .order_by(notices.c.pk.desc())
)


def unread_on(conn: Connection, share_id: str, user_id: str) -> bool:
    """Whether this person has comment notices about this share not yet read."""
    return conn.execute(_UNREAD_ON, {"share": share_id, "user": user_id}).first() is not None


def read_share(conn: Connection, share_id: str, user_id: str) -> None:
    """Inside a share's viewing: its comment notices to this person are read."""
    conn.execute(_READ_SHARE, {"share": share_id, "user": user_id, "now": now()})


# Asked on every look at a share: built once, bound per look.
_ON_SHARE = (
    (notices.c.share_id == bindparam("share"))
    & (notices.c.user_id == bindparam("user"))
    & notices.c.seen_at.is_(None)
)
_UNREAD_ON = select(notices.c.pk).where(_ON_SHARE).limit(1)
_READ_SHARE = update(notices).where(_ON_SHARE).values(seen_at=bindparam("now"))


def dismiss(engine: Engine, actor: Actor, notice_id: str) -> None:
    """Mark a comment notice read (deadline notices go when the deadline is met)."""
    if not notice_id.isdigit() or len(notice_id) > 18:
        raise NotFound(NO_SUCH_NOTICE)
    with writing(engine) as conn:
        done = conn.execute(
            update(notices)
            .where(
                notices.c.pk == int(notice_id),
                notices.c.user_id == actor.id,
                notices.c.seen_at.is_(None),
            )
            .values(seen_at=now())
        ).rowcount
    if not done:
        raise NotFound(NO_SUCH_NOTICE)


# ---- reminding and mailing ---------------------------------------------------------------


def remind(engine: Engine, config: ServerConfig, within_days: int = 3) -> dict[str, int]:
    """Each trainee's deadline notices (due within ``within_days``, or overdue). With
    SMTP, each is recorded once and mailed with every other notice not yet mailed; the
    counts are of the new ones. Without SMTP nothing is recorded or sent (the home page
    works them out afresh) and the counts are of those current."""
    on = deadlines.today()
    made = {"due_soon": 0, "overdue": 0, "signoff": 0}
    with writing(engine) as conn:
        trainees = conn.execute(
            select(memberships.c.user_id)
            .join(users, users.c.id == memberships.c.user_id)
            .where(memberships.c.role == "trainee", users.c.suspended_at.is_(None))
            .distinct()
        ).scalars()
        for user_id in list(trainees):
            for n in _upcoming(conn, user_id, on, within_days):
                if config.smtp is None or _record_deadline(conn, n["kind"], n["deadline"], user_id):
                    made[n["kind"]] += 1
        readers = conn.execute(
            select(memberships.c.user_id)
            .join(users, users.c.id == memberships.c.user_id)
            .where(memberships.c.role.in_(READER_ROLES), users.c.suspended_at.is_(None))
            .distinct()
        ).scalars()
        for user_id in list(readers):
            for n in _awaiting_me(conn, user_id, on, within_days):
                if config.smtp is None or _record_signoff(conn, n, user_id):
                    made["signoff"] += 1
    return {**made, "mailed": deliver(engine, config)}


def deliver(engine: Engine, config: ServerConfig) -> int:
    """Mail the notices not yet mailed nor read (none without SMTP). Each is claimed
    before sending, so two workers never mail one twice; if sending fails, those not
    sent are released for the next try and :class:`mail.MailFailed` is raised."""
    if config.smtp is None:
        return 0
    on = deadlines.today()
    outgoing: list[tuple[int, str, Any]] = []  # (notice, kind, message)
    recipients: dict[int, str] = {}
    with writing(engine) as conn:
        rows = conn.execute(
            select(notices, users.c.email)
            .join(users, users.c.id == notices.c.user_id)
            .where(
                notices.c.mailed_at.is_(None),
                notices.c.seen_at.is_(None),
                users.c.suspended_at.is_(None),
            )
            .order_by(notices.c.pk)
        ).all()
        moment = now()
        for r in rows:
            text = _mail_text(conn, config, r, on)
            claimed = conn.execute(
                update(notices)
                .where(notices.c.pk == r.pk, notices.c.mailed_at.is_(None))
                .values(mailed_at=moment)
            ).rowcount
            if not claimed:
                continue
            if text is None:  # met meanwhile, or no longer there: nothing to say
                continue
            subject, body = text
            outgoing.append((r.pk, r.kind, mail.message(config.smtp, r.email, subject, body)))
            recipients[r.pk] = r.user_id
    try:
        sent = mail.send(config.smtp, (m for _, _, m in outgoing))
    except mail.MailFailed as exc:
        sent = exc.sent
        raise
    finally:
        with writing(engine) as conn:
            for pk, _kind, _m in outgoing[sent:]:  # not sent: try again next time
                conn.execute(update(notices).where(notices.c.pk == pk).values(mailed_at=None))
            for pk, kind, _m in outgoing[:sent]:
                user_id = recipients[pk]
                audit.record(
                    conn, None, "notice.mail", "user", user_id, owner_id=user_id, detail=kind
                )
    return sent


def _mail_text(
    conn: Connection, config: ServerConfig, row: Any, on: date
) -> tuple[str, str] | None:
    sign_in = f"{config.public_url}/signin"
    if row.kind == "comment":
        title = conn.execute(
            select(revisions.c.title)
            .join(shares, and_(shares.c.id == revisions.c.share_id))
            .where(shares.c.id == row.share_id, revisions.c.number == shares.c.latest)
        ).scalar()
        if title is None:
            return None
        subject, text = _comment_text(row.times, title or "Untitled")
        return subject, f"{text} Sign in to read it: {sign_in}\n"
    if row.kind == "signoff":
        waiting = [
            n
            for n in _awaiting_me(conn, row.user_id, on, within=FAR)
            if (n["deadline"], n["share"]) == (row.deadline_id, row.share_id)
        ]
        if not waiting:
            return None
        return waiting[0]["subject"], f"{waiting[0]['text']} Sign in to read it: {sign_in}\n"
    found = [
        n for n in _upcoming(conn, row.user_id, on, within=FAR) if n["deadline"] == row.deadline_id
    ]
    if not found:
        return None
    subject, text = _deadline_text(row.kind, found[0]["_deadline"], found[0]["_course"])
    return subject, f"{text} Sign in to see where you stand: {sign_in}\n"


def deliver_quietly(engine: Engine, config: ServerConfig) -> None:
    """:func:`deliver` after a request: a mail server that is down is logged, not shown
    to the person who commented; `attune server remind` tries again."""
    try:
        deliver(engine, config)
    except mail.MailFailed as exc:
        log.warning("%s", exc.message)
