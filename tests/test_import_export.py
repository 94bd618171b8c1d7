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
    assert family["updated_at"] == "2024-04-10T09:02:11+01:00"  # its last change, in London too
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
        assert result.exit_code == 2 and f"`--from {right}` at the command line" in result.stderr
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
        assert "it looks like a jrnl JSON export: import it as that kind of file" in result.stderr
        assert "`--from jrnl-json` at the command line" in result.stderr
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
    from attunement.practice import service as practice

    session = tmp_path / "monday.vtt"
    session.write_text(TIMED_SESSION, encoding="utf-8")
    transcript = attune(
        "transcript", "import", str(session), "--caregiver", "Counsellor", "--entry", first
    ).stdout.strip()
    with Journal.open(attune.data_dir) as journal:
        journal.save_draft("an unfinished thought", title="Later", prompt_id="aoa-2")
        checkin = journal.checkin(ease=4, moment="other", note="before practice")
        _, attempt = practice.respond(
            journal, "v17", "Forty minutes and nobody came. No wonder.", checkin_id=checkin.id
        )
    out = tmp_path / "backup.json"
    assert "Exported 2 entries" in attune("export", "--out", str(out)).stdout
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["format"] == "attunement-journal" and data["version"] == 3
    assert len(data["entries"]) == 2 and len(data["checkins"]) == 2
    edited = next(e for e in data["entries"] if e["id"] == first)
    assert [r["body"] for r in edited["revisions"]] == ["I lean in and soften my voice"]
    (kept,) = data["transcripts"]
    assert kept["id"] == transcript and kept["entry_id"] == first
    assert [t["text"] for t in kept["turns"]][0] == "What brings you here today?"
    assert (kept["turns"][0]["start"], kept["turns"][0]["end"]) == (1.0, 4.5)
    (response,) = data["practice"]
    assert response["id"] == attempt and response["checkin_id"] == checkin.id
    assert response["response"] == "Forty minutes and nobody came. No wonder."

    restored = type(attune)(tmp_path / "restored")
    report = restored.json("import", str(out), "--from", "attune-json")
    assert report["added"] == 2 and report["checkins_added"] == 2
    assert report["transcripts_added"] == 1 and report["practice_added"] == 1
    out2 = tmp_path / "again.json"
    restored("export", "--out", str(out2))
    again = json.loads(out2.read_text(encoding="utf-8"))
    for key in ("entries", "checkins", "drafts", "decks", "transcripts", "practice"):
        assert again[key] == data[key], key
    assert len(again["drafts"]) == 1
    twice = restored("import", str(out), "--from", "attune-json").stdout
    assert "Added 0 entries" in twice
    assert "Transcripts: 0 added, 1 skipped. Practice responses: 0 added, 1 skipped." in twice
    assert len(restored.json("drafts")["drafts"]) == 1, "drafts are not duplicated either"
    assert len(restored.json("transcript", "list")["transcripts"]) == 1, "nor transcripts"
    assert restored.json("practice", "progress")["attempts"] == 1, "nor practice responses"
    assert restored.json("trash")["entries"][0]["id"] == trashed
    assert (
        restored.json("history", first)["revisions"][0]["body"] == "I lean in and soften my voice"
    )
    assert restored.json("show", first)["transcripts"] == [{"id": transcript, "title": "monday"}]
    assert restored.json("transcript", "analyze", transcript) == attune.json(
        "transcript", "analyze", transcript
    ), "the session codes the same after the move"


TIMED_SESSION = """WEBVTT

00:00:01.000 --> 00:00:04.500
<v Counsellor>What brings you here today?</v>

00:00:05.000 --> 00:00:11.000
<v Client>I've been drinking every night since my mum died.</v>
"""


def test_a_version_2_export_still_imports(attune):
    """Version 2 (the last without transcripts and practice responses) comes in whole."""
    golden = DATA / "attunement-export-v2.json"
    report = attune.json("import", str(golden), "--from", "attune-json")
    assert report["added"] == 3 and report["refused"] == [] and report["checkins_added"] == 1
    assert report["transcripts_added"] == 0 and report["practice_added"] == 0
    data = json.loads(golden.read_text(encoding="utf-8"))
    everything = attune.json("list")["entries"] + attune.json("trash")["entries"]
    assert {e["id"] for e in everything} == {e["id"] for e in data["entries"]}
    assert attune.json("transcript", "list")["transcripts"] == []
    assert len(attune.json("drafts")["drafts"]) == 1


def test_a_damaged_transcript_in_an_export_refuses_the_file_naming_the_field(attune, tmp_path):
    data = json.loads((DATA / "attunement-export-v2.json").read_text(encoding="utf-8"))
    data["version"] = 3
    turn = {"speaker": "Counsellor", "text": "Hello", "start": None, "end": None}
    good = {
        "id": "k3m9x2a",
        "title": "Monday",
        "format": "text",
        "caregiver": "Counsellor",
        "turns": [turn],
        "entry_id": None,
        "created_at": "2026-12-02T06:25:36+00:00",
    }
    damaged = {**good, "id": "k3m9x2b", "turns": [turn, {**turn, "speaker": "Two\nlines"}]}
    data["transcripts"] = [good, damaged]
    path = tmp_path / "damaged.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    result = attune("import", str(path), "--from", "attune-json", ok=False)
    assert result.exit_code == 2
    assert "transcripts[1].turns[1].speaker: The speaker must fit on one line." in result.stderr
    assert attune.json("list")["entries"] == [], "nothing was stored"
    assert attune.json("transcript", "list")["transcripts"] == []


def test_a_dry_run_counts_transcripts_and_practice_responses(attune, tmp_path):
    from attunement.core.journal import Journal
    from attunement.practice import service as practice

    session = tmp_path / "s.vtt"
    session.write_text(TIMED_SESSION, encoding="utf-8")
    attune("transcript", "import", str(session), "--caregiver", "Counsellor")
    with Journal.open(attune.data_dir) as journal:
        practice.respond(journal, "v17", "That sounds so lonely.")
    out = tmp_path / "backup.json"
    attune("export", "--out", str(out))
    fresh = type(attune)(tmp_path / "fresh")
    preview = fresh.json("import", str(out), "--from", "attune-json", "--dry-run")
    assert preview["transcripts_added"] == 1 and preview["practice_added"] == 1
    assert fresh.json("transcript", "list")["transcripts"] == [], "a dry run stores nothing"
    same = attune.json("import", str(out), "--from", "attune-json", "--dry-run")
    assert same["transcripts_skipped"] == 1 and same["practice_skipped"] == 1
    assert same["transcripts_added"] == 0 and same["practice_added"] == 0


def test_a_practice_response_to_a_statement_this_version_lacks_is_left_out_and_said(
    attune, tmp_path
):
    from attunement.core.journal import Journal
    from attunement.practice import service as practice

    with Journal.open(attune.data_dir) as journal:
        practice.respond(journal, "v17", "That sounds so lonely.")
        practice.respond(journal, "v18", "You stayed with her.")
    out = tmp_path / "backup.json"
    attune("export", "--out", str(out))
    data = json.loads(out.read_text(encoding="utf-8"))
    data["practice"][1]["vignette_id"] = "v999"
    out.write_text(json.dumps(data), encoding="utf-8")
    fresh = type(attune)(tmp_path / "fresh")
    report = fresh.json("import", str(out), "--from", "attune-json")
    assert report["practice_added"] == 1
    assert any("'v999', which this Attunement does not have" in n for n in report["notes"])
    assert fresh.json("practice", "progress")["attempts"] == 1


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


def test_download_everything_holds_transcripts_and_practice_and_imports_back(tmp_path):
    """Settings → Download everything (JSON) on one computer, Import on another: the
    sessions and the practice history come too, and importing twice adds nothing."""
    from starlette.testclient import TestClient

    from attunement.web import Settings, create_app

    def app_on(folder: Path) -> TestClient:
        return TestClient(create_app(Settings(data_dir=folder, extra_hosts=("testserver",))))

    with app_on(tmp_path / "old computer") as old:
        entry = old.post("/api/v1/entries", json={"body": "After the role-play."}).json()
        made = old.post(
            "/transcripts",
            data={"entry_id": entry["id"], "title": "Role-play 2"},
            files={"file": ("s.vtt", TIMED_SESSION.encode())},
            follow_redirects=False,
        )
        assert made.status_code == 303
        answered = old.post(
            "/api/v1/practice/respond",
            json={"vignette_id": "v17", "response": "Forty minutes and nobody came."},
        )
        assert answered.status_code == 201, answered.text
        assert "transcripts and practice responses" in old.get("/settings").text
        backup = old.post("/api/v1/export", params={"format": "json"}).content
    data = json.loads(backup)
    assert len(data["transcripts"]) == 1 and len(data["practice"]) == 1

    with app_on(tmp_path / "new computer") as new:
        for _ in range(2):
            imported = new.post(
                "/settings/import",
                data={"from": "attune-json"},
                files={"file": ("attunement-export.json", backup)},
            )
            assert imported.status_code == 200
        assert "Transcripts: 0 added, 1 skipped." in imported.text
        assert "Practice responses: 0 added, 1 skipped." in imported.text
        (kept,) = new.get("/api/v1/transcripts").json()["transcripts"]
        assert kept["title"] == "Role-play 2" and kept["entry_id"] == entry["id"]
        assert "for each question asked" in new.get(f"/transcripts/{kept['id']}").text
        assert new.get("/api/v1/practice/progress").json()["attempts"] == 1
