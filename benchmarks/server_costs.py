"""What one request costs on the team server, route by route: the server worker's CPU,
PostgreSQL's CPU and transactions, and the SQL statements, beside the static stylesheet.

    python benchmarks/server_costs.py [--trainees 1000] [--requests 200]

The same programme as ``server_load.py`` (1,000 trainees' worth of data on a PostgreSQL
started in a temporary folder, or ``ATTUNE_BENCH_POSTGRES``), one server worker, one
member of each role, and each route asked ``--requests`` times one after another (no
concurrency, so the figures are costs, not queueing). Where ``server_load.py`` says how
far a route is from the static file's throughput, this says why: a route whose CPU per
request (worker plus database) is more than twice the static file's cannot reach half
of its throughput on the same cores.

Statements are counted by PostgreSQL itself (``pg_stat_database``'s transactions, and
``log_statement = all`` lines in its log).
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import loadgen  # noqa: E402
import server_load  # noqa: E402
from loadgen import Call  # noqa: E402


def _transactions(url: str) -> int:
    from sqlalchemy import text

    engine = server_load._engines.get(url)
    assert engine is not None
    with engine.connect() as conn:  # type: ignore[attr-defined]
        return int(
            conn.execute(
                text(
                    "SELECT xact_commit + xact_rollback FROM pg_stat_database "
                    "WHERE datname = current_database()"
                )
            ).scalar_one()
        )


def _log_lines(folder: Path | None) -> int:
    if folder is None:
        return 0
    log = folder / "postgres.log"
    try:
        with log.open(errors="replace") as lines:
            return sum(1 for line in lines if "statement: " in line or "execute " in line)
    except OSError:
        return 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trainees", type=int, default=1000)
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    routes = server_load.server_routes()
    with server_load.postgres() as database, tempfile.TemporaryDirectory() as data:
        url = database.url
        everyone, counts = server_load.populate(url, args.trainees)
        print(", ".join(f"{n:,} {name}" for name, n in counts.items()), flush=True)
        server = server_load.start_server(url, 1, Path(data))
        try:
            people = {}
            for role in ("trainee", "supervisor", "lead"):
                member = next(m for m in everyone if m.role == role and m.shares)
                server_load.sign_in(server, member, url)
                people[role] = member
            trainee = people["trainee"]
            more = True
            while more:  # the trainee's computer has synced before
                status, _, body = server.request(
                    "GET",
                    f"{server_load.SYNC}?since={urllib.parse.quote(trainee.cursor)}",
                    b"",
                    dict(trainee.headers()),
                )
                answer = json.loads(body)
                trainee.cursor, more = answer["cursor"], answer["more"]
            _measure(server, database, url, people, routes, args.requests)
        finally:
            server.process.terminate()
            server.process.wait(timeout=30)
            for engine in server_load._engines.values():
                engine.dispose()  # type: ignore[attr-defined]


def _measure(server, database, url, people, routes, requests) -> None:  # type: ignore[no-untyped-def]
    from sqlalchemy import text

    engine = server_load._engines[url]
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:  # type: ignore[attr-defined]
        conn.execute(text("ALTER SYSTEM SET log_statement = 'all'"))
        conn.execute(text("SELECT pg_reload_conf()"))
    time.sleep(1)
    worker = loadgen.children(server.process.pid) or [server.process.pid]
    rng = random.Random(7)
    static = Call("static file (GET /static/server.css)", "GET", "/static/server.css")
    cases: list[tuple[str, object]] = [("static", static)]
    for role, choices in server_load.actions(routes).items():
        for action, _ in choices:
            if action is server_load.sign_off:
                continue  # one per share; measured by the load benchmark
            cases.append((role, action))
    print(
        "\n| route | ms per request | worker CPU ms | PostgreSQL CPU ms | transactions "
        "| statements |"
    )
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for role, case in cases:
        member = people.get(role)

        def make(case: object = case, member: object = member) -> Call:
            # one at a time: a sync asks from where the last one ended
            return case if isinstance(case, Call) else case(member, rng)  # type: ignore[operator]

        cpu0 = sum(loadgen.process_cpu(p) for p in worker)
        db0 = sum(loadgen.process_cpu(p) for p in database.pids())
        tx0, st0 = _transactions(url), _log_lines(database.folder)
        started = time.perf_counter()
        for _ in range(requests):
            call = make()
            status, _, body = server.request(call.method, call.path, call.body, dict(call.headers))
            if status >= 400:
                raise SystemExit(f"{call.label}: {status} {body[:200]!r}")
            if call.keep_body and status == 200:
                member.cursor = json.loads(body)["cursor"]
        wall = (time.perf_counter() - started) / requests * 1000
        cpu = (sum(loadgen.process_cpu(p) for p in worker) - cpu0) / requests * 1000
        db = (sum(loadgen.process_cpu(p) for p in database.pids()) - db0) / requests * 1000
        time.sleep(0.5)  # the log catches up
        tx = (_transactions(url) - tx0 - 1) / requests
        st = (_log_lines(database.folder) - st0 - 1) / requests
        print(
            f"| {call.label} | {wall:.1f} | {cpu:.2f} | {db:.2f} | {tx:.1f} | {st:.1f} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
