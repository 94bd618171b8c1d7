"""Never a word lost to a journal file replaced while something has it open.

`attune encrypt`, `decrypt`, `passphrase change` and `restore` put a new file in the
journal's place. While `attune serve` (or any other program) has the journal open they
refuse, change nothing and say what to do; and should the file be replaced underneath a
running program anyway (an older Attunement, a file-syncing tool), its next save is
refused, never written to a file that is no longer the journal. Every "other program"
here is a real second process.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from attunement.core.journal import Journal
from attunement.errors import Conflict
from attunement.storage import backup, replacing, vault

from .conftest import free_port, run_process

PASS = "correct horse battery staple"
NEW_PASS = "a brand new passphrase"
REFUSAL = (
    "`attune serve` (or another Attunement or program) has this journal open; stop it, "
    "then run `attune {command}` again (nothing was changed)."
)

# A program that replaces the journal without asking whether it is open, as Attunement
# did before it checked: its encrypt, with the hold on the journal taken away.
UNCHECKED_ENCRYPT = (
    "import contextlib, sys\n"
    "from pathlib import Path\n"
    "from attunement.storage import vault\n"
    "vault.alone_with = lambda conn, command: contextlib.closing(conn)\n"
    "vault.encrypt(Path(sys.argv[1]), sys.argv[2])\n"
)
# A file-syncing tool putting another copy of the journal in its place (a rename).
SYNC_TOOL = "import os, sys\nos.replace(sys.argv[1], sys.argv[2])\n"


def other_program(code: str, *args: object) -> None:
    done = subprocess.run(
        [sys.executable, "-c", code, *map(str, args)], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr


def files_of(folder: Path) -> tuple[list[str], str | None]:
    """What is in the data folder, and the key header's hash: which file is the journal,
    and under which key. (The database file itself may change meanwhile: the running app
    goes on saving to it, as it should.)"""
    header = vault.header_path(folder)
    return (
        sorted(p.name for p in folder.iterdir()),
        hashlib.sha256(header.read_bytes()).hexdigest() if header.exists() else None,
    )


class Serve:
    """`attune serve` in its own process, as a person leaves it running."""

    def __init__(self, data_dir: Path, env: dict[str, str] | None = None) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.process = subprocess.Popen(
            [sys.executable, "-m", "attunement", "--data-dir", str(data_dir), "serve"]
            + ["--port", str(self.port)],
            env={**os.environ, **(env or {})},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                self.call("GET", "/api/v1/today")
                return
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise AssertionError("attune serve did not answer")

    def call(self, method: str, path: str, data: object = None) -> tuple[int, dict]:
        request = urllib.request.Request(
            self.base + path,
            method=method,
            data=json.dumps(data).encode() if data is not None else None,
            headers={"content-type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, json.load(response)
        except urllib.error.HTTPError as error:
            return error.code, json.load(error)

    def write(self, body: str) -> str:
        status, entry = self.call("POST", "/api/v1/entries", {"body": body})
        assert status == 201, entry
        return str(entry["id"])

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


@pytest.fixture
def passphrase_files(tmp_path: Path) -> tuple[Path, Path]:
    old, new = tmp_path / "pass.txt", tmp_path / "new-pass.txt"
    old.write_text(PASS + "\n", encoding="utf-8")
    new.write_text(NEW_PASS + "\n", encoding="utf-8")
    return old, new


@pytest.fixture
def a_backup(tmp_path: Path) -> Path:
    with Journal.open(tmp_path / "elsewhere") as journal:
        journal.write("a journal from another time")
        backup.create(journal, tmp_path / "backup.zip")
    return tmp_path / "backup.zip"


@pytest.fixture
def serving() -> Iterator[list[Serve]]:
    running: list[Serve] = []
    yield running
    for server in running:
        if server.process.poll() is None:
            server.stop()


def refused(result: subprocess.CompletedProcess, command: str) -> None:
    assert result.returncode == 1, result.stderr
    assert REFUSAL.format(command=command) in result.stderr.decode()


def test_encrypt_and_restore_refuse_while_attune_serve_has_the_journal_open(
    tmp_path, passphrase_files, a_backup, serving
):
    data = tmp_path / "data"
    pass_file, _ = passphrase_files
    server = Serve(data)
    serving.append(server)
    first = server.write("Words from the night shift, written in the browser.")
    before = files_of(data)

    # The chaplain runs `attune encrypt` in a terminal, the app still open.
    refused(run_process("--passphrase-file", str(pass_file), "encrypt", data_dir=data), "encrypt")
    refused(run_process("restore", str(a_backup), "--yes", data_dir=data), "restore")
    assert not vault.is_encrypted(data) and files_of(data) == before, "nothing was changed"
    assert not list(data.glob("replaced-*")) and not (data / "restoring").exists()

    # The app goes on keeping every word: these are in the journal that stays.
    second = server.write("Written after the refusal; it must survive the encryption.")
    assert server.call("GET", f"/api/v1/entries/{first}")[0] == 200

    # Stopped, the app lets go; now the journal is encrypted with both entries.
    server.stop()
    done = run_process("--passphrase-file", str(pass_file), "encrypt", data_dir=data)
    assert done.returncode == 0, done.stderr
    with Journal.open(data, PASS) as journal:
        assert {e.id for e in journal.list_entries()} == {first, second}


def test_decrypt_passphrase_change_and_restore_refuse_while_the_app_holds_it_unlocked(
    tmp_path, passphrase_files, a_backup, serving
):
    data = tmp_path / "data"
    pass_file, new_file = passphrase_files
    Journal.create_encrypted(data, PASS).close()
    server = Serve(data, env={"ATTUNE_PASSPHRASE": PASS})  # unlocked from the start
    serving.append(server)
    kept = server.write("Behind the passphrase.")
    before = files_of(data)

    with_pass = ("--passphrase-file", str(pass_file))
    refused(run_process(*with_pass, "decrypt", data_dir=data), "decrypt")
    refused(
        run_process(
            *with_pass, "passphrase", "change", "--new-passphrase-file", str(new_file),
            data_dir=data,
        ),
        "passphrase change",
    )  # fmt: skip
    refused(run_process(*with_pass, "restore", str(a_backup), "--yes", data_dir=data), "restore")
    assert files_of(data) == before, "nothing was changed"

    # Locking the app closes the journal, so it can be converted; the app then opens
    # the journal there now, which no longer needs a passphrase.
    assert run_process("lock", "--port", str(server.port), data_dir=data).returncode == 0
    done = run_process(*with_pass, "decrypt", data_dir=data)
    assert done.returncode == 0, done.stderr
    status, listed = server.call("GET", "/api/v1/entries")
    assert status == 200 and [e["id"] for e in listed["entries"]] == [kept]
    assert server.write("Saved into the decrypted journal.")


def test_while_a_journal_is_being_replaced_no_one_can_open_it(tmp_path):
    """From the first check to the switch, another program that opens the journal waits
    (and after its busy timeout is told it is locked): it cannot read or write the file
    that is going away."""
    data = tmp_path / "data"
    with Journal.open(data) as journal:
        journal.write("about to be encrypted")
    peek = (
        "import sqlite3, sys\n"
        "conn = sqlite3.connect(sys.argv[1], timeout=0.2)\n"
        "try:\n"
        "    conn.execute('SELECT count(*) FROM entries').fetchone()\n"
        "    print('opened')\n"
        "except sqlite3.OperationalError as exc:\n"
        "    print(exc)\n"
    )

    def another_program_opens() -> str:
        peeked = subprocess.run(
            [sys.executable, "-c", peek, str(data / vault.PLAIN_NAME)],
            capture_output=True,
            text=True,
        )
        return peeked.stdout.strip()

    from sqlcipher3 import dbapi2

    with replacing.alone_with(dbapi2.connect(str(data / vault.PLAIN_NAME)), "attune encrypt"):
        assert another_program_opens() == "database is locked"
    assert another_program_opens() == "opened", "let go once the block ends"
    with replacing.files_alone([data / vault.PLAIN_NAME], "attune restore"):
        assert another_program_opens() == "database is locked"
    with Journal.open(data) as journal:  # and the journal is as it was, in WAL mode
        assert [e.body for e in journal.list_entries()] == ["about to be encrypted"]
        assert journal.store.integrity_check() == "ok"


def test_a_save_to_a_journal_encrypted_underneath_is_refused_not_lost(tmp_path):
    """A command has the journal open (as `attune serve` would) when an Attunement that
    does not check encrypts it: the old file is deleted, so the next save is refused
    with one sentence, and opened again the journal takes the words."""
    data = tmp_path / "data"
    with Journal.open(data) as journal:
        journal.write("before the encryption")
        other_program(UNCHECKED_ENCRYPT, data, PASS)
        assert not (data / vault.PLAIN_NAME).exists()
        with pytest.raises(replacing.JournalReplaced, match="replaced or removed by another"):
            journal.write("written after the file was replaced")
        with pytest.raises(replacing.JournalReplaced):
            journal.save_draft("a draft, through the other way of writing")
        assert not (data / vault.PLAIN_NAME).exists(), "no empty journal made in its place"
    with Journal.open(data, PASS) as journal:
        journal.write("written after the file was replaced")
        assert {e.body for e in journal.list_entries()} == {
            "before the encryption",
            "written after the file was replaced",
        }


def test_a_save_to_a_journal_swapped_for_another_copy_is_refused(tmp_path):
    """A syncing tool renames another copy over the journal while it is open: the
    save is refused (the file it would go to is no longer the journal), and the copy
    now in its place opens whole."""
    data, copy = tmp_path / "data", tmp_path / "copy"
    with Journal.open(copy) as journal:
        journal.write("the other copy")
    with Journal.open(data) as journal:
        journal.write("this copy")  # still in the write-ahead log beside the path
        other_program(SYNC_TOOL, copy / vault.PLAIN_NAME, data / vault.PLAIN_NAME)
        with pytest.raises(replacing.JournalReplaced):
            journal.write("lost if it went to the replaced file")
    # Closing folded the replaced file's log into it, so none of its pages are read
    # into the copy now at the path.
    with Journal.open(data) as journal:
        assert [e.body for e in journal.list_entries()] == ["the other copy"]
        assert journal.store.integrity_check() == "ok"


def test_the_web_app_refuses_a_save_to_a_replaced_journal_and_opens_the_new_one(tmp_path):
    from starlette.testclient import TestClient

    from attunement.web import Settings, create_app

    data, copy = tmp_path / "data", tmp_path / "copy"
    with Journal.open(copy) as journal:
        restored = journal.write("what the other copy holds")
    app = create_app(Settings(data_dir=data, extra_hosts=("testserver",)))
    with TestClient(app) as client:
        draft = client.post("/api/v1/drafts", json={"body": "a first line"}).json()["id"]
        other_program(SYNC_TOOL, copy / vault.PLAIN_NAME, data / vault.PLAIN_NAME)

        # The autosave meets the replaced file: refused, in the one JSON error shape.
        answer = client.put(f"/api/v1/drafts/{draft}", json={"body": "a first line, then more"})
        assert answer.status_code == 409
        error = answer.json()["error"]
        assert error["code"] == "journal_replaced"
        assert error["message"].startswith("The journal was changed by another program")
        assert "reload the page" in error["message"]

        # Reloaded, the app has opened the journal there now.
        listed = client.get("/api/v1/entries").json()["entries"]
        assert [e["id"] for e in listed] == [restored.id]
        saved = client.post("/api/v1/entries", json={"body": "a first line, then more"})
        assert saved.status_code == 201

        # The same on a page: the form's answer says so and leads back to the form,
        # whose words the browser keeps (the paragraph marked data-words-kept).
        other_program(UNCHECKED_ENCRYPT, data, PASS)
        page = client.post("/write", data={"body": "Sent just as it was encrypted."})
        assert page.status_code == 409
        assert "The journal was changed by another program" in page.text
        assert "data-words-kept" in page.text and 'href="/write"' in page.text
        # Encrypted now: the form's page asks for the passphrase, then takes the words.
        again = client.get("/write", follow_redirects=False)
        assert again.status_code == 303 and again.headers["location"] == "/unlock?next=%2Fwrite"
        unlocked = client.post("/unlock", data={"passphrase": PASS, "next": "/write"})
        assert unlocked.status_code == 200
        sent = client.post("/write", data={"body": "Sent just as it was encrypted."})
        assert sent.status_code == 200 and "/entries/" in str(sent.url)
    with Journal.open(data, PASS) as journal:
        assert "Sent just as it was encrypted." in {e.body for e in journal.list_entries()}


# A decrypt that stops just before its commit (the key header going) until told to go on.
PAUSED_DECRYPT = (
    "import sys\n"
    "from pathlib import Path\n"
    "from attunement.storage import vault\n"
    "real = vault._commit\n"
    "def commit(*args):\n"
    "    print('about to commit', flush=True)\n"
    "    sys.stdin.readline()\n"
    "    real(*args)\n"
    "vault._commit = commit\n"
    "vault.decrypt(Path(sys.argv[1]), sys.argv[2])\n"
    "print('done', flush=True)\n"
)


def test_opening_the_journal_while_it_is_being_decrypted_waits_its_turn(tmp_path):
    """Another command opens the journal just as `attune decrypt` is about to switch:
    it is told the journal is being replaced, and deletes nothing. (Tidying up after
    an interrupted conversion used to take the new file for a leftover then, and the
    switch then took the old one: both gone.)"""
    data = tmp_path / "data"
    with Journal.create_encrypted(data, PASS) as journal:
        journal.write("every word of this must survive")
    decrypting = subprocess.Popen(
        [sys.executable, "-c", PAUSED_DECRYPT, str(data), PASS],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert decrypting.stdout is not None and decrypting.stdin is not None
        assert decrypting.stdout.readline().strip() == "about to commit"
        both = sorted(p.name for p in data.iterdir())
        assert vault.PLAIN_NAME in both and vault.ENCRYPTED_NAME in both
        with pytest.raises(Conflict, match="is being replaced .* wait for it to finish"):
            Journal.open(data, PASS)
        assert sorted(p.name for p in data.iterdir()) == both, "nothing tidied away"
        decrypting.stdin.write("\n")
        decrypting.stdin.flush()
        assert decrypting.stdout.readline().strip() == "done"
    finally:
        decrypting.communicate(timeout=60)
    with Journal.open(data) as journal:
        assert [e.body for e in journal.list_entries()] == ["every word of this must survive"]


def test_a_command_that_chose_the_plain_journal_before_it_was_encrypted_makes_no_new_one(
    tmp_path,
):
    """A command looked, found the plain journal and, before it opened it, `attune
    encrypt` ran: it does not make a new, empty plain journal whose words would go."""
    from attunement.storage.reader import Reader

    data = tmp_path / "data"
    with Journal.open(data) as journal:
        journal.write("encrypted since")
    vault.encrypt(data, PASS)
    with pytest.raises(replacing.JournalReplaced):
        Reader.open_sqlite(data / vault.PLAIN_NAME)
    assert not (data / vault.PLAIN_NAME).exists()
    with Journal.open(data, PASS) as journal:
        assert [e.body for e in journal.list_entries()] == ["encrypted since"]
