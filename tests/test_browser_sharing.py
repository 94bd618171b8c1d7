"""The Server page and the Share form in real headless Chromium: Tom signs in, shares an
entry from its Share button, and sees it listed with a Revoke button; axe-core finds no
WCAG 2.2 AA problem on either page, at 1280 px and 390 px, and nothing scrolls sideways.
Screenshots go to test-output/screenshots/local-server-*.png and local-share-*.png."""

from __future__ import annotations

import pytest

from attunement.core.journal import Journal

from .browsing import check_everywhere as check_at_both_widths
from .browsing import needs_chromium
from .server_world import PASSWORD
from .test_browser import start_server  # noqa: F401
from .test_web_sharing import team  # noqa: F401 - the team server fixture

playwright = pytest.importorskip("playwright.sync_api")
pytestmark = needs_chromium


def check_everywhere(page, name: str) -> None:
    check_at_both_widths(page, f"local-{name}")


def test_tom_signs_in_and_shares_from_the_browser(team, browser, data_dir):  # noqa: F811 - team is a fixture
    world, team_url = team
    with Journal.open(data_dir) as journal:
        entry = journal.write(
            "Sat with Amara Okafor after the scan. I noticed the urge to fix rising.\n\n"
            "**Next time** I will wait a breath before speaking.",
            title="After the scan",
        )
    base, stop = start_server(data_dir)
    try:
        page = browser.new_context(bypass_csp=True).new_page()
        page.goto(base + "/settings")
        page.get_by_role("link", name="Sign in, and see what you have shared").click()
        check_everywhere(page, "server-signin")
        page.get_by_label("The server's address").fill(team_url)
        page.get_by_label("Your e-mail address on the server").fill("tom@example.org")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        assert "Signed in to" in page.get_by_role("status").first.inner_text()

        page.goto(f"{base}/entries/{entry.id}")
        page.get_by_role("link", name="Share", exact=True).click()
        assert page.get_by_text("[Client A]").first.is_visible()
        assert "Amara" not in page.locator("article.shared").inner_text()
        check_everywhere(page, "share")
        page.get_by_label("Share with").select_option(label="Sam (supervisor, Cohort A)")
        page.get_by_role("button", name="Send to the team server").click()
        assert "with Sam (version 1)" in page.get_by_role("status").first.inner_text()
        assert page.get_by_role("button", name="Revoke After the scan (shared with Sam)")
        check_everywhere(page, "server-shares")
        page.get_by_role("button", name="Revoke After the scan (shared with Sam)").click()
        assert "Revoked" in page.get_by_role("status").first.inner_text()
        assert world.api("Tom").get("/api/v1/shares").json() == []
    finally:
        stop()
