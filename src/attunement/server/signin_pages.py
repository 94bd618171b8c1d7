"""The pages of the sign-in options: the code asked after the password, the trip to the
organisation's identity provider, a member's second factor on **My account**, and the
admin's **Sign-in options**. Each route parses, calls one service and renders."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from attunement.errors import InvalidInput, NotFound
from attunement.server import accounts, oidc, second_step, steps, totp
from attunement.server.app import access, current
from attunement.server.db import reading
from attunement.server.deps import DB, Admin, Config, Member
from attunement.server.http import (
    PRESIGN_COOKIE,
    client_address,
    is_secure,
    safe_next,
    same_token,
    set_session_cookie,
    token_of,
)
from attunement.server.pages import back, presigned, render

router = APIRouter()

OIDC_COOKIE_PATH = "/signin/oidc"


def set_step_cookie(request: Request, response: Response, token: str, *, oidc_: bool) -> None:
    """The half-done sign-in's cookie: HttpOnly, for the sign-in pages only. The trip to
    the identity provider comes back as a top-level navigation from another site, which
    only a SameSite=Lax cookie survives; the code step stays Strict."""
    response.set_cookie(
        steps.COOKIE,
        token,
        httponly=True,
        samesite="lax" if oidc_ else "strict",
        secure=is_secure(request, request.app.state.config.secure_only),
        path=OIDC_COOKIE_PATH if oidc_ else "/signin/code",
        max_age=request.app.state.config.step_minutes * 60,
    )


# ---- the code after the password ---------------------------------------------------------


@router.get("/signin/code", **access("public"))
def code_page(
    request: Request,
    db: DB,
    config: Config,
    error: str | None = None,
    status_code: int = 200,
    next: str = Query("/", max_length=2000),
) -> Response:
    current(request)
    try:
        asked = second_step.asked(db, config, request.cookies.get(steps.COOKIE))
    except NotFound:
        return RedirectResponse("/signin", status_code=303)
    context = {"asked": asked, "error": error, "next": safe_next(next)}
    return presigned(request, "signin_code.html", context, status_code=status_code)


@router.post("/signin/code", **access("public"))
def give_code(
    request: Request,
    db: DB,
    config: Config,
    code: str = Form("", max_length=64),
    csrf: str = Form("", max_length=100),
    next: str = Form("/", max_length=2000),
) -> Response:
    same_token(csrf, request.cookies.get(PRESIGN_COOKIE, ""))
    wanted = safe_next(next)
    try:
        done = second_step.finish(
            db,
            config,
            request.cookies.get(steps.COOKIE),
            code,
            address=client_address(request),
            previous=token_of(request)[0],
        )
    except InvalidInput as exc:
        request.state.actor = None
        return code_page(request, db, config, error=exc.message, status_code=422, next=wanted)
    if done.recovery_codes:
        request.state.actor = None
        context = {"codes": done.recovery_codes, "then": wanted}
        response = render(request, "recovery_codes.html", context)
    else:
        response = RedirectResponse(wanted, status_code=303)
    set_session_cookie(response, done.token, is_secure(request, config.secure_only))
    response.delete_cookie(steps.COOKIE, path="/signin/code")
    response.delete_cookie(PRESIGN_COOKIE)
    return response


# ---- the organisation's identity provider --------------------------------------------------


@router.get("/signin/oidc", **access("public"))
def oidc_start(request: Request, db: DB, config: Config) -> Response:
    try:
        token, url = oidc.begin(db, config, address=client_address(request))
    except oidc.Refused as exc:
        return _not_signed_in(request, exc.message)
    response = RedirectResponse(url, status_code=303)
    set_step_cookie(request, response, token, oidc_=True)
    return response


@router.get("/welcome/{token}/oidc", **access("public"))
def oidc_join(token: str, request: Request, db: DB, config: Config) -> Response:
    """Join a course from a welcome link through the identity provider, without choosing
    a password: the account is the one whose verified address the provider gives."""
    try:
        step, url = oidc.begin(db, config, invitation=token, address=client_address(request))
    except oidc.Refused as exc:
        return _not_signed_in(request, exc.message)
    response = RedirectResponse(url, status_code=303)
    set_step_cookie(request, response, step, oidc_=True)
    return response


@router.get(oidc.CALLBACK, **access("public"))
def oidc_callback(request: Request, db: DB, config: Config) -> Response:
    answer = {k: v[:2000] for k, v in request.query_params.items()}
    try:
        token, _csrf = oidc.finish(
            db,
            config,
            request.cookies.get(steps.COOKIE),
            answer,
            label=request.headers.get("user-agent", "browser")[:120],
            previous=token_of(request)[0],
        )
    except oidc.Refused as exc:
        response = _not_signed_in(request, exc.message)
        response.delete_cookie(steps.COOKIE, path=OIDC_COOKIE_PATH)
        return response
    # A page, not a redirect: the browser arrived here from the provider's site, and a
    # SameSite=Strict session cookie is sent only on a navigation that starts here.
    request.state.actor = None
    response = render(request, "signed_in.html", {})
    set_session_cookie(response, token, is_secure(request, config.secure_only))
    response.delete_cookie(steps.COOKIE, path=OIDC_COOKIE_PATH)
    return response


def _not_signed_in(request: Request, message: str) -> Response:
    request.state.actor = None
    return render(
        request,
        "error.html",
        {"title": "Not signed in", "message": message, "again": True},
        status_code=403,
    )


# ---- my second factor ----------------------------------------------------------------------


def _issuer(db: DB) -> str:
    with reading(db) as conn:
        return accounts.organisation(conn)


@router.get("/account/two-factor", **access("member"))
def two_factor_page(
    request: Request,
    db: DB,
    config: Config,
    actor: Member,
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    shown = totp.overview(db, config, actor, _issuer(db))
    notes = {"off": "Your second factor is off.", "started": None}
    return render(
        request,
        "two_factor.html",
        {"factor": shown, "error": error, "note": notes.get(request.query_params.get("note", ""))},
        status_code=status_code,
    )


@router.post("/account/two-factor/setup", **access("member"))
def two_factor_setup(db: DB, config: Config, actor: Member) -> Response:
    totp.begin(db, config, actor, _issuer(db))
    return back("/account/two-factor")


@router.post("/account/two-factor/confirm", **access("member"))
def two_factor_confirm(
    request: Request, db: DB, config: Config, actor: Member, code: str = Form("", max_length=64)
) -> Response:
    try:
        codes = totp.confirm_mine(db, config, actor, code)
    except InvalidInput as exc:
        return two_factor_page(request, db, config, actor, error=exc.message, status_code=422)
    return render(request, "recovery_codes.html", {"codes": codes, "turned_on": True})


@router.post("/account/two-factor/off", **access("member"))
def two_factor_off(
    request: Request, db: DB, config: Config, actor: Member, code: str = Form("", max_length=64)
) -> Response:
    try:
        totp.turn_off(db, config, actor, code, client_address(request))
    except InvalidInput as exc:
        return two_factor_page(request, db, config, actor, error=exc.message, status_code=422)
    return back("/account/two-factor", "off")


@router.post("/account/two-factor/recovery-codes", **access("member"))
def two_factor_recovery(
    request: Request, db: DB, config: Config, actor: Member, code: str = Form("", max_length=64)
) -> Response:
    try:
        codes = totp.renew_recovery_codes(db, config, actor, code, client_address(request))
    except InvalidInput as exc:
        return two_factor_page(request, db, config, actor, error=exc.message, status_code=422)
    return render(request, "recovery_codes.html", {"codes": codes, "renewed": True})


# ---- the admin's sign-in options -------------------------------------------------------------


@router.get("/admin/sign-in", **access("admin"))
def options_page(
    request: Request,
    db: DB,
    config: Config,
    actor: Admin,
    error: str | None = None,
    status_code: int = 200,
    form: dict[str, Any] | None = None,
) -> Response:
    with reading(db) as conn:
        context = {
            "required": totp.required(conn),
            "provider": form or oidc.shown(conn),
            "configured": oidc.shown(conn) is not None,
            "callback": oidc.redirect_uri(config),
            "error": error,
            "note": {"saved": "Saved.", "reset": "Their second factor is off."}.get(
                request.query_params.get("note", "")
            ),
        }
    return render(request, "signin_options.html", context, status_code=status_code)


@router.post("/admin/sign-in/require", **access("admin"))
def require_code(db: DB, actor: Admin, required: str = Form("", max_length=8)) -> Response:
    totp.set_required(db, actor, required == "on")
    return back("/admin/sign-in", "saved")


@router.post("/admin/sign-in/oidc", **access("admin"))
def set_provider(
    request: Request,
    db: DB,
    config: Config,
    actor: Admin,
    issuer: str = Form("", max_length=500),
    client_id: str = Form("", max_length=200),
    client_secret: str = Form("", max_length=500),
    domain: str = Form("", max_length=190),
    claim: str = Form("", max_length=200),
    label: str = Form("", max_length=60),
) -> Response:
    try:
        oidc.configure(
            db,
            config,
            actor,
            issuer=issuer,
            client_id=client_id,
            client_secret=client_secret,
            domain=domain,
            claim=claim,
            label=label,
        )
    except InvalidInput as exc:
        form = {"issuer": issuer, "client_id": client_id, "domain": domain}
        form |= {"claim": claim, "label": label}
        return options_page(
            request, db, config, actor, error=exc.message, status_code=422, form=form
        )
    return back("/admin/sign-in", "saved")


@router.post("/admin/sign-in/oidc/remove", **access("admin"))
def remove_provider(db: DB, actor: Admin) -> Response:
    oidc.remove(db, actor)
    return back("/admin/sign-in", "saved")


@router.post("/admin/members/{user_id}/two-factor/reset", **access("admin"))
def reset_factor(user_id: str, db: DB, actor: Admin) -> Response:
    totp.reset(db, actor, user_id)
    return back("/admin/sign-in", "reset")
