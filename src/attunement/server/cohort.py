"""The course lead's view of a course: for each trainee, what they shared (by kind, with
whom, its status), their practice (attempts and progress per dimension, from the
practice progress they shared in the course) and where they stand against each of the
course's deadlines; with a CSV of the same.

Metadata only: kinds, dates, readers, versions, statuses and practice figures (a
practice share holds nothing else). A shared item's title, and the link to read it,
appear only for items shared with the person looking. Every look, and every CSV, is in
the audit log. Only the course's lead(s) and admins may look; everyone else gets the
same 404 as for a course that does not exist.

The page, the JSON and the CSV all come from :func:`cohort`; a few set-wise queries per
course, whatever its size, and those only when something the view reads has changed:
each worker keeps the figures it worked out, per course, person looking and day, beside
the course's stamp (``course_changes``: a row for every change to the course's trainees,
shares, revisions, comments, sign-offs, deadlines or members' names, written by triggers
in the same transaction as the change) and until the first of its live shares expires.
The look itself (who may look, and the audit line) is never kept.
"""

from __future__ import annotations

import csv
import io
import re
import threading
from collections import OrderedDict, defaultdict
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import and_, bindparam, delete, func, insert, select
from sqlalchemy.engine import Connection, Engine

from attunement.errors import NotFound
from attunement.practice.dimensions import DIMENSION_NAMES, DIMENSIONS, figure_text
from attunement.server import audit, deadlines
from attunement.server.db import now, reading, writing, writing_one
from attunement.server.deadlines import OVERDUE, Item
from attunement.server.schema import (
    KINDS,
    comments,
    course_changes,
    courses,
    memberships,
    revisions,
    shares,
    signoffs,
    users,
)
from attunement.server.sessions import Actor

# ---- practice figures, read from a shared practice progress ---------------------------

_ATTEMPTS = re.compile(r"^(\d{1,7}) practice responses? over (\d{1,5}) weeks?\b")
_ROW = re.compile(r"^\|(.+)\|\s*$")
_WEEK = re.compile(r"^week of (\d{4}-\d{2}-\d{2})$")
MAX_DIMENSIONS = 12


@dataclass(frozen=True)
class Practice:
    attempts: int
    weeks: list[str]  # the Mondays (ISO dates) of the weeks shown, oldest first
    per_week: dict[str, list[float | None]]  # dimension ("emotional_reactions") -> values
    overall: dict[str, float | None]
    shared_at: datetime | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "attempts": self.attempts,
            "weeks": self.weeks,
            "per_week": self.per_week,
            "overall": self.overall,
            "shared_at": self.shared_at.isoformat() if self.shared_at else None,
        }


def practice_figures(body: str) -> Practice | None:
    """The figures in a practice progress share, as `attune share practice` writes it
    (see :func:`attunement.server.outgoing.practice`), or None if the text is not one."""
    lines = body.splitlines()
    found = _ATTEMPTS.match(lines[0].strip()) if lines else None
    if found is None:
        return None
    rows = [
        [cell.strip() for cell in m.group(1).split("|")]
        for line in lines
        if (m := _ROW.match(line.strip()))
    ]
    if len(rows) < 2 or rows[0][:1] != ["dimension"] or rows[0][-1:] != ["overall"]:
        return Practice(int(found.group(1)), [], {}, {})
    weeks = []
    for cell in rows[0][1:-1]:
        week = _WEEK.match(cell)
        if week is None:
            return Practice(int(found.group(1)), [], {}, {})
        weeks.append(week.group(1))
    per_week: dict[str, list[float | None]] = {}
    overall: dict[str, float | None] = {}
    for row in rows[2 : 2 + MAX_DIMENSIONS]:  # after the header and its --- line
        if len(row) != len(weeks) + 2 or not re.fullmatch(r"[a-z][a-z ]{0,40}", row[0]):
            continue
        name = row[0].replace(" ", "_")
        values = [_number(v) for v in row[1:]]
        per_week[name] = values[:-1]
        overall[name] = values[-1]
    return Practice(int(found.group(1)), weeks, per_week, overall)


def _number(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if 0 <= value <= 1 else None


# ---- the cohort ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Kept:
    generation: int
    until: datetime | None  # the first live share's expiry: the figures change then
    figures: dict[str, Any]


KEEP = 128  # (course, person looking, day) figures kept per worker, the least recent dropped
_kept: OrderedDict[tuple[str, str, str], _Kept] = OrderedDict()
_kept_lock = threading.Lock()
# The course, the asking person's role in it and its stamp (the summed weight of its
# change rows), in one statement.
_LOOK = deadlines.LED.add_columns(
    select(func.sum(course_changes.c.weight))
    .where(course_changes.c.course_id == courses.c.id)
    .scalar_subquery()
    .label("stamp")
)


def cohort(engine: Engine, actor: Actor, course_id: str, *, action: str = "cohort.read") -> Any:
    """Everything the course's lead sees, as plain data (the page, JSON and CSV). The
    figures may be shared with other looks: read them, never change them."""
    with reading(engine) as conn:
        try:
            course = deadlines.require_lead(conn, actor, course_id, _LOOK)
        except NotFound:
            course = None
        else:
            out = _figures(conn, actor, course)
    with writing_one(engine) as conn:  # one statement: the look itself, after reading
        if course is None:
            audit.record(conn, actor.id, action, "course", course_id[:64], outcome="refused")
        else:
            audit.record(conn, actor.id, action, "course", course.id)
    if course is None:
        raise NotFound(deadlines.NO_SUCH_COURSE)
    return out


def _figures(conn: Connection, actor: Actor, course: Any) -> dict[str, Any]:
    """The figures kept for this course, person and day if the course's stamp has not
    moved since and none of its shares has expired; else worked out afresh and kept. The
    stamp is read before the figures (with the course: ``_LOOK``): a change committed in
    between shows in the figures and moves the stamp past the one kept with them, so it is
    never missed."""
    on, moment = deadlines.today(), now()
    generation = course.stamp or 0
    key = (course.id, actor.id, on.isoformat())
    with _kept_lock:
        kept = _kept.get(key)
        if kept is not None:
            _kept.move_to_end(key)
    if kept and kept.generation == generation and (kept.until is None or moment < kept.until):
        return kept.figures
    figures, until = _gather(conn, actor, course, on, moment)
    with _kept_lock:
        _kept[key] = _Kept(generation, until, figures)
        _kept.move_to_end(key)
        while len(_kept) > KEEP:
            _kept.popitem(last=False)
    return figures


FOLD_AT = 64  # a course's change rows folded into one once there are more than this


def fold_course_changes(engine: Engine) -> int:
    """Fold each course's change rows, once it has more than FOLD_AT, into one row of
    their summed weight (the minute's sweep), so that reading a stamp stays a short
    index scan. The sum is of the rows this fold actually deleted (``RETURNING``), so a
    change committed meanwhile is neither lost nor counted twice, and a stamp only ever
    grows. Returns the rows removed."""
    with reading(engine) as conn:
        due = conn.execute(
            select(course_changes.c.course_id, func.max(course_changes.c.seq))
            .group_by(course_changes.c.course_id)
            .having(func.count() > FOLD_AT)
        ).all()
    removed = 0
    for course_id, upto in due:
        with writing(engine) as conn:
            gone = (
                conn.execute(
                    delete(course_changes)
                    .where(course_changes.c.course_id == course_id, course_changes.c.seq <= upto)
                    .returning(course_changes.c.weight)
                )
                .scalars()
                .all()
            )
            if gone:
                conn.execute(insert(course_changes).values(course_id=course_id, weight=sum(gone)))
            removed += len(gone)
    return removed


def _gather(
    conn: Connection, actor: Actor, course: Any, on: date, moment: datetime
) -> tuple[dict[str, Any], datetime | None]:
    due = deadlines.of_course(conn, course.id)
    people = conn.execute(
        select(users.c.id, users.c.name, users.c.email, users.c.suspended_at)
        .join(memberships, memberships.c.user_id == users.c.id)
        .where(memberships.c.course_id == course.id, memberships.c.role == "trainee")
        .order_by(users.c.name, users.c.email)
    ).all()
    live = and_(
        shares.c.course_id == course.id,
        shares.c.expires_at.is_(None) | (shares.c.expires_at > moment),
    )
    rows = conn.execute(
        select(
            shares.c.id,
            shares.c.owner_id,
            shares.c.reader_id,
            shares.c.kind,
            shares.c.created_at,
            shares.c.expires_at,
            shares.c.latest,
        )
        .where(live)
        .order_by(shares.c.created_at)
    ).all()
    until = min((r.expires_at for r in rows if r.expires_at is not None), default=None)
    signed: dict[str, list[Any]] = defaultdict(list)
    for s in conn.execute(
        select(signoffs.c.share_id, signoffs.c.revision, signoffs.c.signed_at)
        .join(shares, shares.c.id == signoffs.c.share_id)
        .where(live)
    ):
        signed[s.share_id].append(s)
    changes = dict(
        conn.execute(
            select(comments.c.share_id, func.max(comments.c.revision))
            .join(shares, shares.c.id == comments.c.share_id)
            .where(live, comments.c.kind == "changes")
            .group_by(comments.c.share_id)
        ).all()
    )
    latest_rev = and_(revisions.c.share_id == shares.c.id, revisions.c.number == shares.c.latest)
    mine = dict(
        conn.execute(
            select(shares.c.id, revisions.c.title)
            .join(revisions, latest_rev)
            .where(live, shares.c.reader_id == actor.id)
        ).all()
    )
    practice: dict[str, Practice] = {}
    for p in conn.execute(
        select(shares.c.owner_id, revisions.c.body, revisions.c.created_at)
        .join(revisions, latest_rev)
        .where(live, shares.c.kind == "practice")
        .order_by(revisions.c.created_at)
    ):
        figures = practice_figures(p.body)
        if figures is not None:  # the newest wins
            practice[p.owner_id] = replace(figures, shared_at=p.created_at)
    readers = dict(
        conn.execute(
            select(users.c.id, users.c.name).where(
                users.c.id.in_({r.reader_id for r in rows} or {""})
            )
        ).all()
    )
    by_owner: dict[str, list[Any]] = defaultdict(list)
    for r in rows:
        by_owner[r.owner_id].append(r)

    trainees = []
    for person in people:
        items, shown = [], []
        for r in by_owner.get(person.id, []):
            signs = signed.get(r.id, [])
            first = min((s.signed_at for s in signs), default=None)
            items.append(Item(r.kind, r.created_at, first))
            if any(s.revision == r.latest for s in signs):
                status = "signed off"
            elif changes.get(r.id) == r.latest:
                status = "changes requested"
            else:
                status = "not signed off"
            entry: dict[str, Any] = {
                "kind": r.kind,
                "reader": readers.get(r.reader_id, "someone who left"),
                "shared_at": r.created_at.isoformat(),
                "version": r.latest,
                "status": status,
                "signed_at": first.isoformat() if first else None,
            }
            if r.id in mine and person.suspended_at is None:  # shared with the one looking
                entry.update(id=r.id, title=mine[r.id])
            shown.append(entry)
        standings = {d.id: deadlines.standing(d, items, on) for d in due}
        overdue = [d.id for d in due if standings[d.id].status == OVERDUE]
        # The deadlines on which a shared item waits for its sign-off, overdue or not:
        # the same "awaiting sign-off" as each deadline's cell says.
        waiting = [d.id for d in due if standings[d.id].waiting]
        figures = practice.get(person.id)
        trainees.append(
            {
                "id": person.id,
                "name": person.name,
                "email": person.email,
                "suspended": person.suspended_at is not None,
                "on_track": not overdue,
                "shared": {k: sum(1 for i in items if i.kind == k) for k in KINDS},
                "signoffs_pending": len(waiting),
                "signoffs_overdue": sum(1 for d in waiting if d in overdue),
                "overdue": overdue,
                "deadlines": {k: v.to_dict() for k, v in standings.items()},
                "practice": figures.to_dict() if figures else None,
                "items": shown,
            }
        )
    view = {
        "course": {"id": course.id, "name": course.name},
        "as_of": on.isoformat(),
        "deadlines": [
            {
                **d.to_dict(),
                "standing": {
                    status: sum(1 for t in trainees if t["deadlines"][d.id]["status"] == status)
                    for status in deadlines.STATUS_NAMES
                },
                # of those overdue, the trainees whose item awaits sign-off ("overdue,
                # awaiting sign-off" in their cell)
                "overdue_waiting": sum(
                    1
                    for t in trainees
                    if t["deadlines"][d.id]["status"] == OVERDUE and t["deadlines"][d.id]["waiting"]
                ),
            }
            for d in due
        ],
        "summary": {
            "trainees": len(trainees),
            "on_track": sum(1 for t in trainees if t["on_track"]),
            "overdue": sum(1 for t in trainees if not t["on_track"]),
            "signoffs_pending": sum(t["signoffs_pending"] for t in trainees),
            "signoffs_overdue": sum(t["signoffs_overdue"] for t in trainees),
            "shared": {k: sum(t["shared"][k] for t in trainees) for k in KINDS},
        },
        "practice": _cohort_practice(trainees),
        "trainees": trainees,
    }
    return view, until


def _cohort_practice(trainees: list[dict[str, Any]]) -> dict[str, Any]:
    """Each dimension's weekly average over the trainees who shared that week's figure."""
    sums: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    for t in trainees:
        p = t["practice"]
        if not p:
            continue
        for dimension, values in p["per_week"].items():
            for week, value in zip(p["weeks"], values, strict=False):
                if value is not None:
                    sums[dimension][week].append(value)
    return {
        dimension: [
            {"week": week, "mean": round(sum(v) / len(v), 3), "trainees": len(v)}
            for week, v in sorted(sums[dimension].items())
        ]
        for dimension in in_order(sums)
    }


# ---- practice figures as people read them ------------------------------------------------
# The names and words a trainee reads in their own practice progress (``attune practice
# progress``, the Practice page), in the same order: the lead's page and CSV say the same.


def in_order(dimensions: Any) -> list[str]:
    """Practice dimensions in the order a trainee sees them; any unknown ones after."""
    known = [d for d in DIMENSIONS if d in dimensions]
    return known + sorted(d for d in dimensions if d not in DIMENSIONS)


def dimension_name(dimension: str) -> str:
    """A dimension as a trainee reads it: "Showing warmth and concern"."""
    return DIMENSION_NAMES.get(dimension) or dimension.replace("_", " ").capitalize()


def figure_words(dimension: str, value: float | None) -> str:
    """A practice figure as a trainee reads it: a level ("strong (2 of 2)") for the
    empathy dimensions, a share of responses ("50%") for the rest; "–" for none."""
    return "–" if value is None else figure_text(dimension, value)


def led_by(conn: Connection, actor: Actor) -> list[dict[str, str]]:
    """The courses whose cohort this person may see: those they lead (admins: all)."""
    if actor.is_admin:
        return [{"id": r.id, "name": r.name} for r in conn.execute(_EVERY_COURSE)]
    return [{"id": r.id, "name": r.name} for r in conn.execute(_LED_BY, {"me": actor.id})]


_EVERY_COURSE = select(courses.c.id, courses.c.name).order_by(courses.c.name)
_LED_BY = _EVERY_COURSE.join(memberships, memberships.c.course_id == courses.c.id).where(
    memberships.c.user_id == bindparam("me"), memberships.c.role == "lead"
)


# ---- the CSV -------------------------------------------------------------------------------

_FORMULA = ("=", "+", "-", "@", "\t", "\r", "\n")
# What each kind of shared item is called where it is counted ("3 reflections shared").
SHARED = {
    "entry": "reflections",
    "packet": "supervision packets",
    "practice": "practice progress reports",
    "transcript": "transcript reports",
}


def cell(value: Any) -> Any:
    """A value safe to open in a spreadsheet: text that a spreadsheet would take for a
    formula (starting = + - @, a tab or a line break) gets a leading apostrophe."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float) or value is None:
        return "" if value is None else value
    text = str(value)
    return "'" + text if text.startswith(_FORMULA) else text


def csv_text(data: dict[str, Any]) -> str:
    """One row per trainee: metadata only (no title, no text)."""
    dims = in_order(
        {d for t in data["trainees"] if t["practice"] for d in t["practice"]["overall"]}
    )
    header = [
        "trainee",
        "email",
        "on track",
        *(f"{SHARED[k]} shared" for k in KINDS),
        "deadlines awaiting sign-off",
        "deadlines overdue",
        "practice responses",
        *(f"practice: {dimension_name(d)} (overall)" for d in dims),
        *(f"{d['title']} (due {d['due_on']})" for d in data["deadlines"]),
    ]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([cell(h) for h in header])
    for t in data["trainees"]:
        p = t["practice"] or {"attempts": None, "overall": {}}
        standing = []
        for d in data["deadlines"]:
            s = t["deadlines"][d["id"]]
            done = f" {s['done_at'][:10]}" if s["done_at"] else ""
            standing.append(s["name"] + done)
        writer.writerow(
            [
                cell(v)
                for v in [
                    t["name"],
                    t["email"],
                    t["on_track"],
                    *(t["shared"][k] for k in KINDS),
                    t["signoffs_pending"],
                    len(t["overdue"]),
                    p["attempts"],
                    *(_said(d, p["overall"].get(d)) for d in dims),
                    *standing,
                ]
            ]
        )
    return out.getvalue()


def _said(dimension: str, value: float | None) -> str | None:
    return None if value is None else figure_text(dimension, value)


def csv_name(data: dict[str, Any]) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", data["course"]["name"].lower()).strip("-")[:40]
    return f"cohort-{slug or 'course'}-{data['as_of']}.csv"


def week_span(data: dict[str, Any]) -> tuple[date, date] | None:
    """The first Monday and the last Sunday of the cohort's practice weeks (for plots)."""
    weeks = sorted({p["week"] for series in data["practice"].values() for p in series})
    if not weeks:
        return None
    return date.fromisoformat(weeks[0]), date.fromisoformat(weeks[-1]) + timedelta(days=6)
