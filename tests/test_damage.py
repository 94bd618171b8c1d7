"""A damaged journal is found, told apart from a wrong passphrase, and the way out named.

The damage is the kind a failing disk or a bad copy makes: bytes flipped inside pages,
page 1 flipped, a file cut short at a page boundary or in the middle of one."""

from __future__ import annotations

from pathlib import Path

import pytest

from attunement.core.journal import Journal
from attunement.core.models import NewEntry
from attunement.errors import InvalidInput, StorageError
from attunement.storage import backup, health, vault

PASS = "correct horse battery staple"
PAGE = vault.PAGE_SIZE


def make(data_dir: Path, *, encrypted: bool, entries: int = 400) -> Path:
    opened = Journal.create_encrypted(data_dir, PASS) if encrypted else Journal.open(data_dir)
    with opened as journal:
        journal.store.add_entries(
            NewEntry(title="", body=f"shift note {n} " + "sat with the family " * 20)
            for n in range(entries)
        )
    return vault.encrypted_path(data_dir) if encrypted else data_dir / vault.PLAIN_NAME


def flip(path: Path, *offsets: int) -> None:
    blob = bytearray(path.read_bytes())
    for offset in offsets:
        blob[offset] ^= 0xFF
    path.write_bytes(bytes(blob))


def cut(path: Path, size: int) -> None:
    with open(path, "r+b") as handle:
        handle.truncate(size)


def passfile(tmp_path: Path, text: str = PASS) -> str:
    path = tmp_path / f"pass-{len(text)}.txt"
    path.write_text(text + "\n", encoding="utf-8")
    return str(path)


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda p: flip(p, 17 * PAGE + 100, 34 * PAGE + 9), id="inner-pages"),
        pytest.param(lambda p: flip(p, 100), id="page-1"),
        pytest.param(lambda p: cut(p, p.stat().st_size - 1000), id="cut-mid-page"),
        pytest.param(lambda p: cut(p, p.stat().st_size - 3 * PAGE), id="cut-at-page"),
    ],
)
def test_damage_to_an_encrypted_journal_is_named_as_damage_not_a_wrong_passphrase(tmp_path, damage):
    data = tmp_path / "data"
    damage(make(data, encrypted=True))
    with pytest.raises(health.Damaged) as found:
        Journal.open(data, PASS)
    message = found.value.message
    assert "is damaged" in message and "The passphrase is right" in message
    assert "attune restore" in message, "the way out is named"
    with pytest.raises(InvalidInput, match="passphrase does not open"):
        Journal.open(data, "not the passphrase at all")


def test_every_command_refuses_a_damaged_journal_and_names_the_backup_to_restore(attune, tmp_path):
    secret = passfile(tmp_path)
    attune("--passphrase-file", secret, "init", "--encrypt")
    with Journal.open(attune.data_dir, PASS) as journal:
        journal.store.add_entries(
            NewEntry(title="", body=f"note {n} " + "words " * 60) for n in range(300)
        )
    good = tmp_path / "good.zip"
    attune("--passphrase-file", secret, "backup", "--out", str(good))
    flip(vault.encrypted_path(attune.data_dir), 17 * PAGE + 100, 34 * PAGE + 9)
    for command in (["list"], ["search", "note"], ["export", "--out", str(tmp_path / "e.json")]):
        refused = attune("--passphrase-file", secret, *command, ok=False)
        assert refused.exit_code == 3, command
        assert "HMAC verification failed for page 18" in refused.stderr
        assert str(good) in refused.stderr and "Traceback" not in refused.stderr
    refused = attune(
        "--passphrase-file", secret, "backup", "--out", str(tmp_path / "b.zip"), ok=False
    )
    assert refused.exit_code == 3 and "Traceback" not in refused.stderr
    assert "is damaged" in refused.stderr and not (tmp_path / "b.zip").exists()
    checked = attune("--passphrase-file", secret, "check", ok=False)
    assert checked.exit_code == 3
    assert "page 18" in checked.stderr and "page 35" in checked.stderr
    assert checked.stderr.count("attune restore") == 1, "the way out is said once"
    assert f"attune restore {good} --yes" in checked.stderr
    wrong = attune("--passphrase-file", passfile(tmp_path, "wrong passphrase"), "list", ok=False)
    assert wrong.exit_code == 2 and "passphrase does not open" in wrong.stderr
    # The way out works: the restore moves the damaged journal aside.
    attune("--passphrase-file", secret, "restore", str(good), "--yes")
    assert "intact" in attune("--passphrase-file", secret, "check").stdout
    assert len(attune.json("--passphrase-file", secret, "list", "--all")["entries"]) == 300


def test_a_damaged_plain_journal_is_refused_by_backup_and_found_by_check(attune, tmp_path):
    path = make(attune.data_dir, encrypted=False)
    assert "intact" in attune("check").stdout
    report = attune.json("check")
    assert report["intact"] is True and report["entries"] == 400 and report["pages"] > 100
    cut(path, path.stat().st_size // 2)
    refused = attune("backup", "--out", str(tmp_path / "b.zip"), ok=False)
    assert refused.exit_code == 3 and "Traceback" not in refused.stderr
    assert "damaged" in refused.stderr and not (tmp_path / "b.zip").exists()
    checked = attune("check", ok=False)
    assert checked.exit_code == 3 and "is damaged" in checked.stderr
    assert "attune restore" in checked.stderr


def _damage_in_place(archive: Path, database: str) -> None:
    """A flipped byte inside the stored journal, as a bad copy of the zip would make."""
    blob = bytearray(archive.read_bytes())
    start = blob.index(database.encode(), blob.index(b"manifest.json") + 20)
    blob[start + len(database) + 30 * PAGE] ^= 0xFF
    archive.write_bytes(bytes(blob))


def _damage_then_rezip(archive: Path, database: str) -> None:
    """A journal already damaged when it was packed: the zip's own checksum is right."""
    import zipfile

    with zipfile.ZipFile(archive) as old:
        members = {name: old.read(name) for name in old.namelist()}
    blob = bytearray(members[database])
    blob[30 * PAGE + 7] ^= 0xFF
    members[database] = bytes(blob)
    with zipfile.ZipFile(archive, "w") as new:
        for name, data in members.items():
            new.writestr(name, data)


@pytest.mark.parametrize("damage", [_damage_in_place, _damage_then_rezip])
def test_a_backup_holding_a_damaged_journal_is_refused_and_changes_nothing(tmp_path, damage):
    source = tmp_path / "source"
    make(source, encrypted=True, entries=300)
    with Journal.open(source, PASS) as journal:
        backup.create(journal, tmp_path / "b.zip")
    damage(tmp_path / "b.zip", vault.read_header(source).file)
    target = tmp_path / "target"
    make(target, encrypted=False, entries=3)
    before = sorted(p.name for p in target.iterdir())
    with pytest.raises(StorageError, match="The backup .* is damaged"):
        backup.restore(tmp_path / "b.zip", target, PASS, replace=True)
    assert sorted(p.name for p in target.iterdir()) == before
    with Journal.open(target) as journal:
        assert journal.store.count_entries() == 3
