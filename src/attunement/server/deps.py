"""FastAPI dependencies: who is asking, and whether they may ask at all."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.engine import Engine

from attunement.errors import NotFound
from attunement.server.accounts import require_admin
from attunement.server.app import current
from attunement.server.authz import NO_SUCH_SHARE
from attunement.server.config import ServerConfig
from attunement.server.http import check_csrf
from attunement.server.sessions import Actor

Maybe = Annotated["Actor | None", Depends(current)]


async def member(request: Request, actor: Maybe) -> Actor:
    """Signed in (else 401, or the sign-in page), with the CSRF token on any change."""
    from attunement.server.errors import SignInNeeded

    if actor is None:
        raise SignInNeeded("Sign in first.")
    await check_csrf(request, actor)
    return actor


async def content_reader(request: Request, actor: Maybe) -> Actor:
    """Like :func:`member`, but an anonymous client gets the same 404 as everyone else
    who may not see the thing: no hint that it exists. Only a page opened in the browser
    without a session goes to the sign-in page (and back afterwards), for any id alike."""
    if actor is None:
        from attunement.server.errors import SignInNeeded

        if request.method in ("GET", "HEAD") and not request.url.path.startswith("/api/"):
            raise SignInNeeded("Sign in first.")
        raise NotFound(NO_SUCH_SHARE)
    await check_csrf(request, actor)
    return actor


async def admin(request: Request, actor: Annotated[Actor, Depends(member)]) -> Actor:
    require_admin(actor)
    return actor


Member = Annotated[Actor, Depends(member)]
ContentReader = Annotated[Actor, Depends(content_reader)]
Admin = Annotated[Actor, Depends(admin)]


async def engine_of(request: Request) -> Engine:
    return request.app.state.engine


async def config_of(request: Request) -> ServerConfig:
    return request.app.state.config


DB = Annotated[Engine, Depends(engine_of)]
Config = Annotated[ServerConfig, Depends(config_of)]
