"""Privacy on the trainee's own computer when sharing with the team server. Tom shares
with Sam, and nothing goes to anyone else by default: the Share form chooses no reader
until Tom does, and "Share the new version" chooses Sam, who asked for it. A share
still waiting to be sent is Tom's to take back, offline too, and then it is never
sent. Whatever the server sends home (a comment, a name, an error) reaches Tom's
terminal without control sequences. `--to Sam` finds Sam Okafor. When the server has
ended this computer's sign-in, the page and `attune share list` say so plainly, with
the real address, and still show what this computer knows."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from attunement.cli.output import json_text, printable
from attunement.core.journal import Journal
from attunement.errors import InvalidInput
from attunement.server import team
from attunement.storage import shared
from attunement.web import Settings, create_app

from .sync_world import serving, signed_in, write

# The sequences a supervisor's comment carried in the new user's test (report s22, A3).
TITLE = "\x1b]0;pwned-title\x07"
CLIPBOARD = "\x1b]52;c;ZWNobyBwd25lZA==\x07"
LINK = "\x1b]8;;https://evil.example/\x07click here\x1b]8;;\x07"
C1_CSI = "\x9b31mX"
COLOUR = "\x1b[31mred\x1b[0m\x1b[2K"
# (no NUL: the server refuses a comment holding one, as PostgreSQL cannot store it)
HOSTILE = f"Well done{TITLE}.{CLIPBOARD} See {LINK}. {C1_CSI} {COLOUR}\rover\x7f\x85"
CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


@pytest.fixture
def served(tmp_path):
    with serving(tmp_path / "server") as running:
        yield running


def local_app(data_dir: Path) -> TestClient:
    return TestClient(
        create_app(Settings(data_dir=data_dir, extra_hosts=("testserver",), sync_interval_s=3600))
    )


def hidden(html: str, name: str) -> str:
    found = re.search(rf'name="{name}" value="([^"]*)"', html)
    assert found, f"no {name} field"
    return found.group(1)


def selected_reader(html: str) -> str | None:
    """The value of the reader option the Share form has chosen, if any."""
    select = html.split('<select id="share-to"', 1)[1].split("</select>", 1)[0]
    chosen = re.findall(r'<option value="([^"]*)" selected>', select)
    return chosen[-1] if chosen else None


def queue_of(data_dir: Path) -> list:
    with Journal.open(data_dir) as journal:
        return shared.queue(journal.reader)


# -- A1: nobody is chosen by default ------------------------------------------------------


def test_the_share_form_chooses_no_reader_until_tom_does(served, data_dir):
    world = served.world
    signed_in(data_dir, served.url)
    entry = write(data_dir, "After the night shift I sat in the car.", "After the night shift")
    with local_app(data_dir) as local:
        form = local.get(f"/share?kind=entry&id={entry}").text
        assert selected_reader(form) == ""  # "Choose who will read it…", not the first name
        assert "Choose who will read it…" in form
        assert '<select id="share-to" name="to" required>' in form

        refused = local.post(
            "/share",
            data={"kind": "entry", "id": entry, "redact": "1", "seen": hidden(form, "seen")},
        )
        assert refused.status_code == 422
        assert "Choose whom to share it with; nothing was sent." in refused.text
    assert world.api("Tom").get("/api/v1/shares").json() == []
    assert world.api("Lee").get("/api/v1/inbox").json() == []


def test_sharing_with_nobody_is_refused_by_the_service_itself(served, data_dir):
    signed_in(data_dir, served.url)
    entry = write(data_dir, "Quiet words.", "Quiet")
    with Journal.open(data_dir) as journal:
        seen = team.fingerprint(team.build(journal, team.What.of("entry", entry)))
        with pytest.raises(InvalidInput) as refused:
            team.confirm(
                journal,
                data_dir,
                team.What.of("entry", entry),
                redact=True,
                to="",
                expires=None,
                seen=seen,
            )
    assert refused.value.message == "Choose whom to share it with; nothing was sent."
    assert served.world.api("Tom").get("/api/v1/shares").json() == []


def test_share_the_new_version_goes_to_the_supervisor_who_asked(served, data_dir):
    world = served.world
    attune = signed_in(data_dir, served.url)
    entry = write(data_dir, "I wanted to fix it.", "After the night shift")
    first = attune.json("share", "entry", entry, "--to", "Sam", "--yes")
    world.api("Sam").post(
        f"/api/v1/shares/{first['id']}/comments",
        json={"body": "Say more about the car?", "kind": "changes"},
    )
    attune("server", "sync")
    with Journal.open(data_dir) as journal:
        journal.edit(entry, body="I wanted to fix it. In the car I let myself cry.")

    with local_app(data_dir) as local:
        for page in (f"/entries/{entry}", "/server"):
            html = local.get(page).text
            link = re.search(r'href="(/share\?[^"]*)">Share the new version with Sam<', html)
            assert link, page
            form = local.get(link.group(1).replace("&amp;", "&")).text
            assert selected_reader(form) == world.ids["Sam"], page  # not Lee, the lead
        sent = local.post(
            "/share",
            data={
                "kind": "entry",
                "id": entry,
                "redact": "1",
                "seen": hidden(form, "seen"),
                "to": selected_reader(form),
            },
            follow_redirects=False,
        )
        assert "with Sam (version 2)" in local.get(sent.headers["location"]).text
    [on_server] = world.api("Tom").get("/api/v1/shares").json()
    assert (on_server["reader"]["name"], on_server["revision"]) == ("Sam", 2)
    assert world.api("Lee").get("/api/v1/inbox").json() == []


# -- A2: taking back what waits is local ---------------------------------------------------


def test_a_waiting_share_is_taken_back_offline_and_never_sent(served, data_dir):
    world = served.world
    attune = signed_in(data_dir, served.url)
    attune("share", "readers")  # remembered for working offline
    entry = write(data_dir, "Words I may not want to send.", "Unsure")
    served.stop()
    waiting = attune.json("share", "entry", entry, "--to", "Sam", "--yes")
    assert waiting["queued"] is True

    taken = attune("share", "revoke", waiting["id"])  # still offline
    assert taken.exit_code == 0
    assert "Taken back: “Unsure” was still waiting on this computer; nothing was sent." in (
        taken.output
    )
    assert queue_of(data_dir) == []
    assert "Unsure" not in attune("share", "list").output

    served.start()
    assert attune.json("server", "sync")["sent"] == []
    assert world.api("Tom").get("/api/v1/shares").json() == []


def test_a_new_version_waiting_is_taken_back_offline_and_the_earlier_one_named(served, data_dir):
    world = served.world
    attune = signed_in(data_dir, served.url)
    entry = write(data_dir, "First thoughts.", "Thoughts")
    sent = attune.json("share", "entry", entry, "--to", "Sam", "--yes")
    with Journal.open(data_dir) as journal:
        journal.edit(entry, body="Second thoughts, which I may keep to myself.")
    served.stop()
    attune("share", "entry", entry, "--to", "Sam", "--yes")  # version 2 waits

    failed = attune("share", "revoke", sent["id"], ok=False)
    assert failed.exit_code != 0
    assert "taken back and will not be sent" in failed.output
    assert "Sam still has the earlier one" in failed.output
    assert f"attune share revoke {sent['id']}" in failed.output
    assert queue_of(data_dir) == []

    served.start()
    assert attune.json("server", "sync")["sent"] == []
    [on_server] = world.api("Tom").get("/api/v1/shares").json()
    assert on_server["revision"] == 1  # version 2 never left
    attune("share", "revoke", sent["id"])  # online: deleted there, as before
    assert world.api("Tom").get("/api/v1/shares").json() == []


def test_the_team_server_page_takes_back_a_waiting_share(served, data_dir):
    world = served.world
    signed_in(data_dir, served.url)
    entry = write(data_dir, "Not sure I want this read.", "Not sure")
    with local_app(data_dir) as local:
        form = local.get(f"/share?kind=entry&id={entry}").text
        served.stop()
        local.post(
            "/share",
            data={
                "kind": "entry",
                "id": entry,
                "redact": "1",
                "seen": hidden(form, "seen"),
                "to": world.ids["Sam"],
            },
        )
        page = local.get("/server").text
        button = 'aria-label="Take back Not sure (waiting to be sent to Sam)">Take back</button>'
        assert button in page
        share_id = re.search(r'action="/server/shares/([^"]+)/revoke"', page).group(1)
        done = local.post(f"/server/shares/{share_id}/revoke", follow_redirects=False)
        assert done.status_code == 303
        told = local.get(done.headers["location"]).text
        assert "Taken back: “Not sure” was still waiting on this computer" in told
        assert "Take back" not in told.split("What you have shared", 1)[-1].split("</ul>")[0]
        assert queue_of(data_dir) == []
        served.start()
        local.post("/server/sync")
    assert world.api("Tom").get("/api/v1/shares").json() == []


# -- A3: nothing from the server drives the terminal ---------------------------------------


@pytest.mark.parametrize(
    ("said", "printed"),
    [
        (f"a{TITLE}b", "ab"),
        (f"x{CLIPBOARD}y", "xy"),
        (LINK, "click here"),
        (C1_CSI, "X"),
        (COLOUR, "red"),
        ("tab\tand\nnewline kept\r\x00\x7f\x85", "tab\tand\nnewline kept"),
        ("\x1b]0;never ended\nnext line", "\nnext line"),
        ("\x9d0;eight-bit title\x9cafter", "after"),
        ("\x1bP1$r payload\x1b\\done", "done"),
    ],
)
def test_printable_takes_out_every_control_sequence(said, printed):
    assert printable(said) == printed


def test_json_printed_to_a_terminal_carries_no_raw_controls():
    text = json_text({"body": HOSTILE})
    assert not CONTROLS.search(text)
    assert json.loads(text) == {"body": HOSTILE}  # the same data, escaped


def test_a_hostile_comment_reaches_the_terminal_inert(served, data_dir):
    world = served.world
    attune = signed_in(data_dir, served.url)
    entry = write(data_dir, "I sat with the silence.", "Silence")
    sent = attune.json("share", "entry", entry, "--to", "Sam", "--yes")
    said = world.api("Sam").post(
        f"/api/v1/shares/{sent['id']}/comments", json={"body": HOSTILE, "quote": "sat with"}
    )
    assert said.status_code == 201, said.text
    outputs = {
        "sync": attune("server", "sync").output,
        "show": attune("show", entry).output,
        "show --json": attune("show", entry, "--json").output,
        "share list": attune("share", "list").output,
        "share list --json": attune("share", "list", "--json").output,
    }
    for command, output in outputs.items():
        assert not CONTROLS.search(output.replace("\n", "")), command
        assert "evil.example" not in output or "--json" in command, command
    assert "Well done. See click here. X red" in outputs["show"]
    assert "> sat with" in outputs["show"]
    assert "Sam wrote" in outputs["show"]


def test_names_and_errors_from_the_server_are_printed_inert(served, data_dir):
    attune = signed_in(data_dir, served.url)
    served.stop()
    (data_dir / team.READERS_CACHE).write_text(
        json.dumps(
            [
                {
                    "id": served.world.ids["Sam"],
                    "name": f"Sam{TITLE} Okafor{C1_CSI}",
                    "email": "sam@example.org",
                    "role": "supervisor",
                    "course": f"Cohort A{CLIPBOARD}",
                    "course_id": served.world.courses["A"],
                }
            ]
        ),
        encoding="utf-8",
    )
    listed = attune("share", "readers").output
    assert listed.startswith("Sam OkaforX <sam@example.org>  supervisor, Cohort A")
    assert not CONTROLS.search(listed.replace("\n", ""))
    entry = write(data_dir, "Words.", "Words")
    queued = attune("share", "entry", entry, "--to", "sam@example.org", "--yes").output
    assert "Sam OkaforX" in queued and not CONTROLS.search(queued.replace("\n", ""))
    unknown = attune("share", "entry", entry, "--to", "Nobody", "--yes", ok=False).output
    assert "No reader is called 'Nobody'" in unknown
    assert not CONTROLS.search(unknown.replace("\n", ""))


# -- B6: --to Sam ---------------------------------------------------------------------------

READERS = [
    {"id": "u-sam", "name": "Sam Okafor", "email": "sam@example.org"},
    {"id": "u-priya", "name": "Priya Shah", "email": "priya@example.org"},
    {"id": "u-lena", "name": "Lena Lead", "email": "lead@example.org"},
]


@pytest.mark.parametrize(
    "said",
    ["Sam", "sam", "SAM OKAFOR", "Sam Okafor", "sam@example.org", "SAM@EXAMPLE.ORG", "u-sam"],
)
def test_a_reader_is_found_by_first_name_full_name_or_email(said):
    assert team.reader(READERS, said)["id"] == "u-sam"


def test_an_unknown_or_shared_name_names_the_candidates():
    two_sams = [*READERS, {"id": "u-sam2", "name": "Sam Lee", "email": "slee@example.org"}]
    with pytest.raises(InvalidInput) as ambiguous:
        team.reader(two_sams, "Sam")
    assert ambiguous.value.message == (
        "No reader is called exactly 'Sam'; did you mean Sam Lee <slee@example.org> or "
        "Sam Okafor <sam@example.org>? Give their full name or e-mail address."
    )
    assert team.reader(two_sams, "Sam Lee")["id"] == "u-sam2"
    with pytest.raises(InvalidInput) as partial:
        team.reader(READERS, "Okafor")
    assert "No reader is called exactly 'Okafor'; did you mean Sam Okafor <sam@" in (
        partial.value.message
    )
    with pytest.raises(InvalidInput) as unknown:
        team.reader(READERS, "Zed")
    assert unknown.value.message.startswith(
        "No reader is called 'Zed'; you can share with: Lena Lead <lead@example.org>, "
    )


def test_share_to_a_first_name_from_the_command_line(served, data_dir):
    attune = signed_in(data_dir, served.url)
    served.stop()  # the readers as the server last said them, with full names
    sam = {"role": "supervisor", "course": "Cohort A", "course_id": served.world.courses["A"]}
    (data_dir / team.READERS_CACHE).write_text(
        json.dumps(
            [
                {**sam, "id": served.world.ids["Sam"], "name": "Sam Okafor", "email": "sam@x.org"},
                {**sam, "id": served.world.ids["Lee"], "name": "Lena Lead", "email": "lee@x.org"},
            ]
        ),
        encoding="utf-8",
    )
    entry = write(data_dir, "The night shift.", "Night")
    queued = attune.json("share", "entry", entry, "--to", "Sam", "--yes")
    assert queued["reader"]["name"] == "Sam Okafor"


# -- B9: signed out by the server -------------------------------------------------------------


def test_a_sign_in_ended_on_the_server_is_said_plainly_with_the_real_address(served, data_dir):
    attune = signed_in(data_dir, served.url)
    entry = write(data_dir, "Kept here.", "Kept")
    attune("share", "entry", entry, "--to", "Sam", "--yes")
    token = json.loads((data_dir / "server.json").read_text())["token"]
    from attunement.server import client

    client.Client(served.url, token).call("DELETE", "/api/v1/token")  # ended on the server

    listed = attune("share", "list")
    assert listed.exit_code == 0
    assert f"attune server login {served.url}" in listed.output
    assert "URL`" not in listed.output
    assert "Showing what this computer knows." in listed.output
    assert "Kept" in listed.output  # the local list still follows the one-line problem

    with local_app(data_dir) as local:
        page = local.get("/server").text
    assert f'The team server at <a href="{served.url}">{served.url}</a> no longer knows' in page
    assert "attune server login" not in page
    assert f'value="{served.url}" autocomplete="url"' in page  # the sign-in form, filled in
    assert 'value="tom@example.org" autocomplete="username"' in page
    assert "Kept" in page


def test_the_readers_kept_for_offline_sharing_are_readable_only_by_their_owner(
    data_dir, monkeypatch
):
    """The names and e-mail addresses of one's supervisors, kept beside the token so that a
    share can be confirmed offline, are as private as the token itself (0600)."""
    import stat

    from attunement.server import client

    class Online:
        def call(self, method: str, path: str) -> dict:
            return {"readers": [{"id": "u1", "name": "Sam Okafor", "email": "sam@example.org"}]}

    monkeypatch.setattr(client.Client, "signed_in", classmethod(lambda cls, d: Online()))
    data_dir.mkdir(parents=True, exist_ok=True)
    (data_dir / (team.READERS_CACHE + ".part")).write_text("left by a crash")
    (data_dir / (team.READERS_CACHE + ".part")).chmod(0o644)

    assert team.readers(data_dir)[0]["name"] == "Sam Okafor"

    cache = data_dir / team.READERS_CACHE
    assert "sam@example.org" in cache.read_text(encoding="utf-8")
    assert stat.S_IMODE(cache.stat().st_mode) == 0o600
