"""Local safety for the web app, even on loopback.

One ASGI middleware, in front of everything:

- **Host check**: a request whose ``Host`` is not the address the server is bound to is
  refused (a DNS-rebinding page cannot reach the journal through its own host name).
- **Cross-site state changes**: POST, PUT, PATCH and DELETE are refused when the browser
  says the request comes from another site (``Sec-Fetch-Site``), or, for browsers that do
  not send it, when ``Origin`` is another origin. Scripts on this machine (curl, the CLI)
  send neither and are allowed. Nothing changes state on GET.
- **Headers**: a Content-Security-Policy of ``default-src 'self'`` with no inline script,
  ``frame-ancestors 'none'``, ``nosniff``, no referrer, and ``Cache-Control: no-store`` so
  private pages stay out of the browser's cache.
- **Size**: request bodies above ``max_body`` are refused with 413 before they are read
  into memory.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

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

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                existing = {k.lower() for k, _ in message.get("headers", [])}
                message["headers"] = list(message.get("headers", [])) + [
                    (k, v) for k, v in HEADERS if k not in existing
                ]
            await send(message)

        received = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body:
                    raise TooLarge
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send_with_headers(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except TooLarge:
            if not started:
                await self._respond(send, *self._too_large())

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
        if scope["method"] in UNSAFE:
            site = headers.get("sec-fetch-site")
            origin = headers.get("origin")
            if site is not None and site not in ("same-origin", "none"):
                return _error(
                    403, "cross_site", "Changes can only be made from Attunement's own pages."
                )
            if site is None and origin is not None and origin.lower() not in self.allowed_origins:
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
