"""Writing and editing on the pages without losing or doubling a word: a saved entry
leaves no draft behind, Back then Save again makes no copy, two tabs editing one entry
never overwrite each other, Edit checks for identifying details and keeps the tags typed
in the Tags field, and a bad page number shows the first page. Each story is told first
through the app's test client, then (where the page's script matters) in Chromium."""

from __future__ import annotations

import re

import pytest

from .browsing import axe_violations, needs_chromium


def hidden(page: str, name: str) -> str:
    found = re.search(rf'name="{name}"[^>]*value="([^"]*)"', page)
    assert found, f"no {name} in the form"
    return found.group(1)


def entries(client) -> list[dict]:
    return client.get("/api/v1/entries").json()["entries"]


def drafts(client) -> list[dict]:
    return client.get("/api/v1/drafts").json()["drafts"]


WORDS = "After the visit I sat in the car and noticed my shoulders drop."


# -- D-staledraft and D-back-dup ----------------------------------------------------------


def test_saving_before_the_first_autosave_leaves_no_unfinished_draft(client):
    """A caregiver writes two lines and saves at once. Leaving the page, its script sends
    the words as a draft once more (with the form's key): that copy is refused, so Today
    shows no phantom "Unfinished" draft of the entry just saved."""
    form = client.get("/write").text
    token = hidden(form, "form_token")
    saved = client.post(
        "/write",
        data={"body": WORDS.replace(" and", "\r\nand"), "title": "Car", "form_token": token},
        follow_redirects=False,
    )
    assert saved.status_code == 303 and "?saved=" in saved.headers["location"]
    assert "Saved. Below is what Attunement noticed" in client.get(saved.headers["location"]).text
    # The page's last autosave, on its way out (a script sends LF where the form sent CRLF).
    late = client.post(
        "/api/v1/drafts",
        json={"body": WORDS.replace(" and", "\nand"), "title": "Car", "form_token": token},
    )
    assert late.status_code == 409
    assert "saved already" in late.json()["error"]["message"]
    assert drafts(client) == [] and len(entries(client)) == 1
    assert "Unfinished" not in client.get("/").text
    # Words changed after going back are new words: they are kept as a draft.
    changed = client.post(
        "/api/v1/drafts", json={"body": WORDS + " More.", "title": "Car", "form_token": token}
    )
    assert changed.status_code == 201


def test_a_draft_saved_with_placeholders_is_not_kept_again_as_written(client):
    """Saved with the details replaced, the page's words (as written) are still that
    entry's: they are not kept as a draft either."""
    text = "Mrs Okafor phoned on 07700 900123 about her son."
    token = hidden(client.get("/write").text, "form_token")
    client.post("/write", data={"body": text, "deid": "redact", "form_token": token})
    assert entries(client)[0]["body"] == "Mrs [Client A] phoned on [Phone 1] about her son."
    late = client.post("/api/v1/drafts", json={"body": text, "form_token": token})
    assert late.status_code == 409 and drafts(client) == []


def test_back_after_saving_then_save_again_makes_no_copy(client):
    """She saves, presses Back, sees her words in the form and, unsure, saves again:
    nothing is added, and the page says so. Changing the words first saves them as the
    entry's next version, still without a copy."""
    token = hidden(client.get("/write").text, "form_token")
    data = {"body": WORDS, "title": "Car", "tags": "visits", "form_token": token}
    first = client.post("/write", data=data, follow_redirects=False)
    again = client.post("/write", data=data, follow_redirects=False)
    assert again.status_code == 303
    entry_path = first.headers["location"].split("?")[0]
    assert again.headers["location"].split("?")[0] == entry_path
    page = client.get(again.headers["location"]).text
    assert "This was saved already, so nothing was added" in page
    assert len(entries(client)) == 1 and entries(client)[0]["revision"] == 1

    changed = client.post(
        "/write", data={**data, "body": WORDS + " I let myself feel sad."}, follow_redirects=False
    )
    shown = client.get(changed.headers["location"]).text
    assert "This was saved already, so no copy was made" in shown and "as version 2" in shown
    [entry] = entries(client)
    assert entry["body"].endswith("feel sad.") and entry["tags"] == ["visits"]
    history = client.get(f"/api/v1/entries/{entry['id']}/history").json()
    assert history["revisions"][0]["body"] == WORDS, "the first words are kept"


def test_an_autosaved_draft_saved_twice_is_one_entry_and_no_draft(client):
    """The draft the page kept while she wrote becomes the entry; the same form sent
    again (its draft gone, or kept again after Back) adds nothing and leaves no draft."""
    token = hidden(client.get("/write").text, "form_token")
    draft = client.post("/api/v1/drafts", json={"body": WORDS, "form_token": token}).json()
    data = {"body": WORDS, "draft_id": draft["id"], "form_token": token}
    assert client.post("/write", data=data, follow_redirects=False).status_code == 303
    assert drafts(client) == []
    again = client.post("/write", data=data, follow_redirects=False)
    assert again.status_code == 303
    shown = client.get(again.headers["location"]).text
    assert "This was saved already, so nothing was added" in shown
    # Back, words changed, autosaved as a new draft, then saved: one entry, no draft.
    kept = client.post("/api/v1/drafts", json={"body": WORDS + " Later.", "form_token": token})
    client.post("/write", data={**data, "body": WORDS + " Later.", "draft_id": kept.json()["id"]})
    assert drafts(client) == [] and len(entries(client)) == 1
    assert entries(client)[0]["body"] == WORDS + " Later."


def test_a_form_sent_twice_at_once_makes_one_entry(client):
    """A double click on a slow save: the second request finds the first one's entry."""
    from attunement.core import review

    journal = client.app.app.state.holder.get()
    token = review.new_form_token()
    first = review.save(journal, WORDS, form_token=token)
    second = review.save(journal, WORDS, form_token=token)
    assert isinstance(second, review.Resent) and second.entry.id == first.id
    assert not second.changed and len(journal.list_entries()) == 1


def test_forms_without_a_key_still_save_each_time(client):
    """A form from before this change (or a script without the key) saves as before."""
    for _ in range(2):
        client.post("/write", data={"body": WORDS})
    assert len(entries(client)) == 2
    bad = client.post("/write", data={"body": WORDS, "form_token": "<x>"})
    assert bad.status_code == 422 and WORDS in bad.text, "the words stay in the form"


# -- D-twotab -------------------------------------------------------------------------------


def test_two_tabs_editing_one_entry_never_overwrite_each_other(client):
    """She opens the same entry to edit in two tabs, adds a paragraph in each and saves
    both. The second save is refused with both texts on the page: the saved one (the
    first tab's) and hers, still in the form. Saving again, deliberately, goes through,
    and the first tab's version stays in the history."""
    entry = client.post("/api/v1/entries", json={"body": "The interpreter was late."}).json()
    edit_url = f"/entries/{entry['id']}/edit"
    tab_a, tab_b = client.get(edit_url).text, client.get(edit_url).text
    assert hidden(tab_a, "revision") == hidden(tab_b, "revision") == "1"
    a_words = "The interpreter was late.\n\nTAB A: about the interpreter's tiredness."
    b_words = "The interpreter was late.\n\nTAB B: about my own jaw."
    saved_a = client.post(edit_url, data={"body": a_words, "revision": "1"}, follow_redirects=False)
    assert saved_a.status_code == 303
    refused = client.post(edit_url, data={"body": b_words, "revision": "1"})
    assert refused.status_code == 409
    assert "This entry was changed in another tab or window" in refused.text
    assert "TAB A: about the interpreter" in refused.text, "theirs is shown"
    assert "TAB B: about my own jaw" in refused.text, "yours is still in the form"
    assert client.get(f"/api/v1/entries/{entry['id']}").json()["body"] == a_words
    assert hidden(refused.text, "revision") == "2"

    merged = a_words + "\n\nTAB B: about my own jaw."
    saved_b = client.post(
        edit_url, data={"body": merged, "revision": hidden(refused.text, "revision")}
    )
    assert saved_b.status_code == 200 and "Saved as version 3" in saved_b.text
    history = client.get(f"/api/v1/entries/{entry['id']}/history").json()["revisions"]
    assert [r["body"] for r in history] == ["The interpreter was late.", a_words]


def test_the_api_refuses_an_edit_made_from_an_old_version(client):
    entry = client.post("/api/v1/entries", json={"body": "First."}).json()
    url = f"/api/v1/entries/{entry['id']}"
    assert client.patch(url, json={"body": "Second.", "revision": 1}).status_code == 200
    stale = client.patch(url, json={"body": "Other.", "revision": 1})
    assert stale.status_code == 409
    error = stale.json()["error"]
    assert error["code"] == "conflict" and "version 2" in error["message"]
    assert client.get(url).json()["body"] == "Second."
    same = client.patch(url, json={"body": "Second.", "revision": 1})
    assert same.status_code == 200 and same.json()["changed"] is False, "no change, no clash"


# -- D-edit-deid, D-edit-tag, D-edit-nobanner ------------------------------------------------


def test_edit_looks_for_identifying_details_as_write_does(client):
    """An added sentence names a colleague and a date: Edit shows them before saving and
    offers placeholders or the words as written, as Write does."""
    entry = client.post("/api/v1/entries", json={"body": "A hard visit."}).json()
    url = f"/entries/{entry['id']}/edit"
    text = "A hard visit. I talked it through with Dr Amelia Okafor on 2 December."
    review = client.post(url, data={"body": text, "revision": "1"})
    assert review.status_code == 200 and "Identifying details in your text" in review.text
    assert "Replace with placeholders and save" in review.text
    assert client.get(f"/api/v1/entries/{entry['id']}").json()["revision"] == 1, "not yet"
    done = client.post(url, data={"body": text, "revision": "1", "deid": "redact"})
    assert "Saved as version 2" in done.text
    body = client.get(f"/api/v1/entries/{entry['id']}").json()["body"]
    assert "Okafor" not in body and "2 December" not in body and "[Date 1]" in body
    kept = client.post(url, data={"body": text, "revision": "2", "deid": "keep"})
    assert "Saved as version 3" in kept.text
    assert client.get(f"/api/v1/entries/{entry['id']}").json()["body"] == text


def test_edit_keeps_the_tags_typed_in_the_tags_field(client):
    """Written with "grief" in the Tags field and #grief in the text: removing #grief
    from the text in Edit keeps the tag, shown in Edit's own Tags field, until she
    removes it there."""
    token = hidden(client.get("/write").text, "form_token")
    client.post(
        "/write",
        data={"body": "She cried. #grief #ward", "tags": "grief", "form_token": token},
    )
    entry = entries(client)[0]
    url = f"/entries/{entry['id']}/edit"
    form = client.get(url).text
    assert hidden(form, "tags") == "grief ward"
    client.post(url, data={"body": "She cried.", "tags": "grief ward", "revision": "1"})
    assert client.get(f"/api/v1/entries/{entry['id']}").json()["tags"] == ["grief", "ward"]
    client.post(url, data={"body": "She cried.", "tags": "ward", "revision": "2"})
    assert client.get(f"/api/v1/entries/{entry['id']}").json()["tags"] == ["ward"]
    client.post(url, data={"body": "She cried. #ward", "tags": "", "revision": "3"})
    assert client.get(f"/api/v1/entries/{entry['id']}").json()["tags"] == ["ward"], "inline"


def test_saving_an_edit_says_saved(client):
    entry = client.post("/api/v1/entries", json={"body": "Before."}).json()
    url = f"/entries/{entry['id']}/edit"
    done = client.post(url, data={"body": "After.", "revision": "1"}, follow_redirects=False)
    assert done.status_code == 303 and "?saved=" in done.headers["location"]
    assert "Saved as version 2" in client.get(done.headers["location"]).text
    same = client.post(url, data={"body": "After.", "revision": "2"})
    assert "Nothing had changed" in same.text


# -- D-page422, D-title-mismatch ------------------------------------------------------------


@pytest.mark.parametrize("number", ["-1", "abc", "0", "", "1.5", "٣", "99999999999"])
def test_a_bad_page_number_shows_the_first_page(client, number):
    client.post("/api/v1/entries", json={"body": "One entry."})
    page = client.get(f"/journal?page={number}")
    assert page.status_code == 200 and "One entry." in page.text
    assert "pydantic" not in page.text.lower() and "Something went wrong" not in page.text


def test_an_untitled_entrys_tab_says_what_its_heading_says(client):
    entry = client.post("/api/v1/entries", json={"body": "Quiet night shift."}).json()
    page = client.get(f"/entries/{entry['id']}").text
    heading = re.search(r"<h1>(.*?)</h1>", page).group(1)
    assert heading.startswith("Entry of ")
    assert f"<title>{heading} · Attunement</title>" in page


# -- in the browser -------------------------------------------------------------------------


@needs_chromium
def test_in_the_browser_back_then_save_again_makes_no_copy_and_no_draft(data_dir, browser):
    """In Chromium: write and save before the first autosave, go Back (the words come
    back in the form), wait for autosave, save again. One entry, no unfinished draft, and
    the person is told the second save added nothing."""
    from .test_browser import start_server

    base, stop = start_server(data_dir)
    context = browser.new_context(viewport={"width": 1100, "height": 900})
    try:
        page = context.new_page()
        page.goto(base + "/write")
        page.fill("#title", "Back button test")
        page.fill("#body", WORDS)
        page.click("button[type=submit]")
        page.wait_for_url("**/entries/*?saved=*")
        assert "Saved. Below is what" in page.inner_text("main")
        page.go_back()
        page.wait_for_load_state("networkidle")
        assert page.input_value("#body") == WORDS
        status = page.locator("#autosave-status")
        status.filter(has_text="saved already").wait_for(timeout=10_000)
        assert "makes no copy" in status.inner_text()
        page.click("button[type=submit]")
        page.wait_for_url("**/entries/*?saved=*")
        assert "nothing was added" in page.inner_text("main")
        page.wait_for_timeout(500)  # any autosave leaving the page has arrived
        page.goto(base + "/")
        assert "Unfinished" not in page.inner_text("main")
        listed = page.request.get(base + "/api/v1/entries").json()
        assert listed["total"] == 1
        assert page.request.get(base + "/api/v1/drafts").json()["drafts"] == []
    finally:
        context.close()
        stop()


@needs_chromium
def test_in_the_browser_two_tabs_keep_both_texts(data_dir, browser):
    """In Chromium: the second tab's save shows the first tab's words and keeps its own;
    the page passes axe."""
    from .test_browser import start_server

    base, stop = start_server(data_dir)
    # bypass_csp lets the test inject axe-core; the app's own pages never need it.
    context = browser.new_context(viewport={"width": 1100, "height": 900}, bypass_csp=True)
    try:
        setup = context.new_page()
        made = setup.request.post(
            base + "/api/v1/entries", data={"body": "The interpreter was late."}
        ).json()
        a, b = context.new_page(), context.new_page()
        for tab in (a, b):
            tab.goto(f"{base}/entries/{made['id']}/edit")
        a.fill("#body", a.input_value("#body") + "\n\nTAB A: the interpreter's tiredness.")
        b.fill("#body", b.input_value("#body") + "\n\nTAB B: my own jaw.")
        a.click("button:has-text('Save changes')")
        a.wait_for_url("**/entries/*?saved=*")
        b.click("button:has-text('Save changes')")
        b.wait_for_load_state("networkidle")
        assert "changed in another tab or window" in b.inner_text("main")
        assert "TAB A" in b.inner_text("#theirs") and "TAB B" in b.input_value("#body")
        assert axe_violations(b) == []
    finally:
        context.close()
        stop()
