"""Settings says whether the journal is encrypted at rest. A plain journal's page says it
is not, what encrypting means (a passphrase that cannot be recovered) and the exact
command that does it; an encrypted one's says it is, how long the app stays unlocked
unused, how to change the passphrase, and offers the header's Lock. Nothing secret ever
reaches the page."""

from __future__ import annotations

import base64
import html
import re
import shlex

import pytest
from click.testing import CliRunner
from starlette.testclient import TestClient

from attunement.cli import cli
from attunement.core.journal import Journal
from attunement.storage import vault
from attunement.web import Settings, create_app

PASS = "correct horse battery staple"
NEW_PASS = "seven quiet lanterns at dusk"


def client_for(data, **settings):
    return TestClient(create_app(Settings(data_dir=data, extra_hosts=("testserver",), **settings)))


def section_html(page: str) -> str:
    """The Encryption and locking card of the Settings page."""
    found = re.search(r'<section[^>]*aria-labelledby="locking-title".*?</section>', page, re.S)
    assert found, "Settings has no Encryption and locking section"
    return found.group(0)


def section(page: str) -> str:
    """The Encryption and locking card, as text a person reads (tags removed)."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", section_html(page))).split())


def commands_shown(page: str) -> list[list[str]]:
    """The commands the page tells the person to type, as a shell would split them."""
    codes = [shlex.split(html.unescape(code)) for code in re.findall(r"<code>(.*?)</code>", page)]
    return [words for words in codes if words[:1] == ["attune"]]


def command_shown(page: str, verb: str) -> list[str]:
    """The command that ends in ``verb`` and names the folder, if one does."""
    found = [c for c in commands_shown(page) if " ".join(c).endswith(verb)]
    assert found, f"no `{verb}` command on the page"
    return max(found, key=len)


def run(words: list[str], **env: str):
    assert words[0] == "attune"
    return CliRunner().invoke(cli, words[1:], env=env, catch_exceptions=False)


@pytest.fixture
def plain(tmp_path):
    data = tmp_path / "my journal"  # a space: the command must keep the folder whole
    with Journal.open(data) as journal:
        journal.write("A plain reflection")
    return data


@pytest.fixture
def encrypted(tmp_path):
    data = tmp_path / "data"
    with Journal.create_encrypted(data, PASS) as journal:
        journal.write("A private reflection")
    return data


def test_a_plain_journal_says_it_is_not_encrypted_and_the_command_that_encrypts_it(plain):
    with client_for(plain) as client:
        page = client.get("/settings").text
    said = section(page)
    assert "This journal is not encrypted." in said
    assert "A lost passphrase cannot be recovered." in said
    assert "locks itself after 15 minutes without use" in said
    assert "press Ctrl+C in the terminal where attune serve runs" in said
    assert f"at least {vault.MIN_PASSPHRASE} characters" in said
    assert 'action="/lock"' not in page  # nothing to lock: neither here nor in the header
    encrypt = command_shown(page, "encrypt")
    assert encrypt == ["attune", "--data-dir", str(plain), "encrypt"]

    # With the app stopped, the command typed as shown encrypts this journal.
    done = run(encrypt, ATTUNE_PASSPHRASE=PASS)
    assert done.exit_code == 0, done.output
    assert vault.is_encrypted(plain)
    serve = command_shown(page, "serve")
    assert serve == ["attune", "--data-dir", str(plain), "serve"]
    with client_for(plain) as client:
        client.post("/unlock", data={"passphrase": PASS})
        again = section(client.get("/settings").text)
    assert "This journal is encrypted." in again and "not encrypted" not in again


def test_the_usual_data_folder_needs_no_folder_in_the_command(plain, monkeypatch):
    from attunement import paths

    monkeypatch.setattr(paths, "default_data_dir", lambda: plain)
    with client_for(plain) as client:
        page = client.get("/settings").text
    assert command_shown(page, "encrypt") == ["attune", "encrypt"]
    assert "<code>attune serve</code>" in page


def test_an_encrypted_journal_says_so_with_its_idle_time_and_a_lock_button(encrypted):
    with client_for(encrypted, idle_lock_s=600) as client:
        client.post("/unlock", data={"passphrase": PASS})
        page = client.get("/settings").text
        said = section(page)
        assert "This journal is encrypted." in said and "not encrypted" not in said
        assert "The app locks itself after 10 minutes without use" in said
        assert "A lost passphrase cannot be recovered." in said
        lock_now = re.search(r'<form method="post" action="/lock">.*?</form>', section_html(page))
        assert lock_now and "Lock now" in lock_now.group(0)

        # Lock now is the header's Lock: the journal locks, and Settings asks to unlock.
        locked = client.post("/lock", follow_redirects=False)
        assert locked.status_code == 303 and locked.headers["location"] == "/unlock"
        assert (
            client.get("/settings", follow_redirects=False)
            .headers["location"]
            .startswith("/unlock")
        )

        # The steps to change the passphrase work as the page gives them: locked, the
        # command (here with the new passphrase in a file, as a script would) changes
        # it while the app runs, and the app then opens with the new one only.
        change = command_shown(page, "passphrase change")
        assert change == ["attune", "--data-dir", str(encrypted), "passphrase", "change"]
        new_file = encrypted.parent / "new-passphrase.txt"
        new_file.write_text(NEW_PASS + "\n", encoding="utf-8")
        done = run([*change, "--new-passphrase-file", str(new_file)], ATTUNE_PASSPHRASE=PASS)
        assert done.exit_code == 0, done.output
        assert client.post("/unlock", data={"passphrase": PASS}).status_code == 422
        client.post("/unlock", data={"passphrase": NEW_PASS})
        assert "This journal is encrypted." in section(client.get("/settings").text)


@pytest.mark.parametrize(
    ("idle_lock_s", "said"),
    [(15 * 60, "15 minutes"), (90, "90 seconds"), (60, "1 minute"), (2 * 3600, "2 hours")],
)
def test_the_idle_time_is_said_in_whole_units(encrypted, idle_lock_s, said):
    from attunement.core.your_data import locking

    assert locking(encrypted, idle_lock_s).idle_lock == said


def test_nothing_secret_reaches_the_page(encrypted):
    header = vault.read_header(encrypted)
    key = vault.derive_key(PASS, header)
    secrets = [PASS, key.hex(), key.hex().upper(), header.salt.hex()]
    secrets += [base64.b64encode(s).decode() for s in (key, header.salt)]
    # Unlocked in the page, and unlocked at the start (the passphrase given for scripts).
    with client_for(encrypted) as client:
        client.post("/unlock", data={"passphrase": PASS})
        pages = [client.get("/settings").text]
    with client_for(encrypted, passphrase=PASS) as client:
        pages.append(client.get("/settings").text)
    for page in pages:
        assert "This journal is encrypted." in section(page)
        assert [s for s in secrets if s in page] == []
