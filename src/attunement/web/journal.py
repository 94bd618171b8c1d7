"""Journaling: Today, writing (with the look for identifying details before saving),
the journal and search, entries with their history and trash, drafts, prompts and decks,
and the analysis of a text. Pages and API routes side by side; each route parses, calls
one service and renders."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import Field

from attunement.errors import AttuneError
from attunement.web import flash
from attunement.web.common import (
    FilterDep,
    FormFile,
    JournalDep,
    Limit,
    Offset,
    Strict,
    journal,
    off_loop,
    page_of,
    upload_in,
)
from attunement.web.rendering import page, render_markdown
from attunement.web.uploads import received

pages = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api/v1")


# The example deck the Prompts page shows and offers to download (a test reads it as a deck).
EXAMPLE_DECK = Path(__file__).resolve().parent / "static" / "example-deck.toml"


@lru_cache(maxsize=1)
def example_deck() -> str:
    return EXAMPLE_DECK.read_text(encoding="utf-8")


@pages.get("/", response_class=HTMLResponse)
def today(request: Request, discarded: str = "") -> HTMLResponse:
    from attunement.core.writing import today_page

    view = today_page(journal(request))
    return page(
        request,
        "today.html",
        title="Today",
        view=view.today,
        drafts=view.drafts,
        discarded=flash.take(request.app.state, discarded, "/"),
    )


def _write(request: Request, view: Any, **more: Any) -> HTMLResponse:
    return page(
        request,
        "write.html",
        status=view.status,
        title="Write",
        decks=view.decks,
        chosen=view.chosen,
        draft=view.draft,
        drafts=view.drafts,
        form=view.form,
        form_token=view.form_token,
        error=view.error.message if view.error else None,
        gone_prompt=view.gone_prompt,
        **more,
    )


@pages.get("/write", response_class=HTMLResponse)
def write_form(
    request: Request, prompt: str | None = None, draft: str | None = None, discarded: str = ""
) -> HTMLResponse:
    from attunement.core.writing import write_page

    return _write(
        request,
        write_page(journal(request), prompt=prompt or "", draft=draft or ""),
        discarded=flash.take(request.app.state, discarded, "/write"),
    )


@pages.post("/drafts/{draft_id}/discard")
def discard_draft_page(
    request: Request, draft_id: str, back: Annotated[str, Form()] = "/write"
) -> Response:
    """Throw a draft away from Today or Write (the page asked first, in a <details>), then
    go back there and say which draft it was (kept in memory, never in the address)."""
    from attunement.core.writing import discard_draft

    said = discard_draft(journal(request), draft_id)
    target = "/" if back == "/" else "/write"
    return RedirectResponse(
        f"{target}?discarded={flash.put(request.app.state, said, target)}", status_code=303
    )


@pages.post("/write")
def write_save(
    request: Request,
    body: Annotated[str, Form()] = "",
    title: Annotated[str, Form()] = "",
    prompt_id: Annotated[str, Form()] = "",
    tags: Annotated[str, Form()] = "",
    draft_id: Annotated[str, Form()] = "",
    deid: Annotated[str, Form()] = "",
    form_token: Annotated[str, Form()] = "",
) -> Response:
    from attunement.core.writing import save_written

    view = save_written(
        journal(request),
        body,
        title=title,
        prompt_id=prompt_id,
        tags=tags,
        draft_id=draft_id,
        choice=deid,
        form_token=form_token,
    )
    if view.saved:
        return _saved(request, view.saved.id, view.outcome)
    if view.review:  # show the details; the writer chooses
        return _write(
            request, view, review=view.review.findings, review_segments=view.review.segments(body)
        )
    return _write(request, view)


@pages.post("/partials/preview", response_class=HTMLResponse)
def preview(body: Annotated[str, Form()] = "") -> HTMLResponse:
    if not body.strip():
        return HTMLResponse('<p class="muted">The preview appears here as you write.</p>')
    return HTMLResponse(render_markdown(body))


@pages.get("/journal", response_class=HTMLResponse)
def journal_page(
    request: Request,
    q: str = "",
    tag: str = "",
    prompt: str = "",
    since: str = "",
    until: str = "",
    page_text: Annotated[str, Query(alias="page")] = "1",
    before: str = "",
) -> HTMLResponse:
    from attunement.core.browse import journal_page as view_of

    page_number = page_of(page_text)
    view = view_of(
        journal(request),
        words=q,
        since=since,
        until=until,
        tag=tag,
        prompt=prompt,
        page=page_number,
        before=before,
    )
    name = "partials/results.html" if request.headers.get("hx-request") else "journal.html"
    return page(
        request,
        name,
        title="Journal",
        q=q,
        tag=tag,
        prompt=prompt,
        since=since,
        until=until,
        page=page_number,
        before=before,
        more=view.found.more,
        hits=view.found.hits,
        ranking_note=view.found.ranking_note,
        placeholder=view.found.placeholder,
        placeholder_hint=view.found.placeholder_hint,
        entries=view.found.entries,
        total=view.found.total,
        error=view.error,
        tags=view.tags,
        prompts=view.prompts,
        removed_prompts=view.removed_prompts,
    )


def _saved(request: Request, entry_id: str, outcome: str) -> Response:
    """To the entry, saying once how the save went (``WrittenView.outcome``, or "edited"
    or "unchanged"): the address carries a one-time key, never the outcome."""
    kept = flash.put(request.app.state, outcome, f"/entries/{entry_id}")
    return RedirectResponse(f"/entries/{entry_id}?saved={kept}", status_code=303)


@pages.get("/entries/{entry_id}", response_class=HTMLResponse)
def entry_page(request: Request, entry_id: str, saved: str = "") -> HTMLResponse:
    from attunement.core.entry_view import entry_view

    view = entry_view(journal(request), entry_id, read=True)
    outcome = flash.take(request.app.state, saved, f"/entries/{entry_id}")
    return page(request, "entry.html", title=view.heading, view=view, saved=outcome)


def _edit(request: Request, view: Any) -> HTMLResponse:
    return page(
        request,
        "edit.html",
        status=view.status,
        entry=view.entry,
        form=view.form,
        conflict=view.conflict,
        error=view.error.message if view.error else None,
        review=view.review.findings if view.review else None,
        review_segments=view.review.segments(view.form["body"]) if view.review else None,
    )


@pages.get("/entries/{entry_id}/edit", response_class=HTMLResponse)
def edit_form(request: Request, entry_id: str) -> HTMLResponse:
    from attunement.core.writing import edit_page

    return _edit(request, edit_page(journal(request), entry_id))


@pages.post("/entries/{entry_id}/edit")
def edit_save(
    request: Request,
    entry_id: str,
    body: Annotated[str, Form()] = "",
    title: Annotated[str, Form()] = "",
    tags: Annotated[str, Form()] = "",
    revision: Annotated[str, Form()] = "",
    deid: Annotated[str, Form()] = "",
) -> Response:
    from attunement.core.writing import save_edited

    view = save_edited(
        journal(request), entry_id, body, title=title, tags=tags, revision=revision, choice=deid
    )
    if view.saved:
        return _saved(request, view.saved.id, "edited" if view.changed else "unchanged")
    return _edit(request, view)


@pages.get("/entries/{entry_id}/history", response_class=HTMLResponse)
def history_page(request: Request, entry_id: str, version: int | None = None) -> HTMLResponse:
    j = journal(request)
    entry, revisions = j.history(entry_id)
    shown = next((r for r in revisions if r.revision == version), None)
    return page(
        request,
        "history.html",
        entry=entry,
        revisions=revisions,
        shown=shown,
    )


@pages.post("/entries/{entry_id}/delete")
def delete_entry(request: Request, entry_id: str) -> Response:
    journal(request).delete(entry_id)
    return RedirectResponse(f"/entries/{entry_id}", status_code=303)


@pages.post("/entries/{entry_id}/restore")
def restore_entry(request: Request, entry_id: str) -> Response:
    journal(request).restore(entry_id)
    return RedirectResponse(f"/entries/{entry_id}", status_code=303)


@pages.get("/trash", response_class=HTMLResponse)
def trash_page(request: Request) -> HTMLResponse:
    return page(request, "trash.html", title="Trash", entries=journal(request).trash())


def _prompts(request: Request, status: int = 200, **shown: Any) -> HTMLResponse:
    """The Prompts page: every deck with what was answered, and ``shown`` (a notice or
    an error)."""
    j = journal(request)
    return page(
        request,
        "prompts.html",
        status=status,
        title="Prompts",
        decks=j.decks.decks,
        used=j.store.prompt_history(),
        example_deck=example_deck(),
        **shown,
    )


@pages.get("/prompts", response_class=HTMLResponse)
def prompts_page(request: Request, added: str = "", removed: str = "") -> HTMLResponse:
    """The page; after adding or removing a deck, says so once, with the deck's name as
    it was kept by the server (``added`` and ``removed`` are one-time keys)."""
    journal(request)  # locked: to the unlock page, the keys still unread
    return _prompts(
        request,
        added=flash.take(request.app.state, added, "/prompts#added"),
        removed=flash.take(request.app.state, removed, "/prompts#removed"),
    )


@pages.post("/prompts/decks")
async def add_deck(request: Request, file: FormFile = None) -> Response:

    form = await request.form()
    j = journal(request)
    try:
        upload = upload_in(form, "Choose a deck file (.toml, .yaml or .yml) to add.")
        with received(j.data_dir, upload, "deck.toml") as got:
            deck = await off_loop(lambda: j.add_deck(got.path, replace=form.get("replace") == "on"))
    except AttuneError as exc:
        return _prompts(request, exc.http_status, error=exc.message)
    kept = flash.put(request.app.state, deck.name, "/prompts#added")
    return RedirectResponse(f"/prompts?added={kept}#deck-{deck.id}", status_code=303)


@pages.post("/prompts/decks/{deck_id}/remove")
def remove_deck(request: Request, deck_id: str) -> Response:
    """Remove a deck the person added; entries that answered its prompts stay."""
    j = journal(request)
    name = next((d.name for d in j.decks.decks if d.id == deck_id), deck_id)
    try:
        j.remove_deck(deck_id)
    except AttuneError as exc:
        return _prompts(request, exc.http_status, error=exc.message)
    kept = flash.put(request.app.state, name, "/prompts#removed")
    return RedirectResponse(f"/prompts?removed={kept}", status_code=303)


# -- API --------------------------------------------------------------------------------


class EntryIn(Strict):
    body: str = Field(description="Markdown text of the entry.")
    title: str | None = None
    prompt_id: str | None = None
    tags: list[str] = []
    starred: bool = False


class EntryPatch(Strict):
    body: str | None = None
    title: str | None = None
    revision: int | None = Field(
        default=None,
        ge=1,
        description="The version this change was made from: if the entry was saved again "
        "since, 409 and nothing is overwritten.",
    )
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
    form_token: str | None = Field(
        default=None,
        description="The Write form's one-time key: once that form is saved as an entry, "
        "the same words are refused (409) rather than kept as a draft too.",
    )


class TextIn(Strict):
    text: str


class ResponseIn(Strict):
    response: str
    to: str


@api.get("/today", summary="Today's prompt, streak, last check-in and entry")
def api_today(j: JournalDep, deck: str = "art-of-attunement") -> dict[str, Any]:
    return j.today(deck_id=deck).to_dict()


@api.get("/entries", summary="Entries, newest first")
def list_entries(
    j: JournalDep, flt: FilterDep, limit: Limit = 20, offset: Offset = 0
) -> dict[str, Any]:
    from attunement.core.browse import entry_list

    return entry_list(j, flt, limit=limit, offset=offset).to_dict()


@api.post("/entries", status_code=201, summary="Write an entry")
def create_entry(j: JournalDep, data: EntryIn) -> dict[str, Any]:
    return j.write(
        data.body, title=data.title, prompt_id=data.prompt_id, tags=data.tags, starred=data.starred
    ).to_dict()


@api.get("/entries/{entry_id}", summary="One entry")
def get_entry(j: JournalDep, entry_id: str) -> dict[str, Any]:
    return j.get(entry_id).to_dict()


@api.patch("/entries/{entry_id}", summary="Edit an entry (the old version is kept)")
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
        base_revision=data.revision,
    )
    return {**entry.to_dict(), "changed": changed}


@api.delete("/entries/{entry_id}", summary="Move an entry to the trash")
def api_delete_entry(j: JournalDep, entry_id: str) -> dict[str, Any]:
    return j.delete(entry_id).to_dict()


@api.post("/entries/{entry_id}/restore", summary="Bring an entry back from the trash")
def api_restore_entry(j: JournalDep, entry_id: str) -> dict[str, Any]:
    return j.restore(entry_id).to_dict()


@api.get("/entries/{entry_id}/history", summary="Earlier versions of an entry")
def entry_history(j: JournalDep, entry_id: str) -> dict[str, Any]:
    entry, revisions = j.history(entry_id)
    return {"entry": entry.to_dict(), "revisions": [r.to_dict() for r in revisions]}


@api.get("/trash", summary="Entries in the trash")
def trash(j: JournalDep) -> dict[str, Any]:
    return {"entries": [e.to_dict() for e in j.trash()]}


@api.delete("/trash", summary="Delete everything in the trash for good")
def purge_trash(j: JournalDep) -> dict[str, Any]:
    return {"deleted": j.purge_trash()}


@api.get("/search", summary="Full-text search with filters")
def search(
    j: JournalDep,
    flt: FilterDep,
    q: Annotated[str, Query(min_length=1)],
    limit: Limit = 20,
    offset: Offset = 0,
) -> dict[str, Any]:
    hits = j.search(q, flt, limit=limit, offset=offset)
    return {
        "query": q,
        "results": [h.to_dict() for h in hits],
        "ranked_within": hits.ranked_within or None,
        "hint": hits.placeholder_hint or None,
    }


@api.get("/drafts", summary="Unfinished drafts")
def drafts(j: JournalDep) -> dict[str, Any]:
    return {"drafts": [d.to_dict() for d in j.drafts()]}


@api.post("/drafts", status_code=201, summary="Keep unfinished writing")
def create_draft(j: JournalDep, data: DraftIn) -> dict[str, Any]:
    return j.save_draft(
        data.body,
        title=data.title,
        tags=data.tags,
        prompt_id=data.prompt_id,
        entry_id=data.entry_id,
        form_token=data.form_token,
    ).to_dict()


@api.get("/drafts/{draft_id}", summary="One draft")
def get_draft(j: JournalDep, draft_id: str) -> dict[str, Any]:
    return j.draft(draft_id).to_dict()


@api.put("/drafts/{draft_id}", summary="Update a draft (autosave)")
def update_draft(j: JournalDep, draft_id: str, data: DraftIn) -> dict[str, Any]:
    return j.save_draft(
        data.body,
        draft_id=draft_id,
        title=data.title,
        tags=data.tags,
        prompt_id=data.prompt_id,
        entry_id=data.entry_id,
        form_token=data.form_token,
    ).to_dict()


@api.delete("/drafts/{draft_id}", summary="Throw a draft away")
def discard_draft(j: JournalDep, draft_id: str) -> dict[str, Any]:
    j.discard_draft(draft_id)
    return {"discarded": draft_id}


@api.post("/drafts/{draft_id}/publish", status_code=201, summary="Save a draft as an entry")
def publish_draft(j: JournalDep, draft_id: str) -> dict[str, Any]:
    return j.publish_draft(draft_id).to_dict()


@api.get("/prompts", summary="Decks and prompts, with how often each was answered")
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


@api.post("/decks", status_code=201, summary="Add a deck from a TOML or YAML file")
def api_add_deck(
    j: JournalDep, file: Annotated[UploadFile, File()], replace: Annotated[bool, Form()] = False
) -> dict[str, Any]:
    with received(j.data_dir, file, "deck.toml") as got:
        return j.add_deck(got.path, replace=replace).to_dict()


@api.delete("/decks/{deck_id}", summary="Remove a deck you added (its answers are kept)")
def api_remove_deck(j: JournalDep, deck_id: str) -> dict[str, Any]:
    j.remove_deck(deck_id)
    return {"removed": deck_id}


@api.post("/analysis/text", summary="Markers, feelings and a summary for a text")
def analyze_text(data: TextIn) -> dict[str, Any]:
    from attunement.analysis.report import analyze_text as run

    return run(data.text).to_dict()


@api.post("/analysis/response", summary="Feedback on a response to someone's words")
def analyze_response(data: ResponseIn) -> dict[str, Any]:
    from attunement.analysis.report import analyze_response as run

    return run(data.response, data.to).to_dict()
