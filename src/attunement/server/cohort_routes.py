"""Routes of the course lead's view, deadlines and notices: the cohort page, its JSON and
CSV, setting and removing deadlines, and reading and dismissing notices. Each parses,
calls one service and renders. Everything under a course answers 404 to anyone who does
not lead it (admins excepted), exactly as for a course that does not exist."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from datetime import date
from typing import Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field

from attunement.errors import InvalidInput
from attunement.server import cohort, deadlines, notices
from attunement.server.app import access
from attunement.server.deps import DB, ContentReader, Member

api = APIRouter(prefix="/api/v1")
pages = APIRouter()


FALLBACK_UNIT = ("average", ((0.0, "0"), (0.5, "0.5"), (1.0, "1")), lambda v: f"{v:.2f}")


class DeadlineIn(BaseModel):
    title: str = Field(max_length=1_000)
    kind: str = Field(max_length=16)
    due_on: date
    signoff: bool = True
    starts_on: date | None = None


# ---- JSON ---------------------------------------------------------------------------------


@api.get("/courses/{course_id}/cohort", **access("content"))
def cohort_json(course_id: str, db: DB, actor: ContentReader) -> Response:
    # Already plain JSON values: answered as they are, without FastAPI's encoder walking
    # a few hundred trainees' items again.
    data = cohort.cohort(db, actor, course_id)
    body = _drawn_once(data, "json", lambda: JSONResponse(data).body)
    return Response(body, media_type="application/json")


@api.get("/courses/{course_id}/deadlines", **access("content"))
def deadline_list(course_id: str, db: DB, actor: ContentReader) -> list[dict[str, Any]]:
    return deadlines.listing(db, actor, course_id)


@api.post("/courses/{course_id}/deadlines", status_code=201, **access("content"))
def deadline_new(course_id: str, body: DeadlineIn, db: DB, actor: ContentReader) -> dict[str, Any]:
    made = deadlines.create(
        db,
        actor,
        course_id,
        title=body.title,
        kind=body.kind,
        due_on=body.due_on,
        signoff=body.signoff,
        starts_on=body.starts_on,
    )
    return made.to_dict()


@api.delete("/courses/{course_id}/deadlines/{deadline_id}", **access("content"))
def deadline_gone(
    course_id: str, deadline_id: str, db: DB, actor: ContentReader
) -> dict[str, bool]:
    deadlines.remove(db, actor, course_id, deadline_id)
    return {"deleted": True}


@api.get("/notices", **access("member"))
def notice_list(db: DB, actor: Member) -> list[dict[str, Any]]:
    return notices.for_member(db, actor)


@api.post("/notices/{notice_id}/dismiss", **access("content"))
def notice_dismiss_json(notice_id: str, db: DB, actor: ContentReader) -> dict[str, bool]:
    notices.dismiss(db, actor, notice_id)
    return {"dismissed": True}


# ---- pages ----------------------------------------------------------------------------------


_drawn: OrderedDict[tuple[int, str], tuple[dict[str, Any], Any]] = OrderedDict()
_drawn_lock = threading.Lock()


def _plots(data: dict[str, Any]) -> list[dict[str, Any]]:
    from attunement.web.practice import PRACTICE_UNITS

    plots = []
    for dimension, series in data["practice"].items():
        unit, ticks, say = PRACTICE_UNITS.get(dimension, FALLBACK_UNIT)
        points = [(f"{p['week']}T12:00:00", p["mean"]) for p in series]
        name = cohort.dimension_name(dimension)  # as the trainee reads it
        plots.append(
            {
                "name": name,
                "label": f"{name}, {unit}, cohort average week by week",
                "unit": unit,
                "ticks": ticks,
                "say": say,
                "points": points,
            }
        )
    return plots


def _drawn_once(data: dict[str, Any], what: str, draw: Callable[[], Any]) -> Any:
    """What ``draw`` makes of these figures, made once for as long as the service keeps
    the same figures (the same object): it must hold nothing of the request."""
    key = (id(data), what)
    with _drawn_lock:
        drawn = _drawn.get(key)
    if drawn is not None and drawn[0] is data:
        return drawn[1]
    made = draw()
    with _drawn_lock:
        _drawn[key] = (data, made)
        while len(_drawn) > 2 * cohort.KEEP:
            _drawn.popitem(last=False)
    return made


def _sections(data: dict[str, Any]) -> Any:
    """The page's long sections (the trainees' table, the practice plots, every item):
    no form, no token."""
    from markupsafe import Markup

    from attunement.server.pages import templates
    from attunement.web import charts

    return _drawn_once(
        data,
        "sections",
        lambda: Markup(
            templates.get_template("cohort_sections.html").render(
                data=data,
                charts=charts,
                plots=_plots(data),
                span=cohort.week_span(data),
                kinds=deadlines.WHAT,
                in_order=cohort.in_order,
                dimension_name=cohort.dimension_name,
                figure_words=cohort.figure_words,
            )
        ),
    )


def _page(
    request: Request,
    data: dict[str, Any],
    *,
    error: InvalidInput | None = None,
    form: dict[str, str] | None = None,
) -> Response:
    from attunement.server.pages import note_of, render
    from attunement.web import charts

    return render(
        request,
        "cohort.html",
        {
            "data": data,
            "charts": charts,
            "sections": _sections(data),
            "kinds": deadlines.WHAT,
            "error": error.message if error else None,
            "error_field": error.field if error else None,
            "form": form or {},
            "today": data["as_of"],
            "note": note_of(request),
        },
        status_code=422 if error else 200,
    )


@pages.get("/courses/{course_id}/cohort", **access("content"))
def cohort_page(course_id: str, request: Request, db: DB, actor: ContentReader) -> Response:
    return _page(request, cohort.cohort(db, actor, course_id))


@pages.get("/courses/{course_id}/cohort.csv", **access("content"))
def cohort_csv(course_id: str, db: DB, actor: ContentReader) -> Response:
    data = cohort.cohort(db, actor, course_id, action="cohort.csv")
    return Response(
        cohort.csv_text(data),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{cohort.csv_name(data)}"'},
    )


@pages.post("/courses/{course_id}/deadlines", **access("content"))
def deadline_form(
    course_id: str,
    request: Request,
    db: DB,
    actor: ContentReader,
    title: str = Form("", max_length=1_000),
    kind: str = Form("entry", max_length=16),
    due_on: str = Form("", max_length=40),
    starts_on: str = Form("", max_length=40),
    meets: str = Form("signoff", max_length=16),
) -> Response:
    from attunement.server.pages import back

    try:
        deadlines.create(
            db,
            actor,
            course_id,
            title=title,
            kind=kind,
            due_on=due_on,
            starts_on=starts_on,
            signoff=meets != "shared",
        )
    except InvalidInput as exc:
        form = {"title": title, "kind": kind, "due_on": due_on, "starts_on": starts_on}
        return _page(request, cohort.cohort(db, actor, course_id), error=exc, form=form)
    return back(f"/courses/{deadlines.course_id_of(course_id)}/cohort", "deadline")


@pages.post("/courses/{course_id}/deadlines/{deadline_id}/delete", **access("content"))
def deadline_delete(course_id: str, deadline_id: str, db: DB, actor: ContentReader) -> Response:
    from attunement.server.pages import back

    deadlines.remove(db, actor, course_id, deadline_id)
    return back(f"/courses/{deadlines.course_id_of(course_id)}/cohort", "deadline-gone")


@pages.post("/notices/{notice_id}/dismiss", **access("content"))
def notice_dismiss(notice_id: str, db: DB, actor: ContentReader) -> Response:
    from attunement.server.pages import back

    notices.dismiss(db, actor, notice_id)
    return back("/")
