"""The local web app: the JSON API over the same services, the pages, and local safety."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

import pytest
from starlette.testclient import TestClient

from attunement.web import Settings, create_app


def error_of(response):
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "field"}
    return body["error"]


# -- the JSON API -------------------------------------------------------------------------


def test_entries_round_trip_through_the_api(client):
    made = client.post(
        "/api/v1/entries",
        json={"body": "My chest tightened. #ward", "title": "Ward", "prompt_id": "aoa-1"},
    )
    assert made.status_code == 201
    entry = made.json()
    assert entry["tags"] == ["ward"] and entry["prompt_id"] == "aoa-1"
    assert client.get(f"/api/v1/entries/{entry['id']}").json() == entry
    listed = client.get("/api/v1/entries", params={"tag": "ward"}).json()
    assert listed["total"] == 1 and listed["entries"][0]["id"] == entry["id"]
    edited = client.patch(f"/api/v1/entries/{entry['id']}", json={"body": "Softer now."}).json()
    assert edited["revision"] == 2 and edited["changed"] is True
    history = client.get(f"/api/v1/entries/{entry['id']}/history").json()
    assert [r["body"] for r in history["revisions"]] == ["My chest tightened. #ward"]
    hits = client.get("/api/v1/search", params={"q": "softer"}).json()["results"]
    assert hits[0]["entry"]["id"] == entry["id"] and hits[0]["highlights"]
    assert client.delete(f"/api/v1/entries/{entry['id']}").json()["deleted_at"]
    assert client.get("/api/v1/trash").json()["entries"][0]["id"] == entry["id"]
    assert client.post(f"/api/v1/entries/{entry['id']}/restore").json()["deleted_at"] is None
    client.delete(f"/api/v1/entries/{entry['id']}")
    assert client.delete("/api/v1/trash").json() == {"deleted": 1}


def test_drafts_autosave_and_publish(client):
    draft = client.post("/api/v1/drafts", json={"body": "half"}).json()
    updated = client.put(
        f"/api/v1/drafts/{draft['id']}", json={"body": "half a thought", "title": "Later"}
    ).json()
    assert updated["id"] == draft["id"] and updated["body"] == "half a thought"
    assert [d["id"] for d in client.get("/api/v1/drafts").json()["drafts"]] == [draft["id"]]
    assert client.get(f"/api/v1/drafts/{draft['id']}").json()["title"] == "Later"
    entry = client.post(f"/api/v1/drafts/{draft['id']}/publish").json()
    assert entry["body"] == "half a thought"
    assert client.get("/api/v1/drafts").json()["drafts"] == []
    other = client.post("/api/v1/drafts", json={"body": "gone"}).json()
    assert client.delete(f"/api/v1/drafts/{other['id']}").json() == {"discarded": other["id"]}


def test_checkins_prompts_today_and_analysis(client):
    made = client.post(
        "/api/v1/checkins", json={"ease": 4, "urge_to_fix": 8, "body": ["chest"], "moment": "after"}
    )
    assert made.status_code == 201 and made.json()["body"] == ["chest"]
    assert client.get("/api/v1/checkins").json()["checkins"][0]["ease"] == 4
    assert client.get("/api/v1/today").json()["last_checkin"]["id"] == made.json()["id"]
    decks = client.get("/api/v1/prompts").json()["decks"]
    assert decks[0]["prompts"][0]["id"] == "aoa-1"
    text = client.post("/api/v1/analysis/text", json={"text": "I wanted to fix it."}).json()
    assert any(m["id"] == "fixing" for m in text["markers"])
    response = client.post(
        "/api/v1/analysis/response",
        json={"response": "What is that like for you?", "to": "I can't sleep."},
    ).json()
    assert response["mi"]["code"] == "question"


def test_export_import_and_decks_through_the_api(client, tmp_path):
    client.post("/api/v1/entries", json={"body": "keep me"})
    exported = client.post("/api/v1/export")
    assert exported.headers["content-disposition"].startswith("attachment")
    assert json.loads(exported.text)["format"] == "attunement-journal"
    report = client.post(
        "/api/v1/import",
        data={"from": "attune-json"},
        files={"file": ("backup.json", exported.content)},
    ).json()
    assert report["added"] == 0 and len(report["skipped"]) == 1
    assert report["source"] == "backup.json"
    deck = 'id = "mine"\nname = "Mine"\n[[prompts]]\nid = "mine-1"\ntext = "Hello?"\n'
    added = client.post("/api/v1/decks", files={"file": ("mine.toml", deck.encode())})
    assert added.status_code == 201 and added.json()["id"] == "mine"
    bad = client.post("/api/v1/decks", files={"file": ("bad.toml", b'id = "x"\nname = 3\n')})
    assert bad.status_code == 422 and "line 2" in error_of(bad)["message"]


@pytest.mark.parametrize(
    "method,path,payload,status,code",
    [
        ("get", "/api/v1/entries/nosuch1", None, 404, "not_found"),
        ("patch", "/api/v1/entries/nosuch1", {"body": "x"}, 404, "not_found"),
        ("delete", "/api/v1/entries/nosuch1", None, 404, "not_found"),
        ("post", "/api/v1/entries/nosuch1/restore", None, 404, "not_found"),
        ("get", "/api/v1/entries/nosuch1/history", None, 404, "not_found"),
        ("get", "/api/v1/drafts/nosuch1", None, 404, "not_found"),
        ("put", "/api/v1/drafts/nosuch1", {"body": "x"}, 404, "not_found"),
        ("post", "/api/v1/drafts/nosuch1/publish", None, 404, "not_found"),
        ("delete", "/api/v1/drafts/nosuch1", None, 404, "not_found"),
        ("get", "/api/v1/nothing-here", None, 404, "not_found"),
        ("post", "/api/v1/entries", {"body": "   "}, 422, "invalid_input"),
        ("post", "/api/v1/entries", {"body": "x", "prompt_id": "zzz"}, 422, "invalid_input"),
        ("post", "/api/v1/entries", {"text": "wrong field"}, 422, "invalid_input"),
        ("post", "/api/v1/entries", {"body": 5}, 422, "invalid_input"),
        ("post", "/api/v1/checkins", {"ease": 11}, 422, "invalid_input"),
        ("post", "/api/v1/checkins", {"body": ["elbow"]}, 422, "invalid_input"),
        ("post", "/api/v1/checkins", {}, 422, "invalid_input"),
        ("get", "/api/v1/entries?limit=0", None, 422, "invalid_input"),
        ("get", "/api/v1/entries?since=someday%20maybe", None, 422, "invalid_input"),
        ("get", "/api/v1/search?q=***", None, 422, "invalid_input"),
        ("get", "/api/v1/search", None, 422, "invalid_input"),
        ("post", "/api/v1/analysis/text", {"text": ""}, 422, "invalid_input"),
        ("put", "/api/v1/today", None, 405, "method_not_allowed"),
    ],
)
def test_bad_requests_get_one_error_shape(client, method, path, payload, status, code):
    response = getattr(client, method)(path, **({"json": payload} if payload is not None else {}))
    assert response.status_code == status, response.text
    error = error_of(response)
    assert error["code"] == code and error["message"]


def test_a_field_error_names_the_field(client):
    error = error_of(client.post("/api/v1/checkins", json={"ease": 11}))
    assert error["field"] == "ease"
    error = error_of(client.post("/api/v1/entries", json={"body": 5}))
    assert error["field"] == "body"


def test_openapi_schema_is_served_and_describes_every_api_route(client):
    schema = client.get("/api/openapi.json").json()
    assert schema["info"]["title"] == "Attunement"
    api_routes = {
        r.path for r in client.app.app.routes if getattr(r, "path", "").startswith("/api/v1")
    }
    assert api_routes <= set(schema["paths"])
    assert client.get("/docs").status_code == 404, "no Swagger UI: it would load from a CDN"


# -- local safety ------------------------------------------------------------------------


def test_requests_for_another_host_are_refused(client):
    response = client.get("/", headers={"host": "attacker.example"})
    assert response.status_code == 421 and error_of(response)["code"] == "wrong_host"


@pytest.mark.parametrize(
    "headers",
    [
        {"sec-fetch-site": "cross-site"},
        {"sec-fetch-site": "same-site"},
        {"origin": "http://attacker.example"},
    ],
)
def test_cross_site_changes_are_refused_and_change_nothing(client, headers):
    response = client.post("/api/v1/entries", json={"body": "forged"}, headers=headers)
    assert response.status_code == 403 and error_of(response)["code"] == "cross_site"
    form = client.post("/write", data={"body": "forged"}, headers=headers)
    assert form.status_code == 403
    assert client.get("/api/v1/entries").json()["total"] == 0


def test_same_origin_and_scripts_may_change_things(client):
    for headers in ({"sec-fetch-site": "same-origin"}, {"origin": "http://testserver"}, {}):
        assert (
            client.post("/api/v1/entries", json={"body": "ok"}, headers=headers).status_code == 201
        )


def test_security_headers_on_pages_api_and_errors(client):
    for path in ("/", "/api/v1/today", "/api/v1/entries/nosuch1", "/static/app.css"):
        headers = client.get(path).headers
        assert "default-src 'self'" in headers["content-security-policy"]
        assert "frame-ancestors 'none'" in headers["content-security-policy"]
        assert "'unsafe-inline'" not in headers["content-security-policy"]
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["cache-control"] == "no-store"


def test_oversized_bodies_are_refused_with_413(data_dir):
    app = create_app(Settings(data_dir=data_dir, extra_hosts=("testserver",), max_body=1000))
    with TestClient(app) as small:
        response = small.post("/api/v1/entries", json={"body": "x" * 5000})
        assert response.status_code == 413 and error_of(response)["code"] == "too_large"
        assert small.get("/api/v1/entries").json()["total"] == 0


def test_pages_have_no_inline_script(client):
    client.post("/api/v1/entries", json={"body": "hello"})
    for path in ("/", "/write", "/journal", "/checkin", "/prompts", "/settings", "/trash"):
        html = client.get(path).text
        assert "<script>" not in html and " on" + "click=" not in html
        assert all('src="/static/' in tag for tag in html.split("<script")[1:])


# -- pages ---------------------------------------------------------------------------------


def test_writing_on_a_page_then_finding_editing_and_trashing_it(client):
    saved = client.post(
        "/write",
        data={
            "body": "My chest tightened. I wanted to fix it.",
            "title": "Ward",
            "prompt_id": "aoa-1",
            "tags": "grief",
        },
        follow_redirects=False,
    )
    assert saved.status_code == 303
    entry_url = saved.headers["location"].split("?")[0]
    page = client.get(saved.headers["location"]).text
    assert "What Attunement noticed" in page and "Noticing your body" in page
    assert '<mark class="m-self"' in page
    assert "Ward" in client.get("/journal?q=chest").text
    assert "Ward" in client.get("/journal?tag=grief").text
    partial = client.get("/journal?q=chest", headers={"hx-request": "true"}).text
    assert "<html" not in partial and "<mark>" in partial
    client.post(f"{entry_url}/edit", data={"body": "Softer now.", "title": "Ward"})
    history = client.get(f"{entry_url}/history?version=1").text
    assert "My chest tightened" in history
    client.post(f"{entry_url}/delete")
    assert "in the trash" in client.get(entry_url).text
    client.post(f"{entry_url}/restore")
    assert "in the trash" not in client.get(entry_url).text


def test_a_draft_saved_while_writing_becomes_the_entry(client):
    draft = client.post("/api/v1/drafts", json={"body": "autosaved words"}).json()
    page = client.get(f"/write?draft={draft['id']}").text
    assert "autosaved words" in page and "Draft restored" in page
    client.post("/write", data={"body": "autosaved words, finished", "draft_id": draft["id"]})
    assert client.get("/api/v1/drafts").json()["drafts"] == []
    assert client.get("/api/v1/entries").json()["entries"][0]["body"] == "autosaved words, finished"


def test_an_empty_entry_is_refused_on_the_page_without_losing_the_title(client):
    response = client.post("/write", data={"body": "  ", "title": "Keep this title"})
    assert response.status_code == 422
    assert "The entry is empty" in response.text and "Keep this title" in response.text


def test_checking_in_with_the_body_map_form(client):
    done = client.post(
        "/checkin",
        data={
            "ease": "3",
            "fatigue": "7",
            "body": ["chest", "throat"],
            "moment": "before",
            "note": "before the family",
        },
        follow_redirects=False,
    )
    assert done.status_code == 303
    saved = client.get("/api/v1/checkins").json()["checkins"][0]
    assert (saved["ease"], saved["fatigue"], saved["body"]) == (3, 7, ["chest", "throat"])
    bad = client.post("/checkin", data={"ease": "eleven", "body": ["chest"]})
    assert bad.status_code == 422 and 'aria-checked="true"' in bad.text


def test_unknown_pages_and_entries_are_404_pages(client):
    assert client.get("/entries/nosuch1").status_code == 404
    assert "nothing at this address" in client.get("/no-such-page").text


XSS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)>",
    "javascript:alert(1)",
    "[click](javascript:alert(1))",
    "<iframe src=//evil>",
    '"><script>alert(1)</script>',
    "'><img src=x onerror=alert(1)>",
    '<a href="javascript:alert(1)">x</a>',
    "<body onload=alert(1)>",
    '<math><mi xlink:href="javascript:alert(1)">x</mi></math>',
    "<details open ontoggle=alert(1)>",
    "{{ 7*7 }}",
    "{% raw %}{{ config }}{% endraw %}",
    "<style>*{display:none}</style>",
    "<object data=javascript:alert(1)>",
    "<embed src=javascript:alert(1)>",
    "![x](javascript:alert(1))",
    "<input autofocus onfocus=alert(1)>",
    "<form action=//evil><button>x</button></form>",
    "<meta http-equiv=refresh content=0;url=//evil>",
    "<base href=//evil/>",
]


class Elements(HTMLParser):
    """Every element and attribute a browser would build from a page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, dict[str, str]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((tag, {k.lower(): (v or "") for k, v in attrs}))


def assert_inert(html: str, payload: str) -> None:
    parser = Elements()
    parser.feed(html)
    for tag, attrs in parser.found:
        assert tag not in {"iframe", "object", "embed", "base", "style", "math"}, (payload, tag)
        if tag == "details":  # only the app's own: a draft's Discard, which asks first
            assert attrs.get("class") == "discard" and "open" not in attrs, (payload, attrs)
        if tag == "script":
            assert attrs.get("src", "").startswith("/static/"), (payload, attrs)
        if tag == "meta":
            assert "http-equiv" not in attrs, (payload, attrs)
        if tag == "form":
            assert attrs.get("action", "/").startswith("/") and not attrs.get(
                "action", "/"
            ).startswith("//"), (payload, attrs)
        for name, value in attrs.items():
            assert not name.startswith("on"), (payload, tag, name)
            if name in {"href", "src", "action", "xlink:href", "data"}:
                assert not value.strip().lower().startswith("javascript:"), (payload, tag, value)


@pytest.mark.parametrize("payload", XSS)
def test_stored_xss_payloads_render_inert(client, payload):
    entry = client.post(
        "/api/v1/entries", json={"body": f"before {payload} after #safe", "title": payload[:400]}
    ).json()
    client.post("/api/v1/drafts", json={"body": payload, "title": payload})
    pages = [
        client.get(f"/entries/{entry['id']}").text,
        client.get("/journal").text,
        client.get("/journal?q=before").text,
        client.get("/journal?q=before", headers={"hx-request": "true"}).text,
        client.get("/").text,
        client.get("/write").text,
        client.get(f"/entries/{entry['id']}/edit").text,
        client.post("/partials/preview", data={"body": payload}).text,
    ]
    for html in pages:
        assert_inert(html, payload)
    assert payload.split()[0].strip("<>\"'")[:3] in client.get(
        f"/entries/{entry['id']}"
    ).text or payload.startswith(("[", "!", "{")), "the words themselves are still shown"


def test_insights_page_and_api_agree(client):
    from datetime import datetime, timedelta

    now = datetime.now().astimezone()
    journal = client.app.app.state.holder.get()
    for days in range(5):
        at = now - timedelta(days=days)
        journal.write(
            "My chest tightened and I wanted to fix it.", prompt_id="aoa-2", created_at=at
        )
        journal.checkin(ease=days + 3, at=at)
    data = client.get("/api/v1/insights", params={"weeks": 4}).json()
    assert len(data["weeks"]) == 4
    assert sum(data["markers_per_week"]["fixing"]) == 5
    assert [v["value"] for v in data["scales"]["ease"]] == [7, 6, 5, 4, 3]
    assert dict((p["prompt_id"], p["answers"]) for p in data["prompt_coverage"])["aoa-2"] == 5
    assert sum(data["writing_days"].values()) == 5
    page = client.get("/insights").text
    assert page.count('class="chart line"') == 1  # ease only: no empty charts for unused scales
    assert 'class="barlist"' in page and "<table>" in page
    assert "Fixing" in page and "Missing the other" in page and "aoa-2" not in page
    assert "Before a session" not in page  # no before/after check-ins to compare yet
    assert client.get("/api/v1/insights", params={"weeks": 0}).status_code == 422


def test_markdown_zip_export(client):
    import io
    import zipfile

    client.post("/api/v1/entries", json={"body": "zip me", "title": "Zipped"})
    response = client.post("/api/v1/export", params={"format": "markdown"})
    assert response.headers["content-type"] == "application/zip"
    names = zipfile.ZipFile(io.BytesIO(response.content)).namelist()
    assert len(names) == 1 and names[0].endswith(".md") and "zipped" in names[0]
    assert client.post("/api/v1/export", params={"format": "pdf"}).status_code == 422


def test_import_and_deck_upload_forms(client):
    from .conftest import DATA

    report = client.post(
        "/settings/import",
        data={"from": "jrnl", "dry_run": "on"},
        files={"file": ("journal.txt", (DATA / "jrnl-v4.6-journal.txt").read_bytes())},
    )
    assert report.status_code == 200 and "Would add 5 entries from journal.txt" in report.text
    assert client.get("/api/v1/entries").json()["total"] == 0
    done = client.post(
        "/settings/import",
        data={"from": "jrnl"},
        files={"file": ("journal.txt", (DATA / "jrnl-v4.6-journal.txt").read_bytes())},
    )
    assert "Added 5 entries" in done.text and done.url.path == "/settings"  # redirected
    assert "Added 5 entries" not in client.get(done.url).text  # a reload says it once only
    assert client.get("/api/v1/entries").json()["total"] == 5
    bad = client.post(
        "/settings/import", data={"from": "jrnl"}, files={"file": ("notes.txt", b"no dates here")}
    )
    assert bad.status_code == 422 and "notes.txt, line 1" in bad.text
    alert = bad.text.split('role="alert">', 1)[1].split("</p>", 1)[0]
    assert alert.startswith("notes.txt, line 1") and "tmp" not in alert  # the file's own name
    deck = b'id = "cpe"\nname = "CPE"\n[[prompts]]\nid = "cpe-1"\ntext = "What did you hear?"\n'
    added = client.post(
        "/prompts/decks", files={"file": ("cpe.toml", deck)}, follow_redirects=False
    )
    assert added.status_code == 303
    assert "What did you hear?" in client.get(added.headers["location"]).text
    wrong = client.post("/prompts/decks", files={"file": ("cpe.toml", b'id = "x"\nname = 3\n')})
    assert wrong.status_code == 422 and "cpe.toml, line 2" in wrong.text


def test_practice_through_the_api(client):
    listed = client.get("/api/v1/practice/vignettes", params={"theme": "anger"}).json()
    assert listed["vignettes"] and "responses" not in listed["vignettes"][0]
    session = client.get("/api/v1/practice/session", params={"n": 3}).json()["vignettes"]
    assert len(session) == 3
    made = client.post(
        "/api/v1/practice/respond",
        json={"vignette_id": "v26", "response": "You should make one list."},
    )
    assert made.status_code == 201
    data = made.json()
    assert data["power_signs"][0]["id"] == "fixing" and len(data["examples"]) >= 2
    assert client.get("/api/v1/practice/progress").json()["attempts"] == 1
    bad = client.post("/api/v1/practice/respond", json={"vignette_id": "v26", "response": " "})
    assert bad.status_code == 422
    assert (
        client.post(
            "/api/v1/practice/respond", json={"vignette_id": "nope", "response": "hi"}
        ).status_code
        == 404
    )
    assert client.get("/api/v1/practice/vignettes", params={"theme": "boredom"}).status_code == 422


def test_practice_pages_from_check_in_to_feedback(client):
    start = client.post(
        "/practice/start", data={"ease": "4", "theme": "despair"}, follow_redirects=False
    )
    assert start.status_code == 303 and "checkin=" in start.headers["location"]
    statement = client.get(start.headers["location"])
    assert "How would you respond?" in statement.text
    vignette_id = start.headers["location"].split("/practice/")[1].split("?")[0]
    answered = client.post(
        f"/practice/{vignette_id}",
        data={
            "response": "It sounds so lonely. What has it been like for you?",
            "theme": "despair",
        },
        follow_redirects=False,
    )
    # Post, redirect, get: reloading the feedback page cannot send the reply again.
    assert answered.status_code == 303
    assert answered.headers["location"].startswith("/practice/feedback/")
    for _ in range(2):
        feedback = client.get(answered.headers["location"])
        assert feedback.status_code == 200 and "It sounds so lonely" in feedback.text
        assert "Done well:" in feedback.text
        assert "Attuned responses others might give" in feedback.text
    assert client.get("/api/v1/practice/progress").json()["attempts"] == 1
    assert client.get("/practice/feedback/nope").status_code == 404
    empty = client.post(f"/practice/{vignette_id}", data={"response": " "})
    assert empty.status_code == 422 and "How would you respond?" in empty.text
    progress = client.get("/practice").text
    assert "1 response over 1 week" in progress and 'role="img"' in progress
    checkin = client.get("/api/v1/checkins").json()["checkins"][0]
    assert (checkin["moment"], checkin["note"]) == ("other", "before practice")


def test_transcripts_through_the_api_and_pages(client):
    from .test_transcripts import VTT

    entry = client.post("/api/v1/entries", json={"body": "About Monday's session"}).json()
    made = client.post(
        "/api/v1/transcripts",
        data={"title": "Monday", "entry_id": entry["id"]},
        files={"file": ("monday.vtt", VTT.encode())},
    )
    assert made.status_code == 201
    info = made.json()
    assert info["caregiver"] == "Counsellor" and info["format"] == "vtt" and info["turns"] == 2
    coded = client.get(f"/api/v1/transcripts/{info['id']}").json()
    assert coded["turns"][0]["code"] == "question" and "rq_ratio" in coded["summary"]
    assert client.get("/api/v1/transcripts").json()["transcripts"][0]["id"] == info["id"]
    report = client.get(f"/api/v1/transcripts/{info['id']}/report", params={"format": "html"})
    assert report.headers["content-type"].startswith("text/html")
    page = client.get(f"/transcripts/{info['id']}").text
    assert "for each question asked" in page and 'class="timeline"' in page
    assert f"/transcripts/{info['id']}" in client.get(f"/entries/{entry['id']}").text
    bad = client.post("/api/v1/transcripts", files={"file": ("bad.srt", b"1\nnot a cue\n")})
    assert bad.status_code == 422 and "bad.srt, line 2" in error_of(bad)["message"]
    form_bad = client.post("/transcripts", files={"file": ("bad.srt", b"1\nnot a cue\n")})
    assert form_bad.status_code == 422 and "bad.srt, line 2" in form_bad.text
    uploaded = client.post(
        "/transcripts",
        data={"caregiver": "Client"},
        files={"file": ("s.vtt", VTT.encode())},
        follow_redirects=False,
    )
    assert uploaded.status_code == 303
    assert "Caregiver: Client" in client.get(uploaded.headers["location"]).text
    assert client.get("/api/v1/transcripts/nosuch1").status_code == 404


def test_the_write_page_offers_placeholders_for_identifying_details(client):
    text = "Mrs Okafor phoned on 07700 900123 about her son."
    review = client.post("/write", data={"body": text, "title": "Call"})
    assert review.status_code == 200 and "Identifying details in your text" in review.text
    assert '<mark title="phone">07700 900123</mark>' in review.text
    assert client.get("/api/v1/entries").json()["total"] == 0, "nothing saved before choosing"
    saved = client.post(
        "/write", data={"body": text, "title": "Call", "deid": "redact"}, follow_redirects=False
    )
    assert saved.status_code == 303
    entry = client.get("/api/v1/entries").json()["entries"][0]
    assert entry["body"] == "Mrs [Client A] phoned on [Phone 1] about her son."
    client.post("/write", data={"body": text, "deid": "keep"})
    assert client.get("/api/v1/entries").json()["entries"][0]["body"] == text
    plain = client.post("/write", data={"body": "A quiet shift."}, follow_redirects=False)
    assert plain.status_code == 303, "no details, no extra step"


def test_the_review_of_identifying_details_shows_the_words_it_is_about(client):
    """Asked about identifying details, the writer sees the preview of what they wrote
    and is told it is not saved yet (not "Draft restored", and not an empty preview)."""
    draft = client.post("/api/v1/drafts", json={"body": "Mrs Okafor phoned"}).json()
    text = "## After the call\n\nMrs Okafor phoned on 07700 900123 about her *son*."
    review = client.post("/write", data={"body": text, "title": "Call", "draft_id": draft["id"]})
    assert review.status_code == 200 and "Identifying details in your text" in review.text
    status = re.search(r'id="autosave-status"[^>]*>([^<]*)<', review.text)
    assert status and status.group(1).startswith("Not saved yet")
    preview = review.text.split('id="preview"')[1].split("</section>")[0]
    assert "<em>son</em>" in preview and "After the call</h2>" in preview
    assert "The preview appears here" not in preview


def test_a_paragraph_in_arabic_reads_right_to_left(client):
    """Each paragraph runs the way most of its letters do: an Arabic paragraph in an
    English entry right to left, an English one opening with a Hebrew greeting left to
    right."""
    body = (
        "Today I sat with a family whose first language is Arabic.\n\n"
        "שלום — a colleague greeted me afterwards in Hebrew, and I noticed my jaw.\n\n"
        "هذا نص عربي طويل لاختبار اتجاه الكتابة، مع بعض الكلمات like ease في وسط الجملة.\n\n"
        "- نقطة أولى\n- a second point"
    )
    made = client.post("/api/v1/entries", json={"body": body}).json()
    page = client.get(f"/entries/{made['id']}").text
    assert '<p dir="rtl">هذا نص عربي' in page and '<li dir="rtl">نقطة أولى</li>' in page
    assert "<p>שלום — a colleague" in page and "<li>a second point</li>" in page


# -- words on screen ------------------------------------------------------------------------


class VisibleText(HTMLParser):
    """The words a person sees: text outside <script> and <style>, including <title>s.
    A file's text shown as typed (<pre class="file">, the example deck with the ids a
    deck names its sub-skills by) is the file's, not the page's words."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.hidden = 0
        self.pres: list[bool] = []

    def handle_starttag(self, tag, attrs):
        self.hidden += tag in ("script", "style")
        if tag == "pre":
            self.pres.append(("class", "file") in attrs)
            self.hidden += self.pres[-1]

    def handle_endtag(self, tag):
        self.hidden -= tag in ("script", "style")
        if tag == "pre" and self.pres:
            self.hidden -= self.pres.pop()

    def handle_data(self, data):
        if not self.hidden:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = VisibleText()
    parser.feed(html)
    return " ".join(parser.parts)


def framework_ids() -> set[str]:
    """Every id and slug the framework defines that is not simply an English word: prompt,
    deck, concept, scale, body region, marker, vignette, theme, setting and dimension ids."""
    from attunement.analysis.markers import lexicon
    from attunement.framework import builtin_decks, concepts
    from attunement.practice.dimensions import DIMENSIONS
    from attunement.practice.vignettes import SETTINGS, themes, vignettes

    f = concepts()
    ids = {d.id for d in builtin_decks()} | {p.id for d in builtin_decks() for p in d.prompts}
    for group in (f.subskills, f.posture, f.adaptations, f.continuum_poles, f.body_regions):
        ids |= {c.id for c in group}
    ids |= {s.id for s in f.scales} | {f.continuum.id} | {m.id for m in lexicon().markers}
    ids |= {v.id for v in vignettes()} | set(themes()) | set(SETTINGS) | set(DIMENSIONS)
    return {i for i in ids if re.search(r"[-_0-9]", i)}


def test_no_page_shows_an_id_a_slug_or_a_temporary_path(client, data_dir):
    from .test_transcripts import VTT

    journal = client.app.app.state.holder.get()
    first = journal.write("I stayed with her silence. #ward", title="Ward", prompt_id="aoa-2")
    journal.edit(first.id, body="I stayed with her silence a while longer.")
    journal.write("A second evening.", prompt_id="aoa-1")
    journal.checkin(ease=4, urge_to_fix=7, body=["neck-shoulders", "face-jaw"], moment="before")
    journal.checkin(ease=6, body=["lower-back"], moment="after")
    journal.save_draft("half a thought", title="Later")
    client.post("/practice/start", data={"ease": "5", "theme": "depressed-states"})
    answered = client.post(
        "/practice/v04", data={"response": "You should pray more."}, follow_redirects=False
    )
    transcript = client.post(
        "/transcripts", files={"file": ("monday.vtt", VTT.encode())}, follow_redirects=False
    )
    pages = [
        "/",
        "/write",
        "/write?prompt=aoa-1",
        "/journal",
        "/journal?prompt=aoa-2",
        f"/entries/{first.id}",
        f"/entries/{first.id}/edit",
        f"/entries/{first.id}/history",
        "/checkin",
        "/practice",
        "/practice?theme=neglectful",
        "/practice/v04",
        answered.headers["location"],
        "/transcripts",
        transcript.headers["location"],
        "/insights",
        "/supervision",
        "/prompts",
        "/settings",
        "/trash",
        "/entries/nosuch1",
        "/practice/v99",
        "/transcripts/nosuch1",
        "/no-such-page",
    ]
    shown = {path: client.get(path).text for path in pages}
    shown["checkin error"] = client.post("/checkin", data={"ease": "11"}).text
    shown["packet"] = client.post(
        "/supervision", data={"entry_ids": first.id, "action": "preview", "redact": "1"}
    ).text
    shown["bad import"] = client.post(
        "/settings/import", data={"from": "jrnl"}, files={"file": ("notes.txt", b"no dates")}
    ).text
    shown["bad deck"] = client.post(
        "/prompts/decks", files={"file": ("cpe.toml", b'id = "x"\nname = 3\n')}
    ).text
    shown["bad transcript"] = client.post(
        "/transcripts", files={"file": ("monday notes.txt", b"no speakers here")}
    ).text
    assert "monday notes.txt, line 1" in shown["bad transcript"]
    assert ">WebVTT captions (.vtt)</option>" in shown["/transcripts"]  # formats by name
    ids = framework_ids()
    assert {"aoa-1", "neck-shoulders", "urge_to_fix", "depressed-states", "v04"} <= ids
    pattern = re.compile(r"(?<![\w-])(" + "|".join(map(re.escape, ids)) + r")(?![\w-])")
    for where, html in shown.items():
        text = visible_text(html).replace(str(data_dir), "<your data folder>")
        assert not pattern.findall(text), f"{where} shows ids: {set(pattern.findall(text))}"
        assert not re.search(r"/tmp/|\btmp\w{6,}", text), f"{where} shows a temporary path"
        assert "`attune" not in text, f"{where} gives terminal advice"
        assert "`" not in text, f"{where} marks words with a terminal's backticks"
        assert not re.search(r"\bdocs/\S+\.md", text), f"{where} names a file in the source"
        for entry_id in (first.id,):
            assert entry_id not in text, f"{where} shows an entry id"


@pytest.mark.parametrize(
    "route,form,name,content",
    [
        ("/api/v1/decks", {}, "d.toml", b'id = "x"\nname = 3\n'),
        ("/api/v1/decks", {}, "d.yaml", b"id: [unclosed\n"),
        ("/api/v1/decks", {}, "latin1.toml", 'name = "Zoë"\n'.encode("latin-1")),
        ("/api/v1/transcripts", {}, "session.vtt", b"WEBVTT\n\n00:01.000 --> nonsense\n"),
        ("/api/v1/transcripts", {}, "bad.txt", b"Zo\x81: hi\n"),  # not even Windows-1252
        ("/api/v1/import", {"from": "jrnl-json"}, "j.json", b"{not json"),
        ("/api/v1/import", {"from": "attune-json"}, "a.json", b'{"format": "other"}'),
    ],
)
def test_errors_about_an_upload_name_the_persons_file_not_a_temp_copy(
    client, data_dir, route, form, name, content
):
    refused = client.post(route, data=form, files={"file": (name, content)})
    assert 400 <= refused.status_code < 500, refused.text
    message = error_of(refused)["message"]
    assert name in message, message
    assert "/tmp" not in message and str(data_dir) not in message, message


def test_the_entry_page_and_attune_show_describe_an_entry_alike(client, attune):
    """One view of an entry serves the page and `attune show --json`: the same name, the
    same prompt by its title, and its earlier version."""
    made = client.post(
        "/api/v1/entries", json={"body": "Stayed with the silence.", "prompt_id": "aoa-1"}
    ).json()
    client.patch(f"/api/v1/entries/{made['id']}", json={"body": "Stayed with the long silence."})
    shown = attune.json("show", made["id"])
    assert shown["label"] == "Stayed with the long silence."
    assert shown["prompt"]["title"] == "Receiving mis-attunement" and shown["versions"] == 2
    page = client.get(f"/entries/{made['id']}").text
    # Untitled: the tab says what the heading says (the day), the text follows it.
    heading = re.search(r"<h1>(.*?)</h1>", page).group(1)
    assert heading.startswith("Entry of ") and shown["label"] in page
    assert f"<title>{heading} · Attunement</title>" in page
    assert "Receiving mis-attunement" in page and "Earlier versions (1)" in page


def test_today_names_the_three_latest_drafts_however_many_wait(client):
    for n in range(6):
        client.post("/api/v1/drafts", json={"body": f"Unfinished thought number {n}"})
    page = client.get("/").text
    named = [n for n in range(6) if f"Unfinished thought number {n}" in page]
    assert named == [3, 4, 5]


def test_a_transcript_can_be_kept_de_identified_from_the_page_and_the_api(client):
    session = (
        b"Nurse: How are you, Margaret?\nMargaret Thompson: Tired. My son rang on 07700 900123.\n"
    )
    kept = client.post(
        "/api/v1/transcripts", data={"redact": "true"}, files={"file": ("s.txt", session)}
    ).json()
    assert kept["redacted"] and kept["identifying_details"] >= 3
    assert kept["speakers"] == ["Nurse", "[Client A]"]
    plain = client.post("/api/v1/transcripts", files={"file": ("s.txt", session)}).json()
    assert not plain["redacted"] and plain["identifying_details"] == kept["identifying_details"]
    form = client.get("/transcripts").text
    assert 'name="redact" value="1" checked' in form  # de-identified unless unticked
    page = client.post("/transcripts", data={"redact": "1"}, files={"file": ("t.txt", session)})
    assert page.status_code == 200 and "Margaret" not in page.text and "[Client A]" in page.text


def test_a_deck_i_added_can_be_removed_from_the_prompts_page(client):
    """A trainee adds her course's deck, writes on one of its prompts, then removes the
    deck when the course ends: the deck goes, her entry stays, and the built-in deck
    offers no such button."""
    deck = b'id = "cpe"\nname = "CPE unit"\n[[prompts]]\nid = "cpe-1"\ntext = "What did you hear?"'
    client.post("/prompts/decks", files={"file": ("cpe.toml", deck + b"\n")})
    client.post("/api/v1/entries", json={"body": "I heard the fear.", "prompt_id": "cpe-1"})
    page = client.get("/prompts").text
    assert 'action="/prompts/decks/cpe/remove"' in page
    assert 'action="/prompts/decks/art-of-attunement/remove"' not in page
    done = client.post("/prompts/decks/cpe/remove", follow_redirects=False)
    assert done.status_code == 303
    shown = client.get(done.headers["location"]).text
    assert "Removed the deck “CPE unit”" in shown and "What did you hear?" not in shown
    assert client.get("/api/v1/entries").json()["total"] == 1
    again = client.post("/prompts/decks/cpe/remove")
    assert again.status_code == 404 and "deck that you added" in again.text
    builtin = client.delete("/api/v1/decks/art-of-attunement")
    assert builtin.status_code == 404 and builtin.json()["error"]["code"]
