"""What every capability's routes share: the open journal, the API's request models'
base, list limits, entry filters from a query, files to save, uploads, and the one JSON
error shape ``{"error": {"code", "message", "field"}}``."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, Query, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict
from starlette.datastructures import UploadFile

from attunement.core.journal import Journal
from attunement.core.models import EntryFilter
from attunement.errors import AttuneError, InvalidInput


def journal(request: Request) -> Journal:
    """The open journal (an encrypted one that is locked raises Locked)."""
    return request.app.state.holder.get()  # type: ignore[no-any-return]


JournalDep = Annotated[Journal, Depends(journal)]
Limit = Annotated[int, Query(ge=1, le=500, description="How many to return.")]
Offset = Annotated[int, Query(ge=0, le=10_000_000, description="How many to skip.")]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


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


@contextmanager
def uploaded(j: Journal, file: UploadFile, default_name: str) -> Iterator[Path]:
    """An uploaded file, kept under its own name in a private temporary folder inside the
    data folder (never the shared /tmp), removed afterwards. An error about it names the
    person's file, never the temporary folder."""
    import tempfile

    from attunement.paths import private_temp_dir

    name = Path(file.filename or default_name).name or default_name
    parent = private_temp_dir(j.data_dir) if j.data_dir else None
    with tempfile.TemporaryDirectory(dir=parent) as tmp:
        path = Path(tmp) / name
        path.write_bytes(file.file.read())
        try:
            yield path
        except AttuneError as exc:
            exc.message = exc.message.replace(str(path), name).replace(tmp, "")
            exc.args = (exc.message,)
            raise
