"""A long session on the transcript page: a counsellor who imports a transcript of
hundreds or thousands of turns sees the session's summary whole and its turns a page at a
time, moves to earlier and later turns or straight to one turn by plain links, and reads
a timeline summed up part by part; a session of an hour still looks as it always did. The
session is coded once while the journal is open, not again on every view."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from attunement.core.journal import Journal
from attunement.transcripts import service
from attunement.transcripts.coding import CodedTurn
from attunement.transcripts.views import PAGE_TURNS

LONG = 450  # turns: three pages, the last of 50
SAID = [
    ("Counsellor", "What was the night like?"),
    ("Client", "Long. I could not sleep and I kept thinking about my mum."),
    ("Counsellor", "It sounds like the nights are when you miss her most."),
    ("Client", "I want to sleep properly again, I really do."),
]


def session_text(turns: int) -> str:
    """A plain text session of alternating speakers, each turn saying which it is."""
    return "".join(f"{SAID[i % 4][0]}: {SAID[i % 4][1]} (turn {i + 1})\n" for i in range(turns))


def turn_numbers(html: str) -> list[int]:
    return [int(n) for n in re.findall(r'<li id="turn-(\d+)"', html)]


@pytest.fixture(scope="module")
def long_session(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """The web app on a journal holding a session of 450 turns, and how many times a
    session was coded while it was served."""
    from starlette.testclient import TestClient

    from attunement.web import Settings, create_app

    folder = tmp_path_factory.mktemp("long-session")
    data_dir = folder / "journal-data"
    path = folder / "night.txt"
    path.write_text(session_text(LONG), encoding="utf-8")
    with Journal.open(data_dir) as journal:
        made = service.import_file(journal, path, title="A long night")
    coded: list[int] = []
    real = service.code_turns

    def counting(turns: Any, caregiver: str, progress: Any = None) -> list[CodedTurn]:
        coded.append(len(turns))
        return real(turns, caregiver, progress)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(service, "code_turns", counting)
        app = create_app(Settings(data_dir=data_dir, extra_hosts=("testserver",)))
        with TestClient(app) as client:
            yield {"client": client, "id": made.id, "coded": coded}


def test_a_long_sessions_page_shows_the_first_turns_and_says_how_many_there_are(long_session):
    client, tid = long_session["client"], long_session["id"]
    page = client.get(f"/transcripts/{tid}").text
    assert turn_numbers(page) == list(range(1, PAGE_TURNS + 1))
    assert "Turns 1–200 of 450" in page
    assert "Earlier turns" not in page, "nothing comes before the first page"
    assert f'href="/transcripts/{tid}?page=2#turns" rel="next">Later turns' in page
    # The summary is the whole session's, on every page.
    assert "450 turns" in page and "for each question asked" in page
    assert page.count("<title>") == 1 + PAGE_TURNS, "the timeline draws this page's turns"


def test_the_next_link_shows_the_next_turns_and_the_last_page_has_no_later_link(long_session):
    client, tid = long_session["client"], long_session["id"]
    second = client.get(f"/transcripts/{tid}?page=2").text
    assert turn_numbers(second) == list(range(201, 401))
    assert '<ol class="turns" start="201">' in second, "numbered as in the session"
    assert "Turns 201–400 of 450" in second and "(turn 201)" in second
    assert f'href="/transcripts/{tid}#turns" rel="prev">← Earlier turns' in second
    last = client.get(f"/transcripts/{tid}?page=3").text
    assert turn_numbers(last) == list(range(401, 451)) and "Later turns" not in last
    beyond = client.get(f"/transcripts/{tid}?page=99")
    assert beyond.status_code == 200 and turn_numbers(beyond.text)[-1] == 450
    assert client.get(f"/transcripts/{tid}?page=0").status_code == 422


def test_a_link_to_a_turn_lands_on_the_page_that_holds_it(long_session):
    client, tid = long_session["client"], long_session["id"]
    jump = client.get(f"/transcripts/{tid}?turn=312", follow_redirects=False)
    assert jump.status_code == 303
    assert jump.headers["location"] == f"/transcripts/{tid}?page=2#turn-312"
    landed = client.get(jump.headers["location"]).text
    assert '<li id="turn-312">' in landed and "(turn 312)" in landed
    first = client.get(f"/transcripts/{tid}?turn=7", follow_redirects=False)
    assert first.headers["location"] == f"/transcripts/{tid}#turn-7"
    # "Go to turn" is a plain form that asks for this link, without any script.
    page = client.get(f"/transcripts/{tid}").text
    assert f'<form method="get" action="/transcripts/{tid}" class="jump">' in page
    assert 'name="turn" type="number" min="1" max="450"' in page
    missing = client.get(f"/transcripts/{tid}?turn=451")
    assert missing.status_code == 404
    assert "This transcript has 450 turns; there is no turn 451." in missing.text


def test_the_timeline_sums_up_the_whole_session_part_by_part(long_session):
    client, tid = long_session["client"], long_session["id"]
    page = client.get(f"/transcripts/{tid}?page=2").text
    assert "The whole session in 3 parts of 200 turns" in page
    rows = re.findall(r'<th scope="row"><a href="([^"]+)"( aria-current="page")?>([^<]+)</a>', page)
    assert [(href, bool(current), turns) for href, current, turns in rows] == [
        (f"/transcripts/{tid}#turns", False, "1–200"),
        (f"/transcripts/{tid}?page=2#turns", True, "201–400"),
        (f"/transcripts/{tid}?page=3#turns", False, "401–450"),
    ]
    assert 'aria-label="Timeline of turns 201 to 400 of 450, lettered by code"' in page


def test_a_long_session_is_coded_once_not_on_every_view(long_session):
    client, tid = long_session["client"], long_session["id"]
    for page in (1, 2, 3, 2):
        assert client.get(f"/transcripts/{tid}?page={page}").status_code == 200
    assert client.get(f"/api/v1/transcripts/{tid}/report?format=md").status_code == 200
    assert long_session["coded"] == [LONG], "coded once, then kept"


def test_a_short_session_shows_every_turn_and_no_paging(client):
    made = client.post(
        "/api/v1/transcripts",
        data={"title": "An hour"},
        files={"file": ("hour.txt", session_text(PAGE_TURNS).encode())},
    ).json()
    page = client.get(f"/transcripts/{made['id']}").text
    assert turn_numbers(page) == list(range(1, PAGE_TURNS + 1))
    assert '<ol class="turns">' in page, "numbered from 1, as always"
    for paging in ("Earlier turns", "Later turns", "Go to turn", "part by part", "Turns 1–"):
        assert paging not in page
    assert 'aria-label="Timeline of 200 turns, lettered by code"' in page
    assert "Swipe the timeline sideways" in page


def test_deleting_a_session_forgets_its_coding(journal, tmp_path):
    path = tmp_path / "s.txt"
    path.write_text(session_text(4), encoding="utf-8")
    made = service.import_file(journal, path, title="Short")
    first = service.open_coded(journal, made.id).session
    assert service.open_coded(journal, made.id).session is first, "kept"
    service.delete(journal, made.id)
    assert made.id not in service._kept_for(journal).sessions


def coded_cheaply(turns: list[Any], caregiver: str, progress: Any = None) -> list[CodedTurn]:
    """Codes without the models, for a page whose size is about its turns, not its codes."""
    return [
        CodedTurn(t, "caregiver", "question", "open", 0.9)
        if t.speaker == caregiver
        else CodedTurn(t, "client", "change", None, 0.9)
        for t in turns
    ]


def test_the_page_of_a_session_of_5000_turns_stays_small(client, monkeypatch):
    monkeypatch.setattr(service, "code_turns", coded_cheaply)
    made = client.post(
        "/api/v1/transcripts",
        files={"file": ("marathon.txt", session_text(5000).encode())},
    ).json()
    assert made["turns"] == 5000
    page = client.get(f"/transcripts/{made['id']}")
    for _ in range(200):  # so long a session is coded in the background, its page says
        if "Coding the session" not in page.text:
            break
        time.sleep(0.05)
        page = client.get(f"/transcripts/{made['id']}")
    assert page.status_code == 200 and "Turns 1–200 of 5,000" in page.text
    assert len(page.content) < 150_000, len(page.content)  # all 5,000 on one page: 1.5 MB
    assert "The whole session in 25 parts of 200 turns" in page.text
    middle = client.get(f"/transcripts/{made['id']}?turn=3512", follow_redirects=False)
    assert middle.headers["location"].endswith("?page=18#turn-3512")
    landed = client.get(middle.headers["location"])
    assert turn_numbers(landed.text) == list(range(3401, 3601))
    assert len(landed.content) < 150_000


def test_a_session_longer_than_fifty_pages_is_summed_up_in_at_most_fifty_parts(
    journal, tmp_path: Path, monkeypatch
):
    from attunement.transcripts.views import MOST_PARTS, transcript_page

    monkeypatch.setattr(service, "code_turns", coded_cheaply)
    path = tmp_path / "s.txt"
    path.write_text(session_text(PAGE_TURNS * MOST_PARTS + 1), encoding="utf-8")
    made = service.import_file(journal, path)
    service.open_coded(journal, made.id)  # coded here, not in the background
    view = transcript_page(journal, made.id, page=51)
    assert len(view.parts) == MOST_PARTS // 2 + 1  # two pages a part
    assert [(p.first, p.last, p.page) for p in view.parts[:2]] == [(1, 400, 1), (401, 800, 3)]
    assert [p.current for p in view.parts].index(True) == 25
    assert (view.first, view.last, view.pages) == (10_001, 10_001, 51)
