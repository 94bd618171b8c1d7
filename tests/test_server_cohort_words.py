"""The words on the course lead's pages say what they count: Lee reads "4 reflections" and
"2 trainees", not "entries"; Tess's practice figures in the names, order and none/weak/strong
words Tess reads herself; counts of what awaits a sign-off that agree with each deadline's
cell, overdue ones included; and an Activity log that names people, not ids.

Runs on SQLite, and on PostgreSQL when ATTUNE_TEST_POSTGRES is set.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta
from html import unescape

import pytest

from attunement.practice.dimensions import DIMENSION_NAMES, DIMENSIONS, figure_text
from attunement.server import audit
from attunement.server.db import writing

from .server_world import build_world
from .test_server_cohort import (
    SECRET,
    TODAY,
    on_day,
    practice_body,
    set_deadlines,
    share,
    sign_off,
)


@pytest.fixture
def world(tmp_path):
    return build_world(tmp_path)


def visible(html: str) -> str:
    """The page's words, tags and extra spaces gone."""
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def test_each_count_on_the_cohort_page_says_what_it_counts(world, monkeypatch):
    course = world.courses["A"]
    set_deadlines(world)
    toms = share(world, "Tom", "Sam", "entry", "Week one", SECRET)
    sign_off(world, "Sam", toms)
    share(world, "Tess", "Sue", "entry", "Week two", SECRET)
    body = practice_body(monkeypatch, 3, ["2026-11-23"], {"reflection": [0.5]})
    share(world, "Tess", "Sue", "practice", "Practice progress", body)

    words = visible(world.client("Lee").get(f"/courses/{course}/cohort").text)
    assert "entries" not in words and " entry " not in words
    # Items shared, each by its own name.
    for said in (
        "Reflections 2 reflections",
        "Supervision packets 0 packets",
        "Practice progress 1 progress report",
        "Transcript reports 0 reports",
    ):
        assert said in words, said
    # Each deadline's bars count trainees: Tom met the reflection one, Tess awaits hers.
    assert "Met on time 1 trainee " in words and "Awaiting sign-off 1 trainee " in words
    assert "Not yet 1 trainee " in words  # Tom has shared no practice progress yet
    # The table's columns name their kind.
    for header in ("Packets shared", "Progress reports shared", "Transcript reports shared"):
        assert header in words


def test_what_awaits_a_sign_off_is_counted_the_same_in_every_place(world, monkeypatch):
    """Tess's reflection is shared but not signed off; once its deadline passes her cell
    says "overdue, awaiting sign-off", and the counts say the same, overdue included."""
    course = world.courses["A"]
    due = set_deadlines(world)
    share(world, "Tess", "Sue", "entry", "After the night shift", SECRET)
    lee = world.client("Lee")

    on_day(monkeypatch, TODAY + timedelta(days=20))  # both deadlines have passed
    data = world.api("Lee").get(f"/api/v1/courses/{course}/cohort").json()
    tess = next(t for t in data["trainees"] if t["name"] == "Tess")
    assert tess["deadlines"][due["reflection"]]["name"] == "overdue, awaiting sign-off"
    assert tess["signoffs_pending"] == 1 and tess["signoffs_overdue"] == 1
    assert data["summary"]["signoffs_pending"] == 1
    reflection = next(d for d in data["deadlines"] if d["id"] == due["reflection"])
    assert reflection["standing"]["overdue"] == 2 and reflection["overdue_waiting"] == 1

    words = visible(lee.get(f"/courses/{course}/cohort").text)
    assert "1 deadline with an item shared and awaiting sign-off, overdue." in words
    assert "0 items awaiting sign-off" not in words
    assert "Overdue, awaiting sign-off 1 trainee " in words  # Tess
    assert "Overdue 1 trainee " in words  # Tom, who shared nothing
    assert "Deadlines awaiting sign-off" in words
    row = re.search(
        r"<th scope=\"row\">Tess</th>(.*?)</tr>", lee.get(f"/courses/{course}/cohort").text, re.S
    )
    assert row is not None
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row.group(1), re.S)
    # Reflections, packets, progress reports, transcripts shared; then awaiting sign-off.
    assert cells[5] == "1" and "overdue, awaiting sign-off" in row.group(1)

    # The CSV says the same.
    rows = list(csv.reader(io.StringIO(lee.get(f"/courses/{course}/cohort.csv").text)))
    tess_row = dict(zip(rows[0], next(r for r in rows[1:] if r[0] == "Tess"), strict=True))
    assert tess_row["deadlines awaiting sign-off"] == "1"


def test_the_lead_reads_practice_in_the_trainees_own_words_and_order(world, monkeypatch):
    course = world.courses["A"]
    per_week = {  # in an order of its own, to show the page puts it in the trainee's
        "no_power_signs": [0.5, 1.0],
        "explorations": [0.0, 0.5],
        "reflection": [0.25, 0.75],
        "interpretations": [0.5, 0.5],
        "emotional_reactions": [1.0, 1.0],
    }
    body = practice_body(monkeypatch, 4, ["2026-11-16", "2026-11-23"], per_week)
    share(world, "Tess", "Sue", "practice", "Practice progress", body)
    lee = world.client("Lee")

    html = lee.get(f"/courses/{course}/cohort").text
    words = visible(html)
    for old in ("Emotional reactions", "Interpretations", "Explorations", "No power signs"):
        assert old not in words, old
    names = [DIMENSION_NAMES[d] for d in DIMENSIONS]
    # The charts and the table name them as Tess reads them, in her order.
    captions = re.findall(r"<figcaption>([^<]+?) <span", html)
    assert captions == names
    header = re.search(r'<caption id="practice-table">.*?</thead>', html, re.S)
    assert header is not None
    assert [n for n in names if n in header.group(0)] == names
    positions = [header.group(0).index(n) for n in names]
    assert positions == sorted(positions)
    # And the figures in her words: a level of none, weak or strong, a share as a percent.
    assert figure_text("emotional_reactions", 1.0) in words
    assert figure_text("explorations", 0.25) in words
    assert figure_text("no_power_signs", 0.75) in words
    assert "strong" in figure_text("emotional_reactions", 1.0)
    assert not re.search(r">\s*1\.00\s*<", html)

    # The CSV: the same names, in the same order, the same words.
    rows = list(csv.reader(io.StringIO(lee.get(f"/courses/{course}/cohort.csv").text)))
    practice_columns = [h for h in rows[0] if h.startswith("practice: ")]
    assert practice_columns == [f"practice: {n} (overall)" for n in names]
    tess = dict(zip(rows[0], next(r for r in rows[1:] if r[0] == "Tess"), strict=True))
    assert tess[f"practice: {names[0]} (overall)"] == figure_text("emotional_reactions", 1.0)
    assert tess[f"practice: {DIMENSION_NAMES['reflection']} (overall)"] == "50%"

    # The JSON keeps its keys: it is an API.
    data = world.api("Lee").get(f"/api/v1/courses/{course}/cohort").json()
    tess_json = next(t for t in data["trainees"] if t["name"] == "Tess")
    assert set(tess_json["practice"]["overall"]) == set(DIMENSIONS)
    assert list(data["practice"]) == list(DIMENSIONS)


def test_the_activity_log_names_who_did_it(world):
    """Sam and Lee try Tess's reflection, shared with Sue only, and are refused; Tess's
    Activity page says who they are, in words, and what no one signed in did."""
    shared = world.share("Tess", "Sue", "After the night shift", SECRET)
    assert world.api("Sam").get(f"/api/v1/shares/{shared}").status_code == 404
    assert world.api("Lee").get(f"/api/v1/shares/{shared}").status_code == 404
    with writing(world.engine) as conn:
        audit.record(conn, None, "share.expire", "share", shared, owner_id=world.ids["Tess"])

    page = world.client("Tess").get("/audit").text
    words = visible(page)
    assert "Sam (supervisor)" in words and "Lee (course lead)" in words
    assert "someone not signed in" in words and "not sign " not in words
    assert world.ids["Sam"][:8] not in page and world.ids["Lee"][:8] not in page
    assert " you " in f" {words} "  # Tess's own sharing
    # The admin sees everything, with the short id beside each name.
    admin = world.client("Ada").get("/audit").text
    assert "Sam (supervisor)" in visible(admin) and world.ids["Sam"][:8] in admin
    # The JSON keeps its shape.
    rows = world.api("Tess").get("/api/v1/audit").json()
    assert "who" not in rows[0] and any(r["actor"] == world.ids["Sam"] for r in rows)
