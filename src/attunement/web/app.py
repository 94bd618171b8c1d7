"""create_app(settings): the FastAPI application behind `attune serve`."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from attunement import __version__
from attunement.errors import AttuneError, Locked
from attunement.storage.replacing import JournalReplaced
from attunement.web import (
    checkins,
    journal,
    practice,
    settings,
    sharing,
    supervision,
    transcripts,
)
from attunement.web.common import error_response
from attunement.web.rendering import error_page
from attunement.web.security import LocalSafety

HERE = Path(__file__).resolve().parent
# Each capability keeps its pages and its API routes side by side.
CAPABILITIES = (journal, checkins, practice, transcripts, supervision, sharing, settings)
LOOPBACK = {"127.0.0.1", "localhost", "::1"}
MAX_BODY = 12 * 1024 * 1024  # entries may be 10 MB, plus room for the request around them


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    host: str = "127.0.0.1"
    port: int = 8765
    max_body: int = MAX_BODY
    extra_hosts: tuple[str, ...] = field(default_factory=tuple)
    passphrase: str | None = field(default=None, repr=False)  # in memory only
    idle_lock_s: float = 15 * 60  # an encrypted journal locks after this long unused
    sync_interval_s: float = 5 * 60  # how often comments are brought home from the team server

    @property
    def allowed_hosts(self) -> set[str]:
        names = {self.host}
        if self.host in LOOPBACK:
            names |= {"127.0.0.1", "localhost", "[::1]"}
        if self.host == "::1":
            names.add("[::1]")
        hosts = {f"{name}:{self.port}" for name in names}
        if self.port == 80:
            hosts |= names
        return hosts | set(self.extra_hosts)


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def _asked_for(request: Request) -> str:
    """The page to come back to after unlocking: the page asked for, or for a form sent
    while locked (POST /write, /checkin...) the page of that form (its GET at the same
    address); for an htmx partial, the page it was loaded from."""
    from urllib.parse import urlsplit

    current = request.headers.get("hx-current-url")
    if current:
        parts = urlsplit(current)
        if parts.netloc != request.url.netloc:
            return "/"
        return parts.path + (f"?{parts.query}" if parts.query else "")
    if request.method in ("GET", "HEAD") and request.url.query:
        return f"{request.url.path}?{request.url.query}"
    return request.url.path


def _allowed_methods(routes: Iterable[Any], path: str) -> list[str]:
    """Every method some route takes at ``path`` (a 405's ``Allow``): the router itself
    names only the first route that matched the path, not the others at the same path."""
    methods: set[str] = set()
    for route in routes:
        inner = getattr(route, "original_router", None)  # an included router
        if inner is not None:
            methods |= set(_allowed_methods(inner.routes, path))
        elif getattr(route, "methods", None) and route.path_regex.match(path):
            methods |= set(route.methods)
    return sorted(methods)


def _replaced(request: Request, holder: Any) -> Response:
    """The journal's file was replaced underneath the app (``storage.replacing``): let go
    of it, and say so; a page that met it offers the way back to the form, whose words
    the browser keeps (the marked paragraph tells static/app.js)."""
    from attunement.web.rendering import page
    from attunement.web.unlock import REPLACED, REPLACED_PAGE

    holder.let_go_if_replaced()
    if _is_api(request):
        return error_response(409, JournalReplaced.code, REPLACED, None)
    return page(
        request,
        "error.html",
        status=409,
        title="Something went wrong",
        message=REPLACED_PAGE,
        again=_asked_for(request),
    )


def create_app(settings: Settings) -> Any:
    from attunement.web.unlock import JournalHolder

    holder = JournalHolder(settings.data_dir, settings.passphrase, settings.idle_lock_s)
    from attunement.core.readings import Rereader

    # Entries without a reading by the current analysis (after an import, or a new
    # model) are read on a worker thread while the app is in use.
    rereader = Rereader(holder.current)
    holder.on_unlock.append(rereader.start)  # an unlocked journal is read again, too
    holder.on_close.append(rereader.stop)  # and stops reading before it locks
    from attunement.server.syncing import Syncer

    # While signed in to a team server, comments come home on a worker thread.
    syncer = Syncer(holder.current, settings.data_dir, settings.sync_interval_s)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        rereader.start()
        syncer.start()
        try:
            yield
        finally:
            syncer.stop()
            rereader.stop()
            holder.close()

    app = FastAPI(
        title="Attunement",
        version=__version__,
        lifespan=lifespan,
        openapi_url="/api/openapi.json",
        docs_url=None,
        redoc_url=None,
        description="The local JSON API of Attunement. Errors have one shape: "
        '{"error": {"code", "message", "field"}}.',
    )
    app.state.settings = settings
    app.state.holder = holder
    app.state.rereader = rereader
    app.state.syncer = syncer
    for capability in CAPABILITIES:
        app.include_router(capability.api)
        app.include_router(capability.pages)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")

    @app.get("/favicon.ico", include_in_schema=False)
    def favicon() -> Response:
        # Browsers ask for this address on every page; the icon is the packaged SVG.
        icon = (HERE / "static" / "favicon.svg").read_bytes()
        return Response(
            icon, media_type="image/svg+xml", headers={"cache-control": "max-age=86400"}
        )

    @app.exception_handler(AttuneError)
    async def attune_error(request: Request, exc: AttuneError) -> Response:
        if isinstance(exc, JournalReplaced):
            return _replaced(request, holder)
        if isinstance(exc, Locked) and not _is_api(request):
            from fastapi.responses import RedirectResponse

            from attunement.web.unlock import unlock_url

            return RedirectResponse(unlock_url(_asked_for(request)), status_code=303)
        if _is_api(request):
            return error_response(exc.http_status, exc.code, exc.message, exc.field)
        return error_page(request, exc.http_status, exc.message)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        first = exc.errors()[0] if exc.errors() else {}
        loc = [str(part) for part in first.get("loc", ())]
        if loc and loc[0] in ("body", "query", "path", "form", "header"):
            loc = loc[1:]  # where it was sent, not which field
        field_name = ".".join(loc) or None
        message = f"{field_name or 'The request'}: {first.get('msg', 'is not valid')}."
        if _is_api(request):
            return error_response(422, "invalid_input", message, field_name)
        return error_page(request, 422, message)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        codes = {404: "not_found", 405: "method_not_allowed", 413: "too_large"}
        message = {
            404: "There is nothing at this address.",
            405: "This address does not accept that kind of request.",
        }.get(exc.status_code, str(exc.detail))
        if _is_api(request) or exc.status_code != 404:
            headers = dict(exc.headers or {})
            if exc.status_code == 405:
                headers["Allow"] = ", ".join(_allowed_methods(app.routes, request.url.path))
            response: Response = JSONResponse(
                {
                    "error": {
                        "code": codes.get(exc.status_code, "error"),
                        "message": message,
                        "field": None,
                    }
                },
                status_code=exc.status_code,
                headers=headers,
            )
            return response
        return error_page(request, 404, message)

    return LocalSafety(app, allowed_hosts=settings.allowed_hosts, max_body=settings.max_body)
