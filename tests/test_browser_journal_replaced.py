"""In real headless Chromium: the journal's file is replaced by another program while
the web app has it open, and not a word written in the browser is lost. The other
program is a real second process (tests/test_journal_replaced.py has the rest)."""

from __future__ import annotations

import pytest

from attunement.core.journal import Journal

from .browsing import needs_chromium
from .test_browser import api, check_page, kept_in_tab, start_server
from .test_journal_replaced import PASS, SYNC_TOOL, UNCHECKED_ENCRYPT, other_program

playwright = pytest.importorskip("playwright.sync_api")
pytestmark = needs_chromium


@pytest.fixture
def context(browser):
    # bypass_csp lets check_page inject axe-core; the app's own pages never need it.
    ctx = browser.new_context(viewport={"width": 1100, "height": 900}, bypass_csp=True)
    yield ctx
    ctx.close()


def test_an_entry_sent_just_after_the_journal_was_swapped_waits_in_the_tab(tmp_path, context):
    data, copy = tmp_path / "data", tmp_path / "copy"
    with Journal.open(copy) as journal:
        journal.write("what the other copy holds")
    url, stop = start_server(data)
    try:
        page = context.new_page()
        page.goto(url + "/write")
        page.fill("#title", "Handover")
        page.fill("#body", "Words written while a syncing tool swapped the journal.")
        # A syncing tool puts another copy of the journal in its place; then Save.
        other_program(SYNC_TOOL, copy / "journal.sqlite3", data / "journal.sqlite3")
        page.get_by_role("button", name="Save entry").click()

        # Nothing was saved, the page says why, and the words wait in this tab.
        page.wait_for_selector("[data-words-kept]:not([hidden])")
        assert "The journal was changed by another program" in page.locator("main").inner_text()
        assert "Your words are kept in this tab" in page.locator("#kept-words").inner_text()
        check_page(page, "journal-replaced")
        page.get_by_role("link", name="Open the page again").click()

        # The form's page opens the journal there now, with the words put back.
        page.wait_for_url(url + "/write")
        assert page.locator("#title").input_value() == "Handover"
        words = "Words written while a syncing tool swapped the journal."
        assert page.locator("#body").input_value() == words
        assert (
            "not saved when the journal was changed"
            in page.locator("[data-kept-notice]").inner_text()
        )
        page.get_by_role("button", name="Save entry").click()
        page.wait_for_url("**/entries/*")
        bodies = {e["body"] for e in api(url, "/api/v1/entries")["entries"]}
        assert bodies == {"what the other copy holds", words}
        assert kept_in_tab(page) == []
    finally:
        stop()


def test_words_autosaved_as_the_journal_is_encrypted_underneath_are_saved_after_unlocking(
    tmp_path, context
):
    data = tmp_path / "data"
    url, stop = start_server(data)
    try:
        page = context.new_page()
        page.goto(url + "/write")
        page.locator("#body").type("Part one, autosaved.")
        page.wait_for_function(
            "document.getElementById('autosave-status').textContent.startsWith('Draft saved')"
        )
        # An Attunement that does not check encrypts the journal from a terminal.
        other_program(UNCHECKED_ENCRYPT, data, PASS)
        page.locator("#body").type(" Part two, typed after.")
        alert = page.locator("[data-kept-notice]")
        alert.wait_for(timeout=10_000)
        assert "The journal was changed by another program" in alert.inner_text()
        assert "kept in this tab" in alert.inner_text()
        page.get_by_role("link", name="Reload the page").click()

        # The journal is encrypted now: its passphrase first, then the words are back.
        page.wait_for_url("**/unlock?next=%2Fwrite")
        page.fill("#passphrase", PASS)
        page.keyboard.press("Enter")
        page.wait_for_url(url + "/write")
        words = "Part one, autosaved. Part two, typed after."
        assert page.locator("#body").input_value() == words
        page.get_by_role("button", name="Save entry").click()
        page.wait_for_url("**/entries/*")
    finally:
        stop()
    with Journal.open(data, PASS) as journal:
        assert words in {e.body for e in journal.list_entries()}
