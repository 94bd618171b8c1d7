"""What every browser story shares: Debian's Chromium driven by Playwright (never a
downloaded browser; the `browser` fixture is in conftest.py), axe-core for WCAG 2.2 AA,
and screenshots in test-output/screenshots."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from .conftest import REPO

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
AXE = sorted((Path(__file__).parent / "assets").glob("axe-*.min.js"))[-1]
SHOTS = REPO / "test-output" / "screenshots"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
WIDTHS = (1280, 390)
needs_chromium = pytest.mark.skipif(
    not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed (.ci/run installs it)"
)


def axe_violations(page) -> list[dict]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS
    )
    return [
        {"id": v["id"], "help": v["help"], "nodes": [n["target"] for n in v["nodes"]][:3]}
        for v in result["violations"]
    ]


def check_everywhere(page, name: str) -> None:
    """axe at both widths, nothing scrolling sideways, and a screenshot of each."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(SHOTS / f"{name}-{width}.png"), full_page=True)
        assert axe_violations(page) == [], f"{name} at {width}px"
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{name} scrolls sideways at {width}px"
    page.set_viewport_size({"width": 1280, "height": 900})
