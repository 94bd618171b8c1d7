"""The server as a FastAPI application: its database, its middleware, its error answers.

Workers share nothing but the database (sessions, rate limits and everything else live
there), so any number of them can run behind the reverse proxy. Opening the app brings
the schema up to date ("migrations on start"). Every route declares who may call it in
``openapi_extra["x-access"]``, and the authorisation tests walk the route table by it:

- ``public``: anyone (sign-in, welcome links, health, the stylesheet)
- ``member``: signed in; each person sees only their own (anonymous: 401, or sign-in page)
- ``content``: one share, comment or session by id; everyone but those allowed gets 404
  (anonymous: the same 404, except that a page opened without a session goes to the
  sign-in page and back, whatever the id: that says nothing about the item)
- ``admin``: admins only; everyone else who is signed in gets 404
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from anyio import to_thread
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from sqlalchemy.engine import Engine

from attunement.errors import AttuneError, NotFound
from attunement.server import sessions
from attunement.server.config import ServerConfig
from attunement.server.db import POOL_SIZE, ensure_schema, open_engine, reading, writing
from attunement.server.errors import SignInNeeded, TooManyTries
from attunement.server.http import Guard, signin_address, token_of
from attunement.server.sessions import Actor

HERE = Path(__file__).parent
log = logging.getLogger(__name__)
ACCESS = ("public", "member", "content", "admin")


def access(kind: str) -> dict[str, Any]:
    assert kind in ACCESS
    return {"openapi_extra": {"x-access": kind}}


def create_app(config: ServerConfig, engine: Engine | None = None) -> FastAPI:
    from attunement import __version__

    try:
        from attunement.server import api, cohort_routes, pages, signin_pages, sync_api
        from attunement.server.protocol import Protocol
    except ModuleNotFoundError as exc:
        from attunement.errors import StorageError

        raise StorageError(
            f"The team server needs {exc.name}, part of its extra; install it with "
            "pip install 'attunement[server]'."
        ) from None

    engine = engine or open_engine(config.database_url)
    ensure_schema(engine)

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # As many threads for sync routes as the pool has connections (db.POOL_SIZE).
        to_thread.current_default_thread_limiter().total_tokens = POOL_SIZE
        sweeper = asyncio.create_task(sweep_expired(engine, config.expiry_sweep_s))
        try:
            yield
        finally:
            sweeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await sweeper

    app = FastAPI(
        title="Attunement team server",
        lifespan=lifespan,
        version=__version__,
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
    )
    app.state.engine = engine
    app.state.config = config
    app.include_router(api.router)
    app.include_router(sync_api.router)
    app.include_router(pages.router)
    app.include_router(signin_pages.router)
    app.include_router(cohort_routes.api)
    app.include_router(cohort_routes.pages)

    @app.exception_handler(AttuneError)
    async def attune_error(request: Request, exc: AttuneError) -> Response:
        return error_response(request, exc)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        first = exc.errors()[0] if exc.errors() else {}
        where = [str(p) for p in first.get("loc", ()) if p not in ("body", "query", "path")]
        field = where[-1] if where else None
        message = (
            f"Check {field}: {first.get('msg', 'it is not valid')}."
            if field
            else ("The request is not valid; check what was sent.")
        )
        from attunement.errors import InvalidInput

        return error_response(request, InvalidInput(message, field=field))

    @app.exception_handler(404)
    async def not_found(request: Request, exc: Exception) -> Response:
        return error_response(request, NotFound("There is no such page."))

    @app.exception_handler(405)
    async def wrong_method(request: Request, exc: Exception) -> Response:
        return error_response(request, NotFound("There is no such page."))

    app.add_middleware(Guard, max_body=config.max_body, secure_only=config.secure_only)
    if config.trusted_proxies:
        from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=list(config.trusted_proxies))
    app.add_middleware(Protocol)  # outermost: even the Guard's refusals say the version
    return app


async def sweep_expired(engine: Engine, every_s: int) -> None:
    """Delete expired shares every `every_s` seconds while the app runs, so that expired
    content leaves the database on time on a quiet server too; and fold each course's
    change rows (server/cohort.py)."""
    from starlette.concurrency import run_in_threadpool

    from attunement.server.cohort import fold_course_changes
    from attunement.server.sharing import purge_expired_now

    if every_s <= 0:
        return
    while True:
        await asyncio.sleep(every_s)
        try:
            await run_in_threadpool(purge_expired_now, engine)
            await run_in_threadpool(fold_course_changes, engine)
        except Exception:  # the database away for a moment: try again next time
            log.warning("Could not delete expired shares; trying again later.", exc_info=True)


def route_table() -> list[Any]:
    """Every route the server answers (the JSON API's and the pages'), as FastAPI routes;
    the authorisation tests walk this list."""
    from attunement.server import api, cohort_routes, pages, signin_pages, sync_api

    return [
        *api.router.routes,
        *sync_api.router.routes,
        *pages.router.routes,
        *signin_pages.router.routes,
        *cohort_routes.api.routes,
        *cohort_routes.pages.routes,
    ]


def error_response(request: Request, exc: AttuneError) -> Response:
    headers = {}
    if isinstance(exc, TooManyTries):
        headers["Retry-After"] = str(exc.retry_after)
    if request.url.path.startswith("/api/"):
        return JSONResponse(exc.to_dict(), status_code=exc.http_status, headers=headers)
    if isinstance(exc, SignInNeeded):  # back to the page asked for, once signed in
        asked = request.method in ("GET", "HEAD")
        where = signin_address(request.url.path, request.url.query) if asked else "/signin"
        return RedirectResponse(where, status_code=303)
    from attunement.server.pages import render

    return render(
        request,
        "error.html",
        {"title": _title_for(exc), "message": exc.message},
        status_code=exc.http_status,
        headers=headers,
    )


def _title_for(exc: AttuneError) -> str:
    return {404: "Not found", 429: "Please wait", 403: "Not allowed", 409: "Changed meanwhile"}.get(
        exc.http_status, "Please check"
    )


def current(request: Request) -> Actor | None:
    """The person behind the request, or None (a sync dependency: runs in a thread)."""
    if hasattr(request.state, "actor"):
        return request.state.actor
    engine: Engine = request.app.state.engine
    config: ServerConfig = request.app.state.config
    token, kind = token_of(request)
    request.state.auth_kind = kind
    with reading(engine) as conn:
        found = sessions.signed_in(conn, config, token)
    actor = found[0] if found is not None else None
    if found is not None and found[0].kind == "web":  # every page names it: read with it
        request.state.organisation = found[1]
    if actor is not None and actor.stale and token is not None:
        with writing(engine) as conn:
            sessions.touch(conn, token)
    request.state.actor = actor
    return actor


def from_environment() -> FastAPI:
    """The app as `attune server serve` starts it in each worker (uvicorn's factory)."""
    import os

    from attunement.paths import resolve_data_dir
    from attunement.server import config as config_module

    config = config_module.load(
        database=os.environ.get(config_module.ENV_DATABASE),
        data_dir=resolve_data_dir(os.environ.get("ATTUNE_SERVER_DATA_DIR")),
    )
    return create_app(config)
