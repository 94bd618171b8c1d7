"""What every request to the server passes through, and how a person is recognised.

- Security headers on every answer: a strict Content-Security-Policy (no script at all
  on the server's pages), no framing, no sniffing, no referrer, no caching.
- Bodies over ``max_body`` are refused with 413.
- Cross-site requests that change anything are refused (Fetch Metadata, else Origin):
  a second wall behind the CSRF token every form carries.
- The person: a session cookie (HttpOnly, SameSite=Strict, Secure whenever the request
  came over https, which behind the proxy is what a trusted proxy says) or a bearer
  token from the local app. Forwarded headers are believed only from the configured
  proxies (uvicorn's ProxyHeadersMiddleware, added only when some are configured).
"""

from __future__ import annotations

import hmac
import json
from typing import Any
from urllib.parse import urlencode, urlsplit

from fastapi import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from attunement.server.errors import BadCsrf, SignInNeeded
from attunement.server.sessions import Actor

COOKIE = "attune_session"
PRESIGN_COOKIE = "attune_signin"  # double-submit token for the sign-in form itself
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}
CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
    "base-uri 'none'; frame-ancestors 'none'"
)
HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"cache-control", b"no-store"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
]


class Guard:
    """Headers, size limit and the cross-site refusal, as one ASGI middleware."""

    def __init__(self, app: ASGIApp, *, max_body: int, secure_only: bool) -> None:
        self.app = app
        self.max_body = max_body
        self.secure_only = secure_only

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
        extra = list(HEADERS)
        if self.secure_only or scope.get("scheme") == "https":
            extra.append((b"strict-transport-security", b"max-age=31536000"))
        refusal = _refusal(scope, headers, self.max_body)
        if refusal is not None:
            status, code, message = refusal
            body = json.dumps({"error": {"code": code, "message": message, "field": None}})
            await send(
                {
                    "type": "http.response.start",
                    "status": status,
                    "headers": [(b"content-type", b"application/json"), *extra],
                }
            )
            await send({"type": "http.response.body", "body": body.encode()})
            return
        received = 0

        async def limited() -> Message:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > self.max_body:
                raise _TooLarge
            return message

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {k.lower() for k, _ in message.get("headers", [])}
                message["headers"] = [
                    *message.get("headers", []),
                    *(h for h in extra if h[0] not in present),
                ]
            await send(message)

        try:
            await self.app(scope, limited, with_headers)
        except _TooLarge:
            refused = (
                b'{"error": {"code": "too_large", "message": "The request is too large.",'
                b' "field": null}}'
            )
            await send(
                {
                    "type": "http.response.start",
                    "status": 413,
                    "headers": [(b"content-type", b"application/json"), *extra],
                }
            )
            await send({"type": "http.response.body", "body": refused})


class _TooLarge(Exception):
    pass


def _refusal(scope: Scope, headers: dict[str, str], max_body: int) -> tuple[int, str, str] | None:
    length = headers.get("content-length", "")
    if length.isdigit() and int(length) > max_body:
        return 413, "too_large", "The request is too large."
    if scope["method"] not in UNSAFE:
        return None
    site = headers.get("sec-fetch-site")
    if site is not None and site not in ("same-origin", "none"):
        return 403, "cross_site", "Changes can only be made from the server's own pages."
    origin = headers.get("origin")
    if site is None and origin is not None and origin != "null":
        host = headers.get("host", "")
        if origin.split("://", 1)[-1] != host:
            return 403, "cross_site", "Changes can only be made from the server's own pages."
    return None


def token_of(request: Request) -> tuple[str | None, str]:
    """The session token a request carries, and how: ("cookie" or "bearer")."""
    auth = request.headers.get("authorization", "")
    if auth.lower().startswith("bearer "):
        return auth[7:].strip(), "bearer"
    return request.cookies.get(COOKIE), "cookie"


def actor_of(request: Request) -> Actor | None:
    actor: Actor | None = request.state.actor
    return actor


def signed_in(request: Request) -> Actor:
    actor = actor_of(request)
    if actor is None:
        raise SignInNeeded("Sign in first.")
    return actor


async def check_csrf(request: Request, actor: Actor) -> None:
    """A change made with the session cookie must carry the session's CSRF token (form
    field ``csrf`` or header ``X-CSRF-Token``); the local app's bearer token needs none."""
    if request.method not in UNSAFE or request.state.auth_kind == "bearer":
        return
    given = request.headers.get("x-csrf-token")
    if given is None and "form" in request.headers.get("content-type", ""):
        form = await request.form()
        value = form.get("csrf")
        given = value if isinstance(value, str) else None
    same_token(given, actor.csrf)


def same_token(given: str | None, expected: str) -> None:
    """A form's CSRF token against the one it was given (the session's, or the pre-sign-in
    cookie's), compared in constant time; either missing refuses."""
    if not given or not expected or not hmac.compare_digest(given.encode(), expected.encode()):
        raise BadCsrf()


def safe_next(value: str | None) -> str:
    """Where to go after signing in: a path on this server, or the home page. Anything
    that could leave it (an absolute URL, ``//host``, a backslash that some browsers read
    as a slash, control characters) is the home page instead: no open redirect."""
    if not value or len(value) > 2000 or not value.startswith("/"):
        return "/"
    if value.startswith(("//", "/\\")) or any(
        c == "\\" or ord(c) < 0x20 or ord(c) == 0x7F for c in value
    ):
        return "/"
    parts = urlsplit(value)
    if parts.scheme or parts.netloc or parts.path.startswith(("/signin", "/signout")):
        return "/"
    return value


def signin_address(path: str, query: str = "") -> str:
    """The sign-in page, coming back to ``path`` (and its query) afterwards."""
    wanted = safe_next(path + (f"?{query}" if query else ""))
    return "/signin" if wanted == "/" else f"/signin?{urlencode({'next': wanted})}"


def is_secure(request: Request, secure_only: bool) -> bool:
    return secure_only or request.url.scheme == "https"


def set_session_cookie(response: Any, token: str, secure: bool) -> None:
    response.set_cookie(COOKIE, token, httponly=True, samesite="strict", secure=secure, path="/")


def client_address(request: Request) -> str | None:
    return request.client.host if request.client else None
