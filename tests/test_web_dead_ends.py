"""Dead ends a new caregiver met in the web app, each followed to where it now leads:
plain-word dates in the journal filter, drafts that could not be thrown away, a deck
layout that was nowhere on the page, entries that lost their prompt with its deck, and
notices that asked a browser's user for command-line options."""

from __future__ import annotations

import re
from pathlib import Path

from .conftest import DATA
from .test_web import visible_text

DECK = (
    b'id = "chaplain"\nname = "Chaplaincy"\ndescription = "Questions for after a vigil."\n'
    b'[[prompts]]\nid = "ch-1"\ntitle = "The question I could not answer"\n'
    b'text = "What question could you not answer?"\n'
)


def alert_of(html: str) -> str:
    return visible_text(html.split('role="alert">', 1)[1].split("</p>", 1)[0])


# -- dates in words --------------------------------------------------------------------


def test_the_journal_reads_this_month_and_last_7_days_and_refuses_what_is_ahead(client, attune):
    """The nurse types "this month" in From: today's entry is there, not "No entries
    match". Words for a day still to come are refused in one sentence naming what is
    accepted, never read as a future day that silently hides everything."""
    client.post("/api/v1/entries", json={"body": "Night shift; sat with the family."})
    for words in ("this month", "this year", "this week", "last 7 days", "past week", "today"):
        page = client.get("/journal", params={"since": words})
        assert page.status_code == 200 and "Night shift" in page.text, words
        assert 'role="alert"' not in page.text, words
    api = client.get("/api/v1/entries", params={"since": "this month", "until": "this month"})
    assert api.status_code == 200 and api.json()["total"] == 1
    assert len(attune.json("list", "--since", "last 7 days")["entries"]) == 1

    for words in ("next week", "tomorrow", "blah"):
        page = client.get("/journal", params={"since": words})
        said = alert_of(page.text)
        assert "YYYY-MM-DD" in said and "'this month'" in said and "'last 7 days'" in said
        assert "Night shift" not in page.text and "No entries match" not in page.text
    assert "still to come" in alert_of(client.get("/journal?since=next+week").text)
    refused = client.get("/api/v1/entries", params={"since": "next week"})
    assert refused.status_code == 422 and "still to come" in refused.json()["error"]["message"]
    hint = client.get("/journal").text
    assert 'aria-describedby="dates-hint"' in hint and "this month, last 7 days" in hint


# -- drafts ----------------------------------------------------------------------------


def test_a_draft_with_a_name_in_it_can_be_discarded_from_today_and_from_write(client):
    """The review of identifying details was left without choosing, twice: the drafts
    wait on Today and Write, each with a Discard that asks first (no script needed)."""
    named = client.post(
        "/api/v1/drafts", json={"body": "Sat with Mrs K's daughter.", "title": "Mrs K's daughter"}
    ).json()
    other = client.post(
        "/api/v1/drafts", json={"body": "Visit with John Smith.", "title": "John Smith"}
    ).json()
    today = client.get("/").text
    for draft in (named, other):
        form = f'action="/drafts/{draft["id"]}/discard"'
        assert form in today and today.index('<details class="discard">') < today.index(form)
    assert "Drafts do not go to the trash" in today

    gone = client.post(f"/drafts/{named['id']}/discard", data={"back": "/"}, follow_redirects=False)
    assert gone.status_code == 303 and gone.headers["location"].startswith("/?discarded=")
    assert "Mrs" not in gone.headers["location"]  # what it was is never in the address
    after = client.get(gone.headers["location"]).text
    assert "Discarded the draft “Mrs K's daughter”. It is gone for good" in visible_text(after)
    assert f"/write?draft={named['id']}" not in after
    assert [d["id"] for d in client.get("/api/v1/drafts").json()["drafts"]] == [other["id"]]
    again = client.post(f"/drafts/{named['id']}/discard", data={"back": "/"})
    assert again.status_code == 200 and "That draft is gone already" in again.text

    writing = client.get(f"/write?draft={other['id']}").text
    assert "Discard this draft" in writing and "data-discards-open-draft" in writing
    forged = client.post(
        f"/drafts/{other['id']}/discard",
        data={"back": "/write"},
        headers={"sec-fetch-site": "cross-site"},
    )
    assert forged.status_code == 403  # another site cannot throw words away
    done = client.post(f"/drafts/{other['id']}/discard", data={"back": "https://evil.example/"})
    assert done.url.path == "/write" and "Discarded the draft “John Smith”" in done.text
    assert client.get("/api/v1/drafts").json()["drafts"] == []


def test_an_empty_draft_is_called_so_when_discarded(client):
    empty = client.post("/api/v1/drafts", json={"body": ""}).json()
    assert "Throw this empty draft away for good?" in client.get("/write").text
    shown = client.post(f"/drafts/{empty['id']}/discard", data={"back": "/write"}).text
    assert "Discarded an empty draft." in shown


# -- decks -----------------------------------------------------------------------------


def test_the_prompts_page_shows_how_to_lay_out_a_deck_and_each_decks_description(client):
    """The chaplain looks for the layout: it is on the page, as an example she can
    download, and that example is a deck the app adds as it is."""
    from attunement.framework import concepts, parse_deck
    from attunement.web.journal import EXAMPLE_DECK

    page = client.get("/prompts").text
    assert '<details class="deck-layout" id="deck-layout">' in page
    assert "laid out as in “How to write a deck file” above" in page
    example = EXAMPLE_DECK.read_text(encoding="utf-8")
    assert example.strip().splitlines()[-1].replace('"', "&#34;") in page
    download = client.get("/static/example-deck.toml")
    assert download.status_code == 200 and download.text == example
    assert 'href="/static/example-deck.toml" download="my-deck.toml"' in page
    deck = parse_deck(example, "toml", where="example", known_skills=concepts().subskill_ids)
    listed = example.replace("\n# ", " ").split("any of", 1)[1].split(".", 1)[0]
    assert set(re.findall(r"[a-z-]+", listed)) == set(concepts().subskill_ids)
    # The built-in decks' descriptions are shown, and so is one's own.
    assert "For after a moment when the connection broke" in page
    added = client.post(
        "/prompts/decks", files={"file": ("my-deck.toml", example.encode())}, follow_redirects=False
    )
    assert added.status_code == 303
    shown = client.get(added.headers["location"]).text
    assert f"<p>{deck.description}</p>" in shown and "Beneath the words" in shown


def test_entries_written_on_a_removed_deck_still_say_they_answered_a_prompt(client, attune):
    """A deck is removed when the placement ends: the page says first how many entries
    answered it, and afterwards each says it answered a prompt from a removed deck, and
    the journal still finds them by that prompt."""
    client.post("/prompts/decks", files={"file": ("ch.toml", DECK)})
    entry = client.post(
        "/api/v1/entries", json={"body": "Heaven question. I stayed.", "prompt_id": "ch-1"}
    ).json()
    prompts = client.get("/prompts").text
    assert "<p>Questions for after a vigil.</p>" in prompts
    assert "One of your entries answered its prompts. It is kept" in prompts
    client.post("/prompts/decks/chaplain/remove")

    page = client.get(f"/entries/{entry['id']}").text
    assert "Written on a prompt from a deck that was removed" in page
    assert 'href="/journal?prompt=ch-1"' in page
    found = client.get("/journal?prompt=ch-1")
    assert found.status_code == 200 and 'role="alert"' not in found.text
    assert "Heaven question" in found.text and "1 entry" in found.text
    assert '<option value="ch-1" selected>A prompt from a removed deck (1 entry' in found.text
    assert client.get("/api/v1/entries?prompt=ch-1").json()["total"] == 1
    assert len(attune.json("list", "--prompt", "ch-1")["entries"]) == 1
    assert "from a deck that was removed" in attune("show", entry["id"]).stdout

    unknown = client.get("/journal?prompt=nosuch-9")
    assert alert_of(unknown.text) == "There is no such prompt."  # no list of ids
    assert client.get("/api/v1/entries?prompt=nosuch-9").status_code == 422

    client.post("/prompts/decks", files={"file": ("ch.toml", DECK)})  # added back
    again = client.get(f"/entries/{entry['id']}").text
    assert "The question I could not answer" in again and "deck that was removed" not in again


def test_a_draft_on_a_removed_decks_prompt_still_opens(client):
    client.post("/prompts/decks", files={"file": ("ch.toml", DECK)})
    draft = client.post("/api/v1/drafts", json={"body": "Half a thought", "prompt_id": "ch-1"})
    client.post("/prompts/decks/chaplain/remove")
    page = client.get(f"/write?draft={draft.json()['id']}")
    assert page.status_code == 200 and "Half a thought" in page.text


def test_a_link_to_a_removed_decks_prompt_opens_write_without_it(client):
    client.post("/prompts/decks", files={"file": ("ch.toml", DECK)})
    client.post("/prompts/decks/chaplain/remove")
    page = client.get("/write?prompt=ch-1")  # a bookmark, or Back to the old link
    assert page.status_code == 200
    assert "There is no prompt “ch-1” any more" in page.text
    assert client.get("/write?prompt=no-such").status_code == 200


def test_a_link_that_finds_nothing_says_where_to_look_in_its_own_part_of_the_app(client):
    practice = client.get("/practice/feedback/zzzzzzz")
    assert practice.status_code == 404
    assert 'href="/practice">Practice</a> page' in practice.text and "trash" not in practice.text
    entry = client.get("/entries/zzzzzzz")
    assert entry.status_code == 404 and 'href="/trash"' in entry.text


def test_a_guessed_caregiver_is_said_the_pages_way(client):
    from attunement.transcripts.service import guess_note
    from attunement.web.words import for_browser

    said = for_browser(guess_note("Mr Cole"))
    assert "--caregiver" not in said and "Caregiver's speaker name" in said


# -- notices ---------------------------------------------------------------------------

OPTION = re.compile(r"--[a-z]")


def test_import_notices_name_the_pages_choices_not_command_line_options(client, attune, tmp_path):
    """A jrnl file imported as the default kind: the page says which kind to choose on
    it, not '--from jrnl', and not to export it again; the command line still says its
    option."""
    journal = (DATA / "jrnl-v4.6-journal.txt").read_bytes()
    page = client.post(
        "/settings/import", data={"from": "attune-json"}, files={"file": ("j.txt", journal)}
    )
    said = alert_of(page.text)
    assert page.status_code == 422 and not OPTION.search(said), said
    assert "it looks like a jrnl journal: import it as that kind of file" in said
    assert "(choose “jrnl journal (plain text)” under “What kind of file is it?”)" in said
    assert "export it again" not in said and "command line" not in said
    assert '"jrnl"> jrnl journal (plain text)</label>' in page.text  # the choice it names
    path = tmp_path / "j.txt"
    path.write_bytes(journal)
    told = attune("import", str(path), "--from", "attune-json", ok=False).stderr
    assert "(`--from jrnl` at the command line)" in told and "export it again" not in told


def test_jrnl_dates_either_way_can_be_chosen_on_the_page(client):
    """Dates such as 03/04/2024: the dry run says how they were read and how to read them
    the other way on this page; choosing that reads them so."""
    text = b"[03/04/2024 10:00] A\nbody\n\n[05/06/2024 10:00] B\nbody\n"
    dry = client.post(
        "/settings/import",
        data={"from": "jrnl", "dry_run": "on"},
        files={"file": ("uk.txt", text)},
    )
    notes = visible_text(dry.text.split('role="status">', 1)[1].split("</div>", 1)[0])
    assert "read with the month first" in notes and not OPTION.search(notes), notes
    assert "(choose “Day first: 4 March” under “In a jrnl journal, dates such as" in notes
    client.post(
        "/settings/import",
        data={"from": "jrnl", "dates": "day-first"},
        files={"file": ("uk.txt", text)},
    )
    days = sorted(e["created_at"][:10] for e in client.get("/api/v1/entries").json()["entries"])
    assert days == ["2024-04-03", "2024-06-05"]


def test_deck_and_transcript_notices_name_the_pages_controls(client):
    client.post("/prompts/decks", files={"file": ("ch.toml", DECK)})
    twice = client.post("/prompts/decks", files={"file": ("ch.toml", DECK)})
    said = alert_of(twice.text)
    assert twice.status_code == 409 and not OPTION.search(said), said
    assert "(tick “Replace my deck with the same id”)" in said
    session = b"Nurse: How are you, Margaret?\nMargaret Thompson: Tired.\n"
    imported = client.post(
        "/transcripts", data={"redact": "1"}, files={"file": ("Margaret Thompson.txt", session)}
    )
    read = imported.text.split("How the file was read:", 1)[1].split("</ul>", 1)[0]
    assert "give a title (in the Title field) to choose another" in read
    assert not OPTION.search(visible_text(read)), read


def test_no_web_template_asks_for_a_command_line_option():
    templates = Path(__file__).resolve().parent.parent / "src/attunement/web/templates"
    for template in templates.rglob("*.html"):
        text = visible_text(template.read_text(encoding="utf-8"))
        assert not re.search(r"(?<![\w-])--[a-z]", text), template.name
