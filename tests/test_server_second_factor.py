"""A second factor on the team server, as members and their admin meet it.

Tess turns on a code from an authenticator app on My account (a QR code, the key to
type, a code to confirm, ten recovery codes shown once). From then on her password alone
only gets her to the code page, which is not a session and reaches nothing else; a code
is good once (a replayed code is refused), wrong codes are limited like wrong passwords,
and each recovery code works once. `attune server login` asks for the code too. Ada, the
admin, requires a second factor for everyone, so Tom sets his up at his next sign-in,
and turns off Tess's when she loses her phone. The database never holds the secret or
the recovery codes in the clear.
"""

from __future__ import annotations

import re
import socket
import threading
import time
from datetime import timedelta

import pyotp
import pytest
import uvicorn
from fastapi.testclient import TestClient
from sqlalchemy import func, select, update

from attunement.errors import StorageError
from attunement.server import sealing
from attunement.server.db import now, reading, writing
from attunement.server.schema import audit, recovery_codes, second_factors, sessions, signin_steps

from .server_world import PASSWORD, build_world, form_csrf


@pytest.fixture
def world(tmp_path):
    return build_world(tmp_path, key_file=str(tmp_path / "keys" / "server.key"))


def browser(world) -> TestClient:
    return TestClient(world.app, base_url="http://testserver")


def sign_in_with_password(world, email: str, client: TestClient | None = None, password=PASSWORD):
    client = client or browser(world)
    page = client.get("/signin")
    answer = client.post(
        "/signin",
        data={"csrf": form_csrf(page.text), "email": email, "password": password},
        follow_redirects=False,
    )
    return client, answer


def give_code(client: TestClient, code: str):
    page = client.get("/signin/code")
    assert page.status_code == 200, page.text
    return client.post(
        "/signin/code", data={"csrf": form_csrf(page.text), "code": code}, follow_redirects=False
    )


def key_on(html: str) -> str:
    found = re.search(r'<code class="digest">([A-Z2-7]{16,})</code>', html)
    assert found, "no key to type on the page"
    return found.group(1)


def codes_on(html: str) -> list[str]:
    return re.findall(r'<code class="digest">([A-Z2-9]{4}(?:-[A-Z2-9]{4}){3})</code>', html)


def turn_on(world, email: str) -> tuple[TestClient, str, list[str]]:
    """A member signs in, sets up a second factor and confirms it: (browser, key, codes)."""
    client, answer = sign_in_with_password(world, email)
    assert answer.headers["location"] == "/"
    page = client.get("/account/two-factor")
    client.post("/account/two-factor/setup", data={"csrf": form_csrf(page.text)})
    page = client.get("/account/two-factor")
    key = key_on(page.text)
    done = client.post(
        "/account/two-factor/confirm",
        data={"csrf": form_csrf(page.text), "code": pyotp.TOTP(key).now()},
    )
    assert done.status_code == 200, done.text
    return client, key, codes_on(done.text)


def session_count(world) -> int:
    with reading(world.engine) as conn:
        return conn.execute(select(func.count()).select_from(sessions)).scalar_one()


def test_a_member_turns_on_a_code_and_signs_in_with_it(world):
    client, answer = sign_in_with_password(world, "tess@example.org")
    page = client.get("/account")
    assert 'href="/account/two-factor"' in page.text
    page = client.get("/account/two-factor")
    assert "Set up a second factor" in page.text
    client.post("/account/two-factor/setup", data={"csrf": form_csrf(page.text)})

    # The page shows the QR code (inline SVG, no script), the key and the otpauth link.
    page = client.get("/account/two-factor")
    key = key_on(page.text)
    assert "<svg" in page.text and "otpauth://totp/" in page.text
    assert "tess%40example.org" in page.text and "issuer=Hospice" in page.text

    # A wrong code turns nothing on.
    wrong = client.post(
        "/account/two-factor/confirm", data={"csrf": form_csrf(page.text), "code": "000000"}
    )
    assert wrong.status_code == 422 and "does not match" in wrong.text
    with reading(world.engine) as conn:
        assert conn.execute(select(second_factors.c.confirmed_at)).scalar() is None

    done = client.post(
        "/account/two-factor/confirm",
        data={"csrf": form_csrf(page.text), "code": pyotp.TOTP(key).now()},
    )
    codes = codes_on(done.text)
    assert len(codes) == 10 and len(set(codes)) == 10
    assert "shown only" in done.text

    # Next time, the password alone leads to the code page, and no session is made.
    before = session_count(world)
    fresh, answer = sign_in_with_password(world, "tess@example.org")
    assert answer.status_code == 303 and answer.headers["location"] == "/signin/code"
    assert "attune_session" not in fresh.cookies
    assert session_count(world) == before
    page = fresh.get("/signin/code")
    assert "6-digit code" in page.text

    # The code from the app (the next one, as a phone a few seconds ahead would show).
    code = pyotp.TOTP(key).at(time.time() + 30)
    signed_in = give_code(fresh, code)
    assert signed_in.status_code == 303 and signed_in.headers["location"] == "/"
    assert fresh.get("/").status_code == 200
    assert "Sign out Tess" in fresh.get("/").text

    # The same code again, in another browser, is refused: a code is good once.
    other, _ = sign_in_with_password(world, "tess@example.org")
    replayed = give_code(other, code)
    assert replayed.status_code == 422 and "already used" in replayed.text
    assert "attune_session" not in other.cookies

    # A recovery code works once instead.
    assert give_code(other, codes[0].lower().replace("-", " ")).headers["location"] == "/"
    third, _ = sign_in_with_password(world, "tess@example.org")
    assert give_code(third, codes[0]).status_code == 422
    with reading(world.engine) as conn:
        details = conn.execute(
            select(audit.c.detail).where(audit.c.action == "signin", audit.c.outcome == "ok")
        ).scalars()
        assert {"web+code", "web+recovery"} <= set(details)


def test_the_half_signed_in_state_reaches_nothing_and_ends(world):
    turn_on(world, "tess@example.org")
    client, _ = sign_in_with_password(world, "tess@example.org")
    step = client.cookies.get("attune_step")
    assert step
    # The step's cookie is not a session: as a cookie or as a bearer token it opens nothing.
    for path in ["/", "/account", "/account/two-factor"]:
        where = client.get(path, follow_redirects=False).headers["location"]
        assert where.split("?")[0] == "/signin"
    stolen = TestClient(world.app)
    stolen.headers["Authorization"] = f"Bearer {step}"
    assert stolen.get("/api/v1/me").status_code == 401
    stolen.cookies.set("attune_session", step)
    assert stolen.get("/account", follow_redirects=False).status_code == 303

    # It ends after a few minutes: the code page sends the browser back to sign in.
    with writing(world.engine) as conn:
        conn.execute(update(signin_steps).values(expires_at=now() - timedelta(seconds=1)))
    assert client.get("/signin/code", follow_redirects=False).headers["location"] == "/signin"


def test_the_code_page_needs_its_csrf_token(world):
    _, key, _ = turn_on(world, "tess@example.org")
    client, _ = sign_in_with_password(world, "tess@example.org")
    page = client.get("/signin/code")
    good = form_csrf(page.text)
    before = session_count(world)
    for token in ("", "forged", good[:-1] + ("A" if good[-1] != "A" else "B")):
        forged = client.post(
            "/signin/code",
            data={"csrf": token, "code": pyotp.TOTP(key).now()},
            follow_redirects=False,
        )
        assert forged.status_code == 403, token
    assert session_count(world) == before
    done = client.post(
        "/signin/code",
        data={"csrf": good, "code": pyotp.TOTP(key).at(time.time() + 30)},
        follow_redirects=False,
    )
    assert done.status_code == 303 and session_count(world) == before + 1


def test_wrong_codes_are_limited_like_wrong_passwords(world):
    _client, key, _codes = turn_on(world, "tess@example.org")
    client, _ = sign_in_with_password(world, "tess@example.org")
    for _ in range(world.config.signin_failures_per_account):
        assert give_code(client, "123456").status_code == 422
    refused = give_code(client, pyotp.TOTP(key).at(time.time() + 30))
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) > 0
    assert "attune_session" not in client.cookies
    with reading(world.engine) as conn:
        refusals = conn.execute(
            select(func.count())
            .select_from(audit)
            .where(audit.c.action == "signin", audit.c.outcome == "refused")
        ).scalar_one()
    assert refusals == world.config.signin_failures_per_account


def test_the_database_holds_neither_the_key_nor_the_recovery_codes(world, tmp_path):
    _client, key, codes = turn_on(world, "tess@example.org")
    with reading(world.engine) as conn:
        sealed = conn.execute(select(second_factors.c.secret)).scalar_one()
        digests = conn.execute(select(recovery_codes.c.code_hash)).scalars().all()
    everything = sealed + " ".join(digests)
    assert key not in everything
    assert not any(c.replace("-", "") in everything or c in everything for c in codes)
    assert sealing.unseal(world.config, sealed) == key
    # Without the key file (a dump restored elsewhere), the secret cannot be read.
    from dataclasses import replace

    elsewhere = replace(world.config, key_file=str(tmp_path / "another.key"))
    with pytest.raises(StorageError, match="sealed with another key"):
        sealing.unseal(elsewhere, sealed)
    assert (tmp_path / "keys" / "server.key").stat().st_mode & 0o077 == 0


def test_turning_it_off_or_renewing_codes_needs_a_current_code(world):
    client, key, codes = turn_on(world, "tess@example.org")
    page = client.get("/account/two-factor")
    assert "10 recovery codes left" in page.text
    refused = client.post(
        "/account/two-factor/off", data={"csrf": form_csrf(page.text), "code": "000000"}
    )
    assert refused.status_code == 422
    renewed = client.post(
        "/account/two-factor/recovery-codes",
        data={"csrf": form_csrf(page.text), "code": codes[1]},
    )
    fresh = codes_on(renewed.text)
    assert len(fresh) == 10 and not set(fresh) & set(codes)
    off = client.post(
        "/account/two-factor/off",
        data={"csrf": form_csrf(page.text), "code": pyotp.TOTP(key).at(time.time() + 30)},
        follow_redirects=False,
    )
    assert off.status_code == 303
    assert "Set up a second factor" in client.get("/account/two-factor").text
    _again, answer = sign_in_with_password(world, "tess@example.org")
    assert answer.headers["location"] == "/"


def test_an_admin_requires_a_second_factor_and_members_set_it_up_at_sign_in(world):
    ada = world.client("Ada")
    page = ada.get("/admin/sign-in")
    assert page.status_code == 200
    saved = ada.post("/admin/sign-in/require", data={"required": "on"}, follow_redirects=False)
    assert saved.status_code == 303
    assert "checked" in ada.get("/admin/sign-in").text

    # Tom has no second factor: after his password he sets one up before any session.
    client, answer = sign_in_with_password(world, "tom@example.org")
    assert answer.headers["location"] == "/signin/code"
    page = client.get("/signin/code")
    assert "Set up your second factor" in page.text and "<svg" in page.text
    assert give_code(client, "000000").status_code == 422
    assert "attune_session" not in client.cookies
    key = key_on(client.get("/signin/code").text)
    done = give_code(client, pyotp.TOTP(key).now())
    assert done.status_code == 200 and len(codes_on(done.text)) == 10
    assert client.get("/").status_code == 200
    assert "Sign out Tom" in client.get("/").text

    # While it is required, Tom cannot turn it off himself.
    page = client.get("/account/two-factor")
    assert "requires one for everyone" in page.text and "Turn off" not in page.text

    # The local app: Bea, who has none yet, is told to set it up on the web page first.
    refused = TestClient(world.app).post(
        "/api/v1/token", json={"email": "bea@example.org", "password": PASSWORD}
    )
    assert refused.status_code == 422
    assert "web page to set it up" in refused.json()["error"]["message"]

    # Ada turns off Tom's (he lost his phone); he sets up a new one at his next sign-in.
    reset = ada.post(f"/admin/members/{world.ids['Tom']}/two-factor/reset", follow_redirects=False)
    assert reset.status_code == 303
    again, _ = sign_in_with_password(world, "tom@example.org")
    assert "Set up your second factor" in again.get("/signin/code").text
    with reading(world.engine) as conn:
        actions = set(conn.execute(select(audit.c.action)).scalars())
    assert {"signin.require_totp", "totp.on", "totp.reset"} <= actions


def test_the_api_token_needs_the_code_and_refuses_a_replay(world):
    _client, key, _codes = turn_on(world, "sam@example.org")
    api = TestClient(world.app)
    asked = api.post("/api/v1/token", json={"email": "sam@example.org", "password": PASSWORD})
    assert asked.status_code == 422
    assert asked.json()["error"]["code"] == "second_factor_needed"
    assert asked.json()["error"]["field"] == "code"
    code = pyotp.TOTP(key).at(time.time() + 30)
    made = api.post(
        "/api/v1/token", json={"email": "sam@example.org", "password": PASSWORD, "code": code}
    )
    assert made.status_code == 200 and made.json()["token"]
    me = TestClient(world.app, headers={"Authorization": f"Bearer {made.json()['token']}"})
    assert me.get("/api/v1/me").json()["second_factor"] == "on"
    replay = api.post(
        "/api/v1/token", json={"email": "sam@example.org", "password": PASSWORD, "code": code}
    )
    assert replay.status_code == 422 and "already used" in replay.json()["error"]["message"]
    # A right code with a wrong password is still a wrong password.
    wrong = api.post(
        "/api/v1/token",
        json={"email": "sam@example.org", "password": "not it at all", "code": code},
    )
    assert wrong.status_code == 422 and wrong.json()["error"]["field"] == "password"


@pytest.fixture
def served(world):
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(world.app, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    yield world, f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


def test_attune_server_login_asks_for_the_code(served, attune):
    world, url = served
    _client, key, _codes = turn_on(world, "tom@example.org")
    code = pyotp.TOTP(key).at(time.time() + 30)
    result = attune(
        "server", "login", url, "--email", "tom@example.org", input=f"{PASSWORD}\n{code}\n"
    )
    assert "Code from your authenticator app" in result.output
    assert "Signed in to" in result.output
    assert attune("share", "readers").exit_code == 0

    # The same code again is refused in one sentence, and no token is kept.
    attune("server", "logout")
    again = attune(
        "server",
        "login",
        url,
        "--email",
        "tom@example.org",
        input=f"{PASSWORD}\n{code}\n",
        ok=False,
    )
    assert again.exit_code != 0
    assert "already used" in again.output and "Traceback" not in again.output
    assert not (attune.data_dir / "server.json").exists()


def test_the_local_web_app_sends_the_code_with_the_password(served, data_dir):
    from attunement.web import Settings, create_app

    world, url = served
    _client, key, _codes = turn_on(world, "tom@example.org")
    app = create_app(Settings(data_dir=data_dir, extra_hosts=("testserver",)))
    with TestClient(app) as local:
        page = local.get("/server")
        assert 'name="code"' in page.text
        form = {"url": url, "email": "tom@example.org", "password": PASSWORD}
        asked = local.post("/server/login", data=form)
        assert asked.status_code == 422 and "6-digit code" in asked.text
        assert not (data_dir / "server.json").exists()
        code = pyotp.TOTP(key).at(time.time() + 30)
        done = local.post("/server/login", data={**form, "code": code}, follow_redirects=False)
        assert done.status_code == 303, done.text
        assert (data_dir / "server.json").exists()


def test_erasing_an_account_erases_its_second_factor(world):
    client, _key, _codes = turn_on(world, "tess@example.org")
    _half, answer = sign_in_with_password(world, "tess@example.org")  # a code still to give
    assert answer.headers["location"] == "/signin/code"
    page = client.get("/account")
    erased = client.post(
        "/account/erase",
        data={"csrf": form_csrf(page.text), "confirm": "tess@example.org"},
        follow_redirects=False,
    )
    assert erased.status_code == 303
    with reading(world.engine) as conn:
        for table in (second_factors, recovery_codes, signin_steps):
            assert conn.execute(select(func.count()).select_from(table)).scalar_one() == 0
