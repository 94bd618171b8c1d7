"""Other journals' files as their own tools write them: Day One zips of any size, Day One's
Markdown, jrnl's dates, titles, tags and encryption. Nothing is lost silently, a partial
import says so and exits non-zero, and a hostile file is refused in one sentence."""

from __future__ import annotations

import json
import os
import resource
import struct
import subprocess
import sys
import zipfile
import zlib
from pathlib import Path

import pytest

from attunement.interop import dayone

from .conftest import REPO


def _raw_deflate_of_spaces(total: int, prefix: bytes) -> bytes:
    """A raw deflate stream for ``prefix`` followed by ``total`` spaces, built from one
    flushed block repeated, so a gigabyte costs a few hundred kilobytes and no time."""
    head = zlib.compressobj(9, zlib.DEFLATED, -15)
    start = head.compress(prefix) + head.flush(zlib.Z_FULL_FLUSH)
    block = zlib.compressobj(9, zlib.DEFLATED, -15)
    mib = block.compress(b" " * (1 << 20)) + block.flush(zlib.Z_FULL_FLUSH)
    tail = block.flush(zlib.Z_FINISH)
    return start + mib * (total >> 20) + tail


def zip_bomb(path: Path, unpacked: int, declared: int) -> None:
    """A one-member zip holding ``Journal.json`` whose text is ``unpacked`` bytes long; its
    headers claim ``declared`` bytes (a lying header when the two differ)."""
    name = b"Journal.json"
    data = _raw_deflate_of_spaces(unpacked, b'{"entries": [{"uuid": "A", "text": "')
    local = struct.pack(
        "<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0, 0, len(data), declared, len(name), 0
    )
    central = struct.pack(
        "<IHHHHHHIIIHHHHHII",
        0x02014B50,
        20,
        20,
        0,
        8,
        0,
        0,
        0,
        len(data),
        declared,
        len(name),
        0,
        0,
        0,
        0,
        0,
        0,
    )
    offset = len(local) + len(name) + len(data)
    directory = central + name
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, 1, 1, len(directory), offset, 0)
    path.write_bytes(local + name + data + directory + end)


def run_limited(args: list[str], data_dir: Path, memory: int) -> subprocess.CompletedProcess:
    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))

    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    return subprocess.run(
        [sys.executable, "-m", "attunement", "--data-dir", str(data_dir), *args],
        capture_output=True,
        env=env,
        timeout=120,
        preexec_fn=limit,
    )


@pytest.mark.parametrize(
    "declared,why",
    [(1 << 30, "would unpack to 1,024 MB"), (20 << 20, "damaged zip")],
    ids=["honest header", "lying header"],
)
def test_a_day_one_zip_bomb_is_refused_in_one_sentence_within_bounded_memory(
    tmp_path, declared, why
):
    bomb = tmp_path / "bomb.zip"
    zip_bomb(bomb, 1 << 30, declared)
    assert bomb.stat().st_size < 2 << 20, "small on disk"
    result = run_limited(
        ["import", str(bomb), "--from", "dayone"], tmp_path / "data", memory=1536 << 20
    )
    err = result.stderr.decode()
    assert result.returncode == 2, err
    assert why in err and str(bomb) in err, err
    assert "Traceback" not in err and "MemoryError" not in err
    assert len(err.strip().splitlines()) == 1


def test_a_record_bigger_than_any_entry_is_refused_while_reading(tmp_path, monkeypatch, attune):
    """The bound is on what is read, not on what the header says."""
    bomb = tmp_path / "bomb.zip"
    zip_bomb(bomb, 64 << 20, 64 << 20)
    monkeypatch.setattr(dayone, "MAX_JSON_BYTES", 256 << 20)
    result = attune("import", str(bomb), "--from", "dayone", ok=False)
    assert result.exit_code == 2
    assert "record longer than 32 MB" in result.stderr, result.stderr


DAY_ONE = {
    "metadata": {"version": "1.0"},
    "entries": [
        {
            "uuid": "E1",
            "creationDate": "2024-04-10T07:30:00Z",
            "timeZone": "Europe/London",
            "text": "# Ward round\\.\n\n![](dayone-moment://AB12CD)\n\nWe met at 9\\:30\\. "
            "1\\. Listen \\- then speak\\!\n\n```\nkeep\\.this\n```",
            "photos": [{"identifier": "AB12CD", "md5": "0f", "type": "jpeg"}],
            "location": {
                "placeName": "St Mary's Hospital",
                "localityName": "London",
                "country": "United Kingdom",
                "latitude": 51.5,
                "longitude": -0.17,
            },
            "weather": {"conditionsDescription": "Partly Cloudy", "temperatureCelsius": 12.4},
        },
        {
            "uuid": "E2",
            "creationDate": "2024-04-11T07:30:00Z",
            "text": "![](dayone-moment://EF34)",
            "photos": [{"identifier": "EF34", "md5": "1a", "type": "jpeg"}],
        },
    ],
}


def test_day_one_markdown_media_place_and_weather(attune, tmp_path):
    archive = tmp_path / "export.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("Journal.json", json.dumps(DAY_ONE))
        zf.writestr("photos/0f.jpeg", b"\xff\xd8")
    report = attune.json("import", str(archive), "--from", "dayone")
    assert report["added"] == 1 and report["refused"] == []
    notes = " ".join(report["notes"])
    assert "2 photos left out" in notes and "link(s) were taken out" in notes
    assert "1 entry with no text" in notes and "E2" in notes
    [entry] = attune.json("list")["entries"]
    assert entry["title"] == "Ward round."
    body = entry["body"]
    assert "dayone-moment" not in body and "![" not in body
    assert "We met at 9:30. 1. Listen - then speak!" in body
    assert "keep\\.this" in body, "code blocks are left as written"
    assert body.endswith("```\nkeep\\.this\n```"), "place and weather stay out of the text"
    assert "St Mary" not in body and "Cloudy" not in body and "Day One" not in body
    assert entry["meta"] == {
        "location": {
            "place": "St Mary's Hospital",
            "locality": "London",
            "country": "United Kingdom",
            "latitude": 51.5,
            "longitude": -0.17,
        },
        "weather": {"conditions": "Partly Cloudy", "temperature_c": 12.4},
        "source": "dayone",
    }


def test_day_one_entries_with_only_rich_text_or_an_offset_zone_arrive_whole(attune, tmp_path):
    rich = {"contents": [{"text": "Only the rich text "}, {"text": "holds these words.\n"}]}
    export = {
        "entries": [
            {
                "uuid": "R1",
                "creationDate": "2024-04-04T08:00:00Z",
                "modifiedDate": "2024-04-04T08:30:00Z",
                "timeZone": "Europe/London",
                "richText": json.dumps(rich),
            },
            {
                "uuid": "G1",
                "creationDate": "2024-04-03T08:00:00Z",
                "timeZone": "GMT+0100",
                "text": "Zone written as an offset.",
                "tags": ["Trauma/Grief", "hospice care"],
            },
        ]
    }
    path = tmp_path / "Journal.json"
    path.write_text(json.dumps(export), encoding="utf-8")
    assert attune.json("import", str(path), "--from", "dayone")["added"] == 2
    got = {e["body"]: e["created_at"] for e in attune.json("list", "--all")["entries"]}
    assert got == {
        "Only the rich text holds these words.": "2024-04-04T09:00:00+01:00",
        "Zone written as an offset.": "2024-04-03T09:00:00+01:00",
    }
    tagged = [e for e in attune.json("list", "--all")["entries"] if e["tags"]]
    assert [sorted(e["tags"]) for e in tagged] == [["hospice-care", "trauma-grief"]]
    # its last change is shown in the zone it was written in, as its history shows it
    (rich_entry,) = [e for e in attune.json("list", "--all")["entries"] if not e["tags"]]
    assert rich_entry["updated_at"] == "2024-04-04T09:30:00+01:00"


def _jrnl(attune, tmp_path, text: str, *, ok: bool = True, name: str = "journal.txt"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path, attune("import", str(path), "--from", "jrnl", "--json", ok=ok)


def test_jrnl_long_titles_partial_dates_and_tags(attune, tmp_path):
    long_608 = ("reflected " * 60 + "silently").strip()  # jrnl's test titles: 608 and 1,102
    long_1102 = ("word " * 220 + "ok").strip()
    assert (len(long_608), len(long_1102)) == (608, 1102)
    text = (
        f"[2019-07-18 14:23] {long_608}\nThe body.\n\n"
        f"[2019-07-19 14:23] {long_1102}\n\n"
        "[2019-07 14:23] The third entry\n"
        "Crossed timelines with @c++ and @c# and @work/clients.\n\n"
        "[1] a footnote, not a date\n"
    )
    _, result = _jrnl(attune, tmp_path, text)
    report = json.loads(result.stdout)
    assert report["added"] == 3 and report["refused"] == []
    entries = {e["created_at"][:16]: e for e in attune.json("list", "--all")["entries"]}
    first = entries["2019-07-18T14:23"]
    assert first["title"] == "" and first["body"] == f"{long_608}\n\nThe body."
    assert entries["2019-07-19T14:23"]["body"] == long_1102
    third = entries["2019-07-01T14:23"]
    assert third["title"] == "The third entry"
    assert third["body"].endswith("[1] a footnote, not a date")
    assert set(third["tags"]) == {"c++", "c#", "work"}
    assert any("@work/clients (kept as #work)" in n for n in report["notes"])


def test_jrnl_json_with_long_titles_and_symbol_tags(attune, tmp_path):
    export = {
        "tags": {"@c++": 1},
        "entries": [
            {
                "title": "t" * 1102,
                "body": "body",
                "date": "2020-01-01",
                "time": "09:00",
                "tags": ["@c++", "@c#"],
                "starred": False,
            }
        ],
    }
    path = tmp_path / "export.json"
    path.write_text(json.dumps(export), encoding="utf-8")
    report = attune.json("import", str(path), "--from", "jrnl-json")
    assert report["added"] == 1
    [entry] = attune.json("list")["entries"]
    assert entry["body"] == "t" * 1102 + "\n\nbody"
    assert entry["tags"] == ["c#", "c++"]


def test_a_jrnl_json_export_with_one_bad_entry_brings_the_others_in(attune, tmp_path):
    """jrnl's JSON export, edited by hand: one entry lost its time, one has a day written
    the other way round, one has seconds. The readable ones come in; the bad one is
    listed by its place in the file, and the day without a time is kept at 09:00."""
    export = {
        "tags": {},
        "entries": [
            {"title": "No time", "body": None, "date": "2024-03-26", "starred": False},
            {"title": "Seconds", "body": "x", "date": "2024-03-27", "time": "08:15:30"},
            {"title": "Day first", "body": "z", "date": "27/03/2024", "time": "08:15"},
        ],
    }
    path = tmp_path / "export.json"
    path.write_text(json.dumps(export), encoding="utf-8")
    result = attune("import", str(path), "--from", "jrnl-json", "--json", ok=False)
    assert result.exit_code == 2
    report = json.loads(result.stdout)
    assert report["added"] == 2
    [refused] = report["refused"]
    assert refused["item"].startswith("entries[2]") and "YYYY-MM-DD" in refused["reason"]
    assert any("kept at 09:00" in note for note in report["notes"])
    times = sorted(e["created_at"][:16] for e in attune.json("list")["entries"])
    assert times == ["2024-03-26T09:00", "2024-03-27T08:15"]


@pytest.mark.parametrize(
    "content,kind",
    [
        (b"gAAAAABVIHB7" + b"x" * 200, "jrnl v2 encryption"),
        (b"JRNLv3\x00\x10" + os.urandom(64), "jrnl v3 encryption"),
        (b"\xc3\x73" + bytes(range(128, 190)), "jrnl v1 encryption"),
    ],
    ids=["v2 Fernet", "v3", "v1 AES-CBC"],
)
@pytest.mark.parametrize("fmt", ["jrnl", "jrnl-json"])
def test_an_encrypted_jrnl_journal_is_named_as_such(attune, tmp_path, content, kind, fmt):
    path = tmp_path / "journal.txt"
    path.write_bytes(content)
    result = attune("import", str(path), "--from", fmt, ok=False)
    assert result.exit_code == 2
    assert f"this journal is encrypted ({kind}); decrypt it with jrnl first" in result.stderr
    assert attune.json("list")["entries"] == []


def test_a_partial_import_says_how_many_were_refused_and_exits_2(attune, tmp_path):
    path, result = _jrnl(
        attune,
        tmp_path,
        "[2024-01-01 09:00] Fine\nbody\n\n[2024-01-02 09:00] Bad\nnul\x00\n",
        ok=False,
    )
    assert result.exit_code == 2
    report = json.loads(result.stdout)
    assert report["added"] == 1 and len(report["refused"]) == 1
    text = attune("import", str(path), "--from", "jrnl", ok=False)
    assert text.exit_code == 2
    assert "1 of 2 entries were refused" in text.stderr and str(path) in text.stderr


def _dates(attune) -> list[str]:
    return sorted(e["created_at"][:10] for e in attune.json("list", "--all")["entries"])


def test_a_jrnl_journal_whose_dates_put_the_day_first_is_read_day_first_throughout(
    attune, tmp_path
):
    # A timeformat of "%d.%m.%Y %H:%M": the 13th shows the day comes first, so the 12th
    # of March is the 12th of March too, not the 3rd of December.
    text = "[12.03.2024 10:00] Rounds\nbody\n\n[13.03.2024 10:00] Handover\nbody\n"
    _, result = _jrnl(attune, tmp_path, text)
    assert json.loads(result.stdout)["notes"] == []
    assert _dates(attune) == ["2024-03-12", "2024-03-13"]


def test_a_date_against_the_files_order_is_refused_and_named(attune, tmp_path):
    text = (
        "[03/04/2024 10:00] A\nbody\n\n[14/03/2024 10:00] B\nbody\n\n"
        "[15/03/2024 10:00] C\nbody\n\n[03/16/2024 10:00] D\nbody\n"
    )
    _, result = _jrnl(attune, tmp_path, text, ok=False)
    report = json.loads(result.stdout)
    assert report["added"] == 3
    assert [r["item"] for r in report["refused"]] == ["line 10 ([03/16/2024 10:00])"]
    assert "day first" in report["refused"][0]["reason"]
    assert _dates(attune) == ["2024-03-14", "2024-03-15", "2024-04-03"]


def test_dates_that_could_be_either_way_are_read_as_told_or_the_report_says_how(attune, tmp_path):
    path = tmp_path / "uk.txt"
    path.write_text("[03/04/2024 10:00] A\nbody\n\n[05/06/2024 10:00] B\nbody\n", "utf-8")
    result = attune("import", str(path), "--from", "jrnl", "--dry-run")
    assert "read with the month first" in result.stderr and "--dates day-first" in result.stderr
    attune("import", str(path), "--from", "jrnl", "--dates", "day-first")
    assert _dates(attune) == ["2024-04-03", "2024-06-05"]


def test_following_the_advice_to_import_again_the_other_way_round_moves_the_entries(
    attune, tmp_path
):
    path = tmp_path / "uk.txt"
    path.write_text(
        "[03/04/2024 10:00] Rounds\nbody\n\n[05/06/2024 10:00] Handover\nbody\n\n"
        "[07/07/2024 10:00] Same both ways\nbody\n",
        "utf-8",
    )
    attune("import", str(path), "--from", "jrnl")  # read with the month first, and it says so
    assert _dates(attune) == ["2024-03-04", "2024-05-06", "2024-07-07"]
    ids = sorted(e["id"] for e in attune.json("list", "--all")["entries"])

    preview = attune.json(
        "import", str(path), "--from", "jrnl", "--dates", "day-first", "--dry-run"
    )
    assert (preview["added"], preview["redated"]) == (0, 2)
    assert _dates(attune) == ["2024-03-04", "2024-05-06", "2024-07-07"]  # a dry run moves nothing

    report = attune.json("import", str(path), "--from", "jrnl", "--dates", "day-first")
    assert (report["added"], report["redated"], len(report["skipped"])) == (0, 2, 1)
    assert any("moved to the dates read now" in note for note in report["notes"])
    assert _dates(attune) == ["2024-04-03", "2024-06-05", "2024-07-07"]
    assert sorted(e["id"] for e in attune.json("list", "--all")["entries"]) == ids

    # the same file again with the order left to the file: nothing added, nothing moved back
    again = attune.json("import", str(path), "--from", "jrnl")
    assert (again["added"], again["redated"]) == (0, 0)
    assert _dates(attune) == ["2024-04-03", "2024-06-05", "2024-07-07"]


def test_a_jrnl_1x_journal_with_dates_without_brackets_is_read(attune, tmp_path):
    # jrnl 1.x wrote "2013-06-10 15:40 Title"; a bracketed line inside is text, as it read it
    text = (
        "10.06.2013 15:00 A quiet clinic.\n\n"
        '14.06.2013 15:40 He said "[this] is the best time".\nMore of the day.\n\n'
        "[03.08.2019 12:55] Some chat log\n"
    )
    _, result = _jrnl(attune, tmp_path, text)
    report = json.loads(result.stdout)
    assert report["added"] == 2 and any("jrnl 1.x" in n for n in report["notes"])
    assert _dates(attune) == ["2013-06-10", "2013-06-14"]
    shown = attune("show", attune.json("list")["entries"][0]["id"]).stdout
    assert "[03.08.2019 12:55] Some chat log" in shown


def test_jrnl_dates_in_words_are_refused_not_dated_today(attune, tmp_path):
    text = (
        "[2024-03-04 10:00] Kept\nbody\n\n[yesterday] Guessed\nbody\n\n"
        "[11 mars 2024 10:00] Lundi\nbody\n"
    )
    _, result = _jrnl(attune, tmp_path, text, ok=False)
    report = json.loads(result.stdout)
    assert report["added"] == 1 and len(report["refused"]) == 2
    assert all("YYYY-MM-DD HH:MM" in r["reason"] for r in report["refused"])


def test_a_jrnl_journal_written_on_windows_keeps_no_carriage_returns(attune, tmp_path):
    text = (
        "[2024-03-04 19:45] Title\r\nFirst line\r\nsecond line\r\n\r\n[2024-03-05 08:00] Next\r\n"
    )
    _jrnl(attune, tmp_path, text)
    bodies = [e["body"] for e in attune.json("list", "--all")["entries"]]
    assert "First line\nsecond line" in bodies and not any("\r" in b for b in bodies)


def test_a_jrnl_folder_journal_is_imported_day_by_day(attune, tmp_path):
    folder = tmp_path / "folderjournal"
    (folder / "2024" / "03").mkdir(parents=True)
    (folder / "2024" / "04").mkdir(parents=True)
    (folder / "2024" / "03" / "04.txt").write_text(
        "[2024-03-04 19:45] First\nbody\n\n[2024-03-04 21:00] Later\nbody\n", "utf-8"
    )
    (folder / "2024" / "04" / "01.txt").write_text(
        "[2024-04-01 09:00] April\nbody\n\n[2024-02-30 10:00] Not a day\nbody\n", "utf-8"
    )
    result = attune("import", str(folder), "--from", "jrnl", "--json", ok=False)
    report = json.loads(result.stdout)
    assert report["added"] == 3
    assert [r["item"] for r in report["refused"]] == ["2024/04/01.txt line 4 ([2024-02-30 10:00])"]
    empty = tmp_path / "empty"
    empty.mkdir()
    refused = attune("import", str(empty), "--from", "jrnl", ok=False)
    assert "no jrnl day files (YYYY/MM/DD.txt)" in refused.stderr
    assert "is a folder" in attune("import", str(folder), "--from", "dayone", ok=False).stderr


def test_a_day_one_entry_without_a_usable_date_is_refused_alone(attune, tmp_path):
    """`import --help` promises it: a bad entry is listed, the others still come in."""
    export = {
        "entries": [
            {"uuid": "NODATE", "text": "Written, but when?"},
            {"uuid": "BADDATE", "creationDate": "yesterday", "text": "Sometime."},
            {"uuid": "FINE", "creationDate": "2024-06-01T10:00:00Z", "text": "The neighbour."},
        ]
    }
    path = tmp_path / "Journal.json"
    path.write_text(json.dumps(export), encoding="utf-8")
    result = attune("import", str(path), "--from", "dayone", ok=False)
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert "refused entries[0] (NODATE): entries[0] has no creationDate" in result.stderr
    assert "entries[1].creationDate 'yesterday' is not an ISO date and time" in result.stderr
    assert "2 of 3 entries were refused" in result.stderr and "None" not in result.output
    assert [e["body"] for e in attune.json("list")["entries"]] == ["The neighbour."]


def test_an_attunement_export_entry_with_a_bad_date_is_refused_alone(attune, tmp_path):
    attune("write", "Kept in the export.")
    out = tmp_path / "export.json"
    attune("export", "--out", str(out))
    data = json.loads(out.read_text(encoding="utf-8"))
    good = data["entries"][0]
    data["entries"] = [
        {**good, "id": "bad0001", "body": "A bad date.", "created_at": "yesterday"},
        {**good, "id": "bad0002", "body": "No date.", "created_at": None},
        good,
    ]
    out.write_text(json.dumps(data), encoding="utf-8")
    fresh = type(attune)(tmp_path / "fresh")
    result = fresh("import", str(out), "--from", "attune-json", "--json", ok=False)
    assert result.exit_code == 2
    report = json.loads(result.stdout)
    assert report["added"] == 1
    assert report["refused"] == [
        {
            "item": "entries[0] (bad0001)",
            "reason": "entries[0].created_at 'yesterday' is not an ISO date and time",
        },
        {"item": "entries[1] (bad0002)", "reason": "entries[1].created_at is missing"},
    ]
    assert [e["body"] for e in fresh.json("list")["entries"]] == ["Kept in the export."]


def test_day_one_tags_written_as_text_and_a_zone_no_one_knows(attune, tmp_path):
    """Hand-edited files: a text for `tags` is one tag, never one tag per letter; an
    unknown `timeZone` keeps the exact moment in UTC and the report says so."""
    export = {
        "entries": [
            {"uuid": "T1", "creationDate": "2024-05-03T10:00:00Z", "text": "One tag.",
             "tags": "night shift"},
            {"uuid": "Z1", "creationDate": "2024-05-01T10:00:00Z", "text": "Far away.",
             "timeZone": "Mars/Olympus"},
        ]
    }  # fmt: skip
    path = tmp_path / "Journal.json"
    path.write_text(json.dumps(export), encoding="utf-8")
    report = attune.json("import", str(path), "--from", "dayone")
    assert report["added"] == 2 and report["refused"] == []
    assert report["notes"] == [
        "entries[1] (Z1): its time zone 'Mars/Olympus' is not one this computer knows, so "
        "its time is kept in UTC"
    ]
    entries = {e["body"]: e for e in attune.json("list")["entries"]}
    assert entries["One tag."]["tags"] == ["night-shift"]
    assert entries["Far away."]["created_at"] == "2024-05-01T10:00:00+00:00"


@pytest.mark.parametrize("fmt", ["jrnl-json", "dayone", "attune-json"])
def test_an_export_cut_short_is_named_as_cut_short(attune, tmp_path, fmt):
    """A download or copy that stopped half-way: the person is told the file was cut
    short and to export it again, not a parser's phrase."""
    whole = {"entries": [{"date": "2024-01-01", "time": "09:00", "body": "a long day"}]}
    path = tmp_path / "export.json"
    path.write_text(json.dumps(whole)[:-12], encoding="utf-8")
    result = attune("import", str(path), "--from", fmt, ok=False)
    assert result.exit_code != 0
    assert "cut short; export it again" in result.stderr and str(path) in result.stderr
    assert "Traceback" not in result.stderr
