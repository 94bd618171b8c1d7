"""A caregiver's first evening in the web app, in real headless Chromium, with axe-core
checking every page for WCAG 2.2 AA problems. Screenshots go to test-output/screenshots.
"""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.request

import pytest

from .browsing import SHOTS, axe_violations, needs_chromium
from .conftest import free_port

playwright = pytest.importorskip("playwright.sync_api")
PAGES = [
    "/",
    "/write",
    "/journal",
    "/checkin",
    "/practice",
    "/transcripts",
    "/insights",
    "/supervision",
    "/prompts",
    "/settings",
    "/trash",
    "/practice/v01",
    "/entries/nosuch1",
]

pytestmark = needs_chromium


def start_server(data_dir):
    """Serve a journal on a free loopback port in a thread; returns (url, stop)."""
    import uvicorn

    from attunement.web import Settings, create_app

    port = free_port()
    config = uvicorn.Config(
        create_app(Settings(data_dir=data_dir, port=port)),
        host="127.0.0.1",
        port=port,
        log_level="warning",
        access_log=False,
    )
    app_server = uvicorn.Server(config)
    thread = threading.Thread(target=app_server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not app_server.started and time.monotonic() < deadline:
        time.sleep(0.05)

    def stop() -> None:
        app_server.should_exit = True
        thread.join(timeout=10)

    return f"http://127.0.0.1:{port}", stop


@pytest.fixture
def context(browser):
    # bypass_csp lets the test inject axe-core; the app's own pages never need it.
    ctx = browser.new_context(viewport={"width": 1100, "height": 900}, bypass_csp=True)
    yield ctx
    ctx.close()


def api(base: str, path: str):
    with urllib.request.urlopen(base + path) as response:
        return json.load(response)


def check_page(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
    assert axe_violations(page) == [], name


def tab_to(page, predicate: str, limit: int = 60) -> None:
    """Press Tab until the focused element matches a JS predicate on `el`."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"(() => {{ const el = document.activeElement; return {predicate}; }})()"):
            return
    raise AssertionError(f"could not reach {predicate} with the keyboard")


def test_a_new_users_first_evening(server, context):
    page = context.new_page()
    page.goto(server + "/")
    assert page.get_by_role("heading", name="Today's prompt").is_visible()
    check_page(page, "today")

    # Check in with the body map, by keyboard only.
    # Each scale is one row of choices: Tab reaches it, the arrow keys choose.
    page.goto(server + "/checkin")
    tab_to(page, "el.name === 'ease'")
    for _ in range(5):  # from "Skip" round to 0, then up to 4
        page.keyboard.press("ArrowRight")
    assert page.locator("input[name=ease]:checked").get_attribute("value") == "4"
    tab_to(page, "el.name === 'urge_to_fix'")
    for _ in range(3):  # from "Skip" back to 10, 9, 8
        page.keyboard.press("ArrowLeft")
    assert page.locator("input[name=urge_to_fix]:checked").get_attribute("value") == "8"
    tab_to(page, "el.dataset && el.dataset.region === 'chest'")
    page.keyboard.press("Space")
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Shift+Tab")  # back to the throat
    page.keyboard.press("Enter")
    assert page.locator("#body-chosen").inner_text() == "Selected: Throat, Chest"
    tab_to(page, "el.dataset && el.dataset.region === 'upper-back'")  # the figure's back
    page.keyboard.press("Space")
    assert page.locator("#body-chosen").inner_text() == "Selected: Throat, Chest, Upper back"
    page.keyboard.press("Enter")  # and off again
    assert page.locator("#body-chosen").inner_text() == "Selected: Throat, Chest"
    tab_to(page, "el.id === 'note'")
    page.keyboard.type("before the family meeting")
    tab_to(page, "el.type === 'radio' && el.name === 'moment'")
    page.keyboard.press("ArrowLeft")  # from "other" to "after"
    tab_to(page, "el.tagName === 'BUTTON'")
    page.keyboard.press("Enter")
    page.wait_for_url("**/checkin?done=*")
    check_page(page, "checkin")
    saved = api(server, "/api/v1/checkins")["checkins"][0]
    assert (saved["ease"], saved["urge_to_fix"]) == (4, 8)
    assert sorted(saved["body"]) == ["chest", "throat"] and saved["moment"] == "after"

    # Write on a prompt, close the tab mid-draft, and find the draft again.
    page.goto(server + "/write?prompt=aoa-1")
    assert "receiving end" in page.locator("#prompt-text").inner_text()
    page.fill("#title", "After the family meeting")
    page.locator("#body").type("My chest tightened when she cried, and I wanted to fix it. ")
    page.wait_for_function(
        "document.getElementById('autosave-status').textContent.startsWith('Draft saved')",
        timeout=15000,
    )
    check_page(page, "write")
    page.close()
    page = context.new_page()
    page.goto(server + "/write")
    page.get_by_role("link", name="After the family meeting").click()
    assert "I wanted to fix it" in page.locator("#body").input_value()
    assert "Draft restored" in page.locator("#autosave-status").inner_text()
    page.locator("#body").press("End")
    page.locator("#body").type("Later I wondered what she needed. #family")
    page.get_by_role("button", name="Save entry").click()
    page.wait_for_url("**/entries/*?saved=*")
    assert page.locator("mark").count() >= 2
    assert "Noticing your body" in page.locator(".analysis").inner_text()
    check_page(page, "entry")
    entry_url = page.url.split("?")[0]
    assert api(server, "/api/v1/drafts")["drafts"] == []

    # Search and find it.
    page.goto(server + "/journal")
    page.fill("#q", "tightened")
    page.keyboard.press("Enter")
    page.wait_for_selector("#results mark")
    assert "After the family meeting" in page.locator("#results").inner_text()
    check_page(page, "journal")

    # Edit it and see the history.
    page.goto(entry_url)
    page.get_by_role("link", name="Edit").click()
    page.fill("#body", "My chest softened once I slowed down.")
    page.get_by_role("button", name="Save changes").click()
    page.wait_for_url(entry_url + "?saved=*")
    assert "Saved as version 2" in page.locator("main").inner_text()
    page.get_by_role("link", name="Earlier versions (1)").click()
    page.get_by_role("link", name="Version 1").click()
    assert "I wanted to fix it" in page.locator("main").inner_text()
    check_page(page, "history")

    # Delete it and restore it.
    page.goto(entry_url)
    page.get_by_role("button", name="Move to trash").click()
    assert page.get_by_text("This entry is in the trash").is_visible()
    page.get_by_role("button", name="Restore it").click()
    assert page.get_by_text("This entry is in the trash").count() == 0

    # Open Insights, and the rest.
    for name, path in (
        ("insights", "/insights"),
        ("supervision", "/supervision"),
        ("prompts", "/prompts"),
        ("settings", "/settings"),
        ("trash", "/trash"),
    ):
        page.goto(server + path)
        check_page(page, name)


@pytest.mark.parametrize("width", [320, 640])  # 640 CSS px = a 1280 px window at 200% zoom
def test_pages_fit_small_screens_and_zoom(server, browser, width):
    ctx = browser.new_context(viewport={"width": width, "height": 800})
    page = ctx.new_page()
    for path in PAGES:
        page.goto(server + path)
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 1, f"{path} scrolls sideways at {width}px by {overflow}px"
    ctx.close()


def test_dark_mode_and_reduced_motion_pass_axe(server, browser):
    ctx = browser.new_context(color_scheme="dark", reduced_motion="reduce", bypass_csp=True)
    page = ctx.new_page()
    for path in PAGES:
        page.goto(server + path)
        assert axe_violations(page) == [], path
    ctx.close()


def test_a_practice_round_and_a_transcript(server, context, tmp_path):
    page = context.new_page()
    page.goto(server + "/practice")
    check_page(page, "practice")
    page.get_by_text("5", exact=True).first.click()  # one tap on the ease row
    page.get_by_role("button", name="Begin").click()
    page.wait_for_url("**/practice/v*")
    page.fill("#response", "It sounds like this has been so lonely. What has it been like?")
    page.get_by_role("button", name="Get feedback").click()
    page.wait_for_url("**/practice/feedback/*")
    assert page.get_by_text("Done well:").is_visible()
    check_page(page, "practice-feedback")
    attempts = api(server, "/api/v1/practice/progress")["attempts"]
    page.reload()  # post/redirect/get: reloading shows the feedback and sends nothing again
    assert page.get_by_text("Done well:").is_visible()
    assert api(server, "/api/v1/practice/progress")["attempts"] == attempts

    session = tmp_path / "monday.txt"
    session.write_text(
        "Counsellor: What brings you here today?\n"
        "Client: I've been drinking every night since my mum died.\n"
        "Counsellor: It sounds like the evenings are when the loss hits "
        "hardest.\n",
        encoding="utf-8",
    )
    page.goto(server + "/transcripts")
    page.set_input_files("#tr-file", str(session))
    page.fill("#tr-title", "Monday session")
    page.get_by_role("button", name="Import and code").click()
    page.wait_for_url("**/transcripts/*")
    assert page.get_by_role("heading", name="Monday session").is_visible()
    assert "for each question asked" in page.locator("main").inner_text()
    check_page(page, "transcript")


def test_a_supervision_packet_is_previewed_redacted(server, context):
    page = context.new_page()
    made = page.request.post(
        server + "/api/v1/entries",
        data={"body": "Sat with Thandiwe Mokoena on the ward. I wanted to fix it for her."},
    )
    assert made.status == 201
    page.goto(server + "/supervision")
    page.get_by_label("Thandiwe", exact=False).first.check()
    page.fill("#sp-questions", "How do I stay with Thandiwe without fixing?")
    page.get_by_role("button", name="Preview").click()
    preview = page.locator("section.packet").inner_text()
    assert "How do I stay with [Client A] without fixing?" in preview
    assert "Thandiwe" not in preview and "Mokoena" not in preview
    check_page(page, "supervision-preview")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    url, stop = start_server(tmp_path_factory.mktemp("browser") / "data")
    yield url
    stop()


def test_an_encrypted_journal_opens_on_an_accessible_unlock_page(tmp_path, context):
    from attunement.core.journal import Journal

    data = tmp_path / "data"
    with Journal.create_encrypted(data, "correct horse battery staple") as journal:
        journal.write("Behind the passphrase")
    url, stop = start_server(data)
    try:
        page = context.new_page()
        page.goto(url + "/journal")
        page.wait_for_url("**/unlock?next=%2Fjournal")
        check_page(page, "unlock")
        page.fill("#passphrase", "correct horse battery staple")
        page.keyboard.press("Enter")
        page.wait_for_url(url + "/journal")  # back to the page asked for
        assert "Behind the passphrase" in page.locator("main").inner_text()
        page.get_by_role("button", name="Lock").click()
        page.wait_for_url("**/unlock")
    finally:
        stop()


def lock_now(base: str) -> None:
    """What `attune lock` does: the journal locks, wherever the person is."""
    request = urllib.request.Request(base + "/api/v1/lock", method="POST")
    with urllib.request.urlopen(request) as response:
        assert json.load(response) == {"locked": True}


def kept_in_tab(page) -> list[str]:
    return page.evaluate(
        "Object.keys(sessionStorage).filter(k => k.startsWith('attune:'))"
        " .concat(Object.keys(localStorage))"
    )


def test_words_written_as_the_journal_locks_are_all_saved_after_unlocking(tmp_path, context):
    from attunement.core.journal import Journal

    passphrase = "correct horse battery staple"
    data = tmp_path / "data"
    Journal.create_encrypted(data, passphrase).close()
    url, stop = start_server(data)
    try:
        page = context.new_page()
        page.goto(url + "/write")
        page.wait_for_url("**/unlock?next=%2Fwrite")
        page.fill("#passphrase", passphrase)
        page.keyboard.press("Enter")
        page.wait_for_url(url + "/write")

        # Part one is autosaved; then the journal locks while the writer goes on.
        page.fill("#title", "The long shift")
        page.locator("#body").type("Part one, before the lock.")
        page.wait_for_function(
            "document.getElementById('autosave-status').textContent.startsWith('Draft saved')"
        )
        lock_now(url)
        page.locator("#body").type(" Part two, typed while locked.")
        alert = page.locator("[data-kept-notice]")
        alert.wait_for(timeout=10_000)
        assert "Your journal locked; your words are kept in this tab." in alert.inner_text()
        assert alert.get_by_role("link").get_attribute("href") == "/unlock?next=%2Fwrite"
        page.locator("#body").type(" Part three, just before Save.")  # before any autosave
        page.get_by_role("button", name="Save entry").click()

        # The unlock page says the words are kept, and leads back to the form.
        page.wait_for_url("**/unlock?next=%2Fwrite")
        assert "your words are kept in this tab" in page.locator("#kept-words").inner_text()
        check_page(page, "unlock-words-kept")
        assert api_status(url, "/api/v1/entries") == 423
        page.fill("#passphrase", passphrase)
        page.keyboard.press("Enter")
        page.wait_for_url(url + "/write")
        words = (
            "Part one, before the lock. Part two, typed while locked. Part three, just before Save."
        )
        assert page.locator("#body").input_value() == words
        assert page.locator("#title").input_value() == "The long shift"
        assert "are back in this form" in page.locator("[data-kept-notice]").inner_text()
        check_page(page, "write-words-restored")
        page.get_by_role("button", name="Save entry").click()
        page.wait_for_url("**/entries/*")
        entries = api(url, "/api/v1/entries")["entries"]
        assert [(e["title"], e["body"]) for e in entries] == [("The long shift", words)]
        assert api(url, "/api/v1/drafts")["drafts"] == []  # the draft became the entry
        assert kept_in_tab(page) == []  # saved, so no longer kept in the tab

        # A check-in open when the journal locks is kept the same way.
        page.goto(url + "/checkin")
        page.locator("label[for=s-ease-3]").click()
        page.locator("[data-region=chest]").click()
        page.fill("#note", "tight chest after the call")
        page.locator("input[name=moment][value=after]").check()
        lock_now(url)
        page.get_by_role("button", name="Check in").click()
        page.wait_for_url("**/unlock?next=%2Fcheckin")
        assert "your words are kept in this tab" in page.locator("#kept-words").inner_text()
        page.fill("#passphrase", passphrase)
        page.keyboard.press("Enter")
        page.wait_for_url(url + "/checkin")
        assert page.locator("#note").input_value() == "tight chest after the call"
        assert page.locator("#body-chosen").inner_text() == "Selected: Chest"
        page.get_by_role("button", name="Check in").click()
        page.wait_for_url("**/checkin?done=*")
        saved = api(url, "/api/v1/checkins")["checkins"]
        assert [(c["ease"], c["body"], c["note"], c["moment"]) for c in saved] == [
            (3, ["chest"], "tight chest after the call", "after")
        ]
        assert kept_in_tab(page) == []
    finally:
        stop()


def api_status(base: str, path: str) -> int:
    try:
        with urllib.request.urlopen(base + path) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)


CHART_TEXT_MIN_PX = 11  # the smallest a chart's words may be drawn on a phone


def smallest_chart_text(page) -> float:
    """The smallest rendered size, in CSS px, of any word in an SVG chart on the page."""
    return page.evaluate(
        """() => Math.min(1000, ...[...document.querySelectorAll('svg.chart text')].map(t => {
            const svg = t.ownerSVGElement;
            const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
            return parseFloat(getComputedStyle(t).fontSize) * scale;
        }))"""
    )


@pytest.mark.parametrize("width", [1280, 390])
def test_a_caregiver_at_a_wide_screen_and_on_a_phone(server, browser, width):
    """Every page at a laptop's and a phone's width: no 404s (the icon is there), the
    menu on one line at 1280 px, one-tap scales and the body map by touch, the preview
    beside the form on a wide screen, a scroll cue on a phone, readable charts, and the
    entry shown once with visible marks. Screenshots are saved for each page."""
    for day in range(3):
        page_checkin = {"ease": 3 + day, "fatigue": 6, "body": ["chest"], "moment": "before"}
        urllib.request.urlopen(
            urllib.request.Request(
                server + "/api/v1/checkins",
                data=json.dumps(page_checkin).encode(),
                headers={"content-type": "application/json"},
            )
        )
    ctx = browser.new_context(viewport={"width": width, "height": 900}, bypass_csp=True)
    page = ctx.new_page()
    missing: list[str] = []
    page.on("response", lambda r: missing.append(r.url) if r.status == 404 else None)
    for path in PAGES[:-1]:  # the last is the not-found page itself
        page.goto(server + path)
        name = (path.strip("/").replace("/", "-") or "today") + f"-{width}"
        check_page(page, name)
    assert missing == [], f"not found: {missing}"

    page.goto(server + "/")
    tops = page.eval_on_selector_all("header nav li", "els => els.map(e => e.offsetTop)")
    if width >= 1280:
        assert len(set(tops)) == 1, "the menu wraps at 1280 px"

    # One tap per scale, and the body map by touch, front and back.
    page.goto(server + "/checkin")
    page.locator("label[for=s-ease-7]").click()
    page.locator("[data-region=chest]").click()
    page.locator("[data-region=lower-back]").click()
    assert page.locator("input[name=ease]:checked").get_attribute("value") == "7"
    assert page.locator("#body-chosen").inner_text() == "Selected: Chest, Lower back"
    box = page.locator("label[for=s-ease-7]").bounding_box()
    assert box["width"] >= 24 and box["height"] >= 24  # WCAG 2.2 target size
    scroller = page.locator(".table-scroll").first
    overflows = scroller.evaluate("el => el.scrollWidth > el.clientWidth")
    cue = page.locator(".scroll-cue").first
    if width < 600:
        assert overflows and cue.is_visible(), "no cue that the table scrolls sideways"
    else:
        assert not cue.is_visible()
    check_page(page, f"checkin-chosen-{width}")

    # The Write preview: beside the form on a wide screen, under it on a phone.
    page.goto(server + "/write")
    page.locator("#body").type("**Noticing** my breath.")
    page.wait_for_selector("#preview strong")
    form, preview = page.locator("#body").bounding_box(), page.locator("#preview").bounding_box()
    if width >= 1280:
        assert preview["x"] > form["x"] + form["width"], "the preview is not beside the form"
    else:
        assert preview["y"] > form["y"] + form["height"]
    check_page(page, f"write-preview-{width}")

    # An entry is shown once, its marks visible (not faint), with a legend.
    made = page.request.post(
        server + "/api/v1/entries",
        data={"body": "My chest tightened when she cried, and I wanted to fix it."},
    ).json()
    page.goto(server + f"/entries/{made['id']}")
    assert page.locator("main").inner_text().count("when she cried") == 1
    mark = page.locator("article mark").first
    assert mark.evaluate("m => getComputedStyle(m).borderBottomWidth") == "3px"
    assert page.locator("ul.legend").is_visible()
    check_page(page, f"entry-{width}")

    # Charts readable on this screen; date fields styled like the others.
    for path in ("/insights", "/practice"):
        page.goto(server + path)
        if page.locator("svg.chart").count():
            assert smallest_chart_text(page) >= (CHART_TEXT_MIN_PX if width < 600 else 12), path
    page.goto(server + "/supervision")
    radius = page.locator("#sp-since").evaluate("e => getComputedStyle(e).borderRadius")
    assert radius == page.locator("#sp-tag").evaluate("e => getComputedStyle(e).borderRadius")
    # Each entry to take is a target a thumb can hit (WCAG 2.2: at least 24 px).
    box = page.locator("ul.choices input[type=checkbox]").first.bounding_box()
    assert box["width"] >= 24 and box["height"] >= 24
    check_page(page, f"supervision-{width}")

    # Before- and after-session check-ins are two lines, never one zig-zag, with a key.
    urllib.request.urlopen(
        urllib.request.Request(
            server + "/api/v1/checkins",
            data=json.dumps({"ease": 8, "moment": "after"}).encode(),
            headers={"content-type": "application/json"},
        )
    )
    page.goto(server + "/insights")
    ease = page.locator("figure", has_text="Ease").first
    before = ease.locator("svg.chart.line circle.dot.before").count()
    assert before >= 3 and ease.locator("svg.chart.line circle.dot.after").count() >= 1
    joined = ease.locator("svg.chart.line polyline.series.before").get_attribute("points")
    assert len(joined.split()) == before  # the before line joins before-session dots only
    assert "Before a session" in ease.locator("ul.chart-key").inner_text()
    signs = page.locator("section[aria-labelledby=ins-markers] .barlist .count")
    assert all(c.endswith(("entry", "entries")) for c in signs.all_inner_texts())
    check_page(page, f"insights-moments-{width}")

    # The practice progress table fits a laptop's width without scrolling sideways.
    page.request.post(
        server + "/api/v1/practice/respond",
        data={"vignette_id": "v01", "response": "It sounds as if you feel alone with this."},
    )
    page.goto(server + "/practice")
    progress = page.locator("section[aria-labelledby=progress-title] .table-scroll")
    if width >= 1280:
        assert not progress.evaluate("el => el.scrollWidth > el.clientWidth")
    check_page(page, f"practice-progress-{width}")
    ctx.close()


def test_charts_are_readable_at_320_px(server, browser):
    ctx = browser.new_context(viewport={"width": 320, "height": 800})
    page = ctx.new_page()
    for path in ("/insights", "/practice"):
        page.goto(server + path)
        if page.locator("svg.chart").count():
            assert smallest_chart_text(page) >= CHART_TEXT_MIN_PX, path
    ctx.close()


def test_an_empty_journal_is_welcomed_in_one_sentence(tmp_path, browser):
    url, stop = start_server(tmp_path / "empty")
    try:
        for scheme in ("light", "dark"):
            ctx = browser.new_context(color_scheme=scheme, bypass_csp=True)
            page = ctx.new_page()
            page.goto(url + "/insights")
            assert page.locator("svg.chart").count() == 0
            assert "Nothing to show yet" in page.locator("main").inner_text()
            check_page(page, f"insights-empty-{scheme}")
            ctx.close()
    finally:
        stop()


def chart_text_sizes(page, selector: str) -> list[float]:
    """The rendered sizes, in CSS px, of the words in the SVG charts matching a selector."""
    return page.evaluate(
        """sel => [...document.querySelectorAll(sel + ' text')].map(t => {
            const svg = t.ownerSVGElement;
            const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
            return parseFloat(getComputedStyle(t).fontSize) * scale;
        })""",
        selector,
    )


@pytest.mark.parametrize("turns", [4, 60, 450])
def test_a_transcripts_timeline_reads_the_same_short_or_long(server, browser, turns):
    """A session's timeline keeps its letters at one readable size on a phone: a short
    session is not blown up to fill the page, a long one is not shrunk to fit it; a long
    one scrolls sideways inside its own region, never the page. A session longer than a
    page of turns (200) draws that page's turns, beside a table of the whole session part
    by part that fits the phone's width."""
    lines = "".join(
        f"Nurse: What was the night like, number {i}?\nClient: Long. I could not sleep.\n"
        for i in range(turns // 2)
    )
    ctx = browser.new_context(viewport={"width": 390, "height": 800}, bypass_csp=True)
    page = ctx.new_page()
    made = page.request.post(
        server + "/api/v1/transcripts",
        multipart={
            "file": {"name": "night.txt", "mimeType": "text/plain", "buffer": lines.encode()},
            "title": f"Night of {turns} turns",
        },
    )
    assert made.ok, made.text()
    page.goto(server + f"/transcripts/{made.json()['id']}")
    shown = min(turns, 200)
    sizes = chart_text_sizes(page, "svg.timeline")
    assert len(sizes) == shown + 2  # a letter a turn, and the two rows' names
    assert CHART_TEXT_MIN_PX <= min(sizes) and max(sizes) <= 18, (min(sizes), max(sizes))
    assert page.evaluate("document.documentElement.scrollWidth <= innerWidth")
    region = page.get_by_role("region", name="Turn by turn")
    overflows = region.evaluate("el => el.scrollWidth > el.clientWidth")
    assert overflows == (shown > 20)
    assert page.locator(".scroll-cue").is_visible() == (shown > 20)
    parts = page.get_by_role("region", name="The session part by part")
    assert parts.count() == (turns > 200)
    if turns > 200:
        assert not parts.evaluate("el => el.scrollWidth > el.clientWidth"), "fits a phone"
    check_page(page, f"transcript-{turns}-turns-390")
    ctx.close()


def test_long_words_links_and_searches_wrap_on_a_laptop_and_a_phone(tmp_path, browser):
    """A pasted link of 280 characters, a word of 270 letters and a search of 3,000: the
    supervision packet's preview, the review of identifying details and the search
    results wrap them where they must and never scroll sideways at 1280 or 390 px."""
    url, stop = start_server(tmp_path / "data")
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        page = ctx.new_page()
        link = "https://example.org/" + "a" * 260
        word = "Pneumonoultramicroscopicsilicovolcanoconiosis" * 6
        body = f"A link pasted in: {link}\n\nAnd a long word: {word}"
        made = page.request.post(url + "/api/v1/entries", data={"body": body, "title": word})
        assert made.status == 201

        def fits(name: str) -> None:
            SHOTS.mkdir(parents=True, exist_ok=True)
            for width in (1280, 390):
                page.set_viewport_size({"width": width, "height": 900})
                page.screenshot(path=str(SHOTS / f"{name}-{width}.png"), full_page=True)
                overflow = page.evaluate(
                    "document.documentElement.scrollWidth - document.documentElement.clientWidth"
                )
                assert overflow <= 0, f"{name} scrolls sideways by {overflow}px at {width}px"
            page.set_viewport_size({"width": 1280, "height": 900})

        page.goto(url + "/supervision")
        fits("supervision-long-title")
        page.locator("input[name=entry_ids]").first.check()
        page.fill("#sp-questions", f"Why did I write {word}?")
        page.get_by_label("Replace identifying details").uncheck()  # the link stays in
        page.get_by_role("button", name="Preview").click()
        assert link in page.locator("section.packet").inner_text()
        fits("supervision-preview-long-words")

        page.goto(url + "/write")
        page.fill("#body", "I met Sarah Whitfield today. " + body)
        page.locator("#write-form button[type=submit]").click()
        assert page.get_by_role("heading", name="Identifying details in your text").is_visible()
        fits("write-review-long-link")

        page.goto(url + "/journal?q=" + "a" * 3000)
        assert "Nothing found for" in page.locator("#results").inner_text()
        fits("journal-long-search")
    finally:
        ctx.close()
        stop()


def test_the_throat_is_a_fingertips_target_on_a_phone(server, browser):
    """At 390 px the throat, between the face and the neck, is at least 24 by 24 CSS px
    (WCAG 2.2 target size), and a tap anywhere on it chooses the throat, not a neighbour."""
    ctx = browser.new_context(
        viewport={"width": 390, "height": 844}, device_scale_factor=2, has_touch=True
    )
    try:
        page = ctx.new_page()
        page.goto(server + "/checkin")
        throat = page.locator("[data-region=throat]")
        throat.scroll_into_view_if_needed()
        box = throat.bounding_box()
        assert box["width"] >= 24 and box["height"] >= 24, box
        under = page.evaluate(
            """() => {
              const r = document.querySelector("[data-region=throat]").getBoundingClientRect();
              const points = [[r.left + 1, r.top + 1], [r.right - 1, r.top + 1],
                [r.left + 1, r.bottom - 1], [r.right - 1, r.bottom - 1],
                [r.left + r.width / 2, r.top + r.height / 2]];
              return points.map(([x, y]) => {
                const hit = document.elementFromPoint(x, y) || document.body;
                const region = hit.closest("[data-region]");
                return region ? region.dataset.region : null;
              });
            }"""
        )
        assert under == ["throat"] * 5
        throat.tap()
        assert page.locator("#body-chosen").inner_text() == "Selected: Throat"
    finally:
        ctx.close()


# Each part of each region's tap target (its clear ``hit`` shape, else its drawn shape;
# arms, hands, legs and feet have two parts) and of its drawn shape, measured on the
# page, with the region a tap reaches at points on a grid inside each.
BODY_TARGETS = """() => {
  const measure = (g, shape) => {
    const pieces = shape.tagName === "path" ? shape.getAttribute("d").split(/(?=M)/) : [null];
    return pieces.map((d) => {
      let piece = shape;
      if (d !== null) {
        piece = document.createElementNS("http://www.w3.org/2000/svg", "path");
        piece.setAttribute("d", d);
        piece.setAttribute("class", "hit");
        g.appendChild(piece);
      }
      const r = piece.getBoundingClientRect();
      const inverse = piece.getScreenCTM().inverse();
      const points = [];
      for (let i = 1; i < 10; i++) for (let j = 1; j < 10; j++) {
        const x = r.left + (r.width * i) / 10, y = r.top + (r.height * j) / 10;
        if (piece.isPointInFill(new DOMPoint(x, y).matrixTransform(inverse))) points.push([x, y]);
      }
      if (piece !== shape) piece.remove();
      return { width: r.width, height: r.height, points };
    });
  };
  const reached = ([x, y]) => {
    const region = (document.elementFromPoint(x, y) || document.body).closest("[data-region]");
    return region ? region.dataset.region : null;
  };
  return [...document.querySelectorAll("[data-bodymap] .region")].map((g) => {
    const drawn = g.querySelector("path:not(.hit), rect:not(.hit)");
    const targets = measure(g, g.querySelector(".hit") || drawn);
    const shapes = [...targets, ...measure(g, drawn)];
    shapes.forEach((shape) => { shape.reached = shape.points.map(reached); });
    return { region: g.dataset.region, name: g.getAttribute("aria-label"), targets, shapes };
  });
}"""


def test_every_body_region_is_a_fingertips_target_on_a_phone(server, browser):
    """At 390 px each part of every region of the body map (each hand, each foot, the
    neck and shoulders, the face) is at least 24 by 24 CSS px, and the ones drawn small
    are 44 px tall, where the room allows; a tap anywhere on a target, or on what is
    drawn, chooses that region and no neighbour; a tap on each target chooses it."""
    ctx = browser.new_context(
        viewport={"width": 390, "height": 844}, device_scale_factor=2, has_touch=True
    )
    try:
        page = ctx.new_page()
        page.goto(server + "/checkin")
        page.locator("[data-bodymap]").scroll_into_view_if_needed()
        regions = page.evaluate(BODY_TARGETS)
        assert len(regions) == 14
        small = {"neck-shoulders", "hands", "feet"}  # drawn 13 to 24 px tall
        for found in regions:
            rid = found["region"]
            for part in found["targets"]:
                size = (round(part["width"], 1), round(part["height"], 1))
                assert part["width"] >= 24 and part["height"] >= 24, (rid, size)
                assert rid not in small or part["height"] >= 44, (rid, size)
            for shape in found["shapes"]:
                assert shape["points"] and set(shape["reached"]) == {rid}, (rid, shape)
        for found in regions:
            points = found["targets"][0]["points"]
            page.touchscreen.tap(*points[len(points) // 2])
        chosen = page.locator("#body-chosen").inner_text()
        assert chosen == "Selected: " + ", ".join(f["name"] for f in regions), chosen
    finally:
        ctx.close()


def test_discarding_the_open_draft_leaves_no_copy_behind(server, browser):
    """Write's autosave keeps words as a draft, also on leaving the page: discarding the
    draft being written must not bring it back. Discarding asks first, with or without
    script."""
    words = "Visit with John Smith, room 12, discarded on purpose."
    made = urllib.request.urlopen(
        urllib.request.Request(
            server + "/api/v1/drafts",
            data=json.dumps({"body": words}).encode(),
            headers={"content-type": "application/json"},
        )
    )
    draft = json.load(made)["id"]
    ctx = browser.new_context(viewport={"width": 390, "height": 900})
    try:
        page = ctx.new_page()
        page.goto(f"{server}/write?draft={draft}")
        page.fill("#body", words + " And a last thought.")  # not yet autosaved
        discard = page.get_by_role("button", name="Discard the draft")
        assert not discard.is_visible()  # asked first: the form is inside a <details>
        page.get_by_text("Discard this draft").click()
        discard.click()
        page.wait_for_url(f"{server}/write?discarded=*")
        assert "It is gone for good" in page.locator("[role=status]").first.inner_text()
        page.wait_for_timeout(3500)  # an autosave's interval
        kept = json.load(urllib.request.urlopen(server + "/api/v1/drafts"))["drafts"]
        assert not [d for d in kept if "John Smith" in d["body"]]
    finally:
        ctx.close()
    plain = browser.new_context(viewport={"width": 1280, "height": 900}, java_script_enabled=False)
    try:
        again = json.load(
            urllib.request.urlopen(
                urllib.request.Request(
                    server + "/api/v1/drafts",
                    data=json.dumps({"body": words, "title": "No script"}).encode(),
                    headers={"content-type": "application/json"},
                )
            )
        )
        page = plain.new_page()
        page.goto(server + "/")
        item = page.locator("ul.drafts li", has_text="No script")
        item.get_by_text("Discard").first.click()
        item.get_by_role("button", name="Discard the draft").click()
        assert "Discarded the draft “No script”" in page.locator("[role=status]").inner_text()
        kept = json.load(urllib.request.urlopen(server + "/api/v1/drafts"))["drafts"]
        assert again["id"] not in [d["id"] for d in kept]
    finally:
        plain.close()
