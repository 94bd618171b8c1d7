"""Which version of the sync protocol the server speaks, said on every answer and
checked on every API request.

The local app sends ``Attune-Protocol: 1`` with each call and refuses an answer that
says another version, before it changes anything in the journal. The server refuses an
API request that names another version with a 400 in the one JSON error shape, naming
both versions and what to do. A request that names none (a browser, a script, an older
Attunement) is served: what it asks is the same in every version so far.
"""

from __future__ import annotations

import json

from starlette.types import ASGIApp, Message, Receive, Scope, Send

PROTOCOL = 1
HEADER = "Attune-Protocol"


def mismatch_message(ours: int, theirs: str, *, on_server: bool) -> str:
    if on_server:
        return (
            f"This team server speaks Attunement protocol {ours} and your computer sent "
            f"protocol {theirs}; update Attunement so both speak the same version "
            "(pip install -U attunement on your computer, or ask the server's admin to "
            "upgrade the server). Nothing was changed."
        )
    return (
        f"This computer speaks Attunement protocol {ours} and the team server speaks "
        f"protocol {theirs}; update Attunement so both speak the same version (pip install "
        "-U attunement here, or ask the server's admin to upgrade it). Nothing was changed."
    )


class Protocol:
    """ASGI middleware: the header on every answer, a clear refusal of another version."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        ours = (HEADER.lower().encode(), str(PROTOCOL).encode())
        theirs = next(
            (v.decode("latin-1").strip() for k, v in scope["headers"] if k == ours[0]), None
        )
        if scope["path"].startswith("/api/") and theirs is not None and theirs != ours[1].decode():
            body = json.dumps(
                {
                    "error": {
                        "code": "protocol_mismatch",
                        "message": mismatch_message(PROTOCOL, theirs[:20], on_server=True),
                        "field": HEADER,
                    }
                }
            ).encode()
            await send(
                {
                    "type": "http.response.start",
                    "status": 400,
                    "headers": [(b"content-type", b"application/json"), ours],
                }
            )
            await send({"type": "http.response.body", "body": body})
            return

        async def stamped(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), ours]
            await send(message)

        await self.app(scope, receive, stamped)
