"""Load on the local web app (`attune serve`) with 100,000 entries: every page and API route
at 1 and at 5 clients, the busiest pages at 50 clients beside a static file, and memory.

    python benchmarks/web_load.py [--entries 100000] [--seconds 30] [--route-seconds 3]
                                  [--soak] [--soak-minutes 10]

The journal: ``--entries`` entries, one every 47 minutes up to now (9 years at 100,000),
1-4 paragraphs each with 0-2 tags, written from ``--texts`` distinct generated reflections
(the sentences of `jrnl_comparison.py`, so the search word is as common), plus 3,000
check-ins. Each distinct text is analysed once by the shipped analysis and every entry
stores the reading of its own text, as `core.readings` does: the journal is fully read,
as it is once `attune serve` has read an import in the background (reading 100,000
entries takes the analysis hours on two cores; see `insights_speed.py`). The journal is
built once and kept in ``benchmarks/.work/web-load/`` (a copy is served each run).

Then `attune serve` on loopback, and the load generator of `loadgen.py` (asyncio + h11,
one light process) on the same machine:

1. **Every route** the app has (its route table is read, and any route this script does
   not exercise is named), each alone for ``--route-seconds`` with 1 client (a person using
   the app) and then 5: p50 / p95 latency, against the target p95 <= 50 ms.
2. **50 clients for ``--seconds``** on the static stylesheet (before and after the pages),
   Today, an entry view, draft save, the journal page and searches (300 varied queries,
   one drawn at random per request): errors, timeouts and
   requests/s as a ratio of the static file's (targets: Today, entry view and draft save
   at least 1/2; journal page and search at least 1/4).
3. **Memory** (``--soak``): RSS of `attune serve` idle after start, then during
   ``--soak-minutes`` of a mix of all five pages at 50 clients, sampled each 30 s.

Each phase prints how busy the machine was (whole machine, server, generator, others).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
WORK = HERE / ".work" / "web-load"
sys.path.insert(0, str(HERE))

import loadgen  # noqa: E402
from jrnl_comparison import ENDINGS, MIDDLES, OPENINGS, SEARCH_WORD, TAG, TAGS, sentence  # noqa: E402
from loadgen import Call  # noqa: E402

TARGET_P95_MS = 50.0
JSON = (("Content-Type", "application/json"),)
FORM = (("Content-Type", "application/x-www-form-urlencoded"),)


# -- the journal ---------------------------------------------------------------------------


def _text(rng: random.Random) -> tuple[str, str]:
    title = sentence(rng).split(".")[0][:60] + "."
    paragraphs = [
        " ".join(sentence(rng) for _ in range(rng.randint(2, 5))) for _ in range(rng.randint(1, 4))
    ]
    tags = " ".join(f"#{t}" for t in rng.sample(TAGS, rng.randint(0, 2)))
    return title, "\n\n".join(paragraphs) + (f" {tags}" if tags else "")


def build_journal(entries: int, texts: int) -> Path:
    """The journal (cached by size and analysis version); returns its data folder."""
    from attunement.analysis.report import analyze_text
    from attunement.core import readings
    from attunement.core.dates import now_local
    from attunement.core.journal import Journal
    from attunement.core.models import CheckIn

    cached = WORK / f"journal-{entries}-{texts}-{readings.version()}"
    if (cached / "done").exists():
        return cached
    shutil.rmtree(cached, ignore_errors=True)
    rng = random.Random(20261202)
    pool = [_text(rng) for _ in range(texts)]
    started = time.perf_counter()
    analysed = {body: analyze_text(body) for _, body in pool}
    print(f"analysed {texts} distinct texts in {time.perf_counter() - started:.0f} s", flush=True)
    now = now_local()
    started = time.perf_counter()
    with Journal.open(cached) as journal:
        news = []
        for n in range(entries):
            title, body = rng.choice(pool)
            moment = now - timedelta(minutes=(entries - n) * 47 - rng.randint(0, 30))
            news.append(
                journal.new_entry(body, title=title, starred=rng.random() < 0.05, created_at=moment)
            )
        journal.add_many(news)
        version = readings.version()
        rows = [
            readings._row(entry, version, analysed[entry.body]) for entry in journal.list_entries()
        ]
        for start in range(0, len(rows), 5000):
            journal.reader.save_readings(rows[start : start + 5000])
        checkins = [
            CheckIn(
                id="",
                at=now - timedelta(hours=n * 9 + rng.randint(0, 5)),
                ease=rng.randint(0, 10),
                presence=rng.randint(0, 10),
                fatigue=rng.randint(0, 10),
                note=rng.choice(["", "long shift", "slept badly", "good supervision"]),
            )
            for n in range(3000)
        ]
        journal.store.add_checkins(checkins)
        assert readings.unread(journal) == []
    (cached / "done").write_text("ok\n")
    print(f"built the journal in {time.perf_counter() - started:.0f} s", flush=True)
    return cached


# -- the server ----------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Server:
    base: str
    process: subprocess.Popen[bytes]

    def get(self, path: str) -> object:
        return json.load(urllib.request.urlopen(self.base + path, timeout=120))

    def send(self, method: str, path: str, data: bytes, headers: dict[str, str]) -> object:
        request = urllib.request.Request(
            self.base + path, method=method, data=data, headers=headers
        )
        return json.load(urllib.request.urlopen(request, timeout=120))

    def post_json(self, path: str, body: object, method: str = "POST") -> dict:
        out = self.send(
            method, path, json.dumps(body).encode(), {"Content-Type": "application/json"}
        )
        assert isinstance(out, dict)
        return out

    @property
    def pids(self) -> list[int]:
        return loadgen.children(self.process.pid)


def start_server(data: Path) -> Server:
    port = free_port()
    attune = shutil.which("attune", path=str(Path(sys.executable).parent))
    command = [attune] if attune else [sys.executable, "-m", "attunement"]
    process = subprocess.Popen(
        [*command, "serve", "--port", str(port)],
        env={**os.environ, "ATTUNE_HOME": str(data)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    server = Server(f"http://127.0.0.1:{port}", process)
    for _ in range(600):
        try:
            server.get("/api/v1/today")
            return server
        except OSError:
            time.sleep(0.1)
    raise SystemExit("attune serve did not answer within a minute")


def multipart(fields: dict[str, str], file_name: str, content: bytes) -> tuple[bytes, str]:
    boundary = "attuneBenchBoundary7f3a"
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
        for k, v in fields.items()
    ]
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
        f'filename="{file_name}"\r\nContent-Type: application/octet-stream\r\n\r\n'.encode()
        + content
        + b"\r\n"
    )
    return b"".join(
        parts
    ) + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


# -- what is measured ----------------------------------------------------------------------


def search_queries(count: int = 300) -> list[str]:
    """Varied searches over the journal's own words (seeded): single words, two words, a
    quoted phrase, a prefix, and now and then a word no entry has. Every word of the
    generated reflections is in a fifth to nine tenths of the entries, so nearly every
    search matches tens of thousands; a search word repeated by many clients at once
    would measure only what any cache of it did."""
    rng = random.Random(20261203)
    words = sorted(
        {
            w.strip(".,").lower()
            for text in (*OPENINGS, *MIDDLES, *ENDINGS)
            for w in text.split()
            if len(w.strip(".,")) > 3
        }
    )
    phrases = [" ".join(m.split()[i : i + 2]) for m in MIDDLES for i in (1, 3)]
    queries = {SEARCH_WORD}
    while len(queries) < count:
        kind = rng.random()
        if kind < 0.4:
            queries.add(rng.choice(words))
        elif kind < 0.75:
            queries.add(" ".join(rng.sample(words, 2)))
        elif kind < 0.85:
            queries.add(f'"{rng.choice(phrases)}"')
        elif kind < 0.95:
            queries.add(rng.choice(words)[:4] + "*")
        else:
            queries.add(f"{rng.choice(words)} zebra{rng.randint(0, 99)}")
    return sorted(queries)


QUERIES = tuple(search_queries())


@dataclass(frozen=True)
class Searches:
    """Each request a search drawn at random from ``queries``, all under one label."""

    label: str
    path: str  # with {q} where the words go
    queries: tuple[str, ...]

    def next(self, client: int, rng: random.Random) -> Call:
        words = urllib.parse.quote(rng.choice(self.queries))
        return Call(self.label, "GET", self.path.format(q=words))


@dataclass
class Route:
    """One route of the app and how to exercise it."""

    key: str  # "METHOD /path/{template}", as the route table names it
    plan: loadgen.Plan
    note: str = ""


@dataclass
class Cycle:
    """Each client goes round its own list of calls (delete then restore its own entry)."""

    calls: list[list[Call]]
    position: dict[int, int] = field(default_factory=dict)

    def next(self, client: int, rng: random.Random) -> Call:
        mine = self.calls[client % len(self.calls)]
        n = self.position.get(client, 0)
        self.position[client] = n + 1
        return mine[n % len(mine)]


@dataclass
class DraftChain:
    """Each client keeps a draft (``POST /api/v1/drafts``) and then publishes or discards
    it, with the id the server gave it; both requests are measured."""

    method: str  # POST: publish; DELETE: discard
    waiting: dict[int, str] = field(default_factory=dict)

    @property
    def label(self) -> str:
        if self.method == "POST":
            return "POST /api/v1/drafts/{draft_id}/publish"
        return "DELETE /api/v1/drafts/{draft_id}"

    def next(self, client: int, rng: random.Random) -> Call:
        draft = self.waiting.pop(client, None)
        if draft is None:
            body = json.dumps({"body": f"A draft by client {client}."}).encode()
            return Call("POST /api/v1/drafts", "POST", "/api/v1/drafts", body, JSON, keep_body=True)
        if self.method == "POST":
            return Call(self.label, "POST", f"/api/v1/drafts/{draft}/publish", b"{}", JSON)
        return Call(self.label, "DELETE", f"/api/v1/drafts/{draft}")

    def answered(self, client: int, call: Call, status: int, body: bytes) -> None:
        if status == 201:
            self.waiting[client] = json.loads(body)["id"]


def get(key: str, path: str, note: str = "") -> Route:
    return Route(key, loadgen.Same(Call(key, "GET", path)), note)


def send(key: str, path: str, body: object, form: bool = False, note: str = "") -> Route:
    method = key.split()[0]
    if form:
        data, headers = urllib.parse.urlencode(body, doseq=True).encode(), FORM  # type: ignore[arg-type]
    else:
        data, headers = json.dumps(body).encode(), JSON
    return Route(key, loadgen.Same(Call(key, method, path, data, headers)), note)


@dataclass
class Ids:
    entry: str
    old_entry: str
    draft: str
    vignette: str
    attempt: str
    transcript: str
    cyclers: list[str]


def setup_ids(server: Server) -> Ids:
    listed = server.get("/api/v1/entries?limit=40")
    entries = listed["entries"]  # type: ignore[index]
    middle = listed["total"] // 2  # type: ignore[index]
    old_id = server.get(f"/api/v1/entries?limit=1&offset={middle}")["entries"][0]["id"]  # type: ignore[index]
    draft = server.post_json("/api/v1/drafts", {"body": "start"})["id"]
    vignette = server.get("/api/v1/practice/vignettes")["vignettes"][0]["id"]  # type: ignore[index]
    attempt = server.post_json(
        "/api/v1/practice/respond",
        {"vignette_id": vignette, "response": "It sounds like you are carrying a lot."},
    )["attempt_id"]
    body, kind = multipart(
        {"caregiver": "Counsellor"},
        "session.txt",
        (
            b"Counsellor: What brings you here today?\n"
            b"Client: I have not been sleeping since my mother died.\n"
            b"Counsellor: The nights have been hard since she died.\n"
            b"Client: Yes. I lie awake and go over the last week.\n"
            b"Counsellor: What comes back to you most?\n"
        ),
    )
    transcript = server.send("POST", "/api/v1/transcripts", body, {"Content-Type": kind})
    return Ids(
        entry=entries[0]["id"],
        old_entry=old_id,
        draft=draft,
        vignette=vignette,
        attempt=attempt,
        transcript=transcript["id"],  # type: ignore[index]
        cyclers=[e["id"] for e in entries[10:30]],
    )


def routes(ids: Ids, server: Server) -> list[Route]:
    reflection = "My chest tightened and I wanted to fix it. " * 20
    jrnl_file = b"[2026-11-30 09:00] Imported during the benchmark.\nA short note.\n\n"
    deck = (HERE.parent / "src/attunement/framework/decks/rupture-and-repair.toml").read_bytes()
    deck = deck.replace(b'id = "rupture-and-repair"', b'id = "bench-deck"', 1)
    deck = deck.replace(b'id = "rr-', b'id = "bench-')
    deck_body, deck_kind = multipart({"replace": "true"}, "deck.toml", deck)
    import_body, import_kind = multipart({"from": "jrnl"}, "journal.txt", jrnl_file)
    transcript_body, transcript_kind = multipart(
        {"caregiver": "Counsellor"},
        "session.txt",
        b"Counsellor: How was the week?\nClient: Long.\nCounsellor: A long week.\n",
    )
    e, old = ids.entry, ids.old_entry
    out = [
        get("GET /", "/", "Today"),
        get("GET /write", "/write"),
        get("GET /journal", "/journal", "page 1"),
        Route(
            "GET /journal",
            Searches("GET /journal", "/journal?q={q}", QUERIES),
            f"search, {len(QUERIES)} varied queries",
        ),
        get("GET /journal", f"/journal?tag={TAG}&page=50", f"#{TAG}, page 50"),
        get("GET /entries/{entry_id}", f"/entries/{e}", "newest entry"),
        get("GET /entries/{entry_id}", f"/entries/{old}", "an old entry"),
        get("GET /entries/{entry_id}/edit", f"/entries/{e}/edit"),
        get("GET /entries/{entry_id}/history", f"/entries/{e}/history"),
        get("GET /trash", "/trash"),
        get("GET /prompts", "/prompts"),
        get("GET /checkin", "/checkin"),
        get("GET /practice", "/practice"),
        get("GET /practice/{vignette_id}", f"/practice/{ids.vignette}"),
        get("GET /practice/feedback/{attempt_id}", f"/practice/feedback/{ids.attempt}"),
        get("GET /transcripts", "/transcripts"),
        get("GET /transcripts/{transcript_id}", f"/transcripts/{ids.transcript}"),
        get("GET /insights", "/insights"),
        get("GET /supervision", "/supervision"),
        get("GET /settings", "/settings"),
        get("GET /unlock", "/unlock", "a plain journal: says there is nothing to unlock"),
        get("GET /server", "/server", "not signed in to a team server"),
        get("GET /share", f"/share?kind=entry&id={e}", "not signed in to a team server"),
        get("GET /favicon.ico", "/favicon.ico"),
        get("GET /static", "/static/app.css", "the stylesheet"),
        get("GET /api/v1/today", "/api/v1/today"),
        get("GET /api/v1/entries", "/api/v1/entries"),
        get("GET /api/v1/entries/{entry_id}", f"/api/v1/entries/{e}"),
        get("GET /api/v1/entries/{entry_id}/history", f"/api/v1/entries/{e}/history"),
        get("GET /api/v1/trash", "/api/v1/trash"),
        Route(
            "GET /api/v1/search",
            Searches("GET /api/v1/search", "/api/v1/search?q={q}", QUERIES),
            f"{len(QUERIES)} varied queries",
        ),
        get("GET /api/v1/drafts", "/api/v1/drafts"),
        get("GET /api/v1/drafts/{draft_id}", f"/api/v1/drafts/{ids.draft}"),
        get("GET /api/v1/prompts", "/api/v1/prompts"),
        get("GET /api/v1/checkins", "/api/v1/checkins"),
        get("GET /api/v1/practice/vignettes", "/api/v1/practice/vignettes"),
        get("GET /api/v1/practice/session", "/api/v1/practice/session"),
        get("GET /api/v1/practice/progress", "/api/v1/practice/progress"),
        get("GET /api/v1/transcripts", "/api/v1/transcripts"),
        get("GET /api/v1/transcripts/{transcript_id}", f"/api/v1/transcripts/{ids.transcript}"),
        get(
            "GET /api/v1/transcripts/{transcript_id}/report",
            f"/api/v1/transcripts/{ids.transcript}/report",
        ),
        get("GET /api/v1/insights", "/api/v1/insights"),
        get("GET /api/v1/server", "/api/v1/server", "not signed in"),
        get("GET /api/openapi.json", "/api/openapi.json"),
        send("PUT /api/v1/drafts/{draft_id}", f"/api/v1/drafts/{ids.draft}", {"body": reflection}),
        send("POST /api/v1/drafts", "/api/v1/drafts", {"body": reflection}),
        send("POST /api/v1/entries", "/api/v1/entries", {"body": reflection, "tags": ["ease"]}),
        send("PATCH /api/v1/entries/{entry_id}", f"/api/v1/entries/{e}", {"starred": True}),
        send("POST /api/v1/checkins", "/api/v1/checkins", {"ease": 6, "fatigue": 4, "note": "ok"}),
        send(
            "POST /api/v1/practice/respond",
            "/api/v1/practice/respond",
            {"vignette_id": ids.vignette, "response": "That sounds exhausting. What helps?"},
        ),
        send("POST /api/v1/analysis/text", "/api/v1/analysis/text", {"text": reflection}),
        send(
            "POST /api/v1/analysis/response",
            "/api/v1/analysis/response",
            {"response": "It sounds lonely.", "to": "Nobody visits any more."},
        ),
        send("POST /api/v1/packet", "/api/v1/packet", {"entry_ids": [e, old]}),
        send("POST /partials/preview", "/partials/preview", {"body": reflection}, form=True),
        send("POST /write", "/write", {"body": reflection, "tags": "ease"}, form=True),
        send(
            "POST /entries/{entry_id}/edit",
            f"/entries/{e}/edit",
            {"body": reflection + " Edited.", "title": "Edited"},
            form=True,
        ),
        send("POST /checkin", "/checkin", {"ease": "6", "note": "ok"}, form=True),
        send("POST /practice/start", "/practice/start", {}, form=True),
        send(
            "POST /practice/{vignette_id}",
            f"/practice/{ids.vignette}",
            {"response": "That sounds exhausting. What helps?"},
            form=True,
        ),
        send("POST /supervision", "/supervision", {"entry_ids": [e, old]}, form=True),
        Route(
            "POST /api/v1/decks",
            loadgen.Same(
                Call(
                    "POST /api/v1/decks",
                    "POST",
                    "/api/v1/decks",
                    deck_body,
                    (("Content-Type", deck_kind),),
                )
            ),
            "a copy of a built-in deck, replaced",
        ),
        Route(
            "POST /api/v1/import",
            loadgen.Same(
                Call(
                    "POST /api/v1/import",
                    "POST",
                    "/api/v1/import",
                    import_body,
                    (("Content-Type", import_kind),),
                )
            ),
            "a one-entry jrnl file",
        ),
        Route(
            "POST /api/v1/transcripts",
            loadgen.Same(
                Call(
                    "POST /api/v1/transcripts",
                    "POST",
                    "/api/v1/transcripts",
                    transcript_body,
                    (("Content-Type", transcript_kind),),
                )
            ),
            "a three-turn transcript",
        ),
        Route(
            "DELETE /api/v1/entries/{entry_id}",
            Cycle(
                [
                    [
                        Call("DELETE /api/v1/entries/{entry_id}", "DELETE", f"/api/v1/entries/{c}"),
                        Call(
                            "POST /api/v1/entries/{entry_id}/restore",
                            "POST",
                            f"/api/v1/entries/{c}/restore",
                        ),
                    ]
                    for c in ids.cyclers[:10]
                ]
            ),
            "with restore, each client its own entry",
        ),
        Route(
            "POST /entries/{entry_id}/delete",
            Cycle(
                [
                    [
                        Call(
                            "POST /entries/{entry_id}/delete",
                            "POST",
                            f"/entries/{c}/delete",
                            b"",
                            FORM,
                        ),
                        Call(
                            "POST /entries/{entry_id}/restore",
                            "POST",
                            f"/entries/{c}/restore",
                            b"",
                            FORM,
                        ),
                    ]
                    for c in ids.cyclers[10:20]
                ]
            ),
            "with restore, each client its own entry",
        ),
        get("DELETE /api/v1/trash", "/api/v1/trash", "an empty trash"),
    ]
    out[-1] = Route(
        "DELETE /api/v1/trash",
        loadgen.Same(Call("DELETE /api/v1/trash", "DELETE", "/api/v1/trash")),
        "an empty trash",
    )
    return out


NOT_MEASURED = {
    "POST /unlock": "a plain journal has nothing to unlock (an encrypted one is unlocked once)",
    "POST /lock": "locks an encrypted journal; a plain one has no lock",
    "POST /api/v1/unlock": "a plain journal has nothing to unlock",
    "POST /api/v1/lock": "a plain journal has no lock",
    "POST /server/login": "needs a team server (benchmarks/server_load.py measures the server)",
    "POST /server/logout": "needs a team server",
    "POST /server/shares/{share_id}/revoke": "needs a team server",
    "POST /share": "needs a team server",
    "POST /settings/import": "the same import as POST /api/v1/import, from a form",
    "POST /prompts/decks": "the same as POST /api/v1/decks, from a form",
    "POST /transcripts": "the same import as POST /api/v1/transcripts, from a form",
}


def route_table() -> set[str]:
    """Every "METHOD /path" the app serves, from its own route table."""
    import tempfile

    from attunement.web.app import Settings, create_app

    with tempfile.TemporaryDirectory() as tmp:
        app = create_app(Settings(data_dir=Path(tmp) / "data")).app
        keys = set()
        for route in app.routes:
            for method in sorted(getattr(route, "methods", None) or ()):
                if method != "HEAD":
                    keys.add(f"{method} {route.path}")
            if route.__class__.__name__ == "Mount":
                keys.add(f"GET {route.path}")
        return keys


# -- the phases ----------------------------------------------------------------------------


def ms(value: float) -> str:
    return "n/a" if value != value else f"{value:.1f}"


def every_route(server: Server, ids: Ids, seconds: float, matching: str = "") -> None:
    table = [r for r in routes(ids, server) if matching in f"{r.key} {r.note}"]
    measured = {route.key for route in table} | {
        "POST /api/v1/entries/{entry_id}/restore",
        "POST /entries/{entry_id}/restore",
        "POST /api/v1/drafts/{draft_id}/publish",
        "DELETE /api/v1/drafts/{draft_id}",
        "POST /api/v1/export",
    }
    print(f"\n### Every route, alone: {seconds:g} s at 1 client, then {seconds:g} s at 5\n")
    print(
        "| route | what | 1 client: p50 / p95 (ms) | 5 clients: p50 / p95 (ms) | "
        "p95 <= 50 ms | requests | not 2xx/3xx |"
    )
    print("| --- | --- | ---: | ---: | --- | ---: | ---: |")
    machine = loadgen.Machine(server.pids).start()
    generator = 0.0

    def one(route: Route, clients: tuple[int, ...] = (1, 5)) -> None:
        nonlocal generator
        results = []
        for n in clients:
            loadgen.settle(server.pids)
            result = loadgen.run(server.base, route.plan, clients=n, seconds=seconds, timeout=120)
            generator += result.generator_cpu
            results.append(result)
        labels = sorted({label for r in results for label in r.tallies})
        if len(results) == 1:
            results.append(loadgen.Result({}, 1.0, 0.0))  # not run at 5 clients
        for label in labels:
            a, b = (r.tallies.get(label, loadgen.Tally()) for r in results)
            worst = max(a.pct(95), b.pct(95) if b.count else a.pct(95))
            met = "yes" if worst <= TARGET_P95_MS else "**no**"
            print(
                f"| `{label}` | {route.note} | {ms(a.pct(50))} / {ms(a.pct(95))} | "
                f"{ms(b.pct(50))} / {ms(b.pct(95))} | {met} | {a.count + b.count} | "
                f"{a.errors + a.timeouts + b.errors + b.timeouts} |",
                flush=True,
            )

    for route in table:
        one(route)
    if matching:
        machine.stop()
        print(f"\n{machine.describe(generator)}")
        return
    for method in ("POST", "DELETE"):
        chain = DraftChain(method)
        one(Route(chain.label, chain, "after keeping a new draft (measured too)"))
    # Last, and with one client only: every export reads the whole journal.
    export = Call("POST /api/v1/export", "POST", "/api/v1/export")
    one(Route(export.label, loadgen.Same(export), "the whole journal as JSON"), clients=(1,))
    machine.stop()
    print(f"\n{machine.describe(generator)}")
    missing = sorted(route_table() - measured - set(NOT_MEASURED))
    print("\nNot measured: " + "; ".join(f"`{k}` ({why})" for k, why in NOT_MEASURED.items()))
    if missing:
        print("**Routes this script does not know (add them):** " + ", ".join(missing))


def busiest(
    server: Server, ids: Ids, seconds: float, clients: int, *, pages_too: bool = True
) -> None:
    reflection = json.dumps({"body": "My chest tightened and I wanted to fix it. " * 20}).encode()
    static = Call("static file", "GET", "/static/app.css")
    pages = [
        (Call("Today", "GET", "/"), 0.5),
        (Call("entry view", "GET", f"/entries/{ids.entry}"), 0.5),
        (Call("draft save (PUT)", "PUT", f"/api/v1/drafts/{ids.draft}", reflection, JSON), 0.5),
        (Call("journal page", "GET", "/journal"), 0.25),
    ]
    search = Searches("search (varied)", "/journal?q={q}", QUERIES)
    print(f"\n### {clients} clients for {seconds:g} s each, beside a static file\n")
    print(
        "| request | requests/s | ratio to static | target | p50 / p95 (ms) | "
        "errors | timeouts | machine |"
    )
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |")
    rows = []
    ceilings = []
    # Search last: its timed-out requests keep the server busy long after the clients
    # gave up, and would weigh on whatever came next.
    plans: list[tuple[loadgen.Plan, str, float]] = [
        *((loadgen.Same(call), call.label, target) for call, target in pages),
        (loadgen.Same(static), static.label, 0.0),
        (search, search.label, 0.25),
    ]
    if not pages_too:  # the searches alone, between the two runs of the static file
        plans = [plans[-1], plans[-2]]
    for plan, label, target in [(loadgen.Same(static), static.label, 0.0), *plans]:
        loadgen.settle(server.pids, longest=300)
        result, machine = loadgen.measure(
            server.base,
            plan,
            server.pids,
            clients=clients,
            seconds=seconds,
            timeout=10,
        )
        tally = result.tallies.get(label, loadgen.Tally())
        rps = result.rps(label)
        if label == static.label:
            ceilings.append(rps)
        rows.append((label, rps, target, tally, machine.describe(result.generator_cpu)))
        print(f"  {label}: {rps:.0f}/s", file=sys.stderr, flush=True)
    ceiling = sum(ceilings) / len(ceilings)
    for label, rps, target, tally, busy in rows:
        ratio = rps / ceiling if ceiling else 0.0
        verdict = "" if not target else ("met" if ratio >= target else "**not met**")
        print(
            f"| {label} | {rps:.0f} | {ratio:.2f} | {f'>= {target:g} {verdict}' if target else ''} "
            f"| {ms(tally.pct(50))} / {ms(tally.pct(95))} | {tally.errors} | {tally.timeouts} "
            f"| {busy} |"
        )
    print(
        f"\nStatic file, first and last: {ceilings[0]:.0f} and {ceilings[1]:.0f} requests/s; "
        f"ratios are to their mean, {ceiling:.0f}."
    )


def soak(server: Server, ids: Ids, minutes: float, clients: int, idle: float) -> None:
    reflection = json.dumps({"body": "I stayed with the silence longer than usual. " * 20})
    plan = loadgen.Mix(
        [
            Call("Today", "GET", "/"),
            Call("entry view", "GET", f"/entries/{ids.entry}"),
            Call("old entry view", "GET", f"/entries/{ids.old_entry}"),
            Call("draft save", "PUT", f"/api/v1/drafts/{ids.draft}", reflection.encode(), JSON),
            Call("journal page", "GET", "/journal"),
            Call("search", "GET", f"/journal?q={SEARCH_WORD}"),  # one query: a mix, not speed
            Call("API entries", "GET", "/api/v1/entries"),
        ],
        [3, 2, 1, 2, 2, 1, 1],
    )
    print(f"\n### Memory: {clients} clients, a mix of pages, for {minutes:g} minutes\n")
    samples = []
    idle_heap = loadgen.rss_mb(server.pids, "RssAnon")
    tallies = loadgen.Tally()
    machine = loadgen.Machine(server.pids).start()
    generator = 0.0
    until = time.monotonic() + minutes * 60
    while time.monotonic() < until:
        result = loadgen.run(server.base, plan, clients=clients, seconds=30, timeout=10)
        generator += result.generator_cpu
        tallies.merge(result.total())
        rss, heap = loadgen.rss_mb(server.pids), loadgen.rss_mb(server.pids, "RssAnon")
        samples.append((rss, heap, result.total().count / 30))
        print(
            f"  {len(samples) * 0.5:.1f} min: RSS {rss:.1f} MB (heap {heap:.1f}), "
            f"{samples[-1][2]:.0f} requests/s",
            file=sys.stderr,
            flush=True,
        )
    machine.stop()
    time.sleep(5)
    after = loadgen.rss_mb(server.pids), loadgen.rss_mb(server.pids, "RssAnon")
    print("| when | RSS (MB) | of it the heap (MB) |\n| --- | ---: | ---: |")
    print(f"| idle, before load | {idle:.1f} | {idle_heap:.1f} |")
    print(f"| after the first 30 s of load | {samples[0][0]:.1f} | {samples[0][1]:.1f} |")
    for n, (rss, heap, _) in enumerate(samples):
        if n and (n + 1) % 4 == 0:
            print(f"| after {(n + 1) / 2:g} min | {rss:.1f} | {heap:.1f} |")
    print(f"| 5 s after the load stopped | {after[0]:.1f} | {after[1]:.1f} |")
    first, last = samples[0][1], samples[-1][1]
    print(
        f"\n{tallies.count:,} requests, {tallies.errors} errors, {tallies.timeouts} timeouts; "
        f"the heap from the first 30 s to the end of the load: {last - first:+.1f} MB "
        f"({(last - first) / first * 100:+.1f}%); from idle: {last - idle_heap:+.1f} MB. "
        "The rest of RSS is pages of the journal and the models the process maps, which "
        "the kernel drops and reads back as memory is needed."
        f"\n{machine.describe(generator)}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--texts", type=int, default=600)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--route-seconds", type=float, default=3)
    parser.add_argument("--soak", action="store_true", help="also ten minutes of load for RSS")
    parser.add_argument("--soak-minutes", type=float, default=10)
    parser.add_argument(
        "--only",
        choices=["routes", "busiest", "search", "soak"],
        action="append",
        help="search: the static file, the searches, the static file again (50 clients)",
    )
    parser.add_argument(
        "--routes-matching", default="", metavar="TEXT", help="only the routes naming TEXT"
    )
    args = parser.parse_args()
    phases = set(args.only or ["routes", "busiest", *(["soak"] if args.soak else [])])

    cached = build_journal(args.entries, args.texts)
    run_dir = WORK / "run"
    shutil.rmtree(run_dir, ignore_errors=True)
    shutil.copytree(cached, run_dir)
    server = start_server(run_dir)
    try:
        while (reading := server.get("/api/v1/insights")["reading"])["running"]:  # type: ignore[index]
            time.sleep(1)  # it finds nothing to read: every entry has its reading
        ids = setup_ids(server)
        print(
            f"{args.entries:,} entries ({args.texts} distinct texts, every one read: "
            f"{reading['total']} left for the background reading); "
            f"`attune serve` (one uvicorn process) and the load generator share "
            f"{os.cpu_count()} cores with whatever else runs; load average "
            f"{os.getloadavg()[0]:.1f} at the start"
        )
        time.sleep(3)
        idle = loadgen.rss_mb(server.pids)
        print(f"RSS of `attune serve` idle, after start and set-up: {idle:.1f} MB")
        if "routes" in phases:
            every_route(server, ids, args.route_seconds, args.routes_matching)
        if "busiest" in phases:
            busiest(server, ids, args.seconds, args.clients)
        elif "search" in phases:
            busiest(server, ids, args.seconds, args.clients, pages_too=False)
        if "soak" in phases:
            soak(server, ids, args.soak_minutes, args.clients, idle)
    finally:
        server.process.terminate()
        server.process.wait(timeout=20)


if __name__ == "__main__":
    main()
