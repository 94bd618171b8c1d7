"""What a new user's trial of the team server found, each told as their story.

- Sam turns on a second factor: the session he signed into with the password alone, in
  another browser and on his laptop, ends there and then.
- Sam's session ends while a share link waits in his mail: opening it takes him to the
  sign-in page and, once signed in (code and all), back to the item; never off the site.
- Sam quotes "my chest tightened" where the text says "My chest tightened", or writes too
  much: the page comes back with his words kept and says what to change.
- The lone admin lost the first link: `attune server admin-link` on the server prints a
  new one; the welcome form asks for the password twice.
- The team server and the local journal do not both want port 8765.
- Sam's inbox says "new version" until he opens the version Tom sent after his request.
- `attune server login` asks a mismatched server its protocol before sending a password.
"""

from __future__ import annotations

import json
import re
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlencode

import pyotp
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from attunement.cli import cli
from attunement.server.db import reading
from attunement.server.schema import audit, comments, users

from .conftest import Attune
from .server_world import PASSWORD, build_world, form_csrf

TEXT = (
    "My chest tightened and I wanted to fix it.\n\nShe said \u201cdon\u2019t go\u201d and I "
    "stayed  with   her silence."
)


@pytest.fixture
def world(tmp_path):
    return build_world(tmp_path)


def browser(world) -> TestClient:
    return TestClient(world.app, base_url="http://testserver")


def sign_in(world, client, email, password=PASSWORD, next_=None):
    page = client.get("/signin" + (f"?{urlencode({'next': next_})}" if next_ else ""))
    data = {"csrf": form_csrf(page.text), "email": email, "password": password}
    found = re.search(r'name="next" value="([^"]*)"', page.text)
    if found:
        data["next"] = found.group(1)
    return client.post("/signin", data=data, follow_redirects=False)


def turn_on_code(client) -> tuple[str, object]:
    page = client.get("/account/two-factor")
    client.post("/account/two-factor/setup", data={"csrf": form_csrf(page.text)})
    page = client.get("/account/two-factor")
    key = re.search(r'<code class="digest">([A-Z2-7]{16,})</code>', page.text).group(1)
    done = client.post(
        "/account/two-factor/confirm",
        data={"csrf": form_csrf(page.text), "code": pyotp.TOTP(key).now()},
    )
    return key, done


# ---- A4: a second factor turned on ends the other sessions ---------------------------------


def test_turning_on_a_second_factor_signs_out_every_other_session(world):
    sam_elsewhere = browser(world)
    assert sign_in(world, sam_elsewhere, "sam@example.org").headers["location"] == "/"
    laptop = world.api("Sam")  # `attune server login` on his laptop, password only
    assert laptop.get("/api/v1/me").status_code == 200

    here = browser(world)
    sign_in(world, here, "sam@example.org")
    _key, done = turn_on_code(here)
    assert done.status_code == 200
    assert "Other sessions were" in done.text and "signed out" in done.text

    # The password-only sessions are gone; the one that turned it on goes on.
    gone = sam_elsewhere.get("/account", follow_redirects=False)
    assert gone.status_code == 303 and gone.headers["location"].startswith("/signin")
    assert laptop.get("/api/v1/me").status_code == 401
    assert here.get("/account").status_code == 200
    with reading(world.engine) as conn:
        details = conn.execute(select(audit.c.detail).where(audit.c.action == "totp.on")).all()
    assert [d.detail for d in details] == ["2 ended"]


def test_a_password_set_from_a_link_ends_every_session(world):
    tess = browser(world)
    sign_in(world, tess, "tess@example.org")
    ada = world.client("Ada")
    made = ada.post(
        f"/admin/members/{world.ids['Tess']}/password-link",
        data={"csrf": ada.headers["X-CSRF-Token"]},
    )
    path = made.text.split('<code class="link">')[1].split("<")[0].split("testserver")[-1]
    path = path[path.index("/welcome/") :]
    fresh = browser(world)
    page = fresh.get(path)
    new = "another long enough password"
    fresh.post(
        path,
        data={"csrf": form_csrf(page.text), "password": new, "password_again": new},
    )
    assert tess.get("/account", follow_redirects=False).status_code == 303


# ---- B3: a signed-out share link goes to sign-in and back ---------------------------------


def test_a_signed_out_share_link_goes_to_sign_in_and_back_to_the_item(world):
    share = world.share("Tom", "Sam", "After the night shift", TEXT)
    sam = browser(world)
    asked = sam.get(f"/shares/{share}", follow_redirects=False)
    assert asked.status_code == 303
    assert asked.headers["location"] == "/signin?" + urlencode({"next": f"/shares/{share}"})
    page = sam.get(asked.headers["location"])
    assert "you will be taken back to it" in page.text
    assert f'name="next" value="/shares/{share}"' in page.text

    answer = sign_in(world, sam, "sam@example.org", next_=f"/shares/{share}")
    assert answer.status_code == 303 and answer.headers["location"] == f"/shares/{share}"
    assert "fix it" in sam.get(answer.headers["location"]).text


def test_the_way_back_survives_the_code_step(world):
    share = world.share("Tom", "Sam", "After the night shift", TEXT)
    first = browser(world)
    sign_in(world, first, "sam@example.org")
    key, _ = turn_on_code(first)
    sam = browser(world)
    answer = sign_in(world, sam, "sam@example.org", next_=f"/shares/{share}")
    assert answer.headers["location"] == "/signin/code?" + urlencode({"next": f"/shares/{share}"})
    page = sam.get(answer.headers["location"])
    assert f'name="next" value="/shares/{share}"' in page.text
    import time

    done = sam.post(
        "/signin/code",
        data={
            "csrf": form_csrf(page.text),
            "code": pyotp.TOTP(key).at(time.time() + 30),
            "next": f"/shares/{share}",
        },
        follow_redirects=False,
    )
    assert done.status_code == 303 and done.headers["location"] == f"/shares/{share}"


@pytest.mark.parametrize(
    "wanted",
    [
        "https://evil.example/",
        "//evil.example/shares",
        "/\\evil.example",
        "http:/evil.example",
        "javascript:alert(1)",
        "/signin",
        "/shares/x\r\nSet-Cookie: a=b",
    ],
)
def test_the_way_back_never_leaves_the_server(world, wanted):
    sam = browser(world)
    page = sam.get("/signin?" + urlencode({"next": wanted}))
    assert 'name="next"' not in page.text  # nothing to come back to
    answer = sam.post(
        "/signin",
        data={
            "csrf": form_csrf(page.text),
            "email": "sam@example.org",
            "password": PASSWORD,
            "next": wanted,
        },
        follow_redirects=False,
    )
    assert answer.status_code == 303 and answer.headers["location"] == "/"


def test_those_signed_in_who_may_not_see_it_still_get_the_plain_404(world):
    share = world.share("Tom", "Sam", "After the night shift", TEXT)
    tess = world.client("Tess")
    real = tess.get(f"/shares/{share}", follow_redirects=False)
    never = tess.get("/shares/00000000-0000-4000-8000-000000000000", follow_redirects=False)
    assert real.status_code == never.status_code == 404 and real.text == never.text
    # The API is unchanged: a 404 for content, a 401 for one's own things.
    anonymous = browser(world)
    assert anonymous.get(f"/api/v1/shares/{share}").status_code == 404
    assert anonymous.get("/api/v1/me").status_code == 401


# ---- B4 and B5: commenting keeps what was typed ------------------------------------------


def comment_form(client, share):
    page = client.get(f"/shares/{share}")
    return form_csrf(page.text)


def test_a_loosely_copied_quote_is_found_and_kept_as_the_text_has_it(world):
    share = world.share("Tom", "Sam", "After the night shift", TEXT)
    sam = world.client("Sam")
    csrf = comment_form(sam, share)
    for quote, stored in [
        ("my chest tightened and I wanted to fix it", "My chest tightened and I wanted to fix it"),
        ('she said "don\'t go" and i stayed with her', TEXT[TEXT.index("She") : -9]),
    ]:
        answer = sam.post(
            f"/shares/{share}/comments",
            data={"csrf": csrf, "quote": quote, "body": "Stay with that."},
            follow_redirects=False,
        )
        assert answer.status_code == 303, answer.text
        with reading(world.engine) as conn:
            kept = conn.execute(select(comments.c.quote).order_by(comments.c.created_at)).all()
        assert kept[-1].quote == stored


def test_a_quote_not_in_the_text_brings_the_form_back_with_both_fields_kept(world):
    share = world.share("Tom", "Sam", "After the night shift", TEXT)
    sam = world.client("Sam")
    answer = sam.post(
        f"/shares/{share}/comments",
        data={
            "csrf": comment_form(sam, share),
            "quote": "my heart sank",
            "body": "What did you notice in your body then?",
        },
    )
    assert answer.status_code == 422
    assert "fix it" in answer.text  # the share itself, not a dead end
    assert ">my heart sank</textarea>" in answer.text
    assert ">What did you notice in your body then?</textarea>" in answer.text
    assert 'id="quote-error"' in answer.text and "not in the latest version" in answer.text
    with reading(world.engine) as conn:
        assert conn.execute(select(comments.c.id)).all() == []


def test_a_comment_over_the_limit_names_the_limit_and_its_length_and_is_kept(world):
    share = world.share("Tom", "Sam", "After the night shift", TEXT)
    sam = world.client("Sam")
    long = ("word " * 2469)[:-1] + "."  # 12,345 characters
    answer = sam.post(
        f"/shares/{share}/comments",
        data={"csrf": comment_form(sam, share), "body": long},
    )
    assert answer.status_code == 422
    assert "Comments can be up to 10,000 characters; yours has 12,345" in answer.text
    assert long in answer.text and 'id="body-error"' in answer.text
    assert "The request is not valid" not in answer.text
    api = world.api("Sam").post(f"/api/v1/shares/{share}/comments", json={"body": long})
    assert api.status_code == 422
    assert api.json()["error"]["message"].startswith(
        "Comments can be up to 10,000 characters; yours has 12,345"
    )


def test_a_reply_too_long_comes_back_in_its_own_form(world):
    share = world.share("Tom", "Sam", "After the night shift", TEXT)
    sam = world.client("Sam")
    sam.post(f"/shares/{share}/comments", data={"csrf": comment_form(sam, share), "body": "First."})
    with reading(world.engine) as conn:
        parent = conn.execute(select(comments.c.id)).scalar_one()
    tom = world.client("Tom")
    answer = tom.post(
        f"/shares/{share}/comments",
        data={"csrf": comment_form(tom, share), "body": "y" * 10_001, "parent": parent},
    )
    assert answer.status_code == 422 and "yours has 10,001" in answer.text
    assert f'id="reply-error-{parent}"' in answer.text and "y" * 10_001 in answer.text


# ---- B1: a way back for the admin -------------------------------------------------------


def run(world, tmp_path, *args, ok=True):
    attune = Attune(tmp_path / "server-data")
    url = world.config.database_url
    return attune(
        "server", "admin-link", "--database", url, "--url", "http://testserver", *args, ok=ok
    )


def welcome(world, link, password, again=None):
    client = browser(world)
    path = link.split("http://testserver", 1)[1]
    page = client.get(path)
    data = {"csrf": form_csrf(page.text), "password": password}
    data["password_again"] = password if again is None else again
    return client, path, client.post(path, data=data, follow_redirects=False)


def test_a_locked_out_admin_gets_a_new_link_on_the_server(world, tmp_path):
    done = run(world, tmp_path, "ada@example.org")
    link = re.search(r"http://testserver/welcome/\S+", done.output).group(0)
    assert "expires in 7 days" in done.output
    # Two different passwords: refused, and the link still works.
    client, path, refused = welcome(world, link, "a brand new password", "a brand new passw0rd")
    assert refused.status_code == 422 and "not the same" in refused.text
    client, _, answer = welcome(world, link, "a brand new password")
    assert answer.status_code == 303
    told = client.get(answer.headers["location"]).text  # the sign-in page says it worked
    assert "Your password is set: sign in with your e-mail address and that password." in told
    again = sign_in(world, browser(world), "ada@example.org", "a brand new password")
    assert again.headers["location"] == "/"
    with reading(world.engine) as conn:
        logged = conn.execute(select(audit).where(audit.c.action == "admin.link")).all()
    assert len(logged) == 1 and logged[0].actor_id is None and "existing admin" in logged[0].detail


def test_a_new_address_makes_a_second_admin_after_saying_so(world, tmp_path):
    refused = run(world, tmp_path, "bo@example.org", ok=False)
    assert refused.exit_code != 0 and "give their name with --name" in refused.output
    done = run(world, tmp_path, "bo@example.org", "--name", "Bo Admin")
    assert "a new admin account was made" in done.output
    with reading(world.engine) as conn:
        bo = conn.execute(select(users).where(users.c.email == "bo@example.org")).one()
    assert bo.is_admin
    member = run(world, tmp_path, "tom@example.org", ok=False)
    assert member.exit_code != 0 and "not an admin" in member.output


def test_a_lost_phone_can_be_cleared_with_the_link(world, tmp_path):
    ada = browser(world)
    sign_in(world, ada, "ada@example.org")
    turn_on_code(ada)
    done = run(world, tmp_path, "ada@example.org", "--turn-off-second-factor", "--json")
    made = json.loads(done.stdout)
    assert made["second_factor_off"] is True and made["new_account"] is False
    assert ada.get("/account", follow_redirects=False).status_code == 200  # until it is used
    _, _, answer = welcome(world, made["sign_in_link"], "a brand new password")
    assert answer.status_code == 303
    assert ada.get("/account", follow_redirects=False).status_code == 303
    again = sign_in(world, browser(world), "ada@example.org", "a brand new password")
    assert again.headers["location"] == "/"  # no code asked


# ---- B7: its own port, and a clear word when that is taken ---------------------------------


def test_the_team_server_has_its_own_port_and_says_when_it_is_taken(tmp_path):
    from click.testing import CliRunner

    from attunement.server.config import DEFAULT_PORT, ServerConfig

    assert DEFAULT_PORT != 8765 and ServerConfig(database_url="x").public_url.endswith(":8766")
    runner = CliRunner()
    shown = runner.invoke(cli, ["server", "serve", "--help"])
    assert "default: 8766" in shown.output
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = runner.invoke(
            cli,
            ["--data-dir", str(tmp_path), "server", "serve", "--port", str(port)],
        )
    assert result.exit_code == 3
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and f"Port {port} on 127.0.0.1 is already in use" in lines[0]
    assert "--port" in lines[0] and "Errno" not in result.output


# ---- B8: a new version says so in the inbox ----------------------------------------------


def inbox_status(client, title):
    page = client.get("/").text
    row = page[page.index(title) :]
    return row[: row.index("</tr>")]


def test_the_inbox_says_new_version_until_the_newest_is_opened(world):
    share = world.share("Tom", "Sam", "After the night shift", TEXT)
    sam = world.client("Sam")
    assert "not opened yet" in inbox_status(sam, "After the night shift")
    sam.get(f"/shares/{share}")
    assert "opened" in inbox_status(sam, "After the night shift")
    sam.post(
        f"/shares/{share}/comments",
        data={"csrf": comment_form(sam, share), "body": "Say more.", "kind": "changes"},
    )
    assert "changes requested" in inbox_status(sam, "After the night shift")

    world.api("Tom").put(  # Tom sends version 2
        f"/api/v1/shares/{share}",
        json={
            "kind": "entry",
            "reader": world.ids["Sam"],
            "title": "After the night shift",
            "body": TEXT + "\n\nMore.",
        },
    )
    assert "new version" in inbox_status(sam, "After the night shift")
    assert "new version" in inbox_status(sam, "After the night shift")  # kept, still so
    sam.get(f"/shares/{share}?revision=1")  # the old one again: still a new one waiting
    assert "new version" in inbox_status(sam, "After the night shift")
    sam.get(f"/shares/{share}")
    status = inbox_status(sam, "After the night shift")
    assert "new version" not in status and "opened" in status


# ---- A6: the protocol is asked before the password is sent --------------------------------


def test_login_asks_the_protocol_before_sending_the_password(tmp_path):
    from attunement.server import team
    from attunement.server.client import ProtocolMismatch

    seen: list[tuple[str, str]] = []

    class Other(BaseHTTPRequestHandler):
        def answer(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            seen.append((self.command, self.path + self.rfile.read(length).decode()))
            self.send_response(200)
            self.send_header("Attune-Protocol", "2")
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(b'{"status": "ok", "token": "t"}')

        do_GET = do_POST = answer

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Other)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}"
        with pytest.raises(ProtocolMismatch):
            team.sign_in(tmp_path, url, "nora@example.org", "nurse-pass-123", label="test")
    finally:
        server.shutdown()
        server.server_close()
    assert seen == [("GET", "/api/v1/health")]
    assert not (tmp_path / "server.json").exists()


# ---- C9: a supervisor is not told to share from the command line ---------------------------


def test_a_supervisors_home_page_does_not_tell_them_to_share_from_a_terminal(world):
    world.share("Tom", "Sam", "After the scan", "I stayed.")
    sam = world.client("Sam").get("/").text
    assert "You have not shared anything yourself." in sam
    assert "attune share entry" not in sam
    tess = world.client("Tess").get("/").text  # a trainee who has shared nothing yet
    assert "<strong>Share</strong> button on an entry" in tess


# ---- D3: the admin's member list -------------------------------------------------------------


def test_the_admins_member_list_is_in_order_and_offers_only_what_applies(world):
    tom = browser(world)
    sign_in(world, tom, "tom@example.org")
    turn_on_code(tom)
    page = world.client("Ada").get("/admin").text
    course_a = page[page.index("Cohort A") :]
    course_a = course_a[: course_a.index("</table>")]
    order = [n for n in ("Lee", "Sam", "Sue", "Tess", "Tom") if f"<td>{n}</td>" in course_a]
    positions = [course_a.index(f"<td>{n}</td>") for n in order]
    assert positions == sorted(positions), "the lead, the supervisors, then the trainees"
    assert page.count("Turn off second factor") == 1, "only Tom has one"
    assert f"/admin/members/{world.ids['Tom']}/two-factor/reset" in page
