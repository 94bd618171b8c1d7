"""Deadlines a course's lead sets: "a reflection signed off by 15 January", "practice
progress shared by 1 March".

A deadline names a kind of item (a reflection, a supervision packet, practice progress, a
transcript report), whether it must be **signed off** or only **shared**, a due date, and
optionally the date from which items count (so that a second "reflection by March" is not
met by January's). A trainee meets it when an item of that kind they shared in the course
(on or after ``starts_on``) was signed off, or shared, by the end of the due date (UTC).
Revoking the item un-meets it: a revoked share is deleted, with its sign-offs.

:func:`standing` is pure: what one trainee's items say about one deadline on one day.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import bindparam, delete, select
from sqlalchemy.engine import Connection, Engine

from attunement.core.validation import clean_text
from attunement.errors import InvalidInput, NotFound
from attunement.server import audit, db
from attunement.server.db import reading, writing
from attunement.server.schema import KINDS, courses, deadlines, memberships
from attunement.server.sessions import Actor

NO_SUCH_COURSE = "There is no such course, or you do not lead it."
WHAT = {
    "entry": "a reflection",
    "packet": "a supervision packet",
    "practice": "practice progress",
    "transcript": "a transcript report",
}
MAX_TITLE = 120
FURTHEST = timedelta(days=3 * 366)

# How a trainee stands against one deadline:
MET, LATE, WAITING, OVERDUE, OPEN = "met", "late", "waiting", "overdue", "open"
STATUS_NAMES = {
    MET: "met",
    LATE: "met late",
    WAITING: "awaiting sign-off",
    OVERDUE: "overdue",
    OPEN: "not yet",
}


def today() -> date:
    """The day deadlines are judged on (UTC); tests move it."""
    return db.now().date()


@dataclass(frozen=True)
class Deadline:
    id: str
    course_id: str
    title: str
    kind: str
    signoff: bool  # must be signed off (else: shared is enough)
    starts_on: date | None
    due_on: date

    @property
    def due_end(self) -> datetime:
        """The end of the due date, UTC: anything before this moment is on time."""
        return datetime.combine(self.due_on + timedelta(days=1), time(), tzinfo=UTC)

    @property
    def counts(self) -> str:
        """What meets it, in words: "a reflection, signed off"."""
        return f"{WHAT[self.kind]}, {'signed off' if self.signoff else 'shared'}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "kind": self.kind,
            "signoff": self.signoff,
            "starts_on": self.starts_on.isoformat() if self.starts_on else None,
            "due_on": self.due_on.isoformat(),
            "counts": self.counts,
        }


@dataclass(frozen=True)
class Item:
    """What a deadline looks at in one shared item: metadata only."""

    kind: str
    shared_at: datetime
    signed_at: datetime | None  # the first sign-off of any of its versions


@dataclass(frozen=True)
class Standing:
    status: str  # MET, LATE, WAITING, OVERDUE or OPEN
    done_at: datetime | None = None  # when it was met (MET, LATE)
    waiting: bool = False  # an item is shared and awaits sign-off (WAITING, or OVERDUE)

    @property
    def name(self) -> str:
        if self.status == OVERDUE and self.waiting:
            return "overdue, awaiting sign-off"
        return STATUS_NAMES[self.status]

    def to_dict(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "name": self.name,
            "done_at": self.done_at.isoformat() if self.done_at else None,
            "waiting": self.waiting,
        }


def standing(deadline: Deadline, items: list[Item], on: date) -> Standing:
    """One trainee's standing against ``deadline`` on the day ``on``, from their items."""
    counted = [
        i
        for i in items
        if i.kind == deadline.kind
        and (deadline.starts_on is None or i.shared_at.date() >= deadline.starts_on)
    ]
    done = [i.signed_at if deadline.signoff else i.shared_at for i in counted]
    moments = [d for d in done if d is not None]
    if moments:
        first = min(moments)
        return Standing(MET if first < deadline.due_end else LATE, done_at=first)
    past = on > deadline.due_on
    return Standing(OVERDUE if past else (WAITING if counted else OPEN), waiting=bool(counted))


# ---- who may set them -----------------------------------------------------------------


def course_id_of(text: str) -> str:
    try:
        return str(uuid.UUID(text))
    except (ValueError, AttributeError, TypeError):
        raise NotFound(NO_SUCH_COURSE) from None


# A course with the asking person's role in it, in one statement (``me``, ``course``);
# a caller may add columns of its own (server/cohort.py adds the course's stamp).
LED = select(
    courses,
    select(memberships.c.role)
    .where(memberships.c.course_id == courses.c.id, memberships.c.user_id == bindparam("me"))
    .scalar_subquery()
    .label("my_role"),
).where(courses.c.id == bindparam("course"))


def require_lead(conn: Connection, actor: Actor, course_id: str, statement: Any = LED) -> Any:
    """The course (a row of ``statement``, ``LED`` or one with more columns), if ``actor``
    leads it or is an admin; else the same NotFound as for a course that does not exist."""
    values = {"course": course_id_of(course_id), "me": actor.id}
    course = conn.execute(statement, values).first()
    if course is None or not (actor.is_admin or course.my_role == "lead"):
        raise NotFound(NO_SUCH_COURSE)
    return course


def of_course(conn: Connection, course_id: str) -> list[Deadline]:
    return [deadline_of(r) for r in conn.execute(_OF_COURSE, {"course": course_id})]


_OF_COURSE = (
    select(deadlines)
    .where(deadlines.c.course_id == bindparam("course"))
    .order_by(deadlines.c.due_on, deadlines.c.title, deadlines.c.id)
)


def deadline_of(row: Any) -> Deadline:
    """A deadline from its row."""
    return Deadline(
        id=row.id,
        course_id=row.course_id,
        title=row.title,
        kind=row.kind,
        signoff=bool(row.signoff),
        starts_on=row.starts_on,
        due_on=row.due_on,
    )


def _day(value: date | str | None, field: str, *, required: bool) -> date | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise InvalidInput("Give the due date, like 2027-01-15.", field=field)
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise InvalidInput(
            f"Give the date as year-month-day, like 2027-01-15, not {value.strip()[:40]!r}.",
            field=field,
        ) from None


def create(
    engine: Engine,
    actor: Actor,
    course_id: str,
    *,
    title: str,
    kind: str,
    due_on: date | str | None,
    signoff: bool = True,
    starts_on: date | str | None = None,
) -> Deadline:
    """A new deadline for the course (its lead, or an admin)."""
    title = " ".join(clean_text(title, field="title", what="deadline's title").split())
    due = _day(due_on, "due_on", required=True)
    start = _day(starts_on, "starts_on", required=False)
    assert due is not None
    with writing(engine) as conn:
        course = require_lead(conn, actor, course_id)
        if not 1 <= len(title) <= MAX_TITLE:
            raise InvalidInput(
                f"Give the deadline a title of 1 to {MAX_TITLE} characters, like "
                "“First reflection signed off”.",
                field="title",
            )
        if kind not in KINDS:
            raise InvalidInput(
                "Say what meets the deadline: entry (a reflection), packet, practice or "
                "transcript.",
                field="kind",
            )
        on = today()
        if due < on:
            raise InvalidInput(
                f"The due date {due.isoformat()} has passed; choose today or a later day.",
                field="due_on",
            )
        if due > on + FURTHEST:
            raise InvalidInput("A due date can be at most three years away.", field="due_on")
        if start is not None and start > due:
            raise InvalidInput(
                "Items counted from a day after the due date could never meet it; choose "
                "an earlier start or leave it empty.",
                field="starts_on",
            )
        made = Deadline(str(uuid.uuid4()), course.id, title, kind, bool(signoff), start, due)
        conn.execute(
            deadlines.insert().values(
                id=made.id,
                course_id=made.course_id,
                title=made.title,
                kind=made.kind,
                signoff=made.signoff,
                starts_on=made.starts_on,
                due_on=made.due_on,
                created_by=actor.id,
                created_at=db.now(),
            )
        )
        audit.record(conn, actor.id, "deadline.create", "course", course.id, detail=made.id)
    return made


def remove(engine: Engine, actor: Actor, course_id: str, deadline_id: str) -> None:
    with writing(engine) as conn:
        course = require_lead(conn, actor, course_id)
        gone = conn.execute(
            delete(deadlines).where(
                deadlines.c.id == deadline_id[:64], deadlines.c.course_id == course.id
            )
        ).rowcount
        if not gone:
            raise NotFound("There is no such deadline in this course.", field="deadline")
        audit.record(conn, actor.id, "deadline.delete", "course", course.id, detail=deadline_id)


def listing(engine: Engine, actor: Actor, course_id: str) -> list[dict[str, Any]]:
    with reading(engine) as conn:
        course = require_lead(conn, actor, course_id)
        return [d.to_dict() for d in of_course(conn, course.id)]
