"""Backups restore exactly and are checked; the audit log records actions, never content."""

from __future__ import annotations

import json
import zipfile

import pytest

from attunement.core.journal import Journal
from attunement.errors import AttuneError, Conflict
from attunement.storage import backup, vault

PASS = "correct horse battery staple"
SECRET = "SECRET-client-detail"


def fill(journal: Journal) -> None:
    for n in range(30):
        entry = journal.write(f"entry {n} {SECRET}")
        if n == 0:
            journal.edit(entry.id, body=f"edited {SECRET}")
    journal.delete(journal.list_entries(limit=1)[0].id)
    journal.checkin(ease=5, note=SECRET)
    journal.save_draft(SECRET)


def test_backup_and_restore_a_plain_journal(tmp_path):
    source = tmp_path / "source"
    with Journal.open(source) as journal:
        fill(journal)
        manifest = backup.create(journal, tmp_path / "b.zip")
    assert manifest["counts"] == {
        "entries": 30,
        "checkins": 1,
        "drafts": 1,
        "transcripts": 0,
        "practice_attempts": 0,
    }
    target = tmp_path / "target"
    backup.restore(tmp_path / "b.zip", target, None)
    with Journal.open(target) as journal:
        assert backup.counts(journal) == manifest["counts"]
        assert len(journal.trash()) == 1


def test_an_encrypted_backup_stays_encrypted_and_needs_the_passphrase(tmp_path):
    source = tmp_path / "source"
    with Journal.create_encrypted(source, PASS) as journal:
        fill(journal)
        backup.create(journal, tmp_path / "b.zip")
    with zipfile.ZipFile(tmp_path / "b.zip") as archive:
        for name in archive.namelist():
            assert SECRET.encode() not in archive.read(name), name
    with pytest.raises(AttuneError):
        backup.restore(tmp_path / "b.zip", tmp_path / "wrong", "not the passphrase")
    assert not list((tmp_path / "wrong").glob("journal*")), "a failed restore leaves nothing"
    backup.restore(tmp_path / "b.zip", tmp_path / "right", PASS)
    with Journal.open(tmp_path / "right", PASS) as journal:
        assert journal.store.count_entries() == 29


def test_backup_under_write_load_is_consistent(tmp_path):
    import threading

    data = tmp_path / "data"
    with Journal.open(data) as journal:
        stop = threading.Event()

        def write() -> None:
            n = 0
            while not stop.is_set():
                journal.write(f"load {n}")
                n += 1

        thread = threading.Thread(target=write)
        thread.start()
        try:
            manifest = backup.create(journal, tmp_path / "b.zip")
        finally:
            stop.set()
            thread.join()
    backup.restore(tmp_path / "b.zip", tmp_path / "restored", None)
    with Journal.open(tmp_path / "restored") as journal:
        assert journal.store.integrity_check() == "ok"
        assert journal.store.count_entries() == manifest["counts"]["entries"]


def test_restore_never_overwrites_silently_and_keeps_the_old_journal_aside(tmp_path):
    with Journal.open(tmp_path / "a") as journal:
        journal.write("from the backup")
        backup.create(journal, tmp_path / "b.zip")
    other = tmp_path / "other"
    with Journal.open(other) as journal:
        journal.write("already here")
    with pytest.raises(Conflict):
        backup.restore(tmp_path / "b.zip", other, None)
    result = backup.restore(tmp_path / "b.zip", other, None, replace=True)
    with Journal.open(other) as journal:
        assert [e.body for e in journal.list_entries()] == ["from the backup"]
    kept = list((other / result["replaced"].split("/")[-1]).iterdir())
    assert any(p.name == "journal.sqlite3" for p in kept)


def test_a_damaged_or_foreign_backup_is_refused(tmp_path):
    bad = tmp_path / "bad.zip"
    bad.write_bytes(b"not a zip")
    with pytest.raises(AttuneError, match="not an Attunement backup"):
        backup.read_manifest(bad)
    with Journal.open(tmp_path / "a") as journal:
        journal.write("words")
        backup.create(journal, tmp_path / "b.zip")
    with (
        zipfile.ZipFile(tmp_path / "b.zip") as src,
        zipfile.ZipFile(tmp_path / "c.zip", "w") as dst,
    ):
        manifest = json.loads(src.read("manifest.json"))
        manifest["counts"]["entries"] = 99
        dst.writestr("manifest.json", json.dumps(manifest))
        dst.writestr(manifest["database"], src.read(manifest["database"]))
    with pytest.raises(AttuneError, match="not the"):
        backup.restore(tmp_path / "c.zip", tmp_path / "d", None)
    assert not list((tmp_path / "d").glob("journal*"))


def test_the_audit_log_records_actions_never_content(attune, tmp_path):
    secret = tmp_path / "pass.txt"
    secret.write_text(PASS + "\n", encoding="utf-8")
    new = tmp_path / "new.txt"
    new.write_text("another long passphrase\n", encoding="utf-8")
    attune("write", f"entry with {SECRET}")
    attune("export", "--out", str(tmp_path / "e.json"))
    attune("import", str(tmp_path / "e.json"), "--from", "attune-json")
    attune("--passphrase-file", str(secret), "encrypt")
    attune("--passphrase-file", str(secret), "backup", "--out", str(tmp_path / "b.zip"))
    attune(
        "--passphrase-file", str(secret), "passphrase", "change", "--new-passphrase-file", str(new)
    )
    attune("--passphrase-file", str(new), "decrypt")
    attune("--passphrase-file", str(secret), "restore", str(tmp_path / "b.zip"), "--yes")
    events = attune.json("audit")["events"]
    assert [e["action"] for e in events] == [
        "export",
        "import",
        "encrypt",
        "backup",
        "passphrase-change",
        "decrypt",
        "restore",
    ]
    log = (attune.data_dir / "audit.log").read_text(encoding="utf-8")
    assert SECRET not in log and PASS not in log
    assert (attune.data_dir / "audit.log").stat().st_mode & 0o777 == 0o600
    assert vault.is_encrypted(attune.data_dir), "the restored backup was encrypted"
