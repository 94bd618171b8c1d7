"""Reminders: a new comment, a deadline coming up, a deadline passed. With an SMTP setting
the member gets one short mail (that something happened, and where to sign in; never a
word of what was written), sent by `attune server remind` from a timer and right after a
comment; without one, the same notices are on the home page they land on after signing
in. The mail server in these tests is aiosmtpd on loopback, with STARTTLS and a login.

Runs on SQLite, and on PostgreSQL when ATTUNE_TEST_POSTGRES is set.
"""

from __future__ import annotations

import email
import shutil
import ssl
import subprocess
import uuid
from datetime import date, timedelta
from email.policy import default as default_policy

import pytest
from sqlalchemy import select

from attunement.server import deadlines
from attunement.server import notices as notices_module
from attunement.server.config import Smtp
from attunement.server.db import reading
from attunement.server.schema import audit, notices

from .conftest import Attune, free_port
from .server_world import PASSWORD, build_world, form_csrf

aiosmtpd = pytest.importorskip("aiosmtpd.controller")

TODAY = date.today()
COMMENT = "What did the urge to fix feel like in your body?"
SMTP_USER, SMTP_PASSWORD = "attune", "mail server secret"


class Inbox:
    """aiosmtpd's handler: keeps every message it is given."""

    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        self.messages.append(email.message_from_bytes(envelope.content, policy=default_policy))
        return "250 OK"

    def take(self) -> list[email.message.EmailMessage]:
        taken, self.messages = self.messages, []
        return taken


@pytest.fixture(scope="module")
def certificate(tmp_path_factory):
    """A self-signed certificate for 127.0.0.1, which the server is told to trust."""
    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed")
    folder = tmp_path_factory.mktemp("tls")
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
            "-keyout", str(folder / "key.pem"), "-out", str(folder / "cert.pem"),
            "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return folder / "cert.pem", folder / "key.pem"


@pytest.fixture
def mailserver(certificate):
    """A mail server on loopback that insists on STARTTLS and a login."""
    from aiosmtpd.smtp import AuthResult, LoginPassword

    cert, key = certificate
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)

    def authenticator(server, session, envelope, mechanism, auth_data):
        good = isinstance(auth_data, LoginPassword) and (
            auth_data.login.decode(),
            auth_data.password.decode(),
        ) == (SMTP_USER, SMTP_PASSWORD)
        return AuthResult(success=good, handled=False)  # a refusal answers 535

    inbox = Inbox()
    port = free_port()
    controller = aiosmtpd.Controller(
        inbox,
        hostname="127.0.0.1",
        port=port,
        tls_context=context,
        require_starttls=True,
        authenticator=authenticator,
        auth_required=True,
    )
    controller.start()
    yield inbox, port, cert
    controller.stop()


def smtp_of(port: int, cert, password: str = SMTP_PASSWORD) -> Smtp:
    return Smtp(
        host="127.0.0.1",
        sender="attune@hospice.example",
        port=port,
        user=SMTP_USER,
        password=password,
        starttls=True,
        cafile=str(cert),
    )


def smtp_env(port: int, cert, password: str = SMTP_PASSWORD) -> dict[str, str]:
    return {
        "ATTUNE_SERVER_SMTP_HOST": "127.0.0.1",
        "ATTUNE_SERVER_SMTP_PORT": str(port),
        "ATTUNE_SERVER_SMTP_USER": SMTP_USER,
        "ATTUNE_SERVER_SMTP_PASSWORD": password,
        "ATTUNE_SERVER_SMTP_FROM": "attune@hospice.example",
        "ATTUNE_SERVER_SMTP_STARTTLS": "yes",
        "ATTUNE_SERVER_SMTP_CAFILE": str(cert),
    }


def share(world, owner: str, reader: str, title: str, body: str, kind: str = "entry") -> str:
    share_id = str(uuid.uuid4())
    response = world.api(owner).put(
        f"/api/v1/shares/{share_id}",
        json={"kind": kind, "reader": world.ids[reader], "title": title, "body": body},
    )
    assert response.status_code == 200, response.text
    return share_id


def attention(html: str) -> str:
    """The home page's notices ("For your attention"), or nothing."""
    start = html.find('aria-labelledby="notices-h"')
    return "" if start < 0 else html[start : html.index("</section>", start)]


def text_of(message) -> str:
    return message.get_content().replace("\r\n", "\n")


def set_deadline(world, title: str, kind: str, days: int, signoff: bool = True) -> str:
    response = world.api("Lee").post(
        f"/api/v1/courses/{world.courses['A']}/deadlines",
        json={
            "title": title,
            "kind": kind,
            "signoff": signoff,
            "due_on": str(TODAY + timedelta(days=days)),
        },
    )
    assert response.status_code == 201, response.text
    return response.json()["id"]


def test_a_new_comment_is_mailed_once_and_never_its_words(tmp_path, mailserver):
    inbox, port, cert = mailserver
    world = build_world(tmp_path, smtp=smtp_of(port, cert))
    reflection = share(world, "Tom", "Sam", "Reflection of 3 Dec", "The urge to fix rose.")

    sam = world.client("Sam")
    page = sam.get(f"/shares/{reflection}")
    sam.post(f"/shares/{reflection}/comments", data={"csrf": form_csrf(page.text), "body": COMMENT})
    (mail,) = inbox.take()
    assert mail["To"] == "tom@example.org"
    assert mail["From"] == "attune@hospice.example"
    assert mail["Subject"] == "New comment on “Reflection of 3 Dec”"
    assert text_of(mail) == (
        "You have a new comment on “Reflection of 3 Dec”. Sign in to read it: "
        "http://127.0.0.1:8766/signin\n"
    )
    assert "urge" not in mail.as_string()

    # Two more comments before Tom reads them: no more mail, and his home page counts.
    api = world.api("Sam")
    for words in ("And where in your body?", "Take your time."):
        assert (
            api.post(f"/api/v1/shares/{reflection}/comments", json={"body": words}).status_code
            == 201
        )
    assert inbox.take() == []
    tom = world.client("Tom")
    home = tom.get("/").text
    assert "You have 3 new comments on “Reflection of 3 Dec”." in home
    assert COMMENT not in home

    # Tom replies: now Sam is told.
    assert (
        world.api("Tom")
        .post(
            f"/api/v1/shares/{reflection}/comments", json={"body": "Tight, like holding my breath."}
        )
        .status_code
        == 201
    )
    (to_sam,) = inbox.take()
    assert to_sam["To"] == "sam@example.org" and "Tight" not in to_sam.as_string()

    # Tom marks the notice read; it is gone, and someone else cannot dismiss his.
    notice = world.api("Tom").get("/api/v1/notices").json()[0]
    assert world.api("Sam").post(f"/api/v1/notices/{notice['id']}/dismiss").status_code == 404
    done = tom.post(
        f"/notices/{notice['id']}/dismiss", data={"csrf": form_csrf(home)}, follow_redirects=False
    )
    assert done.status_code == 303
    assert "new comment" not in tom.get("/").text
    assert world.api("Tom").get("/api/v1/notices").json() == []

    # Each mail is in the audit log, with no content.
    with reading(world.engine) as conn:
        lines = conn.execute(
            select(audit.c.owner_id, audit.c.detail).where(audit.c.action == "notice.mail")
        ).all()
    assert sorted(lines) == sorted([(world.ids["Tom"], "comment"), (world.ids["Sam"], "comment")])


def test_deadline_reminders_go_out_from_the_timer_once_each(tmp_path, mailserver, monkeypatch):
    inbox, port, cert = mailserver
    world = build_world(tmp_path)
    set_deadline(world, "First reflection signed off", "entry", days=10)
    set_deadline(world, "Practice progress shared", "practice", days=2, signoff=False)
    share(world, "Tess", "Sue", "Practice progress", "Figures only.", kind="practice")
    attune = Attune(tmp_path / "server-data")
    run = ["server", "remind", "--database", world.config.database_url]

    # Today: the practice deadline is two days away; Tom has not shared his, Tess has.
    done = attune.json(*run, env=smtp_env(port, cert))
    assert done == {"due_soon": 1, "overdue": 0, "signoff": 0, "mailed": 1, "smtp": True}
    (mail,) = inbox.take()
    assert mail["To"] == "tom@example.org"
    assert mail["Subject"].startswith("Reminder: “Practice progress shared” is due on ")
    assert "practice progress, shared" in text_of(mail)
    assert "Sign in to see where you stand: http://127.0.0.1:8766/signin" in text_of(mail)

    # The next day's run says nothing new.
    assert attune.json(*run, env=smtp_env(port, cert))["mailed"] == 0
    assert inbox.take() == []

    # Twelve days on: practice overdue for Tom; the reflection overdue for both.
    monkeypatch.setattr(deadlines, "today", lambda: TODAY + timedelta(days=12))
    done = attune.json(*run, env=smtp_env(port, cert))
    assert done["overdue"] == 3 and done["mailed"] == 3
    got = sorted((m["To"], m["Subject"]) for m in inbox.take())
    assert got == [
        ("tess@example.org", "Overdue: “First reflection signed off”"),
        ("tom@example.org", "Overdue: “First reflection signed off”"),
        ("tom@example.org", "Overdue: “Practice progress shared”"),
    ]


def test_a_refused_login_says_so_and_nothing_is_lost(tmp_path, mailserver, monkeypatch):
    inbox, port, cert = mailserver
    world = build_world(tmp_path)
    set_deadline(world, "First reflection signed off", "entry", days=1)
    attune = Attune(tmp_path / "server-data")
    run = ["server", "remind", "--database", world.config.database_url]
    failed = attune(*run, env=smtp_env(port, cert, password="wrong"), ok=False)
    assert failed.exit_code == 3
    assert failed.output.count("\n") <= 2
    assert "the user name or password was refused" in failed.output
    assert "Traceback" not in failed.output
    with reading(world.engine) as conn:
        waiting = conn.execute(select(notices.c.mailed_at)).scalars().all()
    assert waiting == [None, None]  # Tom and Tess, both still to be mailed
    assert attune.json(*run, env=smtp_env(port, cert))["mailed"] == 2
    assert sorted(m["To"] for m in inbox.take()) == ["tess@example.org", "tom@example.org"]


def test_a_mail_server_that_is_down_does_not_stop_a_comment(tmp_path, mailserver):
    inbox, port, cert = mailserver
    world = build_world(tmp_path, smtp=smtp_of(free_port(), cert))  # nothing listens there
    reflection = share(world, "Tom", "Sam", "Reflection of 3 Dec", "Words.")
    made = world.api("Sam").post(f"/api/v1/shares/{reflection}/comments", json={"body": "Hm."})
    assert made.status_code == 201
    with reading(world.engine) as conn:
        assert conn.execute(select(notices.c.mailed_at)).scalars().all() == [None]
    # The daily run, with the mail server back, sends it.
    attune = Attune(tmp_path / "server-data")
    run = ["server", "remind", "--database", world.config.database_url]
    assert attune.json(*run, env=smtp_env(port, cert))["mailed"] == 1
    (mail,) = inbox.take()
    assert mail["Subject"] == "New comment on “Reflection of 3 Dec”"


def test_without_smtp_the_notices_wait_on_the_home_page(tmp_path, monkeypatch):
    world = build_world(tmp_path)
    set_deadline(world, "First reflection signed off", "entry", days=5)
    set_deadline(world, "Packet shared", "packet", days=40, signoff=False)
    reflection = share(world, "Tom", "Sam", "Reflection of 3 Dec", "Words.")
    assert (
        world.api("Sam")
        .post(f"/api/v1/shares/{reflection}/comments", json={"body": COMMENT})
        .status_code
        == 201
    )

    # The daily run has nobody to mail and says where the notices are instead.
    attune = Attune(tmp_path / "server-data")
    said = attune("server", "remind", "--database", world.config.database_url)
    assert "ATTUNE_SERVER_SMTP_HOST is not set" in said.output
    with reading(world.engine) as conn:
        kinds = conn.execute(select(notices.c.kind)).scalars().all()
    assert kinds == ["comment"]  # deadline notices are worked out when shown

    # Tom signs in and lands on his home page with both notices; not the far deadline.
    browser = world.client()
    page = browser.get("/signin")
    home = browser.post(
        "/signin",
        data={"csrf": form_csrf(page.text), "email": "tom@example.org", "password": PASSWORD},
    )
    assert home.url.path == "/"
    told = attention(home.text)
    assert "You have a new comment on “Reflection of 3 Dec”." in told
    assert "Coming up:" in told and "“First reflection signed off”" in told
    assert "Packet shared" not in told and COMMENT not in home.text

    # A week later the reflection deadline is overdue; once Sam signs off, it is gone.
    monkeypatch.setattr(deadlines, "today", lambda: TODAY + timedelta(days=7))
    assert "Overdue:" in browser.get("/").text
    shown = world.api("Sam").get(f"/api/v1/shares/{reflection}").json()["shown"]
    world.api("Sam").post(
        f"/api/v1/shares/{reflection}/signoff",
        json={"revision": shown["number"], "sha256": shown["sha256"]},
    )
    assert "First reflection signed off" not in attention(browser.get("/").text)
    # Supervisors and leads have no deadlines of their own.
    assert "Coming up" not in world.client("Sam").get("/").text


@pytest.mark.parametrize(
    "env,field_text",
    [
        ({"ATTUNE_SERVER_SMTP_HOST": "mail.example.org"}, "ATTUNE_SERVER_SMTP_FROM"),
        (
            {
                "ATTUNE_SERVER_SMTP_HOST": "mail.example.org",
                "ATTUNE_SERVER_SMTP_FROM": "a@example.org",
                "ATTUNE_SERVER_SMTP_PORT": "smtp",
            },
            "ATTUNE_SERVER_SMTP_PORT must be a port number",
        ),
        (
            {
                "ATTUNE_SERVER_SMTP_HOST": "mail.example.org",
                "ATTUNE_SERVER_SMTP_FROM": "a@example.org",
                "ATTUNE_SERVER_SMTP_STARTTLS": "maybe",
            },
            "ATTUNE_SERVER_SMTP_STARTTLS must be yes or no",
        ),
    ],
)
def test_a_bad_smtp_setting_gets_one_sentence(tmp_path, env, field_text):
    attune = Attune(tmp_path / "server-data")
    url = f"sqlite:///{tmp_path / 'server.sqlite3'}"
    failed = attune("server", "remind", "--database", url, env=env, ok=False)
    assert failed.exit_code == 2
    assert field_text in failed.output and "Traceback" not in failed.output


def test_reading_the_item_reads_its_comment_notices_but_an_export_does_not(tmp_path):
    world = build_world(tmp_path)
    reflection = share(world, "Tom", "Sam", "Reflection of 3 Dec", "Words.")
    said = world.api("Sam").post(f"/api/v1/shares/{reflection}/comments", json={"body": "Hm."})
    assert said.status_code == 201
    tom = world.client("Tom")
    assert tom.get("/account/export").status_code == 200
    assert "You have a new comment" in tom.get("/").text
    assert tom.get(f"/shares/{reflection}").status_code == 200
    assert "You have a new comment" not in tom.get("/").text


def test_a_trainee_sees_every_deadline_of_their_course_and_where_they_stand(tmp_path):
    world = build_world(tmp_path)
    set_deadline(world, "First reflection signed off", "entry", days=5)
    set_deadline(world, "Packet shared", "packet", days=40, signoff=False)
    share(world, "Tom", "Sam", "Supervision packet", "Figures.", kind="packet")
    with reading(world.engine) as conn:
        tom = notices_module.my_deadlines(conn, world.actor("Tom")[0])
    mine = {d["title"]: d["standing"]["name"] for d in tom}
    assert mine == {"First reflection signed off": "not yet", "Packet shared": "met"}
    home = world.client("Tom").get("/").text
    assert "Your deadlines" in home and "a supervision packet, shared" in home
    assert "Your deadlines" not in world.client("Sam").get("/").text


def test_a_supervisor_is_reminded_of_a_sign_off_a_deadline_waits_for(
    tmp_path, mailserver, monkeypatch
):
    inbox, port, cert = mailserver
    world = build_world(tmp_path)
    set_deadline(world, "First reflection signed off", "entry", days=2)
    waiting = share(world, "Tom", "Sam", "Reflection of 3 Dec", "Words.")
    share(world, "Tess", "Sue", "Night shift", "Words.")
    attune = Attune(tmp_path / "server-data")
    run = ["server", "remind", "--database", world.config.database_url]
    done = attune.json(*run, env=smtp_env(port, cert))
    assert (done["due_soon"], done["signoff"], done["mailed"]) == (2, 2, 4)
    to_sam = [m for m in inbox.take() if m["To"] == "sam@example.org"]
    assert [m["Subject"] for m in to_sam] == [
        "Awaiting your sign-off: “First reflection signed off”"
    ]
    assert text_of(to_sam[0]).startswith(
        "An item Tom shared with you awaits your sign-off for “First reflection signed off” "
        "in Cohort A, which is due on "
    )
    assert "Reflection of 3 Dec" not in to_sam[0].as_string()
    # Sam's home page links the item; once he signs it off the notice is gone.
    home = world.client("Sam").get("/").text
    assert "Awaiting your sign-off:" in home and f'href="/shares/{waiting}"' in home
    shown = world.api("Sam").get(f"/api/v1/shares/{waiting}").json()["shown"]
    world.api("Sam").post(
        f"/api/v1/shares/{waiting}/signoff",
        json={"revision": shown["number"], "sha256": shown["sha256"]},
    )
    assert "Awaiting your sign-off" not in world.client("Sam").get("/").text
    assert "Awaiting your sign-off" in world.client("Sue").get("/").text
    # Ten days later, nothing is mailed twice.
    monkeypatch.setattr(deadlines, "today", lambda: TODAY + timedelta(days=10))
    again = attune.json(*run, env=smtp_env(port, cert))
    assert again["signoff"] == 0 and again["overdue"] == 1  # Tess; Tom met it
    assert [m["To"] for m in inbox.take()] == ["tess@example.org"]


def test_a_supervisor_with_many_items_awaiting_sign_off_reads_a_short_list(tmp_path):
    world = build_world(tmp_path)
    set_deadline(world, "First reflection signed off", "entry", days=2)
    waiting = [share(world, "Tom", "Sam", f"Reflection {n}", "Words.") for n in range(8)]

    notices = attention(world.client("Sam").get("/").text)
    assert notices.count("Awaiting your sign-off:") == 5
    assert (
        "and 3 more items await your sign-off for “First reflection signed off”; "
        "each is in Shared with me below." in notices
    )
    # The API still names every item, for the local app and scripts.
    listed = world.api("Sam").get("/api/v1/notices").json()
    assert {n["share"] for n in listed if n["kind"] == "signoff"} == set(waiting)
