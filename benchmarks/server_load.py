"""Load on the team server: 200 members at once against 2 workers on PostgreSQL holding
1,000 trainees' worth of data, beside the same server's static-file ceiling.

    python benchmarks/server_load.py [--trainees 1000] [--members 200] [--seconds 60]
                                     [--route-seconds 20] [--workers 2]

PostgreSQL: ``ATTUNE_BENCH_POSTGRES`` names an empty database to use; otherwise one is
started in a temporary folder from Debian's binaries (/usr/lib/postgresql/*/bin), as
``.ci/run`` does, and removed afterwards.

The programme, built with bulk inserts into the server's own tables (``server.schema``)
after ``ensure_schema``: 1,000 trainees in 20 courses of 50, each course with 2
supervisors, a course lead and two deadlines (one passed, met by a sign-off; one coming
up, met by sharing); each trainee has shared 10 items (three quarters with a
supervisor, the rest with the lead), each with 1-3 revisions of a reflection of about
1,000 characters, 0-3 comments, and a sign-off on the latest revision of a fifth of
them; opens and audit lines as those actions leave. Passwords are hashed once with the
server's own argon2 settings.

The members: 150 trainees (spread over the courses), all 40 supervisors and 10 leads, each
signed in once before the load (argon2 is deliberately slow): trainees with the local
app's bearer token (``POST /api/v1/token``), supervisors and leads in the browser's way
(the sign-in form, a session cookie and its CSRF token). `attune server serve --workers 2`
serves them on loopback, and the load generator of ``loadgen.py`` (one light asyncio
process) sends closed-loop requests, each client as one member:

- trainees push a new revision of one of their shares (``PUT /api/v1/shares/{id}``), list
  what they shared (``GET /api/v1/shares``), open one of their shares with its comments
  (``GET /api/v1/shares/{id}``) and sync (``GET /api/v1/sync?since=``, where the server has
  it; each computer has synced once during set-up, and its cursor moves on with each answer);
- supervisors load their inbox (``GET /``), read a share (``GET /shares/{id}``), comment
  and sign off (the page's forms);
- leads load their home page and the cohort page (``GET /courses/{id}/cohort``, where the
  server has it).

Whether the server has the sync and cohort routes is read from its own route table
(``server.app.route_table()``: the server serves no OpenAPI document); routes it lacks
are named and left out.

Two measurements: all 200 members at once in their roles' mix for ``--seconds`` (latency
per route, errors); then each route alone with 200 clients for ``--route-seconds``,
between two runs of the static stylesheet (the ceiling): requests/s as a ratio of the
ceiling (targets: the cohort page at least 1/4, every other route at least 1/2).
"""

from __future__ import annotations

import argparse
import hashlib
import http.client
import json
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import loadgen  # noqa: E402
from jrnl_comparison import sentence  # noqa: E402
from loadgen import Call  # noqa: E402

PASSWORD = "a long enough benchmark password"
ENV_POSTGRES = "ATTUNE_BENCH_POSTGRES"
COURSE_SIZE = 50
SHARES_EACH = 10
WORKING = 3  # of each trainee's shares, the ones they keep pushing to (never signed in the run)
SYNC = "/api/v1/sync"
COHORT = "/courses/{course_id}/cohort"
COHORT_API = "/api/v1/courses/{course_id}/cohort"
TARGET = {"cohort page": 0.25}  # every other route: 0.5
PROTOCOL = ("Attune-Protocol", "1")
# Each course's deadlines, set by its lead: (title, kind, met by a sign-off, due in days).
DEADLINES = (
    ("First reflection signed off", "entry", True, -10),
    ("Practice progress shared", "practice", False, 5),
)


# -- PostgreSQL ---------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Database:
    url: str
    folder: Path | None = None  # a PostgreSQL started here, whose CPU can be counted

    def pids(self) -> list[int]:
        """The postmaster and its backends (none known for ATTUNE_BENCH_POSTGRES's)."""
        if self.folder is None:
            return []
        try:
            first = (self.folder / "data" / "postmaster.pid").read_text().split()[0]
        except OSError:
            return []
        return loadgen.children(int(first))


@contextmanager
def postgres() -> Iterator[Database]:
    """ATTUNE_BENCH_POSTGRES's database, or a PostgreSQL started in a temporary folder."""
    given = os.environ.get(ENV_POSTGRES)
    if given:
        yield Database(given)
        return
    initdbs = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    if not initdbs:
        raise SystemExit(f"No PostgreSQL found: install Debian's postgresql or set {ENV_POSTGRES}.")
    bin_dir = initdbs[-1].parent
    folder = Path(tempfile.mkdtemp(prefix="attune-bench-pg."))
    as_pg: list[str] = []
    if os.getuid() == 0:  # PostgreSQL refuses to run as root
        shutil.chown(folder, "postgres")
        as_pg = ["runuser", "-u", "postgres", "--"]
    port = free_port()
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    subprocess.run(
        [
            *as_pg,
            str(bin_dir / "initdb"),
            "-D",
            str(folder / "data"),
            "-A",
            "trust",
            "-U",
            "postgres",
        ],
        check=True,
        **quiet,
    )
    subprocess.run(
        [
            *as_pg,
            str(bin_dir / "pg_ctl"),
            "-D",
            str(folder / "data"),
            "-l",
            str(folder / "postgres.log"),
            "-w",
            "-o",
            f"-k {folder} -p {port} -c listen_addresses=127.0.0.1 -c max_connections=200",
            "start",
        ],
        check=True,
        **quiet,
    )
    try:
        subprocess.run(
            [
                *as_pg,
                str(bin_dir / "createdb"),
                "-h",
                "127.0.0.1",
                "-p",
                str(port),
                "-U",
                "postgres",
                "attune_bench",
            ],
            check=True,
            **quiet,
        )
        yield Database(f"postgresql://postgres@127.0.0.1:{port}/attune_bench", folder)
    finally:
        subprocess.run(
            [
                *as_pg,
                str(bin_dir / "pg_ctl"),
                "-D",
                str(folder / "data"),
                "-m",
                "fast",
                "-w",
                "stop",
            ],
            check=False,
            **quiet,
        )
        shutil.rmtree(folder, ignore_errors=True)


# -- the programme ------------------------------------------------------------------------


@dataclass
class Share:
    id: str
    owner: str
    reader: str
    course: str
    kind: str
    latest: int
    title: str
    body: str
    signed: bool


@dataclass
class Member:
    id: str
    email: str
    role: str  # trainee, supervisor, lead
    course: str
    token: str = ""
    csrf: str = ""
    shares: list[Share] = field(default_factory=list)  # owned (trainee) or in the inbox
    unsigned: list[Share] = field(default_factory=list)  # a reader's shares to sign off
    cursor: str = ""
    pushes: int = 0

    def headers(self) -> tuple[tuple[str, str], ...]:
        if self.role == "trainee":
            return (("Authorization", f"Bearer {self.token}"), PROTOCOL)
        return (("Cookie", f"attune_session={self.token}"),)


def _digest(title: str, body: str) -> str:
    canonical = json.dumps([title, body], ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _reflection(rng: random.Random) -> tuple[str, str]:
    title = sentence(rng).split(".")[0][:60]
    body = "\n\n".join(
        " ".join(sentence(rng) for _ in range(rng.randint(2, 4))) for _ in range(rng.randint(2, 4))
    )
    return title, body


def populate(url: str, trainees: int) -> tuple[list[Member], dict[str, int]]:
    """The programme, in bulk; returns every member (with their shares) and row counts."""
    from sqlalchemy import func, select

    from attunement.server import accounts, passwords
    from attunement.server.config import ServerConfig, database_url
    from attunement.server.db import ensure_schema, now, open_engine, writing
    from attunement.server.schema import (
        audit,
        comments,
        courses,
        deadlines,
        memberships,
        opens,
        revisions,
        shares,
        signoffs,
        users,
    )

    config = ServerConfig(database_url=database_url(url, Path(".")))
    engine = open_engine(config.database_url)
    ensure_schema(engine)
    with engine.connect() as conn:
        if conn.execute(select(func.count()).select_from(users)).scalar():
            raise SystemExit(f"The database {url} has accounts already; give an empty one.")
    accounts.initialise(engine, config, "admin@example.org", "Admin", "Bench Training")
    ph = passwords.hasher(config.argon2_memory_kib, config.argon2_time_cost)
    password_hash = passwords.hash_password(ph, PASSWORD)
    rng = random.Random(20261202)
    moment = now()
    members: list[Member] = []
    rows: dict[str, list[dict]] = {
        k: []
        for k in (
            "users",
            "courses",
            "deadlines",
            "memberships",
            "shares",
            "revisions",
            "comments",
            "signoffs",
            "opens",
            "audit",
        )
    }

    def user(email: str, name: str, role: str, course: str) -> Member:
        member = Member(str(uuid.uuid4()), email, role, course)
        rows["users"].append(
            dict(
                id=member.id,
                email=email,
                name=name,
                password_hash=password_hash,
                is_admin=False,
                suspended_at=None,
                created_at=moment - timedelta(days=200),
            )
        )
        rows["memberships"].append(
            dict(course_id=course, user_id=member.id, role=role, created_at=moment)
        )
        members.append(member)
        return member

    texts = [_reflection(rng) for _ in range(300)]
    n_courses = max(1, trainees // COURSE_SIZE)
    for c in range(n_courses):
        course = str(uuid.uuid4())
        rows["courses"].append(dict(id=course, name=f"Cohort {c + 1}", created_at=moment))
        for title, kind, signoff, days in DEADLINES:  # one past, one coming up
            rows["deadlines"].append(
                dict(
                    id=str(uuid.uuid4()),
                    course_id=course,
                    title=title,
                    kind=kind,
                    signoff=signoff,
                    starts_on=None,
                    due_on=(moment + timedelta(days=days)).date(),
                    created_by=None,
                    created_at=moment - timedelta(days=200),
                )
            )
        sups = [
            user(f"sup{c}-{k}@example.org", f"Supervisor {c}-{k}", "supervisor", course)
            for k in range(2)
        ]
        lead = user(f"lead{c}@example.org", f"Lead {c}", "lead", course)
        for t in range(COURSE_SIZE):
            trainee = user(f"t{c}-{t}@example.org", f"Trainee {c}-{t}", "trainee", course)
            for n in range(SHARES_EACH):
                reader = lead if n % 4 == 3 else sups[(t + n) % 2]
                created = moment - timedelta(days=rng.uniform(1, 180))
                share = Share(
                    str(uuid.uuid4()),
                    trainee.id,
                    reader.id,
                    course,
                    rng.choice(["entry", "entry", "practice", "packet"]),
                    0,
                    "",
                    "",
                    False,
                )
                rows["audit"].append(
                    dict(
                        at=created,
                        actor_id=trainee.id,
                        action="share.create",
                        object_type="share",
                        object_id=share.id,
                        owner_id=trainee.id,
                        outcome="ok",
                        detail=share.kind,
                    )
                )
                for number in range(1, rng.randint(1, 3) + 1):
                    title, body = rng.choice(texts)
                    body = f"{body}\n\n(version {number})"
                    sha = _digest(title, body)
                    at = created + timedelta(hours=number)
                    rows["revisions"].append(
                        dict(
                            share_id=share.id,
                            number=number,
                            title=title,
                            body=body,
                            sha256=sha,
                            redacted=True,
                            created_at=at,
                        )
                    )
                    rows["audit"].append(
                        dict(
                            at=at,
                            actor_id=trainee.id,
                            action="share.push",
                            object_type="share",
                            object_id=share.id,
                            owner_id=trainee.id,
                            outcome="ok",
                            detail=f"revision {number} {sha[:16]}",
                        )
                    )
                    share.latest, share.title, share.body = number, title, body
                    if rng.random() < 0.6:
                        rows["opens"].append(
                            dict(
                                share_id=share.id,
                                revision=number,
                                reader_id=reader.id,
                                at=at + timedelta(hours=2),
                            )
                        )
                        rows["audit"].append(
                            dict(
                                at=at + timedelta(hours=2),
                                actor_id=reader.id,
                                action="share.read",
                                object_type="share",
                                object_id=share.id,
                                owner_id=trainee.id,
                                outcome="ok",
                                detail=f"revision {number}",
                            )
                        )
                for k in range(rng.randint(0, 3)):
                    author = reader if k % 2 == 0 else trainee
                    rows["comments"].append(
                        dict(
                            id=str(uuid.uuid4()),
                            share_id=share.id,
                            revision=share.latest,
                            parent_id=None,
                            author_id=author.id,
                            kind="changes" if k == 0 and rng.random() < 0.2 else "comment",
                            quote=None,
                            body=sentence(rng),
                            created_at=created + timedelta(hours=5 + k),
                        )
                    )
                if n >= WORKING and rng.random() < 0.2:
                    share.signed = True
                    rows["signoffs"].append(
                        dict(
                            share_id=share.id,
                            revision=share.latest,
                            sha256=_digest(share.title, share.body),
                            signer_id=reader.id,
                            signer_name=f"reader of {share.id[:8]}",
                            signed_at=moment,
                        )
                    )
                rows["shares"].append(
                    dict(
                        id=share.id,
                        owner_id=trainee.id,
                        reader_id=reader.id,
                        course_id=course,
                        kind=share.kind,
                        created_at=created,
                        expires_at=None,
                        latest=share.latest,
                    )
                )
                trainee.shares.append(share)
                reader.shares.append(share)
                if n >= WORKING and not share.signed:
                    reader.unsigned.append(share)
    order = [
        "users",
        "courses",
        "deadlines",
        "memberships",
        "shares",
        "revisions",
        "comments",
        "signoffs",
        "opens",
        "audit",
    ]
    tables = dict(
        users=users,
        courses=courses,
        deadlines=deadlines,
        memberships=memberships,
        shares=shares,
        revisions=revisions,
        comments=comments,
        signoffs=signoffs,
        opens=opens,
        audit=audit,
    )
    with writing(engine) as conn:
        for name in order:
            for start in range(0, len(rows[name]), 5000):
                conn.execute(tables[name].insert(), rows[name][start : start + 5000])
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE")
    engine.dispose()
    return members, {name: len(rows[name]) for name in order}


def choose(members: list[Member], count: int) -> list[Member]:
    """The signed-in members: all supervisors, one lead in two, trainees spread over courses."""
    sups = [m for m in members if m.role == "supervisor"]
    leads = [m for m in members if m.role == "lead"][::2]
    want = max(0, count - len(sups) - len(leads))
    trainees = [m for m in members if m.role == "trainee"]
    step = max(1, len(trainees) // max(1, want))
    return trainees[::step][:want] + sups + leads


# -- the server ---------------------------------------------------------------------------


@dataclass
class Server:
    host: str
    port: int
    process: subprocess.Popen[bytes]

    @property
    def base(self) -> str:
        return f"http://{self.host}:{self.port}"

    def request(
        self, method: str, path: str, body: bytes = b"", headers: dict[str, str] | None = None
    ) -> tuple[int, dict[str, str], bytes]:
        conn = http.client.HTTPConnection(self.host, self.port, timeout=120)
        try:
            conn.request(method, path, body=body or None, headers=headers or {})
            response = conn.getresponse()
            cookies = {}
            for value in response.headers.get_all("set-cookie") or []:
                name, _, rest = value.partition("=")
                cookies[name.strip()] = rest.split(";", 1)[0]
            return response.status, cookies, response.read()
        finally:
            conn.close()


def start_server(url: str, workers: int, data: Path) -> Server:
    port = free_port()
    attune = shutil.which("attune", path=str(Path(sys.executable).parent))
    command = [attune] if attune else [sys.executable, "-m", "attunement"]
    process = subprocess.Popen(
        [
            *command,
            "server",
            "serve",
            "--database",
            url,
            "--port",
            str(port),
            "--workers",
            str(workers),
        ],
        env={**os.environ, "ATTUNE_HOME": str(data)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    server = Server("127.0.0.1", port, process)
    for _ in range(600):
        try:
            if server.request("GET", "/api/v1/health")[0] == 200:
                break
        except OSError:
            time.sleep(0.1)
    else:
        raise SystemExit("attune server serve did not answer within a minute")
    while workers > 1 and len(loadgen.children(process.pid)) < workers + 1:  # every worker up
        time.sleep(0.2)
    time.sleep(1)
    return server


def sign_in(server: Server, member: Member, url: str) -> None:
    """Once per member, as their client would: a token for the local app (trainees), the
    sign-in form for the browser (supervisors and leads)."""
    if member.role == "trainee":
        status, _, body = server.request(
            "POST",
            "/api/v1/token",
            json.dumps({"email": member.email, "password": PASSWORD, "label": "bench"}).encode(),
            {"Content-Type": "application/json"},
        )
        assert status == 200, body[:300]
        member.token = json.loads(body)["token"]
        return
    _, cookies, _ = server.request("GET", "/signin")
    presign = cookies["attune_signin"]
    form = urllib.parse.urlencode({"email": member.email, "password": PASSWORD, "csrf": presign})
    status, cookies, body = server.request(
        "POST",
        "/signin",
        form.encode(),
        {"Content-Type": "application/x-www-form-urlencoded", "Cookie": f"attune_signin={presign}"},
    )
    assert status == 303 and "attune_session" in cookies, (status, body[:300])
    member.token = cookies["attune_session"]
    member.csrf = _csrf_of(url, member.token)


def _csrf_of(url: str, token: str) -> str:
    """The session's CSRF token (every page's forms carry it; read here from its row)."""
    from sqlalchemy import select

    from attunement.server.config import database_url
    from attunement.server.db import open_engine
    from attunement.server.schema import sessions
    from attunement.server.sessions import digest

    engine = _engines.setdefault(url, open_engine(database_url(url, Path("."))))
    with engine.connect() as conn:
        return str(
            conn.execute(
                select(sessions.c.csrf).where(sessions.c.id_hash == digest(token))
            ).scalar_one()
        )


_engines: dict[str, object] = {}


def server_routes() -> set[str]:
    """The paths the server answers, from its own route table."""
    from attunement.server.app import route_table

    return {route.path for route in route_table()}


# -- what members do ----------------------------------------------------------------------

Action = Callable[[Member, random.Random], Call]


def push(member: Member, rng: random.Random) -> Call:
    share = member.shares[member.pushes % WORKING]
    member.pushes += 1
    title, body = _reflection(rng)
    data = json.dumps(
        {
            "kind": share.kind,
            "reader": share.reader,
            "course": share.course,
            "title": title,
            "body": body,
        }
    ).encode()
    return Call(
        "push a share (PUT /api/v1/shares/{id})",
        "PUT",
        f"/api/v1/shares/{share.id}",
        data,
        (*member.headers(), ("Content-Type", "application/json")),
    )


def my_shares(member: Member, rng: random.Random) -> Call:
    return Call("my shares (GET /api/v1/shares)", "GET", "/api/v1/shares", b"", member.headers())


def my_share(member: Member, rng: random.Random) -> Call:
    share = rng.choice(member.shares)
    return Call(
        "a share of mine (GET /api/v1/shares/{id})",
        "GET",
        f"/api/v1/shares/{share.id}",
        b"",
        member.headers(),
    )


def sync(member: Member, rng: random.Random) -> Call:
    """From the member's cursor, which moves on with each answer (``Members.answered``)."""
    return Call(
        "sync (GET /api/v1/sync?since=)",
        "GET",
        f"{SYNC}?since={urllib.parse.quote(member.cursor)}",
        b"",
        member.headers(),
        keep_body=True,
    )


def inbox(member: Member, rng: random.Random) -> Call:
    return Call("inbox page (GET /)", "GET", "/", b"", member.headers())


def lead_home(member: Member, rng: random.Random) -> Call:
    return Call("lead's home page (GET /)", "GET", "/", b"", member.headers())


def share_page(member: Member, rng: random.Random) -> Call:
    share = rng.choice(member.shares)
    return Call(
        "share page (GET /shares/{id})", "GET", f"/shares/{share.id}", b"", member.headers()
    )


def _form(member: Member, fields: dict[str, str]) -> tuple[bytes, tuple[tuple[str, str], ...]]:
    body = urllib.parse.urlencode({**fields, "csrf": member.csrf}).encode()
    return body, (*member.headers(), ("Content-Type", "application/x-www-form-urlencoded"))


def comment(member: Member, rng: random.Random) -> Call:
    share = rng.choice(member.shares)
    body, headers = _form(member, {"body": sentence(rng)})
    return Call(
        "comment (POST /shares/{id}/comments)",
        "POST",
        f"/shares/{share.id}/comments",
        body,
        headers,
    )


SIGN_OFF_SECONDS = 5.0  # the sign-off phase alone (each supervisor has about 160 to sign)


def sign_off(member: Member, rng: random.Random) -> Call:
    label = "sign off (POST /shares/{id}/signoff)"
    if not member.unsigned:  # counted apart: the programme ran out of work, not the server
        return Call("sign off: none left to sign", "GET", "/static/server.css")
    share = member.unsigned.pop()
    body, headers = _form(
        member, {"revision": str(share.latest), "sha256": _digest(share.title, share.body)}
    )
    return Call(label, "POST", f"/shares/{share.id}/signoff", body, headers)


def cohort(member: Member, rng: random.Random) -> Call:
    return Call(
        "cohort page (GET /courses/{id}/cohort)",
        "GET",
        f"/courses/{member.course}/cohort",
        b"",
        member.headers(),
    )


def cohort_api(member: Member, rng: random.Random) -> Call:
    return Call(
        "cohort JSON (GET /api/v1/courses/{id}/cohort)",
        "GET",
        f"/api/v1/courses/{member.course}/cohort",
        b"",
        member.headers(),
    )


def actions(routes: set[str]) -> dict[str, list[tuple[Action, float]]]:
    trainee = [(push, 3.0), (my_shares, 2.0), (my_share, 2.0)]
    if SYNC in routes:
        trainee.append((sync, 4.0))
    lead = [(lead_home, 1.0), (share_page, 1.0)]
    if COHORT in routes:
        lead.append((cohort, 3.0))
    if COHORT_API in routes:
        lead.append((cohort_api, 1.0))
    return {
        "trainee": trainee,
        "supervisor": [(inbox, 3.0), (share_page, 4.0), (comment, 1.0), (sign_off, 1.0)],
        "lead": lead,
    }


@dataclass
class Members:
    """Each client is one member (client n: member n mod the count) doing their role's mix."""

    members: list[Member]
    mix: dict[str, list[tuple[Action, float]]]

    def next(self, client: int, rng: random.Random) -> Call:
        member = self.members[client % len(self.members)]
        choices = self.mix[member.role]
        action = rng.choices([a for a, _ in choices], [w for _, w in choices])[0]
        return action(member, rng)

    def answered(self, client: int, call: Call, status: int, body: bytes) -> None:
        if status == 200:  # a sync: the next one asks from where this one ended
            self.members[client % len(self.members)].cursor = json.loads(body)["cursor"]


# -- the run ------------------------------------------------------------------------------


def ms(value: float) -> str:
    return "n/a" if value != value else f"{value:.1f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trainees", type=int, default=1000)
    parser.add_argument("--members", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--route-seconds", type=float, default=20)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--timeout", type=float, default=30)
    parser.add_argument(
        "--routes",
        default="",
        help="only these routes alone, by action name, comma-separated (push, my_shares, "
        "my_share, sync, inbox, share_page, comment, sign_off, lead_home, cohort, "
        "cohort_api); --seconds 0 leaves out the members' mix",
    )
    args = parser.parse_args()

    routes = server_routes()
    missing = [p for p in (SYNC, COHORT, COHORT_API) if p not in routes]
    with postgres() as database, tempfile.TemporaryDirectory() as data:
        url = database.url
        started = time.perf_counter()
        everyone, counts = populate(url, args.trainees)
        print(
            f"programme built in {time.perf_counter() - started:.0f} s: "
            + ", ".join(f"{n:,} {name}" for name, n in counts.items()),
            flush=True,
        )
        server = start_server(url, args.workers, Path(data))
        try:
            members = choose(everyone, args.members)
            started = time.perf_counter()
            with ThreadPoolExecutor(4) as pool:
                list(pool.map(lambda m: sign_in(server, m, url), members))
            print(
                f"{len(members)} members signed in, once each, in "
                f"{time.perf_counter() - started:.0f} s",
                flush=True,
            )
            if SYNC in routes:  # each trainee's computer has synced before: its cursor
                for m in members:
                    if m.role == "trainee":
                        more = True
                        while more:
                            status, _, body = server.request(
                                "GET",
                                f"{SYNC}?since={urllib.parse.quote(m.cursor)}",
                                b"",
                                dict(m.headers()),
                            )
                            assert status == 200, body[:300]
                            answer = json.loads(body)
                            m.cursor, more = answer["cursor"], answer["more"]
            run(server, database, members, routes, missing, args)
        finally:
            server.process.terminate()
            server.process.wait(timeout=30)
            for engine in _engines.values():
                engine.dispose()  # type: ignore[attr-defined]


def run(
    server: Server,
    database: Database,
    members: list[Member],
    routes: set[str],
    missing: list[str],
    args: argparse.Namespace,
) -> None:
    pids = loadgen.children(server.process.pid)
    roles = {r: sum(1 for m in members if m.role == r) for r in ("trainee", "supervisor", "lead")}
    mix = actions(routes)
    print(
        f"\n{len(members)} members ({roles['trainee']} trainees, {roles['supervisor']} "
        f"supervisors, {roles['lead']} leads), `attune server serve --workers {args.workers}` "
        f"on PostgreSQL, one load-generator process; {os.cpu_count()} cores shared with "
        f"whatever else runs; load average {os.getloadavg()[0]:.1f} at the start."
    )
    if missing:
        print(
            "Not in this server's route table, so not measured: "
            + ", ".join(f"`{p}`" for p in missing)
        )

    bench = Bench(server, database, members, mix, pids, args)
    if args.seconds > 0:
        mixed(bench)
    alone(bench)


@dataclass
class Bench:
    """What both parts of a run (the members' mix, each route alone) are measured on."""

    server: Server
    database: Database
    members: list[Member]
    mix: dict[str, list[tuple[Action, float]]]
    pids: list[int]
    args: argparse.Namespace


def mixed(bench: Bench) -> None:
    server, database, members, mix = bench.server, bench.database, bench.members, bench.mix
    pids, args = bench.pids, bench.args
    print(
        f"\n### All {len(members)} members at once, each in their role's mix, {args.seconds:g} s\n"
    )
    result, machine = loadgen.measure(
        server.base,
        Members(members, mix),
        pids,
        database.pids,
        clients=len(members),
        seconds=args.seconds,
        timeout=args.timeout,
    )
    print("| route | requests/s | p50 (ms) | p95 (ms) | errors | timeouts |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for label, tally in sorted(result.tallies.items()):
        print(
            f"| {label} | {result.rps(label):.1f} | {ms(tally.pct(50))} | {ms(tally.pct(95))} "
            f"| {tally.errors} | {tally.timeouts} |"
        )
    total = result.total()
    print(
        f"\n{total.count:,} requests, {len(total.latencies) / result.seconds:.0f}/s, "
        f"{total.errors} errors, {total.timeouts} timeouts; statuses "
        f"{dict(total.statuses)}.\n{machine.describe(result.generator_cpu)}"
    )


def alone(bench: Bench) -> None:
    server, database, members, mix = bench.server, bench.database, bench.members, bench.mix
    pids, args = bench.pids, bench.args
    only = {name.strip() for name in args.routes.split(",") if name.strip()}

    print(
        f"\n### Each route alone, {len(members)} clients for {args.route_seconds:g} s, "
        "beside the static stylesheet\n"
    )
    static = Call("static file (GET /static/server.css)", "GET", "/static/server.css")
    seconds = args.route_seconds
    phases: list[tuple[str, loadgen.Plan, str, float]] = [
        ("static", loadgen.Same(static), "", seconds)
    ]
    for role, choices in mix.items():
        people = [m for m in members if m.role == role]
        for action, _ in choices:
            if not only or action.__name__ in only:
                # Each sign-off uses up a share: a shorter phase, so that no supervisor
                # runs out of work (whose clients would ask for the static file instead).
                length = min(seconds, SIGN_OFF_SECONDS) if action is sign_off else seconds
                phases.append((role, Members(people, {role: [(action, 1.0)]}), role, length))
    phases.append(("static", loadgen.Same(static), "", seconds))
    rows = []
    ceilings = []
    seen: set[str] = set()
    for kind, plan, role, length in phases:
        result, machine = loadgen.measure(
            server.base,
            plan,
            pids,
            database.pids,
            clients=len(members),
            seconds=length,
            timeout=args.timeout,
        )
        for label, tally in result.tallies.items():
            if kind == "static":
                ceilings.append(result.rps(label))
            if label in seen and kind != "static":
                continue  # the lead's share page: measured with the supervisors
            seen.add(label)
            rows.append(
                (label, role, result.rps(label), tally, machine.describe(result.generator_cpu))
            )
            print(f"  {label}: {result.rps(label):.0f}/s", file=sys.stderr, flush=True)
    ceiling = sum(ceilings) / len(ceilings)
    print(
        "| route | members | requests/s | ratio to static | target | p50 / p95 (ms) | errors "
        "| timeouts | machine |"
    )
    print("| --- | --- | ---: | ---: | --- | ---: | ---: | ---: | --- |")
    for label, role, rps, tally, described in rows:
        ratio = rps / ceiling if ceiling else 0.0
        if label.startswith("static"):
            target = ""
        else:
            want = next((v for k, v in TARGET.items() if label.startswith(k)), 0.5)
            target = f">= {want:g} " + ("met" if ratio >= want else "**not met**")
        print(
            f"| {label} | {role or 'anyone'} | {rps:.0f} | {ratio:.2f} | {target} | "
            f"{ms(tally.pct(50))} / {ms(tally.pct(95))} | {tally.errors} | {tally.timeouts} "
            f"| {described} |"
        )
    print(
        f"\nStatic file, first and last: {ceilings[0]:.0f} and {ceilings[-1]:.0f} requests/s; "
        f"ratios are to their mean, {ceiling:.0f}."
    )
    left = sum(len(m.unsigned) for m in members if m.role != "trainee")
    print(f"Shares left to sign off: {left:,} (a sign-off needs an unsigned latest revision).")


if __name__ == "__main__":
    main()
