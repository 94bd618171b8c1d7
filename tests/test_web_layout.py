"""The web layer's shape: one module per capability with its pages and API routes side
by side, no import circles, and the decisions routes used to make living in services the
CLI shares (the look for identifying details before saving, analysis caching)."""

from __future__ import annotations

import ast
from pathlib import Path

import attunement.web as web_package
from attunement.web import app as web_app

WEB = Path(web_package.__file__).parent
NAMES = ("journal", "checkins", "practice", "transcripts", "supervision", "sharing", "settings")


def web_imports() -> dict[str, set[str]]:
    """Which attunement.web modules each web module imports (at any depth in its code)."""
    graph: dict[str, set[str]] = {}
    for path in WEB.glob("*.py"):
        found: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                if node.module.startswith("attunement.web."):
                    found.add(node.module.split(".")[2])
                elif node.module == "attunement.web":
                    found |= {a.name for a in node.names}
        graph[path.stem] = found - {path.stem}
    return graph


def test_the_web_layer_has_no_import_circles():
    graph = web_imports()

    def reaches(start: str, target: str, seen: frozenset[str] = frozenset()) -> bool:
        return any(
            n == target or (n not in seen and reaches(n, target, seen | {n}))
            for n in graph.get(start, ())
        )

    assert [m for m in graph if reaches(m, m)] == []
    for name in NAMES:  # a capability never reaches into another
        assert not graph[name] & set(NAMES), f"{name} imports {graph[name] & set(NAMES)}"
    assert not (graph["rendering"] | graph["common"]) & (set(NAMES) | {"app"})


def test_each_capability_serves_its_pages_and_its_api_side_by_side():
    assert [m.__name__.rsplit(".", 1)[1] for m in web_app.CAPABILITIES] == list(NAMES)
    for module in web_app.CAPABILITIES:
        assert module.pages.routes and module.api.routes, module.__name__
        assert all(r.path.startswith("/api/v1/") for r in module.api.routes)
        assert not any(r.path.startswith("/api/") for r in module.pages.routes)


def test_saving_looks_for_identifying_details_first(journal):
    from attunement.core import review

    text = "Sat with Amara Okafor; her number is 07700 900461."
    found = review.save(journal, text, title="Amara")
    assert isinstance(found, review.Review) and {f.type for f in found.findings} >= {"phone"}
    assert journal.list_entries() == []  # nothing saved before the writer chooses
    saved = review.save(journal, text, title="Amara", choice="redact")
    assert "Okafor" not in saved.body and "07700" not in saved.body and "[Phone 1]" in saved.body
    kept = review.save(journal, text, choice="keep")
    assert kept.body == text


def test_each_entry_version_is_analysed_once(journal, monkeypatch):
    from attunement.core import readings

    calls: list[str] = []
    real = readings._analyse
    monkeypatch.setattr(readings, "_analyse", lambda text: calls.append(text) or real(text))
    entry = journal.write("I wanted to fix it.")
    assert readings.signs(journal, [entry], read_now=1) == readings.signs(journal, [entry])
    assert calls == [entry.body]  # stored with the entry, not kept per run
    edited, _ = journal.edit(entry.id, body="I stayed with it.")
    readings.signs(journal, [edited], read_now=1)
    assert calls == [entry.body, edited.body]  # a new version is read again
