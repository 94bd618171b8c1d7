"""Practice: statements to respond to, feedback, and progress; pages and API routes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from attunement.errors import AttuneError
from attunement.practice.dimensions import DIMENSIONS, EMPATHY_NAMES, level_text, share_text
from attunement.web import flash
from attunement.web.common import (
    JournalDep,
    Strict,
    journal,
    off_loop,
)
from attunement.web.rendering import error_page, page

pages = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api/v1")


@pages.get("/practice", response_class=HTMLResponse)
def practice_home(request: Request, theme: str = "", discarded: str = "") -> HTMLResponse:
    """The practice home; after discarding a response, says which one once
    (``discarded`` is the one-time key the redirect carries)."""
    from attunement.practice.views import home
    from attunement.web import charts

    view = home(journal(request), theme)
    return page(
        request,
        "practice.html",
        title="Practice",
        progress=view.progress,
        upcoming=view.upcoming,
        themes=view.themes,
        theme=theme,
        error=view.error,
        charts=charts,
        series=view.series,
        series_start=view.start,
        series_end=view.end,
        units=PRACTICE_UNITS,
        cell=_cell,
        recent=view.recent,
        discarded=flash.take(request.app.state, discarded, "/practice"),
    )


LEVELS = ((0.0, "none"), (0.5, "weak"), (1.0, "strong"))


SHARES = ((0.0, "0%"), (0.5, "50%"), (1.0, "100%"))


# Each dimension's chart: what a dot is, its axis ticks, and how a value is said (the
# words of ``practice.dimensions``, as the packet and the CLI say them).
PRACTICE_UNITS: dict[str, tuple[str, tuple[tuple[float, str], ...], Callable[[float], str]]] = {
    d: ("average level", LEVELS, level_text)
    if d in EMPATHY_NAMES
    else ("share of responses", SHARES, share_text)
    for d in DIMENSIONS
}


def _cell(dimension: str, value: float) -> str:
    """A week's figure in the progress table, wrapping only before its bracket: "weak" over
    "(0.9 of 2)" in a narrow column, never "(0.9 of" over "2)"."""
    text: str = PRACTICE_UNITS[dimension][2](value)
    return text.replace(" of ", "\u00a0of\u00a0")


@pages.post("/practice/start")
async def practice_start(request: Request) -> Response:
    from urllib.parse import urlencode

    from attunement.practice import service

    form = await request.form()
    theme = str(form.get("theme", "")) or None
    try:
        first, checkin_id = await off_loop(
            lambda: service.start(journal(request), theme=theme, ease=str(form.get("ease", "")))
        )
    except AttuneError as exc:
        return error_page(request, exc.http_status, exc.message)
    query = {k: v for k, v in (("checkin", checkin_id), ("theme", theme)) if v}
    suffix = f"?{urlencode(query)}" if query else ""
    return RedirectResponse(f"/practice/{first.id}{suffix}", status_code=303)


@pages.get("/practice/{vignette_id}", response_class=HTMLResponse)
def practice_statement(
    request: Request, vignette_id: str, checkin: str = "", theme: str = ""
) -> HTMLResponse:
    from attunement.practice.vignettes import vignette

    return page(
        request,
        "practice_statement.html",
        title="Practice",
        vignette=vignette(vignette_id),
        checkin=checkin,
        theme=theme,
    )


@pages.post("/practice/{vignette_id}")
def practice_answer(
    request: Request,
    vignette_id: str,
    response: Annotated[str, Form()] = "",
    checkin: Annotated[str, Form()] = "",
    theme: Annotated[str, Form()] = "",
) -> Response:
    from urllib.parse import urlencode

    from attunement.practice import service
    from attunement.practice.vignettes import vignette

    try:
        _, attempt_id = service.respond(
            journal(request), vignette_id, response, checkin_id=checkin or None
        )
    except AttuneError as exc:
        return page(
            request,
            "practice_statement.html",
            status=exc.http_status,
            title="Practice",
            vignette=vignette(vignette_id),
            checkin=checkin,
            theme=theme,
            error=exc.message,
            response=response,
        )
    query = urlencode({k: v for k, v in (("checkin", checkin), ("theme", theme)) if v})
    return RedirectResponse(
        f"/practice/feedback/{attempt_id}{'?' + query if query else ''}", status_code=303
    )


@pages.get("/practice/feedback/{attempt_id}", response_class=HTMLResponse)
def practice_feedback(
    request: Request, attempt_id: str, checkin: str = "", theme: str = ""
) -> HTMLResponse:
    from attunement.practice.feedback import READINGS_NOTE
    from attunement.practice.views import kept

    view = kept(journal(request), attempt_id, theme)
    return page(
        request,
        "practice_feedback.html",
        title="Feedback",
        vignette=view.vignette,
        response=view.response,
        data=view.feedback,
        readings_note=READINGS_NOTE,
        next_id=view.next_id,
        attempt_id=attempt_id,
        checkin=checkin,
        theme=theme,
    )


@pages.post("/practice/feedback/{attempt_id}/discard")
def practice_discard(request: Request, attempt_id: str) -> Response:
    """Discard a response for good (the feedback page asked first, in a <details>), then
    go back to Practice and say which one (kept in memory, never in the address)."""
    from attunement.practice.service import discard_said

    said = discard_said(journal(request), attempt_id)
    return RedirectResponse(
        f"/practice?discarded={flash.put(request.app.state, said, '/practice')}", status_code=303
    )


# -- API --------------------------------------------------------------------------------


class RespondIn(Strict):
    vignette_id: str
    response: str
    checkin_id: str | None = None


@api.get("/practice/vignettes", summary="Practice statements (examples come after responding)")
def practice_vignettes(theme: str | None = None) -> dict[str, Any]:
    from attunement.practice.vignettes import by_theme

    return {"vignettes": [v.to_dict(with_examples=False) for v in by_theme(theme)]}


@api.get("/practice/session", summary="The next statements to practise")
def practice_session(
    j: JournalDep, theme: str | None = None, n: Annotated[int, Query(ge=1, le=30)] = 5
) -> dict[str, Any]:
    from attunement.practice import service

    return {
        "vignettes": [v.to_dict(with_examples=False) for v in service.choose(j, n=n, theme=theme)]
    }


@api.post("/practice/respond", status_code=201, summary="Respond and get feedback")
def practice_respond(j: JournalDep, data: RespondIn) -> dict[str, Any]:
    from attunement.practice.views import answer

    return answer(j, data.vignette_id, data.response, checkin_id=data.checkin_id).to_dict()


@api.get("/practice/progress", summary="Practice progress per dimension, week by week")
def practice_progress(j: JournalDep) -> dict[str, Any]:
    from attunement.practice import service

    return service.progress(j).to_dict()


@api.delete("/practice/attempts/{attempt_id}", summary="Discard a practice response for good")
def practice_discard_api(j: JournalDep, attempt_id: str) -> dict[str, Any]:
    from attunement.practice import service

    return service.discard(j, attempt_id).to_dict()
