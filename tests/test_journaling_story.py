"""A caregiver's first evening with Attunement, told through the CLI."""

from __future__ import annotations

import re

from attunement.core.ids import looks_like_id


def test_a_first_entry_on_todays_prompt(attune):
    today = attune.json("today")
    assert today["prompt"]["id"] == "aoa-1"
    assert today["streak"] == 0 and today["last_entry"] is None

    new_id = attune(
        "write",
        "--prompt",
        "aoa-1",
        "--title",
        "After the ward round",
        "My chest tightened when @mr-k's daughter cried. #grief",
    ).stdout.strip()
    assert looks_like_id(new_id)

    entry = attune.json("show", new_id)
    assert entry["title"] == "After the ward round"
    assert entry["prompt_id"] == "aoa-1"
    assert entry["tags"] == ["grief", "mr-k"]
    assert entry["body"] == "My chest tightened when @mr-k's daughter cried. #grief"
    assert entry["created_at"].endswith(("+00:00", "Z")) or re.search(
        r"[+-]\d\d:\d\d$", entry["created_at"]
    )

    today = attune.json("today")
    assert today["prompt"]["id"] == "aoa-1", "today's prompt stays put for the day"
    assert today["prompt_answered_today"] is True
    assert today["streak"] == 1 and today["wrote_today"] is True


def test_text_from_stdin_and_from_dash(attune):
    one = attune("write", input="Piped in without a dash\n").stdout.strip()
    two = attune("write", "-", "--tag", "Supervision", input="With a dash\n").stdout.strip()
    assert attune.json("show", one)["body"] == "Piped in without a dash\n"
    assert attune.json("show", two)["tags"] == ["supervision"]


def test_no_text_and_no_terminal_is_a_clear_error_not_a_crash(attune):
    result = attune("write", input="", ok=False)
    assert result.exit_code == 2
    assert "No text to save" in result.stderr
    assert "Traceback" not in result.output
    assert attune.json("list")["entries"] == []


def test_edit_keeps_every_earlier_version(attune):
    entry_id = attune("write", "First thoughts #draft").stdout.strip()
    attune("edit", entry_id, "--text", "Second thoughts")
    attune("edit", entry_id, "--text", "-", input="Third thoughts, calmer")
    history = attune.json("history", entry_id)
    assert [r["body"] for r in history["revisions"]] == ["First thoughts #draft", "Second thoughts"]
    assert history["entry"]["body"] == "Third thoughts, calmer"
    assert history["entry"]["revision"] == 3
    assert history["entry"]["tags"] == [], "an inline tag leaves with the text that held it"
    assert attune("history", entry_id, "--revision", "1").stdout == "First thoughts #draft\n"
    result = attune("edit", entry_id, "--text", "Third thoughts, calmer")
    assert "Nothing changed" in result.stdout
    assert attune.json("show", entry_id)["revision"] == 3


def test_explicit_tags_survive_edits_until_removed(attune):
    entry_id = attune("write", "--tag", "hospice", "Quiet shift").stdout.strip()
    attune("edit", entry_id, "--text", "A loud shift after all", "--tag", "nights")
    assert attune.json("show", entry_id)["tags"] == ["hospice", "nights"]
    attune("edit", entry_id, "--untag", "hospice", "--star")
    shown = attune.json("show", entry_id)
    assert shown["tags"] == ["nights"] and shown["starred"] is True


def test_delete_goes_to_trash_and_comes_back(attune):
    keep = attune("write", "Keep me").stdout.strip()
    gone = attune("write", "Trash me").stdout.strip()
    attune("delete", gone)
    assert [e["id"] for e in attune.json("list")["entries"]] == [keep]
    assert [e["id"] for e in attune.json("trash")["entries"]] == [gone]
    attune("restore", gone)
    assert len(attune.json("list")["entries"]) == 2
    attune("delete", gone)
    refused = attune("trash", "--purge", ok=False)
    assert refused.exit_code == 2 and "--yes" in refused.stderr
    assert "Deleted 1" in attune("trash", "--purge", "--yes").stdout
    missing = attune("show", gone, ok=False)
    assert missing.exit_code == 1 and "no entry" in missing.stderr


def test_search_finds_word_forms_with_highlights_and_filters(attune):
    a = attune("write", "--tag", "ward", "My shoulders tightened as I rushed to fix it").stdout
    attune("write", "--tag", "home", "Tightening again, this time at home")
    results = attune.json("search", "tighten")["results"]
    assert len(results) == 2
    hit = results[0]
    start, end = hit["highlights"][0]
    assert hit["snippet"][start:end].lower().startswith("tighten")
    only_ward = attune.json("search", "tighten", "--tag", "ward")["results"]
    assert [r["entry"]["id"] for r in only_ward] == [a.strip()]
    assert attune.json("search", '"rushed to fix"')["results"][0]["entry"]["id"] == a.strip()
    assert attune.json("search", "tight*")["results"]


def test_a_short_word_ending_in_y_finds_its_other_forms(attune):
    cried = attune("write", "She cried for most of the hour").stdout.strip()
    attune("write", "A dry run of the new rota")
    assert [r["entry"]["id"] for r in attune.json("search", "cry")["results"]] == [cried]
    assert [r["entry"]["id"] for r in attune.json("search", "cry hour")["results"]] == [cried]
    assert len(attune.json("search", "dry")["results"]) == 1


def test_list_filters_by_date_words_tag_prompt_and_count(attune):
    for n in range(5):
        attune("write", "--prompt", "aoa-6", f"Entry {n} #nights")
    attune("write", "Unrelated")
    assert len(attune.json("list", "--tag", "nights")["entries"]) == 5
    assert len(attune.json("list", "--prompt", "aoa-6", "-n", "2")["entries"]) == 2
    assert len(attune.json("list", "--since", "yesterday")["entries"]) == 6
    assert attune.json("list", "--until", "last week")["entries"] == []
    result = attune("list", "-n", "3")
    assert "Showing 3 of 6" in result.stderr


def test_drafts_are_listed_and_published_once(journal):
    draft = journal.save_draft("half a thought", title="Later")
    assert [d.id for d in journal.drafts()] == [draft.id]
    entry = journal.publish_draft(draft.id, body="a whole thought")
    assert entry.body == "a whole thought" and entry.title == "Later"
    assert journal.drafts() == []
