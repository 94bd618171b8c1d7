"""A light load generator for the web benchmarks (`web_load.py`, `server_load.py`).

Closed-loop clients, each sending its next request as soon as the last one answered (as
`hey -c N` does), over keep-alive HTTP/1.1 connections on loopback. HTTP is spoken by h11
(the parser uvicorn itself uses) over asyncio streams: about a tenth of the CPU per
request that httpx costs, which matters when the generator shares two cores with the
server it measures. Clients can be spread over several processes (``procs``).

What to send is a ``Plan``: an object whose ``next(client, rng)`` gives the next ``Call``
for client number ``client`` (so a simulated person can keep their own credentials and
state). Every response is counted under the call's label: latency, status, bytes; a
response other than 2xx/3xx is an error, a request that takes longer than ``timeout`` a
timeout (its connection is dropped and opened again).

``Machine`` records how busy the machine was while the load ran: the whole machine's
CPU from /proc/stat, the server's processes' CPU from /proc/PID/stat, the generator's own
CPU, and the load average, so a figure can be read against what else was running.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import random
import statistics
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Protocol
from urllib.parse import urlsplit

import h11


@dataclass(frozen=True)
class Call:
    label: str
    method: str
    path: str
    body: bytes = b""
    headers: tuple[tuple[str, str], ...] = ()
    ok: tuple[int, ...] = ()  # statuses that count as success besides 2xx/3xx
    keep_body: bool = False  # hand the response's body to the plan's ``answered``


class Plan(Protocol):
    """What each client sends next. A plan may also have ``answered(client, call, status,
    body)``, called after each response to a call with ``keep_body`` (to use an id the
    server made, say)."""

    def next(self, client: int, rng: random.Random) -> Call: ...


@dataclass(frozen=True)
class Same:
    """Every client sends the same call, over and over."""

    call: Call

    def next(self, client: int, rng: random.Random) -> Call:
        return self.call


@dataclass(frozen=True)
class Mix:
    """Each request drawn from ``calls`` with the given weights."""

    calls: Sequence[Call]
    weights: Sequence[float]

    def next(self, client: int, rng: random.Random) -> Call:
        return rng.choices(self.calls, self.weights)[0]


@dataclass
class Tally:
    """What one label's responses came to."""

    latencies: list[float] = field(default_factory=list)  # seconds, successful responses
    statuses: Counter[str] = field(default_factory=Counter)
    errors: int = 0
    timeouts: int = 0

    def merge(self, other: Tally) -> None:
        self.latencies += other.latencies
        self.statuses.update(other.statuses)
        self.errors += other.errors
        self.timeouts += other.timeouts

    @property
    def count(self) -> int:
        return len(self.latencies) + self.errors + self.timeouts

    def pct(self, q: float) -> float:
        """The q-th percentile of successful latencies, in ms (nan when none)."""
        if not self.latencies:
            return float("nan")
        if len(self.latencies) == 1:
            return self.latencies[0] * 1000
        return statistics.quantiles(self.latencies, n=100, method="inclusive")[int(q) - 1] * 1000


@dataclass
class Result:
    tallies: dict[str, Tally]
    seconds: float  # wall time of the measured window
    generator_cpu: float  # CPU seconds the load generator itself used

    def rps(self, label: str) -> float:
        tally = self.tallies.get(label)
        return len(tally.latencies) / self.seconds if tally else 0.0

    def total(self) -> Tally:
        out = Tally()
        for tally in self.tallies.values():
            out.merge(tally)
        return out


class _Connection:
    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None
        self.h11 = h11.Connection(h11.CLIENT)

    async def _open(self) -> None:
        self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        self.h11 = h11.Connection(h11.CLIENT)

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None

    async def request(self, call: Call) -> tuple[int, bytes]:
        if self.writer is None or self.h11.our_state is not h11.IDLE:
            self.close()
            await self._open()
        assert self.reader is not None and self.writer is not None
        headers = [("Host", f"{self.host}:{self.port}"), *call.headers]
        if call.body or call.method in ("POST", "PUT", "PATCH"):
            headers.append(("Content-Length", str(len(call.body))))
        out = self.h11.send(h11.Request(method=call.method, target=call.path, headers=headers))
        if call.body:
            out += self.h11.send(h11.Data(data=call.body))
        out += self.h11.send(h11.EndOfMessage())
        self.writer.write(out)
        status = 0
        body = []
        while True:
            event = self.h11.next_event()
            if event is h11.NEED_DATA:
                data = await self.reader.read(65536)
                self.h11.receive_data(data)  # b"" means closed: h11 raises if mid-response
                continue
            if isinstance(event, h11.Response):
                status = event.status_code
            elif isinstance(event, h11.Data) and call.keep_body:
                body.append(bytes(event.data))
            elif isinstance(event, h11.EndOfMessage):
                break
            elif isinstance(event, h11.ConnectionClosed):
                raise ConnectionError("the server closed the connection")
        if self.h11.our_state is h11.DONE and self.h11.their_state is h11.DONE:
            self.h11.start_next_cycle()
        else:
            self.close()
        return status, b"".join(body)


async def _client(
    number: int,
    base: str,
    plan: Plan,
    until: float,
    timeout: float,
    tallies: dict[str, Tally],
    seed: int,
) -> None:
    parts = urlsplit(base)
    connection = _Connection(parts.hostname or "127.0.0.1", parts.port or 80)
    rng = random.Random(seed * 100_003 + number)
    clock = time.perf_counter
    while clock() < until:
        call = plan.next(number, rng)
        tally = tallies[call.label]
        started = clock()
        try:
            status, body = await asyncio.wait_for(connection.request(call), timeout)
        except TimeoutError:
            tally.timeouts += 1
            connection.close()
            continue
        except (OSError, h11.ProtocolError) as exc:
            tally.errors += 1
            tally.statuses[type(exc).__name__] += 1
            connection.close()
            await asyncio.sleep(0.05)
            continue
        elapsed = clock() - started
        if call.keep_body:
            plan.answered(number, call, status, body)  # type: ignore[attr-defined]
        tally.statuses[str(status)] += 1
        if 200 <= status < 400 or status in call.ok:
            tally.latencies.append(elapsed)
        else:
            tally.errors += 1
    connection.close()


async def _run_clients(
    base: str, plan: Plan, clients: Iterable[int], seconds: float, timeout: float, seed: int
) -> dict[str, Tally]:
    tallies: dict[str, Tally] = defaultdict(Tally)
    until = time.perf_counter() + seconds
    await asyncio.gather(*(_client(n, base, plan, until, timeout, tallies, seed) for n in clients))
    return dict(tallies)


def _process(args: tuple) -> tuple[dict[str, Tally], float]:
    base, plan, clients, seconds, timeout, seed, start_at = args
    delay = start_at - time.time()
    if delay > 0:
        time.sleep(delay)  # every process starts its clients at the same moment
    cpu = time.process_time()
    tallies = asyncio.run(_run_clients(base, plan, clients, seconds, timeout, seed))
    return tallies, time.process_time() - cpu


def run(
    base: str,
    plan: Plan,
    *,
    clients: int,
    seconds: float,
    timeout: float = 10.0,
    procs: int = 1,
    seed: int = 1,
) -> Result:
    """``clients`` closed-loop clients for ``seconds`` against ``base`` (http://host:port),
    spread round-robin over ``procs`` processes."""
    procs = max(1, min(procs, clients))
    if procs == 1:
        started = time.perf_counter()
        tallies, cpu = _process((base, plan, range(clients), seconds, timeout, seed, 0.0))
        return Result(tallies, time.perf_counter() - started, cpu)
    start_at = time.time() + 0.3
    jobs = [
        (base, plan, range(p, clients, procs), seconds, timeout, seed, start_at)
        for p in range(procs)
    ]
    with multiprocessing.get_context("fork").Pool(procs) as pool:
        outcomes = pool.map(_process, jobs)
    merged: dict[str, Tally] = defaultdict(Tally)
    for tallies, _ in outcomes:
        for label, tally in tallies.items():
            merged[label].merge(tally)
    return Result(dict(merged), seconds, sum(cpu for _, cpu in outcomes))


# -- how busy the machine was --------------------------------------------------------------

TICK = os.sysconf("SC_CLK_TCK")


def _machine_ticks() -> tuple[int, int]:
    with open("/proc/stat", encoding="ascii") as stat:
        fields = [int(v) for v in stat.readline().split()[1:]]
    idle = fields[3] + fields[4]  # idle + iowait
    return sum(fields[:8]) - idle, sum(fields[:8])


def process_cpu(pid: int) -> float:
    """CPU seconds (user + system) used so far by a process (0 when it is gone)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICK


def rss_mb(pids: Iterable[int], field: str = "VmRSS") -> float:
    """Resident memory of these processes together, in MB: all of it (``VmRSS``), or only
    what they allocated (``RssAnon``: the heap and stacks), without the pages of files
    they map (``RssFile``: the journal and the models, which the kernel drops and reads
    back as it needs)."""
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/status", encoding="ascii") as status:
                for line in status:
                    if line.startswith(f"{field}:"):
                        total += int(line.split()[1])
        except OSError:
            pass
    return total / 1024


def children(pid: int) -> list[int]:
    """A process and its descendants (uvicorn's workers)."""
    found = [pid]
    for task in os.listdir(f"/proc/{pid}/task") if os.path.isdir(f"/proc/{pid}/task") else []:
        try:
            with open(f"/proc/{pid}/task/{task}/children", encoding="ascii") as kids:
                for kid in kids.read().split():
                    found += children(int(kid))
        except OSError:
            pass
    return found


@dataclass
class Machine:
    """CPU use between ``start()`` and ``stop()``: of the whole machine, of the server's
    processes (``server_pids``), of the database's (``database_pids``, PostgreSQL's
    backends come and go, so these are callables asked at both ends), of the load
    generator; and the 1-minute load average at each end."""

    server_pids: Sequence[int]
    database_pids: Callable[[], Sequence[int]] | None = None
    cores: int = os.cpu_count() or 1
    busy: float = 0.0  # fraction of all cores busy, whole machine
    server: float = 0.0  # cores' worth used by the server
    database: float = 0.0  # cores' worth used by the database
    load: tuple[float, float] = (0.0, 0.0)

    def _db(self) -> dict[int, float]:
        pids = self.database_pids() if self.database_pids else ()
        return {pid: process_cpu(pid) for pid in pids}

    def start(self) -> Machine:
        self._ticks = _machine_ticks()
        self._server = sum(process_cpu(p) for p in self.server_pids)
        self._database = self._db()
        self._wall = time.perf_counter()
        self._load = os.getloadavg()[0]
        return self

    def stop(self) -> Machine:
        busy, total = _machine_ticks()
        wall = time.perf_counter() - self._wall
        self.busy = (busy - self._ticks[0]) / max(1, total - self._ticks[1])
        self.server = (sum(process_cpu(p) for p in self.server_pids) - self._server) / wall
        after = self._db()
        self.database = sum(cpu - self._database.get(pid, 0.0) for pid, cpu in after.items()) / wall
        self.load = (self._load, os.getloadavg()[0])
        self.wall = wall
        return self

    def describe(self, generator_cpu: float) -> str:
        generator = generator_cpu / self.wall
        others = max(0.0, self.busy * self.cores - self.server - self.database - generator)
        database = f", database {self.database:.2f}" if self.database_pids else ""
        return (
            f"machine {self.busy * 100:.0f}% busy over {self.cores} cores: server "
            f"{self.server:.2f} cores{database}, load generator {generator:.2f}, everything "
            f"else {others:.2f}; load average {self.load[0]:.1f} -> {self.load[1]:.1f}"
        )


def settle(pids: Sequence[int], *, below: float = 0.15, longest: float = 90.0) -> float:
    """Wait until the server is idle (under ``below`` cores over half a second): requests
    a timed-out client gave up on are still being answered, and would weigh on whatever
    is measured next. Returns the seconds waited."""
    started = time.perf_counter()
    while time.perf_counter() - started < longest:
        before = sum(process_cpu(p) for p in pids)
        time.sleep(0.5)
        if (sum(process_cpu(p) for p in pids) - before) / 0.5 < below:
            break
    return time.perf_counter() - started


def measure(
    base: str,
    plan: Plan,
    server_pids: Sequence[int],
    database_pids: Callable[[], Sequence[int]] | None = None,
    **options: float,
) -> tuple[Result, Machine]:
    """``run`` with the machine's CPU recorded around it, after the server has settled."""
    settle(server_pids)
    machine = Machine(server_pids, database_pids).start()
    result = run(base, plan, **options)  # type: ignore[arg-type]
    return result, machine.stop()
