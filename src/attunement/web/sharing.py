"""The team server from the web app: the Server page (signed in or not, as whom, your
shares with their readers, status and expiry, revoking) and the Share page (the exact
text that would be sent, redacted by default, then whom to and until when). Every
decision is in ``attunement.server.team``, which `attune share` calls too; these
routes parse, call it, and render. Changes are POSTs answered with a redirect."""

from __future__ import annotations

import platform
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from attunement.errors import AttuneError
from attunement.server import team
from attunement.web import flash
from attunement.web.common import journal, journal_or_none, off_loop
from attunement.web.rendering import page

pages = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api/v1")

PACKET_FIELDS = ("since", "until", "tag", "questions")


def _data_dir(request: Request) -> Any:
    return request.app.state.settings.data_dir


def _done(request: Request, message: str) -> Response:
    return RedirectResponse(f"/server?done={flash.put(request.app.state, message)}", 303)


# -- the Server page --------------------------------------------------------------------


def _server(request: Request, status: int = 200, **extra: Any) -> HTMLResponse:
    return page(
        request,
        "server.html",
        status=status,
        title="Team server",
        seen=team.overview(_data_dir(request), journal_or_none(request)),
        form=extra.pop("form", {"url": "", "email": ""}),
        **extra,
    )


@pages.get("/server", response_class=HTMLResponse)
def server_page(request: Request, done: str = "") -> HTMLResponse:
    return _server(request, done=flash.get(request.app.state, done))


@pages.post("/server/login")
async def sign_in(request: Request) -> Response:
    form = await request.form()
    url, email = str(form.get("url", "")).strip(), str(form.get("email", "")).strip()
    try:
        made = await off_loop(
            lambda: team.sign_in(
                _data_dir(request),
                url,
                email,
                str(form.get("password", "")),
                label=f"attune serve on {platform.node() or 'a computer'}"[:120],
                code=str(form.get("code", "")).strip()[:64] or None,  # a second factor's code
                then=request.app.state.syncer.now,  # comments come home without waiting
            )
        )
    except AttuneError as exc:
        return _server(
            request, status=exc.http_status, error=exc.message, form={"url": url, "email": email}
        )
    return _done(request, f"Signed in to {made.url} as {made.email}.")


@pages.post("/server/logout")
def sign_out(request: Request) -> Response:
    team.sign_out(_data_dir(request))
    return _done(request, "Signed out; the token is deleted from this computer.")


@pages.post("/server/shares/{share_id}/revoke")
def revoke(request: Request, share_id: str) -> Response:
    try:
        done = team.revoke(_data_dir(request), share_id, journal(request))
    except AttuneError as exc:
        return _server(request, status=exc.http_status, error=exc.message)
    return _done(request, done.message)


@pages.post("/server/sync")
def sync_now(request: Request) -> Response:
    from attunement.server import syncing

    try:
        report = syncing.sync(journal(request), _data_dir(request), remember_problem=True)
    except AttuneError as exc:
        return _server(request, status=exc.http_status, error=exc.message)
    return _done(request, report.summary())


# -- the Share page ---------------------------------------------------------------------


def _what(params: Any) -> tuple[team.What, bool, list[tuple[str, str]]]:
    """What the form or link names, whether to redact, and the fields that carry it from
    one form to the next."""
    kind = str(params.get("kind", ""))
    item = str(params.get("id", ""))
    redact = str(params.get("redact", "1")) != "0"
    carry = [("kind", kind)] + ([("id", item)] if item else [])
    chosen = None
    if kind == "packet":
        from attunement.supervision import packet as supervision

        entry_ids = [str(v) for v in params.getlist("entry_ids")]
        values = {k: str(params.get(k, "")) for k in PACKET_FIELDS}
        since, until, tag, questions = values.values()
        chosen = supervision.Selection.from_words(
            entry_ids=entry_ids,
            since=since.strip() or None,
            until=until.strip() or None,
            tags=[tag] if tag.strip() else [],
            questions=[q for q in questions.splitlines() if q.strip()],
        )
        carry += [("entry_ids", i) for i in entry_ids]
        carry += [(k, v) for k, v in values.items() if v]
    return team.What.of(kind, item, chosen), redact, carry


def _share(request: Request, params: Any, status: int = 200, **extra: Any) -> HTMLResponse:
    what, redact, carry = _what(params)
    made = team.draft(journal(request), _data_dir(request), what, redact=redact)
    return page(
        request,
        "share.html",
        status=status,
        title="Share with your supervisor",
        draft=made,
        redact=redact,
        carry=carry,
        back=_back(what),
        # No reader is chosen unless the link names one ("Share the new version" names
        # the reader who has the earlier one): nothing goes to the first name listed.
        chosen=extra.pop("chosen", {"to": str(params.get("to", "")), "expires": ""}),
        **extra,
    )


def _back(what: team.What) -> tuple[str, str]:
    return {
        "entry": (f"/entries/{what.id}", "Back to the entry"),
        "transcript": (f"/transcripts/{what.id}", "Back to the transcript"),
        "practice": ("/practice", "Back to practice"),
        "packet": ("/supervision", "Back to the supervision packet"),
    }[what.kind]


@pages.get("/share", response_class=HTMLResponse)
def share_form(request: Request) -> HTMLResponse:
    return _share(request, request.query_params)


@pages.post("/share")
async def share(request: Request) -> Response:
    form = await request.form()
    to, expires = str(form.get("to", "")), str(form.get("expires", ""))
    try:
        what, redact, _carry = _what(form)
        sent = await off_loop(
            lambda: team.confirm(
                journal(request),
                _data_dir(request),
                what,
                redact=redact,
                to=to,
                expires=expires,
                seen=str(form.get("seen", "")),
            )
        )
    except AttuneError as exc:
        return _share(
            request,
            form,
            status=exc.http_status,
            error=exc.message,
            chosen={"to": to, "expires": expires},
        )
    name = sent["reader"]["name"]
    if sent.get("queued"):
        message = (
            f"The team server cannot be reached, so “{sent['title']}” is kept on this "
            f"computer, exactly as you read it, and sent to {name} as soon as it can be "
            f"({sent['waiting']} waiting)."
        )
    elif sent["created"]:
        message = f"Shared “{sent['title']}” with {name} (version {sent['revision']})."
    else:
        message = (
            f"{name} already has this exact version of “{sent['title']}”; nothing new was sent."
        )
    return _done(request, message)


# -- API --------------------------------------------------------------------------------


@api.get("/server", summary="The team server: signed in or not, as whom, and your shares")
def server_status(request: Request) -> dict[str, Any]:
    seen = team.overview(_data_dir(request), journal_or_none(request))
    login = seen.login
    return {
        "signed_in": login is not None,
        "url": login.url if login else None,
        "email": login.email if login else None,
        "name": seen.name or None,
        "shares": seen.shares,
        "problem": seen.problem or None,
        "synced_at": _iso(seen.sync.synced_at) if seen.sync else None,
        "sync_problem": seen.sync.problem if seen.sync else None,
        "deadlines": seen.deadlines,  # as the last sync said; null: the server has not said
    }


def _iso(moment: Any) -> str | None:
    return moment.isoformat() if moment else None


@api.post("/server/sync", summary="Bring home comments and sign-offs from the team server now")
def sync_api(request: Request) -> dict[str, Any]:
    from attunement.server import syncing

    report = syncing.sync(journal(request), _data_dir(request), remember_problem=True)
    return report.to_dict()
