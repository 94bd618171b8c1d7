"""Settings: your data, export and import, encryption at rest and locking an encrypted
journal; pages and API routes."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from attunement.errors import AttuneError, InvalidInput
from attunement.web.common import (
    FormFile,
    JournalDep,
    Strict,
    attachment,
    journal,
    off_loop,
    upload_in,
)
from attunement.web.rendering import page
from attunement.web.uploads import received

pages = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api/v1")


@pages.post("/settings/import")
async def import_page(request: Request, file: FormFile = None) -> Response:
    from attunement.core.your_data import import_into, your_data
    from attunement.interop import IMPORT_FORMATS

    form = await request.form()
    j = journal(request)
    fmt = str(form.get("from", ""))
    try:
        upload = upload_in(form, "Choose a file to import.")
        if fmt not in IMPORT_FORMATS:
            raise InvalidInput("Choose what kind of file it is.", field="from")
        with received(j.data_dir, upload, "import") as got:
            view = await off_loop(
                lambda: import_into(
                    j,
                    got.path,
                    fmt,
                    dry_run=form.get("dry_run") == "on",
                    source=got.name,
                    day_first={"day-first": True, "month-first": False}.get(
                        str(form.get("dates", ""))
                    ),
                    rereader=request.app.state.rereader,
                    idle_lock_s=request.app.state.holder.idle_lock_s,
                )
            )
    except AttuneError as exc:
        return _settings(
            request,
            your_data(j, idle_lock_s=request.app.state.holder.idle_lock_s),
            status=exc.http_status,
            error=exc.message,
        )
    if view.report and view.report.dry_run:  # nothing changed: show it here
        return _settings(request, view)
    from attunement.web import flash

    kept = flash.put(request.app.state, view.report, "/settings")
    return RedirectResponse(f"/settings?imported={kept}", status_code=303)


def _settings(request: Request, view: Any, status: int = 200, **extra: Any) -> HTMLResponse:
    return page(
        request,
        "settings.html",
        status=status,
        title="Settings",
        data_dir=view.data_dir,
        counts=view.counts,
        report=view.report,
        locking=view.locking,
        **extra,
    )


@pages.get("/settings", response_class=HTMLResponse)
def settings_page(request: Request, imported: str = "") -> HTMLResponse:
    """The page; after an import, its report once (``imported`` is a one-time key)."""
    from attunement.core.your_data import your_data
    from attunement.web import flash

    j = journal(request)  # locked: to the unlock page, the key still unread
    report = flash.take(request.app.state, imported, "/settings")
    return _settings(
        request, your_data(j, report, idle_lock_s=request.app.state.holder.idle_lock_s)
    )


@pages.get("/unlock", response_class=HTMLResponse)
def unlock_form(request: Request, next: str = "/") -> Response:
    from attunement.web.unlock import safe_next

    if not request.app.state.holder.locked:
        return RedirectResponse(safe_next(next), status_code=303)
    return page(request, "unlock.html", title="Unlock", next=safe_next(next))


@pages.post("/unlock")
def unlock(
    request: Request,
    passphrase: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/",
) -> Response:
    """Unlock, then go back to the page asked for (a path on this site only)."""
    from attunement.web.unlock import safe_next

    target = safe_next(next)
    try:
        request.app.state.holder.unlock(passphrase)  # the rereader starts on unlocking
    except AttuneError as exc:
        return page(
            request,
            "unlock.html",
            status=exc.http_status,
            title="Unlock",
            error=exc.message,
            next=target,
        )
    return RedirectResponse(target, status_code=303)


@pages.post("/lock")
def lock(request: Request) -> Response:
    request.app.state.holder.lock()
    return RedirectResponse("/unlock", status_code=303)


# -- API --------------------------------------------------------------------------------


@api.post("/export", summary="Export: the complete journal as JSON, or Markdown in a zip")
def export(
    j: JournalDep, format: Annotated[str, Query(pattern="^(json|markdown)$")] = "json"
) -> Response:
    from attunement.interop import export_bytes

    data, media, name = export_bytes(j, format)
    return attachment(data, media, name)


@api.post("/import", summary="Import a journal file")
def import_file(
    request: Request,
    j: JournalDep,
    file: Annotated[UploadFile, File()],
    source_format: Annotated[str, Form(alias="from")],
    dry_run: Annotated[bool, Form()] = False,
) -> dict[str, Any]:
    from attunement.core.your_data import import_into
    from attunement.interop import IMPORT_FORMATS

    if source_format not in IMPORT_FORMATS:
        raise InvalidInput(
            f"Unknown import format '{source_format}'; use one of {', '.join(IMPORT_FORMATS)}.",
            field="from",
        )
    with received(j.data_dir, file, "import") as got:
        view = import_into(
            j,
            got.path,
            source_format,
            dry_run=dry_run,
            source=got.name,  # the person's file, not the temporary one
            rereader=request.app.state.rereader,
        )
    assert view.report is not None
    return view.report.to_dict()


class UnlockIn(Strict):
    passphrase: str


@api.post("/unlock", summary="Unlock an encrypted journal (the key stays in memory)")
def api_unlock(request: Request, data: UnlockIn) -> dict[str, Any]:
    request.app.state.holder.unlock(data.passphrase)
    return {"locked": False}


@api.post("/lock", summary="Lock an encrypted journal now (`attune lock`)")
def api_lock(request: Request) -> dict[str, Any]:
    holder = request.app.state.holder
    holder.lock()
    return {"locked": holder.locked}
