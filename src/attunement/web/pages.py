"""The HTML pages. Each route reads the form or query, calls a service, and renders a
template; there is no logic here that the CLI or the API does not share."""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from markupsafe import Markup
from starlette.datastructures import UploadFile

from attunement.core.journal import Journal, label_of
from attunement.core.models import EntryFilter
from attunement.errors import AttuneError

HERE = Path(__file__).resolve().parent
templates = Jinja2Templates(directory=HERE / "templates")
router = APIRouter(include_in_schema=False)
PAGE_SIZE = 20


@lru_cache(maxsize=1)
def _markdown() -> Any:
    from markdown_it import MarkdownIt

    # CommonMark with raw HTML off: any <script> typed into an entry shows as text.
    return MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")


def render_markdown(text: str) -> Markup:
    return Markup(_markdown().render(text))  # noqa: S704 - html is disabled in the renderer


templates.env.filters["markdown"] = render_markdown
templates.env.filters["label"] = label_of
templates.env.filters["when"] = lambda moment: moment.strftime("%d %b %Y, %H:%M")


def page(request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
    return templates.TemplateResponse(request, name, context, status_code=status)


def error_page(request: Request, status: int, message: str) -> HTMLResponse:
    return page(request, "error.html", status=status, message=message, title="Something went wrong")


def _journal(request: Request) -> Journal:
    return request.app.state.holder.get()


def _segments(text: str, findings: list[Any]) -> list[tuple[str, str | None]]:
    """The text cut into plain and marked pieces, for highlighting without raw HTML."""
    marks: dict[int, str] = {}
    spans = sorted((s, e, f.id) for f in findings if f.counts for s, e in f.spans)
    pieces: list[tuple[str, str | None]] = []
    cursor = 0
    for start, end, marker_id in spans:
        if start < cursor:
            continue
        pieces.append((text[cursor:start], None))
        pieces.append((text[start:end], marker_id))
        cursor = end
        marks[start] = marker_id
    pieces.append((text[cursor:], None))
    return [p for p in pieces if p[0]]


@router.get("/", response_class=HTMLResponse)
def today(request: Request) -> HTMLResponse:
    j = _journal(request)
    from attunement.framework import concepts

    return page(
        request,
        "today.html",
        title="Today",
        view=j.today(),
        drafts=j.drafts()[:3],
        framework=concepts(),
    )


@router.get("/write", response_class=HTMLResponse)
def write_form(
    request: Request, prompt: str | None = None, draft: str | None = None
) -> HTMLResponse:
    j = _journal(request)
    current = j.draft(draft) if draft else None
    chosen = (
        j.decks.prompt(prompt or (current.prompt_id if current else None) or "")
        if (prompt or (current and current.prompt_id))
        else None
    )
    return page(
        request,
        "write.html",
        title="Write",
        decks=j.decks.decks,
        chosen=chosen,
        draft=current,
        drafts=[d for d in j.drafts() if not current or d.id != current.id],
    )


@router.post("/write")
def write_save(
    request: Request,
    body: Annotated[str, Form()] = "",
    title: Annotated[str, Form()] = "",
    prompt_id: Annotated[str, Form()] = "",
    tags: Annotated[str, Form()] = "",
    draft_id: Annotated[str, Form()] = "",
    deid: Annotated[str, Form()] = "",
) -> Response:
    from attunement.analysis.deid import find
    from attunement.analysis.deid import redact as replace

    j = _journal(request)
    tag_list = [t for t in tags.replace(",", " ").split() if t]
    people = j.store.people()
    in_title, in_body = find(title, people), find(body, people)
    if (in_title or in_body) and deid not in ("redact", "keep"):
        # Show the details first; the writer chooses placeholders or their own words.
        return page(
            request,
            "write.html",
            title="Write",
            decks=j.decks.decks,
            chosen=j.decks.find_prompt(prompt_id),
            draft=j.draft(draft_id) if draft_id else None,
            drafts=[],
            form={"body": body, "title": title, "tags": tags},
            review=in_title + in_body,
            review_segments=_detail_segments(body, in_body),
        )
    if deid == "redact":
        state: dict[str, Any] = {}
        body, title = replace(body, in_body, state), replace(title, in_title, state)
    try:
        if draft_id:
            # The autosaved draft becomes the entry, in one transaction.
            j.save_draft(
                body, draft_id=draft_id, title=title, tags=tag_list, prompt_id=prompt_id or None
            )
            entry = j.publish_draft(draft_id)
        else:
            entry = j.write(body, title=title, prompt_id=prompt_id or None, tags=tag_list)
    except AttuneError as exc:
        current = j.draft(draft_id) if draft_id else None
        chosen = j.decks.find_prompt(prompt_id)
        return page(
            request,
            "write.html",
            status=exc.http_status,
            title="Write",
            decks=j.decks.decks,
            chosen=chosen,
            draft=current,
            drafts=[],
            error=exc.message,
            form={"body": body, "title": title, "tags": tags},
        )
    return RedirectResponse(f"/entries/{entry.id}?saved=1", status_code=303)


def _detail_segments(text: str, findings: list[Any]) -> list[tuple[str, str | None]]:
    pieces: list[tuple[str, str | None]] = []
    cursor = 0
    for f in sorted(findings, key=lambda f: f.start):
        pieces += [(text[cursor : f.start], None), (text[f.start : f.end], f.type)]
        cursor = f.end
    pieces.append((text[cursor:], None))
    return [p for p in pieces if p[0]]


@router.post("/partials/preview", response_class=HTMLResponse)
def preview(body: Annotated[str, Form()] = "") -> HTMLResponse:
    if not body.strip():
        return HTMLResponse('<p class="muted">The preview appears here as you write.</p>')
    return HTMLResponse(render_markdown(body))


@router.get("/journal", response_class=HTMLResponse)
def journal_page(
    request: Request,
    q: str = "",
    tag: str = "",
    prompt: str = "",
    since: str = "",
    until: str = "",
    page_number: Annotated[int, Query(alias="page", ge=1, le=100_000)] = 1,
    before: str = "",
) -> HTMLResponse:
    from attunement.core.dates import parse_when

    j = _journal(request)
    error = None
    hits: list[Any] = []
    entries: list[Any] = []
    total = 0
    try:
        flt = EntryFilter(
            since=parse_when(since) if since else None,
            until=parse_when(until, end_of_day=True) if until else None,
            tags=(tag,) if tag else (),
            prompt_id=prompt or None,
        )
        offset = (page_number - 1) * PAGE_SIZE
        if q.strip():
            hits = j.search(q, flt, limit=PAGE_SIZE + 1, offset=offset)
            more = len(hits) > PAGE_SIZE
            hits = hits[:PAGE_SIZE]
        else:
            entries = j.list_entries(flt, limit=PAGE_SIZE + 1, before=before or None)
            more = len(entries) > PAGE_SIZE
            entries = entries[:PAGE_SIZE]
            total = j.store.count_entries(j.check_filter(flt))
    except AttuneError as exc:
        error, more = exc.message, False
    context: dict[str, Any] = dict(
        title="Journal",
        q=q,
        tag=tag,
        prompt=prompt,
        since=since,
        until=until,
        page=page_number,
        before=before,
        more=more,
        hits=hits,
        entries=entries,
        total=total,
        error=error,
        tags=j.store.tag_counts()[:30],
        prompts=j.decks.prompts,
    )
    name = "partials/results.html" if request.headers.get("hx-request") else "journal.html"
    return page(request, name, **context)


@router.get("/entries/{entry_id}", response_class=HTMLResponse)
def entry_page(request: Request, entry_id: str, saved: bool = False) -> HTMLResponse:
    from attunement.analysis.markers import marker_info
    from attunement.core.readings import reading

    j = _journal(request)
    entry = j.get(entry_id)
    analysis = reading(j, entry)
    explanations = {f.id: marker_info(f.id) for f in analysis.markers}
    prompt = j.decks.find_prompt(entry.prompt_id)
    return page(
        request,
        "entry.html",
        title=entry.title or label_of(entry),
        entry=entry,
        prompt=prompt,
        saved=saved,
        analysis=analysis,
        explanations=explanations,
        segments=_segments(entry.body, analysis.markers),
        revisions=j.store.revisions(entry.id) if entry.revision > 1 else [],
        transcripts=[t for t in j.store.list_transcripts() if t["entry_id"] == entry.id],
    )


@router.get("/entries/{entry_id}/edit", response_class=HTMLResponse)
def edit_form(request: Request, entry_id: str) -> HTMLResponse:
    j = _journal(request)
    entry = j.get(entry_id)
    return page(
        request, "edit.html", title=f"Edit {entry.id}", entry=entry, prompts=j.decks.prompts
    )


@router.post("/entries/{entry_id}/edit")
def edit_save(
    request: Request,
    entry_id: str,
    body: Annotated[str, Form()] = "",
    title: Annotated[str, Form()] = "",
) -> Response:
    j = _journal(request)
    try:
        j.edit(entry_id, body=body, title=title)
    except AttuneError as exc:
        if exc.http_status == 404:
            raise
        entry = j.get(entry_id)
        return page(
            request,
            "edit.html",
            status=exc.http_status,
            title=f"Edit {entry.id}",
            entry=entry,
            prompts=j.decks.prompts,
            error=exc.message,
            form={"body": body, "title": title},
        )
    return RedirectResponse(f"/entries/{entry_id}", status_code=303)


@router.get("/entries/{entry_id}/history", response_class=HTMLResponse)
def history_page(request: Request, entry_id: str, version: int | None = None) -> HTMLResponse:
    j = _journal(request)
    entry, revisions = j.history(entry_id)
    shown = next((r for r in revisions if r.revision == version), None)
    return page(
        request,
        "history.html",
        title=f"History of {entry.id}",
        entry=entry,
        revisions=revisions,
        shown=shown,
    )


@router.post("/entries/{entry_id}/delete")
def delete_entry(request: Request, entry_id: str) -> Response:
    _journal(request).delete(entry_id)
    return RedirectResponse(f"/entries/{entry_id}", status_code=303)


@router.post("/entries/{entry_id}/restore")
def restore_entry(request: Request, entry_id: str) -> Response:
    _journal(request).restore(entry_id)
    return RedirectResponse(f"/entries/{entry_id}", status_code=303)


@router.get("/trash", response_class=HTMLResponse)
def trash_page(request: Request) -> HTMLResponse:
    return page(request, "trash.html", title="Trash", entries=_journal(request).trash())


@router.get("/checkin", response_class=HTMLResponse)
def checkin_form(request: Request, done: str | None = None) -> HTMLResponse:
    from attunement.framework import concepts

    j = _journal(request)
    return page(
        request,
        "checkin.html",
        title="Check in",
        framework=concepts(),
        recent=j.checkins(limit=5),
        done=done,
        form={},
    )


@router.post("/checkin")
async def checkin_save(request: Request) -> Response:
    from attunement.framework import concepts

    form = await request.form()
    j = _journal(request)
    values: dict[str, Any] = {}
    try:
        for scale in concepts().scales:
            raw = str(form.get(scale.id, "")).strip()
            if raw:
                if not raw.isdigit():
                    from attunement.errors import InvalidInput

                    raise InvalidInput(
                        f"{scale.name} must be a whole number from 0 to 10.", field=scale.id
                    )
                values[scale.id] = int(raw)
        saved = j.checkin(
            body=[str(v) for v in form.getlist("body")],
            note=str(form.get("note", "")),
            moment=str(form.get("moment", "other")),
            **values,
        )
    except AttuneError as exc:
        return page(
            request,
            "checkin.html",
            status=exc.http_status,
            title="Check in",
            framework=concepts(),
            recent=j.checkins(limit=5),
            error=exc.message,
            form={k: str(v) for k, v in form.items()},
            chosen_body=[str(v) for v in form.getlist("body")],
        )
    return RedirectResponse(f"/checkin?done={saved.id}", status_code=303)


@router.get("/prompts", response_class=HTMLResponse)
def prompts_page(request: Request) -> HTMLResponse:
    j = _journal(request)
    return page(
        request, "prompts.html", title="Prompts", decks=j.decks.decks, used=j.store.prompt_history()
    )


@router.get("/insights", response_class=HTMLResponse)
def insights_page(request: Request) -> HTMLResponse:
    from attunement.analysis.markers import lexicon
    from attunement.core.insights import compute
    from attunement.framework import concepts
    from attunement.web import charts

    j = _journal(request)
    data = compute(j)
    names = {m.id: m.name for m in lexicon().markers}
    return page(
        request,
        "insights.html",
        title="Insights",
        data=data,
        charts=charts,
        framework=concepts(),
        marker_names=names,
        reading=request.app.state.rereader.state(),
    )


def _upload_in(form: Any, missing: str) -> UploadFile:
    """The file a form sent, or one sentence saying to choose one."""
    upload = form.get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        from attunement.errors import InvalidInput

        raise InvalidInput(missing, field="file")
    return upload


# -- supervision ------------------------------------------------------------------------


def _supervision(request: Request, status: int = 200, **extra: Any) -> HTMLResponse:
    j = _journal(request)
    form = extra.pop(
        "form",
        {"entry_ids": [], "since": "", "until": "", "tag": "", "questions": "", "redact": True},
    )
    return page(
        request,
        "supervision.html",
        status=status,
        title="Supervision packet",
        entries=j.list_entries(limit=40),
        form=form,
        **extra,
    )


@router.get("/supervision", response_class=HTMLResponse)
def supervision_form(request: Request) -> HTMLResponse:
    return _supervision(request)


@router.post("/supervision")
async def supervision_packet(request: Request) -> Response:
    from attunement.supervision import packet as supervision

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
        chosen = supervision.selection(
            entry_ids=entry_ids,
            since=since or None,
            until=until or None,
            tags=[tag] if tag else [],
            questions=questions.splitlines(),
            redact=redact,
        )
        if action in supervision.FORMATS:
            from attunement.web.api import attachment

            _, document = supervision.export(_journal(request), chosen, action)
            return attachment(document, supervision.FORMATS[action], f"supervision-packet.{action}")
        made = supervision.build(_journal(request), chosen)
    except AttuneError as exc:
        return _supervision(request, status=exc.http_status, form=form, error=exc.message)
    packet_html = Markup(supervision.html_body(made))  # noqa: S704 - every text escaped inside
    return _supervision(request, form=form, packet_html=packet_html)


@router.post("/prompts/decks")
async def add_deck(request: Request) -> Response:
    from attunement.web.api import uploaded

    form = await request.form()
    j = _journal(request)
    try:
        upload = _upload_in(form, "Choose a deck file (.toml, .yaml or .yml) to add.")
        with uploaded(j, upload, "deck.toml") as path:
            deck = j.add_deck(path, replace=form.get("replace") == "on")
    except AttuneError as exc:
        return page(
            request,
            "prompts.html",
            status=exc.http_status,
            title="Prompts",
            decks=j.decks.decks,
            used=j.store.prompt_history(),
            error=exc.message,
        )
    return RedirectResponse(f"/prompts?added={deck.id}#deck-{deck.id}", status_code=303)


@router.post("/settings/import")
async def import_page(request: Request) -> Response:
    from attunement.interop import IMPORT_FORMATS, import_file
    from attunement.web.api import uploaded

    form = await request.form()
    j = _journal(request)
    fmt = str(form.get("from", ""))
    try:
        from attunement.errors import InvalidInput

        upload = _upload_in(form, "Choose a file to import.")
        if fmt not in IMPORT_FORMATS:
            raise InvalidInput("Choose what kind of file it is.", field="from")
        with uploaded(j, upload, "import") as path:
            report = import_file(j, path, fmt, dry_run=form.get("dry_run") == "on")
            report.source = path.name
    except AttuneError as exc:
        return _settings(request, status=exc.http_status, error=exc.message)
    return _settings(request, report=report)


def _settings(request: Request, status: int = 200, **extra: Any) -> HTMLResponse:
    j = _journal(request)
    return page(
        request,
        "settings.html",
        status=status,
        title="Settings",
        data_dir=j.data_dir,
        counts={
            "entries": j.store.count_entries(),
            "checkins": len(j.checkins()),
            "drafts": len(j.drafts()),
        },
        **extra,
    )


@router.get("/settings", response_class=HTMLResponse)
def settings_page(request: Request) -> HTMLResponse:
    return _settings(request)


# -- practice -------------------------------------------------------------------------


@router.get("/practice", response_class=HTMLResponse)
def practice_home(request: Request, theme: str = "") -> HTMLResponse:
    from attunement.practice import service
    from attunement.practice.vignettes import themes
    from attunement.web import charts

    j = _journal(request)
    error = None
    try:
        upcoming = service.choose(j, n=3, theme=theme or None)
    except AttuneError as exc:
        upcoming, error = [], exc.message
    progress = service.progress(j)
    series = {
        d: [(f"{w}T12:00:00", round(v * 10)) for w, v in zip(progress.weeks, values, strict=True)]
        for d, values in progress.per_week.items()
    }
    start = date.fromisoformat(progress.weeks[0]) if progress.weeks else date.today()
    end = (
        (date.fromisoformat(progress.weeks[-1]) + timedelta(days=6))
        if progress.weeks
        else date.today()
    )
    return page(
        request,
        "practice.html",
        title="Practice",
        progress=progress,
        upcoming=upcoming,
        themes=themes(),
        theme=theme,
        error=error,
        charts=charts,
        series=series,
        series_start=start,
        series_end=end,
    )


@router.post("/practice/start")
async def practice_start(request: Request) -> Response:
    from urllib.parse import urlencode

    from attunement.practice import service

    form = await request.form()
    j = _journal(request)
    theme = str(form.get("theme", "")) or None
    ease = str(form.get("ease", "")).strip()
    query: dict[str, str] = {}
    try:
        if ease:
            if not ease.isdigit():
                from attunement.errors import InvalidInput

                raise InvalidInput("Ease must be a whole number from 0 to 10.", field="ease")
            query["checkin"] = j.checkin(ease=int(ease), moment="before", note="before practice").id
        first = service.choose(j, n=1, theme=theme)[0]
    except AttuneError as exc:
        return error_page(request, exc.http_status, exc.message)
    if theme:
        query["theme"] = theme
    suffix = f"?{urlencode(query)}" if query else ""
    return RedirectResponse(f"/practice/{first.id}{suffix}", status_code=303)


@router.get("/practice/{vignette_id}", response_class=HTMLResponse)
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


@router.post("/practice/{vignette_id}", response_class=HTMLResponse)
def practice_answer(
    request: Request,
    vignette_id: str,
    response: Annotated[str, Form()] = "",
    checkin: Annotated[str, Form()] = "",
    theme: Annotated[str, Form()] = "",
) -> HTMLResponse:
    from attunement.practice import service
    from attunement.practice.feedback import READINGS_NOTE
    from attunement.practice.vignettes import vignette

    j = _journal(request)
    v = vignette(vignette_id)
    try:
        fb, _ = service.respond(j, v.id, response, checkin_id=checkin or None)
    except AttuneError as exc:
        return page(
            request,
            "practice_statement.html",
            status=exc.http_status,
            title="Practice",
            vignette=v,
            checkin=checkin,
            theme=theme,
            error=exc.message,
            response=response,
        )
    upcoming = service.choose(j, n=1, theme=theme or None)
    return page(
        request,
        "practice_feedback.html",
        title="Feedback",
        vignette=v,
        fb=fb,
        data=fb.to_dict(),
        readings_note=READINGS_NOTE,
        next_id=upcoming[0].id if upcoming else None,
        checkin=checkin,
        theme=theme,
    )


# -- transcripts ----------------------------------------------------------------------


@router.get("/transcripts", response_class=HTMLResponse)
def transcripts_page(request: Request) -> HTMLResponse:
    j = _journal(request)
    return page(
        request,
        "transcripts.html",
        title="Transcripts",
        items=j.store.list_transcripts(),
        entries=j.list_entries(limit=30),
    )


@router.post("/transcripts")
async def transcript_upload(request: Request) -> Response:
    from attunement.transcripts import service
    from attunement.web.api import uploaded

    form = await request.form()
    j = _journal(request)
    try:
        upload = _upload_in(form, "Choose a transcript file to import.")
        fmt = str(form.get("format", "")) or None
        with uploaded(j, upload, "transcript.txt") as path:
            turns, fmt = service.read(path, fmt)
            name = path.stem
        chosen = service.choose_caregiver(turns, str(form.get("caregiver", "")) or None)
        new_id = service.store(
            j,
            turns,
            title=str(form.get("title", "")) or name,
            fmt=fmt,
            caregiver=chosen,
            entry_id=str(form.get("entry_id", "")) or None,
        )
    except AttuneError as exc:
        return page(
            request,
            "transcripts.html",
            status=exc.http_status,
            title="Transcripts",
            items=j.store.list_transcripts(),
            entries=j.list_entries(limit=30),
            error=exc.message,
        )
    return RedirectResponse(f"/transcripts/{new_id}", status_code=303)


@router.get("/transcripts/{transcript_id}", response_class=HTMLResponse)
def transcript_page(request: Request, transcript_id: str) -> HTMLResponse:
    from attunement.transcripts import report, service

    j = _journal(request)
    title, turns, caregiver = service.load(j, transcript_id)
    session = service.analyse(title, turns, caregiver)
    stored = j.store.get_transcript(transcript_id)
    return page(
        request,
        "transcript.html",
        title=title,
        session=session,
        figures=report.figures(session),
        letters=report.LETTERS,
        timeline=Markup(report.timeline_svg(session)),  # noqa: S704 - escaped inside
        transcript_id=transcript_id,
        entry_id=stored["entry_id"],
        speakers=list(dict.fromkeys(t.speaker for t in turns)),
    )


# -- locking --------------------------------------------------------------------------


@router.get("/unlock", response_class=HTMLResponse)
def unlock_form(request: Request) -> Response:
    if not request.app.state.holder.locked:
        return RedirectResponse("/", status_code=303)
    return page(request, "unlock.html", title="Unlock")


@router.post("/unlock")
def unlock(request: Request, passphrase: Annotated[str, Form()] = "") -> Response:
    try:
        request.app.state.holder.unlock(passphrase)
        request.app.state.rereader.start()
    except AttuneError as exc:
        return page(
            request, "unlock.html", status=exc.http_status, title="Unlock", error=exc.message
        )
    return RedirectResponse("/", status_code=303)


@router.post("/lock")
def lock(request: Request) -> Response:
    request.app.state.holder.lock()
    return RedirectResponse("/unlock", status_code=303)
