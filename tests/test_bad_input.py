"""Bad input gets one clear sentence, a non-zero exit, and changes nothing stored."""

from __future__ import annotations

import pytest

from attunement.core.models import MAX_BODY_BYTES


@pytest.fixture
def one_entry(attune):
    entry_id = attune("write", "The one entry that must not change").stdout.strip()
    return entry_id


def assert_unchanged(attune, entry_id):
    entries = attune.json("list", "--all")["entries"]
    assert [e["id"] for e in entries] == [entry_id]
    assert entries[0]["body"] == "The one entry that must not change"
    assert entries[0]["revision"] == 1


def test_entries_up_to_10_mb_are_accepted(attune):
    body = "presence " * (MAX_BODY_BYTES // 9)
    entry_id = attune("write", "-", input=body.encode()).stdout.strip()
    assert attune.json("show", entry_id)["body"] == body


def test_an_entry_too_long_to_read_still_opens_and_leaves_insights_whole(client):
    """An entry may hold far more than the 200,000 characters feedback reads: its page
    says so, and Insights and a packet go on without its reading."""
    long_body = "I sat with her and my shoulders dropped. " * 12_000  # 480,000 characters
    made = client.post("/api/v1/entries", json={"body": long_body}).json()
    page = client.get(f"/entries/{made['id']}")
    assert page.status_code == 200 and "too long to read for feedback" in page.text
    assert client.get("/insights").status_code == 200
    assert client.get("/api/v1/insights").status_code == 200
    packet = client.post("/api/v1/packet", json={"entry_ids": [made["id"]]})
    assert packet.status_code == 200


@pytest.mark.parametrize(
    "args,stdin,exit_code,phrase",
    [
        (["write", "   \n\t "], None, 2, "The entry is empty"),
        (["write", "-"], b"x" * (MAX_BODY_BYTES + 1), 2, "at most 10 MB"),
        (["write", "-"], b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", 2, "not valid UTF-8"),
        (["write", "-"], b"text with a NUL \x00 inside", 2, "binary"),
        (["write", "-"], "caf\u00e9\nna\u00efve\n".encode("latin-1"), 2, "standard input, line 1"),
        (["write", "--title", "two\nlines", "body"], None, 2, "one line"),
        (["write", "--prompt", "aoa-0", "body"], None, 2, "valid prompt ids are: aoa-1"),
        (["write", "--tag", "#", "body"], None, 2, "not a usable tag"),
        (["edit", "nosuch1", "--text", "x"], None, 1, "no entry 'nosuch1'"),
        (["edit", "PLACEHOLDER", "--text", ""], None, 2, "The entry is empty"),
        (["list", "--since", "the day after never"], None, 2, "Could not understand the date"),
        (["list", "--since", "today", "--until", "last week"], None, 2, "after the end date"),
        (["list", "-n", "0"], None, 2, "1<=x<=100000"),
        (["search", "***"], None, 2, "no words"),
        (["checkin", "--body", "elbow", "--ease", "3"], None, 2, "not a body region"),
        (["checkin", "--ease", "11"], None, 2, "0<=x<=10"),
        (["checkin", "--moment", "during", "--ease", "3"], None, 2, "during"),
        (["checkin"], None, 2, "The check-in is empty"),
        (["import", "/no/such/file.txt", "--from", "jrnl"], None, 2, "no file /no/such/file.txt"),
        (["export", "--format", "markdown"], None, 2, "needs --out"),
        (["restore", "PLACEHOLDER"], None, 1, "not in the trash"),
    ],
)
def test_bad_input_is_refused_clearly(attune, one_entry, args, stdin, exit_code, phrase):
    args = [one_entry if a == "PLACEHOLDER" else a for a in args]
    result = attune(*args, input=stdin if stdin is not None else b"", ok=False)
    assert result.exit_code == exit_code, result.output
    assert phrase in result.stderr, result.stderr
    assert "Traceback" not in result.output
    assert (
        len([line for line in result.stderr.strip().splitlines() if line.startswith("Error")]) == 1
    )
    assert_unchanged(attune, one_entry)


def test_mixed_scripts_and_emoji_are_kept_and_found(attune):
    text = "שלום 世界 Привет مرحبا नमस्ते — I felt 😌 at ease #ruhe"
    entry_id = attune("write", text).stdout.strip()
    assert attune.json("show", entry_id)["body"] == text
    assert attune.json("search", "Привет")["results"][0]["entry"]["id"] == entry_id
    assert attune.json("search", "世界")["results"], "CJK text is searchable"
    assert attune.json("show", entry_id)["tags"] == ["ruhe"]


def test_json_errors_have_one_shape(attune):
    result = attune("show", "nosuch1", "--json", ok=False)
    import json

    error = json.loads(result.stderr)["error"]
    assert error == {
        "code": "not_found",
        "field": "id",
        "message": "There is no entry 'nosuch1'; `attune list` shows the ids of your entries.",
    }


def test_writing_output_into_a_missing_folder_is_a_clear_error(attune, tmp_path):
    attune("write", "words to export")
    session = tmp_path / "s.txt"
    session.write_text("Counsellor: Hi?\nClient: Hello.\n", encoding="utf-8")
    transcript_id = attune("transcript", "import", str(session)).stdout.strip()
    missing = tmp_path / "no" / "such"
    for args in (
        ["export", "--out", str(missing / "x.json")],
        ["export", "--format", "markdown", "--out", str(missing / "x.zip")],
        ["backup", "--out", str(missing / "b.zip")],
        ["transcript", "report", transcript_id, "--out", str(missing / "r.md")],
    ):
        result = attune(*args, ok=False)
        assert result.exit_code == 2, (args, result.output)
        assert "does not exist; create it or choose another place" in result.stderr
        assert "Traceback" not in result.output
    taken = tmp_path / "taken.zip"
    taken.write_bytes(b"precious")
    result = attune("backup", "--out", str(taken), ok=False)
    assert result.exit_code == 1 and "already exists" in result.stderr
    assert taken.read_bytes() == b"precious" and not list(tmp_path.glob("*.part"))
