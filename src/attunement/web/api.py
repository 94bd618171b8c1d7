"""The JSON API, /api/v1: the same services as the CLI and the pages, as JSON.

Errors always have one shape, ``{"error": {"code", "message", "field"}}``: 404 for an
unknown id, 409 for a conflict, 413 for an oversized body, 422 naming the bad field.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field
from starlette.datastructures import UploadFile as StarletteUpload

from attunement.core.dates import parse_when
from attunement.core.journal import Journal
from attunement.core.models import EntryFilter
from attunement.errors import InvalidInput

router = APIRouter(prefix="/api/v1")


def journal(request: Request) -> Journal:
    return request.app.state.holder.get()


JournalDep = Annotated[Journal, Depends(journal)]
Limit = Annotated[int, Query(ge=1, le=500, description="How many to return.")]
Offset = Annotated[int, Query(ge=0, le=10_000_000, description="How many to skip.")]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class EntryIn(Strict):
    body: str = Field(description="Markdown text of the entry.")
    title: str | None = None
    prompt_id: str | None = None
    tags: list[str] = []
    starred: bool = False


class EntryPatch(Strict):
    body: str | None = None
    title: str | None = None
    add_tags: list[str] = []
    remove_tags: list[str] = []
    prompt_id: str | None = None
    clear_prompt: bool = False
    starred: bool | None = None


class DraftIn(Strict):
    body: str = ""
    title: str = ""
    tags: list[str] = []
    prompt_id: str | None = None
    entry_id: str | None = None


class CheckInIn(Strict):
    ease: int | None = None
    presence: int | None = None
    curiosity: int | None = None
    urge_to_fix: int | None = None
    fatigue: int | None = None
    body: list[str] = []
    note: str = ""
    moment: str = "other"


class TextIn(Strict):
    text: str


class ResponseIn(Strict):
    response: str
    to: str


def attachment(content: str | bytes, media_type: str, filename: str) -> Response:
    """A file for the browser to save rather than show."""
    return Response(
        content,
        media_type=media_type,
        headers={"content-disposition": f'attachment; filename="{filename}"'},
    )


def entry_filter(
    since: str | None = None,
    until: str | None = None,
    tag: Annotated[list[str] | None, Query()] = None,
    prompt: str | None = None,
    starred: bool | None = None,
) -> EntryFilter:
    return EntryFilter.from_words(since, until, tag or (), prompt, starred)


FilterDep = Annotated[EntryFilter, Depends(entry_filter)]


@router.get("/today", summary="Today's prompt, streak, last check-in and entry")
def today(j: JournalDep, deck: str = "art-of-attunement") -> dict[str, Any]:
    return j.today(deck_id=deck).to_dict()


@router.get("/entries", summary="Entries, newest first")
def list_entries(
    j: JournalDep, flt: FilterDep, limit: Limit = 20, offset: Offset = 0
) -> dict[str, Any]:
    entries = j.list_entries(flt, limit=limit, offset=offset)
    total = j.store.count_entries(j.check_filter(flt))
    return {"entries": [e.to_dict() for e in entries], "total": total}


@router.post("/entries", status_code=201, summary="Write an entry")
def create_entry(j: JournalDep, data: EntryIn) -> dict[str, Any]:
    return j.write(
        data.body, title=data.title, prompt_id=data.prompt_id, tags=data.tags, starred=data.starred
    ).to_dict()


@router.get("/entries/{entry_id}", summary="One entry")
def get_entry(j: JournalDep, entry_id: str) -> dict[str, Any]:
    return j.get(entry_id).to_dict()


@router.patch("/entries/{entry_id}", summary="Edit an entry (the old version is kept)")
def edit_entry(j: JournalDep, entry_id: str, data: EntryPatch) -> dict[str, Any]:
    entry, changed = j.edit(
        entry_id,
        body=data.body,
        title=data.title,
        add_tags=data.add_tags,
        remove_tags=data.remove_tags,
        prompt_id=data.prompt_id,
        clear_prompt=data.clear_prompt,
        starred=data.starred,
    )
    return {**entry.to_dict(), "changed": changed}


@router.delete("/entries/{entry_id}", summary="Move an entry to the trash")
def delete_entry(j: JournalDep, entry_id: str) -> dict[str, Any]:
    return j.delete(entry_id).to_dict()


@router.post("/entries/{entry_id}/restore", summary="Bring an entry back from the trash")
def restore_entry(j: JournalDep, entry_id: str) -> dict[str, Any]:
    return j.restore(entry_id).to_dict()


@router.get("/entries/{entry_id}/history", summary="Earlier versions of an entry")
def entry_history(j: JournalDep, entry_id: str) -> dict[str, Any]:
    entry, revisions = j.history(entry_id)
    return {"entry": entry.to_dict(), "revisions": [r.to_dict() for r in revisions]}


@router.get("/trash", summary="Entries in the trash")
def trash(j: JournalDep) -> dict[str, Any]:
    return {"entries": [e.to_dict() for e in j.trash()]}


@router.delete("/trash", summary="Delete everything in the trash for good")
def purge_trash(j: JournalDep) -> dict[str, Any]:
    return {"deleted": j.purge_trash()}


@router.get("/search", summary="Full-text search with filters")
def search(
    j: JournalDep,
    flt: FilterDep,
    q: Annotated[str, Query(min_length=1)],
    limit: Limit = 20,
    offset: Offset = 0,
) -> dict[str, Any]:
    return {
        "query": q,
        "results": [h.to_dict() for h in j.search(q, flt, limit=limit, offset=offset)],
    }


@router.get("/drafts", summary="Unfinished drafts")
def drafts(j: JournalDep) -> dict[str, Any]:
    return {"drafts": [d.to_dict() for d in j.drafts()]}


@router.post("/drafts", status_code=201, summary="Keep unfinished writing")
def create_draft(j: JournalDep, data: DraftIn) -> dict[str, Any]:
    return j.save_draft(
        data.body,
        title=data.title,
        tags=data.tags,
        prompt_id=data.prompt_id,
        entry_id=data.entry_id,
    ).to_dict()


@router.get("/drafts/{draft_id}", summary="One draft")
def get_draft(j: JournalDep, draft_id: str) -> dict[str, Any]:
    return j.draft(draft_id).to_dict()


@router.put("/drafts/{draft_id}", summary="Update a draft (autosave)")
def update_draft(j: JournalDep, draft_id: str, data: DraftIn) -> dict[str, Any]:
    return j.save_draft(
        data.body,
        draft_id=draft_id,
        title=data.title,
        tags=data.tags,
        prompt_id=data.prompt_id,
        entry_id=data.entry_id,
    ).to_dict()


@router.delete("/drafts/{draft_id}", summary="Throw a draft away")
def discard_draft(j: JournalDep, draft_id: str) -> dict[str, Any]:
    j.discard_draft(draft_id)
    return {"discarded": draft_id}


@router.post("/drafts/{draft_id}/publish", status_code=201, summary="Save a draft as an entry")
def publish_draft(j: JournalDep, draft_id: str) -> dict[str, Any]:
    return j.publish_draft(draft_id).to_dict()


@router.get("/checkins", summary="Check-ins, newest first")
def checkins(
    j: JournalDep, since: str | None = None, until: str | None = None, limit: Limit = 50
) -> dict[str, Any]:
    items = j.checkins(
        since=parse_when(since) if since else None,
        until=parse_when(until, end_of_day=True) if until else None,
        limit=limit,
    )
    return {"checkins": [c.to_dict() for c in items]}


@router.post("/checkins", status_code=201, summary="Check in")
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


@router.get("/prompts", summary="Decks and prompts, with how often each was answered")
def prompts(j: JournalDep) -> dict[str, Any]:
    used = j.store.prompt_history()
    return {
        "decks": [
            {
                **d.to_dict(),
                "prompts": [
                    {
                        **p.to_dict(),
                        "answered": used[p.id].count if p.id in used else 0,
                        "last_answered": used[p.id].last.isoformat() if p.id in used else None,
                    }
                    for p in d.prompts
                ],
            }
            for d in j.decks.decks
        ]
    }


@router.post("/decks", status_code=201, summary="Add a deck from a TOML or YAML file")
def add_deck(
    j: JournalDep, file: Annotated[UploadFile, File()], replace: Annotated[bool, Form()] = False
) -> dict[str, Any]:
    with uploaded(j, file, "deck.toml") as path:
        return j.add_deck(path, replace=replace).to_dict()


@router.post("/analysis/text", summary="Markers, emotions and a summary for a text")
def analyze_text(data: TextIn) -> dict[str, Any]:
    from attunement.analysis.report import analyze_text as run

    return run(data.text).to_dict()


@router.post("/analysis/response", summary="Feedback on a response to someone's words")
def analyze_response(data: ResponseIn) -> dict[str, Any]:
    from attunement.analysis.report import analyze_response as run

    return run(data.response, data.to).to_dict()


@router.get("/export", summary="Export: the complete journal as JSON, or Markdown in a zip")
def export(
    j: JournalDep, format: Annotated[str, Query(pattern="^(json|markdown)$")] = "json"
) -> Response:
    import io
    import tempfile

    from attunement.interop import attune_json, markdown
    from attunement.paths import private_temp_dir

    if format == "markdown":
        parent = private_temp_dir(j.data_dir) if j.data_dir else None
        with tempfile.TemporaryDirectory(dir=parent) as tmp:
            target = Path(tmp) / "attunement-markdown.zip"
            count = markdown.write(j, target)
            data = target.read_bytes()
        from attunement.audit import record

        record(j.data_dir, "export", format="markdown", entries=count)
        return attachment(data, "application/zip", "attunement-markdown.zip")
    buffer = io.StringIO()
    count = attune_json.write(j, buffer)
    from attunement.audit import record

    record(j.data_dir, "export", format="json", entries=count)
    return attachment(buffer.getvalue(), "application/json", "attunement-export.json")


@router.get("/insights", summary="Trends: check-ins, markers and feelings per week, coverage")
def insights(
    request: Request, j: JournalDep, weeks: Annotated[int, Query(ge=1, le=104)] = 12
) -> dict[str, Any]:
    from attunement.core.insights import compute

    return {**compute(j, weeks=weeks).to_dict(), "reading": request.app.state.rereader.state()}


@router.post("/import", summary="Import a journal file")
def import_file(
    j: JournalDep,
    file: Annotated[UploadFile, File()],
    source_format: Annotated[str, Form(alias="from")],
    dry_run: Annotated[bool, Form()] = False,
) -> dict[str, Any]:
    from attunement.interop import IMPORT_FORMATS
    from attunement.interop import import_file as run

    if source_format not in IMPORT_FORMATS:
        raise InvalidInput(
            f"Unknown import format '{source_format}'; use one of {', '.join(IMPORT_FORMATS)}.",
            field="from",
        )
    with uploaded(j, file, "import") as path:
        report = run(j, path, source_format, dry_run=dry_run)
    data = report.to_dict()
    data["source"] = path.name  # not the temporary folder
    return data


@contextmanager
def uploaded(j: Journal, file: StarletteUpload, default_name: str) -> Iterator[Path]:
    """An uploaded file, kept under its own name in a private temporary folder inside the
    data folder (never the shared /tmp), removed afterwards."""
    import tempfile

    from attunement.paths import private_temp_dir

    name = Path(file.filename or default_name).name or default_name
    parent = private_temp_dir(j.data_dir) if j.data_dir else None
    with tempfile.TemporaryDirectory(dir=parent) as tmp:
        path = Path(tmp) / name
        path.write_bytes(file.file.read())
        yield path


def error_response(status: int, code: str, message: str, field: str | None) -> JSONResponse:
    return JSONResponse(
        {"error": {"code": code, "message": message, "field": field}}, status_code=status
    )


# -- practice ---------------------------------------------------------------------------


class RespondIn(Strict):
    vignette_id: str
    response: str
    checkin_id: str | None = None


@router.get("/practice/vignettes", summary="Practice statements (examples come after responding)")
def practice_vignettes(theme: str | None = None) -> dict[str, Any]:
    from attunement.practice.vignettes import by_theme

    return {"vignettes": [v.to_dict(with_examples=False) for v in by_theme(theme)]}


@router.get("/practice/session", summary="The next statements to practise")
def practice_session(
    j: JournalDep, theme: str | None = None, n: Annotated[int, Query(ge=1, le=30)] = 5
) -> dict[str, Any]:
    from attunement.practice import service

    return {
        "vignettes": [v.to_dict(with_examples=False) for v in service.choose(j, n=n, theme=theme)]
    }


@router.post("/practice/respond", status_code=201, summary="Respond and get feedback")
def practice_respond(j: JournalDep, data: RespondIn) -> dict[str, Any]:
    from attunement.practice import service
    from attunement.practice.vignettes import vignette

    fb, attempt_id = service.respond(j, data.vignette_id, data.response, checkin_id=data.checkin_id)
    return {
        "attempt_id": attempt_id,
        **fb.to_dict(),
        "examples": list(vignette(data.vignette_id).responses),
    }


@router.get("/practice/progress", summary="Practice progress per dimension, week by week")
def practice_progress(j: JournalDep) -> dict[str, Any]:
    from attunement.practice import service

    return service.progress(j).to_dict()


# -- transcripts ------------------------------------------------------------------------


@router.get("/transcripts", summary="Stored transcripts")
def transcripts(j: JournalDep) -> dict[str, Any]:
    return {
        "transcripts": [
            {**t, "created_at": t["created_at"].isoformat()} for t in j.store.list_transcripts()
        ]
    }


@router.post("/transcripts", status_code=201, summary="Import a de-identified transcript")
def import_transcript(
    j: JournalDep,
    file: Annotated[UploadFile, File()],
    transcript_format: Annotated[str | None, Form(alias="format")] = None,
    caregiver: Annotated[str | None, Form()] = None,
    title: Annotated[str | None, Form()] = None,
    entry_id: Annotated[str | None, Form()] = None,
) -> dict[str, Any]:
    from attunement.transcripts import service

    with uploaded(j, file, "transcript.txt") as path:
        turns, fmt = service.read(path, transcript_format or None)
        name = path.stem
    chosen = service.choose_caregiver(turns, caregiver or None)
    new_id = service.store(
        j, turns, title=title or name, fmt=fmt, caregiver=chosen, entry_id=entry_id or None
    )
    return {
        "id": new_id,
        "caregiver": chosen,
        "format": fmt,
        "turns": len(turns),
        "speakers": list(dict.fromkeys(t.speaker for t in turns)),
    }


@router.get("/transcripts/{transcript_id}", summary="A transcript, every turn coded")
def transcript(j: JournalDep, transcript_id: str) -> dict[str, Any]:
    from attunement.transcripts import service

    title, turns, caregiver = service.load(j, transcript_id)
    return {"id": transcript_id, **service.analyse(title, turns, caregiver).to_dict()}


@router.get("/transcripts/{transcript_id}/report", summary="A transcript report (HTML or Markdown)")
def transcript_report(
    j: JournalDep,
    transcript_id: str,
    format: Annotated[str, Query(pattern="^(html|md)$")] = "md",
) -> Response:
    from attunement.transcripts import report, service

    title, turns, caregiver = service.load(j, transcript_id)
    session = service.analyse(title, turns, caregiver)
    if format == "html":
        return attachment(report.html(session), "text/html", f"{transcript_id}.html")
    return attachment(report.markdown(session), "text/markdown", f"{transcript_id}.md")


# -- supervision ------------------------------------------------------------------------


class PacketIn(Strict):
    entry_ids: list[str] = Field(default=[], description="Entries by id, in any order.")
    since: str | None = Field(default=None, description="Or every entry from this date.")
    until: str | None = None
    tags: list[str] = Field(default=[], description="Only entries with all these tags.")
    questions: list[str] = Field(default=[], description="Questions you are bringing.")
    redact: bool = Field(default=True, description="Replace identifying details (default).")


@router.post("/packet", summary="A supervision packet, redacted by default")
def packet(
    j: JournalDep,
    body: PacketIn,
    format: Annotated[str, Query(pattern="^(json|html|md)$")] = "json",
) -> Any:
    """The packet as data (with its Markdown rendering as ``document``), or as a Markdown
    or HTML file to download."""
    from attunement.supervision import packet as supervision

    chosen = supervision.selection(**body.model_dump())
    made, document = supervision.export(j, chosen, "md" if format == "json" else format)
    if format == "json":
        return {**made.to_dict(), "document": document}
    return attachment(document, supervision.FORMATS[format], f"supervision-packet.{format}")


# -- locking ----------------------------------------------------------------------------


class UnlockIn(Strict):
    passphrase: str


@router.post("/unlock", summary="Unlock an encrypted journal (the key stays in memory)")
def unlock(request: Request, data: UnlockIn) -> dict[str, Any]:
    request.app.state.holder.unlock(data.passphrase)
    return {"locked": False}


@router.post("/lock", summary="Lock an encrypted journal now (`attune lock`)")
def lock(request: Request) -> dict[str, Any]:
    holder = request.app.state.holder
    holder.lock()
    return {"locked": holder.locked}
