"""The local app's side of the team server: a small JSON client and the sign-in token.

`attune server login URL` exchanges an e-mail and password for a token once; the token
(never the password) is kept in ``server.json`` in the data folder, readable only by its
owner. Only loopback or the server named at login is ever contacted, and only when the
person runs a server or share command.
"""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from attunement.errors import AttuneError, Conflict, InvalidInput, NotFound, StorageError

CREDENTIALS = "server.json"
TIMEOUT_S = 30
PROTOCOL = 1  # the sync protocol this Attunement speaks (server/protocol.py)
PROTOCOL_HEADER = "Attune-Protocol"


class ServerRefused(AttuneError):
    """The server said no, in its own words (its error's code and message are kept)."""

    exit_code = 1


class SignedOut(ServerRefused):
    """The server no longer knows this computer's token (the session was ended there,
    or ran out): sign in again."""


class Unreachable(StorageError):
    """The server could not be reached at all (nothing was sent)."""


class ProtocolMismatch(AttuneError):
    """The server speaks another version of the protocol: nothing is sent or applied."""

    code = "protocol_mismatch"
    http_status = 409
    exit_code = 1


@dataclass(frozen=True)
class Login:
    url: str
    token: str
    email: str


def normal_url(url: str) -> str:
    url = url.strip().rstrip("/")
    if not url.startswith(("http://", "https://")):
        raise InvalidInput(
            f"The server's address must start with https:// (or http:// on this computer), "
            f"not {url!r}.",
            field="url",
        )
    return url


def _credentials_path(data_dir: Path) -> Path:
    return data_dir / CREDENTIALS


def saved(data_dir: Path) -> Login:
    path = _credentials_path(data_dir)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return Login(data["url"], data["token"], data.get("email", ""))
    except FileNotFoundError:
        raise InvalidInput(
            "You are not signed in to a team server; run `attune server login URL` first.",
            field="server",
        ) from None
    except (ValueError, KeyError, TypeError):
        raise InvalidInput(
            f"{path} is damaged; sign in again with `attune server login URL`.", field="server"
        ) from None


def save(data_dir: Path, login: Login) -> Path:
    from attunement.paths import ensure_data_dir

    ensure_data_dir(data_dir)
    path = _credentials_path(data_dir)
    write_private(path, json.dumps({"url": login.url, "token": login.token, "email": login.email}))
    return path


def write_private(path: Path, text: str) -> None:
    """Write a file that only its owner may read (0600), whole or not at all: the token,
    and the names and e-mail addresses of the people one can share with."""
    part = path.with_name(path.name + ".part")
    fd = os.open(part, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    if hasattr(os, "fchmod"):  # a part left by an earlier try keeps its mode otherwise
        os.fchmod(fd, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    part.replace(path)


def forget(data_dir: Path) -> bool:
    try:
        _credentials_path(data_dir).unlink()
        return True
    except FileNotFoundError:
        return False


class Client:
    def __init__(self, url: str, token: str | None = None) -> None:
        self.url = normal_url(url)
        self.token = token

    def call(self, method: str, path: str, body: Any = None) -> Any:
        data = None if body is None else json.dumps(body).encode("utf-8")
        request = urllib.request.Request(self.url + path, data=data, method=method)
        request.add_header("Accept", "application/json")
        if data is not None:
            request.add_header("Content-Type", "application/json")
        if self.token:
            request.add_header("Authorization", f"Bearer {self.token}")
        request.add_header(PROTOCOL_HEADER, str(PROTOCOL))
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT_S) as response:
                _check_protocol(response.headers.get(PROTOCOL_HEADER))
                return json.loads(response.read() or b"null")
        except urllib.error.HTTPError as exc:
            raise _refusal(exc, self.url) from None
        except (urllib.error.URLError, TimeoutError, ConnectionError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise Unreachable(
                f"Cannot reach the team server at {self.url} ({reason}); check the address "
                "and your connection, then try again (nothing was sent)."
            ) from None

    @classmethod
    def signed_in(cls, data_dir: Path) -> Client:
        login = saved(data_dir)
        return cls(login.url, login.token)


def _check_protocol(said: str | None) -> None:
    """Refuse an answer from a server that speaks another protocol (or none: an
    Attunement from before versions were said), before anything is done with it."""
    if said is not None and said.strip() == str(PROTOCOL):
        return
    from attunement.server.protocol import mismatch_message

    theirs = "none (an older Attunement)" if said is None else said.strip()[:20]
    raise ProtocolMismatch(mismatch_message(PROTOCOL, theirs, on_server=False))


def signed_out_message(url: str) -> str:
    return (
        f"The team server at {url} no longer knows this computer: its sign-in was ended "
        f"there or ran out; sign in again with `attune server login {url}`."
    )


def _refusal(exc: urllib.error.HTTPError, url: str) -> AttuneError:
    try:
        error = json.loads(exc.read())["error"]
        message, code, field = error["message"], error["code"], error.get("field")
    except (ValueError, KeyError, TypeError):
        message, code, field = f"The team server answered {exc.code}.", "server_error", None
    if code == "protocol_mismatch":
        return ProtocolMismatch(message, field=field)
    said = exc.headers.get(PROTOCOL_HEADER) if exc.headers else None
    if said is not None and said.strip() != str(PROTOCOL):
        _check_protocol(said)
    if exc.code == 401:
        signed_out = SignedOut(signed_out_message(url), field=field)
        signed_out.code = code
        return signed_out
    if exc.code == 429:
        message = f"{message} (wait {exc.headers.get('Retry-After', 'a few')} seconds)"
    kind: type[AttuneError] = {404: NotFound, 409: Conflict, 422: InvalidInput}.get(
        exc.code, ServerRefused
    )
    error_ = kind(message, field=field)
    error_.code = code
    return error_


SECOND_FACTOR_NEEDED = "second_factor_needed"  # the server's error code: ask for the code


def login(
    data_dir: Path, url: str, email: str, password: str, label: str, code: str | None = None
) -> Login:
    client = Client(url)
    body = {"email": email, "password": password, "label": label}
    if code:
        body["code"] = code
    answer = client.call("POST", "/api/v1/token", body)
    made = Login(client.url, answer["token"], email.strip().lower())
    save(data_dir, made)
    return made
