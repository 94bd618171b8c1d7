"""The web app against hostile input and other sites: odd upload names, cross-site
requests, oversized streamed bodies, methods it does not take, booleans for scales."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi import UploadFile
from fastapi.routing import APIRoute
from starlette.testclient import TestClient

from attunement.web import Settings, create_app


def make_client(data_dir: Path, **settings) -> TestClient:
    app = create_app(Settings(data_dir=data_dir, extra_hosts=("testserver",), **settings))
    return TestClient(app, raise_server_exceptions=False)


@pytest.fixture
def client(data_dir: Path):
    with make_client(data_dir) as test_client:
        yield test_client


def routes_of(routes):
    """Every route of the app, through included routers."""
    for route in routes:
        inner = getattr(route, "original_router", None)
        if inner is not None:
            yield from routes_of(inner.routes)
        else:
            yield route


def takes_a_file(route: APIRoute) -> bool:
    def is_file(annotation) -> bool:
        options = getattr(annotation, "__args__", None) or (annotation,)
        return any(isinstance(o, type) and issubclass(o, UploadFile) for o in options)

    return any(is_file(f.field_info.annotation) for f in route.dependant.body_params)


def upload_routes() -> list[str]:
    app = create_app(Settings(data_dir=Path("/nonexistent-never-opened")))
    return sorted(
        route.path
        for route in routes_of(app.app.routes)
        if isinstance(route, APIRoute) and "POST" in route.methods and takes_a_file(route)
    )


UPLOAD_ROUTES = upload_routes()


def test_every_upload_route_is_found():
    # the web UI's three forms and the API's three upload routes
    assert len(UPLOAD_ROUTES) >= 6, UPLOAD_ROUTES


def multipart(filename: bytes, content: bytes, **fields: str) -> tuple[bytes, dict[str, str]]:
    """A multipart body written byte by byte, so a filename can carry what an HTTP
    library would escape (a NUL, invalid UTF-8)."""
    boundary = b"hostile-boundary-7f3a"
    parts = [
        b"--" + boundary + b"\r\n"
        b'Content-Disposition: form-data; name="' + name.encode() + b'"\r\n\r\n' + value.encode()
        for name, value in fields.items()
    ]
    parts.append(
        b"--" + boundary + b"\r\n"
        b'Content-Disposition: form-data; name="file"; filename="' + filename + b'"\r\n'
        b"Content-Type: application/octet-stream\r\n\r\n" + content
    )
    body = b"\r\n".join(parts) + b"\r\n--" + boundary + b"--\r\n"
    return body, {"content-type": f"multipart/form-data; boundary={boundary.decode()}"}


ODD_NAMES = {
    "dot-dot": b"..",
    "dot": b".",
    "climbing": b"../../escaped.toml",
    "windows climbing": b"..\\..\\escaped.toml",
    "NUL byte": b"notes\x00.toml",
    "300 bytes": b"n" * 300 + b".toml",
    "88 CJK characters": ("悲" * 88 + ".txt").encode(),
    "empty": b"",
    "spaces": b"   ",
    "slash": b"/",
    "invalid UTF-8": b"\xff\xfe\xfd.toml",
    "right-to-left override": "\u202elmot.txt".encode(),
    "device name": b"CON",
}
DECK = b'id = "mine"\nname = "Mine"\n[[prompts]]\nid = "mine-1"\ntext = "Hello?"\n'


@pytest.mark.parametrize("name", list(ODD_NAMES))
@pytest.mark.parametrize("route", UPLOAD_ROUTES)
def test_an_odd_filename_never_crashes_an_upload(client, data_dir, route, name):
    body, headers = multipart(ODD_NAMES[name], DECK, **{"from": "jrnl"})
    response = client.post(route, content=body, headers=headers, follow_redirects=False)
    assert response.status_code < 500, response.text[:300]
    assert "Traceback" not in response.text
    assert not list(data_dir.parent.rglob("escaped.toml"))


def test_an_upload_keeps_the_persons_name_for_messages_only(client, data_dir):
    long_name = ("悲しみ" * 40 + ".toml").encode()
    body, headers = multipart(long_name, DECK)
    added = client.post("/api/v1/decks", content=body, headers=headers)
    assert added.status_code == 201 and added.json()["id"] == "mine"
    body, headers = multipart(b"../my \x00deck.toml", b'id = "x"\nname = 3\n')
    wrong = client.post("/api/v1/decks", content=body, headers=headers)
    message = wrong.json()["error"]["message"]
    assert wrong.status_code == 422 and message.startswith("my deck.toml, line 2")
    assert "tmp" not in message and "upload" not in message
    leftovers = [p for p in data_dir.rglob("*") if p.is_file() and "upload" in p.name]
    assert leftovers == []


def test_a_transcripts_default_title_is_the_persons_file_name(client):
    text = b"Nurse: How are you today?\nClient: Tired, mostly.\n"
    body, headers = multipart("面談の記録\u202e.txt".encode(), text)
    made = client.post("/api/v1/transcripts", content=body, headers=headers)
    assert made.status_code == 201, made.text
    listed = client.get("/api/v1/transcripts").json()["transcripts"]
    assert listed[0]["title"] == "面談の記録"
