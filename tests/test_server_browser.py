"""The team server in real headless Chromium: a trainee shares an entry from her own
computer, her supervisor signs in, comments on a passage and signs off, and she sees the
sign-off. axe-core finds no WCAG 2.2 AA problem on any server page, at 1280 px and 390 px.
Screenshots go to test-output/screenshots/server-*.png."""

from __future__ import annotations

import threading
import time

import pytest

from .browsing import check_everywhere as check_at_both_widths
from .browsing import needs_chromium
from .conftest import Attune, free_port
from .server_world import PASSWORD, build_world

playwright = pytest.importorskip("playwright.sync_api")
pytestmark = needs_chromium


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    import uvicorn

    tmp = tmp_path_factory.mktemp("server-browser")
    world = build_world(tmp)
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(
            world.app, host="127.0.0.1", port=port, log_level="warning", access_log=False
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    yield world, f"http://127.0.0.1:{port}", tmp
    server.should_exit = True
    thread.join(timeout=10)


def check_everywhere(page, name: str) -> None:
    check_at_both_widths(page, f"server-{name}")


def sign_in(page, base: str, email: str) -> None:
    page.goto(base + "/signin")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(base + "/")


def test_a_supervisor_comments_and_signs_off_and_the_trainee_sees_it(served, browser):
    world, base, tmp = served
    # Tom shares an entry from his own computer, through the CLI.
    from attunement.core.journal import Journal

    data_dir = tmp / "toms-journal"
    with Journal.open(data_dir) as journal:
        entry = journal.write(
            "Sat with Amara Okafor after the scan. I noticed the urge to fix rising.\n\n"
            "**Next time** I will wait a breath before speaking.",
            title="After the scan",
        )
    attune = Attune(data_dir)
    attune("server", "login", base, "--email", "tom@example.org", input=PASSWORD + "\n")
    attune("share", "entry", entry.id, "--to", "sam@example.org", "--yes")

    # Sam signs in, finds it in his inbox, comments on a passage and signs off.
    sam = browser.new_context(bypass_csp=True).new_page()
    sign_in(sam, base, "sam@example.org")
    check_everywhere(sam, "inbox")
    sam.get_by_role("link", name="After the scan").click()
    assert sam.get_by_text("I noticed the urge to fix rising.").is_visible()
    assert sam.locator("article strong").inner_text() == "Next time"  # Markdown rendered
    assert "Amara" not in sam.content()  # redacted on Tom's computer
    check_everywhere(sam, "share-reader")
    sam.get_by_label("Passage you are responding to").fill("the urge to fix")
    sam.get_by_label("Comment", exact=True).fill("What did the urge feel like in your body?")
    sam.get_by_role("button", name="Add comment").click()
    assert sam.get_by_role("status").inner_text() == "Your comment was added."
    assert sam.locator("blockquote").last.inner_text() == "the urge to fix"
    sam.get_by_role("button", name="Sign off version 1").click()
    assert "Signed off. The trainee sees your sign-off." in sam.get_by_role("status").inner_text()
    assert sam.get_by_role("button", name="Sign off version 1").count() == 0, "signed: not again"
    check_everywhere(sam, "share-signed")
    for path, name in (("/account", "account"), ("/audit", "activity")):
        sam.goto(base + path)
        check_everywhere(sam, name)
    sam.goto(base + "/shares/00000000-0000-0000-0000-000000000000")
    check_everywhere(sam, "not-found")

    # Tom sees the comment, the sign-off and that Sam opened it; he replies.
    tom = browser.new_context(bypass_csp=True).new_page()
    sign_in(tom, base, "tom@example.org")
    assert "signed off" in tom.locator("table").inner_text()
    tom.get_by_role("link", name="After the scan", exact=True).click()
    assert tom.get_by_text("Signed off by Sam").is_visible()
    assert "Sam opened version 1" in tom.content()
    tom.locator("summary").first.click()  # "Reply to Sam"
    tom.get_by_label("Your reply").fill("Tight, like holding my breath.")
    tom.get_by_role("button", name="Reply", exact=True).click()
    assert tom.locator(".depth-1 .body").inner_text() == "Tight, like holding my breath."
    check_everywhere(tom, "share-owner")

    # The admin's pages, and a sign-in page with an error.
    ada = browser.new_context(bypass_csp=True).new_page()
    sign_in(ada, base, "ada@example.org")
    ada.goto(base + "/admin")
    check_everywhere(ada, "admin")
    ada.get_by_role("button", name="Make an invitation link").first.click()
    link = ada.locator("code.link").inner_text()
    check_everywhere(ada, "admin-link")
    stranger = browser.new_context(bypass_csp=True).new_page()
    stranger.goto(base + link.removeprefix(world.config.public_url))
    check_everywhere(stranger, "welcome")
    stranger.goto(base + "/signin")
    check_everywhere(stranger, "signin")
    stranger.get_by_label("E-mail address").fill("nobody@example.org")
    stranger.get_by_label("Password").fill("wrong password")
    stranger.get_by_role("button", name="Sign in").click()
    assert stranger.get_by_role("alert").is_visible()
    check_everywhere(stranger, "signin-error")


def test_a_course_lead_reads_the_cohort_page_at_both_widths(served, browser, monkeypatch):
    """Lee sets a deadline from the cohort page; with Tess's practice progress and two
    reflections shared, the page (plots, tables, the deadline form with an error) passes
    axe and does not scroll sideways at 1280 px or 390 px; so do Tom's home page with his
    deadlines and Lee's with the courses he leads."""
    import uuid
    from datetime import date, timedelta

    from attunement.practice import service
    from attunement.server.outgoing import practice

    world, base, _tmp = served
    made = service.Progress(
        attempts=9,
        weeks=["2026-11-09", "2026-11-16", "2026-11-23"],
        per_week={
            "emotional_reactions": [0.25, 0.5, 0.75],
            "interpretations": [0.0, 0.25, 0.5],
            "explorations": [0.5, 0.5, 1.0],
            "reflection": [0.33, 0.5, 0.67],
            "no_power_signs": [0.5, 0.75, 1.0],
        },
        overall={"emotional_reactions": 0.5, "interpretations": 0.25, "explorations": 0.67,
                 "reflection": 0.5, "no_power_signs": 0.75},
        themes={},
    )  # fmt: skip
    monkeypatch.setattr(service, "progress", lambda journal: made)
    body = practice(None).body  # type: ignore[arg-type]
    ids = [str(uuid.uuid4()), str(uuid.uuid4())]
    for share_id, (owner, reader, kind, title, text) in zip(
        ids,
        (
            ("Tess", "Sue", "practice", "Practice progress", body),
            ("Tess", "Lee", "entry", "A question for the lead", "Words for Lee."),
        ),
        strict=True,
    ):
        world.api(owner).put(
            f"/api/v1/shares/{share_id}",
            json={"kind": kind, "reader": world.ids[reader], "title": title, "body": text},
        )

    lee = browser.new_context(bypass_csp=True).new_page()
    sign_in(lee, base, "lee@example.org")
    lee.get_by_role("link", name="Cohort A: cohort overview").click()
    lee.get_by_label("Title").fill("First reflection signed off")
    lee.get_by_label("Due by the end of").fill(str(date.today() + timedelta(days=14)))
    lee.get_by_role("button", name="Set deadline").click()
    assert "Deadline set." in lee.get_by_role("status").inner_text()
    assert lee.locator("svg.chart").count() == 5
    assert lee.get_by_role("link", name="Download this overview as CSV").is_visible()
    check_everywhere(lee, "cohort")
    lee.get_by_label("Title").fill("Too late")
    lee.get_by_label("Due by the end of").evaluate("e => e.removeAttribute('min')")
    lee.get_by_label("Due by the end of").fill("2001-01-01")
    lee.get_by_role("button", name="Set deadline").click()
    assert "has passed" in lee.get_by_role("alert").inner_text()
    check_everywhere(lee, "cohort-error")

    tom = browser.new_context(bypass_csp=True).new_page()
    sign_in(tom, base, "tom@example.org")
    assert tom.get_by_role("heading", name="Your deadlines").is_visible()
    check_everywhere(tom, "home-deadlines")
    world.api("Lee").post(f"/api/v1/shares/{ids[1]}/comments", json={"body": "Good question."})
    tess = browser.new_context(bypass_csp=True).new_page()
    sign_in(tess, base, "tess@example.org")
    assert tess.get_by_role("heading", name="For your attention").is_visible()
    check_everywhere(tess, "home-notices")
    lee.goto(base + "/")
    assert lee.get_by_role("heading", name="Courses you lead").is_visible()
    check_everywhere(lee, "home-lead")
