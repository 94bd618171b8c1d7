"""Load on the local web app: 10,000 entries, 50 concurrent clients for 30 s per page,
with `hey` (Debian's package), against `attune serve` on loopback.

    apt-get install hey
    python benchmarks/web_load.py [--entries 10000] [--seconds 30] [--clients 50]

Prints p50 / p95 latency for Today, Journal page 1, a search, an entry view and saving a
draft, first for one client (a person using the app), then for 50 concurrent clients
(with requests per second). Target from the web-app issue: p95 <= 50 ms at 50 clients.
By Little's law, 50 clients sending back to back see latency = 50 / throughput, so that
target needs about 1,000 requests/s from two cores that also run the load generator.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
WORK = HERE / ".work" / "web-load"
sys.path.insert(0, str(HERE))

from jrnl_comparison import SEARCH_WORD, generate_jrnl  # noqa: E402


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def hey(url: str, seconds: int, clients: int, extra: list[str]) -> dict[str, float]:
    out = subprocess.run(
        ["hey", "-z", f"{seconds}s", "-c", str(clients), *extra, url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p50 = float(re.search(r"50%+ in ([\d.]+) secs", out).group(1)) * 1000
    p95 = float(re.search(r"95%+ in ([\d.]+) secs", out).group(1)) * 1000
    codes = dict(re.findall(r"\[(\d{3})\]\s+(\d+) responses", out))
    return {"rps": rps, "p50": p50, "p95": p95, "codes": codes}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=10_000)
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--clients", type=int, default=50)
    args = parser.parse_args()
    if shutil.which("hey") is None:
        raise SystemExit("install hey first: apt-get install hey")
    shutil.rmtree(WORK, ignore_errors=True)
    WORK.mkdir(parents=True)
    source = WORK / "journal.txt"
    generate_jrnl(source, args.entries)
    data = WORK / "data"
    attune = shutil.which("attune", path=str(Path(sys.executable).parent)) or "attune"
    env = {**os.environ, "ATTUNE_HOME": str(data)}
    subprocess.run(
        [attune, "import", str(source), "--from", "jrnl"], env=env, check=True, capture_output=True
    )
    port = free_port()
    server = subprocess.Popen(
        [attune, "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/api/v1/today")
                break
            except OSError:
                time.sleep(0.1)
        # The server reads the imported entries once in the background (stored readings);
        # the load is measured after that, as the app runs from then on.
        started = time.monotonic()
        while json.load(urllib.request.urlopen(base + "/api/v1/insights"))["reading"]["running"]:
            time.sleep(2)
        print(f"background reading of the imported journal: {time.monotonic() - started:.0f} s")
        entry_id = json.load(urllib.request.urlopen(base + "/api/v1/entries?limit=1"))["entries"][
            0
        ]["id"]
        request = urllib.request.Request(
            base + "/api/v1/drafts",
            method="POST",
            data=b'{"body": "start"}',
            headers={"content-type": "application/json"},
        )
        draft_id = json.load(urllib.request.urlopen(request))["id"]
        body = json.dumps({"body": "My chest tightened and I wanted to fix it. " * 20})
        cases = [
            ("Today", base + "/", []),
            ("Journal, page 1", base + "/journal", []),
            (f"search '{SEARCH_WORD}'", base + f"/journal?q={SEARCH_WORD}", []),
            ("entry view", base + f"/entries/{entry_id}", []),
            (
                "save a draft (PUT)",
                base + f"/api/v1/drafts/{draft_id}",
                ["-m", "PUT", "-T", "application/json", "-d", body],
            ),
        ]
        print(
            f"{args.entries:,} entries; {args.clients} concurrent clients for "
            f"{args.seconds} s each; hey and the server share {os.cpu_count()} cores\n"
        )
        print(
            "| page | one client: p50 / p95 (ms) | 50 clients: p50 / p95 (ms) | "
            "50 clients: requests/s | responses |"
        )
        print("| --- | ---: | ---: | ---: | --- |")
        for label, url, extra in cases:
            alone = hey(url, max(5, args.seconds // 6), 1, extra)
            result = hey(url, args.seconds, args.clients, extra)
            codes = ", ".join(f"{n}×{c}" for c, n in result["codes"].items())
            print(
                f"| {label} | {alone['p50']:.1f} / {alone['p95']:.1f} | "
                f"{result['p50']:.1f} / {result['p95']:.1f} | {result['rps']:.0f} | {codes} |",
                flush=True,
            )
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    main()
