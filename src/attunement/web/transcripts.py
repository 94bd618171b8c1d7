"""Transcripts: import a de-identified session, see every turn coded, download a report,
delete it for good; pages and API routes."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import Markup

from attunement.errors import AttuneError
from attunement.web.common import (
    FormFile,
    JournalDep,
    attachment,
    journal,
    off_loop,
    upload_in,
)
from attunement.web.rendering import page
from attunement.web.uploads import received

pages = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api/v1")


def _list(request: Request, view: Any, status: int = 200, **extra: Any) -> HTMLResponse:
    return page(
        request,
        "transcripts.html",
        status=status,
        title="Transcripts",
        items=view.items,
        entries=view.entries,
        **extra,
    )


@pages.get("/transcripts", response_class=HTMLResponse)
def transcripts_page(request: Request, deleted: str = "") -> HTMLResponse:
    from attunement.transcripts.views import transcripts_page as view_of
    from attunement.web import flash

    return _list(request, view_of(journal(request)), deleted=flash.get(request.app.state, deleted))


@pages.post("/transcripts")
async def transcript_upload(request: Request, file: FormFile = None) -> Response:
    from attunement.transcripts import service
    from attunement.transcripts.views import transcripts_page

    form = await request.form()
    j = journal(request)
    try:
        upload = upload_in(form, "Choose a transcript file to import.")
        with received(j.data_dir, upload, "transcript.txt") as got:
            made = await off_loop(
                lambda: service.import_file(
                    j,
                    got.path,
                    name=got.name,
                    fmt=str(form.get("format", "")) or None,
                    caregiver=str(form.get("caregiver", "")) or None,
                    title=str(form.get("title", "")) or None,
                    entry_id=str(form.get("entry_id", "")) or None,
                    redact=bool(form.get("redact")),
                )
            )
    except AttuneError as exc:
        return _list(request, transcripts_page(j), status=exc.http_status, error=exc.message)
    if not made.notes:
        return RedirectResponse(f"/transcripts/{made.id}", status_code=303)
    from attunement.web import flash

    kept = flash.put(request.app.state, list(made.notes))
    return RedirectResponse(f"/transcripts/{made.id}?read={kept}", status_code=303)


@pages.get("/transcripts/{transcript_id}", response_class=HTMLResponse)
def transcript_page(
    request: Request,
    transcript_id: str,
    read: str = "",
    number: Annotated[int, Query(alias="page", ge=1)] = 1,
    turn: Annotated[int | None, Query(ge=1)] = None,
    change: str = "",
) -> Response:
    """A transcript's summary and one page of its turns; ``turn`` (a link to one turn,
    or the page's "Go to turn") leads to the page that holds it, at that turn. With
    ``change=1`` (the person says the session is about a change the client is weighing,
    as in motivational interviewing) the client's change and sustain talk are shown too."""
    from attunement.transcripts.service import Coding
    from attunement.transcripts.views import MITI_NOTE
    from attunement.transcripts.views import transcript_page as view_of
    from attunement.web import flash

    about_change = change == "1"
    view = view_of(journal(request), transcript_id, number, turn, about_change=about_change)
    if isinstance(view, Coding):  # a long session coded meanwhile: the page looks again
        return page(request, "transcript_coding.html", title="Coding the session", coding=view)
    if turn is not None:
        return RedirectResponse(
            f"/transcripts/{transcript_id}{turns_page(view.page, about_change)}#turn-{turn}",
            status_code=303,
        )
    session = view.stored.session
    return page(
        request,
        "transcript.html",
        title=(
            session.title
            if view.pages == 1
            else f"{session.title} (turns {view.first:,}–{view.last:,})"
        ),
        session=session,
        view=view,
        figures=view.figures,
        miti_note=MITI_NOTE,
        timeline=Markup(view.timeline),  # noqa: S704 - escaped inside
        transcript_id=transcript_id,
        entry_id=view.stored.entry_id,
        speakers=view.stored.speakers,
        notes=flash.get(request.app.state, read) or [],  # how the file was read, once imported
    )


def turns_page(number: int, about_change: bool = False) -> str:
    """The query that opens a page of a transcript's turns ("" for the first), with
    change and sustain talk shown where they were."""
    asked = ([f"page={number}"] if number > 1 else []) + (["change=1"] if about_change else [])
    return "?" + "&".join(asked) if asked else ""


@pages.get("/transcripts/{transcript_id}/delete", response_class=HTMLResponse)
def delete_transcript_form(request: Request, transcript_id: str) -> HTMLResponse:
    """The question before deleting: what goes, what stays, and the button that does it."""
    from attunement.transcripts.views import deletion

    view = deletion(journal(request), transcript_id)
    return page(
        request,
        "transcript_delete.html",
        title=f"Delete {view.title}?",
        transcript_id=transcript_id,
        view=view,
    )


@pages.post("/transcripts/{transcript_id}/delete")
def delete_transcript_page(request: Request, transcript_id: str) -> Response:
    from attunement.transcripts import service
    from attunement.web import flash

    gone = service.delete(journal(request), transcript_id)
    return RedirectResponse(
        f"/transcripts?deleted={flash.put(request.app.state, gone)}", status_code=303
    )


# -- API --------------------------------------------------------------------------------


@api.get("/transcripts", summary="Stored transcripts")
def transcripts(j: JournalDep) -> dict[str, Any]:
    return {
        "transcripts": [
            {**t, "created_at": t["created_at"].isoformat()} for t in j.store.list_transcripts()
        ]
    }


@api.post("/transcripts", status_code=201, summary="Import a de-identified transcript")
def import_transcript(
    j: JournalDep,
    file: Annotated[UploadFile, File()],
    transcript_format: Annotated[str | None, Form(alias="format")] = None,
    caregiver: Annotated[str | None, Form()] = None,
    title: Annotated[str | None, Form()] = None,
    entry_id: Annotated[str | None, Form()] = None,
    redact: Annotated[bool, Form()] = False,
) -> dict[str, Any]:
    from attunement.transcripts import service

    with received(j.data_dir, file, "transcript.txt") as got:
        made = service.import_file(
            j,
            got.path,
            name=got.name,
            fmt=transcript_format or None,
            caregiver=caregiver or None,
            title=title or None,
            entry_id=entry_id or None,
            redact=redact,
        )
    return made.to_dict()


@api.get("/transcripts/{transcript_id}", summary="A transcript, every turn coded")
def transcript(j: JournalDep, transcript_id: str) -> dict[str, Any]:
    from attunement.transcripts import service

    return {"id": transcript_id, **service.open_coded(j, transcript_id).session.to_dict()}


@api.get("/transcripts/{transcript_id}/report", summary="A transcript report (HTML or Markdown)")
def transcript_report(
    j: JournalDep,
    transcript_id: str,
    format: Annotated[str, Query(pattern="^(html|md)$")] = "md",
) -> Response:
    from attunement.transcripts.views import report_file

    made = report_file(j, transcript_id, format)
    return attachment(made.text, made.media_type, made.filename)


@api.delete("/transcripts/{transcript_id}", summary="Delete a transcript for good")
def delete_transcript(j: JournalDep, transcript_id: str) -> dict[str, Any]:
    from attunement.transcripts import service

    return service.delete(j, transcript_id).to_dict()
