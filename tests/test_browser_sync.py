"""Comments come home, in real headless Chromium: Sam comments on a passage of Tom's
shared entry and signs it off on the team server; Tom presses Sync now on the Team
server page and reads it all under his entry; after he edits the entry, the page says
it changed since he shared it and offers to share the new version. axe-core finds no
WCAG 2.2 AA problem, at 1280 px and 390 px. Screenshots go to
test-output/screenshots/local-entry-feedback-*.png and local-server-synced-*.png."""

from __future__ import annotations

import pytest

from attunement.core.journal import Journal

from .browsing import check_everywhere, needs_chromium
from .sync_world import signed_in
from .test_browser import start_server  # noqa: F401
from .test_web_sharing import team  # noqa: F401 - the team server fixture

playwright = pytest.importorskip("playwright.sync_api")
pytestmark = needs_chromium


def test_tom_reads_sams_comments_and_sign_off_under_his_entry(team, browser, data_dir):  # noqa: F811 - team is a fixture
    world, team_url = team
    attune = signed_in(data_dir, team_url)
    with Journal.open(data_dir) as journal:
        entry = journal.write(
            "I noticed the urge to fix rising, and I waited a breath.", title="A breath"
        )
    sent = attune.json("share", "entry", entry.id, "--to", "Sam", "--yes")
    sam = world.api("Sam")
    sam.post(
        f"/api/v1/shares/{sent['id']}/comments",
        json={"body": "What did the breath make room for?", "quote": "I waited a breath"},
    )
    digest = sam.get(f"/api/v1/shares/{sent['id']}").json()["shown"]["sha256"]
    sam.post(f"/api/v1/shares/{sent['id']}/signoff", json={"revision": 1, "sha256": digest})

    base, stop = start_server(data_dir)
    try:
        page = browser.new_context(bypass_csp=True).new_page()
        page.goto(base + "/server")
        page.get_by_role("button", name="Sync now").click()
        said = page.get_by_role("status").first.inner_text()
        # The app may already have brought it home by itself, in the background.
        assert "from Sam on 1 entry" in said or "Nothing new" in said
        assert "Last synced" in page.locator("#sync-status").inner_text()
        check_everywhere(page, "local-server-synced")

        page.goto(f"{base}/entries/{entry.id}")
        section = page.get_by_role("region", name="From your supervisor")
        assert "What did the breath make room for?" in section.inner_text()
        assert "Signed off by Sam" in section.inner_text()
        check_everywhere(page, "local-entry-feedback")

        with Journal.open(data_dir) as journal:
            journal.edit(entry.id, body=entry.body + " Then I asked what she needed.")
        page.goto(f"{base}/entries/{entry.id}")
        assert "Changed since you shared it" in section.inner_text()
        page.get_by_role("link", name="Share the new version").click()
        assert "Then I asked what she needed." in page.locator("article.shared").inner_text()
        check_everywhere(page, "local-share-new-version")
    finally:
        stop()
