"""Check-ins: the one-tap scales and body map page, and the check-ins API."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import StrictInt

from attunement.errors import AttuneError
from attunement.web import flash
from attunement.web.common import (
    JournalDep,
    Limit,
    Strict,
    journal,
    off_loop,
)
from attunement.web.rendering import page

pages = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api/v1")


@pages.get("/checkin", response_class=HTMLResponse)
def checkin_form(request: Request, done: str = "") -> HTMLResponse:
    """The form; after checking in, thanks once (``done`` is the one-time key the
    redirect carries: any other value, or the same key again, thanks nobody)."""
    j = journal(request)
    return page(
        request,
        "checkin.html",
        title="Check in",
        recent=j.checkins(limit=5),
        done=flash.take(request.app.state, done, "/checkin") is not None,
        form={},
    )


@pages.post("/checkin")
async def checkin_save(request: Request) -> Response:
    from attunement.core.checkins import from_form

    form = await request.form()
    j = journal(request)
    body = [str(v) for v in form.getlist("body")]
    try:
        saved = await off_loop(
            lambda: from_form(
                j,
                {k: str(v) for k, v in form.items()},
                body=body,
                note=str(form.get("note", "")),
                moment=str(form.get("moment", "other")),
            )
        )
    except AttuneError as exc:
        return page(
            request,
            "checkin.html",
            status=exc.http_status,
            title="Check in",
            recent=j.checkins(limit=5),
            error=exc.message,
            form={k: str(v) for k, v in form.items()},
            chosen_body=body,
        )
    kept = flash.put(request.app.state, saved.id, "/checkin")
    return RedirectResponse(f"/checkin?done={kept}", status_code=303)


# -- API --------------------------------------------------------------------------------


# Scales are whole numbers: JSON's true and false, "7" and 7.5 are refused, not read as 1.
Scale = StrictInt | None


class CheckInIn(Strict):
    ease: Scale = None
    presence: Scale = None
    curiosity: Scale = None
    urge_to_fix: Scale = None
    fatigue: Scale = None
    body: list[str] = []
    note: str = ""
    moment: str = "other"


@api.get("/checkins", summary="Check-ins, newest first")
def checkins(
    j: JournalDep, since: str | None = None, until: str | None = None, limit: Limit = 50
) -> dict[str, Any]:
    from attunement.core.checkins import between

    return between(j, since, until, limit=limit).to_dict()


@api.post("/checkins", status_code=201, summary="Check in")
def create_checkin(j: JournalDep, data: CheckInIn) -> dict[str, Any]:
    return j.checkin(
        body=data.body,
        note=data.note,
        moment=data.moment,
        ease=data.ease,
        presence=data.presence,
        curiosity=data.curiosity,
        urge_to_fix=data.urge_to_fix,
        fatigue=data.fatigue,
    ).to_dict()
