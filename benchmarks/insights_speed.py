"""Insights over 10,000 analysed entries: the page and the API answer from stored readings.

    python benchmarks/insights_speed.py [--entries 10000] [--texts 200] [--repeats 7]

Builds a journal of ``--entries`` entries spread over the last 12 weeks (Insights' default
period), written from ``--texts`` distinct generated reflections. Each distinct text is
analysed once with the shipped models (``analysis.analyze_text``, the function the entry
page uses) and every entry gets the reading of its own text, stored as Attunement stores
it (``core.readings``), so the journal is "fully read". Then it times, after a warm-up:

- ``core.insights.compute`` (the numbers), in process;
- ``GET /insights`` (the page, with its charts) and ``GET /api/v1/insights`` through the
  app (FastAPI's TestClient, no network), including template rendering.

Prints medians and the slowest of ``--repeats``; the target is 200 ms for the page. For
comparison, it also times reading the same entries' markers and feelings by running the
analysis (what Insights did before readings were stored), on the first 200 entries.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
WORK = HERE / ".work" / "insights"
sys.path.insert(0, str(HERE))

from jrnl_comparison import sentence  # noqa: E402


def timed(action, repeats: int) -> tuple[float, float]:
    action()  # warm-up
    runs = []
    for _ in range(repeats):
        started = time.perf_counter()
        action()
        runs.append(time.perf_counter() - started)
    return statistics.median(runs), max(runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=10_000)
    parser.add_argument("--texts", type=int, default=200)
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()

    from attunement.analysis.report import analyze_text
    from attunement.core import readings
    from attunement.core.dates import now_local
    from attunement.core.insights import analyse_entry, compute
    from attunement.core.journal import Journal

    shutil.rmtree(WORK, ignore_errors=True)
    data_dir = WORK / "data"
    rng = random.Random(20261202)
    texts = [
        " ".join(sentence(rng) for _ in range(rng.randint(4, 9))) + rng.choice(["", " #grief"])
        for _ in range(args.texts)
    ]
    started = time.perf_counter()
    analysed = {text: analyze_text(text) for text in texts}
    analysis_s = time.perf_counter() - started

    now = now_local()
    span = timedelta(weeks=12) - timedelta(hours=1)
    with Journal.open(data_dir) as journal:
        news = [
            journal.new_entry(text, created_at=now - span * rng.random())
            for text in (rng.choice(texts) for _ in range(args.entries))
        ]
        journal.add_many(news)
        version = readings.version()
        rows = [
            readings._row(entry, version, analysed[entry.body]) for entry in journal.list_entries()
        ]
        journal.reader.save_readings(rows)
        assert readings.unread(journal) == []

        result = compute(journal)
        print(
            f"{args.entries:,} entries in 12 weeks, {result.analysed:,} analysed "
            f"({result.unread} unread); {args.texts} distinct texts analysed in "
            f"{analysis_s:.1f} s ({args.texts / analysis_s:.0f} texts/s); {os.cpu_count()} cores"
        )
        compute_s = timed(lambda: compute(journal), args.repeats)
        first = journal.list_entries(limit=200)
        before_s = timed(lambda: [analyse_entry(e) for e in first], 1)

    from fastapi.testclient import TestClient

    from attunement.web.app import Settings, create_app

    app = create_app(Settings(data_dir=data_dir))
    with TestClient(app, base_url="http://127.0.0.1:8765") as client:

        def get(path: str) -> None:
            response = client.get(path)
            assert response.status_code == 200, response.text[:300]

        page_s = timed(lambda: get("/insights"), args.repeats)
        api_s = timed(lambda: get("/api/v1/insights"), args.repeats)

    print()
    print("| measure | median (ms) | slowest (ms) | target |")
    print("| --- | ---: | ---: | ---: |")
    for label, (median, slowest), target in (
        ("core.insights.compute (stored readings)", compute_s, ""),
        ("GET /insights (page with charts)", page_s, "<= 200 ms"),
        ("GET /api/v1/insights", api_s, ""),
    ):
        print(f"| {label} | {median * 1000:.0f} | {slowest * 1000:.0f} | {target} |")
    per_entry = before_s[0] / len(first)
    print(
        f"\nRunning the analysis instead (as before readings were stored): "
        f"{per_entry * 1000:.1f} ms per entry, so {per_entry * args.entries:.0f} s "
        f"for {args.entries:,} entries."
    )


if __name__ == "__main__":
    main()
