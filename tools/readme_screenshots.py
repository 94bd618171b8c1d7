"""Remake the README's screenshots (docs/screenshots/*.png) from a sample journal.

Builds twelve weeks of a made-up caregiver's entries, check-ins before and after visits
and a few practice responses in a temporary folder, serves it on a loopback port and
photographs each page at 1280 px with Debian's Chromium:

    PYTHONPATH=src python tools/readme_screenshots.py [--out docs/screenshots]

Nothing is downloaded; the sample writer and their clients are invented.
"""

from __future__ import annotations

import argparse
import shutil
import socket
import tempfile
import threading
import time
from datetime import timedelta
from pathlib import Path

from attunement.core.dates import now_local
from attunement.core.journal import Journal

REPO = Path(__file__).resolve().parents[1]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
WIDTH = 1280

ENTRIES = [
    (
        "After the family meeting",
        "aoa-1",
        "My chest tightened when she cried, and I wanted to "
        "fix it. Later I wondered what she needed from me, and I stayed quiet a while longer.",
    ),
    (
        "Night shift",
        "aoa-2",
        "Long night. I felt tired and rushed, and I kept thinking about "
        "the family in bay 4. I tried to stay curious about what the daughter needed.",
    ),
    (
        "A quiet visit",
        "aoa-3",
        "I noticed my breath slow as we sat together. He talked about "
        "his garden and I just listened, at ease for once.",
    ),
    (
        "Before the scan",
        "aoa-1",
        "He was frightened. I noticed my shoulders rise and the urge "
        "to reassure him, so I asked what scared him most. He said being alone.",
    ),
    (
        "Handover",
        "",
        "Rushed handover again. I felt irritated and then ashamed of it. "
        "Tomorrow I want to pause before I walk in.",
    ),
]


def build(data_dir: Path) -> None:
    """Twelve weeks of writing, check-ins and practice, ending today."""
    from attunement.practice import service

    today = now_local().replace(second=0, microsecond=0) - timedelta(minutes=10)
    with Journal.open(data_dir) as journal:
        for day in range(0, 84, 6):  # every sixth day
            at = today - timedelta(days=78 - day)  # the last one today
            title, prompt, body = ENTRIES[day // 6 % len(ENTRIES)]
            if day // 6 >= len(ENTRIES) and prompt == "aoa-1":
                prompt = "aoa-3"
            journal.store.add_entry(
                journal.new_entry(body, title=title, prompt_id=prompt or None, created_at=at)
            )
            wobble = (day // 6) % 3
            journal.checkin(
                ease=3 + wobble,
                presence=5,
                urge_to_fix=6 + wobble % 2,
                fatigue=6 + wobble,
                body=["chest", "neck-shoulders"][: 1 + wobble % 2],
                moment="before",
                at=at - timedelta(hours=2),
            )
            journal.checkin(
                ease=6 + wobble % 2,
                curiosity=6 + wobble,
                fatigue=5 + wobble,
                moment="after",
                at=at - timedelta(hours=1),
            )
        for vignette_id, response in (
            ("v01", "That sounds so heavy. What is it like, watching yourself like that?"),
            ("v02", "You should try to get some rest."),
            ("v03", "It sounds as if you are afraid of being left on your own."),
        ):
            service.respond(journal, vignette_id, response)


def serve(data_dir: Path) -> tuple[str, object]:
    import uvicorn

    from attunement.web import Settings, create_app

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(Settings(data_dir=data_dir, port=port)),
            host="127.0.0.1",
            port=port,
            log_level="warning",
            access_log=False,
        )
    )
    threading.Thread(target=server.run, daemon=True).start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    return f"http://127.0.0.1:{port}", server


def photograph(base: str, out: Path) -> None:
    from playwright.sync_api import sync_playwright

    out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": WIDTH, "height": 900})
        for name, path in (
            ("today", "/"),
            ("checkin", "/checkin"),
            ("insights", "/insights"),
            ("journal", "/journal?q=tightened"),
        ):
            page.goto(base + path)
            page.screenshot(path=str(out / f"{name}.png"), full_page=True)
        page.goto(base + "/write?prompt=aoa-2")
        page.locator("#title").fill("After the ward round")
        page.locator("#body").type("I *noticed* my chest tighten, and **stayed**.\n\n- breathed")
        page.wait_for_selector("#preview em")
        page.screenshot(path=str(out / "write.png"), full_page=True)
        page.goto(base + "/journal?q=tightened")
        page.locator("main ol a[href^='/entries/']").first.click()
        page.wait_for_selector("article mark")
        page.screenshot(path=str(out / "entry.png"), full_page=True)
        browser.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "screenshots")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp) / "journal"
        build(data_dir)
        base, server = serve(data_dir)
        try:
            photograph(base, args.out)
        finally:
            server.should_exit = True  # type: ignore[attr-defined]
    print(f"Screenshots written to {args.out}")


if __name__ == "__main__":
    main()
