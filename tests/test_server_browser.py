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
    tom.get_by_role("link", name="After the scan").click()
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
    stranger.get_by_label("E-mail address").fill("nobody@example.org")
    stranger.get_by_label("Password").fill("wrong password")
    stranger.get_by_role("button", name="Sign in").click()
    assert stranger.get_by_role("alert").is_visible()
    check_everywhere(stranger, "signin-error")
