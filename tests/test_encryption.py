"""Secrets stay secret: an encrypted journal holds no plaintext anywhere, a wrong
passphrase changes nothing, and converting is crash-safe."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from attunement.core.journal import Journal, NeedsPassphrase
from attunement.errors import InvalidInput
from attunement.interop import attune_json
from attunement.storage import health, vault

PASS = "correct horse battery staple"
CANARY = "CANARY-7f3a9c"


def snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    return {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in folder.iterdir() if p.is_file()}


def fill(journal: Journal) -> None:
    from attunement.practice import service as practice
    from attunement.transcripts import service as transcripts
    from attunement.transcripts.parse import parse

    for n in range(100):
        entry = journal.write(f"Entry {n} about {CANARY} and my chest tightening #ward")
        if n % 10 == 0:
            journal.edit(entry.id, body=f"Edited {n}: {CANARY} again")
    journal.save_draft(f"A draft with {CANARY}", title=CANARY)
    journal.checkin(ease=4, note=f"note {CANARY}")
    turns, _ = parse(f"Counsellor: How was {CANARY}?\nClient: Hard.\n", "s.txt")
    transcripts.store(journal, turns, title=CANARY, fmt="text", caregiver="Counsellor")
    practice.respond(journal, "v01", f"It sounds so hard. {CANARY}")


def assert_no_canary(folder: Path) -> None:
    for path in folder.rglob("*"):
        if path.is_file():
            assert CANARY.encode() not in path.read_bytes(), path.name
            assert CANARY.encode("utf-16-le") not in path.read_bytes(), path.name


def test_a_canary_in_everything_appears_in_no_file(tmp_path):
    data = tmp_path / "data"
    with Journal.create_encrypted(data, PASS) as journal:
        fill(journal)
        assert journal.search(CANARY.split("-")[0].lower())  # the index works inside
        assert_no_canary(data)  # while open, with the write-ahead log present
    assert_no_canary(data)
    with Journal.open(data, PASS) as journal:
        assert journal.store.count_entries() == 100
        assert journal.store.integrity_check() == "ok"


def test_a_wrong_or_missing_passphrase_changes_nothing(tmp_path):
    data = tmp_path / "data"
    Journal.create_encrypted(data, PASS).close()
    before = snapshot(data)
    with pytest.raises(InvalidInput, match="does not open this journal"):
        Journal.open(data, "not the passphrase")
    with pytest.raises(NeedsPassphrase):
        Journal.open(data)
    assert snapshot(data) == before


def test_header_keeps_kdf_parameters_and_a_random_salt(tmp_path):
    one, two = tmp_path / "one", tmp_path / "two"
    Journal.create_encrypted(one, PASS).close()
    Journal.create_encrypted(two, PASS).close()
    h1, h2 = vault.read_header(one), vault.read_header(two)
    assert h1.kdf["name"] == "argon2id"
    assert h1.kdf["memory_kib"] >= 19456 and h1.kdf["time_cost"] >= 2  # OWASP minimums
    assert h1.salt != h2.salt and len(h1.salt) >= 16
    raw = json.loads(vault.header_path(one).read_text())
    assert set(raw) == {"format", "version", "kdf", "salt", "file"}, "no key, no verifier"
    assert (vault.header_path(one).stat().st_mode & 0o777) == 0o600
    assert (vault.encrypted_path(one).stat().st_mode & 0o777) == 0o600


def export(journal: Journal) -> dict:
    buffer = io.StringIO()
    attune_json.write(journal, buffer)
    data = json.loads(buffer.getvalue())
    data.pop("exported_at")
    return data


def test_encrypt_and_decrypt_keep_every_word(tmp_path):
    data = tmp_path / "data"
    with Journal.open(data) as journal:
        fill(journal)
        original = export(journal)
    vault.encrypt(data, PASS)
    assert not (data / vault.PLAIN_NAME).exists()
    assert_no_canary(data)
    with Journal.open(data, PASS) as journal:
        assert export(journal) == original
        assert len(journal.store.attempts()) == 1 and journal.store.list_transcripts()
    vault.decrypt(data, PASS)
    assert not vault.is_encrypted(data) and not (data / vault.ENCRYPTED_NAME).exists()
    with Journal.open(data) as journal:
        assert export(journal) == original
    with pytest.raises(InvalidInput):
        vault.decrypt(data, PASS)


@pytest.mark.parametrize(
    "crash_at,expect_encrypted",
    [
        ("before_commit", False),  # the header never appeared: still the plain journal
        ("after_commit", True),  # the header appeared: the encrypted journal, tidied
    ],
)
def test_an_interrupted_encryption_leaves_exactly_one_journal(
    tmp_path, monkeypatch, crash_at, expect_encrypted
):
    data = tmp_path / "data"
    with Journal.open(data) as journal:
        journal.write("words that must survive")
    real_replace = Path.replace
    real_fsync_dir = vault._fsync_dir

    def replace(self, target):
        if crash_at == "before_commit" and Path(target).name == vault.HEADER_NAME:
            raise KeyboardInterrupt("power cut")
        return real_replace(self, target)

    def fsync_dir(folder):
        real_fsync_dir(folder)
        if crash_at == "after_commit":
            raise KeyboardInterrupt("power cut")

    monkeypatch.setattr(Path, "replace", replace)
    monkeypatch.setattr(vault, "_fsync_dir", fsync_dir)
    with pytest.raises(KeyboardInterrupt):
        vault.encrypt(data, PASS)
    monkeypatch.undo()
    passphrase = PASS if expect_encrypted else None
    with Journal.open(data, passphrase) as journal:
        assert [e.body for e in journal.list_entries()] == ["words that must survive"]
    assert vault.is_encrypted(data) == expect_encrypted
    leftover = vault.PLAIN_NAME if expect_encrypted else vault.ENCRYPTED_NAME
    assert not (data / leftover).exists(), "the other file is tidied away"
    assert not list(data.glob("*.converting"))


def test_tampering_is_detected_not_read_as_wrong_plaintext(tmp_path):
    data = tmp_path / "data"
    with Journal.create_encrypted(data, PASS) as journal:
        for n in range(200):
            journal.write(f"entry {n} " + "words " * 50)
    path = vault.encrypted_path(data)
    blob = bytearray(path.read_bytes())
    blob[len(blob) // 2] ^= 0xFF
    path.write_bytes(bytes(blob))
    # Every open checks each page's HMAC, so the flipped page is found before a word of
    # the journal is read, and named as damage, not as a wrong passphrase.
    with pytest.raises(health.Damaged, match="HMAC verification failed for page"):
        Journal.open(data, PASS)


def test_the_cli_story(attune, tmp_path):
    secret = tmp_path / "pass.txt"
    secret.write_text(PASS + "\n", encoding="utf-8")
    attune("--passphrase-file", str(secret), "init", "--encrypt")
    attune("--passphrase-file", str(secret), "write", f"private {CANARY}")
    locked = attune("list", ok=False)
    assert locked.exit_code == 2 and "encrypted" in locked.stderr
    wrong = tmp_path / "wrong.txt"
    wrong.write_text("nope nope nope\n", encoding="utf-8")
    before = snapshot(attune.data_dir)
    refused = attune("--passphrase-file", str(wrong), "list", ok=False)
    assert refused.exit_code == 2 and "does not open" in refused.stderr
    assert snapshot(attune.data_dir) == before
    listed = attune("list", "--json", env={"ATTUNE_PASSPHRASE": PASS})
    assert CANARY in listed.stdout
    short = tmp_path / "short.txt"
    short.write_text("abc\n", encoding="utf-8")
    other = type(attune)(tmp_path / "other")
    assert other("--passphrase-file", str(short), "init", "--encrypt", ok=False).exit_code == 2
    assert other("init", "--encrypt", ok=False).exit_code == 2  # no terminal, no passphrase


def test_passphrase_change_from_the_cli(attune, tmp_path):
    old_file, new_file = tmp_path / "old.txt", tmp_path / "new.txt"
    old_file.write_text(PASS + "\n", encoding="utf-8")
    new_file.write_text("a brand new passphrase\n", encoding="utf-8")
    attune("--passphrase-file", str(old_file), "init", "--encrypt")
    attune("--passphrase-file", str(old_file), "write", "kept across the change")
    attune(
        "--passphrase-file",
        str(old_file),
        "passphrase",
        "change",
        "--new-passphrase-file",
        str(new_file),
    )
    assert attune("--passphrase-file", str(old_file), "list", ok=False).exit_code == 2
    listed = attune.json("--passphrase-file", str(new_file), "list")
    assert [e["body"] for e in listed["entries"]] == ["kept across the change"]
    assert len(list(attune.data_dir.glob("journal.encrypted*.sqlite3"))) == 1


@pytest.mark.slow
def test_kill_9_during_a_passphrase_change_leaves_exactly_one_that_opens(tmp_path):
    import random
    import signal
    import subprocess
    import sys
    import time

    data = tmp_path / "data"
    with Journal.create_encrypted(data, "passphrase number one") as journal:
        for n in range(300):
            journal.write(f"entry {n} " + "words " * 30)
    phrases = ["passphrase number one", "passphrase number two"]
    current = 0
    rng = random.Random(20261125)
    script = Path(__file__).with_name("rekey_process.py")
    completed = 0
    for _ in range(12):  # one change takes about 0.4 s, process start included
        other = 1 - current
        child = subprocess.Popen(
            [sys.executable, str(script), str(data), phrases[current], phrases[other]],
            stdout=subprocess.PIPE,
        )
        time.sleep(rng.uniform(0.02, 0.5))
        child.send_signal(signal.SIGKILL)
        out, _ = child.communicate()
        completed += b"done" in out
        opened = []
        for index in (current, other):
            try:
                with Journal.open(data, phrases[index]) as journal:
                    assert journal.store.count_entries() == 300
                    assert journal.store.integrity_check() == "ok"
                opened.append(index)
            except InvalidInput:
                pass
        assert len(opened) == 1, opened
        current = opened[0]
    assert len(list(data.glob("journal.encrypted*.sqlite3"))) == 1
