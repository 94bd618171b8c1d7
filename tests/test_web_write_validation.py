"""Writing: what the save would refuse is said before the look for identifying details.
A nurse's entry names a phone number and a web address (the review would list them) and
also carries something that cannot be saved: a 300-character tag, say. The first Save
says what is wrong in one sentence, with no review to answer first; nothing is stored;
her words are still in the form. Once it is put right, the review comes as before."""

from __future__ import annotations

import html
import re

import pytest

from attunement.core.models import MAX_TITLE_CHARS

DETAILS = "Called the family on 07700 900461 and sent https://example.org/leaflet after."
BODY = f"My chest tightened on the ward round. {DETAILS} #grief"
TOKEN = "form-token-0001"


def alert(page: str) -> str:
    found = re.search(r'<p class="notice error" role="alert">(.*?)</p>', page, re.S)
    return html.unescape(found.group(1)) if found else ""


def in_form(page: str) -> dict[str, str]:
    """What the Write (or Edit) form holds, as the browser would show it."""
    title = re.search(r'<input id="title"[^>]*value="([^"]*)"', page)
    tags = re.search(r'<input id="tags"[^>]*value="([^"]*)"', page)
    body = re.search(r'<textarea id="body"[^>]*>(.*?)</textarea>', page, re.S)
    assert title and tags and body
    return {
        "title": html.unescape(title.group(1)),
        "body": html.unescape(body.group(1)),
        "tags": html.unescape(tags.group(1)),
    }


def reviewed(page: str) -> bool:
    return "Identifying details in your text" in page or 'name="deid"' in page


REFUSED = [
    pytest.param(
        {"tags": "grief #" + "t" * 300},
        "is longer than 64 characters; shorten it.",
        id="a 300-character tag",
    ),
    pytest.param(
        {"tags": "3rd-visit"}, "is not a usable tag; a tag starts with a letter", id="a bad tag"
    ),
    pytest.param(
        {"title": "Ward round " + "x" * MAX_TITLE_CHARS},
        f"The title is longer than {MAX_TITLE_CHARS} characters",
        id="a title too long",
    ),
    pytest.param(
        {"body": "   ", "title": f"Call on 07700 900461 {DETAILS}"},
        "The entry is empty; write something before saving.",
        id="an empty text",
    ),
    pytest.param({"prompt_id": "no-such-prompt"}, "There is no such prompt.", id="a gone prompt"),
]


@pytest.mark.parametrize(("sent", "said"), REFUSED)
def test_what_the_save_refuses_is_said_before_any_review(client, sent, said):
    form = {"body": BODY, "title": "After the ward round", "tags": "grief", "form_token": TOKEN}
    form |= sent
    page = client.post("/write", data=form)
    assert page.status_code == 422
    assert said in alert(page.text)
    assert not reviewed(page.text)
    assert client.get("/api/v1/entries").json()["entries"] == []
    kept = in_form(page.text)
    assert kept == {"title": form["title"], "body": form["body"], "tags": form["tags"]}
    assert "Not saved yet: your words are still here." in page.text


def test_once_put_right_the_review_comes_and_the_entry_saves(client):
    form = {"body": BODY, "title": "After the ward round", "form_token": TOKEN}
    refused = client.post("/write", data={**form, "tags": "#" + "t" * 300})
    assert refused.status_code == 422 and not reviewed(refused.text)

    review = client.post("/write", data={**form, "tags": "grief"})
    assert review.status_code == 200 and reviewed(review.text)
    assert "07700 900461" in review.text  # the detail it found, marked in her words
    assert client.get("/api/v1/entries").json()["entries"] == []

    saved = client.post(
        "/write", data={**form, "tags": "grief", "deid": "redact"}, follow_redirects=False
    )
    assert saved.status_code == 303
    [entry] = client.get("/api/v1/entries").json()["entries"]
    assert entry["tags"] == ["grief"] and "07700" not in entry["body"]


def test_choosing_save_as_written_does_not_get_past_the_check(client):
    """A form sent with a choice already made (Back to the review, then a long tag
    pasted) is refused the same way: the choice saves nothing the save would refuse."""
    form = {"body": BODY, "tags": "#" + "t" * 300, "deid": "keep", "form_token": TOKEN}
    page = client.post("/write", data=form)
    assert page.status_code == 422 and "longer than 64 characters" in alert(page.text)
    assert client.get("/api/v1/entries").json()["entries"] == []


def test_an_edit_is_checked_before_its_review_too(client):
    made = client.post("/api/v1/entries", json={"body": "Quiet shift.", "tags": ["ward"]})
    entry_id = made.json()["id"]
    page = client.post(
        f"/entries/{entry_id}/edit",
        data={"body": BODY, "title": "", "tags": "ward #" + "t" * 300, "revision": "1"},
    )
    assert page.status_code == 422
    assert "longer than 64 characters" in alert(page.text)
    assert not reviewed(page.text)
    assert in_form(page.text)["body"] == BODY
    after = client.get(f"/api/v1/entries/{entry_id}").json()
    assert after["body"] == "Quiet shift." and after["revision"] == 1


def test_the_command_line_refuses_a_long_tag_before_asking_about_details(attune):
    """`attune write` checks what the save would refuse first, as the page does: no
    listing of identifying details for words that cannot be saved as sent."""
    refused = attune("write", "--tag", "t" * 300, "Mrs Okafor phoned on 07700 900123.", ok=False)
    assert refused.exit_code != 0
    assert "64 characters" in refused.stderr
    assert "Identifying details found" not in refused.stderr
    assert attune.json("list")["entries"] == []
