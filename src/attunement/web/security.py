"""Local safety for the web app, even on loopback.

One ASGI middleware, in front of everything:

- **Host check**: a request whose ``Host`` is not the address the server is bound to is
  refused (a DNS-rebinding page cannot reach the journal through its own host name).
- **Other sites** (Fetch Metadata): when the browser says a request comes from anywhere
  but this origin (``Sec-Fetch-Site`` other than ``same-origin`` or ``none``; another
  port on localhost is ``same-site`` and just as foreign), it is refused, whatever its
  method, unless it is a top-level navigation to a page (``GET``, ``Sec-Fetch-Mode:
  navigate``, ``Sec-Fetch-Dest: document``, not under ``/api/``): a link from elsewhere
  still opens Attunement, but an ``<img>``, a script, a frame or a ``fetch`` on another
  site reaches nothing. Browsers that send no Fetch Metadata are held to ``Origin`` for
  changes. Scripts on this machine (curl, the CLI) send neither and are allowed.
- **Activity**: only what the person does counts towards keeping an encrypted journal
  unlocked (:func:`counts_as_activity`): requests from Attunement's own pages or from this
  machine's scripts; never a refused request, a navigation from another site, or a
  background load (images, scripts, styles).
- **Headers**: a Content-Security-Policy of ``default-src 'self'`` with no inline script,
  ``frame-ancestors 'none'``, ``nosniff``, no referrer, and ``Cache-Control: no-store`` so
  private pages stay out of the browser's cache. uvicorn's own answer to a malformed
  request carries them too (:class:`SafeH11Protocol`).
- **Size**: request bodies above ``max_body`` are refused with 413, whether they say
  their length or stream it in chunks: the bytes are counted as they arrive.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterable
from functools import lru_cache

from starlette.types import ASGIApp, Message, Receive, Scope, Send

UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"cache-control", b"no-store"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=(), interest-cohort=()"),
]


def _error(status: int, code: str, message: str) -> tuple[int, bytes]:
    body = {"error": {"code": code, "message": message, "field": None}}
    return status, json.dumps(body).encode()


# The scope key where the middleware says whether a request is the person's own doing.
ACTIVITY = "attunement.activity"
OWN_SITE = ("same-origin", "none")  # "none": typed, bookmarked, or not from a page at all
FOREGROUND = ("document", "empty")  # a page, or a fetch from one; not <img>, <script>...


def counts_as_activity(scope: Scope) -> bool:
    """Whether a request keeps an encrypted journal unlocked (see the module's doc)."""
    return bool(scope.get(ACTIVITY, True))


class TooLarge(Exception):
    pass


class LocalSafety:
    def __init__(self, app: ASGIApp, *, allowed_hosts: Iterable[str], max_body: int) -> None:
        self.app = app
        self.allowed_hosts = {h.lower() for h in allowed_hosts}
        self.allowed_origins = {f"http://{h}" for h in self.allowed_hosts}
        self.max_body = max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {
            k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])
        }
        refusal = self._refusal(scope, headers)
        if refusal is not None:
            await self._respond(send, *refusal)
            return
        site, dest = headers.get("sec-fetch-site"), headers.get("sec-fetch-dest")
        scope = {
            **scope,
            ACTIVITY: (site is None or site in OWN_SITE) and (dest is None or dest in FOREGROUND),
        }

        received = 0
        started = False
        refused = False  # answered 413 ourselves: whatever the app sends after is dropped

        async def limited_receive() -> Message:
            nonlocal received, refused
            if refused:
                raise TooLarge
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body:
                    # Answer now: frameworks turn errors while reading a body into a 400.
                    refused = True
                    if not started:
                        await self._respond(send, *self._too_large())
                    raise TooLarge
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if refused:
                return
            if message["type"] == "http.response.start":
                started = True
                existing = {k.lower() for k, _ in message.get("headers", [])}
                message["headers"] = list(message.get("headers", [])) + [
                    (k, v) for k, v in HEADERS if k not in existing
                ]
            await send(message)

        try:
            await self.app(scope, limited_receive, guarded_send)
        except TooLarge:
            pass

    def _too_large(self) -> tuple[int, bytes]:
        return _error(
            413,
            "too_large",
            f"The request is larger than {self.max_body // 1_048_576} MB; send less at a time.",
        )

    def _refusal(self, scope: Scope, headers: dict[str, str]) -> tuple[int, bytes] | None:
        host = headers.get("host", "").lower()
        if host not in self.allowed_hosts:
            return _error(
                421,
                "wrong_host",
                "This server only answers requests addressed to "
                "its own address; open it from the address `attune serve` printed.",
            )
        site = headers.get("sec-fetch-site")
        if site is not None and site not in OWN_SITE and not _page_navigation(scope, headers):
            return _error(
                403,
                "cross_site",
                "Attunement only answers its own pages; open it from the address "
                "`attune serve` printed.",
            )
        origin = headers.get("origin")
        if (
            scope["method"] in UNSAFE
            and site is None
            and origin is not None
            and origin.lower() not in self.allowed_origins
        ):
            return _error(
                403, "cross_site", "Changes can only be made from Attunement's own pages."
            )
        length = headers.get("content-length")
        if length is not None and length.isdigit() and int(length) > self.max_body:
            return self._too_large()
        return None

    @staticmethod
    async def _respond(send: Send, status: int, body: bytes) -> None:
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                    *HEADERS,
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})


def _page_navigation(scope: Scope, headers: dict[str, str]) -> bool:
    """A top-level navigation to one of the pages: a link followed from another site."""
    path: str = scope.get("path", "")
    return (
        scope["method"] == "GET"
        and headers.get("sec-fetch-mode") == "navigate"
        and headers.get("sec-fetch-dest") == "document"
        and not path.startswith(("/api/", "/static/"))
    )


@lru_cache(maxsize=1)
def safe_http_protocol() -> type[asyncio.Protocol]:
    """uvicorn's h11 protocol, answering a request it cannot parse (a malformed request
    line or header) with the security headers and the one JSON error shape. uvicorn has
    no setting for that answer: its h11 protocol writes fixed headers, and only its
    httptools protocol adds the configured ``headers``; so ``attune serve`` runs this
    subclass (``uvicorn.run(http=...)`` takes a protocol class)."""
    import h11
    from uvicorn.protocols.http.h11_impl import H11Protocol

    class SafeH11Protocol(H11Protocol):
        def send_400_response(self, msg: str) -> None:
            _, body = _error(
                400,
                "bad_request",
                "The request could not be read as HTTP; send a well-formed request.",
            )
            headers = [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
                *HEADERS,
            ]
            for event in (
                h11.Response(status_code=400, headers=headers, reason=b"Bad Request"),
                h11.Data(data=body),
                h11.EndOfMessage(),
            ):
                output = self.conn.send(event)
                if output:
                    self.transport.write(output)
            self.transport.close()

    return SafeH11Protocol
