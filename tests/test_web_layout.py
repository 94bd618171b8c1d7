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


# -- a route parses, calls one service, renders ------------------------------------------
#
# A service call is a call into Attunement outside the web layer (a function of core/,
# a capability's package, the journal, or the app's background workers), or to a helper
# in the same module that makes one. Building a plain value (``Browse()``, a class's own
# constructor) is not one, and neither is a method on what a service returned
# (``.to_dict()``). A route makes at most one on its way to the page, and at most one in
# each ``except`` (showing the form again with the sentence that says what was wrong).

NOT_SERVICES = ("attunement.web", "attunement.errors")


def _service_names(tree: ast.Module) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("attunement"):
            if not (node.module or "").startswith(NOT_SERVICES):
                names |= {a.asname or a.name for a in node.names}
    return names


def _chain(func: ast.expr) -> list[ast.expr]:
    """``a.b(x).c`` as [a, a.b, a.b(x), a.b(x).c]: the callee's parts, root first."""
    parts = [func]
    while isinstance(parts[0], ast.Attribute | ast.Call | ast.Subscript):
        head = parts[0]
        parts.insert(0, head.func if isinstance(head, ast.Call) else head.value)  # type: ignore[attr-defined]
    return parts


def _journals(fn: ast.FunctionDef | ast.AsyncFunctionDef) -> set[str]:
    """The names a function gives the open journal."""
    names = {
        a.arg
        for a in fn.args.args
        if isinstance(a.annotation, ast.Name) and a.annotation.id == "JournalDep"
    }
    for node in ast.walk(fn):
        if (
            isinstance(node, ast.Assign)
            and isinstance(node.value, ast.Call)
            and isinstance(node.value.func, ast.Name)
            and node.value.func.id == "journal"
        ):
            names |= {t.id for t in node.targets if isinstance(t, ast.Name)}
    return names


def _is_service_call(call: ast.Call, services: set[str], journals: set[str], helpers) -> bool:
    parts = _chain(call.func)
    root, inner = parts[0], parts[1:]
    if not isinstance(root, ast.Name):
        return False
    if any(isinstance(p, ast.Attribute) and p.attr[:1].isupper() for p in inner):
        return False  # a value type's constructor
    if root.id[:1].isupper() and not inner:
        return False
    calls_inside = [p for p in inner if isinstance(p, ast.Call)]
    if root.id == "journal":  # journal(request).delete(...): the journal's own service
        return len(calls_inside) == 1 and call.func is not parts[0]
    if calls_inside:  # a method on what a call returned: not a second service
        return False
    if root.id in services or root.id in journals:
        return True
    if root.id == "request":
        return ".app.state." in ast.unparse(call.func)
    return root.id in helpers and call.func is root


def _paths(fn: ast.AST) -> list[list[ast.AST]]:
    """The function's statements outside any ``except``, then each handler's own."""
    handlers = [h for h in ast.walk(fn) if isinstance(h, ast.ExceptHandler)]
    inside = {id(n) for h in handlers for n in ast.walk(h)}
    main = [n for n in ast.walk(fn) if id(n) not in inside]
    return [main] + [list(ast.walk(h)) for h in handlers]


def service_calls_per_path() -> dict[str, list[list[str]]]:
    """Every route and page helper of the capabilities, with the service calls on each
    of its paths."""
    found: dict[str, list[list[str]]] = {}
    for name in NAMES:
        tree = ast.parse((WEB / f"{name}.py").read_text(encoding="utf-8"))
        services = _service_names(tree)
        functions = [f for f in tree.body if isinstance(f, ast.FunctionDef | ast.AsyncFunctionDef)]
        helpers: set[str] = set()
        for _ in functions:  # helpers that call services, to any depth
            for fn in functions:
                journals = _journals(fn)
                if any(
                    _is_service_call(c, services, journals, helpers)
                    for c in ast.walk(fn)
                    if isinstance(c, ast.Call)
                ):
                    helpers.add(fn.name)
        for fn in functions:
            journals = _journals(fn)
            found[f"{name}.{fn.name}"] = [
                [
                    ast.unparse(c.func)
                    for c in path
                    if isinstance(c, ast.Call) and _is_service_call(c, services, journals, helpers)
                ]
                for path in _paths(fn)
            ]
    return found


def test_every_route_calls_one_service():
    found = service_calls_per_path()
    assert found["journal.entry_page"] == [["entry_view"]]
    assert found["journal.delete_entry"] == [["journal(request).delete"]]
    assert found["supervision.insights_page"] == [["compute"]]
    assert found["journal.write_save"] == [["save_written"]]
    assert found["transcripts.transcript_upload"] == [["service.import_file"], ["transcripts_page"]]
    too_many = {name for name, paths in found.items() if any(len(p) > 1 for p in paths)}
    assert too_many == set(), "a route asks more than one service"


def test_the_rule_counts_what_a_route_calls():
    """The count itself: a route that asks two services is caught, a method on a result
    and a plain value are not counted."""
    source = (
        "from attunement.core.browse import Browse, browse\n"
        "def two(request):\n"
        "    j = journal(request)\n"
        "    return page(request, 'x.html', found=browse(j), tags=j.store.tag_counts())\n"
        "def one(j: JournalDep):\n"
        "    return browse(j).to_dict() or Browse()\n"
    )
    tree = ast.parse(source)
    services = _service_names(tree)
    counted = {
        fn.name: [
            ast.unparse(c.func)
            for c in ast.walk(fn)
            if isinstance(c, ast.Call) and _is_service_call(c, services, _journals(fn), set())
        ]
        for fn in tree.body
        if isinstance(fn, ast.FunctionDef)
    }
    assert counted == {"two": ["browse", "j.store.tag_counts"], "one": ["browse"]}


def test_a_route_that_awaits_its_form_does_its_work_off_the_event_loop():
    """An ``async`` route runs on the event loop: its service call goes to a worker
    thread (``off_loop(lambda: ...)``), so one import, packet or team-server sign-in never
    holds every other request."""
    on_loop: dict[str, list[str]] = {}
    for name in NAMES:
        tree = ast.parse((WEB / f"{name}.py").read_text(encoding="utf-8"))
        services = _service_names(tree)
        for fn in tree.body:
            if not isinstance(fn, ast.AsyncFunctionDef):
                continue
            journals = _journals(fn)
            deferred = {
                id(n) for lam in ast.walk(fn) if isinstance(lam, ast.Lambda) for n in ast.walk(lam)
            }
            on_loop[f"{name}.{fn.name}"] = [
                ast.unparse(c.func)
                for c in _paths(fn)[0]
                if isinstance(c, ast.Call)
                and id(c) not in deferred
                and _is_service_call(c, services, journals, set())
            ]
    assert "supervision.supervision_packet" in on_loop and "settings.import_page" in on_loop
    assert {route: calls for route, calls in on_loop.items() if calls} == {}
