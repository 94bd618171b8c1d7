"""The course lead's view: Lee, who leads cohort A, sets deadlines; Tom and Tess share
reflections and practice progress with their supervisors; Sam signs some off; as the
days pass Lee sees who is on track and who is overdue, plots included, and downloads a
CSV that a spreadsheet cannot be tricked by. Only Lee (and the admin) ever see it.

Runs on SQLite, and on PostgreSQL when ATTUNE_TEST_POSTGRES is set.
"""

from __future__ import annotations

import csv
import io
import uuid
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from attunement.server import cohort, deadlines
from attunement.server.db import reading
from attunement.server.outgoing import practice as practice_share
from attunement.server.schema import audit
from attunement.server.schema import deadlines as deadline_rows

from .server_world import build_world

TODAY = date.today()
SECRET = "The daughter's grief filled the room"


def practice_body(monkeypatch, attempts: int, weeks: list[str], per_week: dict) -> str:
    """The text `attune share practice` sends, made by the real builder."""
    from attunement.practice import service

    made = service.Progress(
        attempts=attempts,
        weeks=weeks,
        per_week=per_week,
        overall={d: round(sum(v) / len(v), 3) for d, v in per_week.items()},
        themes={"grief": 0.4},
    )
    monkeypatch.setattr(service, "progress", lambda journal: made)
    return practice_share(None).body  # type: ignore[arg-type]


def share(world, owner: str, reader: str, kind: str, title: str, body: str) -> str:
    share_id = str(uuid.uuid4())
    response = world.api(owner).put(
        f"/api/v1/shares/{share_id}",
        json={"kind": kind, "reader": world.ids[reader], "title": title, "body": body},
    )
    assert response.status_code == 200, response.text
    return share_id


def sign_off(world, reader: str, share_id: str) -> None:
    api = world.api(reader)
    shown = api.get(f"/api/v1/shares/{share_id}").json()["shown"]
    done = api.post(
        f"/api/v1/shares/{share_id}/signoff",
        json={"revision": shown["number"], "sha256": shown["sha256"]},
    )
    assert done.status_code == 201, done.text


def on_day(monkeypatch, day: date) -> None:
    monkeypatch.setattr(deadlines, "today", lambda: day)


@pytest.fixture
def world(tmp_path):
    world = build_world(tmp_path)
    world.member("Lena", "B", "lead")
    return world


def set_deadlines(world) -> dict[str, str]:
    lee = world.api("Lee")
    course = world.courses["A"]
    made = {}
    for key, body in {
        "reflection": {
            "title": "First reflection signed off",
            "kind": "entry",
            "due_on": (TODAY + timedelta(days=14)).isoformat(),
        },
        "practice": {
            "title": "Practice progress shared",
            "kind": "practice",
            "signoff": False,
            "due_on": (TODAY + timedelta(days=7)).isoformat(),
        },
    }.items():
        response = lee.post(f"/api/v1/courses/{course}/deadlines", json=body)
        assert response.status_code == 201, response.text
        made[key] = response.json()["id"]
    return made


def test_a_lead_follows_the_cohort_through_its_deadlines(world, monkeypatch):
    course = world.courses["A"]
    due = set_deadlines(world)
    lee = world.client("Lee")

    # Tom shares a reflection with Sam; Sam signs it off. Tess shares one with Sue,
    # not yet signed off, and her practice progress, and a reflection with Lee himself.
    toms = share(world, "Tom", "Sam", "entry", "Reflection of 3 Dec", SECRET)
    sign_off(world, "Sam", toms)
    share(world, "Tess", "Sue", "entry", "After the night shift", SECRET)
    body = practice_body(
        monkeypatch,
        7,
        ["2026-11-16", "2026-11-23"],
        {"emotional_reactions": [0.25, 0.5], "reflection": [0.5, 1.0]},
    )
    share(world, "Tess", "Sue", "practice", "Practice progress", body)
    to_lee = share(world, "Tess", "Lee", "entry", "A question for the lead", "Words for Lee.")

    data = lee.get(f"/api/v1/courses/{course}/cohort").json()
    by_name = {t["name"]: t for t in data["trainees"]}
    assert set(by_name) == {"Tom", "Tess"}  # trainees only
    tom, tess = by_name["Tom"], by_name["Tess"]
    assert tom["deadlines"][due["reflection"]]["status"] == "met"
    assert tom["deadlines"][due["practice"]]["status"] == "open"
    assert tess["deadlines"][due["reflection"]]["status"] == "waiting"
    assert tess["deadlines"][due["practice"]]["status"] == "met"
    assert tess["shared"] == {"entry": 2, "packet": 0, "practice": 1, "transcript": 0}
    assert tess["signoffs_pending"] == 1 and tom["signoffs_pending"] == 0
    assert tess["practice"]["attempts"] == 7
    assert tess["practice"]["per_week"]["reflection"] == [0.5, 1.0]
    assert data["summary"] == {
        "trainees": 2,
        "on_track": 2,
        "overdue": 0,
        "signoffs_pending": 1,
        "signoffs_overdue": 0,
        "shared": {"entry": 3, "packet": 0, "practice": 1, "transcript": 0},
    }
    # Metadata only: titles and links only for what was shared with Lee himself.
    titled = [i for t in data["trainees"] for i in t["items"] if "title" in i]
    assert [(i["title"], i["id"]) for i in titled] == [("A question for the lead", to_lee)]
    page = lee.get(f"/courses/{course}/cohort").text
    for text in (lee.get(f"/api/v1/courses/{course}/cohort").text, page):
        assert "Reflection of 3 Dec" not in text and "After the night shift" not in text
        assert SECRET not in text and "grief" not in text
    assert f'href="/shares/{to_lee}"' in page
    assert "Tom" in page and "Tess" in page and "<svg" in page

    # Ten days on, the practice deadline has passed: Tom never shared his.
    on_day(monkeypatch, TODAY + timedelta(days=10))
    data = lee.get(f"/api/v1/courses/{course}/cohort").json()
    tom = next(t for t in data["trainees"] if t["name"] == "Tom")
    assert tom["overdue"] == [due["practice"]] and not tom["on_track"]
    assert data["summary"]["on_track"] == 1 and data["summary"]["overdue"] == 1
    page = lee.get(f"/courses/{course}/cohort").text
    assert "1 deadline overdue" in page

    # Twenty days on: Tess's reflection still awaits its sign-off, so it is overdue too;
    # Sue signs it off late, and it counts as met late.
    on_day(monkeypatch, TODAY + timedelta(days=20))
    tess = next(
        t
        for t in lee.get(f"/api/v1/courses/{course}/cohort").json()["trainees"]
        if t["name"] == "Tess"
    )
    assert tess["deadlines"][due["reflection"]]["name"] == "overdue, awaiting sign-off"
    # It still awaits a sign-off, and is counted so: overdue, not forgotten.
    assert tess["signoffs_pending"] == 1 and tess["signoffs_overdue"] == 1
    standing = deadlines.standing(
        deadlines.Deadline("d", course, "t", "entry", True, None, TODAY),
        [deadlines.Item("entry", deadlines.db.now(), deadlines.db.now() + timedelta(days=2))],
        TODAY + timedelta(days=20),
    )
    assert standing.status == "late"


def test_a_deadline_counts_only_items_shared_from_its_start(world):
    day = date(2027, 3, 1)
    d = deadlines.Deadline("d", "c", "March reflection", "entry", False, day, date(2027, 3, 31))
    from datetime import UTC, datetime

    january = deadlines.Item("entry", datetime(2027, 1, 10, tzinfo=UTC), None)
    march = deadlines.Item("entry", datetime(2027, 3, 31, 23, 59, tzinfo=UTC), None)
    april = deadlines.Item("entry", datetime(2027, 4, 1, 0, 0, tzinfo=UTC), None)
    assert deadlines.standing(d, [january], date(2027, 3, 15)).status == "open"
    assert deadlines.standing(d, [january, march], date(2027, 4, 2)).status == "met"
    assert deadlines.standing(d, [april], date(2027, 4, 2)).status == "late"
    assert deadlines.standing(d, [january], date(2027, 4, 1)).status == "overdue"


def test_setting_a_deadline_badly_gets_one_sentence_and_stores_nothing(world):
    course = world.courses["A"]
    lee = world.api("Lee")
    cases = [
        ({"title": "", "kind": "entry", "due_on": "2099-01-01"}, "title"),
        ({"title": "Old", "kind": "entry", "due_on": "2001-01-01"}, "due_on"),
        ({"title": "Far", "kind": "entry", "due_on": "2099-01-01"}, "due_on"),
        ({"title": "What", "kind": "poem", "due_on": str(TODAY)}, "kind"),
        (
            {
                "title": "Backwards",
                "kind": "entry",
                "due_on": str(TODAY + timedelta(days=3)),
                "starts_on": str(TODAY + timedelta(days=9)),
            },
            "starts_on",
        ),
        ({"title": "No date", "kind": "entry", "due_on": "next tuesday"}, "due_on"),
    ]
    for body, field in cases:
        response = lee.post(f"/api/v1/courses/{course}/deadlines", json=body)
        assert response.status_code == 422, body
        error = response.json()["error"]
        assert error["field"] == field and error["message"].endswith("."), error
    # The form says the same, keeps what was typed, and marks the field.
    page = world.client("Lee").post(
        f"/courses/{course}/deadlines",
        data={"title": "Old one", "kind": "entry", "due_on": "2001-01-01"},
    )
    assert page.status_code == 422
    assert "has passed; choose today or a later day." in page.text
    assert 'value="Old one"' in page.text and 'aria-invalid="true"' in page.text
    with reading(world.engine) as conn:
        assert conn.execute(select(func.count()).select_from(deadline_rows)).scalar() == 0


def test_the_lead_sets_and_removes_deadlines_from_the_page(world):
    course = world.courses["A"]
    lee = world.client("Lee")
    done = lee.post(
        f"/courses/{course}/deadlines",
        data={
            "title": "Packet by the end of term",
            "kind": "packet",
            "meets": "shared",
            "due_on": str(TODAY + timedelta(days=30)),
        },
        follow_redirects=False,
    )
    assert done.status_code == 303 and done.headers["location"].endswith("?note=deadline")
    listed = world.api("Lee").get(f"/api/v1/courses/{course}/deadlines").json()
    assert [(d["title"], d["kind"], d["signoff"]) for d in listed] == [
        ("Packet by the end of term", "packet", False)
    ]
    page = lee.get(f"/courses/{course}/cohort").text
    assert "a supervision packet, shared" in page
    gone = lee.post(f"/courses/{course}/deadlines/{listed[0]['id']}/delete")
    assert gone.status_code == 200 and "Deadline removed." in gone.text
    assert world.api("Lee").get(f"/api/v1/courses/{course}/deadlines").json() == []


ROUTES = [
    ("GET", "/courses/{c}/cohort"),
    ("GET", "/courses/{c}/cohort.csv"),
    ("GET", "/api/v1/courses/{c}/cohort"),
    ("GET", "/api/v1/courses/{c}/deadlines"),
    ("POST", "/api/v1/courses/{c}/deadlines"),
    ("POST", "/courses/{c}/deadlines"),
    ("DELETE", "/api/v1/courses/{c}/deadlines/{d}"),
    ("POST", "/courses/{c}/deadlines/{d}/delete"),
]


@pytest.mark.parametrize(
    "who,allowed",
    [
        ("Lee", True),  # the course's lead
        ("Ada", True),  # an admin
        ("Tom", False),  # a trainee of the course
        ("Sam", False),  # a supervisor of the course
        ("Lena", False),  # the lead of another course
        ("Otto", False),  # a supervisor of another course
        (None, False),  # nobody signed in
    ],
)
def test_only_the_courses_lead_and_admins_see_its_cohort(world, who, allowed):
    course = world.courses["A"]
    share(world, "Tom", "Sam", "entry", "Reflection of 3 Dec", SECRET)
    made = world.api("Lee").post(
        f"/api/v1/courses/{course}/deadlines",
        json={"title": "Kept", "kind": "entry", "due_on": str(TODAY + timedelta(days=5))},
    )
    deadline = made.json()["id"]
    client = world.client(who)
    never = str(uuid.uuid4())
    outcomes = []
    for method, path in ROUTES:
        if method in ("DELETE",) or path.endswith("/delete"):
            continue  # below, so that the deadline stays for the other routes
        url = path.replace("{c}", course).replace("{d}", deadline)
        kwargs: dict = {}
        if method == "POST":
            body = {"title": "Sneaky", "kind": "entry", "due_on": str(TODAY + timedelta(days=9))}
            kwargs = {"json": body} if url.startswith("/api/") else {"data": body}
        response = client.request(method, url, follow_redirects=False, **kwargs)
        outcomes.append((method, path, response.status_code))
        assert "tess@example.org" not in response.text or allowed
        # A course that does not exist answers exactly the same to those refused.
        if not allowed:
            missing = client.request(
                method, url.replace(course, never), follow_redirects=False, **kwargs
            )
            assert (missing.status_code, missing.text) == (response.status_code, response.text)
    for method, path in ROUTES:
        if method == "DELETE" or path.endswith("/delete"):
            url = path.replace("{c}", course).replace("{d}", deadline)
            response = client.request(method, url, follow_redirects=False)
            outcomes.append((method, path, response.status_code))
    if allowed:
        assert [code for _, _, code in outcomes] == [200, 200, 200, 200, 201, 303, 200, 404]
    else:
        # Nobody signed in who opens a page goes to the sign-in page (for any course id).
        expected = [
            303 if who is None and m == "GET" and not p.startswith("/api/") else 404
            for m, p, _ in outcomes
        ]
        assert [code for _, _, code in outcomes] == expected, outcomes
        with reading(world.engine) as conn:
            assert conn.execute(select(func.count()).select_from(deadline_rows)).scalar() == 1


def test_each_lead_sees_their_own_course_and_the_home_page_links_it(world):
    share(world, "Bea", "Otto", "entry", "In cohort B", "Words.")
    lena = world.client("Lena")
    data = lena.get(f"/api/v1/courses/{world.courses['B']}/cohort").json()
    assert [t["name"] for t in data["trainees"]] == ["Bea"]
    assert lena.get(f"/api/v1/courses/{world.courses['A']}/cohort").status_code == 404
    assert f"/courses/{world.courses['B']}/cohort" in lena.get("/").text
    assert f"/courses/{world.courses['A']}/cohort" not in lena.get("/").text
    assert "/cohort" not in world.client("Tom").get("/").text
    admin_home = world.client("Ada").get("/").text
    assert all(f"/courses/{c}/cohort" in admin_home for c in world.courses.values())


def test_every_look_at_a_cohort_is_in_the_audit_log(world):
    course = world.courses["A"]
    world.client("Lee").get(f"/courses/{course}/cohort")
    world.client("Lee").get(f"/courses/{course}/cohort.csv")
    world.client("Tom").get(f"/courses/{course}/cohort")
    with reading(world.engine) as conn:
        rows = conn.execute(
            select(audit.c.actor_id, audit.c.action, audit.c.outcome).where(
                audit.c.action.like("cohort.%")
            )
        ).all()
    assert sorted(rows) == sorted(
        [
            (world.ids["Lee"], "cohort.read", "ok"),
            (world.ids["Lee"], "cohort.csv", "ok"),
            (world.ids["Tom"], "cohort.read", "refused"),
        ]
    )


def test_the_csv_is_metadata_only_and_safe_to_open_in_a_spreadsheet(world, monkeypatch):
    course = world.courses["A"]
    set_deadlines(world)
    world.member('=HYPERLINK("http://evil.example","x")', "A", "trainee")
    world.member("+Plus", "A", "trainee")
    share(world, "Tom", "Sam", "entry", "=cmd|' /C calc'!A0", SECRET)
    body = practice_body(monkeypatch, 3, ["2026-11-23"], {"reflection": [0.5]})
    share(world, "Tom", "Sam", "practice", "Practice progress", body)
    response = world.client("Lee").get(f"/courses/{course}/cohort.csv")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert response.headers["content-disposition"] == (
        f'attachment; filename="cohort-cohort-a-{TODAY.isoformat()}.csv"'
    )
    assert SECRET not in response.text and "calc" not in response.text
    rows = list(csv.reader(io.StringIO(response.text)))
    header, body_rows = rows[0], rows[1:]
    assert header[:3] == ["trainee", "email", "on track"]
    assert "First reflection signed off (due " + str(TODAY + timedelta(days=14)) + ")" in header
    cells = [c for row in body_rows for c in row]
    assert not [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r")]
    names = [r[0] for r in body_rows]
    assert '\'=HYPERLINK("http://evil.example","x")' in names and "'+Plus" in names
    tom = dict(zip(header, next(r for r in body_rows if r[0] == "Tom"), strict=True))
    assert tom["reflections shared"] == "1" and tom["practice responses"] == "3"
    assert tom["practice: Reflections (overall)"] == "50%"  # as Tom reads it himself
    assert tom["Practice progress shared (due " + str(TODAY + timedelta(days=7)) + ")"] == (
        "met " + TODAY.isoformat()
    )


@pytest.mark.parametrize(
    "value,safe",
    [
        ("=1+2", "'=1+2"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tTab", "'\tTab"),
        ("Plain", "Plain"),
        (3, 3),
        (0.5, 0.5),
        (None, ""),
        (True, "yes"),
    ],
)
def test_csv_cells_never_start_a_formula(value, safe):
    assert cohort.cell(value) == safe


def test_practice_figures_are_read_from_what_the_local_app_sends(monkeypatch):
    body = practice_body(
        monkeypatch,
        12,
        ["2026-11-09", "2026-11-16", "2026-11-23"],
        {
            "emotional_reactions": [0.0, 0.5, 1.0],
            "interpretations": [0.25, 0.25, 0.75],
            "reflection": [0.0, 0.333, 0.5],
        },
    )
    figures = cohort.practice_figures(body)
    assert figures is not None
    assert figures.attempts == 12
    assert figures.weeks == ["2026-11-09", "2026-11-16", "2026-11-23"]
    assert figures.per_week["interpretations"] == [0.25, 0.25, 0.75]
    assert figures.overall["reflection"] == pytest.approx(0.28, abs=0.01)
    # Anything else is not practice figures, and nothing out of range is believed.
    assert cohort.practice_figures("Dear supervisor, 3 practice sessions") is None
    assert cohort.practice_figures("") is None
    odd = "2 practice responses over 1 week\n\n| dimension | week of 2026-11-23 | overall |\n"
    odd += "| --- | ---: | ---: |\n| reflection | 7.5 | 0.5 |\n| <b>x</b> | 0.1 | 0.1 |\n"
    parsed = cohort.practice_figures(odd)
    assert parsed is not None and parsed.per_week == {"reflection": [None]}


def test_a_trainee_is_told_before_sharing_that_the_lead_sees_practice_figures(monkeypatch):
    body = practice_body(monkeypatch, 2, ["2026-11-23"], {"reflection": [0.5]})
    assert "also appear in the course lead's overview" in body
    assert cohort.practice_figures(body) is not None


def test_the_cohort_is_worked_out_again_only_when_something_in_it_changes(world, monkeypatch):
    """Lee looks at the cohort many times a day; the figures are kept between looks and
    worked out afresh the moment anything they show changes, whatever made the change."""
    from attunement.server import accounts
    from attunement.server.db import now
    from attunement.server.schema import course_changes, shares, users

    course = world.courses["A"]
    lee = world.api("Lee")
    worked_out = []
    gather = cohort._gather
    monkeypatch.setattr(cohort, "_gather", lambda *args: worked_out.append(1) or gather(*args))

    def look() -> dict:
        response = lee.get(f"/api/v1/courses/{course}/cohort")
        assert response.status_code == 200, response.text
        return {t["name"]: t for t in response.json()["trainees"]}

    first = look()
    assert look() == first and len(worked_out) == 1  # nothing changed: kept

    reflection = share(world, "Tom", "Sam", "entry", "Week one", "What I noticed.")
    assert look()["Tom"]["shared"]["entry"] == first["Tom"]["shared"]["entry"] + 1
    sign_off(world, "Sam", reflection)
    assert look()["Tom"]["items"][-1]["status"] == "signed off"
    set_deadlines(world)
    assert look()["Tom"]["deadlines"]
    page = world.client("Lee").get(f"/courses/{course}/cohort").text
    assert "Tess<" in page and "Tessa" not in page
    with world.engine.begin() as conn:  # a rename straight in the database still counts
        conn.execute(users.update().where(users.c.id == world.ids["Tess"]).values(name="Tessa"))
    assert "Tessa" in look()
    assert "Tessa" in world.client("Lee").get(f"/courses/{course}/cohort").text  # and the page
    accounts.set_suspended(world.engine, world.actor("Ada")[0], world.ids["Tom"], True)
    assert look()["Tom"]["suspended"] is True
    lapsing = share(world, "Tess", "Sue", "entry", "Soon gone", "Words.")
    soon = now() + timedelta(minutes=5)
    with world.engine.begin() as conn:
        conn.execute(shares.update().where(shares.c.id == lapsing).values(expires_at=soon))
    count = look()["Tessa"]["shared"]["entry"]
    # Nothing is written when a share's expiry passes: the kept figures end with it.
    monkeypatch.setattr(cohort, "now", lambda: soon + timedelta(seconds=1))
    assert look()["Tessa"]["shared"]["entry"] == count - 1
    looks = len(worked_out)
    look()
    assert len(worked_out) == looks  # and are kept again

    # The minute's sweep folds the course's change rows into one: the stamp stays, and so
    # do the kept figures, until the next change.
    monkeypatch.setattr(cohort, "FOLD_AT", 1)
    assert cohort.fold_course_changes(world.engine) > 1
    with reading(world.engine) as conn:
        rows = conn.execute(
            select(func.count()).where(course_changes.c.course_id == course)
        ).scalar()
    assert rows == 1
    look()
    assert len(worked_out) == looks
    share(world, "Tess", "Sue", "entry", "Week two", "More.")
    assert look()["Tessa"]["shared"]["entry"] == count
    with reading(world.engine) as conn:
        assert conn.execute(select(func.count()).select_from(audit)).scalar() >= 10
