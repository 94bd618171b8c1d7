"""The server's pages: plain HTML forms, no script. Each route parses, calls one service
and renders; every form carries the session's CSRF token (the sign-in form a
double-submit one). Shared Markdown is rendered with raw HTML switched off, and every
other text is escaped by Jinja."""

from __future__ import annotations

import json
import secrets
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, BackgroundTasks, Form, Query, Request
from fastapi.responses import FileResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from markupsafe import Markup, escape

from attunement.errors import InvalidInput
from attunement.server import (
    accounts,
    audit,
    notices,
    overview,
    ownership,
    reviews,
    sharing,
)
from attunement.server.app import HERE, access, current
from attunement.server.db import reading
from attunement.server.deps import DB, Admin, Config, ContentReader, Member
from attunement.server.http import (
    COOKIE,
    PRESIGN_COOKIE,
    client_address,
    is_secure,
    safe_next,
    same_token,
    set_session_cookie,
    token_of,
)

router = APIRouter()


@lru_cache(maxsize=1)
def _markdown() -> Any:
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")


def markdown(text: str) -> Markup:
    return Markup(_markdown().render(text))  # raw HTML is off: the text is escaped


def when(value: str | None) -> str:
    if not value:
        return ""
    return datetime.fromisoformat(value).astimezone(UTC).strftime("%d %b %Y, %H:%M UTC")


MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def day(value: str | None) -> str:
    """An ISO date or time as its day: "2 Dec 2026"."""
    if not value:
        return ""
    return f"{int(value[8:10])} {MONTHS[int(value[5:7]) - 1]} {value[:4]}"


templates = Jinja2Templates(directory=str(HERE / "templates"))
# The templates ship with the package and never change while it runs: no file is looked at
# again on every page to see whether it did.
templates.env.auto_reload = False
templates.env.filters["markdown"] = markdown
templates.env.filters["when"] = when
templates.env.filters["day"] = day


def render(
    request: Request,
    name: str,
    context: dict[str, Any],
    *,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> Response:
    actor = getattr(request.state, "actor", None)
    org = getattr(request.state, "organisation", None)
    if org is None:
        with reading(request.app.state.engine) as conn:
            org = accounts.organisation(conn)
    return templates.TemplateResponse(
        request,
        name,
        {"actor": actor, "csrf": actor.csrf if actor else "", "org": org, **context},
        status_code=status_code,
        headers=headers,
    )


def back(path: str, note: str | None = None) -> RedirectResponse:
    return RedirectResponse(path + (f"?note={note}" if note else ""), status_code=303)


NOTES = {
    "shared": "Sent.",
    "commented": "Your comment was added.",
    "changes": "You asked for changes; the trainee sees your comment.",
    "signed": "Signed off. The trainee sees your sign-off.",
    "revoked": "Revoked: it is deleted from the server.",
    "session": "That session has ended.",
    "course": "Course created.",
    "member": "Done.",
    "deadline": "Deadline set. Trainees see it on their home page as it comes near.",
    "deadline-gone": "Deadline removed.",
    "welcomed": "Your password is set: sign in with your e-mail address and that password.",
}


def note_of(request: Request) -> str | None:
    return NOTES.get(request.query_params.get("note", ""))


@router.get("/static/server.css", **access("public"))
def stylesheet() -> FileResponse:
    return FileResponse(HERE / "static" / "server.css", media_type="text/css")


# ---- signing in -------------------------------------------------------------------------


@router.get("/signin", **access("public"))
def signin_page(
    request: Request,
    error: str | None = None,
    status_code: int = 200,
    next: str = Query("/", max_length=2000),
) -> Response:
    current(request)  # the page says who is signed in; signing in again starts afresh
    from attunement.server import oidc

    with reading(request.app.state.engine) as conn:
        provider = oidc.shown(conn)
    context = {"error": error, "provider": provider, "next": safe_next(next)}
    context["note"] = None if error else note_of(request)
    return presigned(request, "signin.html", context, status_code=status_code)


def presigned(
    request: Request, template: str, context: dict[str, Any], status_code: int = 200
) -> Response:
    """A sign-in form (password or code) with its pre-sign-in CSRF token, in the page and
    in a strict cookie, checked on the way back."""
    presign = secrets.token_urlsafe(24)
    response = render(request, template, {**context, "presign": presign}, status_code=status_code)
    response.set_cookie(
        PRESIGN_COOKIE,
        presign,
        httponly=True,
        samesite="strict",
        secure=is_secure(request, request.app.state.config.secure_only),
    )
    return response


@router.post("/signin", **access("public"))
def signin(
    request: Request,
    db: DB,
    config: Config,
    email: str = Form("", max_length=254),
    password: str = Form("", max_length=1024),
    csrf: str = Form("", max_length=100),
    next: str = Form("/", max_length=2000),
) -> Response:
    same_token(csrf, request.cookies.get(PRESIGN_COOKIE, ""))
    previous, _ = token_of(request)
    wanted = safe_next(next)
    try:
        started = accounts.sign_in(
            db,
            config,
            email,
            password,
            address=client_address(request),
            label=request.headers.get("user-agent", "browser")[:120],
            previous=previous,
        )
    except InvalidInput as exc:
        request.state.actor = None
        return signin_page(request, error=exc.message, status_code=422, next=wanted)
    if isinstance(started, accounts.Halfway):  # a code is still to be given
        from attunement.server.signin_pages import set_step_cookie

        then = "" if wanted == "/" else "?" + urlencode({"next": wanted})
        response = RedirectResponse("/signin/code" + then, status_code=303)
        set_step_cookie(request, response, started.step, oidc_=False)
        response.delete_cookie(COOKIE)
        return response
    response = RedirectResponse(wanted, status_code=303)
    set_session_cookie(response, started.token, is_secure(request, config.secure_only))
    response.delete_cookie(PRESIGN_COOKIE)
    return response


@router.post("/signout", **access("member"))
def signout(request: Request, db: DB, actor: Member) -> Response:
    accounts.sign_out(db, token_of(request)[0], actor)
    response = back("/signin")
    response.delete_cookie(COOKIE)
    return response


@router.get("/welcome/{token}", **access("public"))
def welcome_page(token: str, request: Request, db: DB) -> Response:
    current(request)
    with reading(db) as conn:
        invite = accounts.invitation(conn, token)
    return _welcome(request, {"invite": invite, "token": token})


def _welcome(request: Request, context: dict[str, Any], status_code: int = 200) -> Response:
    from attunement.server import oidc

    with reading(request.app.state.engine) as conn:
        provider = oidc.shown(conn)
    return presigned(
        request,
        "welcome.html",
        {"roles": accounts.ROLE_NAMES, "provider": provider, **context},
        status_code=status_code,
    )


@router.post("/welcome/{token}", **access("public"))
def welcome(
    token: str,
    request: Request,
    db: DB,
    config: Config,
    name: str = Form("", max_length=120),
    email: str = Form("", max_length=254),
    password: str = Form("", max_length=1024),
    password_again: str | None = Form(None, max_length=1024),
    csrf: str = Form("", max_length=100),
) -> Response:
    actor = current(request)
    same_token(csrf, actor.csrf if actor is not None else request.cookies.get(PRESIGN_COOKIE, ""))
    with reading(db) as conn:
        invite = accounts.invitation(conn, token)
    try:
        user_id = accounts.accept(
            db,
            config,
            token,
            actor=actor,
            name=name,
            email=email,
            password=password,
            password_again=password_again,
        )
    except InvalidInput as exc:
        context = {"invite": invite, "token": token, "error": exc.message}
        return _welcome(request, {**context, "name": name, "email": email}, status_code=422)
    if actor is not None and actor.id == user_id:
        return back("/")
    return back("/signin", "welcomed")


# ---- home, shares ------------------------------------------------------------------------


@router.get("/", **access("member"))
def home(
    request: Request,
    db: DB,
    actor: Member,
    inbox: int = Query(1, ge=1, le=100_000),
    mine: int = Query(1, ge=1, le=100_000),
) -> Response:
    drawn = overview.sections(db, actor, sharing.Page(inbox), sharing.Page(mine), _home_sections)
    sections = Markup(drawn.replace(overview.CSRF, str(escape(actor.csrf))))
    return render(request, "home.html", {"sections": sections, "note": note_of(request)})


def _home_sections(view: dict[str, Any]) -> str:
    """The home page's sections, kept between looks: nothing of the request in them."""
    return templates.get_template("home_sections.html").render(csrf=overview.CSRF, **view)


def _thread(comments: list[dict[str, Any]]) -> list[tuple[dict[str, Any], int]]:
    """Comments in thread order with their depth (replies under what they answer)."""
    children: dict[str | None, list[dict[str, Any]]] = {}
    ids = {c["id"] for c in comments}
    for c in comments:
        parent = c["parent"] if c["parent"] in ids else None
        children.setdefault(parent, []).append(c)
    out: list[tuple[dict[str, Any], int]] = []

    def walk(parent: str | None, depth: int) -> None:
        for c in children.get(parent, []):
            out.append((c, min(depth, 4)))
            walk(c["id"], depth + 1)

    walk(None, 0)
    return out


@router.get("/shares/{share_id}", **access("content"))
def share_page(
    share_id: str,
    request: Request,
    db: DB,
    actor: ContentReader,
    revision: int | None = None,
    status_code: int = 200,
    kept: dict[str, str] | None = None,
) -> Response:
    shown = sharing.view(db, actor, share_id, revision)
    return render(
        request,
        "share.html",
        {
            "share": shown,
            "thread": _thread(shown["comments"]),
            "note": note_of(request),
            "kept": kept or {},
            "max_comment": reviews.MAX_COMMENT,
        },
        status_code=status_code,
    )


@router.post("/shares/{share_id}/comments", **access("content"))
def comment(
    share_id: str,
    request: Request,
    db: DB,
    config: Config,
    actor: ContentReader,
    background: BackgroundTasks,
    # Longer than a comment may be: the service says how long it is and the page keeps it.
    body: str = Form("", max_length=1_000_000),
    quote: str = Form("", max_length=100_000),
    parent: str = Form("", max_length=64),
    kind: str = Form("comment", max_length=16),
) -> Response:
    try:
        reviews.comment(
            db, actor, share_id, body, kind=kind, quote=quote or None, parent_id=parent or None
        )
    except InvalidInput as exc:
        # The page again, with what was typed kept and the sentence beside its field.
        kept = {"body": body, "quote": quote, "parent": parent, "error": exc.message}
        kept["field"] = exc.field or "body"
        return share_page(share_id, request, db, actor, status_code=422, kept=kept)
    background.add_task(notices.deliver_quietly, db, config)  # after the answer
    return back(
        f"/shares/{sharing.share_id_of(share_id)}", "changes" if kind == "changes" else "commented"
    )


@router.post("/shares/{share_id}/signoff", **access("content"))
def sign_off(
    share_id: str,
    db: DB,
    actor: ContentReader,
    revision: int = Form(..., ge=1, le=1_000_000),
    sha256: str = Form("", max_length=64),
) -> Response:
    reviews.sign_off(db, actor, share_id, revision, sha256)
    return back(f"/shares/{sharing.share_id_of(share_id)}", "signed")


@router.post("/shares/{share_id}/revoke", **access("content"))
def revoke(share_id: str, db: DB, actor: ContentReader) -> Response:
    sharing.revoke(db, actor, share_id)
    return back("/", "revoked")


# ---- my account ------------------------------------------------------------------------


@router.get("/account", **access("member"))
def account_page(request: Request, db: DB, actor: Member) -> Response:
    return render(
        request, "account.html", {"me": accounts.account(db, actor), "note": note_of(request)}
    )


@router.post("/account/sessions/{session_id}/revoke", **access("content"))
def revoke_session(session_id: str, request: Request, db: DB, actor: ContentReader) -> Response:
    accounts.revoke_session(db, actor, session_id)
    if session_id == actor.session_id:
        response = back("/signin")
        response.delete_cookie(COOKIE)
        return response
    return back("/account", "session")


@router.get("/account/export", **access("member"))
def export(db: DB, actor: Member) -> Response:
    data = ownership.export(db, actor)
    return Response(
        json.dumps(data, ensure_ascii=False, indent=2),
        media_type="application/json",
        headers={"Content-Disposition": 'attachment; filename="attunement-server-export.json"'},
    )


@router.post("/account/erase", **access("member"))
def erase(db: DB, actor: Member, confirm: str = Form("", max_length=254)) -> Response:
    ownership.erase(db, actor, confirm)
    response = back("/signin")
    response.delete_cookie(COOKIE)
    return response


@router.get("/audit", **access("member"))
def audit_page(request: Request, db: DB, actor: Member) -> Response:
    return render(request, "audit.html", {"rows": audit.shown(db, actor)})


# ---- admin -----------------------------------------------------------------------------


@router.get("/admin", **access("admin"))
def admin_page(request: Request, db: DB, actor: Admin) -> Response:
    link = request.query_params.get("link")
    return render(
        request,
        "admin.html",
        {
            "overview": accounts.overview(db, actor),
            "roles": accounts.ROLE_NAMES,
            "note": note_of(request),
            "link": link,
        },
    )


@router.post("/admin/courses", **access("admin"))
def new_course(db: DB, actor: Admin, name: str = Form("", max_length=120)) -> Response:
    accounts.create_course(db, actor, name)
    return back("/admin", "course")


@router.post("/admin/invitations", **access("admin"))
def new_invitation(
    request: Request,
    db: DB,
    config: Config,
    actor: Admin,
    course: str = Form("", max_length=64),
    role: str = Form("trainee", max_length=16),
) -> Response:
    link = accounts.invite(db, config, actor, course, role)
    return _show_link(request, db, actor, link)


@router.post("/admin/members/{user_id}/password-link", **access("admin"))
def password_link(user_id: str, request: Request, db: DB, config: Config, actor: Admin) -> Response:
    link = accounts.password_link(db, config, actor, user_id)
    return _show_link(request, db, actor, link)


def _show_link(request: Request, db: DB, actor: Admin, link: str) -> Response:
    # Shown once, on this page only; it is not kept anywhere in the clear.
    return render(
        request,
        "admin.html",
        {"overview": accounts.overview(db, actor), "roles": accounts.ROLE_NAMES, "link": link},
    )


@router.post("/admin/members/{user_id}/suspend", **access("admin"))
def suspend(user_id: str, db: DB, actor: Admin) -> Response:
    accounts.set_suspended(db, actor, user_id, True)
    return back("/admin", "member")


@router.post("/admin/members/{user_id}/reinstate", **access("admin"))
def reinstate(user_id: str, db: DB, actor: Admin) -> Response:
    accounts.set_suspended(db, actor, user_id, False)
    return back("/admin", "member")
