"""Success notices come from the server, never from the address. An outside tester found
that a link could make a page say something that never happened ("/checkin?done=zzz"
said "Checked in"), and that a notice came back on every reload. Now a saving form's
redirect carries a one-time key to what the server kept: a made-up key, a key used
already or a key for another page shows no notice, and the page still opens."""

from __future__ import annotations

from types import SimpleNamespace
from urllib.parse import unquote

import pytest

from attunement.web import flash

from .conftest import DATA
from .test_web import visible_text

THANKS = "Checked in. Thank you for pausing."
REMOVED = "Removed the deck “CPE unit”."
ADDED = "Added the deck “CPE unit”."
SAVED = "Saved. Below is what Attunement noticed in your words."
DECK = b'id = "cpe"\nname = "CPE unit"\n[[prompts]]\nid = "cpe-1"\ntext = "What did you hear?"\n'
JOURNAL = DATA / "jrnl-v4.6-journal.txt"


def shown(client, address: str) -> str:
    page = client.get(address)
    assert page.status_code == 200, address
    return visible_text(page.text)


def redirect(response) -> str:
    assert response.status_code == 303, response.text[:300]
    return str(response.headers["location"])


# -- Check in ----------------------------------------------------------------------------


@pytest.mark.parametrize("done", ["zzz", "1", "true", "yes", "Checked in"])
def test_a_link_someone_sends_cannot_make_the_check_in_page_say_i_checked_in(client, done):
    assert THANKS not in shown(client, f"/checkin?done={done}")
    assert client.get("/api/v1/checkins").json()["checkins"] == []


def test_a_link_with_a_real_check_ins_id_does_not_thank_me_again(client):
    made = client.post("/api/v1/checkins", json={"ease": 5}).json()
    assert THANKS not in shown(client, f"/checkin?done={made['id']}")


def test_the_thank_you_shows_once_not_again_on_reload(client):
    sent = client.post("/checkin", data={"ease": "6", "body": ["chest"]}, follow_redirects=False)
    back = redirect(sent)
    assert back.startswith("/checkin?done=")
    first = shown(client, back)
    assert first.count(THANKS) == 1 and "Chest" in first  # and the check-in is listed
    assert THANKS not in shown(client, back)  # reload, or Back to it
    assert len(client.get("/api/v1/checkins").json()["checkins"]) == 1


def test_the_thank_you_waits_while_the_journal_is_locked(tmp_path):
    """She checks in, the journal locks before the page comes back: after unlocking, the
    page she asked for still thanks her, once."""
    from attunement.core.journal import Journal

    from .test_web_unlock import PASS, client_for

    data = tmp_path / "data"
    Journal.create_encrypted(data, PASS).close()
    with client_for(data) as client:
        client.post("/api/v1/unlock", json={"passphrase": PASS})
        back = redirect(client.post("/checkin", data={"ease": "4"}, follow_redirects=False))
        client.post("/api/v1/lock")
        asked = client.get(back, follow_redirects=False)
        assert redirect(asked).startswith("/unlock?next=")
        unlocked = client.post(
            "/unlock", data={"passphrase": PASS, "next": back}, follow_redirects=False
        )
        assert redirect(unlocked) == back
        assert THANKS in shown(client, back)
        assert THANKS not in shown(client, back)


# -- Saving an entry ---------------------------------------------------------------------


@pytest.mark.parametrize("saved", ["1", "x", "edited", "unchanged", "again", "again-changed"])
def test_a_link_cannot_make_an_entry_say_it_was_just_saved(client, saved):
    entry = client.post("/api/v1/entries", json={"body": "My jaw was tight."}).json()
    page = shown(client, f"/entries/{entry['id']}?saved={saved}")
    assert "Saved" not in page and "saved already" not in page and "Nothing had changed" not in page
    assert "What Attunement noticed" in page  # the entry and its reading, as always


def test_after_saving_the_entry_says_so_once_and_still_shows_its_reading(client):
    back = redirect(
        client.post("/write", data={"body": "My jaw was tight."}, follow_redirects=False)
    )
    first = shown(client, back)
    assert SAVED in first and "What Attunement noticed" in first
    again = shown(client, back)
    assert SAVED not in again and "What Attunement noticed" in again and "My jaw" in again


def test_an_edits_notice_is_for_that_entry_only_and_shows_once(client):
    one = client.post("/api/v1/entries", json={"body": "Before."}).json()
    other = client.post("/api/v1/entries", json={"body": "Another."}).json()
    sent = client.post(f"/entries/{one['id']}/edit", data={"body": "After.", "revision": "1"})
    assert sent.history and "Saved as version 2" in visible_text(sent.text)
    edit = client.post(
        f"/entries/{one['id']}/edit",
        data={"body": "After, again.", "revision": "2"},
        follow_redirects=False,
    )
    key = redirect(edit).split("?saved=", 1)[1]
    assert "Saved as version" not in shown(client, f"/entries/{other['id']}?saved={key}")
    assert "Saved as version 3" in shown(client, f"/entries/{one['id']}?saved={key}")
    assert "Saved as version" not in shown(client, f"/entries/{one['id']}?saved={key}")


# -- Prompts: adding and removing a deck ---------------------------------------------------


@pytest.mark.parametrize(
    "address",
    [
        "/prompts?removed=The%20Art%20of%20Attunement",
        "/prompts?removed=Your%20journal%20was%20sent%20to%20your%20supervisor",
        "/prompts?added=art-of-attunement",
        "/prompts?added=cpe&removed=cpe",
    ],
)
def test_a_link_cannot_make_the_prompts_page_say_a_deck_was_added_or_removed(client, address):
    page = shown(client, address)
    assert "Removed the deck" not in page and "Added the deck" not in page
    assert "Your journal was sent" not in page


def test_removing_a_deck_says_its_name_once_and_the_address_never_holds_it(client):
    added = redirect(
        client.post("/prompts/decks", files={"file": ("cpe.toml", DECK)}, follow_redirects=False)
    )
    assert "CPE" not in unquote(added) and added.endswith("#deck-cpe")
    assert ADDED in shown(client, added)
    assert ADDED not in shown(client, added)  # reload
    removed = redirect(client.post("/prompts/decks/cpe/remove", follow_redirects=False))
    assert "CPE" not in unquote(removed)
    page = shown(client, removed)
    assert REMOVED in page and "Entries that answered its prompts are kept" in page
    assert REMOVED not in shown(client, removed)


# -- Settings: importing -------------------------------------------------------------------


@pytest.mark.parametrize("imported", ["1", "5", "Added 500 entries", "x" * 40])
def test_a_link_cannot_make_settings_say_entries_were_imported(client, imported):
    page = shown(client, f"/settings?imported={imported}")
    assert "Added" not in page and "entries from" not in page


def test_an_imports_report_shows_once(client):
    sent = client.post(
        "/settings/import",
        data={"from": "jrnl"},
        files={"file": ("journal.txt", JOURNAL.read_bytes())},
        follow_redirects=False,
    )
    back = redirect(sent)
    assert "Added 5 entries from journal.txt" in shown(client, back)
    assert "Added 5 entries" not in shown(client, back)
    assert client.get("/api/v1/entries").json()["total"] == 5  # the reload added nothing


# -- Today and Write: discarding a draft ---------------------------------------------------


def test_discarding_a_draft_says_so_once_on_the_page_it_went_back_to(client):
    draft = client.post("/api/v1/drafts", json={"body": "x", "title": "Mrs K"}).json()
    back = redirect(
        client.post(f"/drafts/{draft['id']}/discard", data={"back": "/"}, follow_redirects=False)
    )
    key = back.split("?discarded=", 1)[1]
    assert "Discarded" not in shown(client, f"/write?discarded={key}")  # another page's key
    assert "Discarded the draft “Mrs K”" in shown(client, back)
    assert "Discarded" not in shown(client, back)
    assert "Discarded" not in shown(client, "/?discarded=Discarded%20everything")


def test_a_key_kept_for_one_page_says_nothing_on_another(client):
    back = redirect(client.post("/checkin", data={"ease": "3"}, follow_redirects=False))
    key = back.split("?done=", 1)[1]
    for address in (f"/settings?imported={key}", f"/prompts?removed={key}", f"/?discarded={key}"):
        page = shown(client, address)
        assert "Added" not in page and "Removed" not in page and "Discarded" not in page
    assert THANKS in shown(client, back)  # still there for the page it was kept for


# -- the store itself ----------------------------------------------------------------------


def test_the_store_gives_each_notice_once_to_its_own_page_and_forgets_old_ones(monkeypatch):
    state = SimpleNamespace()
    key = flash.put(state, "said", "/checkin")
    assert len(key) >= 21  # 128 random bits, URL-safe
    assert flash.take(state, key, "/settings") is None
    assert flash.take(state, "", "/checkin") is None
    assert flash.take(state, key + "x", "/checkin") is None
    assert flash.take(state, key, "/checkin") == "said"
    assert flash.take(state, key, "/checkin") is None

    keys = [flash.put(state, n, "/checkin") for n in range(flash.KEEP + 1)]
    assert flash.take(state, keys[0], "/checkin") is None  # pushed out by newer ones
    assert flash.take(state, keys[-1], "/checkin") == flash.KEEP

    old = flash.put(state, "old", "/checkin")
    later = flash.time.monotonic() + flash.KEEP_S + 1
    monkeypatch.setattr(flash, "time", SimpleNamespace(monotonic=lambda: later))
    assert flash.take(state, old, "/checkin") is None  # expired


def test_the_team_server_and_transcript_pages_read_results_as_before():
    """``get`` leaves the result for a reload; it is never a one-time notice's page."""
    state = SimpleNamespace()
    key = flash.put(state, ["note"])
    assert flash.get(state, key) == ["note"] and flash.get(state, key) == ["note"]
    once = flash.put(state, "thanks", "/checkin")
    assert flash.get(state, once) is None
