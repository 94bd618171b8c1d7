"""What every capability's routes share: the open journal, the API's request models'
base, list limits, entry filters from a query, files to save, the file a form sent (read
to disk by ``web.uploads.received``), a form route's work off the event loop, and the one
JSON error shape ``{"error": {"code", "message", "field"}}``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, TypeVar

from fastapi import Depends, File, Query, Request
from fastapi import UploadFile as FileParameter
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from attunement.core.journal import Journal
from attunement.core.models import EntryFilter
from attunement.errors import InvalidInput
from attunement.web.security import counts_as_activity

T = TypeVar("T")


async def off_loop(work: Callable[[], T]) -> T:
    """``work()`` on a worker thread. A route that reads its form with ``await`` runs on
    the event loop, and the journal's services block (SQLite, the models, a team server
    on the network): run there, one import or packet would hold every other request."""
    return await run_in_threadpool(work)


def journal(request: Request) -> Journal:
    """The open journal (an encrypted one that is locked raises Locked). Only the
    person's own requests restart the idle time before an encrypted journal locks."""
    return request.app.state.holder.get(activity=counts_as_activity(request.scope))


def journal_or_none(request: Request) -> Journal | None:
    """The open journal, or None when locked, without counting as the person's use."""
    current: Journal | None = request.app.state.holder.current()
    return current


JournalDep = Annotated[Journal, Depends(journal)]
Limit = Annotated[int, Query(ge=1, le=500, description="How many to return.")]
Offset = Annotated[int, Query(ge=0, le=10_000_000, description="How many to skip.")]


MAX_PAGE = 100_000


def page_of(raw: str) -> int:
    """A page number from a link: a whole number from 1 to 100,000, else page 1 (a link
    with a bad page shows the first page, not an error)."""
    text = raw.strip()
    if not text.isdecimal() or not text.isascii() or len(text) > 6:
        return 1
    return min(max(int(text), 1), MAX_PAGE)


class Strict(BaseModel):
    """A JSON body: no unknown fields, and no coercion (``true`` is not 1, ``1`` is not
    ``"1"``, ``"yes"`` is not ``true``): a value of the wrong type is a 422 naming it."""

    model_config = ConfigDict(extra="forbid", strict=True)


# A page route that takes a file says so in its signature (the route table then lists
# every upload route); the route still reads the rest of its form itself.
FormFile = Annotated[FileParameter | None, File()]


def entry_filter(
    since: str | None = None,
    until: str | None = None,
    tag: Annotated[list[str] | None, Query()] = None,
    prompt: str | None = None,
    starred: bool | None = None,
) -> EntryFilter:
    return EntryFilter.from_words(since, until, tag or (), prompt, starred)


FilterDep = Annotated[EntryFilter, Depends(entry_filter)]


def attachment(content: str | bytes, media_type: str, filename: str) -> Response:
    """A file for the browser to save rather than show."""
    return Response(
        content,
        media_type=media_type,
        headers={"content-disposition": f'attachment; filename="{filename}"'},
    )


def error_response(status: int, code: str, message: str, field: str | None) -> JSONResponse:
    return JSONResponse(
        {"error": {"code": code, "message": message, "field": field}}, status_code=status
    )


def upload_in(form: Any, missing: str) -> UploadFile:
    """The file a form sent, or one sentence saying to choose one."""
    upload = form.get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        raise InvalidInput(missing, field="file")
    return upload
