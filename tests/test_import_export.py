"""Everything can be taken out again, and other journals come in without losing a word."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import yaml

from .conftest import DATA


def entries_by_title(attune):
    return {e["title"]: e for e in attune.json("list", "--all")["entries"]}


def test_jrnl_plain_text_journal_written_by_jrnl_itself(attune):
    report = attune.json("import", str(DATA / "jrnl-v4.6-journal.txt"), "--from", "jrnl")
    assert report["added"] == 5 and report["refused"] == []
    entries = entries_by_title(attune)
    starred = entries["Rupture and repair."]
    assert starred["starred"] is True
    assert starred["body"] == "I missed her cue and rushed to reassure."
    assert starred["created_at"].startswith("2024-03-02T18:40")
    early = entries["Early shift thoughts."]
    assert early["body"] == (
        "First line of the body.\n\nA second paragraph, with ünïcödé — and emoji 🌿 #ease"
    )
    assert early["tags"] == ["ease"]
    assert entries["Ich war heute ruhig."]["tags"] == ["geduld", "zoë"]
    assert entries["After the visit with @Amara."]["tags"] == ["amara"]
    title_only = [e for e in entries.values() if e["body"] == "Just a title with no body"]
    assert len(title_only) == 1, "an entry that is only a title keeps its words as the body"


def test_importing_the_same_file_twice_adds_nothing(attune):
    path = str(DATA / "jrnl-v4.6-journal.txt")
    attune("import", path, "--from", "jrnl")
    again = attune.json("import", path, "--from", "jrnl")
    assert again["added"] == 0 and len(again["skipped"]) == 5
    assert len(attune.json("list", "--all")["entries"]) == 5


def test_dry_run_reports_and_stores_nothing(attune):
    path = str(DATA / "jrnl-v4.6-export.json")
    report = attune.json("import", path, "--from", "jrnl-json", "--dry-run")
    assert report["dry_run"] is True and report["added"] == 5
    assert attune.json("list")["entries"] == []
    text = attune("import", path, "--from", "jrnl-json", "--dry-run").stdout
    assert "Would add 5 entries" in text


def test_jrnl_json_export_and_plain_text_agree(attune, tmp_path):
    attune("import", str(DATA / "jrnl-v4.6-export.json"), "--from", "jrnl-json")
    via_json = entries_by_title(attune)
    other = type(attune)(tmp_path / "other")
    other("import", str(DATA / "jrnl-v4.6-journal.txt"), "--from", "jrnl")
    via_text = entries_by_title(other)
    assert via_json.keys() == via_text.keys()
    for title, entry in via_json.items():
        for key in ("body", "tags", "starred", "created_at"):
            assert entry[key] == via_text[title][key], (title, key)


def test_day_one_json_and_zip(attune, tmp_path):
    report = attune.json("import", str(DATA / "dayone-export.json"), "--from", "dayone")
    assert report["added"] == 2 and report["refused"] == []
    assert any("1 photo left out" in note for note in report["notes"])
    assert any("1 entry with no text" in n and "FFFFFFFF" in n for n in report["notes"])
    entries = attune.json("list")["entries"]
    family = next(e for e in entries if e["title"] == "Sitting with the family")
    assert family["body"] == "I stayed quiet and let the silence hold us.. My breath slowed."
    assert family["starred"] and family["tags"] == ["chaplaincy", "night-shift"]
    assert family["created_at"] == "2024-04-10T08:30:00+01:00"  # London, summer time
    assert family["updated_at"].startswith("2024-04-10T08:02:11")
    melbourne = next(e for e in entries if e["title"] == "")
    assert melbourne["created_at"] == "2024-04-12T08:15:00+10:00"

    archive = tmp_path / "dayone.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.write(DATA / "dayone-export.json", "Journal.json")
        zf.writestr("photos/0f.jpeg", b"\xff\xd8")
    again = attune.json("import", str(archive), "--from", "dayone")
    assert again["added"] == 0 and len(again["skipped"]) == 2


def test_malformed_imports_name_file_and_line_and_store_nothing(attune, tmp_path):
    attune("write", "Already here")
    cases = {
        "preamble.txt": ("Some notes\n[2024-01-01 09:00] Entry\n", "jrnl", "line 1"),
        "broken.json": ('{"entries": [\n {"title": "x",\n}', "jrnl-json", "line 3"),
        "no-entries.json": ('{"hello": 1}', "dayone", "line 1"),
        "attune.json": ('{"format": "something-else"}', "attune-json", "line 1"),
    }
    for name, (text, fmt, where) in cases.items():
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        result = attune("import", str(path), "--from", fmt, ok=False)
        assert result.exit_code == 2, name
        assert str(path) in result.stderr and where in result.stderr, result.stderr
        assert "Traceback" not in result.output
    latin1 = tmp_path / "latin1.txt"
    latin1.write_bytes("[2024-01-01 09:00] Caf\u00e9\nline two\n\u00e9t\u00e9\n".encode("latin-1"))
    result = attune("import", str(latin1), "--from", "jrnl", ok=False)
    assert (
        result.exit_code == 2 and "not valid UTF-8" in result.stderr and "line 1" in result.stderr
    )
    assert len(attune.json("list")["entries"]) == 1


def test_a_jrnl_entry_dated_on_a_day_that_cannot_be_is_refused_and_listed(attune, tmp_path):
    path = tmp_path / "bad-date.txt"
    path.write_text(
        "[2024-01-01 09:00] Fine\nbody\n\n[2024-02-30 10:00] Not a day\nlost\n\n"
        "[2024-03-01 09:00] Also fine\n",
        encoding="utf-8",
    )
    result = attune("import", str(path), "--from", "jrnl", ok=False)
    assert result.exit_code == 2
    assert "line 4 ([2024-02-30 10:00]): its date is not a real date" in result.stderr
    titles = [e["title"] or e["body"] for e in attune.json("list")["entries"]]
    assert sorted(titles) == ["Also fine", "Fine"]


def test_a_file_given_the_wrong_format_says_which_to_use(attune, tmp_path):
    dayone = tmp_path / "Journal.json"
    dayone.write_text(
        '{"entries": [{"uuid": "A1", "creationDate": "2024-01-01T10:00:00Z", "text": "Hi"}]}',
        encoding="utf-8",
    )
    jrnl_json = tmp_path / "jrnl.json"
    jrnl_json.write_text(
        '{"tags": {}, "entries": [{"title": "t", "body": "b", "date": "2024-01-01", '
        '"time": "10:00", "tags": [], "starred": false}]}',
        encoding="utf-8",
    )
    for path, given, right in ((dayone, "jrnl-json", "dayone"), (jrnl_json, "dayone", "jrnl-json")):
        result = attune("import", str(path), "--from", given, ok=False)
        assert result.exit_code == 2 and f"import it with --from {right}" in result.stderr
    assert attune.json("list")["entries"] == []


def test_a_jrnl_export_of_day_one_entries_is_still_named_a_jrnl_export(attune, tmp_path):
    """jrnl keeps the "uuid" of entries it took from Day One; its export is still jrnl's,
    and the hint reads as English ("an Attunement JSON export")."""
    jrnl_json = tmp_path / "jrnl.json"
    jrnl_json.write_text(
        '{"tags": {}, "entries": [{"title": "t", "body": "b", "date": "2024-01-01", '
        '"time": "10:00", "tags": [], "starred": false, "uuid": "FD8ABC8E"}]}',
        encoding="utf-8",
    )
    for given in ("attune-json", "dayone"):
        result = attune("import", str(jrnl_json), "--from", given, ok=False)
        assert result.exit_code == 2
        assert "it looks like a jrnl JSON export: import it with --from jrnl-json" in (
            result.stderr
        )
    assert attune.json("list")["entries"] == []
    attune("write", "Mine.")
    ours = tmp_path / "export.json"
    attune("export", "--out", str(ours))
    other = type(attune)(tmp_path / "other")
    result = other("import", str(ours), "--from", "dayone", ok=False)
    assert "it looks like an Attunement JSON export" in result.stderr


def test_json_export_is_complete_and_imports_back_exactly(attune, tmp_path):
    first = attune(
        "write", "--prompt", "aoa-3", "--star", "--tag", "posture", "I lean in and soften my voice"
    ).stdout.strip()
    attune("edit", first, "--text", "I lean in, soften my voice, and wait")
    trashed = attune("write", "A note for the trash").stdout.strip()
    attune("delete", trashed)
    attune("checkin", "--ease", "7", "--urge-to-fix", "2", "--body", "chest", "--note", "ok")
    from attunement.core.journal import Journal

    with Journal.open(attune.data_dir) as journal:
        journal.save_draft("an unfinished thought", title="Later", prompt_id="aoa-2")
    out = tmp_path / "backup.json"
    assert "Exported 2 entries" in attune("export", "--out", str(out)).stdout
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["format"] == "attunement-journal" and data["version"] == 2
    assert len(data["entries"]) == 2 and len(data["checkins"]) == 1
    edited = next(e for e in data["entries"] if e["id"] == first)
    assert [r["body"] for r in edited["revisions"]] == ["I lean in and soften my voice"]

    restored = type(attune)(tmp_path / "restored")
    report = restored.json("import", str(out), "--from", "attune-json")
    assert report["added"] == 2 and report["checkins_added"] == 1
    out2 = tmp_path / "again.json"
    restored("export", "--out", str(out2))
    again = json.loads(out2.read_text(encoding="utf-8"))
    for key in ("entries", "checkins", "drafts", "decks"):
        assert again[key] == data[key], key
    assert len(again["drafts"]) == 1
    twice = restored.json("import", str(out), "--from", "attune-json")
    assert twice["added"] == 0 and twice["checkins_added"] == 0
    assert len(restored.json("drafts")["drafts"]) == 1, "drafts are not duplicated either"
    assert restored.json("trash")["entries"][0]["id"] == trashed
    assert (
        restored.json("history", first)["revisions"][0]["body"] == "I lean in and soften my voice"
    )


def test_export_refuses_to_overwrite(attune, tmp_path):
    out = tmp_path / "exists.json"
    out.write_text("precious", encoding="utf-8")
    result = attune("export", "--out", str(out), ok=False)
    assert result.exit_code == 1 and "already exists" in result.stderr
    assert out.read_text(encoding="utf-8") == "precious"


def test_markdown_export_folder_and_zip_with_front_matter(attune, tmp_path):
    entry_id = attune(
        "write",
        "--prompt",
        "aoa-7",
        "--title",
        "Ease: my chair",
        "--tag",
        "ease",
        "Feet on the floor.\n\n# A heading in the body",
    ).stdout.strip()
    gone = attune("write", "Trashed words").stdout.strip()
    attune("delete", gone)
    folder = tmp_path / "vault"
    assert (
        "Exported 1 entries"
        in attune("export", "--format", "markdown", "--out", str(folder)).stdout
    )
    (path,) = folder.iterdir()
    assert path.name.endswith(f"-ease-my-chair-{entry_id}.md")
    text = path.read_text(encoding="utf-8")
    _, front, body = text.split("---\n", 2)
    meta = yaml.safe_load(front)
    assert meta["id"] == entry_id and meta["title"] == "Ease: my chair"
    assert meta["tags"] == ["ease"] and meta["prompt"] == "aoa-7"
    assert "being at ease in your chair" in meta["prompt_text"]
    assert body == "\nFeet on the floor.\n\n# A heading in the body\n"
    archive = tmp_path / "vault.zip"
    attune("export", "--format", "markdown", "--out", str(archive))
    with zipfile.ZipFile(archive) as zf:
        assert [Path(n).name for n in zf.namelist()] == [path.name]
    refused = attune("export", "--format", "markdown", "--out", str(folder), ok=False)
    assert refused.exit_code == 1


def test_restoring_from_the_json_export_keeps_what_was_imported_from_where(attune, tmp_path):
    """Import keys travel with the export, so re-importing the same jrnl file into a
    journal rebuilt from that export adds nothing twice."""
    journal_txt = str(DATA / "jrnl-v4.6-journal.txt")
    assert attune.json("import", journal_txt, "--from", "jrnl")["added"] == 5
    out = tmp_path / "export.json"
    attune("export", "--out", str(out))
    exported = json.loads(out.read_text(encoding="utf-8"))["entries"]
    assert all(e["source"] for e in exported), "each imported entry names where it came from"
    fresh = type(attune)(tmp_path / "fresh")
    assert fresh.json("import", str(out), "--from", "attune-json")["added"] == 5
    again = fresh.json("import", journal_txt, "--from", "jrnl")
    assert again["added"] == 0 and len(again["skipped"]) == 5
    assert len(fresh.json("list", "--all")["entries"]) == 5
    out2 = tmp_path / "export-again.json"
    fresh("export", "--out", str(out2))
    assert json.loads(out2.read_text(encoding="utf-8"))["entries"] == exported
