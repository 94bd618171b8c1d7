"""The team server as people run it: `attune server serve` in its own process, the
local app signing in and sharing through the CLI, the server killed with SIGKILL in the
middle of pushes (nothing acknowledged is lost, nothing is duplicated), and nginx in
front of it (forwarded headers believed from nginx only)."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.request
import uuid
from pathlib import Path

import pytest
from sqlalchemy import func, select

from attunement.core.journal import Journal
from attunement.server.client import Client
from attunement.server.db import reading
from attunement.server.schema import revisions, shares

from .conftest import REPO, Attune, free_port
from .server_world import PASSWORD, build_world, form_csrf

pytestmark = pytest.mark.slow


class Served:
    def __init__(self, world, tmp_path: Path, trusted: str = "", workers: int = 1) -> None:
        self.world = world
        self.workers = workers
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.data_dir = tmp_path / "server-data"
        self.trusted = trusted
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "attunement",
                "--data-dir",
                str(self.data_dir),
                "server",
                "serve",
                "--database",
                self.world.config.database_url,
                "--port",
                str(self.port),
                "--url",
                self.url,
                "--trusted-proxy",
                self.trusted,
                "--workers",
                str(self.workers),
            ],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(self.url + "/api/v1/health", timeout=2):
                    return
            except OSError:
                if self.process.poll() is not None:
                    raise AssertionError(self.process.stderr.read().decode()) from None
                time.sleep(0.1)
        raise AssertionError("the server did not start")

    def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


@pytest.fixture
def served(tmp_path):
    world = build_world(tmp_path)
    server = Served(world, tmp_path)
    server.start()
    yield server
    server.stop()


def test_a_trainee_signs_in_and_shares_an_entry_from_the_command_line(served, tmp_path):
    data_dir = tmp_path / "toms-journal"
    attune = Attune(data_dir)
    with Journal.open(data_dir) as journal:
        entry = journal.write(
            "Sat with Amara Okafor on ward 7 after her scan; I wanted to fix it.",
            title="After the scan",
        )
    attune("server", "login", served.url, "--email", "tom@example.org", input=PASSWORD + "\n")
    saved = json.loads((data_dir / "server.json").read_text())
    assert saved["url"] == served.url and PASSWORD not in json.dumps(saved)
    assert (data_dir / "server.json").stat().st_mode & 0o077 == 0

    refused = attune("share", "entry", entry.id, "--to", "sam@example.org", ok=False)
    assert refused.exit_code == 2 and "add --yes" in refused.output  # shown, not sent
    assert "Amara" not in refused.output and "[Client A]" in refused.output

    sent = attune("share", "entry", entry.id, "--to", "Sam", "--yes", "--json")
    result = json.loads(sent.stdout[sent.stdout.index("{") :])
    assert result["revision"] == 1 and result["created"]
    again = attune("share", "entry", entry.id, "--to", "Sam", "--yes")
    assert "already has this exact version" in again.output

    sam = served.world.api("Sam")
    shown = sam.get(f"/api/v1/shares/{result['id']}").json()["shown"]
    assert "Amara" not in shown["body"] and "I wanted to fix it" in shown["body"]
    assert shown["redacted"] is True

    with Journal.open(data_dir) as journal:
        journal.edit(entry.id, body=entry.body + " Next time I will wait.")
    attune("share", "entry", entry.id, "--to", "Sam", "--yes")
    listed = attune.json("share", "list")
    assert listed[0]["revision"] == 2 and listed[0]["reader"]["name"] == "Sam"

    nobody = attune("share", "entry", entry.id, "--to", "otto@example.org", "--yes", ok=False)
    assert nobody.exit_code == 2 and "Sam <sam@example.org>" in nobody.output

    attune("share", "revoke", result["id"])
    assert sam.get(f"/api/v1/shares/{result['id']}").status_code == 404
    attune("server", "logout")
    assert not (data_dir / "server.json").exists()
    assert "not signed in" in attune("share", "list", ok=False).output


def test_kill_9_mid_push_loses_nothing_and_duplicates_nothing(served):
    world = served.world
    _actor, token = world.actor("Tom", "token")
    items = [str(uuid.UUID(int=i + 1)) for i in range(60)]
    acknowledged: list[str] = []

    def push(share_id: str) -> None:
        Client(served.url, token).call(
            "PUT",
            f"/api/v1/shares/{share_id}",
            {
                "kind": "entry",
                "reader": world.ids["Sam"],
                "title": share_id,
                "body": f"Reflection {share_id}.",
            },
        )

    def pusher() -> None:
        for share_id in items:
            try:
                push(share_id)
            except Exception:
                return
            acknowledged.append(share_id)

    thread = threading.Thread(target=pusher)
    thread.start()
    while len(acknowledged) < 15:
        time.sleep(0.01)
    served.kill()
    thread.join(timeout=30)
    assert 15 <= len(acknowledged) < len(items)

    with reading(world.engine) as conn:
        stored = set(conn.execute(select(shares.c.id)).scalars())
    assert set(acknowledged) <= stored  # every acknowledged push survived

    served.start()
    for share_id in items:  # the client retries everything; pushes are idempotent
        push(share_id)
    with reading(world.engine) as conn:
        ids = list(conn.execute(select(shares.c.id)).scalars())
        per_share = dict(
            conn.execute(
                select(revisions.c.share_id, func.count()).group_by(revisions.c.share_id)
            ).all()
        )
    assert sorted(ids) == sorted(items)
    assert set(per_share.values()) == {1}


def test_kill_9_of_the_local_app_mid_share_loses_nothing_and_duplicates_nothing(served, tmp_path):
    """`attune share` for several items, one after another in a child process, killed
    with SIGKILL at a random moment; run again, the server holds each item exactly once."""
    import random

    from attunement.practice import service as practice
    from attunement.practice.vignettes import vignettes
    from attunement.transcripts import service as transcripts

    from .conftest import DATA

    data_dir = tmp_path / "toms-journal"
    with Journal.open(data_dir) as journal:
        entries = [
            journal.write(f"Sat with Amara Okafor, visit {n}; I stayed.", title=f"Visit {n}").id
            for n in range(4)
        ]
        practice.respond(journal, vignettes()[0].id, "It sounds like you are frightened.")
        stored = transcripts.import_file(journal, DATA / "transcripts" / "zoom-recording.vtt")
    Attune(data_dir)(
        "server", "login", served.url, "--email", "tom@example.org", input=PASSWORD + "\n"
    )
    commands = [*(f"entry {e}" for e in entries), "practice", f"transcript {stored.id}"]
    commands.append(f"packet {entries[0]} {entries[1]} --question 'How do I stay?'")
    attune = f"'{sys.executable}' -m attunement --data-dir '{data_dir}' share"
    script = "\n".join(
        f"{attune} {c} --to sam@example.org --yes >/dev/null && echo acknowledged {n} || exit 1"
        for n, c in enumerate(commands)
    )

    def run() -> subprocess.Popen:
        return subprocess.Popen(
            ["sh", "-c", script],
            env={**os.environ, "PYTHONPATH": str(REPO / "src")},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,  # its own process group: the kill takes the CLI too
        )

    child = run()
    wait_for = random.randint(1, len(commands) - 1)
    acknowledged = []
    times = [time.monotonic()]
    while len(acknowledged) < wait_for:
        line = child.stdout.readline()
        assert line, child.stderr.read()
        acknowledged.append(int(line.split()[1]))
        times.append(time.monotonic())
    # Somewhere in the next share: within the shortest time one share has taken here (a
    # fixed pause would outlast every remaining share on a quick machine).
    shortest = min(b - a for a, b in zip(times, times[1:], strict=False))
    time.sleep(random.uniform(0, 0.8 * shortest))
    os.killpg(child.pid, signal.SIGKILL)
    child.wait(timeout=10)
    acknowledged += [int(line.split()[1]) for line in child.stdout.read().splitlines()]
    assert len(acknowledged) < len(commands), "the child finished before it was killed"

    def held() -> dict[str, tuple[str, int]]:
        with reading(served.world.engine) as conn:
            rows = conn.execute(select(shares.c.id, shares.c.kind)).all()
            per_share = dict(
                conn.execute(
                    select(revisions.c.share_id, func.count()).group_by(revisions.c.share_id)
                ).all()
            )
        return {row.id: (row.kind, per_share.get(row.id, 0)) for row in rows}

    before = held()
    assert len(before) >= len(acknowledged)  # nothing acknowledged was lost
    again = run()
    out, err = again.communicate(timeout=120)
    assert again.returncode == 0, err
    after = held()
    assert len(after) == len(commands)  # each item once, whatever was sent before the kill
    assert sorted(kind for kind, _ in after.values()) == sorted(
        ["entry"] * 4 + ["practice", "transcript", "packet"]
    )
    assert {count for _, count in after.values()} == {1}  # and no second version of any
    assert set(before) <= set(after)


def worker_pids(server: Served) -> list[int]:
    """The pids of uvicorn's worker processes under `attune server serve --workers N`."""
    assert server.process is not None
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        if parent == server.process.pid and b"spawn_main" in cmdline:
            found.append(int(entry.name))
    return sorted(found)


class OneWorker:
    """Requests answered by one chosen worker: the others are paused (SIGSTOP) meanwhile,
    so only the chosen one accepts connections. Each request is a new connection."""

    def __init__(self, server: Served, pids: list[int]) -> None:
        self.server = server
        self.pids = pids

    @contextlib.contextmanager
    def only(self, pid: int):
        others = [p for p in self.pids if p != pid]
        for other in others:
            os.kill(other, signal.SIGSTOP)
        try:
            yield
        finally:
            for other in others:
                os.kill(other, signal.SIGCONT)

    def request(self, pid: int, method: str, path: str, body=None, headers=None):
        import http.client

        with self.only(pid):
            conn = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=20)
            try:
                conn.request(
                    method, path, body=body, headers={"Connection": "close", **(headers or {})}
                )
                answer = conn.getresponse()
                return answer.status, answer.headers, answer.read().decode()
            finally:
                conn.close()


def test_two_workers_share_nothing_but_the_database(tmp_path):
    """`attune server serve --workers 2`: the sign-in form from one worker is accepted by
    the other, the session it starts holds on both, the sign-in limit counts guesses made
    at either, and a session ended at one is ended at the other."""
    from urllib.parse import urlencode

    world = build_world(tmp_path)
    server = Served(world, tmp_path, workers=2)
    server.start()
    try:
        deadline = time.monotonic() + 60
        while len(pids := worker_pids(server)) < 2:
            assert time.monotonic() < deadline, "two workers did not start"
            time.sleep(0.2)
        one, other = pids
        workers = OneWorker(server, pids)
        for pid in pids:  # each is serving on its own
            status, _, _ = workers.request(pid, "GET", "/api/v1/health")
            assert status == 200

        status, headers, page = workers.request(one, "GET", "/signin")
        presign = headers["Set-Cookie"].split(";", 1)[0]
        form = {"csrf": form_csrf(page), "email": "tom@example.org", "password": PASSWORD}
        status, headers, _ = workers.request(
            other,
            "POST",
            "/signin",
            urlencode(form),
            {"Content-Type": "application/x-www-form-urlencoded", "Cookie": presign},
        )
        assert status == 303, "the other worker refused the first one's sign-in form"
        session = next(
            c.split(";", 1)[0]
            for c in headers.get_all("Set-Cookie")
            if c.startswith("attune_session=")
        )
        for pid in (one, other):
            status, _, home = workers.request(pid, "GET", "/", headers={"Cookie": session})
            assert status == 200 and "Sign out Tom" in home, pid

        # Wrong passwords at both workers count together, up to the one limit.
        guess = json.dumps({"email": "tess@example.org", "password": "a wrong guess"})
        kind = {"Content-Type": "application/json"}
        for n in range(world.config.signin_failures_per_account):
            pid = pids[n % 2]
            status, _, _ = workers.request(pid, "POST", "/api/v1/token", guess, kind)
            assert status == 422, (n, pid)
        right = json.dumps({"email": "tess@example.org", "password": PASSWORD})
        for pid in pids:
            status, headers, _ = workers.request(pid, "POST", "/api/v1/token", right, kind)
            assert status == 429 and int(headers["Retry-After"]) >= 1, pid

        # A token ended at one worker is refused by the other.
        status, _, made = workers.request(
            one,
            "POST",
            "/api/v1/token",
            json.dumps({"email": "sam@example.org", "password": PASSWORD}),
            kind,
        )
        assert status == 200
        bearer = {"Authorization": f"Bearer {json.loads(made)['token']}"}
        assert workers.request(other, "GET", "/api/v1/me", headers=bearer)[0] == 200
        assert workers.request(one, "DELETE", "/api/v1/token", headers=bearer)[0] == 200
        assert workers.request(other, "GET", "/api/v1/me", headers=bearer)[0] == 401
    finally:
        server.stop()


NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


@pytest.mark.skipif(not Path(NGINX).exists(), reason="nginx is not installed (.ci/run does)")
def test_behind_nginx_the_proxy_is_believed_and_nobody_else(tmp_path):
    world = build_world(tmp_path)
    server = Served(world, tmp_path, trusted="127.0.0.1")
    server.start()
    port = free_port()
    conf = tmp_path / "nginx.conf"
    conf.write_text(f"""
daemon off;
worker_processes 1;
pid {tmp_path}/nginx.pid;
error_log {tmp_path}/nginx-error.log;
{"user root;" if os.geteuid() == 0 else ""}
events {{ worker_connections 64; }}
http {{
  access_log off;
  client_body_temp_path {tmp_path}/body;
  proxy_temp_path {tmp_path}/proxy;
  fastcgi_temp_path {tmp_path}/fastcgi;
  uwsgi_temp_path {tmp_path}/uwsgi;
  scgi_temp_path {tmp_path}/scgi;
  server {{
    listen 127.0.0.1:{port};
    location / {{
      proxy_pass http://127.0.0.1:{server.port};
      proxy_set_header Host $host:$server_port;
      proxy_set_header X-Forwarded-For $remote_addr;
      # Stands in for TLS termination: in production nginx listens with ssl and sends
      # $scheme (docs/server.md).
      proxy_set_header X-Forwarded-Proto https;
    }}
  }}
}}
""")
    nginx = subprocess.Popen([NGINX, "-c", str(conf), "-p", str(tmp_path)], stderr=subprocess.PIPE)
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 20
        while True:
            try:
                with urllib.request.urlopen(base + "/api/v1/health", timeout=2) as r:
                    assert json.load(r) == {"status": "ok"}
                break
            except OSError:
                if nginx.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(nginx.stderr.read().decode()) from None
                time.sleep(0.1)
        with urllib.request.urlopen(base + "/signin") as through_proxy:
            cookie = through_proxy.headers["Set-Cookie"]
            assert "Secure" in cookie and "HttpOnly" in cookie
            assert "max-age" in through_proxy.headers["Strict-Transport-Security"]
        # The same header from another address (127.0.0.2, not the proxy) is ignored.
        import http.client

        direct = http.client.HTTPConnection(
            "127.0.0.1", server.port, timeout=10, source_address=("127.0.0.2", 0)
        )
        direct.request("GET", "/signin", headers={"X-Forwarded-Proto": "https"})
        answer = direct.getresponse()
        assert answer.status == 200 and "Secure" not in answer.getheader("Set-Cookie")
        direct.close()
        share_id = world.share("Tom", "Sam", "Through the proxy", "Words.")
        _actor, token = world.actor("Sam", "token")
        seen = Client(base, token).call("GET", f"/api/v1/shares/{share_id}")
        assert seen["shown"]["body"] == "Words."
    finally:
        nginx.terminate()
        nginx.wait(timeout=10)
        server.stop()
