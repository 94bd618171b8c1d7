"""Taking practice to supervision: Insights (trends over the weeks) and the supervision
packet, as pages and API routes."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from markupsafe import Markup
from pydantic import Field

from attunement.errors import AttuneError
from attunement.web.common import (
    JournalDep,
    Strict,
    attachment,
    journal,
    off_loop,
)
from attunement.web.rendering import page

pages = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api/v1")


@pages.get("/insights", response_class=HTMLResponse)
def insights_page(request: Request) -> HTMLResponse:
    from attunement.core.insights import compute
    from attunement.web import charts

    data = compute(journal(request), rereader=request.app.state.rereader)
    return page(request, "insights.html", title="Insights", data=data, charts=charts)


def _supervision(request: Request, view: Any, status: int = 200, **extra: Any) -> HTMLResponse:
    form = extra.pop(
        "form",
        {"entry_ids": [], "since": "", "until": "", "tag": "", "questions": "", "redact": True},
    )
    return page(
        request,
        "supervision.html",
        status=status,
        title="Supervision packet",
        entries=view.entries,
        form=form,
        **extra,
    )


@pages.get("/supervision", response_class=HTMLResponse)
def supervision_form(request: Request) -> HTMLResponse:
    from attunement.supervision.views import packet_form

    return _supervision(request, packet_form(journal(request)))


@pages.post("/supervision")
async def supervision_packet(request: Request) -> Response:
    from attunement.supervision import packet as supervision
    from attunement.supervision.views import packet_form, packet_page

    data = await request.form()
    entry_ids = [str(v) for v in data.getlist("entry_ids")]
    since, until, tag = (str(data.get(k, "")).strip() for k in ("since", "until", "tag"))
    questions = str(data.get("questions", ""))
    redact = data.get("redact") == "1"
    form = {
        "entry_ids": entry_ids,
        "since": since,
        "until": until,
        "tag": tag,
        "questions": questions,
        "redact": redact,
    }
    action = str(data.get("action", "preview"))
    try:
        chosen = supervision.Selection.from_words(
            entry_ids=entry_ids,
            since=since or None,
            until=until or None,
            tags=[tag] if tag else [],
            questions=questions.splitlines(),
            redact=redact,
        )
        view = await off_loop(lambda: packet_page(journal(request), chosen, action))
    except AttuneError as exc:
        return _supervision(
            request,
            packet_form(journal(request)),
            status=exc.http_status,
            form=form,
            error=exc.message,
        )
    if view.document is not None:
        return attachment(
            view.document, supervision.FORMATS[action], f"supervision-packet.{action}"
        )
    packet_html = Markup(view.html)  # noqa: S704 - every text escaped inside
    return _supervision(request, view, form=form, packet_html=packet_html)


# -- API --------------------------------------------------------------------------------


@api.get("/insights", summary="Trends: check-ins, markers and feelings per week, coverage")
def insights(
    request: Request, j: JournalDep, weeks: Annotated[int, Query(ge=1, le=104)] = 12
) -> dict[str, Any]:
    from attunement.core.insights import compute

    return compute(j, weeks=weeks, rereader=request.app.state.rereader).to_dict()


class PacketIn(Strict):
    entry_ids: list[str] = Field(default=[], description="Entries by id, in any order.")
    since: str | None = Field(default=None, description="Or every entry from this date.")
    until: str | None = None
    tags: list[str] = Field(default=[], description="Only entries with all these tags.")
    questions: list[str] = Field(default=[], description="Questions you are bringing.")
    redact: bool = Field(default=True, description="Replace identifying details (default).")


@api.post("/packet", summary="A supervision packet, redacted by default")
def packet(
    j: JournalDep,
    body: PacketIn,
    format: Annotated[str, Query(pattern="^(json|html|md)$")] = "json",
) -> Any:
    """The packet as data (with its Markdown rendering as ``document``), or as a Markdown
    or HTML file to download."""
    from attunement.supervision import packet as supervision

    chosen = supervision.Selection.from_words(**body.model_dump())
    made, document = supervision.export(j, chosen, "md" if format == "json" else format)
    if format == "json":
        return {**made.to_dict(), "document": document}
    return attachment(document, supervision.FORMATS[format], f"supervision-packet.{format}")
